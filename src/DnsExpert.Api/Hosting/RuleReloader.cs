using DnsExpert.Diagnosis;
using DnsExpert.Engine.RuleBases;
using Microsoft.Extensions.Options;

namespace DnsExpert.Api.Hosting;

/// <summary>
/// Checks the rule files every <see cref="RuleReloadOptions.Interval"/> and recompiles when they changed. A broken file
/// keeps the last good rule base; the error (file:line: reason) is logged and shown by <c>/readyz</c>.
/// </summary>
public sealed partial class RuleReloader(
    DirectoryRuleBaseProvider rules, IOptions<RuleReloadOptions> options, DiagnosisMetrics metrics, TimeProvider time, ILogger<RuleReloader> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled)
        {
            return;
        }

        using var timer = new PeriodicTimer(options.Value.Interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                var before = rules.Status;
                if (rules.ReloadIfChanged())
                {
                    metrics.RuleReload("ok");
                    LogReloaded(logger, rules.Status.Version, rules.Current.Rules.Count);
                }
                else if (rules.Status.LastReloadError is { } error && error != before.LastReloadError)
                {
                    metrics.RuleReload("failed");
                    LogReloadFailed(logger, error);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Rule base reloaded: version {Version}, {Count} rules")]
    private static partial void LogReloaded(ILogger logger, int version, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Rule base not reloaded, the last good one stays in use: {Error}")]
    private static partial void LogReloadFailed(ILogger logger, string error);
}
