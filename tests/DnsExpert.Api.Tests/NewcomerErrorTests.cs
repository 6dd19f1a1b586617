using System.Net;
using System.Text;

namespace DnsExpert.Api.Tests;

/// <summary>
/// The bad requests a newcomer sends first (issue 24), each answered in the caller's terms: what was wrong and what to
/// send instead, never the parser's wording ("isFinalBlock", "Change the reader options", "JSON tokens").
/// </summary>
public sealed class NewcomerErrorTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private readonly HttpClient _client = factory.CreateClient();

    private static readonly string[] ParserWords = ["isFinalBlock", "reader options", "JSON tokens", "JsonReader", "System.", "Path:"];

    private async Task<(HttpStatusCode Status, string Detail, string Body)> Send(string body, string? contentType = "application/json", string query = "")
    {
        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        if (contentType is not null)
        {
            content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType);
        }

        using var response = await _client.PostAsync("/api/v1/diagnoses" + query, content);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var detail = System.Text.Json.JsonDocument.Parse(text).RootElement.GetProperty("detail").GetString() ?? "";
        Assert.All(ParserWords, word => Assert.DoesNotContain(word, detail, StringComparison.Ordinal));
        return (response.StatusCode, detail, text);
    }

    [Theory]
    [InlineData("", "the body is empty: send a JSON object")]
    [InlineData("""{"symptom":{"errorMessage":"x"},}""", "JSON allows no comma after the last item")]
    [InlineData("""{"symptom":{"errorMessage":"x",}}""", "JSON allows no comma after the last item")]
    [InlineData("{symptom: {}}", "property names are in double quotes")]
    [InlineData("""{"symptom": {"errorMessage": 'x'}}""", "strings are in double quotes")]
    [InlineData("""{"symptom": {"errorMessage": "x"}""", "a closing }, ] or \" is missing")]
    [InlineData("""{"symptom": {}} {"symptom": {}}""", "send one object")]
    [InlineData("""{"domain": "a" "target": {}}""", "a ',' and the next item")]
    [InlineData("// a comment\n{}", "JSON has no comments")]
    [InlineData("{\"symptom\": {\"errorMessage\": \"line one\nline two\"}}", "write \\n, \\t")]
    [InlineData("""{"domain": True}""", "true, false, null (lower case)")]
    public async Task Json_syntax_errors_say_what_to_send_instead(string body, string expected)
    {
        var (status, detail, _) = await Send(body);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(expected, detail, StringComparison.Ordinal);
        Assert.Contains("(line ", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_empty_object_says_that_a_symptom_alone_is_enough()
    {
        var (status, detail, _) = await Send("{}");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.Contains("symptom.errorMessage", detail, StringComparison.Ordinal);
        Assert.Contains("snapshot.outputs", detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("application/x-www-form-urlencoded; note=\"<b>\"")]
    [InlineData("text/plain; note=\"<b>\"")]
    [InlineData(null)]
    public async Task A_body_that_is_not_declared_json_is_a_415_naming_the_header_to_send(string? contentType)
    {
        var (status, detail, body) = await Send("""{"symptom":{"errorMessage":"x"}}""", contentType);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, status);
        Assert.Contains("Content-Type: application/json", detail, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>", body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("?format=md", "format", "json, markdown, slack, teams, jira")]
    [InlineData("?format=html&wait=yes", "wait", "true or false")]
    public async Task An_unknown_query_value_lists_the_values_there_are(string query, string field, string values)
    {
        var (status, detail, body) = await Send("""{"symptom":{"errorMessage":"x"}}""", query: query);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(values, detail, StringComparison.Ordinal);
        Assert.Contains($"\"{field}\"", body, StringComparison.Ordinal);
    }
}
