using System.Reflection;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;

namespace DnsExpert.Api.Hosting;

/// <summary>An HTTP status a problem answer (RFC 9457) can have, as a type: its code and the body OpenAPI shows for it.</summary>
public interface IProblemStatus
{
    static abstract int Code { get; }

    /// <summary><see cref="ProblemDetails"/>, or <see cref="HttpValidationProblemDetails"/> when the problem names the fields at fault.</summary>
    static abstract Type Body { get; }
}

/// <summary>The statuses of the problems the endpoints answer, one type each (<c>Problem&lt;Status.NotFound&gt;</c>).</summary>
public static class Status
{
    public abstract class BadRequest : Plain, IProblemStatus { public static int Code => StatusCodes.Status400BadRequest; }

    public abstract class Unauthorized : Plain, IProblemStatus { public static int Code => StatusCodes.Status401Unauthorized; }

    public abstract class Forbidden : Plain, IProblemStatus { public static int Code => StatusCodes.Status403Forbidden; }

    public abstract class NotFound : Plain, IProblemStatus { public static int Code => StatusCodes.Status404NotFound; }

    public abstract class Conflict : Plain, IProblemStatus { public static int Code => StatusCodes.Status409Conflict; }

    public abstract class Gone : Plain, IProblemStatus { public static int Code => StatusCodes.Status410Gone; }

    public abstract class PayloadTooLarge : Plain, IProblemStatus { public static int Code => StatusCodes.Status413PayloadTooLarge; }

    public abstract class UnsupportedMediaType : Plain, IProblemStatus { public static int Code => StatusCodes.Status415UnsupportedMediaType; }

    /// <summary>422: the problem names each field at fault in <c>errors</c>.</summary>
    public abstract class Unprocessable : IProblemStatus
    {
        public static int Code => StatusCodes.Status422UnprocessableEntity;

        public static Type Body => typeof(HttpValidationProblemDetails);
    }

    public abstract class TooManyRequests : Plain, IProblemStatus { public static int Code => StatusCodes.Status429TooManyRequests; }

    public abstract class NotImplemented : Plain, IProblemStatus { public static int Code => StatusCodes.Status501NotImplemented; }

    public abstract class BadGateway : Plain, IProblemStatus { public static int Code => StatusCodes.Status502BadGateway; }

    public abstract class ServiceUnavailable : Plain, IProblemStatus { public static int Code => StatusCodes.Status503ServiceUnavailable; }

    /// <summary>A status whose problem is a plain <see cref="ProblemDetails"/> (it may still carry extensions).</summary>
    public abstract class Plain
    {
        public static Type Body => typeof(ProblemDetails);
    }
}

/// <summary>Builds <see cref="Problem{TStatus}"/>: <c>Problem.Of&lt;Status.NotFound&gt;("No such rule", detail)</c>, and the problems the endpoints share.</summary>
public static class Problem
{
    /// <summary>The problem of <typeparamref name="TStatus"/> with <paramref name="title"/>, <paramref name="detail"/> and any <paramref name="extensions"/> (such as <c>errors</c>).</summary>
    public static Problem<TStatus> Of<TStatus>(string title, string? detail = null, IDictionary<string, object?>? extensions = null)
        where TStatus : IProblemStatus =>
        new(TypedResults.Problem(statusCode: TStatus.Code, title: title, detail: detail, extensions: extensions));

    /// <summary>A problem built whole (an <see cref="HttpValidationProblemDetails"/>); its status must be <typeparamref name="TStatus"/>'s.</summary>
    public static Problem<TStatus> Of<TStatus>(ProblemDetails problem)
        where TStatus : IProblemStatus
    {
        ArgumentNullException.ThrowIfNull(problem);
        return problem.Status == TStatus.Code
            ? new(TypedResults.Problem(problem))
            : throw new ArgumentException($"a problem of status {problem.Status} is not a {TStatus.Code}", nameof(problem));
    }

    /// <summary>422 with an <c>errors</c> map of field path to messages, and a one-line detail naming each field.</summary>
    public static Problem<Status.Unprocessable> Unprocessable(IReadOnlyDictionary<string, string[]> errors, string title) =>
        Of<Status.Unprocessable>(new HttpValidationProblemDetails(errors.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal))
        {
            Status = StatusCodes.Status422UnprocessableEntity,
            Title = title,
            Detail = string.Join("; ", errors.Select(e => $"{e.Key}: {e.Value[0]}")),
            Type = "https://datatracker.ietf.org/doc/html/rfc4918#section-11.2",
        });
}

/// <summary>
/// A problem answer (RFC 9457) whose status is part of its type, so that an endpoint's return type
/// (<c>Results&lt;Ok&lt;T&gt;, Problem&lt;Status.NotFound&gt;, ...&gt;</c>) tells OpenAPI each status it answers, and no
/// <c>.Produces</c> line is kept by hand.
/// </summary>
public sealed class Problem<TStatus> : DescribedProblem, IEndpointMetadataProvider
    where TStatus : IProblemStatus
{
    internal Problem(ProblemHttpResult problem)
        : base(problem)
    {
    }

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1000", Justification = "It implements IEndpointMetadataProvider, whose member is static.")]
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Metadata.Add(new ProducesResponseTypeMetadata(TStatus.Code, TStatus.Body, ["application/problem+json"]));
    }
}
