namespace DnsExpert.Api.Endpoints;

/// <summary>
/// Which next checks a Markdown answer lists, as <c>?checks=</c> names it in any case: the <c>first</c> few that decide
/// the most (the chat answer, by default) or <c>all</c> of them (<c>links.checks</c>). Bound through
/// <see cref="TryParse"/> like <see cref="ReportFormat"/>, so another value is a 400 naming <c>checks</c>.
/// </summary>
public readonly record struct CheckList
{
    public static readonly CheckList First = new("first");
    public static readonly CheckList All = new("all");

    private static readonly CheckList[] Every = [First, All];

    private CheckList(string name) => Name = name;

    public string Name { get; }

    public static IEnumerable<string> Names => Every.Select(c => c.Name);

    public static bool TryParse(string? value, out CheckList checks)
    {
        checks = Every.FirstOrDefault(c => string.Equals(c.Name, value, StringComparison.OrdinalIgnoreCase));
        return checks.Name is not null;
    }

    public override string ToString() => Name;
}
