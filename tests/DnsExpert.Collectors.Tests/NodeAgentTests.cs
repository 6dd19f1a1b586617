using System.Net.Http.Json;
using System.Text.Json;
using DnsExpert.Api.Hosting;
using DnsExpert.Collectors.Node;
using DnsExpert.Core.Contract;
using DnsExpert.Engine.Diagnosis;
using Microsoft.AspNetCore.Builder;

namespace DnsExpert.Collectors.Tests;

/// <summary>The node agent against a fixture tree of real-format /proc, /etc and /var/log files.</summary>
public sealed class NodeAgentTests
{
    private static readonly string Root = FindRoot();
    private static readonly string NodeRoot = Path.Combine(Root, "tests", "fixtures", "node-root");
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(dir!.FullName, "DnsExpert.sln")))
        {
            dir = dir.Parent;
        }

        return dir.FullName;
    }

    [Fact]
    public async Task The_reader_returns_the_node_files_in_snapshot_shape()
    {
        var report = await new NodeFactsReader(NodeRoot).ReadAsync("cn-hangzhou.192.168.0.199", CancellationToken.None);

        var paths = report.Files.Select(f => f.Path).ToList();
        Assert.Contains("/proc/sys/net/netfilter/nf_conntrack_count", paths);
        Assert.Contains("/proc/net/snmp", paths);
        Assert.Contains("/etc/resolv.conf", paths);
        var dmesg = report.Files.Single(f => f.Path == "dmesg");
        Assert.Equal(2, dmesg.Text!.Split('\n').Length);
        Assert.All(report.Files, f => Assert.Equal("cn-hangzhou.192.168.0.199", f.Node));
        Assert.Empty(report.Missing);
    }

    [Fact]
    public async Task Without_a_kernel_log_file_the_ring_buffer_is_read_from_dev_kmsg()
    {
        var report = await new NodeFactsReader(Path.Combine(Root, "tests", "fixtures", "node-root-kmsg")).ReadAsync("node-1", CancellationToken.None);

        var dmesg = report.Files.Single(f => f.Path == "dmesg").Text!.Split('\n');
        Assert.Equal(["[ 5140.900123] nf_conntrack: nf_conntrack: table full, dropping packet", "[ 5140.901456] nf_conntrack: nf_conntrack: table full, dropping packet"], dmesg);
        Assert.DoesNotContain(report.Missing, m => m.StartsWith("kernel log", StringComparison.Ordinal));
    }

    [Fact]
    public void Kmsg_records_become_dmesg_lines_and_dictionaries_are_dropped()
    {
        var lines = KernelMessages.Parse("6,1,1500000,-;hello\n SUBSYSTEM=net\n4,2,42,-;no;semicolon split\nnot a record\n");

        Assert.Equal(["[    1.500000] hello", "[    0.000042] no;semicolon split"], lines);
    }

    [Fact]
    public async Task A_missing_file_is_reported_not_thrown()
    {
        var empty = Directory.CreateTempSubdirectory("dnsexpert-node-").FullName;
        try
        {
            var report = await new NodeFactsReader(empty).ReadAsync("node-1", CancellationToken.None);
            Assert.Empty(report.Files);
            Assert.Contains("/proc/net/snmp", report.Missing);
        }
        finally
        {
            Directory.Delete(empty);
        }
    }

    [Fact]
    public async Task The_agent_serves_the_report_over_http_and_its_facts_prove_conntrack_and_overload()
    {
        await using var agent = NodeAgentHost.Build(["--urls", "http://127.0.0.1:0"], NodeRoot, "cn-hangzhou.192.168.0.199");
        await agent.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(agent.Urls.First()) };

        var report = await http.GetFromJsonAsync<NodeReport>("/v1/node", Json);
        Assert.NotNull(report);

        // Feed the agent's files to a diagnosis of the web pod running on that node.
        var request = JsonSerializer.Deserialize<DiagnosisRequest>(
            await File.ReadAllTextAsync(Path.Combine(Root, "tests", "scenarios", "packet-capture-recommended", "fires-intermittent-timeout-healthy-cluster.json")), Json)!;
        request.Snapshot!.Files = [.. request.Snapshot.Files ?? [], .. report!.Files];
        request.Symptom!.Frequency = Frequency.Peak;
        var response = await new DiagnosisService(new DirectoryRuleBaseProvider(Path.Combine(Root, "rules")), TimeProvider.System).DiagnoseAsync(request, CancellationToken.None);

        var ids = response.Findings.Select(f => f.RuleId).ToList();
        Assert.Contains("conntrack-table-full", ids);
        Assert.Contains("client-node-overloaded", ids);
        Assert.DoesNotContain("packet-capture-recommended", ids);
    }
}

/// <summary>Live collection asks the agent on the target's node; the facts it returns take part in the diagnosis.</summary>
public sealed class LiveAgentTests : IAsyncLifetime
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly string _temp = Directory.CreateTempSubdirectory("dnsexpert-agent-").FullName;
    private WebApplication _agent = null!;
    private FixtureApiServer _cluster = null!;
    private string _root = "";

    public async Task InitializeAsync()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(dir!.FullName, "DnsExpert.sln")))
        {
            dir = dir.Parent;
        }

        _root = dir.FullName;
        _agent = NodeAgentHost.Build(["--urls", "http://127.0.0.1:0"], Path.Combine(_root, "tests", "fixtures", "node-root"), "cn-hangzhou.192.168.0.199");
        await _agent.StartAsync();
        var agentPort = new Uri(_agent.Urls.First()).Port;

        var scenario = System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(_root, "tests", "scenarios", "packet-capture-recommended", "fires-intermittent-timeout-healthy-cluster.json")))!;
        scenario["snapshot"]!["objects"]!.AsArray().Add(System.Text.Json.Nodes.JsonNode.Parse($$$"""
            {"apiVersion": "v1", "kind": "Pod",
             "metadata": {"name": "dnsexpert-agent-7xk2p", "namespace": "dnsexpert", "labels": {"app.kubernetes.io/name": "dnsexpert", "app.kubernetes.io/component": "agent"}},
             "spec": {"nodeName": "cn-hangzhou.192.168.0.199", "hostNetwork": true,
                      "containers": [{"name": "agent", "image": "dnsexpert:latest", "args": ["agent"], "ports": [{"name": "agent", "containerPort": {{{agentPort}}}}]}]},
             "status": {"phase": "Running", "podIP": "127.0.0.1"}}
            """));
        _cluster = await FixtureApiServer.StartAsync(scenario.Deserialize<DiagnosisRequest>(Json)!.Snapshot!);
        Scenario = scenario.Deserialize<DiagnosisRequest>(Json)!;
    }

    private DiagnosisRequest Scenario { get; set; } = null!;

    public async Task DisposeAsync()
    {
        await _agent.DisposeAsync();
        await _cluster.DisposeAsync();
        Directory.Delete(_temp, recursive: true);
    }

    [Fact]
    public async Task Node_facts_from_the_agent_prove_a_full_conntrack_table()
    {
        var client = new k8s.Kubernetes(k8s.KubernetesClientConfiguration.BuildConfigFromConfigFile(_cluster.WriteKubeconfig(_temp)));
        var collector = new Kubernetes.KubernetesSnapshotCollector(client, new Kubernetes.ClusterOptions { Enabled = true }, TimeProvider.System);
        var service = new DiagnosisService(new DirectoryRuleBaseProvider(Path.Combine(_root, "rules")), TimeProvider.System, collector);

        var response = await service.DiagnoseAsync(new DiagnosisRequest { Target = Scenario.Target, Domain = Scenario.Domain, Symptom = new Symptom { Frequency = Frequency.Peak } }, CancellationToken.None);

        Assert.Equal(CollectionStatus.Ok, Assert.Single(response.Collection, c => c.Source == "Node agent cn-hangzhou.192.168.0.199").Status);
        Assert.Equal(CollectionStatus.Skipped, Assert.Single(response.Collection, c => c.Source == "Node agent cn-hangzhou.192.168.0.198").Status);
        var conntrack = Assert.Single(response.Findings, f => f.RuleId == "conntrack-table-full");
        Assert.Contains(conntrack.Evidence, e => e.Detail.Contains("table full, dropping packet", StringComparison.Ordinal));
        Assert.Contains(_cluster.Requests, r => r.Contains("fieldSelector=spec.nodeName", StringComparison.Ordinal));
    }
}
