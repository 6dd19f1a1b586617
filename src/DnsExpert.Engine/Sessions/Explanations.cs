using DnsExpert.Engine.Compilation;

namespace DnsExpert.Engine.Sessions;

/// <summary>
/// Applies the rule files' <c>explains:</c> to one diagnosis: a finding that explains another ranks right above it (at
/// least as high as its highest-ranked effect), and each says which fired findings it explains or is explained by.
/// </summary>
internal static class Explanations
{
    /// <summary>The fired rules (id and rank score) in their final order, each with the fired rules it explains and is explained by.</summary>
    public static List<(string Id, List<string> Explains, List<string> ExplainedBy)> Order(RuleBase ruleBase, IReadOnlyList<(string Id, int Score)> ranked)
    {
        var rules = ruleBase.Rules.ToDictionary(r => r.Id, StringComparer.Ordinal);
        var fired = ranked.ToDictionary(x => x.Id, x => x.Score, StringComparer.Ordinal);
        var effects = fired.Keys.ToDictionary(id => id, id => NearestFiredEffects(rules, fired, id), StringComparer.Ordinal);
        var causes = fired.Keys.ToDictionary(id => id, id => fired.Keys.Where(c => effects[c].Contains(id)).Order(StringComparer.Ordinal).ToList(), StringComparer.Ordinal);

        var score = new Dictionary<string, int>(StringComparer.Ordinal);
        var level = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var id in fired.Keys)
        {
            Visit(id);
        }

        return fired.Keys
            .OrderByDescending(id => score[id])
            .ThenByDescending(id => level[id])
            .ThenBy(id => id, StringComparer.Ordinal)
            .Select(id => (id, effects[id], causes[id]))
            .ToList();

        // A cause scores as its best effect and stands one level above it; the loader refuses cycles.
        void Visit(string id)
        {
            if (score.ContainsKey(id))
            {
                return;
            }

            var best = fired[id];
            var depth = 0;
            foreach (var effect in effects[id])
            {
                Visit(effect);
                best = Math.Max(best, score[effect]);
                depth = Math.Max(depth, level[effect] + 1);
            }

            score[id] = best;
            level[id] = depth;
        }
    }

    /// <summary>The fired findings a rule explains, directly or through rules that did not fire this time.</summary>
    private static List<string> NearestFiredEffects(Dictionary<string, CompiledRule> rules, Dictionary<string, int> fired, string id)
    {
        var found = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal) { id };
        var pending = new Stack<string>(Explained(rules, id));
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
            else
            {
                foreach (var further in Explained(rules, next))
                {
                    pending.Push(further);
                }
            }
        }

        found.Sort(StringComparer.Ordinal);
        return found;
    }

    private static IEnumerable<string> Explained(Dictionary<string, CompiledRule> rules, string id) =>
        rules.TryGetValue(id, out var rule) ? rule.Document.Explains.Select(r => r.Id) : [];
}
