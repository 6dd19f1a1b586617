using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using DnsExpert.Collectors.Kubernetes;
using DnsExpert.Collectors.Probes;
using DnsExpert.Core.Contract;
using DnsExpert.Engine.Diagnosis;
using Microsoft.Extensions.Options;

namespace DnsExpert.Collectors.Tests;

/// <summary>
/// Live collection with probes, end to end: the fixture cluster's kube-dns ClusterIP and CoreDNS pod IP point at real
/// DNS servers on loopback (127.0.0.1 never answers on the Service's port, 127.0.0.2 is dnsmasq), so the network rules
/// fire from live evidence.
/// </summary>
public sealed class ProbeIntegrationTests(DnsServers servers) : IClassFixture<DnsServers>, IAsyncLifetime
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly string _temp = Directory.CreateTempSubdirectory("dnsexpert-probe-").FullName;
    private readonly List<FixtureApiServer> _fixtures = [];
    private string _root = "";

    public Task InitializeAsync()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(dir!.FullName, "DnsExpert.sln")))
        {
            dir = dir.Parent;
        }

        _root = dir.FullName;
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        foreach (var f in _fixtures)
        {
            await f.DisposeAsync();
        }

        Directory.Delete(_temp, recursive: true);
    }

    /// <summary>A healthy cluster whose DNS addresses are moved onto loopback test servers.</summary>
    private DiagnosisRequest LoopbackCluster(int kubeDnsPort, int coreDnsPort)
    {
        var request = JsonNode.Parse(File.ReadAllText(Path.Combine(_root, "tests", "scenarios", "packet-capture-recommended", "fires-intermittent-timeout-healthy-cluster.json")))!;
        foreach (var obj in request["snapshot"]!["objects"]!.AsArray())
        {
            var kind = obj!["kind"]!.GetValue<string>();
            var meta = obj["metadata"]!;
            if (kind == "Service" && meta["name"]!.GetValue<string>() == "kube-dns")
            {
                obj["spec"]!["clusterIP"] = "127.0.0.1";
                obj["spec"]!["clusterIPs"] = new JsonArray("127.0.0.1");
                obj["spec"]!["ports"] = new JsonArray(new JsonObject { ["name"] = "dns", ["port"] = kubeDnsPort, ["protocol"] = "UDP", ["targetPort"] = coreDnsPort });
            }
            else if (kind == "Service" && meta["name"]!.GetValue<string>() == "kubernetes")
            {
                obj["spec"]!["clusterIP"] = "127.0.0.1";
                obj["spec"]!["ports"] = new JsonArray(new JsonObject { ["name"] = "https", ["port"] = servers.Closed, ["protocol"] = "TCP" });
            }
            else if (kind == "Pod" && meta["namespace"]!.GetValue<string>() == "kube-system")
            {
                obj["status"]!["podIP"] = "127.0.0.2";
                obj["spec"]!["containers"]![0]!["ports"] = new JsonArray(new JsonObject { ["containerPort"] = coreDnsPort, ["name"] = "dns", ["protocol"] = "UDP" });
            }
            else if (kind == "Endpoints")
            {
                foreach (var address in obj["subsets"]![0]!["addresses"]!.AsArray())
                {
                    address!["ip"] = "127.0.0.2";
                }
            }
        }

        return request.Deserialize<DiagnosisRequest>(Json)!;
    }

    private async Task<DiagnosisService> Service(DiagnosisRequest scenario)
    {
        var fixture = await FixtureApiServer.StartAsync(scenario.Snapshot!);
        _fixtures.Add(fixture);
        var client = new k8s.Kubernetes(k8s.KubernetesClientConfiguration.BuildConfigFromConfigFile(fixture.WriteKubeconfig(_temp)));
        var prober = new DnsProber(Options.Create(new ProbeOptions { Timeout = TimeSpan.FromSeconds(3) }), TimeProvider.System);
        var collector = new KubernetesSnapshotCollector(client, Options.Create(new ClusterOptions { Enabled = true }), TimeProvider.System, prober: prober);
        return new DiagnosisService(new DirectoryRuleBaseProvider(Path.Combine(_root, "rules")), TimeProvider.System, collector);
    }

    [Fact]
    public async Task Kube_dns_failing_while_the_coredns_pod_answers_is_found_from_live_probes()
    {
        var scenario = LoopbackCluster(kubeDnsPort: servers.Silent, coreDnsPort: servers.Answering);
        var service = await Service(scenario);

        var response = await service.DiagnoseAsync(new DiagnosisRequest { Target = scenario.Target, Domain = scenario.Domain, Symptom = scenario.Symptom }, CancellationToken.None);

        var finding = Assert.Single(response.Findings, f => f.RuleId == "app-to-kube-dns-unreachable");
        Assert.Contains(finding.Evidence, e => e.Detail.Contains("@127.0.0.1", StringComparison.Ordinal) && e.Detail.EndsWith("timeout", StringComparison.Ordinal));
        Assert.Contains(finding.Evidence, e => e.Detail.Contains("@127.0.0.2", StringComparison.Ordinal) && e.Detail.Contains("answered NOERROR", StringComparison.Ordinal));
        Assert.DoesNotContain(response.Findings, f => f.RuleId == "packet-capture-recommended");
        var probes = Assert.Single(response.Collection, c => c.Source == "probes");
        Assert.Equal(CollectionStatus.Ok, probes.Status);
    }

    [Fact]
    public async Task A_healthy_dns_path_gives_no_network_finding()
    {
        var scenario = LoopbackCluster(kubeDnsPort: servers.Answering, coreDnsPort: servers.Answering);
        var service = await Service(scenario);

        var response = await service.DiagnoseAsync(new DiagnosisRequest { Target = scenario.Target, Domain = scenario.Domain, Symptom = scenario.Symptom }, CancellationToken.None);

        Assert.DoesNotContain(response.Findings, f => f.RuleId is "app-to-kube-dns-unreachable" or "udp53-blocked" or "container-network-error");
    }

    [Fact]
    public async Task The_request_can_switch_probing_off()
    {
        var scenario = LoopbackCluster(kubeDnsPort: servers.Silent, coreDnsPort: servers.Answering);
        var service = await Service(scenario);

        var response = await service.DiagnoseAsync(new DiagnosisRequest
        {
            Target = scenario.Target, Domain = scenario.Domain, Symptom = scenario.Symptom, Options = new DiagnosisOptions { Probe = false },
        }, CancellationToken.None);

        Assert.Equal(CollectionStatus.Skipped, Assert.Single(response.Collection, c => c.Source == "probes").Status);
        Assert.DoesNotContain(response.Findings, f => f.RuleId == "app-to-kube-dns-unreachable");
    }

    [Fact]
    public void Probe_targets_come_only_from_cluster_objects()
    {
        var scenario = JsonSerializer.Deserialize<DiagnosisRequest>(File.ReadAllText(Path.Combine(_root, "src", "DnsExpert.Api", "Samples", "sick-cluster.json")), Json)!;
        var plan = ProbePlanner.Plan(scenario.Snapshot!, scenario.Target, "attacker-chosen.example.com");

        var addresses = plan.Dns.Select(p => p.Server).Concat(plan.Tcp.Select(t => t.Target)).Distinct().Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["172.20.6.53", "172.20.8.77", "172.21.0.1", "172.21.0.10"], addresses);
        Assert.Contains(plan.Dns, p => p.Name == "kubernetes.default.svc.cluster.local" && p.Transport == ProbeTransport.Udp && p.Type == "AAAA");
        Assert.True(plan.Dns.Count <= ProbePlanner.MaxProbes);
    }

    [Fact]
    public async Task Probes_from_the_node_agent_take_part_in_the_diagnosis()
    {
        const string token = "agent-token-for-tests";
        var scenario = LoopbackCluster(kubeDnsPort: servers.Silent, coreDnsPort: servers.Answering);
        var coreDns = scenario.Snapshot!.Objects!.First(o => o.GetProperty("kind").GetString() == "Pod" && o.GetProperty("metadata").GetProperty("namespace").GetString() == "kube-system");
        var node = coreDns.GetProperty("spec").GetProperty("nodeName").GetString()!;
        await using var agent = Api.Hosting.NodeAgentHost.Build(["--urls", "http://127.0.0.1:0"], Path.Combine(_root, "tests", "fixtures", "node-root"), node, token,
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

        var fixture = await FixtureApiServer.StartAsync(scenario.Snapshot);
        _fixtures.Add(fixture);
        var collector = ComposedCollector.Create(fixture.WriteKubeconfig(_temp), new Dictionary<string, string?>
        {
            ["DnsExpert:Cluster:AgentTokenFile"] = tokenFile,
            ["DnsExpert:Cluster:CollectorTimeout"] = "00:00:10",
            ["DnsExpert:Probes:Timeout"] = "00:00:03",
        });
        var service = new DiagnosisService(new DirectoryRuleBaseProvider(Path.Combine(_root, "rules")), TimeProvider.System, collector);

        var response = await service.DiagnoseAsync(new DiagnosisRequest { Target = scenario.Target, Domain = scenario.Domain, Symptom = scenario.Symptom }, CancellationToken.None);

        var entry = Assert.Single(response.Collection, c => c.Source == $"Node agent {node} probes");
        Assert.Equal(CollectionStatus.Ok, entry.Status);
        Assert.Contains($"from node/{node}", entry.Detail, StringComparison.Ordinal);
        var finding = Assert.Single(response.Findings, f => f.RuleId == "app-to-kube-dns-unreachable");
        Assert.Contains(finding.Evidence, e => e.Detail.Contains($"@127.0.0.1 -p {servers.Silent} (udp) from node/{node}: timeout", StringComparison.Ordinal));
        Assert.Contains(finding.Evidence, e => e.Detail.Contains($"@127.0.0.2 -p {servers.Answering} (udp) from node/{node}: answered NOERROR", StringComparison.Ordinal));
    }

    /// <summary>The agent's scope for tests: loopback, where the test DNS servers listen, on their ports.</summary>
    private static Node.AgentOptions Loopback(params int[] ports) => new() { AllowedCidrs = ["127.0.0.0/8"], DnsPorts = [.. ports] };

    [Fact]
    public async Task The_agent_runs_probes_only_for_token_holders_and_only_bounded_plans()
    {
        Assert.Throws<ArgumentException>(() => Api.Hosting.NodeAgentHost.Build(["--urls", "http://127.0.0.1:0"], Path.Combine(_root, "tests", "fixtures", "node-root"), "node-1", ""));
        await using var agent = Api.Hosting.NodeAgentHost.Build(["--urls", "http://127.0.0.1:0"], Path.Combine(_root, "tests", "fixtures", "node-root"), "node-1", "s3cret",
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

        var report = (await (await http.PostAsJsonAsync(agent.Urls.First() + "/v1/probes", plan)).Content.ReadFromJsonAsync<Node.NodeProbeReport>(Json))!;
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
