using DnsExpert.Core.Contract;
using DnsExpert.Engine.RuleFiles;
using NRules.RuleModel;

namespace DnsExpert.Engine.Compilation;

/// <summary>A rule ready to run: its NRules definition and its compiled finding templates.</summary>
public sealed class CompiledRule
{
    internal CompiledRule(RuleDocument document, IReadOnlyList<string> factTypes)
    {
        Document = document;
        FactTypeNames = factTypes;
    }

    public RuleDocument Document { get; }
    public string Id => Document.Id;
    public string SeverityName => Document.Severity switch
    {
        Severity.Critical => "critical",
        Severity.Warning => "warning",
        _ => "info",
    };

    /// <summary>The fact types the rule reads (for the catalogue).</summary>
    public IReadOnlyList<string> FactTypeNames { get; }

    /// <summary>Number of positive patterns: a rule that needs more facts to agree is more specific.</summary>
    public int Specificity { get; internal set; }

    internal IRuleDefinition Definition { get; set; } = null!;
    internal CompiledTemplate Cause { get; set; } = null!;
    internal IReadOnlyList<(CompiledTemplate Source, CompiledTemplate Detail)> Evidence { get; set; } = [];
    internal IReadOnlyList<(CompiledTemplate Summary, CompiledTemplate? Command, CompiledTemplate? Snippet)> Remediation { get; set; } = [];
    internal (CompiledTemplate Name, CompiledTemplate Rcode, CompiledTemplate? Time, CompiledTemplate? Pod)? Ticket { get; set; }
}
