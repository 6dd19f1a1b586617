using System.Buffers;
using System.Text;

namespace DnsExpert.Text;

/// <summary>
/// Text from a cluster or a request made fit to show anywhere: no C0 or C1 control characters (ESC, BEL, bare CR ...),
/// no DEL, no bidirectional overrides or isolates (which make text read differently from what a shell or a reader
/// gets). Every renderer applies this before its own escaping; the rule templates apply it to every value they insert.
/// </summary>
public static class DisplayText
{
    // C0, DEL, C1, the Unicode line and paragraph separators, and the bidi embeddings, overrides and isolates.
    private static readonly SearchValues<char> Unsafe = SearchValues.Create(
        string.Concat(Enumerable.Range(0, 0x20).Select(i => (char)i))
        + string.Concat(Enumerable.Range(0x7f, 0x21).Select(i => (char)i))
        + "\u2028\u2029\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069");

    /// <summary>One line: tabs and line breaks (CR, LF, U+2028/9) become a space, every other unsafe character is removed.</summary>
    public static string Line(string? text) => Clean(text, keepLines: false);

    /// <summary>Several lines (a YAML snippet): CRLF and a bare CR become LF, tabs stay, every other unsafe character is removed.</summary>
    public static string Block(string? text) => Clean(text, keepLines: true);

    private static string Clean(string? text, bool keepLines)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "";
        }

        var first = text.AsSpan().IndexOfAny(Unsafe);
        if (first < 0)
        {
            return text;
        }

        var sb = new StringBuilder(text.Length).Append(text, 0, first);
        for (var i = first; i < text.Length; i++)
        {
            var c = text[i];
            if (!Unsafe.Contains(c))
            {
                sb.Append(c);
            }
            else if (c is '\r' or '\n' or '\u2028' or '\u2029')
            {
                if (!keepLines)
                {
                    sb.Append(' ');
                }
                else if (!(c == '\r' && i + 1 < text.Length && text[i + 1] == '\n'))
                {
                    sb.Append('\n');
                }
            }
            else if (c == '\t')
            {
                sb.Append(keepLines ? '\t' : ' ');
            }
        }

        return sb.ToString();
    }
}
