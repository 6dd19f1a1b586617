namespace DnsExpert.Rendering;

/// <summary>
/// How a message with a size limit (Teams, Jira) is cut to fit: each way of rendering in turn (shorter texts, fewer
/// checks), first with every finding (the usual case: it fits, rendered once), then with the most findings that fit,
/// found by a binary search over how many are shown (the size grows with them); the last resort when none fits.
/// </summary>
internal static class Fitting
{
    public static T MostFindingsThatFit<T>(int findings, IEnumerable<Func<int, T>> ways, Func<T, bool> fits, Func<T> lastResort)
    {
        foreach (var render in ways)
        {
            var whole = render(findings);
            if (fits(whole))
            {
                return whole;
            }

            if (!fits(render(0)))
            {
                continue;
            }

            int low = 0, high = findings - 1;
            while (low < high)
            {
                var mid = (low + high + 1) / 2;
                (low, high) = fits(render(mid)) ? (mid, high) : (low, mid - 1);
            }

            return render(low);
        }

        return lastResort();
    }
}
