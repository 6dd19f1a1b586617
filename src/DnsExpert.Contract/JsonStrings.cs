using System.Buffers;

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
