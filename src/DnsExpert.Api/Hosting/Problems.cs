using Microsoft.AspNetCore.Http.HttpResults;

namespace DnsExpert.Api.Hosting;

/// <summary>ProblemDetails (RFC 9457) the endpoints share.</summary>
public static class Problems
{
    /// <summary>422 with an <c>errors</c> map of field path to messages, and a one-line detail naming each field.</summary>
    public static ProblemHttpResult Unprocessable(IReadOnlyDictionary<string, string[]> errors, string title) =>
        TypedResults.Problem(new HttpValidationProblemDetails(errors.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal))
        {
            Status = StatusCodes.Status422UnprocessableEntity,
            Title = title,
            Detail = string.Join("; ", errors.Select(e => $"{e.Key}: {e.Value[0]}")),
            Type = "https://datatracker.ietf.org/doc/html/rfc4918#section-11.2",
        });
}
