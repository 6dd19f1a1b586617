using DnsExpert.Api.History;
using DnsExpert.Core.Collection;
using DnsExpert.Engine.Diagnosis;

namespace DnsExpert.Api.Endpoints;

public static class HealthApi
{
    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", () => TypedResults.Ok(new { status = "ok" }))
            .WithTags("Health").WithName("Liveness").WithSummary("Liveness: the process serves requests")
            .DisableRateLimiting();
        app.MapGet("/readyz", Ready)
            .WithTags("Health").WithName("Readiness").DisableRateLimiting()
            .WithSummary("Readiness: the rule base is compiled and the history store reachable")
            .WithDescription("503 while the history store (SQLite file or PostgreSQL) is not initialised or unreachable. Whether a cluster is configured is reported, not required: offline mode is healthy.");
        return app;
    }

    internal static async Task<IResult> Ready(DirectoryRuleBaseProvider rules, HistoryState history, IServiceProvider services, CancellationToken cancellationToken)
    {
        await history.CheckAsync(TimeSpan.FromSeconds(2), cancellationToken);
        var ready = history.Store is null || history.Ready;
        var body = new
        {
            status = ready ? "ready" : "not ready",
            rules = rules.Current.Rules.Count,
            ruleBase = new { version = rules.Status.Version, loadedAt = rules.Status.LoadedAt, lastReloadError = rules.Status.LastReloadError },
            history = history.Store is null ? "off" : history.Ready ? $"{history.Store.Kind}: ok" : $"{history.Store.Kind}: {history.Error}",
            cluster = services.GetService<ILiveSnapshotCollector>() is null
                ? "not configured (offline: diagnoses snapshots sent in requests)"
                : "configured (requests without a snapshot are collected live)",
        };
        return ready ? TypedResults.Ok(body) : TypedResults.Json(body, statusCode: StatusCodes.Status503ServiceUnavailable);
    }
}
