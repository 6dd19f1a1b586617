using DnsExpert.Contract;

namespace DnsExpert.History;

/// <summary>
/// Every diagnosis, kept so that a ticket link works days later. A queued diagnosis is written twice: once when it is
/// queued (<c>running</c>, a complete record by itself, which the caller polls) and once, in one transaction, when it
/// ends; a crash in between leaves a running record that the sweep marks failed, never a half-written one. A synchronous
/// diagnosis, which nobody can look up before it answers, is written once, when it ends (<see cref="AddCompletedAsync"/>).
/// </summary>
public interface IDiagnosisStore
{
    /// <summary><c>sqlite</c> or <c>postgres</c>.</summary>
    string Kind { get; }

    /// <summary>Creates the schema if needed (safe when several replicas start together).</summary>
    Task InitializeAsync(CancellationToken cancellationToken);

    /// <summary>Throws when the store cannot be reached.</summary>
    Task PingAsync(CancellationToken cancellationToken);

    /// <summary>Stores a diagnosis as running (a queued one, before it starts).</summary>
    Task BeginAsync(DiagnosisStart start, CancellationToken cancellationToken);

    /// <summary>
    /// Stores a diagnosis that ran to its end before anything of it was written (a synchronous one) in one transaction,
    /// as <see cref="BeginAsync"/> then <see cref="CompleteAsync"/> would leave it.
    /// </summary>
    Task AddCompletedAsync(DiagnosisStart start, DiagnosisResponse response, CancellationToken cancellationToken);

    /// <summary>Who may see a diagnosis: its target's namespace and the principal that created it; null when it is not kept.</summary>
    Task<DiagnosisAccess?> GetAccessAsync(string id, CancellationToken cancellationToken);

    /// <summary>Stores the result; false when the record is no longer running (already completed, failed or deleted).</summary>
    Task<bool> CompleteAsync(DiagnosisResponse response, CancellationToken cancellationToken);

    Task<bool> FailAsync(string id, string error, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>The diagnosis with its callback's delivery state, if it has one.</summary>
    Task<DiagnosisResponse?> GetAsync(string id, CancellationToken cancellationToken);

    /// <summary>Records where the delivery of a diagnosis to its callback stands (independent of the diagnosis' own status).</summary>
    Task SetCallbackAsync(string id, CallbackDelivery delivery, CancellationToken cancellationToken);

    /// <summary>
    /// Reserves the creation of <paramref name="tracker"/>'s issue for diagnosis <paramref name="id"/>, so that two callers
    /// never both create one: true when this caller may create it; false when one was created, or when another creation
    /// began at or after <paramref name="staleBefore"/> (an older reservation that never finished is taken over).
    /// </summary>
    Task<bool> ReserveIssueAsync(string id, string tracker, DateTimeOffset now, DateTimeOffset staleBefore, CancellationToken cancellationToken);

    /// <summary>Records the issue created under a reservation (<see cref="ReserveIssueAsync"/>); it shows in <see cref="DiagnosisResponse.Issues"/>.</summary>
    Task SetIssueAsync(string id, TrackerIssue issue, CancellationToken cancellationToken);

    /// <summary>Drops a reservation whose creation failed, so that the issue may be created again; a created issue stays.</summary>
    Task ReleaseIssueAsync(string id, string tracker, CancellationToken cancellationToken);

    /// <summary>
    /// Claims <paramref name="item"/> of <paramref name="scope"/> (a chat message id, ...) as seen, for every replica
    /// that shares the store: true for the first claim, false while an earlier claim holds (until its
    /// <paramref name="keepUntil"/>; the sweep forgets it after that). Two replicas claiming at once: one gets true.
    /// </summary>
    Task<bool> ClaimOnceAsync(string scope, string item, DateTimeOffset now, DateTimeOffset keepUntil, CancellationToken cancellationToken);

    /// <summary>The diagnosis of an alert group (by a hash of its caller and Alertmanager's group key), if it has one or is starting one.</summary>
    Task<AlertGroupState?> GetAlertGroupAsync(string groupHash, CancellationToken cancellationToken);

    /// <summary>
    /// Replaces the group's state with <paramref name="next"/> (null: forgets it) only when it still is
    /// <paramref name="expected"/> (null: it has none): false when another replica changed it since it was read.
    /// </summary>
    Task<bool> ReplaceAlertGroupAsync(string groupHash, AlertGroupState? expected, AlertGroupState? next, CancellationToken cancellationToken);

    /// <summary>The newest diagnosis that refines <paramref name="id"/> with more evidence, if any.</summary>
    Task<string?> GetNextIdAsync(string id, CancellationToken cancellationToken);

    /// <summary>The request as it was stored (Secret data removed), for replay.</summary>
    Task<string?> GetRequestJsonAsync(string id, CancellationToken cancellationToken);

    /// <summary>
    /// The stored request's size in characters of its JSON, found without reading the request: what a refinement with
    /// more evidence will read back and diagnose again.
    /// </summary>
    Task<long?> GetRequestSizeAsync(string id, CancellationToken cancellationToken);

    Task<DiagnosisPage> ListAsync(DiagnosisQuery query, CancellationToken cancellationToken);

    /// <summary>
    /// Retention by age and count; running records and pending callbacks past their deadline marked failed (their
    /// replica stopped, or they waited that long in its queue).
    /// </summary>
    Task<SweepResult> SweepAsync(DateTimeOffset now, CancellationToken cancellationToken);
}

public sealed record SweepResult(int Deleted, int Abandoned);

/// <summary>
/// An alert group's diagnosis as the replicas share it: its id (null while a replica starts it) and when the group's
/// last notification came (or when the start began).
/// </summary>
public sealed record AlertGroupState(string? DiagnosisId, DateTimeOffset LastSeen);

/// <summary>
/// What access to a kept diagnosis depends on: the namespace of its target (null for a diagnosis without one) and the
/// principal that created it (null when it was created without authentication, or before the history recorded it).
/// </summary>
public sealed record DiagnosisAccess(string? Namespace, string? CreatedBy);

/// <summary>
/// A diagnosis as it starts: its id, when, the request as the history keeps it (<see cref="StoredRequest"/>), the
/// diagnosis it refines with more evidence (the chain of a conversation) and the principal that created it (null when anonymous).
/// </summary>
public sealed record DiagnosisStart(string Id, DateTimeOffset CreatedAt, DiagnosisRequest Request, string? PreviousId = null, string? CreatedBy = null);
