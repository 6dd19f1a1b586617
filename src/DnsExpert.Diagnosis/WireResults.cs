using DnsExpert.Contract;
using DnsExpert.Engine.Results;
using DnsExpert.Engine.RuleBases;

namespace DnsExpert.Diagnosis;

/// <summary>
/// The engine's results (<see cref="DnsExpert.Engine.Results"/>: plain records) as the wire contract says them: the one
/// place where a <see cref="RuleFinding"/> becomes a <see cref="Finding"/>, a <see cref="RuleHypothesis"/> a
/// <see cref="Hypothesis"/> and a <see cref="RuleCatalogEntry"/> a <see cref="RuleInfo"/>. Each list is copied once into an
/// array of its size; strings and rule-id lists are shared.
/// </summary>
public static class WireResults
{
    /// <summary>The findings, in the engine's order.</summary>
    public static IReadOnlyList<Finding> Findings(IReadOnlyList<RuleFinding> findings) => Map(findings, Finding);

    public static Finding Finding(RuleFinding finding) => new()
    {
        RuleId = finding.RuleId,
        Severity = Severity(finding.Severity),
        Title = finding.Title,
        Cause = finding.Cause,
        Evidence = Map(finding.Evidence, static e => new Evidence(e.Source, e.Detail)),
        Remediation = Map(finding.Remediation, static r => new Remediation { Summary = r.Summary, Command = r.Command, Snippet = r.Snippet }),
        Ticket = finding.Ticket is { } ticket ? Ticket(ticket) : null,
        Explains = finding.Explains,
        ExplainedBy = finding.ExplainedBy,
    };

    public static Severity Severity(FindingSeverity severity) => severity switch
    {
        FindingSeverity.Critical => Contract.Severity.Critical,
        FindingSeverity.Warning => Contract.Severity.Warning,
        _ => Contract.Severity.Info,
    };

    /// <summary>The hypotheses, in the engine's order.</summary>
    public static IReadOnlyList<Hypothesis> Hypotheses(IReadOnlyList<RuleHypothesis> hypotheses) => Map(hypotheses, static h => new Hypothesis
    {
        RuleId = h.RuleId,
        Title = h.Title,
        Status = h.Status switch
        {
            RuleHypothesisStatus.Confirmed => HypothesisStatus.Confirmed,
            RuleHypothesisStatus.RuledOut => HypothesisStatus.RuledOut,
            _ => HypothesisStatus.Unverified,
        },
        Reason = h.Reason,
        Missing = h.Missing,
        Checks = Map(h.Checks, Check),
    });

    /// <summary>The next checks, in the order of what they decide.</summary>
    public static IReadOnlyList<SuggestedCheck> NextChecks(IReadOnlyList<RankedCheck> checks) =>
        Map(checks, static c => new SuggestedCheck(c.Check.Command, c.Check.Why, c.Check.Paste, c.RuleIds));

    /// <summary>The rule catalogue (<c>GET /api/v1/rules</c>), in the engine's order.</summary>
    public static IReadOnlyList<RuleInfo> Rules(IReadOnlyList<RuleCatalogEntry> rules) => Map(rules, Rule);

    public static RuleInfo Rule(RuleCatalogEntry rule) =>
        new(rule.Id, rule.Title, Severity(rule.Severity), rule.Description, rule.Facts, rule.Guide, rule.File)
        {
            Routing = new RuleRoutingInfo(rule.Routing.Frequency, rule.Routing.NameKind, rule.Routing.SymptomClass, rule.Routing.ListedUnder),
        };

    private static NextCheck Check(RuleCheck check) => new(check.Command, check.Why, check.Paste);

    private static TicketPayload Ticket(RuleTicket ticket) => new()
    {
        Entries = Map(ticket.Entries, static e => new TicketEntry(e.Name, e.Rcode, e.Time, e.CoreDnsPod)),
        CoreDnsNodes = Map(ticket.CoreDnsNodes, static n => new TicketNode(n.Node, n.InstanceId)),
    };

    /// <summary>One array of the list's size, each item mapped in order.</summary>
    private static TTo[] Map<TFrom, TTo>(IReadOnlyList<TFrom> items, Func<TFrom, TTo> map)
    {
        if (items.Count == 0)
        {
            return [];
        }

        var mapped = new TTo[items.Count];
        for (var i = 0; i < mapped.Length; i++)
        {
            mapped[i] = map(items[i]);
        }

        return mapped;
    }
}
