using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace DnsExpert.Api.Hosting;

/// <summary>
/// An answer written by one of ASP.NET Core's results, under a type of its own whose <c>PopulateMetadata</c>
/// (<see cref="Microsoft.AspNetCore.Http.Metadata.IEndpointMetadataProvider"/>) tells OpenAPI what it answers: as an
/// endpoint's return type it documents the endpoint, so no <c>.Produces</c> line is kept by hand.
/// </summary>
public abstract class DescribedResult(IResult inner) : IResult, IStatusCodeHttpResult, IContentTypeHttpResult
{
    public int? StatusCode => (inner as IStatusCodeHttpResult)?.StatusCode;

    public string? ContentType => (inner as IContentTypeHttpResult)?.ContentType;

    public Task ExecuteAsync(HttpContext httpContext) => inner.ExecuteAsync(httpContext);
}

/// <summary>A problem answer (RFC 9457), written exactly as <see cref="TypedResults.Problem(ProblemDetails)"/> writes it.</summary>
public abstract class DescribedProblem(ProblemHttpResult problem) : DescribedResult(problem), IValueHttpResult<ProblemDetails>, IValueHttpResult
{
    public ProblemDetails ProblemDetails => problem.ProblemDetails;

    ProblemDetails? IValueHttpResult<ProblemDetails>.Value => problem.ProblemDetails;

    object? IValueHttpResult.Value => problem.ProblemDetails;
}
