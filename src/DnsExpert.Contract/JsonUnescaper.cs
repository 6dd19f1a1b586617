using System.Text;

namespace DnsExpert.Contract;

/// <summary>Where <see cref="JsonUnescaper"/> puts the unescaped UTF-8 of a string, run by run.</summary>
internal interface IUtf8Sink
{
    /// <summary>Takes the next unescaped bytes; false when it is full and wants no more.</summary>
    bool Append(scoped ReadOnlySpan<byte> utf8);
}

/// <summary>
/// Unescapes the bytes of a JSON string token that the reader has validated, piece by piece as its segments come: the
/// runs between escapes go to the sink as they lie, each escape as the UTF-8 of its character (as the serializer
/// unescapes). An escape cut between two pieces waits here, and so does the high surrogate of an escaped pair until its
/// low one. One unescaper serves <see cref="LongJsonString"/> (UTF-8 decoded into characters) and
/// <see cref="JsonStrings.TryCopy"/> (UTF-8 copied into a log's buffer).
/// </summary>
internal struct JsonUnescaper
{
    // An escape cut by a segment boundary: its bytes so far ("\", "\u", "\u0", ...), and a high surrogate that waits
    // for the low one.
    private EscapeBytes _escape;
    private int _escapeLength;
    private int _highSurrogate;

    /// <summary>Unescapes the next piece of the token into <paramref name="sink"/>; false when the sink is full.</summary>
    /// <exception cref="FormatException">An unpaired surrogate escape.</exception>
    public bool Add<TSink>(scoped ReadOnlySpan<byte> span, ref TSink sink)
        where TSink : IUtf8Sink, allows ref struct
    {
        while (!span.IsEmpty)
        {
            if (_escapeLength > 0)
            {
                span = span[ContinueEscape(span, ref sink, out var more)..];
                if (!more)
                {
                    return false;
                }

                continue;
            }

            if (_highSurrogate != 0 && span[0] != (byte)'\\')
            {
                throw new FormatException("a high surrogate escape is not followed by a low one");
            }

            var backslash = span.IndexOf((byte)'\\');
            if (!sink.Append(backslash < 0 ? span : span[..backslash]))
            {
                return false;
            }

            if (backslash < 0)
            {
                return true;
            }

            // Unescaped where it lies when the piece holds all of it (a backslash with "\/bfnrt after it, or u and four
            // hex digits), else kept until the next piece.
            span = span[backslash..];
            var length = span.Length > 1 && span[1] == (byte)'u' ? 6 : 2;
            if (span.Length < length)
            {
                span.CopyTo(_escape);
                _escapeLength = span.Length;
                return true;
            }

            if (!Unescape(span[..length], ref sink))
            {
                return false;
            }

            span = span[length..];
        }

        return true;
    }

    /// <summary>Ends the token.</summary>
    /// <exception cref="FormatException">It ends inside an escape, or after a high surrogate escape.</exception>
    public readonly void Finish()
    {
        if (_escapeLength > 0 || _highSurrogate != 0)
        {
            throw new FormatException("the string ends inside an escape");
        }
    }

    /// <summary>Takes the rest of a cut escape from <paramref name="span"/>; how many bytes it took.</summary>
    private int ContinueEscape<TSink>(scoped ReadOnlySpan<byte> span, ref TSink sink, out bool more)
        where TSink : IUtf8Sink, allows ref struct
    {
        // The reader has already validated the escapes: a backslash is followed by one of "\/bfnrtu, and u by four hex digits.
        var length = _escapeLength == 1 || _escape[1] != 'u' ? 2 : 6;
        var take = Math.Min(length - _escapeLength, span.Length);
        span[..take].CopyTo(((Span<byte>)_escape)[_escapeLength..]);
        _escapeLength += take;
        more = true;
        if (_escapeLength == length && !(length == 2 && _escape[1] == 'u'))
        {
            _escapeLength = 0;
            more = Unescape(((ReadOnlySpan<byte>)_escape)[..length], ref sink);
        }

        return take;
    }

    /// <summary>Puts the character of one whole escape (<c>\n</c>, <c>\u00e9</c>...) into the sink.</summary>
    private bool Unescape<TSink>(scoped ReadOnlySpan<byte> escape, ref TSink sink)
        where TSink : IUtf8Sink, allows ref struct
    {
        if (escape[1] != 'u')
        {
            if (_highSurrogate != 0)
            {
                throw new FormatException("a high surrogate escape is not followed by a low one");
            }

            byte c = escape[1] switch
            {
                (byte)'b' => (byte)'\b',
                (byte)'f' => (byte)'\f',
                (byte)'n' => (byte)'\n',
                (byte)'r' => (byte)'\r',
                (byte)'t' => (byte)'\t',
                var quoted => quoted, // " \ /
            };
            return sink.Append([c]);
        }

        var unit = JsonStrings.Hex4(escape[2..6]);
        if (unit < 0)
        {
            throw new FormatException("not a hex digit");
        }

        Span<byte> utf8 = stackalloc byte[4];
        if (_highSurrogate != 0)
        {
            if (!char.IsLowSurrogate((char)unit))
            {
                throw new FormatException("a high surrogate escape is not followed by a low one");
            }

            var scalar = new Rune((char)_highSurrogate, (char)unit);
            _highSurrogate = 0;
            return sink.Append(utf8[..scalar.EncodeToUtf8(utf8)]);
        }

        if (char.IsHighSurrogate((char)unit))
        {
            _highSurrogate = unit;
            return true;
        }

        if (char.IsLowSurrogate((char)unit))
        {
            throw new FormatException("a low surrogate escape without a high one");
        }

        return sink.Append(utf8[..new Rune(unit).EncodeToUtf8(utf8)]);
    }

    /// <summary>The bytes of one escape (at most <c>\uXXXX</c>).</summary>
    [System.Runtime.CompilerServices.InlineArray(6)]
    private struct EscapeBytes
    {
        private byte _first;
    }
}
