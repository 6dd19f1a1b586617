using System.Text.Json;
using DnsExpert.Collectors.Kubernetes;
using DnsExpert.Collectors.Probes;
using DnsExpert.Contract;
using DnsExpert.Diagnosis;
using DnsExpert.Engine.RuleBases;
using DnsExpert.Engine.Sessions;
using DnsExpert.Testing;
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
        _root = RepoPaths.Root;
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

    private async Task<DiagnosisService> Service(DiagnosisRequest scenario)
    {
        var fixture = await FixtureApiServer.StartAsync(scenario.Snapshot!);
        _fixtures.Add(fixture);
        var client = new k8s.Kubernetes(k8s.KubernetesClientConfiguration.BuildConfigFromConfigFile(fixture.WriteKubeconfig(_temp)));
        var prober = new DnsProber(Options.Create(new ProbeOptions { Timeout = TimeSpan.FromSeconds(3) }), TimeProvider.System);
        var collector = new KubernetesSnapshotCollector(client, Options.Create(new ClusterOptions { Enabled = true }), TimeProvider.System, prober: prober);
        return new DiagnosisService(new RuleEngine(new DirectoryRuleBaseProvider(Path.Combine(_root, "rules"))), TimeProvider.System, collector);
    }

    [Fact]
    public async Task Kube_dns_failing_while_the_coredns_pod_answers_is_found_from_live_probes()
    {
        var scenario = LoopbackCluster.Create(servers, kubeDnsPort: servers.Silent, coreDnsPort: servers.Answering);
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
        var scenario = LoopbackCluster.Create(servers, kubeDnsPort: servers.Answering, coreDnsPort: servers.Answering);
        var service = await Service(scenario);

        var response = await service.DiagnoseAsync(new DiagnosisRequest { Target = scenario.Target, Domain = scenario.Domain, Symptom = scenario.Symptom }, CancellationToken.None);

        Assert.DoesNotContain(response.Findings, f => f.RuleId is "app-to-kube-dns-unreachable" or "udp53-blocked" or "container-network-error");
    }

    [Fact]
    public async Task The_request_can_switch_probing_off()
    {
        var scenario = LoopbackCluster.Create(servers, kubeDnsPort: servers.Silent, coreDnsPort: servers.Answering);
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
    public void OpenShifts_dns_default_pods_are_probed_on_their_own_port_and_its_Service_on_53()
    {
        // openshift/cluster-dns-operator: Service openshift-dns/dns-default port 53 to the pods' 5353 (tests/fixtures/distributions).
        var scenario = JsonSerializer.Deserialize<DiagnosisRequest>(
            File.ReadAllText(Path.Combine(_root, "tests", "scenarios", "coredns-pod-not-running", "near-miss-openshift-dns-default-healthy.json")), Json)!;
        var plan = ProbePlanner.Plan(scenario.Snapshot!, scenario.Target, scenario.Domain);

        var servers = plan.Dns.Select(p => $"{p.Server}:{p.Port}").Distinct().Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["10.128.0.12:5353", "10.129.0.9:5353", "10.130.0.7:5353", "172.30.0.10:53"], servers);
    }
}
