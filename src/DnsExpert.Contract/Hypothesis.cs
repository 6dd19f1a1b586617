using System.Text.Json.Serialization;

namespace DnsExpert.Contract;

/// <summary>
/// A cause the guide routes this symptom to (a rule whose <c>routing</c> matches the reported frequency, error class
/// and name kind), and where the evidence leaves it.
/// </summary>
public sealed class Hypothesis
{
    /// <summary>The rule that proves the cause; a <c>confirmed</c> hypothesis is the finding with this id.</summary>
    public required string RuleId { get; init; }

    public required string Title { get; init; }

    public required HypothesisStatus Status { get; init; }

    /// <summary>
    /// Why it has this status: the finding; what the facts that were read showed (<c>2 CoreDNS pods: both Ready, 0
    /// restarts; ...</c>, at most 1,200 characters whatever the snapshot); or what is missing.
    /// </summary>
    public required string Reason { get; init; }

    /// <summary>The fact types the rule reads that the diagnosis did not have (<c>unverified</c>).</summary>
    public IReadOnlyList<string> Missing { get; init; } = [];

    /// <summary>The commands that collect them, cheapest first, and where their output goes.</summary>
    public IReadOnlyList<NextCheck> Checks { get; init; } = [];
}

/// <summary>
/// A command to run (its values shell-quoted; <c>&lt;pod&gt;</c> marks one to fill in), why, and where its output goes
/// in a follow-up request, or, for a command that leaves a file DnsExpert does not read (a packet capture), how to
/// share that file (<see cref="Paste"/> then starts with <see cref="NotPasted"/>).
/// </summary>
public sealed record NextCheck(string Command, string Why, string Paste)
{
    /// <summary>How <see cref="Paste"/> starts for a check whose result is a file to share, not an output to paste.</summary>
    public const string NotPasted = "not pasted: DnsExpert does not read this file;";

    /// <summary>Its output goes into a follow-up request (not a file to share).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool Pasted => !Paste.StartsWith(NotPasted, StringComparison.Ordinal);
}

/// <summary>
/// A command to run next, once however many causes it checks, with those causes (rule ids): the
/// <see cref="DiagnosisResponse.NextChecks"/> are in the order of what they decide.
/// </summary>
public sealed record SuggestedCheck(string Command, string Why, string Paste, IReadOnlyList<string> RuleIds)
{
    /// <summary>The check without the causes it tells apart.</summary>
    public NextCheck Check => new(Command, Why, Paste);
}

[JsonConverter(typeof(JsonStringEnumConverter<HypothesisStatus>))]
public enum HypothesisStatus
{
    /// <summary>The rule fired: see the finding with the same rule id.</summary>
    [JsonStringEnumMemberName("confirmed")] Confirmed,

    /// <summary>Every fact type the rule reads was there and it did not fire.</summary>
    [JsonStringEnumMemberName("ruled-out")] RuledOut,

    /// <summary>Some fact types it reads are missing: run the checks.</summary>
    [JsonStringEnumMemberName("unverified")] Unverified,
}
