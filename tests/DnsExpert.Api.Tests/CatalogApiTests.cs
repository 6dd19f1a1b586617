using System.Net;
using System.Text;
using System.Text.Json;

namespace DnsExpert.Api.Tests;

public sealed class CatalogApiTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private readonly HttpClient _client = factory.CreateClient();

    [Fact]
    public async Task Rules_lists_the_knowledge_base_with_the_facts_each_rule_reads()
    {
        var rules = (await (await _client.GetAsync("/api/v1/rules")).Json()).EnumerateArray().ToList();
        var ids = rules.Select(r => r.GetProperty("id").GetString()).ToList();

        Assert.Contains("coredns-autopath-enabled", ids);
        Assert.Contains("packet-capture-recommended", ids);
        var autopath = rules.Single(r => r.GetProperty("id").GetString() == "coredns-autopath-enabled");
        Assert.Equal("critical", autopath.GetProperty("severity").GetString());
        Assert.Equal(["CorefilePlugin"], autopath.GetProperty("facts").EnumerateArray().Select(f => f.GetString()));
        var routing = autopath.GetProperty("routing");
        Assert.Equal(["external", "internal"], routing.GetProperty("nameKind").EnumerateArray().Select(f => f.GetString()));
        Assert.Equal(["often", "rarely", "always"], routing.GetProperty("frequency").EnumerateArray().Select(f => f.GetString()));
        Assert.Equal(["external"], routing.GetProperty("listedUnder").EnumerateArray().Select(f => f.GetString()));
        var capture = rules.Single(r => r.GetProperty("id").GetString() == "packet-capture-recommended").GetProperty("routing");
        Assert.Empty(capture.GetProperty("frequency").EnumerateArray()); // routed on nothing: any symptom
    }

    [Theory]
    [InlineData("statefulset-servicename-mismatch", new[] { "StatefulSetInfo", "ServiceInfo", "StatefulSetHeadlessServices", "ServiceSelectsStatefulSet" })]
    [InlineData("networkpolicy-blocks-dns-egress", new[] { "NetworkPolicyInfo", "PolicySelectsPod", "EgressAllowsDns" })]
    public async Task A_rule_that_joins_facts_lists_every_fact_type_it_joins(string id, string[] facts)
    {
        var rule = (await (await _client.GetAsync($"/api/v1/rules/{id}")).Json()).GetProperty("facts");

        Assert.Equal(facts, rule.EnumerateArray().Select(f => f.GetString()));
    }

    [Fact]
    public async Task One_rule_by_id_or_404()
    {
        Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync("/api/v1/rules/coredns-query-log-disabled")).StatusCode);
        var missing = await _client.GetAsync("/api/v1/rules/no-such-rule");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("curl: (6) Could not resolve host: www.example.com", "ambiguous", "www.example.com")]
    [InlineData("dial tcp: lookup api.example.com on 172.21.0.10:53: no such host", "name-not-found", "api.example.com")]
    [InlineData("dial tcp: lookup api.example.com on 100.100.2.139:53: read udp 192.168.0.100:42922->100.100.2.139:53: i/o timeout", "server-unreachable", "api.example.com")]
    [InlineData(";; connection timed out; no servers could be reached", "server-unreachable", null)]
    [InlineData(";; ->>HEADER<<- opcode: QUERY, status: NXDOMAIN, id: 41850", "name-not-found", null)]
    [InlineData("ping: db.internal.example.com: Name or service not known", "ambiguous", "db.internal.example.com")]
    [InlineData("php_network_getaddresses: getaddrinfo failed: Name or service not known in /var/www/app.php on line 12", "ambiguous", null)]
    [InlineData("nslookup: can't resolve 'kubernetes.default'", "ambiguous", "kubernetes.default")]
    [InlineData("ping: bad address 'sleep-2'", "ambiguous", "sleep-2")]
    [InlineData("java.net.UnknownHostException: 123d1cba7d31: 123d1cba7d31: Temporary failure in name resolution", "server-unreachable", "123d1cba7d31")]
    [InlineData("[v1.3.2.3006] System.Net.Http.HttpRequestException: Resource temporarily unavailable (api.drunkenslug.com:443)", "server-unreachable", "api.drunkenslug.com")]
    [InlineData("something else entirely", "unknown", null)]
    public async Task Classify_follows_the_guide_table(string message, string expectedClass, string? name)
    {
        var response = await _client.PostAsync("/api/v1/classify", new StringContent(JsonSerializer.Serialize(new { message }), Encoding.UTF8, "application/json"));
        var json = await response.Json();

        Assert.Equal(expectedClass, json.GetProperty("class").GetString());
        Assert.Equal(name, json.TryGetProperty("name", out var n) ? n.GetString() : null);
    }

    [Fact]
    public async Task Classify_says_first_that_a_url_where_a_host_belongs_is_the_applications_bug()
    {
        var message = "Error: getaddrinfo ENOTFOUND http://orders.shop.svc.cluster.local";
        var response = await _client.PostAsync("/api/v1/classify", new StringContent(JsonSerializer.Serialize(new { message }), Encoding.UTF8, "application/json"));
        var json = await response.Json();

        Assert.Equal(("name-not-found", "orders.shop.svc.cluster.local", "http://orders.shop.svc.cluster.local"),
            (json.GetProperty("class").GetString(), json.GetProperty("name").GetString(), json.GetProperty("url").GetString()));
        Assert.StartsWith("The application's bug, not DNS", json.GetProperty("explanation").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Classify_without_a_message_is_a_422()
    {
        var response = await _client.PostAsync("/api/v1/classify", new StringContent("{}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.True((await response.Json()).GetProperty("errors").TryGetProperty("message", out _));
    }

    [Fact]
    public async Task Samples_are_listed_and_each_diagnoses_with_findings()
    {
        var samples = (await (await _client.GetAsync("/api/v1/samples")).Json()).EnumerateArray().Select(s => s.GetProperty("name").GetString()!).ToList();
        Assert.Contains("sick-cluster", samples);

        foreach (var name in samples)
        {
            var request = await _client.GetAsync($"/api/v1/samples/{name}");
            Assert.Equal(HttpStatusCode.OK, request.StatusCode);
            var result = await _client.PostAsync($"/api/v1/samples/{name}/diagnose", null);
            Assert.Equal(HttpStatusCode.OK, result.StatusCode);
            Assert.NotEqual(0, (await result.Json()).GetProperty("findings").GetArrayLength());
        }
    }

    [Theory]
    [InlineData("no-such-sample")]
    [InlineData("..%2F..%2Fetc%2Fpasswd")]
    [InlineData("Sick-Cluster")]
    public async Task Unknown_or_unsafe_sample_names_are_404(string name)
    {
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync($"/api/v1/samples/{name}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _client.PostAsync($"/api/v1/samples/{name}/diagnose", null)).StatusCode);
    }

    [Fact]
    public async Task Health_and_readiness()
    {
        Assert.Equal("ok", (await (await _client.GetAsync("/healthz")).Json()).GetProperty("status").GetString());
        var ready = await (await _client.GetAsync("/readyz")).Json();
        Assert.Equal("ready", ready.GetProperty("status").GetString());
        Assert.True(ready.GetProperty("rules").GetInt32() > 0);
    }

    [Fact]
    public async Task The_suggested_first_call_offers_the_bundled_samples_by_name()
    {
        var doc = await (await _client.GetAsync("/swagger/v1/swagger.json")).Json();
        var listed = (await (await _client.GetAsync("/api/v1/samples")).Json()).EnumerateArray().Select(s => s.GetProperty("name").GetString()).ToList();

        foreach (var (path, method) in new[] { ("/api/v1/samples/{name}/diagnose", "post"), ("/api/v1/samples/{name}", "get") })
        {
            var name = doc.GetProperty("paths").GetProperty(path).GetProperty(method).GetProperty("parameters").EnumerateArray()
                .Single(p => p.GetProperty("name").GetString() == "name");
            Assert.Equal(listed, name.GetProperty("schema").GetProperty("enum").EnumerateArray().Select(v => v.GetString()));
            Assert.Equal(listed[0], name.GetProperty("example").GetString());
        }
    }

    [Fact]
    public async Task Swagger_documents_every_endpoint_with_a_worked_example()
    {
        var doc = await (await _client.GetAsync("/swagger/v1/swagger.json")).Json();
        var paths = doc.GetProperty("paths");
        foreach (var path in new[] { "/api/v1/diagnoses", "/api/v1/rules", "/api/v1/classify", "/api/v1/samples", "/api/v1/samples/{name}/diagnose" })
        {
            Assert.True(paths.TryGetProperty(path, out _), $"{path} missing from swagger.json");
        }

        var post = paths.GetProperty("/api/v1/diagnoses").GetProperty("post");
        var example = post.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("example");
        Assert.Equal("web-7d4b9c-x2k4q", example.GetProperty("target").GetProperty("pod").GetString());
        var responseExample = post.GetProperty("responses").GetProperty("200").GetProperty("content").GetProperty("application/json").GetProperty("example");
        Assert.NotEqual(0, responseExample.GetProperty("findings").GetArrayLength());

        Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync("/swagger/index.html")).StatusCode);
    }
}

public sealed partial class KnowledgeCatalogTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Rules_endpoint_lists_every_built_id_of_the_knowledge_base()
    {
        var knowledge = File.ReadLines(Path.Combine(ApiFactory.RepoRoot, "rules", "CATALOGUE.md"))
            .Select(l => RuleIdRow().Match(l)).Where(m => m.Success).Select(m => m.Groups[1].Value).ToList();
        var planned = File.ReadLines(Path.Combine(ApiFactory.RepoRoot, "rules", "PLANNED.md"))
            .Select(l => RuleIdRow().Match(l)).Where(m => m.Success).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
        var listed = (await (await factory.CreateClient().GetAsync("/api/v1/rules")).Json()).EnumerateArray()
            .Select(r => r.GetProperty("id").GetString()!).ToList();

        Assert.True(knowledge.Count >= 30);
        Assert.Equal(knowledge.Where(id => !planned.Contains(id)).Order(StringComparer.Ordinal), listed.Order(StringComparer.Ordinal));
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^\| `([a-z0-9.-]+)`", System.Text.RegularExpressions.RegexOptions.NonBacktracking)]
    private static partial System.Text.RegularExpressions.Regex RuleIdRow();
}

public sealed class OfflineSnapshotsApiTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Collecting_a_snapshot_without_a_cluster_is_a_422()
    {
        var response = await factory.CreateClient().GetAsync("/api/v1/snapshots?namespace=default&pod=web-1");
        Assert.Equal(System.Net.HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Contains("not configured", (await response.Json()).GetProperty("title").GetString(), StringComparison.Ordinal);
    }
}

public sealed class MetricsTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Prometheus_metrics_count_diagnoses_and_findings_by_rule()
    {
        var client = factory.CreateClient();
        await client.PostAsync("/api/v1/samples/sick-cluster/diagnose", null);
        await client.PostAsync("/api/v1/diagnoses", new StringContent("""{"target": {"namespace": "default", "pod": "web-1"}}""", System.Text.Encoding.UTF8, "application/json"));

        var text = await (await client.GetAsync("/metrics")).Content.ReadAsStringAsync();

        Assert.Matches(@"dnsexpert_diagnoses\w*\{[^}]*outcome=""ok""[^}]*\} [1-9]", text);
        Assert.Matches(@"dnsexpert_diagnoses\w*\{[^}]*outcome=""unavailable""[^}]*\} [1-9]", text);
        Assert.Matches(@"dnsexpert_findings\w*\{[^}]*rule_id=""pod-dnspolicy-hostnetwork""", text);
        Assert.Contains("dnsexpert_rule_session_duration_seconds", text, StringComparison.Ordinal);

        // One family per name, and none of the runtime's private meters (msquic internals).
        Assert.DoesNotContain("private_internaldiagnostics", text, StringComparison.Ordinal);
        var families = text.Split('\n').Where(l => l.StartsWith("# TYPE ", StringComparison.Ordinal)).Select(l => l.Split(' ')[2]).ToList();
        Assert.Equal(families.Count, families.Distinct(StringComparer.Ordinal).Count());
    }
}
