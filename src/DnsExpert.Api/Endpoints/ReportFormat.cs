namespace DnsExpert.Api.Endpoints;

/// <summary>
/// How a diagnosis is answered, as <c>?format=</c> names it in any case: the JSON response, a Markdown report for chat
/// and tickets, a Slack Block Kit message, a Microsoft Teams message (an Adaptive Card), or a Jira issue body (its fields,
/// the description in Atlassian Document Format). Bound by minimal APIs through <see cref="TryParse"/>, so another value is
/// a 400 naming <c>format</c>; OpenAPI shows it as a string enum (<see cref="Names"/>).
/// </summary>
public readonly record struct ReportFormat
{
    public static readonly ReportFormat Json = new("json");
    public static readonly ReportFormat Markdown = new("markdown");
    public static readonly ReportFormat Slack = new("slack");
    public static readonly ReportFormat Teams = new("teams");
    public static readonly ReportFormat Jira = new("jira");

    private static readonly ReportFormat[] All = [Json, Markdown, Slack, Teams, Jira];

    private ReportFormat(string name) => Name = name;

    public string Name { get; }

    public static IEnumerable<string> Names => All.Select(f => f.Name);

    public static bool TryParse(string? value, out ReportFormat format)
    {
        format = All.FirstOrDefault(f => string.Equals(f.Name, value, StringComparison.OrdinalIgnoreCase));
        return format.Name is not null;
    }

    public override string ToString() => Name;
}
