using System.Text.Json;
using DnsExpert.Api.History;
using DnsExpert.Engine.RuleBases;
using DnsExpert.Readers.Collection;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace DnsExpert.Api.Endpoints;

/// <summary>
/// Liveness and readiness through ASP.NET Core health checks: <c>/healthz</c> runs none (the process serves requests),
/// <c>/readyz</c> runs the <c>ready</c> ones (the history store answers). Neither is rate-limited: a probe answered 429
/// would restart the pod.
/// </summary>
public static class HealthApi
{
    private const string Ready = "ready";

    public static IServiceCollection AddDnsExpertHealthChecks(this IServiceCollection services)
    {
        services.AddHealthChecks().AddCheck<HistoryHealthCheck>("history", tags: [Ready]);
        services.AddSingleton<Readiness>();
        return services;
    }

    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/healthz", new HealthCheckOptions
        {
            Predicate = _ => false,
            ResponseWriter = (context, _) => context.Response.WriteAsJsonAsync(new { status = "ok" }),
        }).WithDisplayName("Liveness").DisableRateLimiting();
        app.MapHealthChecks("/readyz", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(Ready),
            ResponseWriter = app.ServiceProvider.GetRequiredService<Readiness>().WriteAsync,
        }).WithDisplayName("Readiness").DisableRateLimiting();
        return app;
    }

    /// <summary>
    /// What readiness rests on, and what is only reported: the rule base, the store, whether a cluster is configured
    /// (<paramref name="collector"/>, null when none is).
    /// </summary>
    private sealed class Readiness(DirectoryRuleBaseProvider rules, HistoryState history, ILiveSnapshotCollector? collector = null)
    {
        public Task WriteAsync(HttpContext context, HealthReport report)
        {
            var body = new
            {
                status = report.Status == HealthStatus.Healthy ? "ready" : "not ready",
                rules = rules.Current.Rules.Count,
                ruleBase = new { version = rules.Status.Version, loadedAt = rules.Status.LoadedAt, lastReloadError = rules.Status.LastReloadError },
                history = history.Store is null ? "off" : history.Ready ? $"{history.Store.Kind}: ok" : $"{history.Store.Kind}: {history.Error}",
                cluster = collector is null
                    ? "not configured (offline: diagnoses snapshots sent in requests)"
                    : "configured (requests without a snapshot are collected live)",
            };
            return context.Response.WriteAsJsonAsync(body, JsonSerializerOptions.Web);
        }
    }

    /// <summary>The history store is initialised and answers within 2 s (ready when the history is switched off).</summary>
    private sealed class HistoryHealthCheck(HistoryState history) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            await history.CheckAsync(TimeSpan.FromSeconds(2), cancellationToken);
            return history.Store is null || history.Ready
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy(history.Error);
        }
    }
}
