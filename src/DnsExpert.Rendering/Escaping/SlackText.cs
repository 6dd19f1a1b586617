using DnsExpert.Text;

namespace DnsExpert.Rendering.Escaping;

/// <summary>
/// Cluster and request text made safe for Slack mrkdwn: no control characters; &amp;, &lt; and &gt; escaped everywhere,
/// so nothing forms a link, a mention (<c>&lt;!channel&gt;</c>, <c>&lt;@U123&gt;</c>) or a date; backticks replaced by
/// U+02CB (ˋ), since mrkdwn has no escape for them and one would close a code block.
/// </summary>
public static class SlackText
{
    public const char NeutralBacktick = '\u02cb';

    /// <summary>Text inside a line; a bare URL is no link (<see cref="BareUrls"/>).</summary>
    public static string Inline(string? text) => Escape(BareUrls.Break(DisplayText.Line(text)));

    /// <summary>The content of a <c>```</c> code block: lines kept.</summary>
    public static string Block(string? text) => Escape(DisplayText.Block(text).Trim());

    /// <summary>A plain_text field (a header): no mrkdwn, so only the control characters go.</summary>
    public static string Plain(string? text) => DisplayText.Line(text);

    /// <summary>
    /// A link of the service's own, <c>&lt;url|words&gt;</c>, when <paramref name="link"/> is absolute
    /// (<see cref="ServiceLinks"/>; its &amp; escaped as mrkdwn wants); the words alone otherwise. Never for cluster text.
    /// </summary>
    public static string Link(string? link, string words) =>
        ServiceLinks.Absolute(link) is { } url ? $"<{url.Replace("&", "&amp;", StringComparison.Ordinal)}|{words}>" : words;

    private static string Escape(string text) => text
        .Replace("&", "&amp;", StringComparison.Ordinal)
        .Replace("<", "&lt;", StringComparison.Ordinal)
        .Replace(">", "&gt;", StringComparison.Ordinal)
        .Replace('`', NeutralBacktick);
}
