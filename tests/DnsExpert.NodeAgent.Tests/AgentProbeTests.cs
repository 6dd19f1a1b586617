using System.Net.Http.Json;
using System.Text.Json;
using DnsExpert.Collectors.Kubernetes;
using DnsExpert.Collectors.Node;
using DnsExpert.Collectors.Probes;
using DnsExpert.Contract;
using DnsExpert.Diagnosis;
using DnsExpert.Engine.RuleBases;
using DnsExpert.Engine.Sessions;
using DnsExpert.Testing;

namespace DnsExpert.NodeAgent.Tests;

/// <summary>
/// Node probes through the agent, against real DNS servers on loopback: only for token holders and bounded plans, and
/// what the agent finds takes part in a live diagnosis.
/// </summary>
public sealed class AgentProbeTests(DnsServers servers) : IClassFixture<DnsServers>, IDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly string _temp = Directory.CreateTempSubdirectory("dnsexpert-agent-probe-").FullName;
    private readonly string _root = RepoPaths.Root;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    [Fact]
    public async Task Probes_from_the_node_agent_take_part_in_the_diagnosis()
    {
        const string token = "agent-token-for-tests";
        var scenario = LoopbackCluster.Create(servers, kubeDnsPort: servers.Silent, coreDnsPort: servers.Answering);
        var coreDns = scenario.Snapshot!.Objects!.First(o => o.GetProperty("kind").GetString() == "Pod" && o.GetProperty("metadata").GetProperty("namespace").GetString() == "kube-system");
        var node = coreDns.GetProperty("spec").GetProperty("nodeName").GetString()!;
        await using var agent = NodeAgentHost.Build(["--urls", "http://127.0.0.1:0"], Path.Combine(_root, "tests", "fixtures", "node-root"), node, token,
            new ProbeOptions { Timeout = TimeSpan.FromSeconds(3) }, Loopback(servers.Silent, servers.Answering));
        await agent.StartAsync();
        var agentPort = new Uri(agent.Urls.First()).Port;
        var agentPod = JsonDocument.Parse($$$"""
            {"apiVersion": "v1", "kind": "Pod",
             "metadata": {"name": "dnsexpert-agent-x1", "namespace": "dnsexpert", "labels": {"app.kubernetes.io/name": "dnsexpert", "app.kubernetes.io/component": "agent"}},
             "spec": {"nodeName": "{{{node}}}", "hostNetwork": true, "containers": [{"name": "agent", "ports": [{"name": "agent", "containerPort": {{{agentPort}}}}]}]},
             "status": {"phase": "Running", "podIP": "127.0.0.1"}}
            """).RootElement;
        scenario.Snapshot.Objects!.Add(agentPod);
        var tokenFile = Path.Combine(_temp, "agent-token");
        await File.WriteAllTextAsync(tokenFile, token + "\n");

        await using var fixture = await FixtureApiServer.StartAsync(scenario.Snapshot);
        var collector = ComposedCollector.Create(fixture.WriteKubeconfig(_temp), new Dictionary<string, string?>
        {
            ["DnsExpert:Cluster:AgentTokenFile"] = tokenFile,
            ["DnsExpert:Cluster:CollectorTimeout"] = "00:00:10",
            ["DnsExpert:Probes:Timeout"] = "00:00:03",
        });
        var service = new DiagnosisService(new RuleEngine(new DirectoryRuleBaseProvider(Path.Combine(_root, "rules"))), TimeProvider.System, collector);

        var response = await service.DiagnoseAsync(new DiagnosisRequest { Target = scenario.Target, Domain = scenario.Domain, Symptom = scenario.Symptom }, CancellationToken.None);

        var entry = Assert.Single(response.Collection, c => c.Source == $"Node agent {node} probes");
        Assert.Equal(CollectionStatus.Ok, entry.Status);
        Assert.Contains($"from node/{node}", entry.Detail, StringComparison.Ordinal);
        var finding = Assert.Single(response.Findings, f => f.RuleId == "app-to-kube-dns-unreachable");
        Assert.Contains(finding.Evidence, e => e.Detail.Contains($"@127.0.0.1 -p {servers.Silent} (udp) from node/{node}: timeout", StringComparison.Ordinal));
        Assert.Contains(finding.Evidence, e => e.Detail.Contains($"@127.0.0.2 -p {servers.Answering} (udp) from node/{node}: answered NOERROR", StringComparison.Ordinal));
    }

    /// <summary>The agent's scope for tests: loopback, where the test DNS servers listen, on their ports.</summary>
    private static AgentOptions Loopback(params int[] ports) => new() { AllowedCidrs = ["127.0.0.0/8"], DnsPorts = [.. ports] };

    [Fact]
    public async Task The_agent_runs_probes_only_for_token_holders_and_only_bounded_plans()
    {
        Assert.Throws<ArgumentException>(() => NodeAgentHost.Build(["--urls", "http://127.0.0.1:0"], Path.Combine(_root, "tests", "fixtures", "node-root"), "node-1", ""));
        await using var agent = NodeAgentHost.Build(["--urls", "http://127.0.0.1:0"], Path.Combine(_root, "tests", "fixtures", "node-root"), "node-1", "s3cret",
            new ProbeOptions { Timeout = TimeSpan.FromSeconds(3) }, Loopback(53, servers.Answering));
        await agent.StartAsync();
        using var http = new HttpClient();
        var plan = new NodeProbePlan([new DnsProbe("x", "127.0.0.1", servers.Answering, "ok.test", "A", ProbeTransport.Udp)], ["127.0.0.1"]);

        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, (await http.PostAsJsonAsync(agent.Urls.First() + "/v1/probes", plan)).StatusCode);

        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "wrong");
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, (await http.PostAsJsonAsync(agent.Urls.First() + "/v1/probes", plan)).StatusCode);

        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "s3cret");
        var byName = new NodeProbePlan([new DnsProbe("x", "internal.example.com", 53, "ok.test", "A", ProbeTransport.Udp)], []);
        var tooMany = new NodeProbePlan([], Enumerable.Range(1, 17).Select(i => $"10.0.0.{i}").ToList());
        var badName = new NodeProbePlan([new DnsProbe("x", "127.0.0.1", 53, "a b;rm -rf", "A", ProbeTransport.Udp)], []);
        foreach (var bad in new[] { byName, tooMany, badName })
        {
            Assert.Equal(System.Net.HttpStatusCode.UnprocessableEntity, (await http.PostAsJsonAsync(agent.Urls.First() + "/v1/probes", bad)).StatusCode);
        }

        var report = (await (await http.PostAsJsonAsync(agent.Urls.First() + "/v1/probes", plan)).Content.ReadFromJsonAsync<NodeProbeReport>(Json))!;
        var dig = Assert.Single(report.Results, r => r.Kind == ProbeKind.Dns);
        Assert.Equal(("node/node-1", ProbeOutcome.Answered, "NOERROR"), (dig.From, dig.Outcome, dig.Rcode));
        if (report.Notes.Count == 0)
        {
            Assert.Equal(ProbeOutcome.Answered, Assert.Single(report.Results, r => r.Kind == ProbeKind.Ping).Outcome);
        }
        else
        {
            Assert.Contains("ping not run", report.Notes[0], StringComparison.Ordinal);
        }
    }
}
