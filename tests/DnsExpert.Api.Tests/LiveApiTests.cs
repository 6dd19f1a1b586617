using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using DnsExpert.Contract;
using DnsExpert.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace DnsExpert.Api.Tests;

/// <summary>The real service, configured for a cluster (the fixture API server), diagnosing requests without a snapshot.</summary>
public sealed class LiveApiTests : IAsyncLifetime
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly string _temp = Directory.CreateTempSubdirectory("dnsexpert-liveapi-").FullName;
    private FixtureApiServer _server = null!;
    private WebApplicationFactory<Program> _factory = null!;
    private DiagnosisRequest _scenario = null!;

    public async Task InitializeAsync()
    {
        var root = new DirectoryInfo(RepoPaths.Root);
        _scenario = JsonSerializer.Deserialize<DiagnosisRequest>(await File.ReadAllTextAsync(Path.Combine(root.FullName, "src", "DnsExpert.Api", "Samples", "sick-cluster.json")), Json)!;
        _server = await FixtureApiServer.StartAsync(_scenario.Snapshot!);
        var kubeconfig = _server.WriteKubeconfig(_temp);
        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b => b
            .UseSetting("DnsExpert:RulesDirectory", Path.Combine(root.FullName, "rules"))
            .UseSetting("DnsExpert:Cluster:Enabled", "true")
            .UseSetting("DnsExpert:Cluster:Kubeconfig", kubeconfig)
            .UseSetting("DnsExpert:Cluster:CollectorTimeout", "00:00:10")
            .UseSetting("DnsExpert:Probes:Enabled", "false")
            .UseSetting("DnsExpert:History:ConnectionString", Path.Combine(_temp, "history.db")));
    }

    public async Task DisposeAsync()
    {
        await _factory.DisposeAsync();
        await _server.DisposeAsync();
        Directory.Delete(_temp, recursive: true);
    }

    private static StringContent Body(object value) => new(JsonSerializer.Serialize(value, Json), Encoding.UTF8, "application/json");

    [Fact]
    public async Task A_request_without_snapshot_is_collected_live_and_diagnosed()
    {
        var client = _factory.CreateClient();
        var response = await client.PostAsync("/api/v1/diagnoses", Body(new { target = _scenario.Target, domain = _scenario.Domain, symptom = _scenario.Symptom }));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = await response.Content.ReadFromJsonAsync<JsonElement>();
        var ids = json.GetProperty("findings").EnumerateArray().Select(f => f.GetProperty("ruleId").GetString()).ToList();
        Assert.Contains("pod-dnspolicy-hostnetwork", ids);
        Assert.Contains("coredns-autopath-enabled", ids);
        var sources = json.GetProperty("collection").EnumerateArray().Select(c => c.GetProperty("source").GetString()).ToList();
        Assert.Contains("ConfigMap kube-system/coredns", sources);
        Assert.Contains("Pods kube-system (k8s-app=kube-dns)", sources);
        Assert.Contains("configured", (await (await client.GetAsync("/readyz")).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("cluster").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_collected_snapshot_replays_offline_to_the_same_findings()
    {
        var client = _factory.CreateClient();
        var live = await client.PostAsync("/api/v1/diagnoses", Body(new { target = _scenario.Target, domain = _scenario.Domain, symptom = _scenario.Symptom }));
        var liveIds = (await live.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("findings").EnumerateArray().Select(f => f.GetProperty("ruleId").GetString()).Order().ToList();

        var snapshot = await client.GetAsync($"/api/v1/snapshots?namespace={_scenario.Target!.Namespace}&pod={_scenario.Target.Pod}&domain={_scenario.Domain}");
        Assert.Equal(HttpStatusCode.OK, snapshot.StatusCode);
        var replayBody = JsonDocument.Parse(await snapshot.Content.ReadAsStringAsync()).RootElement;
        var replayRequest = JsonSerializer.Deserialize<DiagnosisRequest>(replayBody.GetRawText(), Json)!;
        replayRequest.Symptom = _scenario.Symptom;

        var replay = await client.PostAsync("/api/v1/diagnoses", Body(replayRequest));
        var replayIds = (await replay.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("findings").EnumerateArray().Select(f => f.GetProperty("ruleId").GetString()).Order().ToList();

        Assert.Equal(liveIds, replayIds);
        Assert.NotEmpty(replayBody.GetProperty("collection").EnumerateArray());
    }

    [Fact]
    public async Task Snapshot_query_is_validated()
    {
        var response = await _factory.CreateClient().GetAsync("/api/v1/snapshots?namespace=Bad_NS&pod=web");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
    }
}
