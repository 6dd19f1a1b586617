using System.Globalization;
using System.Text;

namespace DnsExpert.Readers.Parsing;

/// <summary>One sample of a Prometheus text exposition: <c>name{label="value",...} value [timestamp]</c>.</summary>
/// <param name="Name">The metric name (a histogram's <c>_bucket</c>, <c>_sum</c> and <c>_count</c> each their own).</param>
/// <param name="Labels">The labels in the order written, values unescaped.</param>
/// <param name="Value">The value; NaN, +Inf and -Inf as written.</param>
/// <param name="TimestampMs">The optional timestamp, milliseconds since the epoch.</param>
/// <param name="Line">The line the sample is on (1-based).</param>
public sealed record MetricSample(string Name, IReadOnlyList<KeyValuePair<string, string>> Labels, double Value, long? TimestampMs, int Line)
{
    /// <summary>The value of label <paramref name="name"/>, or null when the sample has none.</summary>
    public string? Label(string name)
    {
        foreach (var (key, value) in Labels)
        {
            if (key == name)
            {
                return value;
            }
        }

        return null;
    }
}

/// <summary>What a Prometheus text exposition held: its samples, the types its <c># TYPE</c> lines declare, and what was not read.</summary>
/// <param name="Samples">The samples, in order, at most <see cref="PrometheusText.MaxSamples"/>.</param>
/// <param name="Types">The type of each metric family a <c># TYPE</c> line names (<c>counter</c>, <c>gauge</c>, <c>histogram</c>, ...).</param>
/// <param name="BadLines">Lines that were neither a comment, blank, nor a well-formed sample.</param>
/// <param name="FirstBadLine">The first such line's number, when any.</param>
/// <param name="Truncated">The line or sample cap stopped the reading.</param>
public sealed record MetricExposition(
    IReadOnlyList<MetricSample> Samples, IReadOnlyDictionary<string, string> Types, int BadLines, int? FirstBadLine, bool Truncated)
{
    /// <summary>The samples of metric <paramref name="name"/>.</summary>
    public IEnumerable<MetricSample> Of(string name) => Samples.Where(s => s.Name == name);

    /// <summary>Whether any sample of <paramref name="name"/> is there (a missing series is not available, never zero).</summary>
    public bool Has(string name) => Samples.Any(s => s.Name == name);
}

/// <summary>
/// A reader of the Prometheus text exposition format 0.0.4, what <c>curl :9153/metrics</c> prints: <c># HELP</c> and
/// <c># TYPE</c> lines, samples with escaped label values (<c>\\</c>, <c>\"</c>, <c>\n</c>), NaN and infinities, an
/// optional timestamp, blank lines. Hand-written and linear: each character is looked at a bounded number of times,
/// no regular expression; a line cap and a sample cap bound a hostile paste, and it never throws (a line it cannot
/// read is counted, not fatal).
/// </summary>
public static class PrometheusText
{
    /// <summary>Lines read at most.</summary>
    public const int MaxLines = 200_000;

    /// <summary>Samples kept at most (a CoreDNS exposition holds a few thousand).</summary>
    public const int MaxSamples = 50_000;

    /// <summary>Characters of one line read at most; a longer line is counted as bad.</summary>
    public const int MaxLineLength = 16_384;

    /// <summary>Labels of one sample at most.</summary>
    public const int MaxLabels = 64;

    /// <summary>The exposition in <paramref name="text"/> (empty for null).</summary>
    public static MetricExposition Parse(string? text)
    {
        var samples = new List<MetricSample>();
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        var (bad, lineNumber, truncated) = (0, 0, false);
        int? firstBad = null;
        var start = 0;
        text ??= "";
        while (start < text.Length)
        {
            if (lineNumber >= MaxLines || samples.Count >= MaxSamples)
            {
                truncated = true;
                break;
            }

            var end = text.IndexOf('\n', start);
            end = end < 0 ? text.Length : end;
            var line = text.AsSpan(start, end - start).TrimEnd('\r');
            start = end + 1;
            lineNumber++;
            line = line.Trim([' ', '\t']);
            if (line.IsEmpty)
            {
                continue;
            }

            if (line[0] == '#')
            {
                ReadComment(line, types);
                continue;
            }

            if (line.Length <= MaxLineLength && ReadSample(line, lineNumber) is { } sample)
            {
                samples.Add(sample);
            }
            else
            {
                bad++;
                firstBad ??= lineNumber;
            }
        }

        return new MetricExposition(samples, types, bad, firstBad, truncated);
    }

    /// <summary>
    /// Text that looks like an exposition: a <c># TYPE</c> or <c># HELP</c> line, or a first line that is a sample (a
    /// scrape filtered with <c>grep</c> keeps only samples).
    /// </summary>
    public static bool LooksLikeExposition(string text)
    {
        if (text.StartsWith("# HELP ", StringComparison.Ordinal) || text.StartsWith("# TYPE ", StringComparison.Ordinal)
            || text.Contains("\n# TYPE ", StringComparison.Ordinal))
        {
            return true;
        }

        var first = text.AsSpan().TrimStart();
        var end = first.IndexOf('\n');
        first = (end < 0 ? first : first[..end]).TrimEnd();
        return !first.IsEmpty && first.Length <= MaxLineLength && ReadSample(first, 1) is not null;
    }

    /// <summary><c># TYPE name type</c> is kept; <c># HELP</c> and any other comment are skipped.</summary>
    private static void ReadComment(ReadOnlySpan<char> line, Dictionary<string, string> types)
    {
        var rest = line[1..].TrimStart([' ', '\t']);
        if (!rest.StartsWith("TYPE", StringComparison.Ordinal) || rest.Length < 5 || rest[4] is not (' ' or '\t'))
        {
            return;
        }

        rest = rest[4..].TrimStart([' ', '\t']);
        var nameEnd = rest.IndexOfAny(' ', '\t');
        if (nameEnd <= 0 || !IsMetricName(rest[..nameEnd]) || types.Count >= MaxSamples)
        {
            return;
        }

        types[rest[..nameEnd].ToString()] = rest[nameEnd..].Trim([' ', '\t']).ToString();
    }

    /// <summary>A sample line, or null when it is not well formed.</summary>
    private static MetricSample? ReadSample(ReadOnlySpan<char> line, int lineNumber)
    {
        var i = 0;
        while (i < line.Length && IsNameChar(line[i], i == 0))
        {
            i++;
        }

        if (i == 0)
        {
            return null;
        }

        var name = line[..i].ToString();
        var labels = new List<KeyValuePair<string, string>>();
        if (i < line.Length && line[i] == '{')
        {
            i++;
            if (!ReadLabels(line, ref i, labels))
            {
                return null;
            }
        }

        // The value, then an optional timestamp, separated by blanks.
        var rest = line[i..];
        if (rest.IsEmpty || rest[0] is not (' ' or '\t'))
        {
            return null;
        }

        rest = rest.TrimStart([' ', '\t']);
        var valueEnd = rest.IndexOfAny(' ', '\t');
        var valueText = valueEnd < 0 ? rest : rest[..valueEnd];
        if (ParseValue(valueText) is not { } value)
        {
            return null;
        }

        long? timestamp = null;
        if (valueEnd >= 0)
        {
            var stamp = rest[valueEnd..].Trim([' ', '\t']);
            if (!stamp.IsEmpty)
            {
                if (!long.TryParse(stamp, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var ms))
                {
                    return null;
                }

                timestamp = ms;
            }
        }

        return new MetricSample(name, labels, value, timestamp, lineNumber);
    }

    /// <summary>
    /// <c>name="value",...}</c> from <paramref name="i"/> (just after the brace) to just after the closing brace; a
    /// trailing comma is allowed, as the format does. False when malformed or past <see cref="MaxLabels"/>.
    /// </summary>
    private static bool ReadLabels(ReadOnlySpan<char> line, ref int i, List<KeyValuePair<string, string>> labels)
    {
        var value = new StringBuilder();
        while (true)
        {
            while (i < line.Length && line[i] is ' ' or '\t')
            {
                i++;
            }

            if (i >= line.Length)
            {
                return false;
            }

            if (line[i] == '}')
            {
                i++;
                return true;
            }

            var nameStart = i;
            while (i < line.Length && IsLabelNameChar(line[i], i == nameStart))
            {
                i++;
            }

            if (i == nameStart || labels.Count >= MaxLabels)
            {
                return false;
            }

            var labelName = line[nameStart..i].ToString();
            while (i < line.Length && line[i] is ' ' or '\t')
            {
                i++;
            }

            if (i + 1 >= line.Length || line[i] != '=')
            {
                return false;
            }

            i++;
            while (i < line.Length && line[i] is ' ' or '\t')
            {
                i++;
            }

            if (i >= line.Length || line[i] != '"')
            {
                return false;
            }

            i++;
            value.Clear();
            while (true)
            {
                if (i >= line.Length)
                {
                    return false;
                }

                var c = line[i++];
                if (c == '"')
                {
                    break;
                }

                if (c == '\\')
                {
                    if (i >= line.Length)
                    {
                        return false;
                    }

                    var escaped = line[i++];
                    value.Append(escaped switch
                    {
                        'n' => '\n',
                        '\\' => '\\',
                        '"' => '"',
                        _ => escaped,
                    });
                }
                else
                {
                    value.Append(c);
                }
            }

            labels.Add(new(labelName, value.ToString()));
            while (i < line.Length && line[i] is ' ' or '\t')
            {
                i++;
            }

            if (i < line.Length && line[i] == ',')
            {
                i++;
            }
            else if (i >= line.Length || line[i] != '}')
            {
                return false;
            }
        }
    }

    /// <summary>A sample value: a Go float, or NaN, +Inf, -Inf (any case, as Go's ParseFloat takes them).</summary>
    private static double? ParseValue(ReadOnlySpan<char> text)
    {
        if (text.Equals("NaN", StringComparison.OrdinalIgnoreCase))
        {
            return double.NaN;
        }

        if (text.Equals("+Inf", StringComparison.OrdinalIgnoreCase) || text.Equals("Inf", StringComparison.OrdinalIgnoreCase))
        {
            return double.PositiveInfinity;
        }

        if (text.Equals("-Inf", StringComparison.OrdinalIgnoreCase))
        {
            return double.NegativeInfinity;
        }

        // Digits, sign, point and exponent only: .NET would also take "Infinity" or a currency sign under other styles.
        foreach (var c in text)
        {
            if (!(char.IsAsciiDigit(c) || c is '+' or '-' or '.' or 'e' or 'E'))
            {
                return null;
            }
        }

        return !text.IsEmpty && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : null;
    }

    private static bool IsMetricName(ReadOnlySpan<char> name)
    {
        for (var i = 0; i < name.Length; i++)
        {
            if (!IsNameChar(name[i], i == 0))
            {
                return false;
            }
        }

        return !name.IsEmpty;
    }

    private static bool IsNameChar(char c, bool first) => char.IsAsciiLetter(c) || c is '_' or ':' || (!first && char.IsAsciiDigit(c));

    private static bool IsLabelNameChar(char c, bool first) => char.IsAsciiLetter(c) || c == '_' || (!first && char.IsAsciiDigit(c));
}
