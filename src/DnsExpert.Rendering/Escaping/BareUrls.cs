namespace DnsExpert.Rendering.Escaping;

/// <summary>
/// A URL in cluster text (<c>https://evil.example/x</c> in a log line) stays text: GitHub-flavoured Markdown and Slack
/// would make it a live link without any markup. Its scheme separator is broken (<c>https[:]//evil.example/x</c>, as
/// security tools write a URL that must not be followed); the reader still sees where it points.
/// </summary>
internal static class BareUrls
{
    public const string Broken = "[:]//";

    public static string Break(string text) => text.Contains("://", StringComparison.Ordinal) ? text.Replace("://", Broken, StringComparison.Ordinal) : text;
}
