using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DnsExpert.Api.Tests;

/// <summary>
/// <c>POST /api/v1/diagnoses/{id}/evidence</c>: the conversation a chat bot runs (symptom, the checks to run, their
/// output pasted, the verdict), over HTTP against the real service and its SQLite history.
/// </summary>
public sealed class EvidenceApiTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private const string Scenario = "app-to-kube-dns-unreachable";

    private static StringContent Body(string json) => new(json, Encoding.UTF8, "application/json");

    private static JsonObject ScenarioRequest() =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(ApiFactory.RepoRoot, "tests", "scenarios", Scenario, "fires-pasted-dig-output.json")))!.AsObject();

    /// <summary>
    /// The first step: the symptom and what a user has at hand (the cluster's objects, CoreDNS logs, the pod's
    /// resolv.conf), without the dig checks.
    /// </summary>
    private static (string First, JsonArray PodChecks) Conversation()
    {
        var request = ScenarioRequest();
        var outputs = request["snapshot"]!["outputs"]!.AsArray();
        request["snapshot"]!.AsObject().Remove("outputs");

        // The pod-IP answers of the scenario; the ClusterIP check comes from the real dig below.
        var podChecks = new JsonArray(outputs[1]!.DeepClone(), outputs[2]!.DeepClone());
        return (request.ToJsonString(), podChecks);
    }

    /// <summary>Real <c>dig</c> 9.18 output of a timeout (captured against a silent server), with the kube-dns ClusterIP as its server, as the pod would print it.</summary>
    private static JsonObject RealDigTimeout()
    {
        var text = File.ReadAllText(Path.Combine(ApiFactory.RepoRoot, "tests", "fixtures", "dns-tools", "dig-timeout.txt"))
            .Replace("127.0.0.1#15355", "172.21.0.10#53", StringComparison.Ordinal)
            .Replace("@127.0.0.1 -p 15355", "@172.21.0.10", StringComparison.Ordinal)
            .Replace("www.test", "kubernetes.default.svc.cluster.local", StringComparison.Ordinal);
        return new JsonObject
        {
            ["from"] = "default/web-7d4b9c-x2k4q",
            ["command"] = "dig @172.21.0.10 kubernetes.default.svc.cluster.local A +tries=1 +time=1",
            ["text"] = text,
        };
    }

    private static List<string> RuleIds(JsonElement json) => json.GetProperty("findings").EnumerateArray().Select(f => f.GetProperty("ruleId").GetString()!).ToList();

    private static async Task<string> StartAsync(HttpClient client)
    {
        var (first, _) = Conversation();
        var response = await client.PostAsync("/api/v1/diagnoses", Body(first));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = await response.Json();
        Assert.DoesNotContain(Scenario, RuleIds(json));
        return json.GetProperty("id").GetString()!;
    }

    private static string Evidence(params JsonNode[] outputs) => new JsonObject { ["outputs"] = new JsonArray(outputs) }.ToJsonString();

    [Fact]
    public async Task A_later_rounds_outputs_are_named_as_its_body_names_them_and_an_unreadable_table_says_why()
    {
        var client = factory.CreateClient();
        var first = new JsonObject
        {
            ["symptom"] = new JsonObject { ["errorMessage"] = "dial udp 172.21.0.10:53: i/o timeout" },
            ["snapshot"] = new JsonObject { ["outputs"] = new JsonArray(RealDigTimeout(), RealDigTimeout()) },
        };
        var started = await (await client.PostAsync("/api/v1/diagnoses", Body(first.ToJsonString()))).Json();
        var unreadable = new JsonObject { ["command"] = "kubectl get svc -n kube-system", ["text"] = "kube-dns   ClusterIP   172.21.0.10   <none>   53/UDP,53/TCP,9153/TCP   20d\n" };

        var response = await client.PostAsync($"/api/v1/diagnoses/{started.GetProperty("id").GetString()}/evidence", Body(Evidence(unreadable)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var collection = (await response.Json()).GetProperty("collection").EnumerateArray()
            .ToDictionary(c => c.GetProperty("source").GetString()!, c => (Status: c.GetProperty("status").GetString(), Detail: c.GetProperty("detail").GetString()!));
        Assert.Equal("failed", collection["outputs[0]"].Status);
        Assert.Contains("with its header line", collection["outputs[0]"].Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("say where it ran", collection["outputs[0]"].Detail, StringComparison.Ordinal);
        Assert.Contains("snapshot.outputs[1] of the earlier request", collection.Keys);
        Assert.DoesNotContain("snapshot.outputs[2]", collection.Keys);
    }

    [Fact]
    public async Task Pasted_dig_timeout_refines_the_first_diagnosis_into_a_new_one_linked_both_ways()
    {
        var client = factory.CreateClient();
        var firstId = await StartAsync(client);
        var (_, podChecks) = Conversation();

        var response = await client.PostAsync($"/api/v1/diagnoses/{firstId}/evidence",
            Body(Evidence(RealDigTimeout(), podChecks[0]!.DeepClone(), podChecks[1]!.DeepClone())));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var refined = await response.Json();
        var refinedId = refined.GetProperty("id").GetString()!;
        Assert.NotEqual(firstId, refinedId);
        Assert.Contains(Scenario, RuleIds(refined));
        Assert.Equal(firstId, refined.GetProperty("previousId").GetString());
        Assert.Equal($"/api/v1/diagnoses/{firstId}", refined.GetProperty("links").GetProperty("previous").GetString());
        var notes = refined.GetProperty("collection").EnumerateArray().Select(c => c.GetProperty("source").GetString()).ToList();
        Assert.Contains("outputs[0]", notes);

        // Read back: the first points to the refinement, the refinement to the first.
        var first = await (await client.GetAsync($"/api/v1/diagnoses/{firstId}")).Json();
        Assert.Equal($"/api/v1/diagnoses/{refinedId}", first.GetProperty("links").GetProperty("next").GetString());
        Assert.False(first.TryGetProperty("previousId", out _));
        var again = await (await client.GetAsync($"/api/v1/diagnoses/{refinedId}")).Json();
        Assert.Equal(firstId, again.GetProperty("previousId").GetString());
        Assert.Equal(RuleIds(refined), RuleIds(again));
        Assert.False(again.GetProperty("links").TryGetProperty("next", out _));

        // The refinement's kept request holds the earlier snapshot and the pasted outputs.
        var kept = JsonNode.Parse(await client.GetStringAsync($"/api/v1/diagnoses/{refinedId}/request"))!;
        Assert.Equal(3, kept["snapshot"]!["outputs"]!.AsArray().Count);
        Assert.Equal(ScenarioRequest()["snapshot"]!["objects"]!.AsArray().Count, kept["snapshot"]!["objects"]!.AsArray().Count);
    }

    [Fact]
    public async Task Evidence_can_be_added_asynchronously_and_to_a_refinement_again()
    {
        var client = factory.CreateClient();
        var firstId = await StartAsync(client);
        var (_, podChecks) = Conversation();

        var accepted = await client.PostAsync($"/api/v1/diagnoses/{firstId}/evidence?wait=false", Body(Evidence(podChecks[0]!.DeepClone())));
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var queued = await accepted.Json();
        Assert.Equal(firstId, queued.GetProperty("previousId").GetString());
        var secondId = queued.GetProperty("id").GetString()!;
        JsonElement second = default;
        for (var i = 0; i < 200; i++)
        {
            second = await (await client.GetAsync($"/api/v1/diagnoses/{secondId}")).Json();
            if (second.GetProperty("status").GetString() != "running")
            {
                break;
            }

            await Task.Delay(50);
        }

        Assert.Equal("completed", second.GetProperty("status").GetString());
        Assert.Equal(firstId, second.GetProperty("previousId").GetString());
        Assert.DoesNotContain(Scenario, RuleIds(second)); // one pod answering is not yet the verdict

        var third = await (await client.PostAsync($"/api/v1/diagnoses/{secondId}/evidence", Body(Evidence(RealDigTimeout())))).Json();
        Assert.Contains(Scenario, RuleIds(third));
        Assert.Equal(secondId, third.GetProperty("previousId").GetString());
    }

    [Fact]
    public async Task Bad_evidence_is_refused_with_a_problem_naming_the_field()
    {
        var client = factory.CreateClient();

        var unknown = await client.PostAsync($"/api/v1/diagnoses/{new string('0', 32)}/evidence", Body(Evidence(RealDigTimeout())));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.PostAsync("/api/v1/diagnoses/not-an-id/evidence", Body(Evidence(RealDigTimeout())))).StatusCode);

        var firstId = await StartAsync(client);
        var typo = await client.PostAsync($"/api/v1/diagnoses/{firstId}/evidence", Body("""{"output":[{"command":"dig","text":"x"}]}"""));
        Assert.Equal(HttpStatusCode.BadRequest, typo.StatusCode);
        var typoProblem = await typo.Json();
        Assert.Contains("unknown property 'output'", typoProblem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("outputs", typoProblem.GetProperty("detail").GetString(), StringComparison.Ordinal);

        var many = new JsonArray([.. Enumerable.Range(0, 201).Select(_ => (JsonNode)RealDigTimeout())]);
        var tooMany = await client.PostAsync($"/api/v1/diagnoses/{firstId}/evidence", Body(new JsonObject { ["outputs"] = many }.ToJsonString()));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, tooMany.StatusCode);
        Assert.Contains((await tooMany.Json()).GetProperty("errors").EnumerateObject(), e => e.Name.EndsWith("outputs", StringComparison.Ordinal));

        var empty = await client.PostAsync($"/api/v1/diagnoses/{firstId}/evidence", Body("{}"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, empty.StatusCode);
        Assert.True((await empty.Json()).GetProperty("errors").TryGetProperty("outputs", out _));

        var badOrigin = RealDigTimeout();
        badOrigin["from"] = "default/web\n; rm -rf /";
        var refused = await client.PostAsync($"/api/v1/diagnoses/{firstId}/evidence", Body(Evidence(badOrigin)));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.True((await refused.Json()).GetProperty("errors").TryGetProperty("outputs[0].from", out _));

        // Nothing of the refused bodies was diagnosed: the first has no refinement.
        var first = await (await client.GetAsync($"/api/v1/diagnoses/{firstId}")).Json();
        Assert.False(first.GetProperty("links").TryGetProperty("next", out _));
    }

    [Fact]
    public async Task Swagger_documents_the_evidence_endpoint_with_a_worked_example()
    {
        var doc = await (await factory.CreateClient().GetAsync("/swagger/v1/swagger.json")).Json();
        var post = doc.GetProperty("paths").GetProperty("/api/v1/diagnoses/{id}/evidence").GetProperty("post");
        Assert.Equal("AddDiagnosisEvidence", post.GetProperty("operationId").GetString());
        var example = post.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("example");
        Assert.Contains("no servers could be reached", example.GetProperty("outputs")[0].GetProperty("text").GetString(), StringComparison.Ordinal);
        var response = post.GetProperty("responses").GetProperty("200").GetProperty("content").GetProperty("application/json").GetProperty("example");
        Assert.Equal(Scenario, response.GetProperty("findings")[0].GetProperty("ruleId").GetString());
        Assert.True(response.TryGetProperty("previousId", out _));
        foreach (var status in new[] { "404", "409", "410", "422" })
        {
            Assert.True(post.GetProperty("responses").TryGetProperty(status, out _), status);
        }
    }

    /// <summary>
    /// The OpenAPI worked example is what the service answers: the README's first step (the error and the pod's
    /// resolv.conf), then the example's outputs (digs, a ping, the CoreDNS pods and the kube-dns Service as kubectl
    /// prints them) give the example's findings, hypotheses and collection notes.
    /// </summary>
    [Fact]
    public async Task The_worked_example_of_the_evidence_endpoint_is_what_it_answers()
    {
        var examples = Path.Combine(ApiFactory.RepoRoot, "src", "DnsExpert.Api", "OpenApi", "Examples");
        var client = factory.CreateClient();
        var first = await (await client.PostAsync("/api/v1/diagnoses", Body("""
            {"target": {"namespace": "default", "pod": "web-7d4b9c-x2k4q"}, "domain": "orders.shop.svc.cluster.local",
             "symptom": {"errorMessage": "dial tcp: lookup orders.shop.svc.cluster.local on 172.21.0.10:53: read udp 172.20.7.45:38161->172.21.0.10:53: i/o timeout", "frequency": "always"},
             "snapshot": {"outputs": [{"from": "default/web-7d4b9c-x2k4q", "command": "cat /etc/resolv.conf",
                                       "text": "search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver 172.21.0.10\noptions ndots:5\n"}]}}
            """))).Json();

        var refined = await client.PostAsync($"/api/v1/diagnoses/{first.GetProperty("id").GetString()}/evidence", Body(File.ReadAllText(Path.Combine(examples, "AddDiagnosisEvidence.request.json"))));

        Assert.Equal(HttpStatusCode.OK, refined.StatusCode);
        var actual = await refined.Json();
        var example = JsonDocument.Parse(File.ReadAllText(Path.Combine(examples, "AddDiagnosisEvidence.response.json"))).RootElement;
        static IEnumerable<string> Findings(JsonElement d) => d.GetProperty("findings").EnumerateArray().Select(f => $"{f.GetProperty("ruleId").GetString()} {f.GetProperty("severity").GetString()}: {f.GetProperty("cause").GetString()}");
        static IEnumerable<string> Hypotheses(JsonElement d) => d.GetProperty("hypotheses").EnumerateArray().Select(h => $"{h.GetProperty("ruleId").GetString()} {h.GetProperty("status").GetString()}: {h.GetProperty("reason").GetString()}");
        static IEnumerable<string> Notes(JsonElement d) => d.GetProperty("collection").EnumerateArray().Select(c => $"{c.GetProperty("source").GetString()} {c.GetProperty("status").GetString()}: {c.GetProperty("detail").GetString()}");
        Assert.Equal(Findings(example), Findings(actual));
        Assert.Equal(Notes(example), Notes(actual));
        Assert.Equal(JsonSerializer.Serialize(example.GetProperty("dnsPath")), JsonSerializer.Serialize(actual.GetProperty("dnsPath")));
        // The example shows the first hypotheses and the last resort; the service answers them in that order.
        var hypotheses = Hypotheses(actual).ToList();
        var shown = Hypotheses(example).ToList();
        Assert.Equal(shown[..^1], hypotheses.Take(shown.Count - 1));
        Assert.Equal(shown[^1], hypotheses[^1]);
    }

    [Fact]
    public async Task A_running_diagnosis_is_a_409_and_one_whose_request_is_not_kept_a_410()
    {
        var client = factory.CreateClient();
        var store = ((DnsExpert.Api.History.HistoryState)factory.Services.GetService(typeof(DnsExpert.Api.History.HistoryState))!).Store!;
        var running = Guid.NewGuid().ToString("N");
        await store.BeginAsync(new DnsExpert.History.DiagnosisStart(running, DateTimeOffset.UtcNow, new Contract.DiagnosisRequest()), CancellationToken.None);

        var busy = await client.PostAsync($"/api/v1/diagnoses/{running}/evidence", Body(Evidence(RealDigTimeout())));
        Assert.Equal(HttpStatusCode.Conflict, busy.StatusCode);
        Assert.Equal("1", busy.Headers.RetryAfter?.ToString());

        var firstId = await StartAsync(client);
        await using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={factory.HistoryPath}"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "UPDATE diagnoses SET request_json = 'null' WHERE id = $id";
            command.Parameters.AddWithValue("$id", firstId);
            Assert.Equal(1, await command.ExecuteNonQueryAsync());
        }

        var gone = await client.PostAsync($"/api/v1/diagnoses/{firstId}/evidence", Body(Evidence(RealDigTimeout())));
        Assert.Equal(HttpStatusCode.Gone, gone.StatusCode);
        Assert.Contains("POST /api/v1/diagnoses", (await gone.Json()).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }
}
