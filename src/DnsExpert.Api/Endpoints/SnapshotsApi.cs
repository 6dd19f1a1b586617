using DnsExpert.Api.Hosting;
using DnsExpert.Contract;
using DnsExpert.Readers.Collection;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace DnsExpert.Api.Endpoints;

/// <summary>A snapshot collected live, in the shape of a diagnosis request: attach it to a ticket, replay it offline.</summary>
public sealed class CollectedRequest
{
    public TargetRef? Target { get; init; }
    public string? Domain { get; init; }
    public required Snapshot Snapshot { get; init; }

    /// <summary>How each collector did (ignored when the request is replayed).</summary>
    public required IReadOnlyList<CollectionEntry> Collection { get; init; }
}

public static class SnapshotsApi
{
    public static IEndpointRouteBuilder MapSnapshotsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/snapshots", Collect)
            .WithTags("Snapshots")
            .WithName("CollectSnapshot")
            .WithSummary("Collect a snapshot from the live cluster")
            .WithDescription("Reads what a diagnosis of this pod and name needs from the cluster, and returns it as a request body: POST it to /api/v1/diagnoses to replay it offline.");
        return app;
    }

    internal static async Task<Results<Ok<CollectedRequest>, Problem<Status.Unprocessable>, Problem<Status.Forbidden>>> Collect(
        string? @namespace, string? pod, string? domain, bool? probe, HttpContext http, [FromServices] ILiveSnapshotCollector? live, CancellationToken cancellationToken)
    {
        var target = pod is null ? null : new TargetRef { Namespace = @namespace ?? "default", Pod = pod };
        var request = new DiagnosisRequest { Target = target, Domain = domain };
        var errors = RequestValidator.Validate(request, new RequestLimits());
        if (errors.Count > 0)
        {
            return Problem.Unprocessable(errors.ToDictionary(e => e.Key.Replace("target.", "", StringComparison.Ordinal), e => e.Value, StringComparer.Ordinal), "Invalid query");
        }

        // Collecting reads the cluster as a diagnosis would: the same role and namespaces.
        if (DiagnosesApi.MayNotCreate(Security.CallerScope.Of(http), request) is { } forbidden)
        {
            return forbidden;
        }

        if (live is not { } collector)
        {
            return Problem.Of<Status.Unprocessable>("Live collection is not configured",
                "Set DnsExpert:Cluster:Enabled (and a kubeconfig or an in-cluster service account) to collect from a cluster.");
        }

        var collected = await collector.CollectAsync(target, domain, probe ?? true, cancellationToken);
        return TypedResults.Ok(new CollectedRequest { Target = target, Domain = domain, Snapshot = collected.Snapshot, Collection = collected.Collection });
    }
}
