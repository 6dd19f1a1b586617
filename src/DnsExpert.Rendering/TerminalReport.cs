using System.Text;

namespace DnsExpert.Rendering;

/// <summary>
/// The Markdown report with ANSI colour for a terminal: severities in red, yellow and blue, headings bold, commands and
/// snippets in cyan, evidence sources dim. Text from the cluster or the request cannot inject escape sequences: control
/// characters are shown as <c>^[</c>-style carets before colour is added.
/// </summary>
public static class TerminalReport
{
    private const string Reset = "\u001b[0m";
    private const string Bold = "\u001b[1m";
    private const string Dim = "\u001b[2m";
    private const string Red = "\u001b[1;31m";
    private const string Yellow = "\u001b[1;33m";
    private const string Blue = "\u001b[1;34m";
    private const string Cyan = "\u001b[36m";
    private const string Green = "\u001b[32m";

    public static string Colorize(string markdown)
    {
        var sb = new StringBuilder(markdown.Length + 1024);
        var inCode = false;
        foreach (var raw in markdown.Split('\n'))
        {
            var line = Sanitize(raw.TrimEnd('\r'));
            var trimmed = line.TrimStart();
            if (trimmed.StartsWith("```", StringComparison.Ordinal))
            {
                inCode = !inCode;
                sb.Append(Dim).Append(line).Append(Reset).Append('\n');
                continue;
            }

            if (inCode)
            {
                sb.Append(Cyan).Append(line).Append(Reset).Append('\n');
                continue;
            }

            if (line.StartsWith('#'))
            {
                sb.Append(Bold).Append(Severities(line, Bold)).Append(Reset).Append('\n');
            }
            else if (trimmed.StartsWith("- _", StringComparison.Ordinal) && trimmed.IndexOf("_: ", 3, StringComparison.Ordinal) is var end and > 0)
            {
                var indent = line[..(line.Length - trimmed.Length)];
                sb.Append(indent).Append("- ").Append(Dim).Append(trimmed[3..end]).Append(Reset).Append(": ").Append(trimmed[(end + 3)..]).Append('\n');
            }
            else
            {
                sb.Append(Severities(line, "")).Append('\n');
            }
        }

        return sb.ToString().Replace("| ok |", $"| {Green}ok{Reset} |", StringComparison.Ordinal)
            .Replace("| failed |", $"| {Red}failed{Reset} |", StringComparison.Ordinal)
            .Replace("| forbidden |", $"| {Red}forbidden{Reset} |", StringComparison.Ordinal)
            .TrimEnd('\n') + "\n";
    }

    private static string Severities(string line, string resume) => line
        .Replace("[CRITICAL]", $"{Red}[CRITICAL]{Reset}{resume}", StringComparison.Ordinal)
        .Replace("[WARNING]", $"{Yellow}[WARNING]{Reset}{resume}", StringComparison.Ordinal)
        .Replace("[INFO]", $"{Blue}[INFO]{Reset}{resume}", StringComparison.Ordinal);

    /// <summary>
    /// Control characters (ESC, BEL, CSI ...) from cluster or request text become visible carets; bidirectional
    /// overrides and isolates, which reorder what the terminal shows, are dropped.
    /// </summary>
    public static string Sanitize(string text)
    {
        if (!text.Any(c => char.IsControl(c) || IsBidiControl(c)))
        {
            return text;
        }

        var sb = new StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            if (c == '\t')
            {
                sb.Append(c);
            }
            else if (c < ' ')
            {
                sb.Append('^').Append((char)(c + '@'));
            }
            else if (char.IsControl(c))
            {
                sb.Append('^').Append('?');
            }
            else if (IsBidiControl(c))
            {
                continue;
            }
            else
            {
                sb.Append(c);
            }
        }

        return sb.ToString();
    }

    private static bool IsBidiControl(char c) => c is >= '\u202a' and <= '\u202e' or >= '\u2066' and <= '\u2069' or '\u2028' or '\u2029';

    /// <summary>Colour when asked, or by default when writing to a terminal and <c>NO_COLOR</c> is not set.</summary>
    public static bool UseColor(string mode, bool terminal) => mode switch
    {
        "always" => true,
        "never" => false,
        _ => terminal && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR"))
             && !string.Equals(Environment.GetEnvironmentVariable("TERM"), "dumb", StringComparison.Ordinal),
    };
}
