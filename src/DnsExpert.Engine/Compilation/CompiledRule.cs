using DnsExpert.Engine.Results;
using DnsExpert.Engine.RuleFiles;

namespace DnsExpert.Engine.Compilation;

/// <summary>A rule ready to run: one compiled case per alternative proof, all reporting under the rule's id.</summary>
public sealed class CompiledRule
{
    internal CompiledRule(RuleDocument document, IReadOnlyList<string> factTypes, IReadOnlyList<CompiledCase> cases)
    {
        Document = document;
        FactTypeNames = factTypes;
        Cases = cases;
    }

    public RuleDocument Document { get; }
    public string Id => Document.Id;
    public string SeverityName => NameOf(Document.Severity);

    internal static string NameOf(FindingSeverity severity) => severity switch
    {
        FindingSeverity.Critical => FindingSeverities.Critical,
        FindingSeverity.Warning => FindingSeverities.Warning,
        _ => FindingSeverities.Info,
    };

    /// <summary>The fact types the rule reads (for the catalogue).</summary>
    public IReadOnlyList<string> FactTypeNames { get; }

    internal IReadOnlyList<CompiledCase> Cases { get; }

    /// <summary>The rule's <c>collect:</c> commands, compiled over <see cref="Commands.KnownValues"/>.</summary>
    internal IReadOnlyList<CompiledCheck> Checks { get; init; } = [];
}

/// <summary>A <c>collect:</c> entry: its command over <c>known</c> (values shell-quoted), why, cost and the facts it gives.</summary>
internal sealed record CompiledCheck(CompiledTemplate Command, string Why, int Cost, IReadOnlyList<string> Facts)
{
    /// <summary>Where a command that is no kubectl command runs: <c>node</c>, <c>coredns-node</c>, or null.</summary>
    public string? On { get; init; }

    /// <summary>The tool of the pod's image the command needs (<c>dig</c>), and the command given when the image lacks it.</summary>
    public (string Tool, CompiledTemplate Command)? Otherwise { get; init; }

    /// <summary>How to share the file the command leaves (a capture); its output is not pasted.</summary>
    public string? Share { get; init; }
}

/// <summary>One case of a rule: its NRules definition and its templates, compiled over the case's named patterns.</summary>
internal sealed class CompiledCase
{
    public required int Index { get; init; }

    /// <summary>The case's own severity, else the rule's.</summary>
    public required FindingSeverity Severity { get; init; }

    /// <summary>
    /// Whether this proof is as strong as the rule's: a case that lowers the rule's severity is the rule files' way of
    /// saying its proof is weaker (a static reading where another case sees the failure happen).
    /// </summary>
    public required bool FullStrength { get; init; }

    /// <summary>The rules this proof explains: the case's <c>explains:</c>, else the rule's.</summary>
    public required IReadOnlyList<string> Explains { get; init; }

    /// <summary>Number of positive patterns: a case that needs more facts to agree is more specific.</summary>
    public required int Specificity { get; init; }

    /// <summary>
    /// <c>Type.Property</c> of each <see cref="Facts.UnknownWhenNullAttribute"/> property its matched and
    /// <c>exists</c> patterns test: while every fact of the type has it null, the case cannot be checked.
    /// </summary>
    public IReadOnlyList<string> UnknownWhenNull { get; init; } = [];

    /// <summary>Its matched and <c>exists</c> patterns, each with its single-fact tests (<see cref="CompiledPattern"/>).</summary>
    public IReadOnlyList<CompiledPattern> Patterns { get; init; } = [];

    public NRules.RuleModel.IRuleDefinition Definition { get; set; } = null!;
    public required CompiledTemplate Cause { get; init; }
    public required IReadOnlyList<(CompiledTemplate Source, CompiledTemplate Detail)> Evidence { get; init; }
    public required IReadOnlyList<CompiledRemediation> Remediation { get; init; }
    public (CompiledTemplate Name, CompiledTemplate Rcode, CompiledTemplate? Time, CompiledTemplate? Pod)? Ticket { get; init; }
}

/// <summary>
/// A matched or <c>exists</c> pattern of a case, for the hypotheses: the tests of its conditions that read its own fact
/// alone (each <c>&amp;&amp;</c> operand; joins with other patterns are left to the session), and those of them that say
/// what a <see cref="Facts.MeasurementFactAttribute"/> fact measured (<see cref="Identity"/>: no
/// <see cref="Facts.OutcomeAttribute"/> property read). A fact that passes <see cref="Tests"/> could match the
/// pattern; one that passes <see cref="Identity"/> is the measurement the pattern asks about, whatever it found.
/// </summary>
internal sealed record CompiledPattern(string FactType, IReadOnlyList<Func<object, bool>> Tests, IReadOnlyList<Func<object, bool>> Identity, IReadOnlyList<string> UnknownWhenNull)
{
    /// <summary>Could <paramref name="fact"/> match the pattern (as far as its own fact tells)?</summary>
    public bool Passes(object fact) => All(Tests, fact);

    /// <summary>Beside each of <see cref="Tests"/>: whether a fact leaves it undecided (an unknown property it reads is null), or null.</summary>
    public IReadOnlyList<Func<object, bool>?> Unknown { get; init; } = [];

    /// <summary>
    /// Does <paramref name="fact"/> pass the tests it decides, at least one, leaving the others undecided (an Alpine pod
    /// before NodeLocal DNSCache is known: what is known of it already points at the pattern)?
    /// </summary>
    public bool PassesSoFar(object fact)
    {
        var passed = 0;
        for (var i = 0; i < Tests.Count; i++)
        {
            if (Holds(Tests[i], fact))
            {
                passed++;
            }
            else if (i >= Unknown.Count || Unknown[i] is not { } unknown || !Holds(unknown, fact))
            {
                return false;
            }
        }

        return passed > 0;
    }

    /// <summary>Does <paramref name="fact"/> measure what the pattern asks about?</summary>
    public bool Measures(object fact) => All(Identity, fact);

    private static bool All(IReadOnlyList<Func<object, bool>> tests, object fact)
    {
        foreach (var test in tests)
        {
            if (!Holds(test, fact))
            {
                return false;
            }
        }

        return true;
    }

    private static bool Holds(Func<object, bool> test, object fact)
    {
        try
        {
            return test(fact);
        }
        catch (Exception ex) when (ex is NullReferenceException or InvalidOperationException or InvalidCastException or ArgumentException or FormatException or OverflowException)
        {
            // The session would not match it either: an expression that throws on a fact is no match.
            return false;
        }
    }
}

/// <summary>A remediation entry, given only when its guard (if any) holds for the matched facts.</summary>
internal sealed record CompiledRemediation(CompiledTemplate Summary, CompiledTemplate? Command, CompiledTemplate? Snippet, Func<object[], bool>? When);
