using DnsExpert.Contract;
using DnsExpert.Engine.Compilation;

namespace DnsExpert.Engine.RuleBases;

/// <summary>One rule of the loaded knowledge base, as the catalogue shows it.</summary>
public sealed record RuleInfo(string Id, string Title, Severity Severity, string Description, IReadOnlyList<string> Facts, string? Guide, string File)
{
    /// <summary>The symptoms the guide routes to this cause (empty lists: any), and the rows of its table that list it.</summary>
    public RuleRoutingInfo Routing { get; init; } = RuleRoutingInfo.Any;
}

/// <summary>A rule's routing: the frequencies, name kinds and error classes it is a cause for; <c>listedUnder</c> orders the hypotheses.</summary>
public sealed record RuleRoutingInfo(IReadOnlyList<string> Frequency, IReadOnlyList<string> NameKind, IReadOnlyList<string> SymptomClass, IReadOnlyList<string> ListedUnder)
{
    public static RuleRoutingInfo Any { get; } = new([], [], [], []);
}

/// <summary>The loaded knowledge base, for <c>GET /api/v1/rules</c> and <c>dnsexpert rules list</c>.</summary>
public static class RuleCatalog
{
    public static IReadOnlyList<RuleInfo> List(RuleBase ruleBase) =>
        ruleBase.Rules
            .Select(r => new RuleInfo(r.Id, r.Document.Title, (Severity)r.Document.Severity, r.Document.Description, r.FactTypeNames, r.Document.Guide, r.Document.File)
            {
                Routing = new RuleRoutingInfo(r.Document.Routing.Frequency, r.Document.Routing.NameKind, r.Document.Routing.SymptomClass, r.Document.Routing.ListedUnder),
            })
            .OrderBy(r => r.Id, StringComparer.Ordinal)
            .ToList();
}
