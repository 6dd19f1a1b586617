using System.Text.Json;
using System.Threading.Channels;
using DnsExpert.Api.History;
using DnsExpert.Contract;
using DnsExpert.Diagnosis;
using DnsExpert.History;
using DnsExpert.Rendering.Escaping;
using Microsoft.Extensions.Options;

namespace DnsExpert.Api.Async;

/// <summary>
/// Runs diagnoses and keeps them in the history: synchronously for <c>POST /api/v1/diagnoses</c>, or queued for
/// <c>?wait=false</c> (a bounded queue drained by <see cref="DiagnosisWorker"/>). A queued diagnosis is stored as running
/// when it is queued and completed or failed when it ends; a synchronous one is stored once, when it ends; then its
/// callback, if any, is queued for the delivery workers (<see cref="CallbackDispatcher"/>), so a receiver never holds a
/// diagnosis worker. The history keeps the request as <see cref="StoredRequest"/> redacts it, and the response's
/// <c>collection</c> says what of each pasted output it left out; the diagnosis itself reads the request as sent.
/// </summary>
public sealed partial class DiagnosisCoordinator(
    IDiagnosisService service, HistoryState history, CallbackDispatcher callbacks, IOptions<AsyncOptions> options, TimeProvider time,
    Hosting.PublicLinks publicLinks, ILogger<DiagnosisCoordinator> logger)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>A diagnosis as a callback delivers it: as the API answers it (<see cref="JsonText"/>).</summary>
    public static readonly JsonSerializerOptions ResponseJson = JsonText.ForResponses(new(JsonSerializerDefaults.Web));

    private readonly Channel<Job> _queue = Channel.CreateBounded<Job>(new BoundedChannelOptions(options.Value.QueueCapacity)
    {
        FullMode = BoundedChannelFullMode.Wait, SingleReader = false, SingleWriter = false,
    });

    internal ChannelReader<Job> Queue => _queue.Reader;

    /// <summary>Diagnoses now and returns the result; storing it is best effort (a store outage never loses the answer).</summary>
    public Task<DiagnosisResponse> RunAsync(DiagnosisRequest request, CancellationToken cancellationToken) => RunAsync(request, previousId: null, cancellationToken);

    /// <summary>Diagnoses now, as a refinement of <paramref name="previousId"/> when it is given (the history keeps the chain).</summary>
    public Task<DiagnosisResponse> RunAsync(DiagnosisRequest request, string? previousId, CancellationToken cancellationToken) =>
        RunAsync(request, previousId, createdBy: null, cancellationToken);

    /// <summary>Diagnoses now; the history records <paramref name="createdBy"/> (the caller's principal) as its creator.</summary>
    public async Task<DiagnosisResponse> RunAsync(DiagnosisRequest request, string? previousId, string? createdBy, CancellationToken cancellationToken)
    {
        var id = DiagnosisService.NewId(time);
        var kept = StoredRequest.Keep(request);
        var start = new DiagnosisStart(id, time.GetUtcNow(), kept.Request, previousId, createdBy);
        var response = await DiagnoseAndStoreAsync(
            id, request, previousId, history.Store is null ? null : kept.Notes, unwritten: start, publicLinks.Base(), cancellationToken);
        return request.CallbackUrl is { } url
            ? response.With(callback: await callbacks.EnqueueAsync(url, response, stored: response.Links is not null))
            : response;
    }

    /// <summary>
    /// Reserves an id, stores the diagnosis as running and queues it. Null when the queue is full (the caller answers
    /// 503 with Retry-After). The job holds the body's <paramref name="admission"/> (<see cref="Hosting.BodyAdmission"/>) until it ends.
    /// </summary>
    /// <exception cref="HistoryUnavailableException">The history is off or unreachable: an async result would be lost.</exception>
    public Task<DiagnosisResponse?> EnqueueAsync(DiagnosisRequest request, Hosting.AdmittedBody? admission, CancellationToken cancellationToken) =>
        EnqueueAsync(request, admission, previousId: null, cancellationToken);

    /// <summary>Queues a diagnosis, as a refinement of <paramref name="previousId"/> when it is given.</summary>
    /// <exception cref="HistoryUnavailableException">The history is off or unreachable: an async result would be lost.</exception>
    public Task<DiagnosisResponse?> EnqueueAsync(DiagnosisRequest request, Hosting.AdmittedBody? admission, string? previousId, CancellationToken cancellationToken) =>
        EnqueueAsync(request, admission, previousId, createdBy: null, cancellationToken);

    /// <summary>Queues a diagnosis created by <paramref name="createdBy"/> (the caller's principal).</summary>
    /// <exception cref="HistoryUnavailableException">The history is off or unreachable: an async result would be lost.</exception>
    public Task<DiagnosisResponse?> EnqueueAsync(
        DiagnosisRequest request, Hosting.AdmittedBody? admission, string? previousId, string? createdBy, CancellationToken cancellationToken) =>
        EnqueueAsync(request, admission, previousId, createdBy, reply: null, cancellationToken);

    /// <summary>
    /// Queues a diagnosis whose result, when it ends (completed or failed), is also handed to <paramref name="reply"/>
    /// (a chat command's answer, queued for the delivery workers).
    /// </summary>
    /// <exception cref="HistoryUnavailableException">The history is off or unreachable: an async result would be lost.</exception>
    public async Task<DiagnosisResponse?> EnqueueAsync(
        DiagnosisRequest request, Hosting.AdmittedBody? admission, string? previousId, string? createdBy,
        Func<DiagnosisResponse, Task>? reply, CancellationToken cancellationToken)
    {
        var store = history.Store ?? throw new HistoryUnavailableException("the history is switched off (DnsExpert:History:Provider=none); use wait=true");
        var id = DiagnosisService.NewId(time);
        var createdAt = time.GetUtcNow();
        var kept = StoredRequest.Keep(request);
        try
        {
            await store.BeginAsync(new DiagnosisStart(id, createdAt, kept.Request, previousId, createdBy), cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new HistoryUnavailableException($"the {store.Kind} history store is unreachable: {ex.Message}", ex);
        }

        var held = admission?.Transfer();
        var linkBase = publicLinks.Base();
        if (!_queue.Writer.TryWrite(new Job(id, request, held, previousId, kept.Notes, reply, linkBase)))
        {
            held?.Dispose();
            await TryAsync(id, () => store.FailAsync(id, "not run: the queue of asynchronous diagnoses was full", time.GetUtcNow(), CancellationToken.None));
            return null;
        }

        return (await store.GetAsync(id, cancellationToken))!.With(links: Hosting.PublicLinks.Build(linkBase, id, previousId));
    }

    /// <summary>Runs one queued job under the async deadline (called by the worker).</summary>
    internal async Task ProcessAsync(Job job, CancellationToken stoppingToken)
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
        deadline.CancelAfter(options.Value.Deadline);
        DiagnosisResponse response;
        try
        {
            response = await DiagnoseAndStoreAsync(job.Id, job.Request, job.PreviousId, job.StoredNotes ?? [], unwritten: null, job.LinkBase, deadline.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or LiveCollectionUnavailableException)
        {
            // Failed and stored as failed by DiagnoseAndStoreAsync.
            response = (await store.GetAsync(job.Id, CancellationToken.None))!;
        }

        if (job.Request.CallbackUrl is { } url)
        {
            await callbacks.EnqueueAsync(url, response, stored: true);
        }

        if (job.Reply is { } reply)
        {
            await reply(response);
        }
    }

    /// <summary>
    /// Diagnoses; when the request is kept (<paramref name="storedNotes"/> not null), stores the result with what the kept
    /// request left out: the running record's completion, or, for a diagnosis not written yet (<paramref name="unwritten"/>,
    /// a synchronous one), the whole record in one transaction (a failure is written as it starts, then failed); and
    /// links it under <paramref name="linkBase"/> (the base of the request that asked).
    /// </summary>
    private async Task<DiagnosisResponse> DiagnoseAndStoreAsync(
        string id, DiagnosisRequest request, string? previousId, IReadOnlyList<CollectionEntry>? storedNotes, DiagnosisStart? unwritten,
        Uri? linkBase, CancellationToken cancellationToken)
    {
        var store = storedNotes is not null ? history.Store : null;
        DiagnosisResponse response;
        try
        {
            response = (await service.DiagnoseAsync(request, id, cancellationToken)).With(previousId: previousId);
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
                : response.With(collection: [.. response.Collection, new CollectionEntry("history", CollectionStatus.Failed, $"not stored: {history.Error ?? "the store failed"}")]);
        }

        response = response.With(collection: StoredRequest.WithStoredNotes(response.Collection, storedNotes!));
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
            ? response.With(links: Hosting.PublicLinks.Build(linkBase, id, previousId))
            : response.With(collection: [.. response.Collection, new CollectionEntry("history", CollectionStatus.Failed, "not stored: the history store failed; see the service log")]);
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

    /// <summary>A queued diagnosis, holding its body's admission until it ends, and the base its links are made under.</summary>
    internal sealed record Job(
        string Id, DiagnosisRequest Request, IDisposable? Admission, string? PreviousId = null, IReadOnlyList<CollectionEntry>? StoredNotes = null,
        Func<DiagnosisResponse, Task>? Reply = null, Uri? LinkBase = null);

    [LoggerMessage(Level = LogLevel.Warning, Message = "History store failed for diagnosis {Id}")]
    private static partial void LogStoreFailed(ILogger logger, string id, Exception exception);
}
