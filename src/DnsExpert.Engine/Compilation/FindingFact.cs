using DnsExpert.Engine.RuleFiles;
using DnsExpert.Facts;

namespace DnsExpert.Engine.Compilation;

/// <summary>
/// A rule's match, inserted into the session by the rule's action. Rules can match it under the name
/// <c>Finding</c> (for example, <c>packet-capture-recommended</c> fires only when no other finding explains the failure).
/// </summary>
[FactDescription("A finding produced by another rule in the same session: rule id, severity, whether it explains the failure.")]
public sealed class FindingFact
{
    public const string FactTypeName = "Finding";

    internal FindingFact(CompiledRule rule, CompiledCase matchedCase, object[] facts)
    {
        Rule = rule;
        Case = matchedCase;
        Facts = facts;
    }

    public string RuleId => Rule.Id;

    /// <summary><c>critical</c>, <c>warning</c> or <c>info</c>: the matched case's.</summary>
    [OneOf(typeof(FindingSeverities))]
    public string Severity => CompiledRule.NameOf(Case.Severity);

    public bool ExplainsFailure => Rule.Document.ExplainsFailure;

    internal CompiledRule Rule { get; }

    internal CompiledCase Case { get; }

    /// <summary>The matched facts, in the order of the case's named patterns.</summary>
    internal object[] Facts { get; }
}
