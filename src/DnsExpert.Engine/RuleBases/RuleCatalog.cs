using DnsExpert.Core.Contract;
using DnsExpert.Engine.Compilation;

namespace DnsExpert.Engine.RuleBases;

/// <summary>One rule of the loaded knowledge base, as the catalogue shows it.</summary>
public sealed record RuleInfo(string Id, string Title, Severity Severity, string Description, IReadOnlyList<string> Facts, string? Guide, string File);

/// <summary>The loaded knowledge base, for <c>GET /api/v1/rules</c> and <c>dnsexpert rules list</c>.</summary>
public static class RuleCatalog
{
    public static IReadOnlyList<RuleInfo> List(RuleBase ruleBase) =>
        ruleBase.Rules
            .Select(r => new RuleInfo(r.Id, r.Document.Title, r.Document.Severity, r.Document.Description, r.FactTypeNames, r.Document.Guide, r.Document.File))
            .OrderBy(r => r.Id, StringComparer.Ordinal)
            .ToList();
}
