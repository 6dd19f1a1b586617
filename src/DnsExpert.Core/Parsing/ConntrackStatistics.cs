using System.Globalization;

namespace DnsExpert.Core.Parsing;

/// <summary>
/// The counters of <c>conntrack -S</c> that speak to DNS, summed over the CPUs: <c>insert_failed</c> (two packets of one
/// flow raced to insert it: the parallel A/AAAA race), <c>drop</c> (a new entry could not be made: the table was
/// full) and <c>early_drop</c> (entries evicted to make room). Cumulative since boot: they say it happened, not when.
/// </summary>
/// <remarks>
/// Both forms in use: one line per CPU (<c>cpu=0   found=0 invalid=1 insert=0 insert_failed=0 drop=0 early_drop=0
/// error=0 search_restart=3</c>, conntrack-tools 1.4.5 and later, with or without <c>ignore=</c>), and the older table
/// of totals (<c>insert_failed&#9;&#9;0</c> per line, conntrack-tools 1.4.4). Examples kept in
/// <c>tests/fixtures/dns-tools/conntrack-S-*.txt</c> with their sources.
/// </remarks>
public sealed record ConntrackStatistics(long InsertFailed, long Drop, long EarlyDrop, int Cpus)
{
    /// <summary>The counters of <paramref name="text"/>, or null when it holds none of the three.</summary>
    public static ConntrackStatistics? Parse(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        var totals = new Dictionary<string, long>(StringComparer.Ordinal);
        var cpus = 0;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            var fields = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (line.StartsWith("cpu=", StringComparison.Ordinal))
            {
                cpus++;
                foreach (var field in fields)
                {
                    var eq = field.IndexOf('=', StringComparison.Ordinal);
                    if (eq > 0 && Counter(field[(eq + 1)..]) is { } value)
                    {
                        Add(totals, field[..eq], value);
                    }
                }
            }
            else if (fields.Length == 2 && Counter(fields[1]) is { } total)
            {
                // The older table: one total per line.
                Add(totals, fields[0], total);
            }
        }

        if (!totals.ContainsKey("insert_failed") && !totals.ContainsKey("drop") && !totals.ContainsKey("early_drop"))
        {
            return null;
        }

        return new ConntrackStatistics(
            totals.GetValueOrDefault("insert_failed"), totals.GetValueOrDefault("drop"), totals.GetValueOrDefault("early_drop"), cpus);
    }

    private static long? Counter(string text) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;

    private static void Add(Dictionary<string, long> totals, string name, long value) =>
        totals[name] = totals.GetValueOrDefault(name) + value;
}
