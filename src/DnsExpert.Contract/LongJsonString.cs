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
        var unescaper = new JsonUnescaper();
        try
        {
            if (reader.HasValueSequence)
            {
                foreach (var segment in reader.ValueSequence)
                {
                    if (!unescaper.Add(segment.Span, ref writer))
                    {
                        break;
                    }
                }
            }
            else
            {
                unescaper.Add(reader.ValueSpan, ref writer);
            }

            if (!writer.Over)
            {
                unescaper.Finish();
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
    /// Gathers the unescaped UTF-8 that <see cref="JsonUnescaper"/> gives in a small scratch buffer and decodes it into
    /// <see cref="_chars"/> whenever it fills; a character split between segments waits in the decoder. When a character
    /// does not fit in the array it stops (<see cref="Over"/>): the text is longer than the array, which holds the
    /// caller's limit or more.
    /// </summary>
    private ref struct Writer(char[] chars, Span<byte> scratch) : IUtf8Sink
    {
        private readonly char[] _chars = chars;
        private readonly Span<byte> _scratch = scratch;
        private readonly Decoder _decoder = Strict.GetDecoder();
        private int _pending;

        /// <summary>Characters written so far.</summary>
        public int Written { get; private set; }

        /// <summary>More characters than the array holds, so more than the caller's limit: nothing more is decoded.</summary>
        public bool Over { get; private set; }

        public int Finish()
        {
            Decode(flush: true);
            return Written;
        }

        public bool Append(scoped ReadOnlySpan<byte> utf8)
        {
            while (!utf8.IsEmpty && !Over)
            {
                var take = Math.Min(utf8.Length, _scratch.Length - _pending);
                utf8[..take].CopyTo(_scratch[_pending..]);
                _pending += take;
                utf8 = utf8[take..];
                if (_pending == _scratch.Length)
                {
                    Decode(flush: false);
                }
            }

            return !Over;
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
}
