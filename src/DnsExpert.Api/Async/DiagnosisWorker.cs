using DnsExpert.Diagnosis.Application;
using Microsoft.Extensions.Options;

namespace DnsExpert.Api.Async;

/// <summary>Drains the asynchronous queue with <c>DnsExpert:Async:Workers</c> diagnoses at a time.</summary>
public sealed partial class DiagnosisWorker(DiagnosisWorkflow workflow, IOptions<AsyncOptions> options, ILogger<DiagnosisWorker> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Enumerable.Range(0, options.Value.Workers).Select(_ => Task.Run(() => DrainAsync(stoppingToken), stoppingToken)));

    private async Task DrainAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var job in workflow.Queue.ReadAllAsync(stoppingToken))
            {
                try
                {
                    await workflow.ProcessAsync(job, stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    LogJobFailed(logger, job.Id, ex);
                }
                finally
                {
                    job.Admission?.Dispose();
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: queued diagnoses stay running in the store and the sweep marks them failed.
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Asynchronous diagnosis {Id} failed")]
    private static partial void LogJobFailed(ILogger logger, string id, Exception exception);
}
