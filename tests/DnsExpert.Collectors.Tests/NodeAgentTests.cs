using System.Net.Http.Json;
using System.Text.Json;
using DnsExpert.Api.Hosting;
using DnsExpert.Collectors.Node;
using DnsExpert.Core.Contract;
using DnsExpert.Engine.Diagnosis;

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
