using DnsExpert.Api.Hosting;
using DnsExpert.Contract;
using DnsExpert.Readers.Classification;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace DnsExpert.Api.Endpoints;

/// <summary>A client error message to classify.</summary>
public sealed class ClassifyRequest
{
    /// <summary>The message exactly as the client printed it.</summary>
    public string? Message { get; set; }
}

public static class ClassifyApi
{
    public static IEndpointRouteBuilder MapClassifyApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v1/classify", Classify)
            .WithTags("Classify")
            .WithName("ClassifyMessage")
            .WithSummary("Classify a client's DNS error message")
            .WithDescription("Tells whether the message means the name does not exist, the DNS server is unreachable, or either (KNOWLEDGE.md section 1).");
        return app;
    }

    internal static async Task<Results<Ok<ClassificationResult>, BodyProblem<ClassifyRequest>, Problem<Status.Unprocessable>>> Classify(
        HttpRequest http, IOptions<DnsExpertOptions> options, [AsParameters] BodyServices bodies, CancellationToken cancellationToken)
    {
        var (request, problem) = await JsonBody.ReadAsync<ClassifyRequest>(http, options.Value, bodies, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var max = options.Value.Limits.MaxErrorMessageLength;
        if (string.IsNullOrWhiteSpace(request!.Message) || request.Message.Length > max)
        {
            var message = string.IsNullOrWhiteSpace(request.Message) ? "is required" : $"is longer than {max} characters";
            return Problem.Unprocessable(new Dictionary<string, string[]> { ["message"] = [message] }, "The request has invalid fields");
        }

        return TypedResults.Ok(SymptomClassifier.Classify(request.Message));
    }
}
