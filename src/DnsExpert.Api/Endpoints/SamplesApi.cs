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
            .WithSummary("A sample request, ready to POST to /api/v1/diagnoses");
        group.MapPost("/{name}/diagnose", DiagnoseSample)
            .WithName("DiagnoseSample")
            .WithSummary("Diagnose a bundled sample");
        return app;
    }

    internal static Results<JsonText<DiagnosisRequest>, Problem<Status.NotFound>> GetSample(string name, SampleCatalog samples) =>
        samples.ReadJson(name) is { } json ? JsonText<DiagnosisRequest>.Of(json, "application/json") : NotFound(name);

    internal static async Task<Results<Ok<DiagnosisResponse>, RenderedReport, Problem<Status.NotFound>, Problem<Status.Forbidden>, Problem<Status.Unprocessable>>> DiagnoseSample(
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

    private static Problem<Status.NotFound> NotFound(string name) =>
        Problem.Of<Status.NotFound>("No such sample",
            $"No sample named '{RulesApi.Sanitize(name)}'. GET /api/v1/samples lists them.");
}
