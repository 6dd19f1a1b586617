using DnsExpert.Contract;

namespace DnsExpert.Rendering;

/// <summary>One command to run next and the causes (rule ids) its output tells apart.</summary>
public sealed record NextCheckItem(NextCheck Check, IReadOnlyList<string> RuleIds)
{
    /// <summary>
    /// The checks a chat answer shows: the first ones of <see cref="From(DiagnosisResponse)"/>, which the engine ordered by what they
    /// decide; the rest are behind the <c>checks</c> link.
    /// </summary>
    public const int Shown = 3;

    /// <summary>Rule ids named beside a check in a chat answer; the rest are counted.</summary>
    public const int RuleIdsShown = 4;

    /// <summary>
    /// Each command of the unverified hypotheses once, in their order (the cheap checks first), with every hypothesis
    /// it checks; what every renderer lists under "Next checks".
    /// </summary>
    public static IReadOnlyList<NextCheckItem> From(IReadOnlyList<Hypothesis> hypotheses) => Of(hypotheses, pasted: true);

    /// <summary>
    /// The answer's next checks in the order the engine gave them (<see cref="DiagnosisResponse.NextChecks"/>: what
    /// decides the most first); for an answer kept before it had them, each command of the hypotheses once.
    /// </summary>
    public static IReadOnlyList<NextCheckItem> From(DiagnosisResponse response) =>
        response.NextChecks.Count > 0
            ? response.NextChecks.Select(c => new NextCheckItem(c.Check, c.RuleIds)).ToList()
            : From(response.Hypotheses);

    /// <summary>
    /// The checks whose result is a file to share, not an output to paste (a packet capture, the last resort): listed
    /// after the next checks with how to share the file.
    /// </summary>
    public static IReadOnlyList<NextCheckItem> Shared(IReadOnlyList<Hypothesis> hypotheses) => Of(hypotheses, pasted: false);

    private static List<NextCheckItem> Of(IReadOnlyList<Hypothesis> hypotheses, bool pasted) =>
        hypotheses
            .Where(h => h.Status == HypothesisStatus.Unverified)
            .SelectMany(h => h.Checks.Where(c => c.Pasted == pasted).Select(c => (Check: c, h.RuleId)))
            .GroupBy(x => x.Check.Command, StringComparer.Ordinal)
            .Select(g => new NextCheckItem(g.First().Check, g.Select(x => x.RuleId).Distinct(StringComparer.Ordinal).ToList()))
            .ToList();

    /// <summary>
    /// Whether the evidence decided anything: a finding, or a cause confirmed, ruled out or partly checked. When it
    /// decided nothing (an error message alone), an answer speaks of the checks that tell the causes apart, not of
    /// evidence.
    /// </summary>
    public static bool EvidenceDecided(DiagnosisResponse response) =>
        response.Findings.Count > 0
        || response.Hypotheses.Any(h => h.Status != HypothesisStatus.Unverified || h.Reason.StartsWith(PartlyChecked, StringComparison.Ordinal));

    /// <summary>How the engine starts the reason of a hypothesis some of whose proofs were read and did not match.</summary>
    private const string PartlyChecked = "partly checked:";
}
