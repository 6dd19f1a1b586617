using System.Reflection;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;

namespace DnsExpert.Api.Hosting;

/// <summary>
/// Why a JSON body of <typeparamref name="T"/> was not read (<see cref="JsonBody"/>): malformed (400), too large (413), not
/// JSON (415), more than the service accepts (422), or no room for it now (503, with <c>Retry-After</c>). As an
/// endpoint's return type it describes the body reader where the reader is used: the request body (<typeparamref name="T"/>
/// as <c>application/json</c>, which routing also enforces) and each of those statuses.
/// </summary>
public sealed class BodyProblem<T> : DescribedProblem, IEndpointMetadataProvider
{
    private static readonly (int Status, Type Body)[] Statuses =
    [
        (StatusCodes.Status400BadRequest, typeof(ProblemDetails)),
        (StatusCodes.Status413PayloadTooLarge, typeof(ProblemDetails)),
        (StatusCodes.Status415UnsupportedMediaType, typeof(ProblemDetails)),
        (StatusCodes.Status422UnprocessableEntity, typeof(HttpValidationProblemDetails)),
        (StatusCodes.Status503ServiceUnavailable, typeof(ProblemDetails)),
    ];

    internal BodyProblem(ProblemHttpResult problem)
        : base(Statuses.Any(s => s.Status == problem.StatusCode) ? problem : throw new ArgumentException($"the body reader does not answer {problem.StatusCode}", nameof(problem)))
    {
    }

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1000", Justification = "It implements IEndpointMetadataProvider, whose member is static.")]
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Metadata.Add(new AcceptsMetadata(["application/json"], typeof(T)));
        foreach (var (status, body) in Statuses)
        {
            builder.Metadata.Add(new ProducesResponseTypeMetadata(status, body, ["application/problem+json"]));
        }
    }
}
