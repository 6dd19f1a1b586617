using System.Threading.Channels;
using DnsExpert.Contract;
using DnsExpert.History;
using Microsoft.Extensions.Logging;

namespace DnsExpert.Diagnosis.Application;

/// <summary>
/// The one application service: diagnoses a <see cref="DiagnosisRun"/> and keeps it in the history, as a refinement of
/// the diagnosis it names, and tells its callback: synchronously (<see cref="RunAsync"/>: the REST endpoints with
/// <c>wait=true</c>, the samples, the CLI), or queued (<see cref="EnqueueAsync"/>: <c>?wait=false</c>, the Slack command,
/// the alert webhook; a bounded queue drained through <see cref="Queue"/> and <see cref="ProcessAsync"/>). A queued
/// diagnosis is stored as running when it is queued and completed or failed when it ends; a synchronous one is stored
/// once, when it ends; then its callback, if any, goes to the <see cref="IDiagnosisNotifier"/>, so a receiver never holds
/// a diagnosis. The history keeps the request as <see cref="StoredRequest"/> redacts it, and the response's
/// <c>collection</c> says what of each pasted output it left out; the diagnosis itself reads the request as sent.
/// Without a store (<see cref="IDiagnosisHistory.Store"/> null) and a notifier, it only diagnoses.
/// </summary>
public sealed partial class DiagnosisWorkflow(
    IDiagnosisService service, IDiagnosisHistory history, AsyncOptions options, TimeProvider time, ILogger<DiagnosisWorkflow> logger,
    IDiagnosisNotifier? notifier = null)
{
    private readonly Channel<QueuedDiagnosis> _queue = Channel.CreateBounded<QueuedDiagnosis>(new BoundedChannelOptions(options.QueueCapacity)
    {
        FullMode = BoundedChannelFullMode.Wait, SingleReader = false, SingleWriter = false,
    });

    /// <summary>The queued diagnoses, for the workers that run them (<see cref="ProcessAsync"/>).</summary>
    public ChannelReader<QueuedDiagnosis> Queue => _queue.Reader;

    /// <summary>Diagnoses now and returns the result; storing it is best effort (a store outage never loses the answer).</summary>
    /// <exception cref="LiveCollectionUnavailableException">The request has no snapshot and no live cluster is configured.</exception>
    public async Task<DiagnosisResponse> RunAsync(DiagnosisRun run, CancellationToken cancellationToken)
    {
        var id = DiagnosisService.NewId(time);
        // Without a store nothing is kept, so the request is not redacted for keeping either (the CLI).
        var kept = history.Store is null ? null : StoredRequest.Keep(run.Request);
        var start = kept is null ? null : new DiagnosisStart(id, time.GetUtcNow(), kept.Request, run.PreviousId, run.CreatedBy);
        var response = await DiagnoseAndStoreAsync(id, run, kept?.Notes, unwritten: start, cancellationToken);
        return run.Request.CallbackUrl is { } url && notifier is not null
            ? response with { Callback = await notifier.NotifyAsync(url, response, stored: response.Links is not null) }
            : response;
    }

    /// <summary>
    /// Reserves an id, stores the diagnosis as running and queues it; when it ends (completed or failed) its result also
    /// goes to <see cref="DiagnosisRun.Reply"/>. Null when the queue is full (the caller answers 503 with Retry-After).
    /// The job holds <see cref="DiagnosisRun.Admission"/> until it ends.
    /// </summary>
    /// <exception cref="HistoryUnavailableException">The history is off or unreachable: an async result would be lost.</exception>
    public async Task<DiagnosisResponse?> EnqueueAsync(DiagnosisRun run, CancellationToken cancellationToken)
    {
        var store = history.Store ?? throw new HistoryUnavailableException("the history is switched off (DnsExpert:History:Provider=none); use wait=true");
        var id = DiagnosisService.NewId(time);
        var createdAt = time.GetUtcNow();
        var kept = StoredRequest.Keep(run.Request);
        try
        {
            await store.BeginAsync(new DiagnosisStart(id, createdAt, kept.Request, run.PreviousId, run.CreatedBy), cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new HistoryUnavailableException($"the {store.Kind} history store is unreachable: {ex.Message}", ex);
        }

        var held = run.Admission?.Transfer();
        if (!_queue.Writer.TryWrite(new QueuedDiagnosis(id, run, held, kept.Notes)))
        {
            held?.Dispose();
            await TryAsync(id, () => store.FailAsync(id, "not run: the queue of asynchronous diagnoses was full", time.GetUtcNow(), CancellationToken.None));
            return null;
        }

        return (await store.GetAsync(id, cancellationToken))! with { Links = DiagnosisLinks.Build(run.LinkBase, id, run.PreviousId) };
    }

    /// <summary>Runs one queued diagnosis under the async deadline (called by a worker, which then disposes its admission).</summary>
    public async Task ProcessAsync(QueuedDiagnosis job, CancellationToken stoppingToken)
    {
        var store = history.Store!;
        DiagnosisResponse? current;
        try
        {
            current = await store.GetAsync(job.Id, stoppingToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogStoreFailed(logger, job.Id, ex);
            current = null;
        }

        if (current is not { Status: DiagnosisStatus.Running })
        {
            return;
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        deadline.CancelAfter(options.Deadline);
        DiagnosisResponse response;
        try
        {
            response = await DiagnoseAndStoreAsync(job.Id, job.Run, job.StoredNotes, unwritten: null, deadline.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or LiveCollectionUnavailableException)
        {
            // Failed and stored as failed by DiagnoseAndStoreAsync.
            response = (await store.GetAsync(job.Id, CancellationToken.None))!;
        }

        if (job.Run.Request.CallbackUrl is { } url && notifier is not null)
        {
            await notifier.NotifyAsync(url, response, stored: true);
        }

        if (job.Run.Reply is { } reply)
        {
            await reply(response);
        }
    }

    /// <summary>
    /// Diagnoses; when the request is kept (<paramref name="storedNotes"/> not null), stores the result with what the kept
    /// request left out: the running record's completion, or, for a diagnosis not written yet (<paramref name="unwritten"/>,
    /// a synchronous one), the whole record in one transaction (a failure is written as it starts, then failed); and
    /// links it under the run's link base (the base of the request that asked).
    /// </summary>
    private async Task<DiagnosisResponse> DiagnoseAndStoreAsync(
        string id, DiagnosisRun run, IReadOnlyList<CollectionEntry>? storedNotes, DiagnosisStart? unwritten, CancellationToken cancellationToken)
    {
        var store = storedNotes is not null ? history.Store : null;
        DiagnosisResponse response;
        try
        {
            response = (await service.DiagnoseAsync(run.Request, id, cancellationToken)) with { PreviousId = run.PreviousId };
        }
        catch (Exception ex)
        {
            if (store is not null)
            {
                var reason = ex switch
                {
                    OperationCanceledException when cancellationToken.IsCancellationRequested => "cancelled: the request was cancelled or its deadline passed",
                    LiveCollectionUnavailableException => ex.Message,
                    _ => $"internal error ({ex.GetType().Name})",
                };
                await TryAsync(id, async () =>
                {
                    if (unwritten is not null)
                    {
                        await store.BeginAsync(unwritten, CancellationToken.None);
                    }

                    return await store.FailAsync(id, reason, time.GetUtcNow(), CancellationToken.None);
                });
            }

            throw;
        }

        if (store is null)
        {
            return history.Store is null
                ? response
                : response with { Collection = [.. response.Collection, new CollectionEntry("history", CollectionStatus.Failed, $"not stored: {history.Error ?? "the store failed"}")] };
        }

        response = response with { Collection = StoredRequest.WithStoredNotes(response.Collection, storedNotes!) };
        var kept = await TryAsync(id, async () =>
        {
            if (unwritten is null)
            {
                return await store.CompleteAsync(response, CancellationToken.None);
            }

            await store.AddCompletedAsync(unwritten, response, CancellationToken.None);
            return true;
        });
        return kept
            ? response with { Links = DiagnosisLinks.Build(run.LinkBase, id, run.PreviousId) }
            : response with { Collection = [.. response.Collection, new CollectionEntry("history", CollectionStatus.Failed, "not stored: the history store failed; see the service log")] };
    }

    private async Task<bool> TryAsync(string id, Func<Task<bool>> action)
    {
        try
        {
            return await action();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogStoreFailed(logger, id, ex);
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "History store failed for diagnosis {Id}")]
    private static partial void LogStoreFailed(ILogger logger, string id, Exception exception);
}

/// <summary>
/// A queued diagnosis under its reserved id, holding its request's <see cref="Admission"/> until it ends, with what the
/// kept request left out (<see cref="StoredRequest"/>'s notes).
/// </summary>
public sealed record QueuedDiagnosis(string Id, DiagnosisRun Run, IDisposable? Admission, IReadOnlyList<CollectionEntry> StoredNotes);
