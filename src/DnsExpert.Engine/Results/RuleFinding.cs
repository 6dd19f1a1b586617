namespace DnsExpert.Engine.Results;

/// <summary>
/// A root cause the rule session found: one fired rule, its matches merged (<see cref="Sessions.RuleSessionRunner"/>), with the
/// evidence that proves it and what to do. The engine's result, in no wire form: the edge maps it to the contract's.
/// </summary>
public sealed record RuleFinding(
    string RuleId, FindingSeverity Severity, string Title, string Cause, IReadOnlyList<RuleEvidence> Evidence, IReadOnlyList<RuleRemediation> Remediation)
{
    /// <summary>What to attach to a support ticket, for findings the guide routes to one.</summary>
    public RuleTicket? Ticket { get; init; }

    /// <summary>The other findings of this diagnosis that this one explains (its effects, by rule id), or null when none.</summary>
    public IReadOnlyList<string>? Explains { get; init; }

    /// <summary>The findings of this diagnosis that explain this one (its causes, by rule id), or null when none.</summary>
    public IReadOnlyList<string>? ExplainedBy { get; init; }
}

/// <summary>One line of a finding's proof: where it was read, and what it says.</summary>
public sealed record RuleEvidence(string Source, string Detail);

/// <summary>One thing to do about a finding: what, and the command or snippet that does it (null when none).</summary>
public sealed record RuleRemediation(string Summary, string? Command, string? Snippet);

/// <summary>The facts a support engineer asks for (the guide's ticket table).</summary>
public sealed record RuleTicket(IReadOnlyList<RuleTicketEntry> Entries, IReadOnlyList<RuleTicketNode> CoreDnsNodes);

/// <summary>One failing external name: name, response code and time to the second, and the CoreDNS pod that logged it.</summary>
public sealed record RuleTicketEntry(string Name, string Rcode, string? Time, string? CoreDnsPod);

/// <summary>A node hosting CoreDNS and its cloud instance id (from <c>spec.providerID</c>).</summary>
public sealed record RuleTicketNode(string Node, string? InstanceId);
