using System.Text.Json;
using DnsExpert.Collectors.Kubernetes;
using DnsExpert.Contract;
using DnsExpert.Diagnosis;
using DnsExpert.Engine.RuleBases;
using DnsExpert.Engine.Sessions;
using DnsExpert.Testing;
using k8s;
using Microsoft.Extensions.Options;

namespace DnsExpert.Collectors.Tests;

/// <summary>Live collection through the real KubernetesClient against the fixture API server, over real HTTP on 127.0.0.1.</summary>
public sealed class LiveCollectionTests : IAsyncLifetime
{
    private static readonly string Root = RepoPaths.Root;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static readonly DirectoryRuleBaseProvider Rules = new(Path.Combine(Root, "rules"));
    private readonly string _temp = Directory.CreateTempSubdirectory("dnsexpert-live-").FullName;
    private readonly List<FixtureApiServer> _servers = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var server in _servers)
        {
            await server.DisposeAsync();
        }

        Directory.Delete(_temp, recursive: true);
    }

    private static DiagnosisRequest Load(string relative) =>
        JsonSerializer.Deserialize<DiagnosisRequest>(File.ReadAllText(Path.Combine(Root, relative)), Json)!;

    private async Task<(FixtureApiServer Server, DiagnosisService Service)> Live(DiagnosisRequest scenario, ClusterOptions? options = null)
    {
        var server = await FixtureApiServer.StartAsync(scenario.Snapshot!);
        _servers.Add(server);
        var config = KubernetesClientConfiguration.BuildConfigFromConfigFile(server.WriteKubeconfig(_temp));
        var client = new k8s.Kubernetes(config);
        // The scenarios hold no scrapes of the CoreDNS pods' metrics unless a test gives them (the proxy answers 503 then).
        var collector = new KubernetesSnapshotCollector(client, Options.Create(options ?? new ClusterOptions
        {
            Enabled = true, CollectorTimeout = TimeSpan.FromSeconds(10), Deadline = TimeSpan.FromSeconds(30), ScrapeMetrics = false,
        }), TimeProvider.System);
        return (server, new DiagnosisService(new RuleEngine(Rules), TimeProvider.System, collector));
    }

    private static DiagnosisRequest WithoutSnapshot(DiagnosisRequest r) => new() { Target = r.Target, Domain = r.Domain, Symptom = r.Symptom };

    public static TheoryData<string> Scenarios() => new(
        "src/DnsExpert.Api/Samples/sick-cluster.json",
        "tests/scenarios/coredns-unknown-directive/fires-ready-plugin-on-coredns-1.2.6.json",
        "tests/scenarios/external-domain-upstream-error/fires-nxdomain-and-servfail-from-upstream.json",
        "tests/scenarios/headless-response-truncated/fires-29-ready-addresses-over-512-bytes.json",
        "tests/scenarios/networkpolicy-blocks-dns-egress/fires-egress-only-to-database.json",
        "tests/scenarios/networkpolicy-blocks-dns-egress/fires-namespace-selector-label-the-namespace-lacks.json",
        "tests/scenarios/networkpolicy-blocks-dns-egress/fires-default-deny-admits-only-kube-dns-pods-but-pod-uses-nodelocal.json",
        "tests/scenarios/ipvs-udp-stale-backend/fires-ipvs-kernel-4.19.91-24.1.al7.json",
        "tests/scenarios/ipvs-udp-stale-backend/fires-ack-kube-proxy-worker-configmap.json",
        "tests/scenarios/nodelocal-dnsconfig-not-injected/fires-clusterfirst-pod-with-nodelocal-installed.json",
        "tests/scenarios/coredns-overloaded/fires-cpu-870m-of-1-core.json",
        "tests/scenarios/coredns-pod-not-running/fires-readiness-probe-failed-events.json",
        "tests/scenarios/search-list-too-long/fires-kubelet-dnsconfigforming-event.json",
        "tests/scenarios/container-network-error/fires-sandbox-cni-failure-on-target-pod.json",
        "tests/scenarios/service-name-not-found/fires-short-name-service-in-another-namespace.json");

    /// <summary>Each distribution's cluster DNS under its own names (tests/fixtures/distributions/); these scenarios hold no Node objects.</summary>
    public static TheoryData<string> DistributionScenarios() => new(
        "tests/scenarios/coredns-pod-not-running/fires-openshift-dns-default-crashloop.json",
        "tests/scenarios/coredns-pod-not-running/fires-gke-kube-dns-dnsmasq-crashloop.json",
        "tests/scenarios/coredns-pod-not-running/fires-rke2-coredns-oomkilled.json");

    [Theory]
    [MemberData(nameof(Scenarios))]
    public async Task The_same_scenario_diagnosed_offline_and_live_gives_the_same_findings(string scenario)
    {
        var (server, response) = await OfflineAndLiveAgree(scenario);
        Assert.DoesNotContain(response.Collection, c => c.Status == CollectionStatus.Failed || c.Status == CollectionStatus.Forbidden);
        Assert.NotEmpty(server.Requests);
    }

    [Theory]
    [MemberData(nameof(DistributionScenarios))]
    public async Task Every_distributions_cluster_dns_diagnosed_live_gives_the_offline_findings(string scenario)
    {
        var (_, response) = await OfflineAndLiveAgree(scenario);

        // Only what the scenario does not hold fails to be read (its nodes, default/kubernetes, the pods' logs): kubeadm's
        // names, absent on the other distributions, are no failure.
        Assert.All(response.Collection.Where(c => c.Status == CollectionStatus.Failed || c.Status == CollectionStatus.Forbidden),
            c => Assert.True(c.Source.StartsWith("Node ", StringComparison.Ordinal) || c.Source == "Service default/kubernetes"
                || (c.Source.EndsWith(" log", StringComparison.Ordinal) && c.Detail!.Contains("is waiting to start", StringComparison.Ordinal)), c.Source));
        Assert.Contains(response.Collection, c => c.Source.StartsWith("Pods ", StringComparison.Ordinal) && c.Status == CollectionStatus.Ok && c.Detail != "0 object(s)");
    }

    private async Task<(FixtureApiServer Server, DiagnosisResponse Response)> OfflineAndLiveAgree(string scenario)
    {
        var request = Load(scenario);

        // Offline, with what a live collection can read too (files need exec, probes need the prober).
        var offlineRequest = new DiagnosisRequest
        {
            Target = request.Target, Domain = request.Domain, Symptom = request.Symptom,
            Snapshot = new Snapshot { Objects = request.Snapshot!.Objects, Logs = request.Snapshot.Logs },
        };
        var offline = await new DiagnosisService(new RuleEngine(Rules), TimeProvider.System).DiagnoseAsync(offlineRequest, CancellationToken.None);

        var (server, live) = await Live(request);
        var response = await live.DiagnoseAsync(WithoutSnapshot(request), CancellationToken.None);

        Assert.Equal(offline.Findings.Select(f => f.RuleId).Order(StringComparer.Ordinal), response.Findings.Select(f => f.RuleId).Order(StringComparer.Ordinal));
        Assert.NotEmpty(response.Findings);
        return (server, response);
    }

    /// <summary>
    /// kubespray's NodeLocal DNSCache (its DaemonSet read by name: it is labelled k8s-app=kube-dns): the pod on the
    /// target's node is listed by the DaemonSet's selector and that node, and its log read, as offline.
    /// </summary>
    [Fact]
    public async Task The_nodelocal_log_of_the_targets_node_is_read_live()
    {
        var (server, response) = await OfflineAndLiveAgree("tests/scenarios/nodelocal-upstream-timeout/fires-kubespray-new-node-nodelocaldns-times-out-to-coredns-service.json");

        Assert.Contains(response.Findings, f => f.RuleId == "nodelocal-upstream-timeout" && f.Evidence.Any(e => e.Source == "Pod kube-system/nodelocaldns-v9c6t log"));
        Assert.Contains(server.Requests, c => c.StartsWith("GET /api/v1/namespaces/kube-system/pods?", StringComparison.Ordinal)
            && c.Contains("fieldSelector=spec.nodeName%3Dnode4", StringComparison.Ordinal) && c.Contains("labelSelector=k8s-app%3Dnode-local-dns", StringComparison.Ordinal));
        Assert.Equal(CollectionStatus.Ok, Assert.Single(response.Collection, c => c.Source == "Pod kube-system/nodelocaldns-v9c6t log").Status);
    }

    /// <summary>
    /// The cluster-proportional-autoscaler that owns the DNS replica count (the kube-dns-autoscaler addon's real
    /// manifest, tests/fixtures/distributions) is read live by the labels distributions give it, and an overloaded
    /// CoreDNS is scaled out through its ConfigMap, not by kubectl scale, which it would undo; without it, the scale-out
    /// asks for half as many replicas again as the Deployment read has.
    /// </summary>
    [Theory]
    [InlineData(true, "kubectl -n kube-system edit configmap kube-dns-autoscaler")]
    [InlineData(false, "kubectl -n kube-system scale deployment/coredns --current-replicas=2 --replicas=3")]
    public async Task The_dns_autoscaler_is_read_live_and_the_scale_out_goes_through_it(bool autoscaled, string command)
    {
        var request = Load("tests/scenarios/coredns-overloaded/fires-cpu-870m-of-1-core.json");
        var coreDns = JsonDocument.Parse("""
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"coredns","namespace":"kube-system","labels":{"k8s-app":"kube-dns"}},
             "spec":{"replicas":2,"selector":{"matchLabels":{"k8s-app":"kube-dns"}},"template":{"metadata":{"labels":{"k8s-app":"kube-dns"}},
             "spec":{"containers":[{"name":"coredns","image":"registry.k8s.io/coredns/coredns:v1.11.1"}]}}}}
            """).RootElement;
        var autoscaler = JsonDocument.Parse(File.ReadAllText(Path.Combine(Root, "tests", "fixtures", "distributions", "kube-dns-autoscaler.json"))).RootElement.GetProperty("items")[0];
        request.Snapshot!.Objects = [.. request.Snapshot.Objects!, coreDns, .. autoscaled ? new[] { autoscaler } : []];
        var (server, live) = await Live(request);

        var response = await live.DiagnoseAsync(WithoutSnapshot(request), CancellationToken.None);

        var finding = Assert.Single(response.Findings, f => f.RuleId == "coredns-overloaded");
        Assert.Contains(finding.Remediation, r => r.Command == command);
        Assert.Equal(!autoscaled, finding.Remediation.Any(r => r.Command?.Contains(" scale ", StringComparison.Ordinal) == true));
        Assert.Contains(server.Requests, c => c.StartsWith("GET /apis/apps/v1/namespaces/kube-system/deployments?", StringComparison.Ordinal)
            && c.Contains("labelSelector=k8s-app%20in%20%28kube-dns-autoscaler%2Ccoredns-autoscaler%2Cdns-autoscaler%29", StringComparison.Ordinal));
    }

    [Fact]
    public async Task One_diagnosis_makes_a_bounded_number_of_narrow_api_calls()
    {
        var request = Load("src/DnsExpert.Api/Samples/sick-cluster.json");
        var (server, live) = await Live(request);
        await live.DiagnoseAsync(WithoutSnapshot(request), CancellationToken.None);

        var calls = server.Requests.ToList();

        // A fixed set of reads (the target's events, kube-system's Namespace, the six CNI policy lists and each known
        // distribution's cluster DNS Service by name among them), a log and the events of each CoreDNS pod, and per node
        // involved (2 CoreDNS nodes and the target's): the Node, its NodeMetrics and the lookup of its agent. Nothing
        // grows with the size of the cluster.
        const int fixedReads = 28, coreDnsPods = 2, nodesInvolved = 3;
        Assert.True(calls.Count <= fixedReads + (2 * coreDnsPods) + (3 * nodesInvolved), $"{calls.Count} calls:\n{string.Join('\n', calls)}");

        // Never a cluster-wide pod list, and every pod list has a selector.
        Assert.DoesNotContain(calls, c => c.StartsWith("GET /api/v1/pods", StringComparison.Ordinal));
        Assert.All(calls.Where(c => c.Contains("/pods?", StringComparison.Ordinal) && !c.Contains("metrics", StringComparison.Ordinal)),
            c => Assert.Contains("labelSelector=", c, StringComparison.Ordinal));
        Assert.Contains(calls, c => c.Contains("/log?", StringComparison.Ordinal) && c.Contains("tailLines=500", StringComparison.Ordinal) && c.Contains("timestamps=true", StringComparison.Ordinal));

        // Events: never a namespace's or the cluster's whole list, only those of the target and of each CoreDNS pod.
        var events = calls.Where(c => c.Contains("/events", StringComparison.Ordinal)).ToList();
        Assert.Equal(1 + coreDnsPods, events.Count);
        Assert.All(events, c => Assert.Contains("fieldSelector=involvedObject.kind%3DPod%2CinvolvedObject.name%3D", c, StringComparison.Ordinal));
        Assert.Contains(events, c => c.StartsWith("GET /api/v1/namespaces/kube-system/events?", StringComparison.Ordinal) && c.Contains("coredns-5d78c9869d-abcde", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Namespace_labels_are_read_and_cni_policies_are_named_as_not_evaluated_when_their_group_exists()
    {
        var request = Load("tests/scenarios/networkpolicy-blocks-dns-egress/fires-namespace-selector-label-the-namespace-lacks.json");
        var calico = """{"apiVersion":"crd.projectcalico.org/v1","kind":"GlobalNetworkPolicy","metadata":{"name":"default.deny-egress"},"spec":{"selector":"all()","types":["Egress"]}}""";
        request.Snapshot!.Objects = [.. request.Snapshot.Objects!, JsonDocument.Parse(calico).RootElement];
        var (server, live) = await Live(request);

        var response = await live.DiagnoseAsync(WithoutSnapshot(request), CancellationToken.None);

        var finding = Assert.Single(response.Findings, f => f.RuleId == "networkpolicy-blocks-dns-egress");
        Assert.DoesNotContain(finding.Evidence, e => e.Detail.Contains("not read", StringComparison.Ordinal));
        Assert.Contains(server.Requests, r => r.StartsWith("GET /api/v1/namespaces/kube-system ", StringComparison.Ordinal) || r == "GET /api/v1/namespaces/kube-system");
        Assert.Contains(response.Collection, c => c.Source == "Calico GlobalNetworkPolicy default.deny-egress" && c.Detail!.Contains("not evaluated", StringComparison.Ordinal));

        // A CNI that is not installed answers 404: not present, not a failure.
        var cilium = Assert.Single(response.Collection, c => c.Source == "ciliumclusterwidenetworkpolicies.cilium.io");
        Assert.Equal((CollectionStatus.Ok, "not present in the cluster"), (cilium.Status, cilium.Detail));
    }

    /// <summary>
    /// OpenShift's cluster DNS (tests/fixtures/distributions/openshift-dns-default.json) is found by its own names: the
    /// dns-default Service in openshift-dns, the pods it selects, their logs and events, the dns-default Corefile and
    /// openshift-dns's labels; kubeadm's names are asked once each and answer 404, which is no failure.
    /// </summary>
    [Fact]
    public async Task OpenShift_cluster_dns_is_read_in_openshift_dns_by_the_services_selector()
    {
        var request = Load("tests/scenarios/coredns-pod-not-running/fires-openshift-dns-default-crashloop.json");
        var (server, live) = await Live(request);

        var response = await live.DiagnoseAsync(WithoutSnapshot(request), CancellationToken.None);

        var calls = server.Requests.ToList();
        Assert.Contains("GET /api/v1/namespaces/openshift-dns/pods?labelSelector=dns.operator.openshift.io%2Fdaemonset-dns%3Ddefault&watch=false", calls);
        Assert.Contains(calls, c => c.StartsWith("GET /api/v1/namespaces/openshift-dns/configmaps/dns-default", StringComparison.Ordinal));
        Assert.Contains(calls, c => c.StartsWith("GET /api/v1/namespaces/openshift-dns/pods/dns-default-nh9jb/log?container=dns&", StringComparison.Ordinal));
        Assert.Contains(calls, c => c.StartsWith("GET /api/v1/namespaces/openshift-dns/events?", StringComparison.Ordinal) && c.Contains("dns-default-nh9jb", StringComparison.Ordinal));
        Assert.Contains(calls, c => c.StartsWith("GET /api/v1/namespaces/openshift-dns ", StringComparison.Ordinal) || c == "GET /api/v1/namespaces/openshift-dns");
        Assert.DoesNotContain(calls, c => c.Contains("/namespaces/kube-system/pods", StringComparison.Ordinal) || c.Contains("/namespaces/kube-system/configmaps/coredns?", StringComparison.Ordinal));

        Assert.Equal((CollectionStatus.Ok, "not present in the cluster"), Assert.Single(response.Collection, c => c.Source == "Service kube-system/kube-dns") is var e ? (e.Status, e.Detail) : default);
        Assert.Equal(CollectionStatus.Ok, Assert.Single(response.Collection, c => c.Source == "Pods openshift-dns (dns.operator.openshift.io/daemonset-dns=default)").Status);
        var finding = Assert.Single(response.Findings, f => f.RuleId == "coredns-pod-not-running");
        Assert.Contains(finding.Evidence, ev => ev.Source == "Pod openshift-dns/dns-default-nh9jb");
    }

    /// <summary>
    /// A service account that may not read openshift-dns (the OpenShift component of deploy/ not applied) gets one
    /// Forbidden entry per read, and the diagnosis goes on with what kube-system gave.
    /// </summary>
    [Fact]
    public async Task Forbidden_reads_in_openshift_dns_are_entries_not_a_failed_diagnosis()
    {
        var request = Load("tests/scenarios/coredns-pod-not-running/fires-openshift-dns-default-crashloop.json");
        var (server, live) = await Live(request);
        server.Faults["/api/v1/namespaces/openshift-dns/pods/"] = Fault.Forbidden;
        server.Faults["/api/v1/namespaces/openshift-dns/configmaps/"] = Fault.Forbidden;

        var response = await live.DiagnoseAsync(WithoutSnapshot(request), CancellationToken.None);

        Assert.Equal(CollectionStatus.Forbidden, Assert.Single(response.Collection, c => c.Source == "ConfigMap openshift-dns/dns-default").Status);
        Assert.All(response.Collection.Where(c => c.Source.StartsWith("Pod openshift-dns/", StringComparison.Ordinal) && c.Source.EndsWith(" log", StringComparison.Ordinal)),
            c => Assert.Equal(CollectionStatus.Forbidden, c.Status));
        Assert.Equal(3, response.Collection.Count(c => c.Source.StartsWith("Pod openshift-dns/", StringComparison.Ordinal) && c.Source.EndsWith(" log", StringComparison.Ordinal)));
        Assert.Contains(response.Findings, f => f.RuleId == "coredns-pod-not-running");
    }

    public static TheoryData<string, Fault, string, CollectionStatus> Faults() => new()
    {
        { "/api/v1/namespaces/kube-system/configmaps/coredns", Fault.Forbidden, "ConfigMap kube-system/coredns", CollectionStatus.Forbidden },
        { "/api/v1/namespaces/kube-system/services/kube-dns", Fault.ServerError, "Service kube-system/kube-dns", CollectionStatus.Failed },
        { "/api/v1/namespaces/kube-system/pods/coredns-5d78c9869d-abcde/log", Fault.Slow, "Pod kube-system/coredns-5d78c9869d-abcde log", CollectionStatus.Failed },
        { "/api/v1/nodes/", Fault.ConnectionReset, "Node cn-hangzhou.192.168.0.198", CollectionStatus.Failed },
        { "/apis/metrics.k8s.io/", Fault.NotFound, "PodMetrics kube-system (k8s-app=kube-dns)", CollectionStatus.Skipped },
        { "/apis/networking.k8s.io/", Fault.Forbidden, "NetworkPolicies kube-system", CollectionStatus.Forbidden },
        { "/api/v1/namespaces/kube-system/services/kube-dns", Fault.Garbage, "Service kube-system/kube-dns", CollectionStatus.Failed },
        { "/apis/apps/v1/namespaces/kube-system/deployments/coredns", Fault.Garbage, "Deployment kube-system/coredns", CollectionStatus.Failed },
        { "/api/v1/namespaces/kube-system/events", Fault.Forbidden, "Events kube-system/coredns-5d78c9869d-abcde", CollectionStatus.Forbidden },
        { "/api/v1/namespaces/kube-system/events", Fault.Slow, "Events kube-system/coredns-5d78c9869d-k2m9p", CollectionStatus.Failed },
    };

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task A_failing_collector_is_reported_and_the_diagnosis_goes_on(string path, Fault fault, string source, CollectionStatus status)
    {
        var request = Load("src/DnsExpert.Api/Samples/sick-cluster.json");
        var (server, live) = await Live(request);
        server.Faults[path] = fault;

        var response = await live.DiagnoseAsync(WithoutSnapshot(request), CancellationToken.None);

        var entry = Assert.Single(response.Collection, c => c.Source == source);
        Assert.Equal(status, entry.Status);
        Assert.False(string.IsNullOrEmpty(entry.Detail));
        Assert.NotNull(entry.DurationMs);

        // What was collected still diagnoses: the hostNetwork pod comes from another collector.
        Assert.Contains(response.Findings, f => f.RuleId == "pod-dnspolicy-hostnetwork");
    }

    /// <summary>
    /// Scenarios whose pasted scrapes are served by the fixture's pod proxy, in turn: live collection scrapes each CoreDNS
    /// pod twice (kubectl get --raw .../pods/POD:9153/proxy/metrics) and finds what the pasted scrapes give offline.
    /// </summary>
    [Theory]
    [InlineData("tests/scenarios/coredns-servfail-rate-high/fires-servfail-and-health-checks-rise-on-one-pod-1.11.json", "coredns-servfail-rate-high")]
    [InlineData("tests/scenarios/coredns-panics/fires-panic-count-rises-between-two-scrapes-1.11.json", "coredns-panics")]
    public async Task Cluster_dns_metrics_are_scraped_twice_through_the_pod_proxy_and_read_as_pasted(string scenario, string ruleId)
    {
        var (request, served) = ServedScrapes(scenario);
        var offline = await new DiagnosisService(new RuleEngine(Rules), TimeProvider.System).DiagnoseAsync(request, CancellationToken.None);
        var interval = TimeSpan.FromMilliseconds(300);
        var (server, live) = await Live(served, new ClusterOptions { Enabled = true, CollectorTimeout = TimeSpan.FromSeconds(10), Deadline = TimeSpan.FromSeconds(30), MetricsScrapeInterval = interval });

        var response = await live.DiagnoseAsync(WithoutSnapshot(request), CancellationToken.None);

        Assert.Equal(offline.Findings.Select(f => f.RuleId).Order(StringComparer.Ordinal), response.Findings.Select(f => f.RuleId).Order(StringComparer.Ordinal));
        var finding = Assert.Single(response.Findings, f => f.RuleId == ruleId);
        Assert.Contains(finding.Evidence, e => e.Source == "Pod kube-system/coredns-5d78c9869d-abcde metrics" && e.Detail.Contains("between two scrapes", StringComparison.Ordinal));
        var scrapedPods = request.Snapshot!.Outputs!.Select(o => o.Command!.Split("/pods/")[1].Split(':')[0]).Distinct().ToList();
        Assert.NotEmpty(scrapedPods);
        foreach (var pod in scrapedPods)
        {
            Assert.Equal(2, server.Requests.Count(r => r == $"GET /api/v1/namespaces/kube-system/pods/{pod}:9153/proxy/metrics"));
            Assert.Equal(CollectionStatus.Ok, Assert.Single(response.Collection, c => c.Source == $"Pod kube-system/{pod} metrics").Status);
            Assert.Equal(CollectionStatus.Ok, Assert.Single(response.Collection, c => c.Source == $"Pod kube-system/{pod} metrics, 0.3 s later").Status);
        }
    }

    /// <summary>A scenario whose pasted scrapes the fixture's pod proxy serves (as the files kubectl get --raw gives).</summary>
    private static (DiagnosisRequest Request, DiagnosisRequest Served) ServedScrapes(string scenario)
    {
        var request = Load(scenario);
        return (request, new DiagnosisRequest
        {
            Target = request.Target,
            Snapshot = new Snapshot
            {
                Objects = request.Snapshot!.Objects,
                Logs = request.Snapshot.Logs,
                Files = request.Snapshot.Outputs!.Select(o => new FileArtifact { Command = o.Command, Text = o.Text }).ToList(),
            },
        });
    }

    /// <summary>
    /// NodeLocal DNSCache on the target's node: its pod's own counters on :9353 (node-cache's set-up errors) are scraped
    /// twice through the pod proxy, and its iptables lock errors rising between them prove nodelocal-setup-failed live.
    /// </summary>
    [Fact]
    public async Task The_nodelocal_pod_on_the_targets_node_is_scraped_on_9353()
    {
        var request = Load("tests/scenarios/nodelocal-setup-failed/fires-iptables-lock-errors-rise-between-two-scrapes-on-the-node.json");
        const string nodeLocalPod = "node-local-dns-7xk2p";
        var daemonSet = request.Snapshot!.Objects!.Single(o => o.GetProperty("kind").GetString() == "DaemonSet");
        var template = daemonSet.GetProperty("spec").GetProperty("template");
        var pod = JsonDocument.Parse($$$"""
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"{{{nodeLocalPod}}}","namespace":"kube-system","labels":{{{template.GetProperty("metadata").GetProperty("labels")}}}},
             "spec":{"nodeName":"cn-hangzhou.192.168.0.199","hostNetwork":true,"containers":{{{template.GetProperty("spec").GetProperty("containers")}}}},
             "status":{"phase":"Running","conditions":[{"type":"Ready","status":"True"}]}}
            """).RootElement;
        var served = new DiagnosisRequest
        {
            Target = request.Target,
            Snapshot = new Snapshot
            {
                Objects = [.. request.Snapshot.Objects!, pod],
                Files = request.Snapshot.Outputs!.Select(o => new FileArtifact
                {
                    Command = $"kubectl get --raw /api/v1/namespaces/kube-system/pods/{nodeLocalPod}:9353/proxy/metrics", Text = o.Text,
                }).ToList(),
            },
        };
        var (server, live) = await Live(served, new ClusterOptions { Enabled = true, CollectorTimeout = TimeSpan.FromSeconds(10), Deadline = TimeSpan.FromSeconds(30), MetricsScrapeInterval = TimeSpan.FromMilliseconds(200) });

        var response = await live.DiagnoseAsync(WithoutSnapshot(request), CancellationToken.None);

        Assert.Equal(2, server.Requests.Count(r => r == $"GET /api/v1/namespaces/kube-system/pods/{nodeLocalPod}:9353/proxy/metrics"));
        var finding = Assert.Single(response.Findings, f => f.RuleId == "nodelocal-setup-failed");
        Assert.Equal(Severity.Critical, finding.Severity);
        Assert.Contains(finding.Evidence, e => e.Detail.Contains("rose by 17 between two scrapes", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_forbidden_pod_proxy_is_an_entry_and_that_pod_is_not_scraped_again()
    {
        var (request, served) = ServedScrapes("tests/scenarios/coredns-servfail-rate-high/fires-servfail-and-health-checks-rise-on-one-pod-1.11.json");
        var (server, live) = await Live(served, new ClusterOptions { Enabled = true, CollectorTimeout = TimeSpan.FromSeconds(10), Deadline = TimeSpan.FromSeconds(30), MetricsScrapeInterval = TimeSpan.FromMilliseconds(100) });
        server.Faults["/api/v1/namespaces/kube-system/pods/coredns-5d78c9869d-abcde:9153/proxy"] = Fault.Forbidden;

        var response = await live.DiagnoseAsync(WithoutSnapshot(request), CancellationToken.None);

        Assert.Equal(CollectionStatus.Forbidden, Assert.Single(response.Collection, c => c.Source == "Pod kube-system/coredns-5d78c9869d-abcde metrics").Status);
        Assert.DoesNotContain(response.Collection, c => c.Source.StartsWith("Pod kube-system/coredns-5d78c9869d-abcde metrics,", StringComparison.Ordinal));
        Assert.Equal(1, server.Requests.Count(r => r.Contains("coredns-5d78c9869d-abcde:9153/proxy", StringComparison.Ordinal)));
        Assert.True(response.Collection.Any(c => c.Source == "Pod kube-system/coredns-5d78c9869d-fghij metrics, 0.1 s later" && c.Status == CollectionStatus.Ok), string.Join("\n", response.Collection));
    }

    [Fact]
    public async Task A_scrape_past_its_bound_is_read_up_to_its_last_whole_line_and_says_so()
    {
        var (request, served) = ServedScrapes("tests/scenarios/coredns-panics/fires-panic-count-rises-between-two-scrapes-1.11.json");
        var first = served.Snapshot!.Files![0];
        var line = "coredns_dns_requests_total{family=\"1\",proto=\"udp\",server=\"dns://:53\",type=\"A\",view=\"\",zone=\".\"} 1\n";
        var huge = first.Text + string.Concat(Enumerable.Repeat(line, KubernetesSnapshotCollector.MaxMetricsCharacters / line.Length + 10));
        served.Snapshot.Files = [new FileArtifact { Command = first.Command, Text = huge }];
        var (_, live) = await Live(served, new ClusterOptions { Enabled = true, CollectorTimeout = TimeSpan.FromSeconds(10), Deadline = TimeSpan.FromSeconds(30), MetricsScrapeInterval = TimeSpan.Zero });

        var response = await live.DiagnoseAsync(WithoutSnapshot(request), CancellationToken.None);

        var entry = Assert.Single(response.Collection, c => c.Source == "Pod kube-system/coredns-5d78c9869d-abcde metrics");
        Assert.Equal(CollectionStatus.Partial, entry.Status);
        Assert.Contains("last whole line", entry.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_second_scrape_past_the_deadline_is_not_made_and_says_why()
    {
        var (request, served) = ServedScrapes("tests/scenarios/coredns-panics/fires-panic-count-rises-between-two-scrapes-1.11.json");
        var (server, live) = await Live(served, new ClusterOptions { Enabled = true, CollectorTimeout = TimeSpan.FromSeconds(10), Deadline = TimeSpan.FromSeconds(30), MetricsScrapeInterval = TimeSpan.FromSeconds(25) });

        var response = await live.DiagnoseAsync(WithoutSnapshot(request), CancellationToken.None);

        var skipped = Assert.Single(response.Collection, c => c.Source == "Cluster DNS metrics, second scrape");
        Assert.Equal(CollectionStatus.Skipped, skipped.Status);
        Assert.Contains("deadline", skipped.Detail, StringComparison.Ordinal);
        Assert.Equal(1, server.Requests.Count(r => r.Contains("coredns-5d78c9869d-abcde:9153/proxy", StringComparison.Ordinal)));
        // One scrape counts since each process started: the panics the scenario's first scrape holds are not a rise.
        Assert.DoesNotContain(response.Findings, f => f.RuleId == "coredns-panics" && f.Severity == Severity.Critical);
    }

    [Fact]
    public async Task Exec_is_off_by_default_and_says_so()
    {
        var request = Load("src/DnsExpert.Api/Samples/sick-cluster.json");
        var (_, live) = await Live(request);
        var response = await live.DiagnoseAsync(WithoutSnapshot(request), CancellationToken.None);

        var exec = Assert.Single(response.Collection, c => c.Source.EndsWith("/etc/resolv.conf", StringComparison.Ordinal));
        Assert.Equal(CollectionStatus.Skipped, exec.Status);
        Assert.Contains("exec is disabled", exec.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancelling_the_request_cancels_the_collection()
    {
        var request = Load("src/DnsExpert.Api/Samples/sick-cluster.json");
        var (server, live) = await Live(request, new ClusterOptions { Enabled = true, CollectorTimeout = TimeSpan.FromSeconds(30), Deadline = TimeSpan.FromSeconds(60) });
        server.Faults["/"] = Fault.Slow;
        server.SlowDelay = TimeSpan.FromSeconds(30);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => live.DiagnoseAsync(WithoutSnapshot(request), cancel.Token));
    }

    [Theory]
    [InlineData("shop-api.shop.svc.cluster.local", "shop", "shop-api")]
    [InlineData("kafka-0.kafka-headless.mq.svc.cluster.local.", "mq", "kafka-headless")]
    [InlineData("www.example.com", null, null)]
    [InlineData("svc.cluster.local", null, null)]
    [InlineData("orders", "default", "orders")]
    [InlineData("Orders", "default", "orders")]
    [InlineData("orders;rm", null, null)]
    public void Failing_cluster_names_map_to_the_service_to_read(string domain, string? ns, string? service)
    {
        var parsed = KubernetesSnapshotCollector.ClusterName(domain, targetNamespace: "default");
        Assert.Equal(ns, parsed?.Namespace);
        Assert.Equal(service, parsed?.Service);
    }

    /// <summary>
    /// The failing name's Service is read with its namespace's Services; when it is not there, the cluster's Services
    /// (bounded by a limit) give the nearest names. When it is there, nothing cluster-wide is read.
    /// </summary>
    [Theory]
    [InlineData("payments.shop.svc.cluster.local", false)]
    [InlineData("ordres.shop.svc.cluster.local", true)]
    public async Task A_failing_Service_name_reads_its_namespace_and_only_when_absent_the_cluster(string domain, bool clusterWide)
    {
        var request = Load("tests/scenarios/service-name-not-found/fires-short-name-service-in-another-namespace.json");
        var (server, live) = await Live(request);
        var response = await live.DiagnoseAsync(new DiagnosisRequest { Target = request.Target, Domain = domain }, CancellationToken.None);

        var calls = server.Requests.ToList();
        Assert.Contains("GET /api/v1/namespaces/shop/services?watch=false", calls);
        var all = calls.Where(c => c.StartsWith("GET /api/v1/services", StringComparison.Ordinal)).ToList();
        Assert.Equal(clusterWide ? 1 : 0, all.Count);
        Assert.All(all, c => Assert.Contains($"limit={KubernetesSnapshotCollector.MaxServicesForNearestNames}", c, StringComparison.Ordinal));
        Assert.Contains(response.Collection, c => c.Source.StartsWith("Services shop", StringComparison.Ordinal) && c.Status == CollectionStatus.Ok);
    }

    [Fact]
    public async Task A_live_diagnosis_is_one_trace_with_a_span_per_collector_and_failed_reads_marked()
    {
        var request = Load("src/DnsExpert.Api/Samples/sick-cluster.json");
        var (server, live) = await Live(request);
        server.Faults["/api/v1/namespaces/kube-system/configmaps/coredns"] = Fault.Forbidden;
        var spans = new System.Collections.Concurrent.ConcurrentQueue<System.Diagnostics.Activity>();
        using var listener = new System.Diagnostics.ActivityListener
        {
            ShouldListenTo = s => s.Name == Text.Telemetry.Tracing.SourceName,
            Sample = (ref System.Diagnostics.ActivityCreationOptions<System.Diagnostics.ActivityContext> _) => System.Diagnostics.ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Enqueue,
        };
        System.Diagnostics.ActivitySource.AddActivityListener(listener);

        var response = await live.DiagnoseAsync(WithoutSnapshot(request), CancellationToken.None);

        var root = Assert.Single(spans, a => a.DisplayName == "diagnose" && (string?)a.GetTagItem("dnsexpert.diagnosis.id") == response.Id);
        var trace = spans.Where(a => a.TraceId == root.TraceId).ToList();
        var collect = Assert.Single(trace, a => a.DisplayName == "collect");
        Assert.Equal(root.SpanId, collect.ParentSpanId);
        Assert.Equal(root.SpanId, Assert.Single(trace, a => a.DisplayName == "rules").ParentSpanId);

        var reads = trace.Where(a => a.DisplayName.StartsWith("collect ", StringComparison.Ordinal)).ToList();
        Assert.Equal(response.Collection.Count(c => c.DurationMs is not null && c.Source != "probes"), reads.Count);
        var forbidden = Assert.Single(reads, a => a.DisplayName == "collect ConfigMap kube-system/coredns");
        Assert.Equal(System.Diagnostics.ActivityStatusCode.Error, forbidden.Status);
        Assert.Equal("forbidden", forbidden.GetTagItem("dnsexpert.collection.status"));
        Assert.All(reads.Where(a => a != forbidden && (string?)a.GetTagItem("dnsexpert.collection.status") == "ok"),
            a => Assert.Equal(System.Diagnostics.ActivityStatusCode.Unset, a.Status));
        Assert.Equal(response.Findings.Count, root.GetTagItem("dnsexpert.findings"));
    }
}

public sealed class ExecTests : IAsyncLifetime
{
    private static readonly System.Text.Json.JsonSerializerOptions WebJson = new(System.Text.Json.JsonSerializerDefaults.Web);
    private readonly string _temp = Directory.CreateTempSubdirectory("dnsexpert-exec-").FullName;
    private FixtureApiServer _server = null!;

    public async Task InitializeAsync()
    {
        var root = new DirectoryInfo(RepoPaths.Root);
        var scenario = System.Text.Json.JsonSerializer.Deserialize<DiagnosisRequest>(
            await File.ReadAllTextAsync(Path.Combine(root.FullName, "tests", "scenarios", "pod-resolvconf-not-cluster-dns", "fires-image-overwrites-resolv-conf.json")),
            WebJson)!;
        _server = await FixtureApiServer.StartAsync(scenario.Snapshot!);
        Rules = new DirectoryRuleBaseProvider(Path.Combine(root.FullName, "rules"));
        Scenario = scenario;
    }

    private DirectoryRuleBaseProvider Rules { get; set; } = null!;
    private DiagnosisRequest Scenario { get; set; } = null!;

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_temp, recursive: true);
    }

    private DiagnosisService Service(bool exec)
    {
        var client = new k8s.Kubernetes(k8s.KubernetesClientConfiguration.BuildConfigFromConfigFile(_server.WriteKubeconfig(_temp)));
        var options = new ClusterOptions { Enabled = true, ExecEnabled = exec, CollectorTimeout = TimeSpan.FromSeconds(10) };
        return new DiagnosisService(new RuleEngine(Rules), TimeProvider.System, new KubernetesSnapshotCollector(client, Options.Create(options), TimeProvider.System));
    }

    [Fact]
    public async Task With_exec_enabled_the_pods_resolv_conf_is_read_and_proves_the_rewrite()
    {
        var response = await Service(exec: true).DiagnoseAsync(new DiagnosisRequest { Target = Scenario.Target, Domain = Scenario.Domain, Symptom = Scenario.Symptom }, CancellationToken.None);

        var entry = Assert.Single(response.Collection, c => c.Source.EndsWith("/etc/resolv.conf", StringComparison.Ordinal));
        Assert.Equal(CollectionStatus.Ok, entry.Status);
        Assert.Contains(response.Findings, f => f.RuleId == "pod-resolvconf-not-cluster-dns");
        Assert.Contains(_server.Requests, r => r.Contains("/exec?", StringComparison.Ordinal) && r.Contains("command=cat", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Without_exec_the_rewrite_cannot_be_seen_and_the_collection_says_why()
    {
        var response = await Service(exec: false).DiagnoseAsync(new DiagnosisRequest { Target = Scenario.Target, Domain = Scenario.Domain, Symptom = Scenario.Symptom }, CancellationToken.None);

        Assert.DoesNotContain(response.Findings, f => f.RuleId == "pod-resolvconf-not-cluster-dns");
        Assert.DoesNotContain(_server.Requests, r => r.Contains("/exec", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Forbidden_exec_is_reported_as_forbidden()
    {
        _server.Faults["/api/v1/namespaces/default/pods/web-7d4b9c-x2k4q/exec"] = Fault.Forbidden;
        var response = await Service(exec: true).DiagnoseAsync(new DiagnosisRequest { Target = Scenario.Target, Domain = Scenario.Domain }, CancellationToken.None);

        var entry = Assert.Single(response.Collection, c => c.Source.EndsWith("/etc/resolv.conf", StringComparison.Ordinal));
        Assert.Equal(CollectionStatus.Forbidden, entry.Status);
    }

}
