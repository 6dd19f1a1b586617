using System.Globalization;

namespace DnsExpert.Readers.Parsing;

public sealed record ResolvConfOption(string Name, string? Value);

/// <summary>A parsed <c>/etc/resolv.conf</c>, with glibc's reading of it.</summary>
public sealed record ResolvConf(
    IReadOnlyList<string> Nameservers,
    IReadOnlyList<string> Searches,
    IReadOnlyList<ResolvConfOption> Options,
    IReadOnlyList<ParseDiagnostic> Diagnostics)
{
    public static ResolvConf Empty { get; } = new([], [], [], []);

    /// <summary><c>options ndots:N</c>; glibc's default is 1 and it caps the value at 15.</summary>
    public int Ndots => OptionValue("ndots") is { } v && int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? Math.Clamp(n, 0, 15) : 1;

    /// <summary>Length of the search list as written (names separated by single spaces).</summary>
    public int SearchCharacters => Searches.Count == 0 ? 0 : Searches.Sum(s => s.Length) + Searches.Count - 1;

    public bool HasOption(string name) => Options.Any(o => o.Name == name);

    /// <summary>The value of the last occurrence of an option (the one glibc keeps).</summary>
    public string? OptionValue(string name) => Options.LastOrDefault(o => o.Name == name)?.Value;
}

/// <summary>Parses resolv.conf the way glibc reads it; never throws.</summary>
public static class ResolvConfParser
{
    /// <summary>glibc reads at most this many nameservers (MAXNS).</summary>
    public const int GlibcMaxNameservers = 3;

    public static ResolvConf Parse(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return ResolvConf.Empty;
        }

        var nameservers = new List<string>();
        List<string> searches = [];
        var options = new List<ResolvConfOption>();
        var diagnostics = new List<ParseDiagnostic>();
        var lineNumber = 0;
        foreach (var raw in text.Split('\n'))
        {
            lineNumber++;
            var line = raw.TrimEnd('\r');
            var comment = line.IndexOfAny(['#', ';']);
            if (comment >= 0)
            {
                line = line[..comment];
            }

            var fields = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length == 0)
            {
                continue;
            }

            switch (fields[0])
            {
                case "nameserver":
                    if (fields.Length < 2)
                    {
                        diagnostics.Add(new ParseDiagnostic(lineNumber, "nameserver without an address"));
                    }
                    else
                    {
                        nameservers.Add(fields[1]);
                        if (nameservers.Count == GlibcMaxNameservers + 1)
                        {
                            diagnostics.Add(new ParseDiagnostic(lineNumber, $"more than {GlibcMaxNameservers} nameservers: glibc uses only the first {GlibcMaxNameservers}"));
                        }
                    }

                    break;
                case "search":
                case "domain":
                    // The last search or domain line wins.
                    searches = fields.Skip(1).Select(s => s.TrimEnd('.')).Where(s => s.Length > 0).ToList();
                    break;
                case "options":
                    foreach (var option in fields.Skip(1))
                    {
                        var colon = option.IndexOf(':', StringComparison.Ordinal);
                        options.Add(colon < 0 ? new ResolvConfOption(option, null) : new ResolvConfOption(option[..colon], option[(colon + 1)..]));
                    }

                    break;
                case "sortlist":
                    break;
                default:
                    diagnostics.Add(new ParseDiagnostic(lineNumber, $"unknown keyword '{Truncate(fields[0])}'"));
                    break;
            }
        }

        return new ResolvConf(nameservers, searches, options, diagnostics);
    }

    private static string Truncate(string s) => s.Length <= 40 ? s : s[..40] + "…";
}
