using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using DnsExpert.Collectors.Node;
using DnsExpert.Collectors.Probes;
using DnsExpert.Contract;
using DnsExpert.Diagnosis;
using DnsExpert.Engine.RuleBases;
using DnsExpert.Engine.Sessions;
using DnsExpert.NodeAgent;
using DnsExpert.Testing;
using Microsoft.AspNetCore.Builder;

namespace DnsExpert.NodeAgent.Tests;

/// <summary>The node agent's web app against a fixture tree of real-format /proc, /etc and /var/log files.</summary>
public sealed class NodeAgentTests
{
    private static readonly string Root = RepoPaths.Root;
    private static readonly string NodeRoot = Path.Combine(Root, "tests", "fixtures", "node-root");
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private const string Token = "agent-token-for-tests";

    private static HttpClient Client(WebApplication agent, string? token)
    {
        var http = new HttpClient { BaseAddress = new Uri(agent.Urls.First()) };
        if (token is not null)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return http;
    }

    [Fact]
    public async Task The_agent_serves_the_report_over_http_and_its_facts_prove_conntrack_and_overload()
    {
        await using var agent = NodeAgentHost.Build(["--urls", "http://127.0.0.1:0"], NodeRoot, "cn-hangzhou.192.168.0.199", Token);
        await agent.StartAsync();
        using var http = Client(agent, Token);

        var report = await http.GetFromJsonAsync<NodeReport>("/v1/node", Json);
        Assert.NotNull(report);

        // Feed the agent's files to a diagnosis of the web pod running on that node.
        var request = JsonSerializer.Deserialize<DiagnosisRequest>(
            await File.ReadAllTextAsync(Path.Combine(Root, "tests", "scenarios", "packet-capture-recommended", "fires-intermittent-timeout-healthy-cluster.json")), Json)!;
        request.Snapshot!.Files = [.. request.Snapshot.Files ?? [], .. report!.Files];
        request.Symptom!.Frequency = Frequency.Peak;
        var response = await new DiagnosisService(new RuleEngine(new DirectoryRuleBaseProvider(Path.Combine(Root, "rules"))), TimeProvider.System).DiagnoseAsync(request, CancellationToken.None);

        var ids = response.Findings.Select(f => f.RuleId).ToList();
        Assert.Contains("conntrack-table-full", ids);
        Assert.Contains("client-node-overloaded", ids);
        Assert.DoesNotContain("packet-capture-recommended", ids);
    }

    [Fact]
    public async Task Every_agent_endpoint_but_the_liveness_check_needs_the_token()
    {
        await using var agent = NodeAgentHost.Build(["--urls", "http://127.0.0.1:0"], NodeRoot, "node-1", Token);
        await agent.StartAsync();
        using var anonymous = Client(agent, null);
        using var wrong = Client(agent, "not-the-token");

        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/healthz")).StatusCode);
        foreach (var http in new[] { anonymous, wrong })
        {
            var node = await http.GetAsync("/v1/node");
            Assert.Equal(HttpStatusCode.Unauthorized, node.StatusCode);
            Assert.DoesNotContain("nf_conntrack", await node.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.Unauthorized, (await http.PostAsJsonAsync("/v1/probes", new NodeProbePlan([], []))).StatusCode);
        }
    }

    public static TheoryData<string, NodeProbePlan> OutOfScope() => new()
    {
        { "dns[0].port", new NodeProbePlan([new DnsProbe("x", "10.96.0.10", 22, "kubernetes.default", "A", ProbeTransport.Tcp)], []) },
        { "dns[1].port", new NodeProbePlan([new DnsProbe("x", "10.96.0.10", 53, "kubernetes.default", "A", ProbeTransport.Udp), new DnsProbe("x", "10.96.0.10", 6443, "kubernetes.default", "A", ProbeTransport.Udp)], []) },
        { "dns[0].server", new NodeProbePlan([new DnsProbe("x", "8.8.8.8", 53, "example.com", "A", ProbeTransport.Udp)], []) },
        { "dns[0].server", new NodeProbePlan([new DnsProbe("x", "167772161", 53, "example.com", "A", ProbeTransport.Udp)], []) },
        { "dns[0].server", new NodeProbePlan([new DnsProbe("x", "127.0.0.1", 53, "example.com", "A", ProbeTransport.Udp)], []) },
        { "dns[0].server", new NodeProbePlan([new DnsProbe("x", "kube-dns.kube-system.svc", 53, "example.com", "A", ProbeTransport.Udp)], []) },
        { "dns[0].name", new NodeProbePlan([new DnsProbe("x", "10.96.0.10", 53, "10.0.0.1", "A", ProbeTransport.Udp)], []) },
        { "dns[0].transport", new NodeProbePlan([new DnsProbe("x", "10.96.0.10", 53, "example.com", "A", (ProbeTransport)7)], []) },
        { "ping[0]", new NodeProbePlan([], ["169.254.169.254"]) },
        { "ping[1]", new NodeProbePlan([], ["10.0.0.5", "0x0a.0.0.1"]) },
    };

    [Theory]
    [MemberData(nameof(OutOfScope))]
    public async Task The_agent_refuses_plans_off_the_dns_port_or_outside_its_ranges_naming_the_field(string field, NodeProbePlan plan)
    {
        await using var agent = NodeAgentHost.Build(["--urls", "http://127.0.0.1:0"], NodeRoot, "node-1", Token);
        await agent.StartAsync();
        using var http = Client(agent, Token);

        var response = await http.PostAsJsonAsync("/v1/probes", plan, Json);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.StartsWith(field + ":", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_allowed_ranges_and_ports_come_from_configuration()
    {
        var plan = new NodeProbePlan([new DnsProbe("x", "127.0.0.1", 5353, "kubernetes.default", "A", ProbeTransport.Udp)], []);
        await using var agent = NodeAgentHost.Build(["--urls", "http://127.0.0.1:0", "--DnsExpert:Agent:AllowedCidrs:0=127.0.0.0/8", "--DnsExpert:Agent:DnsPorts:0=5353"],
            NodeRoot, "node-1", Token, new ProbeOptions { Timeout = TimeSpan.FromMilliseconds(300) });
        await agent.StartAsync();
        using var http = Client(agent, Token);

        Assert.Equal(HttpStatusCode.OK, (await http.PostAsJsonAsync("/v1/probes", plan, Json)).StatusCode);
        var error = Assert.Throws<ArgumentException>(() => AgentScope.From(new AgentOptions { AllowedCidrs = ["10.96.0.0/12", "10.0.0.1/8"] }));
        Assert.Contains("DnsExpert:Agent:AllowedCidrs: '10.0.0.1/8'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--DnsExpert:Agent:AllowedCidrs:0=10.0.0.1/8", "DnsExpert:Agent:AllowedCidrs: '10.0.0.1/8'")]
    [InlineData("--DnsExpert:Agent:DnsPorts:0=70000", "DnsExpert:Agent:DnsPorts: 70000")]
    public void A_bad_range_or_port_in_configuration_stops_the_agent_naming_its_key(string setting, string named)
    {
        var error = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() =>
            NodeAgentHost.Build(["--urls", "http://127.0.0.1:0", setting], NodeRoot, "node-1", Token));

        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_agent_host_reads_root_node_and_token_file_from_its_command_line()
    {
        var dir = Directory.CreateTempSubdirectory("dnsexpert-agent-host-").FullName;
        try
        {
            var tokenFile = Path.Combine(dir, "token");
            await File.WriteAllTextAsync(tokenFile, Token + "\n");
            Assert.Throws<ArgumentException>(() => NodeAgentHost.Build(["--urls", "http://127.0.0.1:0", "--root", NodeRoot]));
            Assert.Throws<ArgumentException>(() => NodeAgentHost.Build(["--urls", "http://127.0.0.1:0", "--root", NodeRoot, "--token-file", Path.Combine(dir, "missing")]));

            await using var agent = NodeAgentHost.Build(["--urls", "http://127.0.0.1:0", "--root", NodeRoot, "--node", "node-7", "--token-file", tokenFile]);
            await agent.StartAsync();
            using var http = Client(agent, Token);

            var report = await http.GetFromJsonAsync<NodeReport>("/v1/node", Json);
            Assert.Contains(report!.Files, f => f.Path == "/proc/net/snmp" && f.Node == "node-7");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
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
        _root = RepoPaths.Root;
        _agent = NodeAgentHost.Build(["--urls", "http://127.0.0.1:0"], Path.Combine(_root, "tests", "fixtures", "node-root"), "cn-hangzhou.192.168.0.199", AgentToken);
        await File.WriteAllTextAsync(TokenFile, AgentToken + "\n");
        await _agent.StartAsync();
        (_cluster, Scenario) = await ClusterWithAgentAt(new Uri(_agent.Urls.First()).Port);
    }

    /// <summary>The scenario's cluster, with an agent pod on the target's node whose port is <paramref name="agentPort"/> on loopback.</summary>
    private async Task<(FixtureApiServer Cluster, DiagnosisRequest Scenario)> ClusterWithAgentAt(int agentPort)
    {
        var scenario = System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(_root, "tests", "scenarios", "packet-capture-recommended", "fires-intermittent-timeout-healthy-cluster.json")))!;
        scenario["snapshot"]!["objects"]!.AsArray().Add(System.Text.Json.Nodes.JsonNode.Parse($$$"""
            {"apiVersion": "v1", "kind": "Pod",
             "metadata": {"name": "dnsexpert-agent-7xk2p", "namespace": "dnsexpert", "labels": {"app.kubernetes.io/name": "dnsexpert", "app.kubernetes.io/component": "agent"}},
             "spec": {"nodeName": "cn-hangzhou.192.168.0.199", "hostNetwork": true,
                      "containers": [{"name": "agent", "image": "dnsexpert:latest", "args": ["agent"], "ports": [{"name": "agent", "containerPort": {{{agentPort}}}}]}]},
             "status": {"phase": "Running", "podIP": "127.0.0.1"}}
            """));
        var request = scenario.Deserialize<DiagnosisRequest>(Json)!;
        return (await FixtureApiServer.StartAsync(request.Snapshot!), request);
    }

    private const string AgentToken = "live-agent-token";

    private string TokenFile => Path.Combine(_temp, "agent-token");

    private DiagnosisRequest Scenario { get; set; } = null!;

    private DiagnosisService Service(string? tokenFile, FixtureApiServer? cluster = null, string collectorTimeout = "00:00:05")
    {
        var collector = ComposedCollector.Create((cluster ?? _cluster).WriteKubeconfig(_temp), new Dictionary<string, string?>
        {
            ["DnsExpert:Cluster:AgentTokenFile"] = tokenFile,
            ["DnsExpert:Cluster:CollectorTimeout"] = collectorTimeout,
            ["DnsExpert:Probes:Enabled"] = "false",
        });
        return new DiagnosisService(new RuleEngine(new DirectoryRuleBaseProvider(Path.Combine(_root, "rules"))), TimeProvider.System, collector);
    }

    public async Task DisposeAsync()
    {
        await _agent.DisposeAsync();
        await _cluster.DisposeAsync();
        Directory.Delete(_temp, recursive: true);
    }

    [Fact]
    public async Task Node_facts_from_the_agent_prove_a_full_conntrack_table()
    {
        var response = await Service(TokenFile).DiagnoseAsync(new DiagnosisRequest { Target = Scenario.Target, Domain = Scenario.Domain, Symptom = new Symptom { Frequency = Frequency.Peak } }, CancellationToken.None);

        Assert.Equal(CollectionStatus.Ok, Assert.Single(response.Collection, c => c.Source == "Node agent cn-hangzhou.192.168.0.199").Status);
        Assert.Equal(CollectionStatus.Skipped, Assert.Single(response.Collection, c => c.Source == "Node agent cn-hangzhou.192.168.0.198").Status);
        var conntrack = Assert.Single(response.Findings, f => f.RuleId == "conntrack-table-full");
        Assert.Contains(conntrack.Evidence, e => e.Detail.Contains("table full, dropping packet", StringComparison.Ordinal));
        Assert.Contains(_cluster.Requests, r => r.Contains("fieldSelector=spec.nodeName", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Without_the_agent_token_the_service_does_not_ask_the_agents_and_says_so()
    {
        var response = await Service(tokenFile: null).DiagnoseAsync(new DiagnosisRequest { Target = Scenario.Target, Domain = Scenario.Domain }, CancellationToken.None);

        var entry = Assert.Single(response.Collection, c => c.Source == "Node agents");
        Assert.Equal(CollectionStatus.Skipped, entry.Status);
        Assert.Contains("AgentTokenFile", entry.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain(response.Collection, c => c.Source.StartsWith("Node agent ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_token_the_agent_refuses_is_a_failed_entry_naming_the_401()
    {
        var wrong = Path.Combine(_temp, "wrong-token");
        await File.WriteAllTextAsync(wrong, "not-the-agent-token\n");

        var response = await Service(wrong).DiagnoseAsync(new DiagnosisRequest { Target = Scenario.Target, Domain = Scenario.Domain }, CancellationToken.None);

        var entry = Assert.Single(response.Collection, c => c.Source == "Node agent cn-hangzhou.192.168.0.199");
        Assert.Equal(CollectionStatus.Failed, entry.Status);
        Assert.Contains("the agent answered 401: A valid agent token is required", entry.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain(response.Findings, f => f.RuleId == "conntrack-table-full");
    }

    [Fact]
    public async Task An_agent_that_never_answers_is_a_failed_entry_after_the_collector_timeout()
    {
        // Accepts connections and never answers: the attempt runs into its timeout.
        using var silent = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var (cluster, scenario) = await ClusterWithAgentAt(((IPEndPoint)silent.LocalEndpoint).Port);
        await using var _ = cluster;

        var response = await Service(TokenFile, cluster, collectorTimeout: "00:00:01").DiagnoseAsync(new DiagnosisRequest { Target = scenario.Target, Domain = scenario.Domain }, CancellationToken.None);

        var entry = Assert.Single(response.Collection, c => c.Source == "Node agent cn-hangzhou.192.168.0.199");
        Assert.Equal(CollectionStatus.Failed, entry.Status);
        Assert.Equal("timed out after 1 s", entry.Detail);
    }
}
