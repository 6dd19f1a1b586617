using System.Globalization;
using System.Runtime.CompilerServices;

namespace DnsExpert.Readers.Parsing;

/// <summary>
/// Reads the common shape of a CoreDNS <c>log</c> plugin line without a regex:
/// <c>[INFO] 172.20.7.45:44532 - 31007 "A IN name. udp 80 false 512" NXDOMAIN qr,aa,rd 173 0.000148s</c>.
/// Returns false for anything else (the regex then decides), so it can only be faster, never different.
/// </summary>
internal static class QueryScanner
{
    private static readonly string[] Common = ["A", "AAAA", "IN", "udp", "tcp", "NOERROR", "NXDOMAIN", "SERVFAIL", "REFUSED", "SRV", "PTR", "TXT", "CNAME", "MX", "NS", "SOA", "HTTPS"];

    public static bool TryParse(string text, out CoreDnsQuery? query)
    {
        query = null;
        if (!TryScan(text, out var f))
        {
            return false;
        }

        query = new CoreDnsQuery(
            f.Client.ToString(), f.ClientPort, f.Id.ToString(), Intern(f.Type), Intern(f.Class), f.Name.ToString(), Intern(f.Transport),
            f.RequestSize, f.DnssecOk, f.BufferSize, Intern(f.Rcode),
            f.Flags is "-" ? [] : f.Flags.ToString().Split(',', StringSplitOptions.RemoveEmptyEntries),
            f.ResponseSize, f.DurationSeconds);
        return true;
    }

    /// <summary>The fields of a query line as slices of it: no allocation, for the log scanner's hot path.</summary>
    internal readonly ref struct Fields
    {
        public required ReadOnlySpan<char> Client { get; init; }
        public required int ClientPort { get; init; }
        public required ReadOnlySpan<char> Id { get; init; }
        public required ReadOnlySpan<char> Type { get; init; }
        public required ReadOnlySpan<char> Class { get; init; }
        public required ReadOnlySpan<char> Name { get; init; }
        public required ReadOnlySpan<char> Transport { get; init; }
        public required int RequestSize { get; init; }
        public required bool DnssecOk { get; init; }
        public required int BufferSize { get; init; }
        public required ReadOnlySpan<char> Rcode { get; init; }
        public required ReadOnlySpan<char> Flags { get; init; }
        public required int ResponseSize { get; init; }
        public required ReadOnlySpan<char> Duration { get; init; }

        public double DurationSeconds => Seconds(Duration, out var seconds) ? seconds : 0;
    }

    public static bool TryScan(ReadOnlySpan<char> s, out Fields fields)
    {
        // Nothing reads the fields when this returns false, and zeroing them first took a twentieth of the scan.
        Unsafe.SkipInit(out fields);
        if (s.Length > 1 && s[0] == '[' && char.IsAsciiLetterUpper(s[1]))
        {
            // A level prefix ("[INFO] "), not a bracketed IPv6 client: the first "] ", at 1 to 10.
            var close = LevelEnd(s);
            if (close < 0)
            {
                return false;
            }

            s = s[(close + 2)..];
        }

        var dash = SeparatorDash(s);
        if (dash < 3)
        {
            return false;
        }

        var endpoint = s[..dash];
        var colon = endpoint.LastIndexOf(':');
        if (colon < 1 || !Int(endpoint[(colon + 1)..], out var clientPort))
        {
            return false;
        }

        var client = endpoint[..colon];
        if (client[0] == '[')
        {
            if (client[^1] != ']')
            {
                return false;
            }

            client = client[1..^1];
        }
        else if (client.Contains(':'))
        {
            return false;
        }

        s = s[(dash + 3)..];
        ReadOnlySpan<char> id, type, @class, name, proto, size, dnssec, bufsize, rcode, flags, rsize;
        if ((id = Word(ref s, ' ')).IsEmpty || !IsDigits(id) || s.Length == 0 || s[0] != '"')
        {
            return false;
        }

        s = s[1..];
        if ((type = Word(ref s, ' ')).IsEmpty || (@class = Word(ref s, ' ')).IsEmpty || (name = LongWord(ref s)).IsEmpty
            || (proto = Word(ref s, ' ')).IsEmpty || (size = Word(ref s, ' ')).IsEmpty || (dnssec = Word(ref s, ' ')).IsEmpty
            || (bufsize = Word(ref s, '"')).IsEmpty || s.Length == 0 || s[0] != ' ')
        {
            return false;
        }

        s = s[1..];
        if ((rcode = Word(ref s, ' ')).IsEmpty || (flags = Word(ref s, ' ')).IsEmpty || (rsize = Word(ref s, ' ')).IsEmpty)
        {
            return false;
        }

        var duration = s;
        var space = duration.IndexOf(' ');
        if (space >= 0)
        {
            duration = duration[..space];
        }

        if (proto is not ("udp" or "tcp") || dnssec is not ("true" or "false") || !Int(size, out var requestSize) || !Int(bufsize, out var buffer)
            || !Int(rsize, out var responseSize) || !IsDuration(duration) || type.IsEmpty || @class.IsEmpty || name.IsEmpty || rcode.IsEmpty)
        {
            return false;
        }

        fields = new Fields
        {
            Client = client, ClientPort = clientPort, Id = id, Type = type, Class = @class, Name = name, Transport = proto,
            RequestSize = requestSize, DnssecOk = dnssec is "true", BufferSize = buffer, Rcode = rcode, Flags = flags,
            ResponseSize = responseSize, Duration = duration,
        };
        return true;
    }

    /// <summary>
    /// Did a client ask this? Not when it comes from loopback (the <c>loop</c> plugin's start-up probe, CoreDNS asking
    /// itself) or is of a type applications do not ask (the probe is <c>HINFO</c>). Only a client's query can be a
    /// client's failure.
    /// </summary>
    public static bool IsClientQuery(ReadOnlySpan<char> client, ReadOnlySpan<char> type) =>
        !IsLoopback(client) && type is "A" or "AAAA" or "CNAME" or "SRV" or "PTR" or "MX" or "TXT" or "NS" or "SOA" or "CAA"
            or "HTTPS" or "SVCB" or "NAPTR" or "DS" or "DNSKEY" or "ANY" or "TYPE64" or "TYPE65";

    private static bool IsLoopback(ReadOnlySpan<char> client) =>
        client.StartsWith("127.") || (!client.IsEmpty && client[0] == ':' && (client is "::1" || client.StartsWith("::ffff:127.", StringComparison.OrdinalIgnoreCase)));

    /// <summary>Where the first "] " is when it is at 1 to 10 (a level's end); -1 when it is not there.</summary>
    internal static int LevelEnd(ReadOnlySpan<char> s)
    {
        // A searcher for a two-character string costs more to set up than these few characters take to look at.
        var last = Math.Min(10, s.Length - 2);
        for (var i = 0; i <= last; i++)
        {
            if (s[i] == ']' && s[i + 1] == ' ')
            {
                return i > 0 ? i : -1;
            }
        }

        return -1;
    }

    /// <summary>
    /// <c>s.IndexOf(" - ")</c>: the first '-' with a space on each side, found with a one-character search (the client
    /// before it has no '-').
    /// </summary>
    internal static int SeparatorDash(ReadOnlySpan<char> s)
    {
        var from = 0;
        while (true)
        {
            var i = s[from..].IndexOf('-');
            if (i < 0)
            {
                return -1;
            }

            i += from;
            if (i > 0 && i + 1 < s.Length && s[i - 1] == ' ' && s[i + 1] == ' ')
            {
                return i - 1;
            }

            from = i + 1;
        }
    }

    /// <summary><see cref="Word"/> for a word that is usually long (a name): a vectorised search.</summary>
    private static ReadOnlySpan<char> LongWord(scoped ref ReadOnlySpan<char> s)
    {
        var i = s.IndexOf(' ');
        if (i <= 0)
        {
            return default;
        }

        var word = s[..i];
        s = s[(i + 1)..];
        return word;
    }

    /// <summary>The text up to <paramref name="end"/> (empty when there is none), and <paramref name="s"/> moved past it.</summary>
    private static ReadOnlySpan<char> Word(scoped ref ReadOnlySpan<char> s, char end)
    {
        // A plain loop: the words are a few characters long, shorter than a vectorised search needs to pay off.
        var i = 0;
        while (i < s.Length && s[i] != end)
        {
            i++;
        }

        if (i == 0 || i == s.Length)
        {
            return default;
        }

        var word = s[..i];
        s = s[(i + 1)..];
        return word;
    }

    private static bool IsDigits(ReadOnlySpan<char> s) => !s.IsEmpty && !s.ContainsAnyExceptInRange('0', '9');

    /// <summary><c>int.TryParse</c> with <see cref="NumberStyles.None"/>: ASCII digits only, within range.</summary>
    private static bool Int(ReadOnlySpan<char> s, out int value)
    {
        value = 0;
        if (s.IsEmpty)
        {
            return false;
        }

        long n = 0;
        foreach (var c in s)
        {
            if (!char.IsAsciiDigit(c) || (n = (n * 10) + (c - '0')) > int.MaxValue)
            {
                return false;
            }
        }

        value = (int)n;
        return true;
    }

    /// <summary>Would <see cref="Seconds"/> read it? Answered without parsing for the usual <c>0.000148s</c>.</summary>
    private static bool IsDuration(ReadOnlySpan<char> s)
    {
        // The usual "0.000148s" first: a digit before the 's' is no unit's.
        var digits = s.Length >= 2 && s[^1] == 's' && char.IsAsciiDigit(s[^2]) ? s[..^1]
            : s.EndsWith("ms") || s.EndsWith("µs") || s.EndsWith("us") || s.EndsWith("ns") ? s[..^2] : s.EndsWith("s") ? s[..^1] : s;

        // Digits with at most one '.' between them, looked at in one loop (a vectorised search costs more to start).
        var dot = -1;
        var plain = true;
        for (var i = 0; i < digits.Length && plain; i++)
        {
            if (!char.IsAsciiDigit(digits[i]))
            {
                plain = digits[i] == '.' && dot < 0;
                dot = i;
            }
        }

        return (plain && !digits.IsEmpty && dot != 0 && dot != digits.Length - 1) || Seconds(s, out _);
    }

    private static bool Seconds(ReadOnlySpan<char> s, out double seconds)
    {
        seconds = 0;
        var scale = s.EndsWith("ms") ? 1e-3 : s.EndsWith("µs") || s.EndsWith("us") ? 1e-6 : s.EndsWith("ns") ? 1e-9 : 1.0;
        var unit = scale != 1.0 ? 2 : s.EndsWith("s") ? 1 : 0;
        if (!double.TryParse(s[..^unit], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
        {
            return false;
        }

        seconds = value * scale;
        return true;
    }

    internal static string Intern(ReadOnlySpan<char> s)
    {
        foreach (var common in Common)
        {
            if (s.SequenceEqual(common))
            {
                return common;
            }
        }

        return s.ToString();
    }
}
