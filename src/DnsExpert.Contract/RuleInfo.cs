namespace DnsExpert.Contract;

/// <summary>One rule of the loaded knowledge base, as the catalogue shows it.</summary>
public sealed record RuleInfo(string Id, string Title, Severity Severity, string Description, IReadOnlyList<string> Facts, string? Guide, string File)
{
    /// <summary>The symptoms the guide routes to this cause (empty lists: any), and the rows of its table that list it.</summary>
    public RuleRoutingInfo Routing { get; init; } = RuleRoutingInfo.Any;
}

/// <summary>A rule's routing: the frequencies, name kinds and error classes it is a cause for; <c>listedUnder</c> orders the hypotheses.</summary>
public sealed record RuleRoutingInfo(IReadOnlyList<string> Frequency, IReadOnlyList<string> NameKind, IReadOnlyList<string> SymptomClass, IReadOnlyList<string> ListedUnder)
{
    public static RuleRoutingInfo Any { get; } = new([], [], [], []);
}
