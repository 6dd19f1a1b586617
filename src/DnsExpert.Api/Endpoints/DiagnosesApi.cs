using DnsExpert.Api.Hosting;
using DnsExpert.Api.Rendering;
using DnsExpert.Core.Contract;
using DnsExpert.Engine.Diagnosis;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace DnsExpert.Api.Endpoints;

public static class DiagnosesApi
{
    public static IEndpointRouteBuilder MapDiagnosesApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/diagnoses").WithTags("Diagnoses");
        group.MapPost("/", Diagnose)
            .WithName("CreateDiagnosis")
            .WithSummary("Diagnose a DNS failure from a snapshot")
            .WithDescription("Runs the rule base over the snapshot's facts and returns root-cause findings, most severe and most specific first, with evidence and remediation. `?format=markdown` (or `Accept: text/markdown`) returns a report for chat and tickets; `?format=slack` a Slack Block Kit message.")
            .Accepts<DiagnosisRequest>("application/json")
            .Produces<DiagnosisResponse>(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);
        return app;
    }

    internal static async Task<Results<Ok<DiagnosisResponse>, ContentHttpResult, ProblemHttpResult>> Diagnose(
        HttpRequest http, IDiagnosisService service, IOptions<DnsExpertOptions> options, CancellationToken cancellationToken)
    {
        var (request, problem) = await JsonBody.ReadAsync<DiagnosisRequest>(http, options.Value, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        return await Run(request!, http, service, options.Value, cancellationToken);
    }

    /// <summary>Validates, diagnoses and renders one request (also used by the samples).</summary>
    internal static async Task<Results<Ok<DiagnosisResponse>, ContentHttpResult, ProblemHttpResult>> Run(
        DiagnosisRequest request, HttpRequest http, IDiagnosisService service, DnsExpertOptions options, CancellationToken cancellationToken)
    {
        var errors = RequestValidator.Validate(request, options.Limits);
        if (errors.Count > 0)
        {
            return Problems.Unprocessable(errors, "The request has invalid fields");
        }

        DiagnosisResponse response;
        try
        {
            response = await service.DiagnoseAsync(request, cancellationToken);
        }
        catch (LiveCollectionUnavailableException ex)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "Live collection is not configured",
                detail: ex.Message, extensions: new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { ["snapshot"] = [ex.Message] } });
        }

        if (string.Equals(http.Query["format"], "slack", StringComparison.OrdinalIgnoreCase))
        {
            return TypedResults.Text(SlackReport.Render(response).ToJsonString(), "application/json; charset=utf-8");
        }

        return WantsMarkdown(http)
            ? TypedResults.Text(MarkdownReport.Render(response), "text/markdown; charset=utf-8")
            : TypedResults.Ok(response);
    }

    private static bool WantsMarkdown(HttpRequest http) =>
        string.Equals(http.Query["format"], "markdown", StringComparison.OrdinalIgnoreCase)
        || http.GetTypedHeaders().Accept.Any(a => a.MediaType.Equals("text/markdown", StringComparison.OrdinalIgnoreCase));
}
