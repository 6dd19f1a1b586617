using System.Globalization;

namespace DnsExpert.Core.Parsing;

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
        var s = text.AsSpan();
        if (s.Length > 1 && s[0] == '[' && char.IsAsciiLetterUpper(s[1]))
        {
            // A level prefix ("[INFO] "), not a bracketed IPv6 client.
            var close = s.IndexOf("] ", StringComparison.Ordinal);
            if (close is < 1 or > 10)
            {
                return false;
            }

            s = s[(close + 2)..];
        }

        var dash = s.IndexOf(" - ", StringComparison.Ordinal);
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
        if (!Word(ref s, ' ', out var id) || !IsDigits(id) || s.Length == 0 || s[0] != '"')
        {
            return false;
        }

        s = s[1..];
        if (!Word(ref s, ' ', out var type) || !Word(ref s, ' ', out var @class) || !Word(ref s, ' ', out var name)
            || !Word(ref s, ' ', out var proto) || !Word(ref s, ' ', out var size) || !Word(ref s, ' ', out var dnssec)
            || !Word(ref s, '"', out var bufsize) || s.Length == 0 || s[0] != ' ')
        {
            return false;
        }

        s = s[1..];
        if (!Word(ref s, ' ', out var rcode) || !Word(ref s, ' ', out var flags) || !Word(ref s, ' ', out var rsize))
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
            || !Int(rsize, out var responseSize) || !Seconds(duration, out var seconds) || type.IsEmpty || @class.IsEmpty || name.IsEmpty || rcode.IsEmpty)
        {
            return false;
        }

        query = new CoreDnsQuery(
            client.ToString(), clientPort, id.ToString(), Intern(type), Intern(@class), name.ToString(), Intern(proto), requestSize,
            dnssec is "true", buffer, Intern(rcode), flags is "-" ? [] : flags.ToString().Split(',', StringSplitOptions.RemoveEmptyEntries),
            responseSize, seconds);
        return true;
    }

    private static bool Word(ref ReadOnlySpan<char> s, char end, out ReadOnlySpan<char> word)
    {
        var i = s.IndexOf(end);
        if (i <= 0)
        {
            word = default;
            return false;
        }

        word = s[..i];
        s = s[(i + 1)..];
        return true;
    }

    private static bool IsDigits(ReadOnlySpan<char> s) => !s.IsEmpty && !s.ContainsAnyExceptInRange('0', '9');

    private static bool Int(ReadOnlySpan<char> s, out int value) =>
        int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out value);

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

    private static string Intern(ReadOnlySpan<char> s)
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
