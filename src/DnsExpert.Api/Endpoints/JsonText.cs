using System.Reflection;
using DnsExpert.Api.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Metadata;

namespace DnsExpert.Api.Endpoints;

/// <summary>
/// JSON kept as text (a stored request, a bundled sample) answered as it is, without reading it into a
/// <typeparamref name="T"/> first; as a return type it tells OpenAPI the answer is a <c>200</c> <typeparamref name="T"/>.
/// </summary>
public sealed class JsonText<T> : DescribedResult, IEndpointMetadataProvider
{
    private JsonText(ContentHttpResult content)
        : base(content)
    {
    }

    /// <summary>The JSON text of a <typeparamref name="T"/>, sent with <paramref name="contentType"/>.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1000", Justification = "The factory of a generic result, as TypedResults.Ok<T> is.")]
    public static JsonText<T> Of(string json, string contentType = "application/json; charset=utf-8") => new(TypedResults.Text(json, contentType));

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1000", Justification = "It implements IEndpointMetadataProvider, whose member is static.")]
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(T), ["application/json"]));
    }
}
