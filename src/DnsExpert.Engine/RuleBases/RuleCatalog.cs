using DnsExpert.Engine.Compilation;
using DnsExpert.Engine.Results;
using DnsExpert.Engine.RuleFiles;

namespace DnsExpert.Engine.RuleBases;

/// <summary>
/// One rule of the loaded knowledge base, as the catalogue shows it: its id, title, severity, description, the fact
/// types it reads, its guide section, its file, and the symptoms the guide routes to it.
/// </summary>
public sealed record RuleCatalogEntry(
    string Id, string Title, FindingSeverity Severity, string Description, IReadOnlyList<string> Facts, string? Guide, string File, RuleRouting Routing);

/// <summary>The loaded knowledge base, for <c>GET /api/v1/rules</c> and <c>dnsexpert rules list</c>.</summary>
public static class RuleCatalog
{
    public static IReadOnlyList<RuleCatalogEntry> List(RuleBase ruleBase) =>
        ruleBase.Rules
            .Select(r => new RuleCatalogEntry(r.Id, r.Document.Title, r.Document.Severity, r.Document.Description, r.FactTypeNames, r.Document.Guide, r.Document.File, r.Document.Routing))
            .OrderBy(r => r.Id, StringComparer.Ordinal)
            .ToList();
}
