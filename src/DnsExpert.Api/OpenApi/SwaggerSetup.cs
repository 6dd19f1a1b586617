using System.Text.Json.Nodes;
using DnsExpert.Api.Endpoints;
using DnsExpert.Contract;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace DnsExpert.Api.OpenApi;

public static class SwaggerSetup
{
    // Every library whose types a schema can show: the wire types, the facts, the readers, the text helpers among them.
    private static readonly string[] XmlDocs =
    [
        "DnsExpert.Api.xml", "DnsExpert.Contract.xml", "DnsExpert.Facts.xml", "DnsExpert.Readers.xml", "DnsExpert.Text.xml", "DnsExpert.Engine.xml",
        "DnsExpert.Rendering.xml",
    ];

    public static IServiceCollection AddDnsExpertSwagger(this IServiceCollection services)
    {
        services.AddSwaggerGen(o =>
        {
            o.SwaggerDoc("v1", new OpenApiInfo
            {
                Title = "DnsExpert",
                Version = "v1",
                Description = "Diagnoses DNS failures in Kubernetes clusters: send a snapshot (objects, CoreDNS logs, files, probe results), get root causes with evidence and remediation. Try `POST /api/v1/samples/{name}/diagnose` first.",
            });
            foreach (var xml in XmlDocs)
            {
                var path = Path.Combine(AppContext.BaseDirectory, xml);
                if (File.Exists(path))
                {
                    o.IncludeXmlComments(path);
                }
            }

            // A log's text is a plain JSON string; LogText only decides how it is kept once read.
            o.MapType<LogText>(() => new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null });
            o.MapType<ReportFormat>(() => new OpenApiSchema { Type = JsonSchemaType.String, Enum = [.. ReportFormat.Names.Select(n => (JsonNode)n)] });
            o.MapType<CheckList>(() => new OpenApiSchema { Type = JsonSchemaType.String, Enum = [.. CheckList.Names.Select(n => (JsonNode)n)] });
            o.OperationFilter<ExamplesOperationFilter>();
            o.OperationFilter<SampleNamesOperationFilter>();
            o.OperationFilter<MarkdownAnswerFilter>();
        });
        return services;
    }

    /// <summary>
    /// The <c>name</c> of the sample endpoints (<c>POST /api/v1/samples/{name}/diagnose</c> is the suggested first call)
    /// lists the bundled samples as its values, with the first as its example, so Swagger UI offers them to pick.
    /// </summary>
    private sealed class SampleNamesOperationFilter(Endpoints.SampleCatalog samples) : IOperationFilter
    {
        public void Apply(OpenApiOperation operation, OperationFilterContext context)
        {
            if (context.ApiDescription.RelativePath is not { } path || !path.StartsWith("api/v1/samples/{name}", StringComparison.Ordinal)
                || operation.Parameters?.FirstOrDefault(p => p.Name == "name") is not OpenApiParameter parameter
                || parameter.Schema is not OpenApiSchema schema)
            {
                return;
            }

            var names = samples.List().Select(s => s.Name).ToList();
            if (names.Count == 0)
            {
                return;
            }

            schema.Enum = [.. names.Select(n => (JsonNode)n)];
            parameter.Example = JsonValue.Create(names[0]);
            parameter.Description ??= $"A bundled sample: {string.Join(", ", names)} (GET /api/v1/samples describes each).";
        }
    }

    /// <summary>
    /// A Markdown answer (<see cref="RenderedReport"/>) is text: its media type gets a string schema, not the JSON
    /// answer's object it shares the 200 with.
    /// </summary>
    private sealed class MarkdownAnswerFilter : IOperationFilter
    {
        public void Apply(OpenApiOperation operation, OperationFilterContext context)
        {
            if (operation.Responses?.TryGetValue("200", out var ok) == true && ok is OpenApiResponse { Content: { } content }
                && content.TryGetValue("text/markdown", out var markdown))
            {
                markdown.Schema = new OpenApiSchema { Type = JsonSchemaType.String, Description = "The report in Markdown (CommonMark), for chat and tickets." };
            }
        }
    }

    /// <summary>A worked example per endpoint, taken from <c>OpenApi/Examples/&lt;operation&gt;.request.json</c> and <c>.response.json</c>.</summary>
    private sealed class ExamplesOperationFilter : IOperationFilter
    {
        public void Apply(OpenApiOperation operation, OperationFilterContext context)
        {
            var id = operation.OperationId;
            if (id is null)
            {
                return;
            }

            if (Example(id, "request") is { } request && operation.RequestBody?.Content is { } content
                && content.TryGetValue("application/json", out var requestMedia) && requestMedia is OpenApiMediaType rm)
            {
                rm.Example = request;
            }

            if (Example(id, "response") is { } response && operation.Responses?.TryGetValue("200", out var ok) == true
                && ok.Content is { } okContent && okContent.TryGetValue("application/json", out var responseMedia) && responseMedia is OpenApiMediaType om)
            {
                om.Example = response;
            }
        }

        private static JsonNode? Example(string operationId, string kind)
        {
            var path = Path.Combine(AppContext.BaseDirectory, "OpenApi", "Examples", $"{operationId}.{kind}.json");
            return File.Exists(path) ? JsonNode.Parse(File.ReadAllText(path)) : null;
        }
    }
}
