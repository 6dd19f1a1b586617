using System.Reflection;
using System.Text.Json.Nodes;
using DnsExpert.Api.Hosting;
using Microsoft.AspNetCore.Http.Metadata;

namespace DnsExpert.Api.Chat;

/// <summary>
/// The answer to a chat platform's request (a Slack command's reply, a Teams message's card): JSON in the shape the
/// platform reads, which as a return type tells OpenAPI the operation answers <c>200 application/json</c>.
/// </summary>
public sealed class ChatReply : DescribedResult, IEndpointMetadataProvider
{
    public ChatReply(JsonObject message)
        : base(TypedResults.Json(message))
    {
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(void), ["application/json"]));
    }
}
