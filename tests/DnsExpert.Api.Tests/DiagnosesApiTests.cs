using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace DnsExpert.Api.Tests;

public sealed class DiagnosesApiTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private readonly HttpClient _client = factory.CreateClient();

    private static StringContent Body(string json) => new(json, Encoding.UTF8, "application/json");

    private static string Sample(string name) => File.ReadAllText(Path.Combine(ApiFactory.RepoRoot, "src", "DnsExpert.Api", "Samples", name + ".json"));

    [Fact]
    public async Task Valid_request_returns_the_response_contract()
    {
        var response = await _client.PostAsync("/api/v1/diagnoses", Body(Sample("autopath-wrong-answers")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = await response.Json();
        Assert.Equal(32, json.GetProperty("id").GetString()!.Length);
        Assert.Equal("name-not-found", json.GetProperty("classification").GetProperty("class").GetString());
        var finding = json.GetProperty("findings").EnumerateArray().Single(f => f.GetProperty("ruleId").GetString() == "coredns-autopath-enabled");
        Assert.Equal("critical", finding.GetProperty("severity").GetString());
        Assert.Contains("autopath @kubernetes", finding.GetProperty("evidence")[0].GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("kubectl -n kube-system edit configmap coredns", finding.GetProperty("remediation")[0].GetProperty("command").GetString());
        Assert.Equal("ok", json.GetProperty("collection")[0].GetProperty("status").GetString());
    }

    [Fact]
    public async Task Sick_cluster_returns_every_fault_ranked_without_duplicates()
    {
        var response = await _client.PostAsync("/api/v1/diagnoses", Body(Sample("sick-cluster")));
        var json = await response.Json();
        var ids = json.GetProperty("findings").EnumerateArray().Select(f => f.GetProperty("ruleId").GetString()!).ToList();

        Assert.Equal(ids.Distinct().Count(), ids.Count);
        Assert.Subset(ids.ToHashSet(), new HashSet<string> { "pod-dnspolicy-hostnetwork", "coredns-autopath-enabled", "coredns-unknown-directive", "external-domain-upstream-error" });
        Assert.DoesNotContain("packet-capture-recommended", ids);
        Assert.DoesNotContain("coredns-query-log-disabled", ids);

        // The target pod's own misconfiguration explains the reported failure best: it comes first.
        Assert.Equal("pod-dnspolicy-hostnetwork", ids[0]);
        // By severity, but for an effect, which stands under its cause: coredns-pod-not-running (a warning once the
        // unknown directive explains it) right after coredns-unknown-directive.
        var severities = json.GetProperty("findings").EnumerateArray().Where(f => !f.TryGetProperty("explainedBy", out _)).Select(f => f.GetProperty("severity").GetString()).ToList();
        Assert.Equal(severities.OrderBy(s => s switch { "critical" => 0, "warning" => 1, _ => 2 }), severities);
        Assert.Equal(ids.IndexOf("coredns-unknown-directive") + 1, ids.IndexOf("coredns-pod-not-running"));
    }

    [Fact]
    public async Task External_upstream_error_carries_the_ticket_payload()
    {
        var json = await (await _client.PostAsync("/api/v1/diagnoses", Body(Sample("external-upstream-nxdomain")))).Json();
        var finding = json.GetProperty("findings").EnumerateArray().Single(f => f.GetProperty("ruleId").GetString() == "external-domain-upstream-error");
        var ticket = finding.GetProperty("ticket");

        var entries = ticket.GetProperty("entries").EnumerateArray().Select(e => (e.GetProperty("name").GetString(), e.GetProperty("rcode").GetString(), e.GetProperty("time").GetString())).ToList();
        Assert.Contains(("api.partner-example.com", "NXDOMAIN", "2024-05-13 08:21:44 UTC"), entries);
        Assert.Contains(("api.partner-example.com", "SERVFAIL", "2024-05-13 08:21:46 UTC"), entries);
        var nodes = ticket.GetProperty("coreDnsNodes").EnumerateArray().Select(n => n.GetProperty("instanceId").GetString()).ToList();
        Assert.Equal(["i-bp1g6zv0ce8oghu7k3a1", "i-bp1g6zv0ce8oghu7k3a3"], nodes);
    }

    [Fact]
    public async Task Markdown_is_served_on_request()
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/diagnoses") { Content = Body(Sample("autopath-wrong-answers")) };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/markdown"));
        var response = await _client.SendAsync(request);

        Assert.Equal("text/markdown", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        Assert.StartsWith("# DNS diagnosis", text, StringComparison.Ordinal);
        Assert.Contains("**Verdict:** [CRITICAL]", text, StringComparison.Ordinal);
        Assert.Contains("```sh", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Malformed_json_is_a_400_naming_the_line()
    {
        var response = await _client.PostAsync("/api/v1/diagnoses", Body("{\n  \"domain\": \"x.example.com\",\n  \"target\": {\"pod\": }\n}"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var json = await response.Json();
        Assert.Contains("line 3", json.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.True(json.GetProperty("errors").TryGetProperty("target.pod", out _), json.ToString());
    }

    [Theory]
    [InlineData("""{"target": {"pod": 42}}""", "target.pod", "wrong type")]
    [InlineData("""{"symptom": {"frequency": "sometimes"}}""", "symptom.frequency", "always, peak, often, rarely, scaling")]
    [InlineData("""{"snapshot": {"probes": [{"kind": "dns", "outcome": "answered", "port": "fifty-three"}]}}""", "snapshot.probes[0].port", "wrong type")]
    [InlineData("""{"snapshot": {"objects": {}}}""", "snapshot.objects", "wrong type")]
    [InlineData("""{"snapshot": {"logs": [{"pod": "coredns-1", "text": 42}]}}""", "snapshot.logs[0].text", "wrong type")]
    [InlineData("""{"snapshot": {"logs": [{"pod": "a"}, {"pod": ["coredns-1"]}]}}""", "snapshot.logs[1].pod", "wrong type")]
    [InlineData("""{"snapshot": {"logs": [7]}}""", "snapshot.logs[0]", "wrong type")]
    public async Task Wrong_types_and_unknown_enum_values_are_400s_naming_the_field(string body, string field, string message)
    {
        var response = await _client.PostAsync("/api/v1/diagnoses", Body(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Json()).GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out var messages), errors.ToString());
        Assert.Contains(message, messages[0].GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"target": {"namespace": "default", "pod": "Web_Pod"}, "snapshot": {}}""", "target.pod")]
    [InlineData("""{"target": {"namespace": "Default!", "pod": "web"}, "snapshot": {}}""", "target.namespace")]
    [InlineData("""{"domain": "bad domain; rm -rf /", "snapshot": {}}""", "domain")]
    [InlineData("""{"snapshot": {"probes": [{"kind": "dns", "outcome": "timeout", "port": 70000}]}}""", "snapshot.probes[0].port")]
    [InlineData("""{"snapshot": {"probes": [{"kind": "dns", "outcome": "timeout", "replyFrom": "10.0.0.1; rm -rf /"}]}}""", "snapshot.probes[0].replyFrom")]
    [InlineData("""{"snapshot": {"logs": [{"text": "x"}]}}""", "snapshot.logs[0].pod")]
    public async Task Invalid_values_are_422s_naming_the_field(string body, string field)
    {
        var response = await _client.PostAsync("/api/v1/diagnoses", Body(body));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var errors = (await response.Json()).GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out _), errors.ToString());
    }

    [Fact]
    public async Task Missing_snapshot_is_a_422_saying_live_collection_is_not_configured()
    {
        var response = await _client.PostAsync("/api/v1/diagnoses", Body("""{"target": {"namespace": "default", "pod": "web-1"}}"""));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var json = await response.Json();
        Assert.Contains("live collection", json.GetProperty("detail").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.True(json.GetProperty("errors").TryGetProperty("snapshot", out _));
    }

    [Fact]
    public async Task Body_over_the_limit_is_a_413()
    {
        var huge = "{\"domain\": \"x.example.com\", \"snapshot\": {\"logs\": [{\"pod\": \"coredns-1\", \"text\": \"" + new string('a', 33 * 1024 * 1024) + "\"}]}}";
        var response = await _client.PostAsync("/api/v1/diagnoses", Body(huge));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Deeply_nested_json_is_a_400_not_a_crash()
    {
        var nested = "{\"snapshot\": {\"objects\": [" + new string('[', 10_000) + new string(']', 10_000) + "]}}";
        var response = await _client.PostAsync("/api/v1/diagnoses", Body(nested));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync("/healthz")).StatusCode);
    }

    [Fact]
    public async Task Unknown_object_kinds_are_ignored_and_reported_in_collection()
    {
        const string body = """
            {"snapshot": {"objects": [
              {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "web", "namespace": "default"}},
              {"apiVersion": "v1", "kind": "List", "items": [{"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s", "namespace": "default"}}]}
            ]}}
            """;
        var json = await (await _client.PostAsync("/api/v1/diagnoses", Body(body))).Json();
        var entry = json.GetProperty("collection").EnumerateArray().Single(c => c.GetProperty("source").GetString() == "snapshot.objects");

        Assert.Equal("partial", entry.GetProperty("status").GetString());
        Assert.Contains("Ingress (1)", entry.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("Secret (1)", entry.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Non_json_content_type_is_a_415()
    {
        var response = await _client.PostAsync("/api/v1/diagnoses", new StringContent("domain=x", Encoding.UTF8, "application/x-www-form-urlencoded"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }
}

public sealed class SlackFormatTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Slack_block_kit_message_within_slack_limits()
    {
        var body = await File.ReadAllTextAsync(Path.Combine(ApiFactory.RepoRoot, "src", "DnsExpert.Api", "Samples", "sick-cluster.json"));
        var response = await factory.CreateClient().PostAsync("/api/v1/diagnoses?format=slack", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var json = await response.Json();
        var blocks = json.GetProperty("blocks").EnumerateArray().ToList();
        Assert.InRange(blocks.Count, 3, 50);
        Assert.Equal("header", blocks[0].GetProperty("type").GetString());
        Assert.True(blocks[0].GetProperty("text").GetProperty("text").GetString()!.Length <= 150);
        foreach (var section in blocks.Where(b => b.GetProperty("type").GetString() == "section"))
        {
            Assert.True(section.GetProperty("text").GetProperty("text").GetString()!.Length <= 3000);
        }

        var text = string.Join('\n', blocks.Where(b => b.GetProperty("type").GetString() == "section").Select(b => b.GetProperty("text").GetProperty("text").GetString()));
        Assert.Contains("`pod-dnspolicy-hostnetwork`", text, StringComparison.Ordinal);
        Assert.Contains("```", text, StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(json.GetProperty("text").GetString()));
    }

    [Fact]
    public async Task Request_text_cannot_form_slack_links_or_mentions()
    {
        const string body = """{"domain": "x.example.com", "symptom": {"errorMessage": "curl: (6) Could not resolve host: <!channel> <https://evil.example|click>"}, "snapshot": {"objects": []}}""";
        var response = await factory.CreateClient().PostAsync("/api/v1/diagnoses?format=slack", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        var raw = await response.Content.ReadAsStringAsync();

        Assert.DoesNotContain("<!channel>", raw, StringComparison.Ordinal);
        Assert.DoesNotContain("<https://evil", raw, StringComparison.Ordinal);
    }
}
