using System.Threading.Channels;
using DnsExpert.Api.History;
using DnsExpert.Core.Contract;
using Microsoft.Extensions.Options;

namespace DnsExpert.Api.Async;

/// <summary>
/// Result callbacks, isolated from diagnoses: a bounded queue of their own, drained by
/// <see cref="CallbackOptions.Workers"/> delivery workers of their own, each delivery bounded by
/// <see cref="CallbackOptions.MaxDeliveryTime"/>. A slow or silent receiver then holds one delivery worker for at most
/// that long and never a diagnosis worker, so it cannot delay a diagnosis, its deadline or the async queue. Where the
/// delivery stands (<c>pending</c>, <c>delivered</c>, <c>failed</c> with the last error) is kept on the diagnosis.
/// </summary>
public sealed partial class CallbackDispatcher(
    CallbackSender sender, HistoryState history, IOptions<CallbackOptions> options, TimeProvider time, ILogger<CallbackDispatcher> logger)
    : BackgroundService
{
    private volatile bool _stopping;

    private readonly Channel<Delivery> _queue = Channel.CreateBounded<Delivery>(new BoundedChannelOptions(options.Value.QueueCapacity)
    {
        FullMode = BoundedChannelFullMode.Wait, SingleReader = false, SingleWriter = false,
    });

    /// <summary>
    /// Queues the delivery of <paramref name="response"/> and records it as pending; never waits for the receiver. The
    /// returned state is what a caller answering now can say: pending, or failed when the queue is full.
    /// </summary>
    public async Task<CallbackDelivery> EnqueueAsync(string url, DiagnosisResponse response, bool stored)
    {
        var pending = new CallbackDelivery(CallbackState.Pending, time.GetUtcNow());
        if (stored)
        {
            await RecordAsync(response.Id, pending);
        }

        if (_queue.Writer.TryWrite(new Delivery(url, response, stored)))
        {
            return pending;
        }

        var full = new CallbackDelivery(CallbackState.Failed, time.GetUtcNow(), 0, _stopping
            ? "not delivered: the service was stopping"
            : $"not delivered: {options.Value.QueueCapacity} callbacks were already waiting (DnsExpert:Callbacks:QueueCapacity)");
        LogQueueFull(logger, response.Id);
        if (stored)
        {
            await RecordAsync(response.Id, full);
        }

        return full;
    }

    /// <summary>
    /// Stops taking callbacks and delivers those already queued until the host's shutdown timeout; what is left then
    /// stays pending in the store, and the sweep marks it failed.
    /// </summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping = true;
        _queue.Writer.TryComplete();
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
            await foreach (var delivery in _queue.Reader.ReadAllAsync(stoppingToken))
            {
                var outcome = await sender.SendAsync(delivery.Url, delivery.Response, DiagnosisCoordinator.ResponseJson, stoppingToken);
                if (delivery.Stored)
                {
                    await RecordAsync(delivery.Response.Id, outcome);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: undelivered callbacks stay pending in the store and the sweep marks them failed.
        }
    }

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

    private sealed record Delivery(string Url, DiagnosisResponse Response, bool Stored);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Callback for diagnosis {Id} not queued: the callback queue is full")]
    private static partial void LogQueueFull(ILogger logger, string id);

    [LoggerMessage(Level = LogLevel.Warning, Message = "History store failed recording the callback of diagnosis {Id}")]
    private static partial void LogStoreFailed(ILogger logger, string id, Exception exception);
}
