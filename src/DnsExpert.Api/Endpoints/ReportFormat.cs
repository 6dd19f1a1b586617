using DnsExpert.Rendering;

namespace DnsExpert.Api.Endpoints;

/// <summary>
/// How a diagnosis is answered, as <c>?format=</c> names it in any case: one of <see cref="DiagnosisFormats.All"/> (the JSON
/// response, a Markdown report for chat and tickets, a Slack Block Kit message, a Microsoft Teams message, a Jira issue
/// body, ...). Bound by minimal APIs through <see cref="TryParse"/>, so another value is a 400 naming <c>format</c>;
/// OpenAPI shows it as a string enum (<see cref="Names"/>).
/// </summary>
public readonly record struct ReportFormat
{
    public static readonly ReportFormat Json = new(DiagnosisFormats.Json);
    public static readonly ReportFormat Markdown = new(DiagnosisFormats.Markdown);

    private ReportFormat(DiagnosisFormat output) => Output = output;

    /// <summary>The format as the renderers register it.</summary>
    public DiagnosisFormat Output { get; }

    public string Name => Output.Name;

    public static IEnumerable<string> Names => DiagnosisFormats.All.Select(f => f.Name);

    public static bool TryParse(string? value, out ReportFormat format)
    {
        format = DiagnosisFormats.Find(value) is { } output ? new ReportFormat(output) : default;
        return format.Output is not null;
    }

    public override string ToString() => Name;
}
