using DnsExpert.Api.History;
using DnsExpert.Contract;
using DnsExpert.Diagnosis.Application;
using DnsExpert.Rendering;
using Microsoft.Extensions.Options;

namespace DnsExpert.Api.Async;

/// <summary>
/// Result callbacks, isolated from diagnoses: bounded queues of their own, one per receiver (a URL's scheme, host and
/// port), drained in turn by <see cref="CallbackOptions.Workers"/> delivery workers of their own, at most
/// <see cref="CallbackOptions.MaxDeliveriesPerReceiver"/> of them on one receiver, each delivery bounded by
/// <see cref="CallbackOptions.MaxDeliveryTime"/>. A slow or silent receiver then holds a few delivery workers for at
/// most that long, never a diagnosis worker and never another receiver's turn: it delays only its own callbacks. Where
/// the delivery stands (<c>pending</c>, <c>delivered</c>, <c>failed</c> with the last error) is kept on the diagnosis.
/// </summary>
public sealed partial class CallbackDispatcher(
    CallbackSender sender, HistoryState history, IOptions<CallbackOptions> options, TimeProvider time, ILogger<CallbackDispatcher> logger)
    : BackgroundService, IDiagnosisNotifier
{
    private readonly ReceiverQueues<Delivery> _queue = new(
        options.Value.QueueCapacity, options.Value.ReceiverQueueCapacity, Math.Min(options.Value.MaxDeliveriesPerReceiver, options.Value.Workers));

    /// <summary>
    /// Queues the delivery of <paramref name="response"/> and records it as pending; never waits for the receiver. The
    /// returned state is what a caller answering now can say: pending, or failed when the queue is full.
    /// </summary>
    public Task<CallbackDelivery> NotifyAsync(string url, DiagnosisResponse response, bool stored) =>
        EnqueueAsync(url, response.Id, stored, cancellationToken => sender.SendAsync(url, response, DnsExpertJson.Responses, cancellationToken));

    /// <summary>
    /// Queues a delivery of diagnosis <paramref name="id"/> to <paramref name="url"/> that <paramref name="send"/> makes
    /// (a chat reply, say), in the receiver's turn like any callback; records it on the diagnosis when <paramref name="stored"/>.
    /// </summary>
    public async Task<CallbackDelivery> EnqueueAsync(string url, string id, bool stored, Func<CancellationToken, Task<CallbackDelivery>> send)
    {
        var pending = new CallbackDelivery(CallbackState.Pending, time.GetUtcNow());
        if (stored)
        {
            await RecordAsync(id, pending);
        }

        var receiver = Receiver(url);
        if (_queue.TryAdd(receiver, new Delivery(id, stored, send)) is not { } refusal)
        {
            return pending;
        }

        var full = new CallbackDelivery(CallbackState.Failed, time.GetUtcNow(), 0, refusal switch
        {
            ReceiverQueueRefusal.Completed => "not delivered: the service was stopping",
            ReceiverQueueRefusal.ReceiverFull =>
                $"not delivered: {options.Value.ReceiverQueueCapacity} callbacks to {receiver} were already waiting (DnsExpert:Callbacks:ReceiverQueueCapacity)",
            _ => $"not delivered: {options.Value.QueueCapacity} callbacks were already waiting (DnsExpert:Callbacks:QueueCapacity)",
        });
        LogQueueFull(logger, id);
        if (stored)
        {
            await RecordAsync(id, full);
        }

        return full;
    }

    /// <summary>
    /// Stops taking callbacks and delivers those already queued until the host's shutdown timeout; what is left then
    /// stays pending in the store, and the sweep marks it failed.
    /// </summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Complete();
        if (ExecuteTask is { } draining)
        {
            await Task.WhenAny(draining, Task.Delay(Timeout.Infinite, cancellationToken));
        }

        await base.StopAsync(cancellationToken);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Enumerable.Range(0, options.Value.Workers).Select(_ => Task.Run(() => DrainAsync(stoppingToken), stoppingToken)));

    private async Task DrainAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (await _queue.TakeAsync(stoppingToken) is ({ } receiver, { } delivery))
            {
                try
                {
                    var outcome = await delivery.Send(stoppingToken);
                    if (delivery.Stored)
                    {
                        await RecordAsync(delivery.Id, outcome);
                    }
                }
                finally
                {
                    _queue.Done(receiver);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: undelivered callbacks stay pending in the store and the sweep marks them failed.
        }
    }

    /// <summary>
    /// Whose turn a callback waits for: its URL's scheme, host and port, the way HTTP connection pools count servers
    /// (the URL was checked against the allow-list before it got here).
    /// </summary>
    internal static string Receiver(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) ? $"{uri.Scheme}://{uri.IdnHost.ToLowerInvariant()}:{uri.Port}" : url;

    private async Task RecordAsync(string id, CallbackDelivery delivery)
    {
        if (history.Store is not { } store)
        {
            return;
        }

        try
        {
            await store.SetCallbackAsync(id, delivery, CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogStoreFailed(logger, id, ex);
        }
    }

    private sealed record Delivery(string Id, bool Stored, Func<CancellationToken, Task<CallbackDelivery>> Send);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Callback for diagnosis {Id} not queued: the callback queue (or its receiver's) is full, or the service is stopping")]
    private static partial void LogQueueFull(ILogger logger, string id);

    [LoggerMessage(Level = LogLevel.Warning, Message = "History store failed recording the callback of diagnosis {Id}")]
    private static partial void LogStoreFailed(ILogger logger, string id, Exception exception);
}
