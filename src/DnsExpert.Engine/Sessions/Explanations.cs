using DnsExpert.Engine.Compilation;
using DnsExpert.Engine.Results;

namespace DnsExpert.Engine.Sessions;

/// <summary>
/// Applies the rule files' <c>explains:</c> to one diagnosis: a finding that explains another is its cause, the other
/// its effect. Only the matched cases count: a case may say its own <c>explains:</c> (a Corefile refused on reload
/// explains no crash), and a rule that did not fire passes on what any of its cases explains (a cause explains, through
/// it, what it would have explained). The policy, for the person on call (cause first, its effects under it):
/// <list type="number">
/// <item><b>Order.</b> A cause ranks right above its highest-ranked effect (it scores as its best effect, one level
/// above it), and each finding lists the fired findings it explains and is explained by.</item>
/// <item><b>The cause is lifted.</b> A cause carries the highest severity of what it explains, directly or through
/// other causes: a warning that stops CoreDNS is as critical as the outage it causes. This holds however strong its
/// proof is, since whoever acts on it acts on the outage.</item>
/// <item><b>The effect is demoted only by proof at least as strong.</b> A proof is <i>full</i> when its case keeps the
/// rule's severity and <i>weaker</i> when the case lowers it (the rule files' way of saying a static reading where
/// another case sees the failure happen). An effect is capped at warning (it is shown as an effect, not as a competing
/// critical) when a cause explains it through a full proof, or when its own strongest proof is a weaker one too. A
/// weaker proof of a cause never demotes an effect that full proof shows: both stay, the cause listed above it.</item>
/// </list>
/// A cause absorbs an effect only where they share a subject (<see cref="FindingSubjects"/>): a match of the cause
/// explains the effect when some match of the effect concerns the same CoreDNS pod (else the same node), or when
/// either concerns none; a Corefile error in one pod's log does not explain another pod's crash.
/// A rule whose weak proof should not even be listed as the cause (an unconfirmed loop stub next to a crash that may
/// have another reason) says <c>explains: []</c> on that case.
/// </summary>
internal static class Explanations
{
    /// <summary>A fired rule in its final place: what it explains and is explained by, and its severity once explained.</summary>
    public sealed record Placed(string Id, List<string> Explains, List<string> ExplainedBy, FindingSeverity Severity);

    /// <summary>The fired rules (id, rank score and matches) in their final order, with their explanations and severities.</summary>
    public static List<Placed> Order(RuleBase ruleBase, IReadOnlyList<(string Id, int Score, IReadOnlyList<FindingFact> Matches)> ranked)
    {
        var rules = ruleBase.ById;
        var fired = ranked.ToDictionary(x => x.Id, x => x.Score, StringComparer.Ordinal);
        var matches = ranked.ToDictionary(x => x.Id, x => x.Matches, StringComparer.Ordinal);

        // The fired effects that the matches of cause `id` (those `which` keeps) explain and share a subject with.
        HashSet<string> Absorbed(string id, Func<FindingFact, bool> which) => matches[id].Where(which)
            .SelectMany(m => NearestFiredEffects(rules, fired, m.Case.Explains)
                .Where(effect => matches[effect].Any(n => FindingSubjects.Share(FindingSubjects.Of(m), FindingSubjects.Of(n)))))
            .ToHashSet(StringComparer.Ordinal);

        // Each fired cause's fired effects, each with whether a full proof of the cause explains it.
        var effects = fired.Keys.ToDictionary(
            id => id,
            id =>
            {
                var all = Absorbed(id, _ => true);
                var full = Absorbed(id, m => m.Case.FullStrength);
                return all.ToDictionary(e => e, full.Contains, StringComparer.Ordinal);
            },
            StringComparer.Ordinal);
        var causes = fired.Keys.ToDictionary(id => id, id => fired.Keys.Where(c => effects[c].ContainsKey(id)).Order(StringComparer.Ordinal).ToList(), StringComparer.Ordinal);

        var score = new Dictionary<string, int>(StringComparer.Ordinal);
        var level = new Dictionary<string, int>(StringComparer.Ordinal);
        var lifted = new Dictionary<string, FindingSeverity>(StringComparer.Ordinal);
        foreach (var id in fired.Keys)
        {
            Visit(id);
        }

        return fired.Keys
            .OrderByDescending(id => score[id])
            .ThenByDescending(id => level[id])
            .ThenBy(id => id, StringComparer.Ordinal)
            .Select(id => new Placed(id, effects[id].Keys.Order(StringComparer.Ordinal).ToList(), causes[id], Severity(id)))
            .ToList();

        // A cause scores as its best effect, stands one level above it and carries its highest severity; the loader
        // refuses cycles, so this ends.
        void Visit(string id)
        {
            if (score.ContainsKey(id))
            {
                return;
            }

            var best = fired[id];
            var depth = 0;
            var severity = matches[id].Max(m => m.Case.Severity);
            foreach (var effect in effects[id].Keys)
            {
                Visit(effect);
                best = Math.Max(best, score[effect]);
                depth = Math.Max(depth, level[effect] + 1);
                severity = (FindingSeverity)Math.Max((int)severity, (int)lifted[effect]);
            }

            score[id] = best;
            level[id] = depth;
            lifted[id] = severity;
        }

        FindingSeverity Severity(string id)
        {
            var fullProof = matches[id].Any(m => m.Case.FullStrength);
            var demoted = causes[id].Any(c => effects[c][id] || !fullProof);
            return demoted && lifted[id] > FindingSeverity.Warning ? FindingSeverity.Warning : lifted[id];
        }
    }

    /// <summary>
    /// The fired findings that <paramref name="explained"/> (what a fired rule's matched cases explain) reach, directly
    /// or through rules that did not fire this time (through what any of their cases explains).
    /// </summary>
    private static HashSet<string> NearestFiredEffects(IReadOnlyDictionary<string, CompiledRule> rules, Dictionary<string, int> fired, IEnumerable<string> explained)
    {
        var found = new HashSet<string>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>(explained);
        while (pending.TryPop(out var next))
        {
            if (!seen.Add(next))
            {
                continue;
            }

            if (fired.ContainsKey(next))
            {
                found.Add(next);
            }
            else if (rules.TryGetValue(next, out var rule))
            {
                foreach (var further in rule.Document.AnyCaseExplains)
                {
                    pending.Push(further.Id);
                }
            }
        }

        return found;
    }
}
