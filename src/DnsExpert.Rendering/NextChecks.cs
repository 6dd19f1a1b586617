using DnsExpert.Core.Contract;

namespace DnsExpert.Rendering;

/// <summary>One command to run next and the causes (rule ids) its output tells apart.</summary>
public sealed record NextCheckItem(NextCheck Check, IReadOnlyList<string> RuleIds)
{
    /// <summary>
    /// Each command of the unverified hypotheses once, in their order (the cheap checks first), with every hypothesis
    /// it checks; what every renderer lists under "Next checks".
    /// </summary>
    public static IReadOnlyList<NextCheckItem> From(IReadOnlyList<Hypothesis> hypotheses) => Of(hypotheses, pasted: true);

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
}
