using System.Text.Json.Serialization;

namespace DnsExpert.Contract;

/// <summary>The result of a diagnosis.</summary>
// A record: what the history and the edge know of a diagnosis beyond the diagnosis itself (its status, callback
// delivery, previous id, tracker issues, links, what keeping it noted) each sets with `with` where it knows it.
public sealed record DiagnosisResponse
{
    public required string Id { get; init; }

    /// <summary><c>running</c> while an asynchronous diagnosis works, then <c>completed</c> or <c>failed</c>.</summary>
    public DiagnosisStatus Status { get; init; } = DiagnosisStatus.Completed;

    /// <summary>When the diagnosis was requested.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? CreatedAt { get; init; }

    /// <summary>When it completed or failed.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? CompletedAt { get; init; }

    /// <summary>Wall time of the whole diagnosis (collection, probes, rules), in milliseconds.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? DurationMs { get; init; }

    /// <summary>The pod the request was about.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public TargetRef? Target { get; init; }

    /// <summary>The failing name the request was about.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Domain { get; init; }

    /// <summary>Why a failed diagnosis failed.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Error { get; init; }

    public required ClassificationResult Classification { get; init; }

    /// <summary>Root causes, most severe and most specific first.</summary>
    public required IReadOnlyList<Finding> Findings { get; init; }

    /// <summary>What was read, and what could not be.</summary>
    public required IReadOnlyList<CollectionEntry> Collection { get; init; }

    /// <summary>The failing pod's DNS path hop by hop (pod, NodeLocal DNSCache, kube-dns, CoreDNS pods, upstreams), each with what the evidence says.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<DnsPathHop>? DnsPath { get; init; }
    /// <summary>
    /// The causes the guide routes this symptom to: confirmed (a finding), ruled out (the facts were there), or
    /// unverified with the checks that would tell; the cheap checks first, the packet capture last.
    /// </summary>
    public IReadOnlyList<Hypothesis> Hypotheses { get; init; } = [];

    /// <summary>
    /// The commands of the unverified hypotheses, each once, in the order of what they decide: a check that answers for
    /// more of the likely causes, or that follows from what the evidence already showed (the kube-dns ClusterIP timed
    /// out: dig a CoreDNS pod IP), comes first; one that can be pasted as given before one with a value to fill in. A
    /// chat answer shows the first few. Files to share (a packet capture) are not among them.
    /// </summary>
    public IReadOnlyList<SuggestedCheck> NextChecks { get; init; } = [];

    /// <summary>Where to read this diagnosis again (<c>self</c>, <c>report</c>, <c>ticket</c>), when it is kept in the history.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyDictionary<string, string>? Links { get; init; }

    /// <summary>The delivery of the result to <c>callbackUrl</c>, when the request named one.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public CallbackDelivery? Callback { get; init; }

    /// <summary>The diagnosis this one refines with more evidence (<c>POST /api/v1/diagnoses/{id}/evidence</c>); see <c>links.previous</c>.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? PreviousId { get; init; }

    /// <summary>The issues created for this diagnosis in a tracker (<c>POST /api/v1/diagnoses/{id}/ticket/jira</c>), when any was.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<TrackerIssue>? Issues { get; init; }
}

/// <summary>An issue created for a diagnosis in a tracker: which tracker (<c>jira</c>), the issue's key, where to browse it, and when.</summary>
public sealed record TrackerIssue(string Tracker, string Key, string Url, DateTimeOffset CreatedAt);

/// <summary>Where the delivery of a diagnosis to its <c>callbackUrl</c> stands.</summary>
public sealed record CallbackDelivery(
    CallbackState State,
    DateTimeOffset UpdatedAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] int Attempts = 0,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? LastError = null);

[JsonConverter(typeof(JsonStringEnumConverter<CallbackState>))]
public enum CallbackState
{
    /// <summary>Queued or being delivered (retries included).</summary>
    [JsonStringEnumMemberName("pending")] Pending,

    /// <summary>The receiver answered 2xx.</summary>
    [JsonStringEnumMemberName("delivered")] Delivered,

    /// <summary>Given up: refused, retries or the delivery time used up, or the callback queue full.</summary>
    [JsonStringEnumMemberName("failed")] Failed,
}

[JsonConverter(typeof(JsonStringEnumConverter<DiagnosisStatus>))]
public enum DiagnosisStatus
{
    [JsonStringEnumMemberName("running")] Running,
    [JsonStringEnumMemberName("completed")] Completed,
    [JsonStringEnumMemberName("failed")] Failed,
}

/// <summary>The class of a client's error message (KNOWLEDGE.md section 1).</summary>
public sealed class ClassificationResult
{
    public required SymptomClass Class { get; init; }
    public required string Explanation { get; init; }

    /// <summary>The client the message came from, when recognised (curl, ping, go, php, dig).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Client { get; init; }

    /// <summary>The name the message is about, when it names one.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Name { get; init; }

    /// <summary>The DNS server the message names, when it names one.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Server { get; init; }

    /// <summary>
    /// The URL the application passed where a host name belongs (<c>getaddrinfo ENOTFOUND http://orders...</c>): the
    /// application's bug, said first in <see cref="Explanation"/>; <see cref="Name"/> is then the URL's host.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Url { get; init; }
}

[JsonConverter(typeof(JsonStringEnumConverter<SymptomClass>))]
public enum SymptomClass
{
    [JsonStringEnumMemberName("name-not-found")] NameNotFound,
    [JsonStringEnumMemberName("server-unreachable")] ServerUnreachable,
    [JsonStringEnumMemberName("ambiguous")] Ambiguous,
    [JsonStringEnumMemberName("unknown")] Unknown,
}

[JsonConverter(typeof(JsonStringEnumConverter<Severity>))]
public enum Severity
{
    [JsonStringEnumMemberName("info")] Info = 0,
    [JsonStringEnumMemberName("warning")] Warning = 1,
    [JsonStringEnumMemberName("critical")] Critical = 2,
}

/// <summary>A root cause, with the evidence that proves it and what to do.</summary>
public sealed class Finding
{
    public required string RuleId { get; init; }
    public required Severity Severity { get; init; }
    public required string Title { get; init; }
    public required string Cause { get; init; }
    public required IReadOnlyList<Evidence> Evidence { get; init; }
    public required IReadOnlyList<Remediation> Remediation { get; init; }

    /// <summary>What to attach to a support ticket, for findings the guide routes to one.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public TicketPayload? Ticket { get; init; }

    /// <summary>The other findings of this diagnosis that this one explains (its effects, by rule id); ranked after it.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? Explains { get; init; }

    /// <summary>The findings of this diagnosis that explain this one (its causes, by rule id); ranked before it.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? ExplainedBy { get; init; }
}

public sealed record Evidence(string Source, string Detail);

public sealed class Remediation
{
    public required string Summary { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Command { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Snippet { get; init; }
}

/// <summary>The facts a support engineer asks for (the guide's ticket table).</summary>
public sealed class TicketPayload
{
    public required IReadOnlyList<TicketEntry> Entries { get; init; }

    /// <summary>Nodes hosting CoreDNS and their cloud instance ids (from <c>spec.providerID</c>).</summary>
    public required IReadOnlyList<TicketNode> CoreDnsNodes { get; init; }
}

/// <summary>One failing external name: name, response code and time to the second.</summary>
public sealed record TicketEntry(string Name, string Rcode, string? Time, string? CoreDnsPod);

public sealed record TicketNode(string Node, string? InstanceId);

/// <summary>The status of one source of facts: what was read, how long it took, and what went wrong.</summary>
public sealed record CollectionEntry(
    string Source,
    CollectionStatus Status,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Detail = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? DurationMs = null);

[JsonConverter(typeof(JsonStringEnumConverter<CollectionStatus>))]
public enum CollectionStatus
{
    [JsonStringEnumMemberName("ok")] Ok,
    [JsonStringEnumMemberName("partial")] Partial,
    [JsonStringEnumMemberName("failed")] Failed,
    [JsonStringEnumMemberName("forbidden")] Forbidden,
    [JsonStringEnumMemberName("skipped")] Skipped,
}
