using System.Globalization;
using DnsExpert.Text;

namespace DnsExpert.Readers.Parsing;

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
    /// <remarks>
    /// Only the three counters are kept, whatever other names the text holds, and sums saturate at
    /// <see cref="long.MaxValue"/>: a counter the kernel wrapped, or a pasted figure past 64 bits, still says it happened.
    /// </remarks>
    public static ConntrackStatistics? Parse(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        long? insertFailed = null, drop = null, earlyDrop = null;
        void Add(ReadOnlySpan<char> name, ReadOnlySpan<char> value)
        {
            if (Counter(value) is not { } n)
            {
                return;
            }

            switch (name)
            {
                case "insert_failed": insertFailed = Saturating(insertFailed, n); break;
                case "drop": drop = Saturating(drop, n); break;
                case "early_drop": earlyDrop = Saturating(earlyDrop, n); break;
            }
        }

        var cpus = 0;
        foreach (var raw in TextLines.Of(text))
        {
            var line = raw.Trim();
            var fields = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (line.StartsWith("cpu=", StringComparison.Ordinal))
            {
                cpus++;
                foreach (var field in fields)
                {
                    var eq = field.IndexOf('=', StringComparison.Ordinal);
                    if (eq > 0)
                    {
                        Add(field.AsSpan(0, eq), field.AsSpan(eq + 1));
                    }
                }
            }
            else if (fields.Length == 2)
            {
                // The older table: one total per line.
                Add(fields[0], fields[1]);
            }
        }

        return insertFailed is null && drop is null && earlyDrop is null
            ? null
            : new ConntrackStatistics(insertFailed ?? 0, drop ?? 0, earlyDrop ?? 0, cpus);
    }

    /// <summary>A counter as printed (unsigned), at most <see cref="long.MaxValue"/>; null when it is no number.</summary>
    private static long? Counter(ReadOnlySpan<char> text) =>
        ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? (long)Math.Min(value, long.MaxValue)
        : text.Length > 0 && text.ContainsAnyExceptInRange('0', '9') is false ? long.MaxValue // past 64 bits
        : null;

    private static long Saturating(long? sum, long value) => sum is not { } s ? value : s > long.MaxValue - value ? long.MaxValue : s + value;
}
