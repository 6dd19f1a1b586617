using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Template;
using Microsoft.Extensions.DependencyInjection;

namespace DnsExpert.Api.Tests;

/// <summary>
/// What the endpoints really answer is what the OpenAPI document says they answer: every status and content type seen
/// over a tour of the API (successes, each format, and the errors a client meets: bad JSON, a wrong content type, an
/// invalid field, an unknown id) is documented for that path and method.
/// </summary>
public sealed class OpenApiRealityTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    /// <summary>Each response as (method, route pattern, status, media type), recorded before it is sent.</summary>
    private sealed class Recorder : IStartupFilter
    {
        public ConcurrentQueue<(string Method, string Route, int Status, string? MediaType)> Seen { get; } = new();

        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (context, nextMiddleware) =>
            {
                context.Response.OnStarting(() =>
                {
                    // An answer given before the endpoint ran (a 415 from routing's Accepts check, a 400 of parameter binding
                    // through the exception handler) has no route endpoint left on it: find it by the request's path.
                    if ((context.GetEndpoint() as RouteEndpoint ?? RouteOf(context)) is { } endpoint)
                    {
                        var mediaType = context.Response.ContentType?.Split(';')[0].Trim();
                        Seen.Enqueue((context.Request.Method, "/" + endpoint.RoutePattern.RawText!.Trim('/'), context.Response.StatusCode, mediaType));
                    }

                    return Task.CompletedTask;
                });
                await nextMiddleware();
            });
            next(app);
        };
    }

    private static RouteEndpoint? RouteOf(HttpContext context) =>
        context.RequestServices.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods.Contains(context.Request.Method) == true)
            .FirstOrDefault(e => new TemplateMatcher(TemplateParser.Parse(e.RoutePattern.RawText!), []).TryMatch(context.Request.Path, []));

    private static StringContent Json(string text) => new(text, Encoding.UTF8, "application/json");

    private static string Sample(string name) => File.ReadAllText(Path.Combine(ApiFactory.RepoRoot, "src", "DnsExpert.Api", "Samples", name));

    private static string Example(string name) => File.ReadAllText(Path.Combine(ApiFactory.RepoRoot, "src", "DnsExpert.Api", "OpenApi", "Examples", name));

    [Fact]
    public async Task Every_answer_of_a_tour_of_the_api_is_documented_for_its_path_and_method()
    {
        var recorder = new Recorder();
        using var app = factory.WithWebHostBuilder(b => b.ConfigureServices(s => s.AddSingleton<IStartupFilter>(recorder)));
        var client = app.CreateClient();

        // Diagnoses: each format, a queued one, and what a client gets wrong.
        var created = await client.PostAsync("/api/v1/diagnoses", Json(Sample("sick-cluster.json")));
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        var id = (await created.Json()).GetProperty("id").GetString();
        foreach (var format in new[] { "markdown", "slack", "teams", "jira" })
        {
            await client.PostAsync($"/api/v1/diagnoses?format={format}", Json(Sample("autopath-wrong-answers.json")));
            await client.GetAsync($"/api/v1/diagnoses/{id}?format={format}");
        }

        await client.PostAsync("/api/v1/diagnoses?wait=false", Json(Sample("autopath-wrong-answers.json")));
        await client.PostAsync("/api/v1/diagnoses", Json("{\"snapshot\": "));
        await client.PostAsync("/api/v1/diagnoses", new StringContent(Sample("sick-cluster.json"), Encoding.UTF8, "text/plain"));
        await client.PostAsync("/api/v1/diagnoses", Json("{\"target\": {\"namespace\": \"Not A Namespace\", \"pod\": \"x\"}, \"symptom\": {\"errorMessage\": \"x\"}}"));
        await client.PostAsync("/api/v1/diagnoses?format=pdf", Json(Sample("sick-cluster.json")));

        // A stored diagnosis: read back, its ticket, its request, more evidence; and ids that are not there.
        await client.GetAsync("/api/v1/diagnoses");
        await client.GetAsync("/api/v1/diagnoses?limit=0");
        await client.GetAsync($"/api/v1/diagnoses/{id}");
        await client.GetAsync($"/api/v1/diagnoses/{id}/ticket");
        await client.GetAsync($"/api/v1/diagnoses/{id}/ticket?format=markdown");
        await client.GetAsync($"/api/v1/diagnoses/{id}/request");
        await client.PostAsync($"/api/v1/diagnoses/{id}/ticket/jira", null); // Jira not configured: 501
        await client.PostAsync($"/api/v1/diagnoses/{id}/evidence", Json(Example("AddDiagnosisEvidence.request.json")));
        const string missing = "00000000000000000000000000000000";
        await client.GetAsync($"/api/v1/diagnoses/{missing}");
        await client.GetAsync($"/api/v1/diagnoses/{missing}/ticket");
        await client.GetAsync($"/api/v1/diagnoses/{missing}/request");
        await client.PostAsync($"/api/v1/diagnoses/{missing}/ticket/jira", null);
        await client.PostAsync($"/api/v1/diagnoses/{missing}/evidence", Json(Example("AddDiagnosisEvidence.request.json")));

        // The rest of the API.
        await client.PostAsync("/api/v1/classify", Json(Example("ClassifyMessage.request.json")));
        await client.PostAsync("/api/v1/classify", Json("{}"));
        await client.GetAsync("/api/v1/rules");
        await client.GetAsync("/api/v1/rules/coredns-autopath-enabled");
        await client.GetAsync("/api/v1/rules/no-such-rule");
        await client.GetAsync("/api/v1/samples");
        await client.GetAsync("/api/v1/samples/sick-cluster");
        await client.GetAsync("/api/v1/samples/no-such-sample");
        await client.PostAsync("/api/v1/samples/sick-cluster/diagnose", null);
        await client.PostAsync("/api/v1/samples/sick-cluster/diagnose?format=markdown", null);
        await client.GetAsync("/api/v1/snapshots?namespace=default&pod=web");
        await client.PostAsync("/api/v1/alerts/alertmanager", Json(Example("ReceiveAlertmanagerNotification.request.json")));
        await client.PostAsync("/api/v1/alerts/alertmanager", Json("{\"version\": \"4\"}"));

        // What answers before the handler runs: a query parameter that does not parse, a body that is not JSON.
        await client.GetAsync("/api/v1/diagnoses?limit=ten");
        await client.GetAsync($"/api/v1/diagnoses/{id}?format=pdf");
        await client.GetAsync($"/api/v1/diagnoses/{id}/ticket?format=pdf");
        await client.GetAsync("/api/v1/snapshots?namespace=default&pod=web&probe=maybe");
        await client.PostAsync("/api/v1/samples/sick-cluster/diagnose?format=pdf", null);
        await client.PostAsync("/api/v1/classify", new StringContent("{}", Encoding.UTF8, "text/plain"));
        await client.PostAsync($"/api/v1/diagnoses/{id}/evidence", new StringContent("{}", Encoding.UTF8, "text/plain"));
        await client.PostAsync("/api/v1/alerts/alertmanager", new StringContent("{}", Encoding.UTF8, "text/plain"));

        // The chat endpoints without their secrets, and the report page.
        await client.PostAsync("/api/v1/chat/slack/commands", new StringContent("text=help", Encoding.UTF8, "application/x-www-form-urlencoded"));
        await client.PostAsync("/api/v1/chat/teams/messages", Json("{}"));
        await client.GetAsync($"/reports/{id}");
        await client.GetAsync($"/reports/{missing}");

        var document = await (await client.GetAsync("/swagger/v1/swagger.json")).Json();
        var paths = document.GetProperty("paths");
        var undocumented = new List<string>();
        var seen = recorder.Seen.Where(s => s.Route.StartsWith("/api/", StringComparison.Ordinal) || s.Route.StartsWith("/reports/", StringComparison.Ordinal)).Distinct().ToList();
        Assert.True(seen.Count >= 40, $"the tour reached only {seen.Count} distinct answers");
        foreach (var (method, route, status, mediaType) in seen.OrderBy(s => s.Route, StringComparer.Ordinal).ThenBy(s => s.Method, StringComparer.Ordinal).ThenBy(s => s.Status))
        {
            var answer = $"{method} {route} -> {status} {mediaType}";
            if (!paths.TryGetProperty(route, out var path) || !path.TryGetProperty(method.ToLowerInvariant(), out var operation))
            {
                undocumented.Add(answer + " (no such operation)");
                continue;
            }

            if (!operation.GetProperty("responses").TryGetProperty(status.ToString(System.Globalization.CultureInfo.InvariantCulture), out var response))
            {
                undocumented.Add(answer + " (status not documented)");
                continue;
            }

            if (mediaType is not null && status != 204 && !(response.TryGetProperty("content", out var content) && content.TryGetProperty(mediaType, out _)))
            {
                undocumented.Add(answer + $" (documented as {(response.TryGetProperty("content", out var c) ? string.Join(", ", c.EnumerateObject().Select(p => p.Name)) : "no content")})");
            }
        }

        // A Markdown answer is documented as text, not as the JSON answer's object.
        var markdown = paths.GetProperty("/api/v1/diagnoses/{id}").GetProperty("get").GetProperty("responses").GetProperty("200").GetProperty("content").GetProperty("text/markdown");
        Assert.Equal("string", markdown.GetProperty("schema").GetProperty("type").GetString());
        Assert.True(undocumented.Count == 0, "answers the OpenAPI document does not describe:\n" + string.Join("\n", undocumented) + "\n(seen: " + string.Join("; ", seen) + ")");
    }
}
