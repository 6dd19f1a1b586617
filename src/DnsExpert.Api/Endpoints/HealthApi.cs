using DnsExpert.Core.Collection;
using DnsExpert.Engine.Diagnosis;

namespace DnsExpert.Api.Endpoints;

public static class HealthApi
{
    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", () => TypedResults.Ok(new { status = "ok" }))
            .WithTags("Health").WithName("Liveness").WithSummary("Liveness: the process serves requests");
        app.MapGet("/readyz", (IRuleBaseProvider rules, IServiceProvider services) => TypedResults.Ok(new
        {
            status = "ready",
            rules = rules.Current.Rules.Count,
            cluster = services.GetService<ILiveSnapshotCollector>() is null
                ? "not configured (offline: diagnoses snapshots sent in requests)"
                : "configured (requests without a snapshot are collected live)",
        }))
            .WithTags("Health").WithName("Readiness").WithSummary("Readiness: the rule base is compiled");
        return app;
    }
}
