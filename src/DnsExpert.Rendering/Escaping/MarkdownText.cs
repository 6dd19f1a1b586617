using System.Buffers;
using DnsExpert.Text;

namespace DnsExpert.Rendering.Escaping;

/// <summary>
/// Cluster and request text made safe for Markdown (chat, tickets, the terminal report): no control characters, no
/// HTML (&amp;, &lt; and &gt; as entities), no link or image, no line break that starts a heading or a list, and code whose fence or
/// span is longer than any backtick run inside it.
/// </summary>
public static class MarkdownText
{
    private static readonly SearchValues<char> NotInCodeSpans = SearchValues.Create("`<>&");

    /// <summary>
    /// Running text inside a line: one line, HTML entities for &amp; &lt; &gt;, backslashes escaped, and no link or
    /// image (a <c>]</c> followed by <c>(</c>, <c>[</c> or <c>:</c> is escaped, so <c>[text](http://evil)</c>,
    /// <c>![](http://tracker)</c> and a <c>[x]: http://evil</c> definition stay text; <c>[INFO]</c> reads as it is), and no
    /// bare URL that GitHub would autolink (<see cref="BareUrls"/>).
    /// </summary>
    public static string Inline(string? text) => NoLinks(Entities(BareUrls.Break(DisplayText.Line(text))));

    /// <summary>Running text that starts a line: as <see cref="Inline"/>, and a leading block marker (#, -, +, *, =, |, a fence, 1.) escaped.</summary>
    public static string Paragraph(string? text)
    {
        var inline = Inline(text).TrimStart();
        if (inline.Length == 0)
        {
            return inline;
        }

        var digits = inline.TakeWhile(char.IsAsciiDigit).Count();
        var marker = inline[0] is '#' or '-' or '+' or '*' or '=' or '_' or '|' or '~' or '`'
            || (digits > 0 && digits < inline.Length && inline[digits] is '.' or ')');
        return marker ? "\\" + inline : inline;
    }

    /// <summary>A table cell: as <see cref="Inline"/> (whose backslashes are escaped), with <c>|</c> escaped too (so <c>\|</c> cannot end the cell).</summary>
    public static string Cell(string? text) => Inline(text).Replace("|", "\\|", StringComparison.Ordinal);

    /// <summary>
    /// A value as a code span when it is plain (a rule id, a DNS name); otherwise as <see cref="Inline"/> text with its
    /// backticks escaped. Raw &lt; or &gt; never stand outside a fenced block, so no pairing of backticks written by
    /// other text can turn a value into HTML.
    /// </summary>
    public static string Code(string? text)
    {
        var line = DisplayText.Line(text);
        return line.Length > 0 && !line.AsSpan().ContainsAny(NotInCodeSpans)
            ? "`" + line + "`"
            : Inline(line).Replace("`", "\\`", StringComparison.Ordinal);
    }

    /// <summary>A fenced code block, each line indented by <paramref name="indent"/>; its fence is longer than any backtick run inside.</summary>
    public static string Block(string? text, string info, string indent)
    {
        var lines = DisplayText.Block(text).TrimEnd().Split('\n');
        var fence = new string('`', Math.Max(3, lines.Max(LongestBacktickRun) + 1));
        return indent + fence + info + "\n" + string.Concat(lines.Select(l => indent + l + "\n")) + indent + fence + "\n";
    }

    private static string Entities(string text) => text.AsSpan().ContainsAny('&', '<', '>')
        ? text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal)
        : text;

    private static string NoLinks(string text)
    {
        if (!text.AsSpan().ContainsAny('\\', ']'))
        {
            return text;
        }

        var builder = new System.Text.StringBuilder(text.Length + 8);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\\' || (c == ']' && i + 1 < text.Length && text[i + 1] is '(' or '[' or ':'))
            {
                builder.Append('\\');
            }

            builder.Append(c);
        }

        return builder.ToString();
    }

    private static int LongestBacktickRun(string text)
    {
        int longest = 0, run = 0;
        foreach (var c in text)
        {
            run = c == '`' ? run + 1 : 0;
            longest = Math.Max(longest, run);
        }

        return longest;
    }
}
