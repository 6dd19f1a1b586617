using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace DnsExpert.Contract;

/// <summary>
/// Where JSON strings end in bytes that begin between two tokens, found by a vectorised search for quotes and
/// backslashes (a backslash escapes the byte after it; <c>\u0022</c> holds no quote). It does not validate: the
/// serializer does, once the string is whole.
/// </summary>
internal static class JsonStrings
{
    /// <summary>
    /// Whether <paramref name="json"/>, read from a point between tokens, ends inside a string; <paramref name="escaped"/>
    /// then says whether its last byte is a backslash that escapes the next one.
    /// </summary>
    public static bool EndsInString(ReadOnlySequence<byte> json, out bool escaped)
    {
        var inString = false;
        escaped = false;
        foreach (var segment in json)
        {
            var span = segment.Span;
            var i = 0;
            while (i < span.Length)
            {
                if (!inString)
                {
                    var quote = span[i..].IndexOf((byte)'"');
                    if (quote < 0)
                    {
                        break;
                    }

                    i += quote + 1;
                    inString = true;
                }
                else if (Close(span, ref i, ref escaped))
                {
                    inString = false;
                }
                else
                {
                    break;
                }
            }
        }

        return inString;
    }

    /// <summary>
    /// Whether the string that <paramref name="json"/> continues closes in it (its first unescaped quote);
    /// <paramref name="escaped"/> carries a backslash at the end of one piece over to the next.
    /// </summary>
    public static bool Closes(ReadOnlySequence<byte> json, ref bool escaped)
    {
        foreach (var segment in json)
        {
            var i = 0;
            if (Close(segment.Span, ref i, ref escaped))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Unescapes a string token that spans segments of the body and holds escapes into <paramref name="destination"/>,
    /// segment by segment, as <see cref="Utf8JsonReader.CopyString(Span{byte})"/> would. The reader's own copy of such a
    /// token rents a second buffer of its whole size from the shared array pool, copies the token into it, unescapes,
    /// clears it and keeps it in the pool: for a 15 MB log, 30 MB more moved and 16 MB kept per pool thread that read
    /// one. Returns null, with nothing decided, for a token in one segment or without escapes, for an unpaired surrogate
    /// escape and for bytes that are not UTF-8: the reader's copy then does it (and throws as before).
    /// </summary>
    public static int? TryCopy(ref Utf8JsonReader reader, Span<byte> destination)
    {
        if (!reader.HasValueSequence || !reader.ValueIsEscaped || reader.ValueSequence.Length > destination.Length)
        {
            return null;
        }

        // Unescaped text is never longer than escaped text, so the destination holds it.
        var copy = new SpanWriter(destination);
        var unescaper = new JsonUnescaper();
        try
        {
            foreach (var segment in reader.ValueSequence)
            {
                unescaper.Add(segment.Span, ref copy);
            }

            unescaper.Finish();
        }
        catch (FormatException)
        {
            return null;
        }

        return Utf8.IsValid(destination[..copy.Written]) ? copy.Written : null;
    }

    /// <summary>
    /// The index of the first byte in <paramref name="span"/> that ends a run of plain string bytes: a quote, a backslash
    /// or a control character (below 0x20, never raw in a JSON string); -1 when there is none. Written out with
    /// <see cref="Vector128"/> (the baseline of x64 and Arm64) rather than as a <see cref="SearchValues{T}"/> search: the
    /// framework's precompiled code holds no searcher for these 34 bytes, so that search ran unoptimised, then
    /// instrumented, through most of the first large request a process read (BENCHMARKS.md, "The first large diagnosis
    /// in a process"); this is precompiled with the assembly and runs optimised from the first call.
    /// </summary>
    // Runs per line or per byte of a long log: optimised at its first call, with no ReadyToRun or instrumented code in
    // between (BENCHMARKS.md, "The read's hot loops optimised at their first call").
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int IndexOfStringStop(ReadOnlySpan<byte> span)
    {
        var i = 0;
        if (Vector128.IsHardwareAccelerated && span.Length >= Vector128<byte>.Count)
        {
            ref var start = ref MemoryMarshal.GetReference(span);
            var quote = Vector128.Create((byte)'"');
            var backslash = Vector128.Create((byte)'\\');
            var space = Vector128.Create((byte)0x20);
            var last = span.Length - Vector128<byte>.Count;
            while (true)
            {
                var bytes = Vector128.LoadUnsafe(ref start, (nuint)i);
                var stops = Vector128.Equals(bytes, quote) | Vector128.Equals(bytes, backslash) | Vector128.LessThan(bytes, space);
                if (stops != Vector128<byte>.Zero)
                {
                    return i + BitOperations.TrailingZeroCount(stops.ExtractMostSignificantBits());
                }

                if (i == last)
                {
                    return -1;
                }

                // The last block may overlap the one before it: its bytes there were plain.
                i = Math.Min(i + Vector128<byte>.Count, last);
            }
        }

        for (; i < span.Length; i++)
        {
            if (span[i] is (byte)'"' or (byte)'\\' or < 0x20)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>
    /// From <paramref name="i"/>, the index of the first byte of a JSON string's escaped bytes that is not plain text or
    /// a whole escape that needs no more checking: a quote, a control character, or the backslash of an escape the caller
    /// must read itself (one not whole in <paramref name="span"/>, a surrogate's <c>\u</c>, or one JSON does not know);
    /// -1 when the span ends first. A long log has an escape in every line (its <c>\n</c>, and <c>\"</c> or a
    /// serializer's <c>\u0022</c> around the question): their bytes are found 32 (or 16) at a time and passed within the
    /// block, instead of a search ended and begun again at each.
    /// </summary>
    // Runs per line or per byte of a long log: optimised at its first call, with no ReadyToRun or instrumented code in
    // between (BENCHMARKS.md, "The read's hot loops optimised at their first call").
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int SkipPlain(ReadOnlySpan<byte> span, int i)
    {
        ref var start = ref MemoryMarshal.GetReference(span);
        if (Vector256.IsHardwareAccelerated)
        {
            var (quote, backslash, space) = (Vector256.Create((byte)'"'), Vector256.Create((byte)'\\'), Vector256.Create((byte)0x20));
            while (i <= span.Length - Vector256<byte>.Count)
            {
                var bytes = Vector256.LoadUnsafe(ref start, (nuint)i);
                var stops = (Vector256.Equals(bytes, quote) | Vector256.Equals(bytes, backslash) | Vector256.LessThan(bytes, space)).ExtractMostSignificantBits();
                var stop = PassEscapes(span, ref i, stops, Vector256<byte>.Count);
                if (stop >= 0)
                {
                    return stop;
                }
            }
        }
        else if (Vector128.IsHardwareAccelerated)
        {
            var (quote, backslash, space) = (Vector128.Create((byte)'"'), Vector128.Create((byte)'\\'), Vector128.Create((byte)0x20));
            while (i <= span.Length - Vector128<byte>.Count)
            {
                var bytes = Vector128.LoadUnsafe(ref start, (nuint)i);
                var stops = (Vector128.Equals(bytes, quote) | Vector128.Equals(bytes, backslash) | Vector128.LessThan(bytes, space)).ExtractMostSignificantBits();
                var stop = PassEscapes(span, ref i, stops, Vector128<byte>.Count);
                if (stop >= 0)
                {
                    return stop;
                }
            }
        }

        // The last bytes (fewer than a block).
        while (true)
        {
            var stop = IndexOfStringStop(span[i..]);
            if (stop < 0)
            {
                return -1;
            }

            var at = i + stop;
            var length = span[at] == (byte)'\\' ? EscapeLength(span, at) : 0;
            if (length == 0)
            {
                return at;
            }

            i = at + length;
        }
    }

    /// <summary>
    /// The stop bits of the block at <paramref name="i"/> (bit n: byte i + n is a quote, backslash or control
    /// character): passes each whole escape, moving <paramref name="i"/> to the next block (or past an escape that ends
    /// beyond this one); the index of the first stop it cannot pass, or -1.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int PassEscapes(ReadOnlySpan<byte> span, ref int i, uint stops, int width)
    {
        var next = i + width;
        while (stops != 0)
        {
            var at = i + BitOperations.TrailingZeroCount(stops);
            var length = span[at] == (byte)'\\' ? EscapeLength(span, at) : 0;
            if (length == 0)
            {
                return at;
            }

            var after = at + length;
            if (after >= next)
            {
                next = after;
                break;
            }

            stops &= uint.MaxValue << (after - i);
        }

        i = next;
        return -1;
    }

    /// <summary>The length of the whole escape at <paramref name="at"/> if it needs no more checking (2 or 6), else 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int EscapeLength(ReadOnlySpan<byte> span, int at)
    {
        if (at + 1 >= span.Length)
        {
            return 0;
        }

        var kind = span[at + 1];
        if (kind is (byte)'"' or (byte)'\\' or (byte)'/' or (byte)'b' or (byte)'f' or (byte)'n' or (byte)'r' or (byte)'t')
        {
            return 2;
        }

        return kind == (byte)'u' && at + 6 <= span.Length && Hex4(span.Slice(at + 2, 4)) is >= 0 and var unit && !char.IsSurrogate((char)unit) ? 6 : 0;
    }

    /// <summary>
    /// Unescapes the escaped bytes of a JSON string, validated before (as <see cref="JsonStringValidator"/> does), where
    /// they lie: the text is never longer than its escapes, so each run is moved back over what the escapes left.
    /// Returns the text's length in bytes.
    /// </summary>
    /// <exception cref="FormatException">An unpaired surrogate escape, or the bytes end inside an escape.</exception>
    // Runs per line or per byte of a long log: optimised at its first call, with no ReadyToRun or instrumented code in
    // between (BENCHMARKS.md, "The read's hot loops optimised at their first call").
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int UnescapeInPlace(Span<byte> escaped)
    {
        var read = escaped.IndexOf((byte)'\\');
        if (read < 0)
        {
            return escaped.Length;
        }

        // One tight loop rather than JsonUnescaper's pieces: the whole string is here, and a long log has an escape in
        // every line (its \n), so this runs millions of times per request.
        var written = read;
        while (true)
        {
            UnescapeOne(escaped, ref read, ref written);
            var run = escaped[read..].IndexOf((byte)'\\');
            var end = run < 0 ? escaped.Length : read + run;
            escaped[read..end].CopyTo(escaped[written..]);
            written += end - read;
            read = end;
            if (run < 0)
            {
                return written;
            }
        }
    }

    /// <summary>
    /// <see cref="UnescapeInPlace"/> line by line: each line of the text (ended by a line feed, escaped as <c>\n</c> or
    /// <c>\u000A</c>) is unescaped in place and handed to <paramref name="lines"/> before the next is read, while its
    /// bytes are still in the cache; the line feed itself is not part of it. The text after the last line feed (or all of
    /// it, when it holds none) goes to <see cref="IUtf8Lines.Last"/>, even when empty. A line's bytes are only valid
    /// during the call: the next line is unescaped over what follows it.
    /// </summary>
    /// <exception cref="FormatException">An unpaired surrogate escape, or the bytes end inside an escape.</exception>
    // Runs per line or per byte of a long log: optimised at its first call, with no ReadyToRun or instrumented code in
    // between (BENCHMARKS.md, "The read's hot loops optimised at their first call").
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void UnescapeLines<TLines>(Span<byte> escaped, ref TLines lines)
        where TLines : IUtf8Lines, allows ref struct
    {
        // Each line is unescaped over its own bytes only: after a line feed, reading and writing start again together.
        var (read, written, start) = (0, 0, 0);
        while (true)
        {
            var run = escaped[read..].IndexOf((byte)'\\');
            var end = run < 0 ? escaped.Length : read + run;
            if (written != read)
            {
                escaped[read..end].CopyTo(escaped[written..]);
            }

            written += end - read;
            read = end;
            if (run < 0)
            {
                lines.Last(escaped[start..written]);
                return;
            }

            if (UnescapeOne(escaped, ref read, ref written))
            {
                lines.Line(escaped[start..(written - 1)]);
                (written, start) = (read, read);
            }
        }
    }

    /// <summary>
    /// Unescapes the escape at <paramref name="read"/> (its backslash) to <paramref name="written"/>, moving both past
    /// it; true when it stood for a line feed.
    /// </summary>
    /// <exception cref="FormatException">An unpaired surrogate escape, or the bytes end inside an escape.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool UnescapeOne(Span<byte> escaped, ref int read, ref int written)
    {
        if (read + 1 >= escaped.Length)
        {
            throw new FormatException("the string ends inside an escape");
        }

        var kind = escaped[read + 1];
        if (kind != (byte)'u')
        {
            escaped[written++] = kind switch
            {
                (byte)'n' => (byte)'\n',
                (byte)'t' => (byte)'\t',
                (byte)'r' => (byte)'\r',
                (byte)'b' => (byte)'\b',
                (byte)'f' => (byte)'\f',
                (byte)'"' or (byte)'\\' or (byte)'/' => kind,
                _ => throw new FormatException("an escape JSON does not know"),
            };
            read += 2;
            return kind == (byte)'n';
        }

        var unit = HexUnit(escaped, read + 2);
        read += 6;
        if (unit < 0x80)
        {
            // An escaped ASCII character (a serializer's \u0022 for a quote): its one byte.
            escaped[written++] = (byte)unit;
            return unit == '\n';
        }

        return UnescapeRune(escaped, unit, ref read, ref written);
    }

    /// <summary>The rest of a <c>\u</c> escape of a character beyond ASCII (with its low surrogate's escape, if it is a high one).</summary>
    private static bool UnescapeRune(Span<byte> escaped, int unit, ref int read, ref int written)
    {
        Rune rune;
        if (char.IsHighSurrogate((char)unit))
        {
            if (read + 1 >= escaped.Length || escaped[read] != (byte)'\\' || escaped[read + 1] != (byte)'u'
                || HexUnit(escaped, read + 2) is var low && !char.IsLowSurrogate((char)low))
            {
                throw new FormatException("a high surrogate escape is not followed by a low one");
            }

            rune = new Rune((char)unit, (char)low);
            read += 6;
        }
        else
        {
            rune = char.IsLowSurrogate((char)unit) ? throw new FormatException("a low surrogate escape without a high one") : new Rune(unit);
        }

        // The rune's UTF-8 is never longer than its escape (6 or 12 bytes), so it lands behind what is left to read.
        written += rune.EncodeToUtf8(escaped[written..]);
        return false;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int HexUnit(ReadOnlySpan<byte> escaped, int at) =>
        at + 4 <= escaped.Length && Hex4(escaped.Slice(at, 4)) is >= 0 and var unit
            ? unit
            : throw new FormatException("not four hex digits");

    /// <summary>The UTF-16 unit four hex digits (either case) stand for; -1 when one of them is not a hex digit.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int Hex4(ReadOnlySpan<byte> digits)
    {
        int a = HexDigit(digits[0]), b = HexDigit(digits[1]), c = HexDigit(digits[2]), d = HexDigit(digits[3]);
        return (a | b | c | d) < 0 ? -1 : (a << 12) | (b << 8) | (c << 4) | d;
    }

    /// <summary>A hex digit's value (either case); -1 for any other byte.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int HexDigit(byte c) => c switch
    {
        >= (byte)'0' and <= (byte)'9' => c - '0',
        >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
        _ => -1,
    };

    /// <summary>Unescaped UTF-8 copied into a span that holds it all (or over the escaped bytes themselves, behind them).</summary>
    private ref struct SpanWriter(Span<byte> destination) : IUtf8Sink
    {
        private readonly Span<byte> _destination = destination;

        public int Written { get; private set; }

        public bool Append(scoped ReadOnlySpan<byte> utf8)
        {
            utf8.CopyTo(_destination[Written..]);
            Written += utf8.Length;
            return true;
        }
    }

    /// <summary>Moves <paramref name="i"/> past the closing quote of the string it is in, or to the end of <paramref name="span"/>.</summary>
    private static bool Close(ReadOnlySpan<byte> span, ref int i, ref bool escaped)
    {
        if (escaped && i < span.Length)
        {
            escaped = false;
            i++;
        }

        while (i < span.Length)
        {
            var next = span[i..].IndexOfAny((byte)'"', (byte)'\\');
            if (next < 0)
            {
                i = span.Length;
                return false;
            }

            i += next;
            if (span[i] == '"')
            {
                i++;
                return true;
            }

            // A backslash: the byte after it is escaped, in this piece or the next.
            if (i + 1 >= span.Length)
            {
                escaped = true;
                i = span.Length;
                return false;
            }

            i += 2;
        }

        return false;
    }
}
