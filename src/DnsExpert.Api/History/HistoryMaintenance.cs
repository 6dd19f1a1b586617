using DnsExpert.History;
using Microsoft.Extensions.Options;

namespace DnsExpert.Api.History;

/// <summary>
/// Creates the schema (retrying while the database is unreachable, so a PostgreSQL that starts after the service only
/// delays readiness), then applies retention and marks abandoned diagnoses failed every <c>SweepInterval</c>.
/// </summary>
public sealed partial class HistoryMaintenance(HistoryState state, IOptions<HistoryOptions> options, TimeProvider time, ILogger<HistoryMaintenance> logger)
    : BackgroundService
{
    private bool _initialised;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        // One attempt before the server listens: with SQLite (the default) the history is ready at the first request.
        await TryInitialiseAsync(cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (state.Store is null)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            if (!_initialised)
            {
                await TryInitialiseAsync(stoppingToken);
                await Delay(_initialised ? TimeSpan.Zero : TimeSpan.FromSeconds(5), stoppingToken);
                continue;
            }

            try
            {
                var result = await state.Store.SweepAsync(time.GetUtcNow(), stoppingToken);
                state.Succeeded();
                if (result.Deleted + result.Abandoned > 0)
                {
                    LogSwept(logger, result.Deleted, result.Abandoned);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                state.Failed($"{state.Store.Kind}: {ex.GetType().Name}: {ex.Message}");
                LogSweepFailed(logger, ex);
            }

            await Delay(options.Value.SweepInterval, stoppingToken);
        }
    }

    private async Task TryInitialiseAsync(CancellationToken cancellationToken)
    {
        if (state.Store is null || _initialised)
        {
            return;
        }

        try
        {
            await state.Store.InitializeAsync(cancellationToken);
            _initialised = true;
            state.Initialised();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            state.Failed($"{state.Store.Kind}: {ex.GetType().Name}: {ex.Message}");
            LogInitFailed(logger, state.Store.Kind, ex.Message);
        }
    }

    private async Task Delay(TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, time, cancellationToken);
        }
        catch (OperationCanceledException)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "History retention: {Deleted} diagnoses deleted, {Abandoned} abandoned ones marked failed")]
    private static partial void LogSwept(ILogger logger, int deleted, int abandoned);

    [LoggerMessage(Level = LogLevel.Warning, Message = "History retention failed")]
    private static partial void LogSweepFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The {Kind} history store is not reachable yet ({Reason}); retrying")]
    private static partial void LogInitFailed(ILogger logger, string kind, string reason);
}
