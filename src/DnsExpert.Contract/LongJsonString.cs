using System.Buffers;
using System.Text;
using System.Text.Json;

namespace DnsExpert.Contract;

/// <summary>
/// Makes a .NET string of a long JSON string token (a pasted output's text, a log under a mebibyte) in one pass over
/// the bytes the serializer buffered, segment by segment. <see cref="Utf8JsonReader.GetString"/> copies a token that
/// spans segments, and unescapes it, into arrays of its size rented from the shared pool, which keeps them afterwards
/// (one per size in each thread's own slot, eight per size and core): the memory-bound test's service held 34 MB of
/// pooled byte arrays and 100 MB of gaps between large arrays after the pasted-output classes, before 200 concurrent
/// pastes under a 384 MiB heap. Here the characters go into an array from a private pool that keeps one per size,
/// through a 4 KiB stack buffer of unescaped UTF-8, and nothing else of the token's size is allocated but the string.
/// Same speed as <see cref="Utf8JsonReader.GetString"/> (measured on 0.9 MB logs and a 0.55 MB pod table).
/// </summary>
internal static class LongJsonString
{
    /// <summary>Tokens up to this many bytes are left to <see cref="Utf8JsonReader.GetString"/> (small copies only).</summary>
    public const int Threshold = 16 * 1024;

    private static readonly ArrayPool<char> Characters = ArrayPool<char>.Create(maxArrayLength: 1 << 24, maxArraysPerBucket: 1);

    /// <summary>Unescaped UTF-8 gathered before each decode: one decoder call per 4 KiB, not one per escape.</summary>
    private const int ScratchBytes = 4096;

    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// The string value of the current token (a string), or null when it has more than <paramref name="maxCharacters"/>
    /// characters (the caller refuses it). Invalid UTF-8 or an unpaired surrogate escape is a <see cref="JsonException"/>
    /// (the serializer adds the path), as the serializer's own read makes it.
    /// </summary>
    public static string? Read(ref Utf8JsonReader reader, int maxCharacters)
    {
        var bytes = reader.HasValueSequence ? reader.ValueSequence.Length : reader.ValueSpan.Length;
        if (bytes <= Threshold)
        {
            var small = reader.GetString()!;
            return small.Length > maxCharacters ? null : small;
        }

        // A UTF-8 byte, or an escape of 2 to 12 bytes, makes at most one UTF-16 character per byte. The array holds at
        // most the limit (4 Mi characters is the pool's 8 MiB size, one more would be its 16 MiB one): a text one
        // character longer finds it full.
        var chars = Characters.Rent((int)Math.Min(bytes, maxCharacters));
        Span<byte> scratch = stackalloc byte[ScratchBytes];
        var writer = new Writer(chars, scratch);
        try
        {
            if (reader.HasValueSequence)
            {
                foreach (var segment in reader.ValueSequence)
                {
                    writer.Add(segment.Span);
                }
            }
            else
            {
                writer.Add(reader.ValueSpan);
            }

            var length = writer.Finish();
            return writer.Over || length > maxCharacters ? null : new string(chars, 0, length);
        }
        catch (Exception ex) when (ex is DecoderFallbackException or FormatException)
        {
            throw new JsonException("the string is not valid UTF-8 or holds an unpaired surrogate escape", ex);
        }
        finally
        {
            chars.AsSpan(0, writer.Written).Clear();
            Characters.Return(chars);
        }
    }

    /// <summary>
    /// Unescapes into a small scratch buffer of UTF-8 (an escape becomes the UTF-8 of its character, as the serializer
    /// unescapes) and decodes the scratch into <see cref="_chars"/> whenever it fills; a character or an escape split
    /// between segments waits in the decoder or in <see cref="_escape"/>. When a character does not fit in the array it
    /// stops (<see cref="Over"/>): the text is longer than the array, which holds the caller's limit or more.
    /// </summary>
    private ref struct Writer(char[] chars, Span<byte> scratch)
    {
        private readonly char[] _chars = chars;
        private readonly Span<byte> _scratch = scratch;
        private readonly Decoder _decoder = Strict.GetDecoder();
        private int _pending;

        // An escape cut by a segment boundary: its bytes so far ("\", "\u", "\u0", ...), and a high surrogate that
        // waits for the low one.
        private EscapeBytes _escape;
        private int _escapeLength;
        private int _highSurrogate;

        /// <summary>Characters written so far.</summary>
        public int Written { get; private set; }

        /// <summary>More characters than the array holds, so more than the caller's limit: nothing more is decoded.</summary>
        public bool Over { get; private set; }

        public void Add(scoped ReadOnlySpan<byte> span)
        {
            while (!span.IsEmpty && !Over)
            {
                if (_escapeLength > 0)
                {
                    span = span[ContinueEscape(span)..];
                    continue;
                }

                if (_highSurrogate != 0 && span[0] != (byte)'\\')
                {
                    throw new FormatException("a high surrogate escape is not followed by a low one");
                }

                var backslash = span.IndexOf((byte)'\\');
                Append(backslash < 0 ? span : span[..backslash]);
                if (backslash < 0)
                {
                    return;
                }

                _escape[0] = (byte)'\\';
                _escapeLength = 1;
                span = span[(backslash + 1)..];
            }
        }

        public int Finish()
        {
            if (!Over && (_escapeLength > 0 || _highSurrogate != 0))
            {
                throw new FormatException("the string ends inside an escape");
            }

            Decode(flush: true);
            return Written;
        }

        /// <summary>Takes the rest of a cut escape from <paramref name="span"/>; how many bytes it took.</summary>
        private int ContinueEscape(scoped ReadOnlySpan<byte> span)
        {
            // The reader has already validated the escapes: a backslash is followed by one of "\/bfnrtu, and u by four hex digits.
            var length = _escapeLength == 1 || _escape[1] != 'u' ? 2 : 6;
            var take = Math.Min(length - _escapeLength, span.Length);
            span[..take].CopyTo(((Span<byte>)_escape)[_escapeLength..]);
            _escapeLength += take;
            if (_escapeLength == length && !(length == 2 && _escape[1] == 'u'))
            {
                _escapeLength = 0;
                Unescape();
            }

            return take;
        }

        private void Unescape()
        {
            if (_escape[1] != 'u')
            {
                if (_highSurrogate != 0)
                {
                    throw new FormatException("a high surrogate escape is not followed by a low one");
                }

                byte c = _escape[1] switch
                {
                    (byte)'b' => (byte)'\b',
                    (byte)'f' => (byte)'\f',
                    (byte)'n' => (byte)'\n',
                    (byte)'r' => (byte)'\r',
                    (byte)'t' => (byte)'\t',
                    var quoted => quoted, // " \ /
                };
                Append([c]);
                return;
            }

            var unit = Hex(_escape[2]) << 12 | Hex(_escape[3]) << 8 | Hex(_escape[4]) << 4 | Hex(_escape[5]);
            Span<byte> utf8 = stackalloc byte[4];
            if (_highSurrogate != 0)
            {
                if (!char.IsLowSurrogate((char)unit))
                {
                    throw new FormatException("a high surrogate escape is not followed by a low one");
                }

                var scalar = new Rune((char)_highSurrogate, (char)unit);
                _highSurrogate = 0;
                Append(utf8[..scalar.EncodeToUtf8(utf8)]);
            }
            else if (char.IsHighSurrogate((char)unit))
            {
                _highSurrogate = unit;
            }
            else if (char.IsLowSurrogate((char)unit))
            {
                throw new FormatException("a low surrogate escape without a high one");
            }
            else
            {
                Append(utf8[..new Rune(unit).EncodeToUtf8(utf8)]);
            }
        }

        private static int Hex(byte digit) => digit switch
        {
            >= (byte)'0' and <= (byte)'9' => digit - '0',
            >= (byte)'a' and <= (byte)'f' => digit - 'a' + 10,
            >= (byte)'A' and <= (byte)'F' => digit - 'A' + 10,
            _ => throw new FormatException("not a hex digit"),
        };

        private void Append(scoped ReadOnlySpan<byte> bytes)
        {
            while (!bytes.IsEmpty && !Over)
            {
                var take = Math.Min(bytes.Length, _scratch.Length - _pending);
                bytes[..take].CopyTo(_scratch[_pending..]);
                _pending += take;
                bytes = bytes[take..];
                if (_pending == _scratch.Length)
                {
                    Decode(flush: false);
                }
            }
        }

        private void Decode(bool flush)
        {
            var bytes = (ReadOnlySpan<byte>)_scratch[.._pending];
            _pending = 0;
            Span<char> pair = stackalloc char[2];
            while (!Over)
            {
                var room = _chars.Length - Written;

                // Less room than a surrogate pair: decode into a pair of characters and see whether what it made fits.
                var into = room < 2 ? pair : _chars.AsSpan(Written, room);
                _decoder.Convert(bytes, into, flush, out var used, out var made, out var completed);
                if (room < 2)
                {
                    if (made > room)
                    {
                        Over = true;
                        return;
                    }

                    pair[..made].CopyTo(_chars.AsSpan(Written));
                }

                Written += made;
                bytes = bytes[used..];
                if (completed)
                {
                    return;
                }
            }
        }
    }

    /// <summary>The bytes of one escape (at most <c>\uXXXX</c>).</summary>
    [System.Runtime.CompilerServices.InlineArray(6)]
    private struct EscapeBytes
    {
        private byte _first;
    }
}
