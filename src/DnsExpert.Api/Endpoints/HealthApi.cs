using DnsExpert.Engine.Diagnosis;

namespace DnsExpert.Api.Endpoints;

public static class HealthApi
{
    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", () => TypedResults.Ok(new { status = "ok" }))
            .WithTags("Health").WithName("Liveness").WithSummary("Liveness: the process serves requests");
        app.MapGet("/readyz", (IRuleBaseProvider rules) => TypedResults.Ok(new
        {
            status = "ready",
            rules = rules.Current.Rules.Count,
            cluster = "not configured (offline: diagnoses snapshots sent in requests)",
        }))
            .WithTags("Health").WithName("Readiness").WithSummary("Readiness: the rule base is compiled");
        return app;
    }
}
