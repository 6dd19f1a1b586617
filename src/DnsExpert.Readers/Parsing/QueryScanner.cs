using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

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

    /// <summary>
    /// The fields of a query line as slices of it (UTF-16, or ASCII bytes): no allocation, for the log scanner's hot
    /// path. Fields, not properties: <see cref="TryScan"/> writes each one in place as it reads it, with no copy of the whole.
    /// </summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1051", Justification = "A ref struct of slices written in place by the scanner's hot path.")]
    internal ref struct Fields<T>
        where T : unmanaged
    {
        public ReadOnlySpan<T> Client;
        public int ClientPort;
        public ReadOnlySpan<T> Id;
        public ReadOnlySpan<T> Type;
        public ReadOnlySpan<T> Class;
        public ReadOnlySpan<T> Name;
        public ReadOnlySpan<T> Transport;
        public int RequestSize;
        public bool DnssecOk;
        public int BufferSize;
        public ReadOnlySpan<T> Rcode;
        public ReadOnlySpan<T> Flags;
        public int ResponseSize;
        public ReadOnlySpan<T> Duration;

        public readonly double DurationSeconds => Seconds(Duration, out var seconds) ? seconds : 0;
    }

    /// <summary>
    /// Reads the line in one pass from left to right, each field where the last one ended: the numbers as they are met,
    /// the words up to their end. (A line known to be ASCII is read as bytes by <see cref="TryScanAscii"/>.)
    /// </summary>
    // Per line of text with other than ASCII in it (text of ASCII is narrowed and read as bytes): optimised at its first
    // call, as its bytes twin is (it never sees a profile: TieredPGO is off).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool TryScan(ReadOnlySpan<char> s, out Fields<char> f)
    {
        // Nothing reads the fields when this returns false, and zeroing them first took a twentieth of the scan.
        Unsafe.SkipInit(out f);
        var i = 0;
        if (s.Length > 1 && s[0] == '[' && char.IsAsciiLetterUpper(s[1]))
        {
            // A level prefix ("[INFO] "), not a bracketed IPv6 client: the first "] ", at 1 to 10.
            var close = LevelEnd(s);
            if (close < 0)
            {
                return false;
            }

            i = close + 2;
        }

        // The endpoint, up to the first " - ", and its last ':' on the way: one plain loop over a few characters, where
        // each vectorised search (the dash, the colon, a second colon) cost more to start.
        var from = i;
        var lastColon = -1;
        var colons = 0;
        while (true)
        {
            if (i + 2 >= s.Length)
            {
                return false;
            }

            var c = s[i];
            if (c == ' ' && s[i + 1] == '-' && s[i + 2] == ' ')
            {
                break;
            }

            if (c == ':')
            {
                lastColon = i;
                colons++;
            }

            i++;
        }

        if (i - from < 3 || lastColon - from < 1 || !Int(s[(lastColon + 1)..i], out f.ClientPort))
        {
            return false;
        }

        var client = s[from..lastColon];
        if (client[0] == '[')
        {
            if (client[^1] != ']')
            {
                return false;
            }

            client = client[1..^1];
        }
        else if (colons > 1)
        {
            return false;
        }

        f.Client = client;
        i += 3;

        // The id: digits, a space, and the question's opening quote.
        var start = i;
        while ((uint)i < (uint)s.Length && char.IsAsciiDigit(s[i]))
        {
            i++;
        }

        if (i == start || i + 1 >= s.Length || s[i] != ' ' || s[i + 1] != '"')
        {
            return false;
        }

        f.Id = s[start..i];
        i += 2;
        if (!Until(s, ref i, ' ', out f.Type) || !Until(s, ref i, ' ', out f.Class) || !Until(s, ref i, ' ', out f.Name)
            || !Transport(s, ref i, out f.Transport) || !Number(s, ref i, ' ', out f.RequestSize))
        {
            return false;
        }

        if (Follows(s, i, "true "))
        {
            f.DnssecOk = true;
            i += 5;
        }
        else if (Follows(s, i, "false "))
        {
            f.DnssecOk = false;
            i += 6;
        }
        else
        {
            return false;
        }

        if (!Number(s, ref i, '"', out f.BufferSize) || i >= s.Length || s[i] != ' ')
        {
            return false;
        }

        i++;
        if (!Until(s, ref i, ' ', out f.Rcode) || !Until(s, ref i, ' ', out f.Flags) || !Number(s, ref i, ' ', out f.ResponseSize))
        {
            return false;
        }

        // The duration, up to a space or the end.
        var end = i;
        while ((uint)end < (uint)s.Length && s[end] != ' ')
        {
            end++;
        }

        f.Duration = s[i..end];
        return IsDuration(f.Duration);
    }

    /// <summary>
    /// <see cref="TryScan"/> of an ASCII line's bytes, with the spaces between the fields found by vector compares
    /// 64 bytes at a time instead of by looking at each byte: each field is then read knowing where it ends, and only the
    /// numbers are looked at byte by byte. It takes fields as single words between single spaces (the log plugin's own
    /// shape), so it accepts a subset of what <see cref="TryScan"/> accepts, and for those the same fields.
    /// </summary>
    // Runs per line or per byte of a long log: optimised at its first call, with no ReadyToRun or instrumented code in
    // between (BENCHMARKS.md, "The read's hot loops optimised at their first call").
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool TryScanAscii(ReadOnlySpan<byte> s, out Fields<byte> f)
    {
        Unsafe.SkipInit(out f);
        var spaces = new Spaces(s);
        var p = 0;
        var space = spaces.Next();
        if (s.Length > 1 && s[0] == '[' && char.IsAsciiLetterUpper((char)s[1]))
        {
            // "[INFO] ": the first space follows the level's ']', at 1 to 10.
            if (space is < 2 or > 11 || s[space - 1] != ']')
            {
                return false;
            }

            p = space + 1;
            space = spaces.Next();
        }

        // The endpoint, then " - ": the port's digits back from the space, a ':' before them, and the client before that.
        var dash = spaces.Next();
        if (space - p < 3 || dash != space + 2 || s[space + 1] != '-')
        {
            return false;
        }

        var colon = space - 1;
        while (colon > p && IsDigit(s[colon]))
        {
            colon--;
        }

        if (colon <= p || colon == space - 1 || s[colon] != ':' || !Int(s[(colon + 1)..space], out f.ClientPort))
        {
            return false;
        }

        var client = s[p..colon];
        if (client[0] == '[')
        {
            if (client[^1] != ']')
            {
                return false;
            }

            client = client[1..^1];
        }
        else if (client.Contains((byte)':'))
        {
            return false;
        }

        f.Client = client;

        // The id and the question's opening quote.
        p = dash + 1;
        space = spaces.Next();
        if (space < 0 || !AllDigits(s[p..space]) || space + 1 >= s.Length || s[space + 1] != '"')
        {
            return false;
        }

        f.Id = s[p..space];
        if (!Word(s, ref spaces, ref space, 1, out f.Type) || !Word(s, ref spaces, ref space, 0, out f.Class) || !Word(s, ref spaces, ref space, 0, out f.Name)
            || !Word(s, ref spaces, ref space, 0, out f.Transport) || f.Transport.Length != 3 || f.Transport[1] is not ((byte)'d' or (byte)'c') || f.Transport[2] != 'p'
            || (f.Transport[0], f.Transport[1]) is not (((byte)'u', (byte)'d') or ((byte)'t', (byte)'c'))
            || !Word(s, ref spaces, ref space, 0, out var size) || !Int(size, out f.RequestSize) || !Word(s, ref spaces, ref space, 0, out var dnssec))
        {
            return false;
        }

        // "true" or "false", compared as they lie (a call to compare four bytes costs more than comparing them).
        if (dnssec.Length == 4 && dnssec[0] == 't' && dnssec[1] == 'r' && dnssec[2] == 'u' && dnssec[3] == 'e')
        {
            f.DnssecOk = true;
        }
        else if (dnssec.Length == 5 && dnssec[0] == 'f' && dnssec[1] == 'a' && dnssec[2] == 'l' && dnssec[3] == 's' && dnssec[4] == 'e')
        {
            f.DnssecOk = false;
        }
        else
        {
            return false;
        }

        if (!Word(s, ref spaces, ref space, 0, out var buffer) || buffer.Length < 2 || buffer[^1] != '"' || !Int(buffer[..^1], out f.BufferSize)
            || !Word(s, ref spaces, ref space, 0, out f.Rcode) || !Word(s, ref spaces, ref space, 0, out f.Flags)
            || !Word(s, ref spaces, ref space, 0, out var response) || !Int(response, out f.ResponseSize))
        {
            return false;
        }

        // The duration: up to the next space or the end.
        var end = spaces.Next();
        f.Duration = s[(space + 1)..(end < 0 ? s.Length : end)];
        return IsDuration(f.Duration);
    }

    /// <summary>The word after the space at <paramref name="space"/> (less its first <paramref name="skip"/> bytes), up to the next space; false when it is empty or no space ends it.</summary>
    private static bool Word(ReadOnlySpan<byte> s, scoped ref Spaces spaces, scoped ref int space, int skip, out ReadOnlySpan<byte> word)
    {
        var start = space + 1 + skip;
        var next = spaces.Next();
        if (next <= start)
        {
            word = default;
            return false;
        }

        word = s[start..next];
        space = next;
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool AllDigits(ReadOnlySpan<byte> s)
    {
        foreach (var b in s)
        {
            if (!IsDigit(b))
            {
                return false;
            }
        }

        return !s.IsEmpty;
    }

    /// <summary>
    /// The spaces of a line from left to right, found 64 bytes at a time: one vector compare per 32 bytes gives a bit per
    /// byte, and each space is the lowest bit left.
    /// </summary>
    private ref struct Spaces(ReadOnlySpan<byte> line)
    {
        private readonly ReadOnlySpan<byte> _line = line;
        private int _block = -64;
        private ulong _mask;

        /// <summary>The index of the next space; -1 when there is none.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public int Next()
        {
            while (_mask == 0)
            {
                _block += 64;
                if (_block >= _line.Length)
                {
                    _block = _line.Length;
                    return -1;
                }

                _mask = Mask(_line, _block);
            }

            var i = _block + System.Numerics.BitOperations.TrailingZeroCount(_mask);
            _mask &= _mask - 1;
            return i;
        }

        /// <summary>A bit per byte of <paramref name="line"/> from <paramref name="from"/> (up to 64): set for a space.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static ulong Mask(ReadOnlySpan<byte> line, int from)
        {
            var space = Vector256.Create((byte)' ');
            if (line.Length >= 64)
            {
                // The last block is read as the line's last 64 bytes, shifted so that bit 0 is byte `from`.
                var at = Math.Min(from, line.Length - 64);
                ref var start = ref Unsafe.Add(ref MemoryMarshal.GetReference(line), at);
                var low = Vector256.Equals(Vector256.LoadUnsafe(ref start), space).ExtractMostSignificantBits();
                var high = Vector256.Equals(Vector256.LoadUnsafe(ref start, 32), space).ExtractMostSignificantBits();
                return (low | ((ulong)high << 32)) >> (from - at);
            }

            return ShortMask(line);
        }

        /// <summary>A line shorter than a block: copied into one, the rest no space.</summary>
        private static ulong ShortMask(ReadOnlySpan<byte> line)
        {
            var space = Vector256.Create((byte)' ');
            Span<byte> block = stackalloc byte[64];
            line.CopyTo(block);
            block[line.Length..].Clear();
            var first = Vector256.Equals(Vector256.Create<byte>(block), space).ExtractMostSignificantBits();
            var second = Vector256.Equals(Vector256.Create<byte>(block[32..]), space).ExtractMostSignificantBits();
            return first | ((ulong)second << 32);
        }
    }

    /// <summary>A character's code: a <see cref="char"/>'s, or a <see cref="byte"/>'s (compiled away for each).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int Code<T>(T c)
        where T : unmanaged => typeof(T) == typeof(byte) ? Unsafe.As<T, byte>(ref c) : Unsafe.As<T, char>(ref c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool IsDigit<T>(T c)
        where T : unmanaged => (uint)(Code(c) - '0') <= 9;

    /// <summary>Does <paramref name="text"/> (ASCII) stand at <paramref name="i"/>?</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Follows(ReadOnlySpan<char> s, int i, string text)
    {
        if (s.Length - i < text.Length)
        {
            return false;
        }

        for (var k = 0; k < text.Length; k++)
        {
            if (s[i + k] != text[k])
            {
                return false;
            }
        }

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

    /// <summary><see cref="IsClientQuery(ReadOnlySpan{char}, ReadOnlySpan{char})"/> of ASCII bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsClientQuery(ReadOnlySpan<byte> client, ReadOnlySpan<byte> type)
    {
        if (client.StartsWith("127."u8) || (!client.IsEmpty && client[0] == ':' && IsLoopback(System.Text.Encoding.ASCII.GetString(client))))
        {
            // Loopback other than 127.* starts with ':' ("::1", "::ffff:127.…"): rare enough to read as characters.
            return false;
        }

        // The usual two first, then the rest as characters (a client type has at most 6).
        return (type.Length == 1 && type[0] == 'A') || (type.Length == 4 && type.SequenceEqual("AAAA"u8)) || (type.Length <= 6 && ClientType(type));

        static bool ClientType(ReadOnlySpan<byte> type)
        {
            Span<char> chars = stackalloc char[6];
            for (var i = 0; i < type.Length; i++)
            {
                chars[i] = (char)type[i];
            }

            return IsClientQuery("", chars[..type.Length]);
        }
    }

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
    /// The text from <paramref name="i"/> up to <paramref name="end"/>, and <paramref name="i"/> moved past it; false
    /// when it is empty or <paramref name="end"/> does not follow.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Until(ReadOnlySpan<char> s, scoped ref int i, char end, out ReadOnlySpan<char> word)
    {
        // A plain loop: the words are a few characters long, shorter than a vectorised search needs to pay off.
        var start = i;
        var j = i;
        while ((uint)j < (uint)s.Length && s[j] != end)
        {
            j++;
        }

        if (j == start || j >= s.Length)
        {
            word = default;
            return false;
        }

        word = s[start..j];
        i = j + 1;
        return true;
    }

    /// <summary>"udp " or "tcp ": the transport, and <paramref name="i"/> moved past its space.</summary>
    private static bool Transport(ReadOnlySpan<char> s, scoped ref int i, out ReadOnlySpan<char> transport)
    {
        transport = default;
        if (!Follows(s, i, "udp ") && !Follows(s, i, "tcp "))
        {
            return false;
        }

        transport = s.Slice(i, 3);
        i += 4;
        return true;
    }

    /// <summary>
    /// ASCII digits up to <paramref name="end"/>, read as <see cref="Int"/> reads them, and <paramref name="i"/> moved
    /// past <paramref name="end"/>; false for no digits, anything else before <paramref name="end"/>, or no end.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Number(ReadOnlySpan<char> s, scoped ref int i, char end, out int value)
    {
        value = 0;
        long n = 0;
        var j = i;
        while ((uint)j < (uint)s.Length && char.IsAsciiDigit(s[j]))
        {
            if ((n = (n * 10) + (s[j] - '0')) > int.MaxValue)
            {
                return false;
            }

            j++;
        }

        if (j == i || j >= s.Length || s[j] != end)
        {
            return false;
        }

        value = (int)n;
        i = j + 1;
        return true;
    }

    /// <summary><c>int.TryParse</c> with <see cref="NumberStyles.None"/>: ASCII digits only, within range.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Int<T>(ReadOnlySpan<T> s, out int value)
        where T : unmanaged
    {
        value = 0;
        if (s.IsEmpty)
        {
            return false;
        }

        long n = 0;
        foreach (var c in s)
        {
            if (!IsDigit(c) || (n = (n * 10) + (Code(c) - '0')) > int.MaxValue)
            {
                return false;
            }
        }

        value = (int)n;
        return true;
    }

    /// <summary>Would <see cref="Seconds"/> read it? Answered without parsing for the usual <c>0.000148s</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsDuration<T>(ReadOnlySpan<T> s)
        where T : unmanaged
    {
        // The usual "0.000148s" first: digits with at most one '.' between them before an 's', looked at in one loop
        // (a vectorised search costs more to start). Anything else is whatever Seconds reads.
        if (s.Length >= 2 && Code(s[^1]) == 's' && IsDigit(s[^2]))
        {
            var digits = s[..^1];
            var dot = -1;
            var plain = true;
            for (var i = 0; i < digits.Length && plain; i++)
            {
                if (!IsDigit(digits[i]))
                {
                    plain = Code(digits[i]) == '.' && dot < 0;
                    dot = i;
                }
            }

            if (plain && dot != 0)
            {
                return true;
            }
        }

        return Seconds(s, out _);
    }

    /// <summary><see cref="Seconds(ReadOnlySpan{char}, out double)"/> of characters, or of ASCII bytes read as characters.</summary>
    private static bool Seconds<T>(ReadOnlySpan<T> s, out double seconds)
        where T : unmanaged
    {
        if (typeof(T) == typeof(char))
        {
            return Seconds(MemoryMarshal.Cast<T, char>(s), out seconds);
        }

        if (PlainSeconds(s, out seconds))
        {
            return true;
        }

        // Rare: another unit, an exponent. The bytes are ASCII (the caller's promise), so each is its character.
        var bytes = MemoryMarshal.Cast<T, byte>(s);
        Span<char> chars = bytes.Length <= 64 ? stackalloc char[bytes.Length] : new char[bytes.Length];
        for (var i = 0; i < bytes.Length; i++)
        {
            chars[i] = (char)bytes[i];
        }

        return Seconds(chars, out seconds);
    }

    private static bool Seconds(ReadOnlySpan<char> s, out double seconds)
    {
        if (PlainSeconds(s, out seconds))
        {
            return true;
        }

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

    /// <summary>Powers of ten a double holds exactly (10^22 is the largest).</summary>
    private static readonly double[] ExactPowersOfTen =
        [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];

    /// <summary>
    /// The usual <c>0.000148s</c>, at most 15 digits with at most one '.', without the general parser: its digits as an
    /// integer below 2^53 divided by a power of ten below 10^23, both exact in a double, so the one rounding of the
    /// division gives the double nearest the decimal, which is what <see cref="double.TryParse(ReadOnlySpan{char}, NumberStyles, IFormatProvider?, out double)"/> gives.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool PlainSeconds<T>(ReadOnlySpan<T> s, out double seconds)
        where T : unmanaged
    {
        seconds = 0;
        if (s.Length < 2 || Code(s[^1]) != 's')
        {
            return false;
        }

        long digits = 0;
        var count = 0;
        var fraction = -1;
        foreach (var c in s[..^1])
        {
            if (IsDigit(c))
            {
                digits = (digits * 10) + (Code(c) - '0');
                count++;
                fraction += fraction >= 0 ? 1 : 0;
            }
            else if (Code(c) != '.' || fraction >= 0)
            {
                return false;
            }
            else
            {
                fraction = 0;
            }
        }

        if (count is 0 or > 15)
        {
            return false;
        }

        seconds = digits / ExactPowersOfTen[Math.Max(0, fraction)];
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
