using DnsExpert.Engine.Compilation;
using DnsExpert.Engine.Results;
using DnsExpert.Engine.RuleFiles;
using DnsExpert.Facts;

namespace DnsExpert.Engine.Sessions;

/// <summary>
/// How the findings of one diagnosis are ordered: each fired rule gets a score, highest first, and then
/// <see cref="Explanations"/> lifts a cause right above its effects (ties go by rule id). The score adds, from the
/// strongest reason to the weakest:
/// <list type="number">
/// <item>the severity of the strongest case matched, in bands wider than everything below together, so that nothing
/// else moves a finding past another severity;</item>
/// <item>whether the finding rests on a fact about this failure (the target pod, its node, the failing name);</item>
/// <item>the guide's routing: for each of the reported frequency, the error's class and the failing name's kind that
/// the rule file lists, whether the report supports this cause;</item>
/// <item>how many facts had to agree;</item>
/// <item>the rule file's <c>priority</c>, bounded.</item>
/// </list>
/// README.md, "How findings are ordered", says the same for rule authors.
/// </summary>
internal static class FindingRanking
{
    /// <summary>
    /// Points per severity step (info 0, warning 1, critical 2). What a reader must act on comes first; the other parts
    /// together span less than one band (<see cref="Spread"/>), so they only order findings of one severity.
    /// </summary>
    public const int SeverityBand = 1000;

    /// <summary>
    /// A finding that rests on a fact about this failure (<see cref="Fact.ConcernsFailure"/>) is the likelier answer to
    /// "why does this pod fail to resolve this name" than one about the cluster in general. It outweighs one routing
    /// answer but not two: the report's own words still count.
    /// </summary>
    public const int AboutThisFailure = 150;

    /// <summary>The reported symptom is one the rule's <c>routing</c> lists for its cause (the guide's routing tables).</summary>
    public const int RoutingSupported = 100;

    /// <summary>
    /// The reported symptom is known and the rule's routing does not list it: less likely, but routing never hides a
    /// finding, so the penalty is half the support. An unknown or unreported symptom counts neither way.
    /// </summary>
    public const int RoutingContradicted = -50;

    /// <summary>
    /// Per positive pattern of the matched case: a cause that more facts agree on is more specific. Relation facts
    /// (<see cref="RelationFactAttribute"/>: a policy selects a pod) only join two of them and do not count.
    /// </summary>
    public const int PerAgreeingFact = 5;

    /// <summary>Agreeing facts count up to this many (no shipped rule has more patterns; a test says so), to keep the spread under a band.</summary>
    public const int MaxAgreeingFacts = 10;

    /// <summary>
    /// The rule file's <c>priority</c> counts within ±this: an author's nudge between findings that are otherwise
    /// equal, never more than half a routing answer.
    /// </summary>
    public const int MaxPriority = 50;

    /// <summary>The most the parts below severity can differ between two findings: less than <see cref="SeverityBand"/>.</summary>
    public const int Spread =
        AboutThisFailure + (3 * RoutingSupported) + (MaxAgreeingFacts * PerAgreeingFact) + MaxPriority
        - ((3 * RoutingContradicted) - MaxPriority);

    /// <summary>The score of a fired rule from all its matches in this diagnosis.</summary>
    public static int Score(CompiledRule rule, IReadOnlyCollection<FindingFact> matches, ReportedSymptom? symptom, QueriedName? name) =>
        Score(rule.Document, matches.Max(m => m.Case.Severity), AboutFailure(matches), matches.Max(m => m.Case.Specificity), symptom, name);

    /// <summary>The score of a rule whose strongest match has <paramref name="severity"/> and <paramref name="agreeingFacts"/> positive patterns.</summary>
    public static int Score(RuleDocument rule, FindingSeverity severity, bool aboutThisFailure, int agreeingFacts, ReportedSymptom? symptom, QueriedName? name)
    {
        var score = (int)severity * SeverityBand;
        score += aboutThisFailure ? AboutThisFailure : 0;
        score += Routing(rule.Routing.Frequency, symptom?.Frequency);
        score += Routing(rule.Routing.SymptomClass, symptom?.Class);
        score += Routing(rule.Routing.NameKind, name?.Kind);
        score += Math.Min(agreeingFacts, MaxAgreeingFacts) * PerAgreeingFact;
        score += Math.Clamp(rule.Priority, -MaxPriority, MaxPriority);
        return score;
    }

    /// <summary>Does any match rest on a fact about the target pod or the failing name itself?</summary>
    private static bool AboutFailure(IEnumerable<FindingFact> matches) =>
        matches.Any(m => m.Facts.Any(f => f is Fact { ConcernsFailure: true }));

    private static int Routing(IReadOnlyList<string> supported, string? observed)
    {
        // A frequency or error class of "unknown" was not reported: it supports nothing and contradicts nothing.
        if (supported.Count == 0 || observed is null or SymptomClasses.Unknown)
        {
            return 0;
        }

        return supported.Contains(observed, StringComparer.Ordinal) ? RoutingSupported : RoutingContradicted;
    }
}
