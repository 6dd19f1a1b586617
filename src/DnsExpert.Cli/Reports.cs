using System.Text.Json;
using DnsExpert.Contract;
using DnsExpert.Readers.Classification;
using DnsExpert.Rendering;

namespace DnsExpert.Cli;

/// <summary>
/// What the CLI prints, in the format asked for: <c>auto</c> is the one for people in a terminal (Markdown, or text) and
/// JSON, as the API answers it, when the output is piped.
/// </summary>
internal static class Reports
{
    /// <summary>
    /// A diagnosis in the format asked for (<c>auto</c>: Markdown in a terminal, JSON when piped), Markdown coloured when
    /// <paramref name="color"/> and the terminal say so; the first next checks or all.
    /// </summary>
    public static string Diagnosis(DiagnosisResponse response, string format, string color, bool allChecks, DnsExpertCli.Terminal terminal)
    {
        var output = DiagnosisFormats.Find(format) ?? (terminal.Output ? DiagnosisFormats.Markdown : DiagnosisFormats.Json);
        var text = output.Render(response, allChecks);
        return output.IsMarkdown && TerminalReport.UseColor(color, terminal.Output) ? TerminalReport.Colorize(text) : text;
    }

    /// <summary>What an error message means, as text (parts of the message shown back with control characters as carets, as the terminal report does) or JSON.</summary>
    public static string Classification(ClassificationResult result, string format, DnsExpertCli.Terminal terminal)
    {
        if (format is "json" || (format is "auto" && !terminal.Output))
        {
            return JsonSerializer.Serialize(result, DnsExpertJson.IndentedResponses);
        }

        var lines = new List<string> { $"class: {JsonSerializer.Serialize(result.Class, DnsExpertJson.IndentedResponses).Trim('"')}" };
        lines.AddRange(new[] { ("name", result.Name), ("server", result.Server), ("client", result.Client) }
            .Where(p => p.Item2 is not null).Select(p => $"{p.Item1}: {TerminalReport.Sanitize(p.Item2!)}"));
        lines.Add(TerminalReport.Sanitize(result.Explanation));
        return string.Join('\n', lines);
    }
}
