using System.Text;

namespace DnsExpert.Rendering;

/// <summary>
/// The Markdown report with ANSI colour for a terminal: severities in red, yellow and blue, headings bold, commands and
/// snippets in cyan, evidence sources dim. Text from the cluster or the request cannot inject escape sequences: control
/// characters are shown as <c>^[</c>-style carets before colour is added. A terminal is not a Markdown viewer: the
/// escapes that keep the Markdown report free of HTML and links (<c>&amp;lt;</c>, <c>\]</c>, <c>\|</c>) are shown as the
/// characters they stand for, outside code fences and spans (where Markdown keeps text as it is).
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

            line = Unescape(line);
            trimmed = line.TrimStart();
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

    /// <summary>
    /// One line of Markdown running text as a reader sees it: the entities <see cref="Escaping.MarkdownText"/> writes
    /// (<c>&amp;amp;</c>, <c>&amp;lt;</c>, <c>&amp;gt;</c>, no others) and backslash escapes of ASCII punctuation decoded;
    /// code spans (a run of backticks to the next run of the same length) copied as they are. One pass, linear; what it
    /// produces is printable, since it only ever yields <c>&amp;</c>, <c>&lt;</c>, <c>&gt;</c> or the escaped punctuation.
    /// </summary>
    public static string Unescape(string line)
    {
        if (!line.AsSpan().ContainsAny('&', '\\'))
        {
            return line;
        }

        var (runs, closers) = BacktickRuns(line);
        var sb = new StringBuilder(line.Length);
        var (i, r) = (0, 0);
        while (i < line.Length)
        {
            var c = line[i];
            if (c == '`')
            {
                // A code span runs to the next run of as many backticks; an unmatched run, or the rest of a run whose
                // first backtick was escaped, is literal backticks.
                while (runs[r].Start + runs[r].Length <= i)
                {
                    r++;
                }

                var (start, length) = runs[r];
                var closer = start == i ? closers[r] : -1;
                var end = closer >= 0 ? runs[closer].Start + length : start + length;
                sb.Append(line, i, end - i);
                (i, r) = (end, closer >= 0 ? closer + 1 : r + 1);
            }
            else if (c == '\\' && i + 1 < line.Length && char.IsAsciiLetterOrDigit(line[i + 1]) is false && line[i + 1] is > ' ' and < '\u007f')
            {
                sb.Append(line[i + 1]);
                i += 2;
            }
            else if (c == '&' && Entity(line, i) is ({ } decoded, var length))
            {
                sb.Append(decoded);
                i += length;
            }
            else
            {
                sb.Append(c);
                i++;
            }
        }

        return sb.ToString();
    }

    /// <summary>
    /// The runs of backticks in <paramref name="line"/> and, for each, the index of the next run of the same length (-1
    /// when none): one pass forward, one backward, so a line of many unmatched runs stays linear.
    /// </summary>
    private static (List<(int Start, int Length)> Runs, int[] Closers) BacktickRuns(string line)
    {
        var runs = new List<(int Start, int Length)>();
        for (var i = line.IndexOf('`', StringComparison.Ordinal); i >= 0 && i < line.Length; i = line.IndexOf('`', i))
        {
            var start = i;
            while (i < line.Length && line[i] == '`')
            {
                i++;
            }

            runs.Add((start, i - start));
            if (i >= line.Length)
            {
                break;
            }
        }

        var closers = new int[runs.Count];
        var nextOfLength = new Dictionary<int, int>();
        for (var j = runs.Count - 1; j >= 0; j--)
        {
            closers[j] = nextOfLength.TryGetValue(runs[j].Length, out var next) ? next : -1;
            nextOfLength[runs[j].Length] = j;
        }

        return (runs, closers);
    }

    private static (char?, int) Entity(string line, int at) =>
        string.CompareOrdinal(line, at, "&amp;", 0, 5) == 0 ? ('&', 5)
        : string.CompareOrdinal(line, at, "&lt;", 0, 4) == 0 ? ('<', 4)
        : string.CompareOrdinal(line, at, "&gt;", 0, 4) == 0 ? ('>', 4)
        : (null, 1);

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
