using System.Net;
using System.Text;
using System.Text.Json;

namespace DnsExpert.Api.Tests;

/// <summary><c>?wait</c> and <c>?format</c> are bound by minimal APIs, checked in one place and documented in OpenAPI.</summary>
public sealed class QueryParameterTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private readonly HttpClient _client = factory.CreateClient();

    private static StringContent Sample() =>
        new(File.ReadAllText(Path.Combine(ApiFactory.RepoRoot, "src", "DnsExpert.Api", "Samples", "autopath-wrong-answers.json")), Encoding.UTF8, "application/json");

    [Theory]
    [InlineData("markdown", "text/markdown")]
    [InlineData("Markdown", "text/markdown")]
    [InlineData("slack", "application/json")]
    [InlineData("Teams", "application/json")]
    [InlineData("JIRA", "application/json")]
    [InlineData("json", "application/json")]
    public async Task Format_picks_the_rendering_whatever_its_case(string format, string mediaType)
    {
        var response = await _client.PostAsync($"/api/v1/diagnoses?format={format}", Sample());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(mediaType, response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(format.Equals("slack", StringComparison.OrdinalIgnoreCase), body.Contains("\"blocks\"", StringComparison.Ordinal));
        Assert.Equal(format.Equals("teams", StringComparison.OrdinalIgnoreCase), body.Contains("\"AdaptiveCard\"", StringComparison.Ordinal));
        Assert.Equal(format.Equals("jira", StringComparison.OrdinalIgnoreCase), body.Contains("\"type\":\"doc\"", StringComparison.Ordinal));
    }

    public static TheoryData<string> RegisteredFormats => [.. Rendering.DiagnosisFormats.All.Select(f => f.Name)];

    [Theory]
    [MemberData(nameof(RegisteredFormats))]
    public async Task Every_registered_output_format_is_served_as_its_media_type_and_listed_in_openapi(string name)
    {
        var response = await _client.PostAsync($"/api/v1/diagnoses?format={name}", Sample());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Rendering.DiagnosisFormats.Find(name)!.MediaType, response.Content.Headers.ContentType?.MediaType);

        using var openApi = JsonDocument.Parse(await _client.GetStringAsync("/swagger/v1/swagger.json"));
        var format = openApi.RootElement.GetProperty("paths").GetProperty("/api/v1/diagnoses").GetProperty("post").GetProperty("parameters")
            .EnumerateArray().Single(p => p.GetProperty("name").GetString() == "format");
        var listed = format.GetProperty("schema").GetProperty("enum").EnumerateArray().Select(v => v.GetString()).ToList();
        Assert.Equal(Rendering.DiagnosisFormats.All.Select(f => f.Name), listed);
    }

    [Theory]
    [InlineData("/api/v1/diagnoses?format=pdf", "format")]
    [InlineData("/api/v1/diagnoses?wait=soon", "wait")]
    public async Task A_value_that_does_not_bind_is_a_400_naming_the_parameter(string url, string parameter)
    {
        var response = await _client.PostAsync(url, Sample());

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.True((await response.Json()).GetProperty("errors").TryGetProperty(parameter, out _));
    }

    [Fact]
    public async Task Format_of_a_stored_diagnosis_is_bound_the_same_way()
    {
        var created = await (await _client.PostAsync("/api/v1/diagnoses", Sample())).Json();
        var id = created.GetProperty("id").GetString();

        Assert.Equal(HttpStatusCode.BadRequest, (await _client.GetAsync($"/api/v1/diagnoses/{id}?format=pdf")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await _client.GetAsync($"/api/v1/diagnoses/{id}/ticket?format=pdf")).StatusCode);
        Assert.Equal("text/markdown", (await _client.GetAsync($"/api/v1/diagnoses/{id}?format=MARKDOWN")).Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task OpenApi_documents_the_bound_parameters_and_the_typed_results()
    {
        var doc = await (await _client.GetAsync("/swagger/v1/swagger.json")).Json();
        var post = doc.GetProperty("paths").GetProperty("/api/v1/diagnoses").GetProperty("post");

        var parameters = post.GetProperty("parameters").EnumerateArray().ToDictionary(p => p.GetProperty("name").GetString()!, p => p);
        Assert.Equal("query", parameters["wait"].GetProperty("in").GetString());
        Assert.Equal("boolean", parameters["wait"].GetProperty("schema").GetProperty("type").GetString());
        Assert.Equal("query", parameters["format"].GetProperty("in").GetString());
        foreach (var status in new[] { "200", "202" })
        {
            var schema = post.GetProperty("responses").GetProperty(status).GetProperty("content").GetProperty("application/json").GetProperty("schema");
            Assert.EndsWith("/DiagnosisResponse", schema.GetProperty("$ref").GetString(), StringComparison.Ordinal);
        }

        var get = doc.GetProperty("paths").GetProperty("/api/v1/diagnoses/{id}").GetProperty("get");
        Assert.Contains(get.GetProperty("parameters").EnumerateArray(), p => p.GetProperty("name").GetString() == "format");
        Assert.True(doc.GetProperty("paths").GetProperty("/reports/{id}").GetProperty("get").GetProperty("responses").GetProperty("200").GetProperty("content").TryGetProperty("text/html", out _));
    }
}
