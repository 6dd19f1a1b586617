using System.Reflection;
using DnsExpert.Api.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Metadata;

namespace DnsExpert.Api.Endpoints;

/// <summary>
/// A page for a browser (a diagnosis' printable report): the page (<c>200</c>) or the page saying it is not there
/// (<c>404</c>), both <c>text/html</c>, which as a return type it tells OpenAPI.
/// </summary>
public sealed class HtmlPage : DescribedResult, IEndpointMetadataProvider
{
    private const string MediaType = "text/html; charset=utf-8";

    private HtmlPage(ContentHttpResult content)
        : base(content)
    {
    }

    public static HtmlPage Found(string html) => new(TypedResults.Content(html, MediaType));

    public static HtmlPage NotFound(string html) => new(TypedResults.Content(html, MediaType, statusCode: StatusCodes.Status404NotFound));

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(string), ["text/html"]));
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status404NotFound, typeof(string), ["text/html"]));
    }
}
