using System.Globalization;
using System.Text.RegularExpressions;

namespace DnsExpert.Core.Parsing;

public enum CoreDnsLogKind
{
    Other,
    Query,
    UnknownDirective,
    ApiserverUnreachable,
    UpstreamError,
    ForwardLoop,
    Reload,
    Panic,
    NoNextPlugin,
}

/// <summary>A query log line of the <c>log</c> plugin: <c>{remote}:{port} - {id} "{type} {class} {name} {proto} {size} {do} {bufsize}" {rcode} {flags} {rsize} {duration}</c>.</summary>
public sealed record CoreDnsQuery(
    string Client, int? ClientPort, string Id, string Type, string Class, string Name,
    string Transport, int? RequestSize, bool? DnssecOk, int? BufferSize, string Rcode, IReadOnlyList<string> Flags,
    int? ResponseSize, double? DurationSeconds)
{
    /// <summary>A query a client asked (<see cref="QueryScanner.IsClientQuery"/>): only such a query can be a client's failure.</summary>
    public bool IsClientQuery => QueryScanner.IsClientQuery(Client, Type);
}

/// <summary>One line of a CoreDNS log, recognised.</summary>
public sealed record CoreDnsLogRecord(int LineNumber, DateTimeOffset? Timestamp, string? Level, string Text, CoreDnsLogKind Kind)
{
    public CoreDnsQuery? Query { get; init; }
    public string? Directive { get; init; }
    public int? CorefileLine { get; init; }
    public string? Endpoint { get; init; }
    public string? Resource { get; init; }
    public string? Error { get; init; }
    public string? QueryName { get; init; }
    public string? QueryType { get; init; }
    public string? Zone { get; init; }
}

/// <summary>
/// Reads CoreDNS logs line by line (streamed, never whole), with or without <c>kubectl logs --timestamps</c> prefixes,
/// and recognises the signatures of KNOWLEDGE.md. Cheap substring checks come before any regex; every regex has a timeout.
/// </summary>
public static partial class CoreDnsLogParser
{
    /// <summary>Lines longer than this are cut before matching; no CoreDNS line is that long.</summary>
    public const int MaxLineLength = 8192;

    public static IEnumerable<CoreDnsLogRecord> Parse(TextReader reader)
    {
        var number = 0;
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            number++;
            if (!string.IsNullOrWhiteSpace(line))
            {
                yield return ParseLine(line, number);
            }
        }
    }

    public static CoreDnsLogRecord ParseLine(string line, int lineNumber)
    {
        if (line.Length > MaxLineLength)
        {
            line = line[..MaxLineLength];
        }

        var (timestamp, text) = SplitTimestamp(line.TrimEnd('\r'));
        var level = Level(text);
        try
        {
            return Recognise(text, lineNumber, timestamp, level);
        }
        catch (RegexMatchTimeoutException)
        {
            return new CoreDnsLogRecord(lineNumber, timestamp, level, text, CoreDnsLogKind.Other);
        }
    }

    private static CoreDnsLogRecord Recognise(string text, int lineNumber, DateTimeOffset? timestamp, string? level)
    {
        var record = new CoreDnsLogRecord(lineNumber, timestamp, level, text, CoreDnsLogKind.Other);
        var span = text.AsSpan();

        if (span.Contains("\" ", StringComparison.Ordinal) && span.Contains(" - ", StringComparison.Ordinal))
        {
            // Almost every line of a query log is one of these: a hand-written scan first, the regex for anything unusual.
            if (QueryScanner.TryParse(text, out var fast))
            {
                return record with { Kind = CoreDnsLogKind.Query, Query = fast };
            }

            if (QueryLine().Match(text) is { Success: true } q)
            {
                return record with { Kind = CoreDnsLogKind.Query, Query = ToQuery(q) };
            }
        }

        if (span.Contains("Unknown directive", StringComparison.Ordinal) && UnknownDirective().Match(text) is { Success: true } u)
        {
            return record with
            {
                Kind = CoreDnsLogKind.UnknownDirective,
                Directive = u.Groups["directive"].Value,
                CorefileLine = int.TryParse(u.Groups["line"].Value, CultureInfo.InvariantCulture, out var l) ? l : null,
            };
        }

        if ((span.Contains("to watch", StringComparison.OrdinalIgnoreCase) || span.Contains("to list", StringComparison.OrdinalIgnoreCase))
            && ApiserverFailure().Match(text) is { Success: true } a)
        {
            return record with
            {
                Kind = CoreDnsLogKind.ApiserverUnreachable,
                Resource = a.Groups["resource"].Value,
                Endpoint = a.Groups["endpoint"].Value,
                Error = LastSegment(a.Groups["error"].Value),
            };
        }

        // Before upstream errors: `plugin/errors: 2 nginx. A: plugin/loop: no next plugin found` is no network error.
        if (span.Contains("no next plugin found", StringComparison.Ordinal) && NoNextPlugin().Match(text) is { Success: true } n)
        {
            return record with
            {
                Kind = CoreDnsLogKind.NoNextPlugin,
                Directive = n.Groups["plugin"].Value,
                QueryName = n.Groups["name"].Success ? n.Groups["name"].Value : null,
                QueryType = n.Groups["type"].Success ? n.Groups["type"].Value : null,
            };
        }

        if (span.Contains("plugin/errors", StringComparison.Ordinal) && UpstreamError().Match(text) is { Success: true } e)
        {
            return record with
            {
                Kind = CoreDnsLogKind.UpstreamError,
                QueryName = e.Groups["name"].Value,
                QueryType = e.Groups["type"].Value,
                Endpoint = e.Groups["upstream"].Success ? e.Groups["upstream"].Value : null,
                Error = LastSegment(e.Groups["error"].Value),
            };
        }

        if (span.Contains("Loop (", StringComparison.Ordinal) && Loop().Match(text) is { Success: true } loop)
        {
            return record with { Kind = CoreDnsLogKind.ForwardLoop, Endpoint = loop.Groups["from"].Value, Zone = loop.Groups["zone"].Value };
        }

        if (span.Contains("Reloading", StringComparison.Ordinal) || span.Contains("plugin/reload", StringComparison.Ordinal))
        {
            return record with { Kind = CoreDnsLogKind.Reload };
        }

        if (span.StartsWith("panic:", StringComparison.Ordinal) || span.StartsWith("[PANIC]", StringComparison.Ordinal))
        {
            return record with { Kind = CoreDnsLogKind.Panic };
        }

        return record;
    }

    /// <summary>The regex reading of a query line only (tests compare the fast scanner against it).</summary>
    internal static CoreDnsQuery? ParseQueryWithRegex(string text) => QueryLine().Match(text) is { Success: true } q ? ToQuery(q) : null;

    private static CoreDnsQuery ToQuery(Match m)
    {
        var client = m.Groups["client"].Value.Trim('[', ']');
        var flags = m.Groups["flags"].Value;
        return new CoreDnsQuery(
            client,
            Int(m.Groups["cport"].Value),
            m.Groups["id"].Value,
            m.Groups["type"].Value,
            m.Groups["class"].Value,
            m.Groups["name"].Value,
            m.Groups["proto"].Value,
            Int(m.Groups["size"].Value),
            m.Groups["do"].Value switch { "true" => true, "false" => false, _ => null },
            Int(m.Groups["bufsize"].Value),
            m.Groups["rcode"].Value,
            flags == "-" ? [] : flags.Split(',', StringSplitOptions.RemoveEmptyEntries),
            Int(m.Groups["rsize"].Value),
            Duration(m.Groups["duration"].Value, m.Groups["unit"].Value));
    }

    private static int? Int(string s) => int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : null;

    private static double? Duration(string value, string unit)
    {
        if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var v))
        {
            return null;
        }

        return unit switch { "ms" => v / 1e3, "µs" or "us" => v / 1e6, "ns" => v / 1e9, _ => v };
    }

    /// <summary>"dial tcp 10.96.0.1:443: connect: connection refused" → "connection refused".</summary>
    private static string LastSegment(string error)
    {
        var i = error.LastIndexOf(": ", StringComparison.Ordinal);
        return (i < 0 ? error : error[(i + 2)..]).Trim();
    }

    /// <summary>Splits an RFC 3339 prefix (<c>kubectl logs --timestamps</c>, up to nanoseconds) off the line.</summary>
    private static (DateTimeOffset? Timestamp, string Text) SplitTimestamp(string line)
    {
        if (line.Length < 20 || !char.IsAsciiDigit(line[0]) || line[4] != '-' || line[10] != 'T')
        {
            return (null, line);
        }

        var space = line.IndexOf(' ', StringComparison.Ordinal);
        var rest = space < 0 ? "" : line[(space + 1)..];
        if (FastUtc(space < 0 ? line : line.AsSpan(0, space)) is { } fast)
        {
            return (fast, rest);
        }

        var stamp = space < 0 ? line : line[..space];

        // .NET parses at most 7 fractional digits: cut nanoseconds to ticks.
        var dot = stamp.IndexOf('.', StringComparison.Ordinal);
        if (dot > 0)
        {
            var end = dot + 1;
            while (end < stamp.Length && char.IsAsciiDigit(stamp[end]))
            {
                end++;
            }

            if (end - dot - 1 > 7)
            {
                stamp = stamp[..(dot + 8)] + stamp[end..];
            }
        }

        return DateTimeOffset.TryParse(stamp, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t)
            ? (t, rest)
            : (null, line);
    }

    /// <summary><c>2024-05-13T08:21:44.031882211Z</c> (kubectl's own format) without the general parser; null for any other shape.</summary>
    internal static DateTimeOffset? FastUtc(ReadOnlySpan<char> s)
    {
        if (s.Length < 20 || s[^1] != 'Z' || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' || (s[19] != '.' && s.Length != 20))
        {
            return null;
        }

        if (!Digits(s[..4], out var year) || !Digits(s[5..7], out var month) || !Digits(s[8..10], out var day)
            || !Digits(s[11..13], out var hour) || !Digits(s[14..16], out var minute) || !Digits(s[17..19], out var second)
            || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(Math.Max(1, year), month) || hour > 23 || minute > 59 || second > 59 || year < 1)
        {
            return null;
        }

        long ticks = 0;
        if (s.Length > 20)
        {
            var fraction = s[20..^1];
            if (fraction.IsEmpty || fraction.Length > 9 || !Digits(fraction, out var value))
            {
                return null;
            }

            // To 100 ns ticks: pad or cut to 7 digits.
            ticks = fraction.Length <= 7 ? value * Pow10(7 - fraction.Length) : value / Pow10(fraction.Length - 7);
        }

        return new DateTimeOffset(year, month, day, hour, minute, second, TimeSpan.Zero).AddTicks(ticks);
    }

    private static long Pow10(int n)
    {
        long p = 1;
        for (var i = 0; i < n; i++)
        {
            p *= 10;
        }

        return p;
    }

    private static bool Digits(ReadOnlySpan<char> s, out int value)
    {
        value = 0;
        foreach (var c in s)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }

            value = (value * 10) + (c - '0');
        }

        return !s.IsEmpty;
    }

    private static string? Level(string text)
    {
        if (text.StartsWith('[') && text.IndexOf(']', StringComparison.Ordinal) is var close and > 1 and < 10)
        {
            return text[1..close];
        }

        // klog: "E0513 08:21:44.123456       1 reflector.go:138] ..."
        if (text.Length > 5 && text[0] is 'E' or 'W' or 'I' or 'F' && char.IsAsciiDigit(text[1]) && char.IsAsciiDigit(text[4]))
        {
            return text[0] switch { 'E' => "ERROR", 'W' => "WARNING", 'I' => "INFO", _ => "FATAL" };
        }

        return null;
    }

    private const int TimeoutMs = 100;

    [GeneratedRegex("""(?<client>\[[0-9A-Fa-f:.%a-z]+\]|[0-9A-Za-z.:_-]+?):(?<cport>\d+) - (?<id>\d+) "(?<type>[A-Z0-9]+|TYPE\d+) (?<class>[A-Z0-9]+) (?<name>\S+) (?<proto>udp|tcp) (?<size>\d+) (?<do>true|false) (?<bufsize>\d+)" (?<rcode>[A-Z0-9]+) (?<flags>\S+) (?<rsize>\d+) (?<duration>[0-9.]+(?:e-?\d+)?)(?<unit>s|ms|µs|us|ns)?""", RegexOptions.CultureInvariant, TimeoutMs)]
    private static partial Regex QueryLine();

    [GeneratedRegex(@"Corefile:(?<line>\d+) - Error during parsing: Unknown directive '(?<directive>[^']*)'", RegexOptions.CultureInvariant, TimeoutMs)]
    private static partial Regex UnknownDirective();

    [GeneratedRegex("""(?i:failed to (?:watch|list)) (?<resource>\*?[\w.]+): Get "?(?:https?://)?(?<endpoint>[^/" ]+)[^"]*"?: (?<error>.+)$""", RegexOptions.CultureInvariant, TimeoutMs)]
    private static partial Regex ApiserverFailure();

    [GeneratedRegex(@"plugin/errors: \d+ (?<name>\S+) (?<type>[A-Z0-9]+): (?<error>(?:[a-z ]+: )?(?:(?:read|dial|write) )?(?:(?:udp|tcp) (?:[^\s>]+->)?(?<upstream>[^\s]+?): )?.+)$", RegexOptions.CultureInvariant, TimeoutMs)]
    private static partial Regex UpstreamError();

    /// <summary>
    /// <c>plugin/errors: 2 nginx. A: plugin/loop: no next plugin found</c>; CoreDNS before 1.2 wrote
    /// <c>[ERROR 0 google.com. A] plugin/log: no next plugin found</c>.
    /// </summary>
    [GeneratedRegex(@"(?:plugin/errors: \d+ (?<name>\S+) (?<type>[A-Z0-9]+): |\[ERROR \d+ (?<name>\S+) (?<type>[A-Z0-9]+)\] )?plugin/(?<plugin>[\w-]+): no next plugin found", RegexOptions.CultureInvariant, TimeoutMs)]
    private static partial Regex NoNextPlugin();

    [GeneratedRegex(@"Loop \((?<from>[^ )]+) -> (?<to>[^)]+)\) detected for zone ""(?<zone>[^""]*)""", RegexOptions.CultureInvariant, TimeoutMs)]
    private static partial Regex Loop();
}
