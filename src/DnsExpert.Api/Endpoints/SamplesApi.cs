using DnsExpert.Api.Hosting;
using DnsExpert.Contract;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace DnsExpert.Api.Endpoints;

public static class SamplesApi
{
    public static IEndpointRouteBuilder MapSamplesApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/samples").WithTags("Samples");
        group.MapGet("/", (SampleCatalog samples) => TypedResults.Ok(samples.List()))
            .WithName("ListSamples")
            .WithSummary("Bundled sample requests (sick clusters) to try without a cluster");
        group.MapGet("/{name}", GetSample)
            .WithName("GetSample")
            .WithSummary("A sample request, ready to POST to /api/v1/diagnoses")
            .Produces<DiagnosisRequest>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{name}/diagnose", DiagnoseSample)
            .WithName("DiagnoseSample")
            .WithSummary("Diagnose a bundled sample")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    internal static Results<ContentHttpResult, ProblemHttpResult> GetSample(string name, SampleCatalog samples) =>
        samples.ReadJson(name) is { } json ? TypedResults.Text(json, "application/json") : NotFound(name);

    internal static async Task<Results<Ok<DiagnosisResponse>, RenderedReport, ProblemHttpResult>> DiagnoseSample(
        string name, [FromQuery] ReportFormat? format, HttpRequest http, SampleCatalog samples, Diagnosis.Application.DiagnosisWorkflow workflow,
        Hosting.PublicLinks links, CancellationToken cancellationToken)
    {
        if (samples.Read(name) is not { } request)
        {
            return NotFound(name);
        }

        if (DiagnosesApi.MayNotCreate(Security.CallerScope.Of(http.HttpContext), request) is { } forbidden)
        {
            return forbidden;
        }

        var (response, problem) = await DiagnosesApi.Run(DiagnosesApi.RunOf(request, http, links), workflow, cancellationToken);
        return response is null ? problem! : DiagnosesApi.AsText(response, format, http) is { } text ? text : TypedResults.Ok(response);
    }

    private static ProblemHttpResult NotFound(string name) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such sample",
            detail: $"No sample named '{RulesApi.Sanitize(name)}'. GET /api/v1/samples lists them.");
}
