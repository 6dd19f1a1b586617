namespace DnsExpert.Engine.Results;

/// <summary>
/// A cause the guide routes the symptom to (a rule whose <c>routing</c> matches the report), and where the evidence
/// leaves it (<see cref="Hypotheses.HypothesisBuilder"/>). The engine's result: the edge maps it to the contract's.
/// </summary>
public sealed record RuleHypothesis
{
    /// <summary>The rule that proves the cause; a confirmed hypothesis is the finding with this id.</summary>
    public required string RuleId { get; init; }

    public required string Title { get; init; }

    public required RuleHypothesisStatus Status { get; init; }

    /// <summary>Why it has this status: the finding; what the facts that were read showed; or what is missing.</summary>
    public required string Reason { get; init; }

    /// <summary>The fact types the rule reads that the diagnosis did not have (unverified).</summary>
    public IReadOnlyList<string> Missing { get; init; } = [];

    /// <summary>The commands that collect them, cheapest first, and where their output goes.</summary>
    public IReadOnlyList<RuleCheck> Checks { get; init; } = [];
}

/// <summary>Where the evidence leaves a hypothesis.</summary>
public enum RuleHypothesisStatus
{
    /// <summary>The rule fired: see the finding with the same rule id.</summary>
    Confirmed,

    /// <summary>Every fact type the rule reads was there and it did not fire.</summary>
    RuledOut,

    /// <summary>Some fact types it reads are missing: run the checks.</summary>
    Unverified,
}

/// <summary>
/// A command to run (its values shell-quoted; <c>&lt;pod&gt;</c> marks one to fill in), why, and where its output goes
/// in a follow-up request, or, for a command that leaves a file DnsExpert does not read (a packet capture), how to
/// share that file (<see cref="Paste"/> then starts with <see cref="NotPasted"/>).
/// </summary>
public sealed record RuleCheck(string Command, string Why, string Paste)
{
    /// <summary>How <see cref="Paste"/> starts for a check whose result is a file to share, not an output to paste (the wire's too).</summary>
    public const string NotPasted = "not pasted: DnsExpert does not read this file;";

    /// <summary>Its output goes into a follow-up request (not a file to share).</summary>
    public bool Pasted => !Paste.StartsWith(NotPasted, StringComparison.Ordinal);
}

/// <summary>
/// A check to run next, once however many causes it checks, with those causes (rule ids), in the order of what it
/// decides (<see cref="Hypotheses.CheckOrder"/>).
/// </summary>
public sealed record RankedCheck(RuleCheck Check, IReadOnlyList<string> RuleIds);
