using System.Text;
using System.Text.RegularExpressions;

namespace DnsExpert.Api.Tests;

/// <summary>
/// The problem answers (RFC 9457) a client meets, byte for byte: status, media type, <c>Retry-After</c> and body of each,
/// as kept in <c>Golden/problem-bodies.txt</c>. The file was written by the service before the endpoints returned typed
/// problem results, so a change in how a problem is built or written shows here as a changed line. Only the trace id and
/// the 32-hex-digit diagnosis ids are masked.
/// </summary>
public sealed partial class ProblemBodiesTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private static readonly string Golden = Path.Combine(ApiFactory.RepoRoot, "tests", "DnsExpert.Api.Tests", "Golden", "problem-bodies.txt");

    private static StringContent Json(string text) => new(text, Encoding.UTF8, "application/json");

    private static StringContent Text(string text) => new(text, Encoding.UTF8, "text/plain");

    private static string Sample(string name) => File.ReadAllText(Path.Combine(ApiFactory.RepoRoot, "src", "DnsExpert.Api", "Samples", name));

    private static string Example(string name) => File.ReadAllText(Path.Combine(ApiFactory.RepoRoot, "src", "DnsExpert.Api", "OpenApi", "Examples", name));

    [Fact]
    public async Task Every_problem_answer_is_written_as_before()
    {
        var client = factory.CreateClient();
        var created = await client.PostAsync("/api/v1/diagnoses", Json(Sample("sick-cluster.json")));
        var id = (await created.Json()).GetProperty("id").GetString();
        const string missing = "00000000000000000000000000000000";
        var answers = new StringBuilder();
        async Task Record(string label, Task<HttpResponseMessage> call)
        {
            using var response = await call;
            var body = TraceId().Replace(await response.Content.ReadAsStringAsync(), "\"traceId\":\"T\"");
            body = HexId().Replace(body, "ID");
            answers.Append($"== {label} -> {(int)response.StatusCode} {response.Content.Headers.ContentType} Retry-After={response.Headers.RetryAfter}\n{body}\n");
        }

        await Record("bad json", client.PostAsync("/api/v1/diagnoses", Json("{\"snapshot\": ")));
        await Record("text/plain", client.PostAsync("/api/v1/diagnoses", Text("{}")));
        await Record("no content type", client.PostAsync("/api/v1/diagnoses", new ByteArrayContent(Encoding.UTF8.GetBytes("{}"))));
        await Record("invalid namespace", client.PostAsync("/api/v1/diagnoses", Json("{\"target\": {\"namespace\": \"Not A Namespace\", \"pod\": \"x\"}, \"symptom\": {\"errorMessage\": \"x\"}}")));
        await Record("format pdf", client.PostAsync("/api/v1/diagnoses?format=pdf", Json("{}")));
        await Record("empty request", client.PostAsync("/api/v1/diagnoses", Json("{}")));
        await Record("empty request, queued", client.PostAsync("/api/v1/diagnoses?wait=false", Json("{}")));
        await Record("null body", client.PostAsync("/api/v1/diagnoses", Json("null")));
        await Record("unknown property", client.PostAsync("/api/v1/diagnoses", Json("{\"bogus\":1}")));
        await Record("list limit 0", client.GetAsync("/api/v1/diagnoses?limit=0"));
        await Record("list limit x", client.GetAsync("/api/v1/diagnoses?limit=x"));
        await Record("list since and namespace", client.GetAsync("/api/v1/diagnoses?since=yesterday&namespace=A"));
        await Record("get missing", client.GetAsync($"/api/v1/diagnoses/{missing}"));
        await Record("get bad id", client.GetAsync("/api/v1/diagnoses/%3Cx%3E"));
        await Record("get format pdf", client.GetAsync($"/api/v1/diagnoses/{id}?format=pdf"));
        await Record("ticket missing", client.GetAsync($"/api/v1/diagnoses/{missing}/ticket"));
        await Record("request missing", client.GetAsync($"/api/v1/diagnoses/{missing}/request"));
        await Record("jira missing", client.PostAsync($"/api/v1/diagnoses/{missing}/ticket/jira", null));
        await Record("jira not configured", client.PostAsync($"/api/v1/diagnoses/{id}/ticket/jira", null));
        await Record("evidence missing", client.PostAsync($"/api/v1/diagnoses/{missing}/evidence", Json(Example("AddDiagnosisEvidence.request.json"))));
        await Record("evidence empty", client.PostAsync($"/api/v1/diagnoses/{id}/evidence", Json("{}")));
        await Record("evidence bad json", client.PostAsync($"/api/v1/diagnoses/{id}/evidence", Json("{")));
        await Record("evidence text/plain", client.PostAsync($"/api/v1/diagnoses/{id}/evidence", Text("{}")));
        await Record("classify empty", client.PostAsync("/api/v1/classify", Json("{}")));
        await Record("classify bad json", client.PostAsync("/api/v1/classify", Json("[")));
        await Record("classify text/plain", client.PostAsync("/api/v1/classify", Text("{}")));
        await Record("rule missing", client.GetAsync("/api/v1/rules/no-such-rule!"));
        await Record("sample missing", client.GetAsync("/api/v1/samples/no-such-sample"));
        await Record("sample diagnosis missing", client.PostAsync("/api/v1/samples/no-such/diagnose", null));
        await Record("snapshot without a cluster", client.GetAsync("/api/v1/snapshots?namespace=default&pod=web"));
        await Record("snapshot bad namespace", client.GetAsync("/api/v1/snapshots?namespace=BAD&pod=web"));
        await Record("alert not a payload", client.PostAsync("/api/v1/alerts/alertmanager", Json("{\"version\": \"4\"}")));
        await Record("alert text/plain", client.PostAsync("/api/v1/alerts/alertmanager", Text("{}")));
        await Record("slack not enabled", client.PostAsync("/api/v1/chat/slack/commands", new StringContent("a=b", Encoding.UTF8, "application/x-www-form-urlencoded")));
        await Record("teams not enabled", client.PostAsync("/api/v1/chat/teams/messages", Json("{}")));

        var expected = (await File.ReadAllTextAsync(Golden)).ReplaceLineEndings("\n");
        var actual = answers.ToString();
        var changed = expected.Split('\n').Zip(actual.Split('\n')).Select((pair, line) => (pair, line)).Where(x => x.pair.First != x.pair.Second)
            .Take(3).Select(x => $"line {x.line + 1}:\n  was: {x.pair.First}\n  now: {x.pair.Second}");
        Assert.True(expected == actual, "problem answers changed:\n" + string.Join("\n", changed));
    }

    [GeneratedRegex("\"traceId\":\"[^\"]*\"", RegexOptions.NonBacktracking)]
    private static partial Regex TraceId();

    [GeneratedRegex("[0-9a-f]{32}", RegexOptions.NonBacktracking)]
    private static partial Regex HexId();
}
