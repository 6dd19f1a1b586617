using System.Text.Json;
using DnsExpert.Contract;

namespace DnsExpert.Rendering;

/// <summary>
/// One way to write a diagnosis for whoever reads it: its name (what <c>?format=</c> and the CLI's <c>-o</c> take), the
/// media type it is served as, what it is for, and how it is rendered (<c>allChecks</c>: every next check rather than
/// the first few, where the format keeps to few).
/// </summary>
public sealed record DiagnosisFormat(string Name, string MediaType, string Summary, Func<DiagnosisResponse, bool, string> Render)
{
    /// <summary>Markdown for a person (<c>text/markdown</c>), which a terminal may colour.</summary>
    public bool IsMarkdown => MediaType == DiagnosisFormats.MarkdownMediaType;
}

/// <summary>
/// Every output format, registered here and only here: the API's <c>?format=</c> (and its OpenAPI enum) and the CLI's
/// <c>-o</c> read this list, so a new format is its renderer, one line below, its fixture and its test.
/// </summary>
public static class DiagnosisFormats
{
    public const string MarkdownMediaType = "text/markdown";

    /// <summary>The diagnosis as the API answers it (the CLI indents it; the API writes it with its links).</summary>
    public static readonly DiagnosisFormat Json = new("json", "application/json", "the diagnosis as the API answers it",
        (response, _) => JsonSerializer.Serialize(response, DnsExpertJson.IndentedResponses));

    public static readonly DiagnosisFormat Markdown = new("markdown", MarkdownMediaType, "a report for chat, tickets and terminals",
        MarkdownReport.Render);

    public static readonly DiagnosisFormat Slack = new("slack", "application/json", "a Slack Block Kit message (chat.postMessage, incoming webhooks)",
        (response, _) => SlackReport.Render(response).ToJsonString());

    public static readonly DiagnosisFormat Teams = new("teams", "application/json", "a Microsoft Teams message: an Adaptive Card 1.5 for incoming webhooks and Workflows",
        (response, _) => TeamsReport.Render(response).ToJsonString());

    public static readonly DiagnosisFormat Jira = new("jira", "application/json", "a Jira issue's fields, the description in Atlassian Document Format",
        (response, _) => JiraIssue.Render(response).ToJsonString());

    public static IReadOnlyList<DiagnosisFormat> All { get; } = [Json, Markdown, Slack, Teams, Jira];

    /// <summary>The format named <paramref name="name"/>, in any case; null for another name.</summary>
    public static DiagnosisFormat? Find(string? name) => All.FirstOrDefault(f => string.Equals(f.Name, name, StringComparison.OrdinalIgnoreCase));
}
