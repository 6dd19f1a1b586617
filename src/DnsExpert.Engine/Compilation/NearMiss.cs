namespace DnsExpert.Engine.Compilation;

/// <summary>"Did you mean": the allowed word a misspelt one was most likely meant to be.</summary>
internal static class NearMiss
{
    /// <summary>
    /// The candidate <paramref name="word"/> is closest to, when it is a near miss: the same but for case and separators
    /// (<c>forward_loop</c>, <c>Forward-Loop</c> for <c>forward-loop</c>), else at most two typing mistakes away (one
    /// for short words). Null when nothing is that close.
    /// </summary>
    public static string? Nearest(string word, IEnumerable<string> candidates)
    {
        var list = candidates.ToList();
        var plain = Plain(word);
        if (list.FirstOrDefault(c => Plain(c) == plain) is { } same)
        {
            return same;
        }

        var limit = word.Length <= 4 ? 1 : 2;
        return list
            .Select(c => (Candidate: c, Edits: TypingDistance(word.ToLowerInvariant(), c.ToLowerInvariant())))
            .Where(x => x.Edits <= limit)
            .OrderBy(x => x.Edits)
            .Select(x => x.Candidate)
            .FirstOrDefault();
    }

    private static string Plain(string word) => new(word.Where(char.IsLetterOrDigit).Select(char.ToLowerInvariant).ToArray());

    /// <summary>
    /// Mistakes of typing between two words: a letter left out, added, replaced, or two neighbours swapped
    /// (<c>NXDOMIAN</c> is one from <c>NXDOMAIN</c>), each once per position (optimal string alignment).
    /// </summary>
    internal static int TypingDistance(string typed, string meant)
    {
        var d = new int[typed.Length + 1, meant.Length + 1];
        for (var i = 0; i <= typed.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= meant.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= typed.Length; i++)
        {
            for (var j = 1; j <= meant.Length; j++)
            {
                var replace = typed[i - 1] == meant[j - 1] ? 0 : 1;
                var best = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + replace);
                if (i > 1 && j > 1 && typed[i - 1] == meant[j - 2] && typed[i - 2] == meant[j - 1])
                {
                    best = Math.Min(best, d[i - 2, j - 2] + 1);
                }

                d[i, j] = best;
            }
        }

        return d[typed.Length, meant.Length];
    }
}
