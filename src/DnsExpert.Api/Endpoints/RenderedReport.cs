using System.Reflection;
using DnsExpert.Api.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Metadata;

namespace DnsExpert.Api.Endpoints;

/// <summary>
/// A diagnosis rendered as text: Markdown for chat and tickets (<c>?format=markdown</c>, <c>Accept: text/markdown</c>),
/// or a Slack, Teams or Jira message as JSON. As a return type it tells OpenAPI that the operation also answers
/// <c>200 text/markdown</c>, which a bare <see cref="ContentHttpResult"/> left to hand-kept <c>.Produces</c> lines.
/// </summary>
public sealed class RenderedReport : DescribedResult, IEndpointMetadataProvider
{
    private RenderedReport(ContentHttpResult content)
        : base(content)
    {
    }

    /// <summary>Markdown for a person.</summary>
    public static RenderedReport Markdown(string text) => new(TypedResults.Text(text, "text/markdown; charset=utf-8"));

    /// <summary>A chat or ticket message, JSON in the shape its platform reads.</summary>
    public static RenderedReport Message(string json) => new(TypedResults.Text(json, "application/json; charset=utf-8"));

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        // One 200 per operation: the JSON answer's (Ok<T>, earlier in the Results) gains text/markdown; OpenAPI's
        // description keeps one entry per status, so a second 200 would replace the first.
        var json = builder.Metadata.OfType<ProducesResponseTypeMetadata>().LastOrDefault(m => m.StatusCode == StatusCodes.Status200OK);
        if (json is not null)
        {
            builder.Metadata.Remove(json);
        }

        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, json?.Type ?? typeof(string), [.. json?.ContentTypes ?? ["application/json"], "text/markdown"]));
    }
}
