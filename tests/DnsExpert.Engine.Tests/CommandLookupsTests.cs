using DnsExpert.Engine.Commands;
using DnsExpert.Engine.Compilation;
using DnsExpert.Engine.RuleFiles;
using DnsExpert.Facts;
using DnsExpert.Testing;
using DnsExpert.Text;

namespace DnsExpert.Engine.Tests;

/// <summary>
/// The values that make the last placeholders of the rules' commands paste as given (CommandLookups): the replica
/// count of a scale-out, the autoscaler that owns it, a CoreDNS pod to enter, the Prometheus server to ask; each the
/// snapshot's once it shows it, else a substitution that finds it when the command runs, and never a value from the
/// cluster that is not of its kind.
/// </summary>
public sealed class CommandLookupsTests
{
    private static readonly RuleBase Rules = RuleBaseLoader.Load(RepoPaths.Rules);

    private static readonly CoreDnsPod Loaded = Pod("coredns-5d78c9869d-abcde");

    private static CoreDnsPod Pod(string name, string ns = "kube-system") => new()
    {
        Source = $"Pod {ns}/{name}", Namespace = ns, Name = name, Node = "node-1", CpuMillicores = 95, CpuLimitMillicores = 100,
    };

    private static readonly CoreDnsPodMetrics LoadedMetrics = new() { Source = "PodMetrics kube-system/coredns-5d78c9869d-abcde", Namespace = "kube-system", Name = "coredns-5d78c9869d-abcde", CpuMillicores = 95 };

    private static ClusterDns Kubeadm(int? replicas = null, string? autoscaler = null, string? configMap = null, string ns = "kube-system",
        string selector = "k8s-app=kube-dns", string workload = "deployment/coredns") => new()
    {
        Source = "Service kube-system/kube-dns", ClusterDomain = "cluster.local", PodsNamespace = ns, PodsSelector = selector,
        CorefileConfigMap = "coredns", Workload = workload, WorkloadReplicas = replicas, Autoscaler = autoscaler, AutoscalerConfigMap = configMap,
    };

    /// <summary>The commands of a rule's remediation (its first case's, or the case <paramref name="caseIndex"/>) the step's <c>when:</c> gives over these facts.</summary>
    private static List<string> Remediation(string ruleId, object[] facts, int caseIndex = 0)
    {
        var known = KnownValues.From(facts, "default", "web-0", "orders.shop.svc.cluster.local", null);
        var rule = Rules.Rules.Single(r => r.Id == ruleId);
        var @case = rule.Cases.Single(c => c.Index == caseIndex);
        var patterns = rule.Document.Cases[caseIndex].When.Where(p => p.Mode == PatternMode.Match)
            .Select(p => FactTypes.TryGet(p.FactType, out var t) ? t : throw new InvalidOperationException(p.FactType));
        object[] matched = [.. patterns.Select(t => facts.First(f => f.GetType() == t)), known];
        return [.. @case.Remediation.Where(r => r.Command is not null && (r.When?.Invoke(matched) ?? true)).Select(r => r.Command!.Render(matched))];
    }

    /// <summary>
    /// The scale-out of an overloaded CoreDNS asks for half as many replicas again as it has, rounded up, at least 2:
    /// the count its Deployment asks for, else the pods listed (with --current-replicas, so a count that changed or a
    /// listing that missed pods makes kubectl refuse), else one the command computes from spec.replicas.
    /// </summary>
    [Theory]
    [InlineData(2, 1, "--current-replicas=2 --replicas=3")]
    [InlineData(1, 1, "--current-replicas=1 --replicas=2")]
    [InlineData(4, 2, "--current-replicas=4 --replicas=6")]
    [InlineData(null, 3, "--current-replicas=3 --replicas=5")]
    [InlineData(null, 0, "--replicas=$(kubectl -n kube-system get deployment/coredns -o jsonpath='{.spec.replicas}' | awk '{n = int(($1 * 3 + 1) / 2); print (n < 2 ? 2 : n)}')")]
    public void The_scale_out_asks_for_half_as_many_replicas_again_as_the_cluster_dns_has(int? spec, int pods, string arguments)
    {
        if (pods == 0)
        {
            // No pod listed (the rule cannot fire without one): the arguments alone.
            Assert.Equal(arguments, KnownValues.From([Kubeadm(spec)], "default", "web-0", null, null).ClusterDnsScaleArguments.ToString());
            return;
        }

        object[] facts = [Kubeadm(spec), LoadedMetrics, Loaded, .. Enumerable.Range(1, pods - 1).Select(i => Pod($"coredns-5d78c9869d-{i}"))];

        var scale = Assert.Single(Remediation("coredns-overloaded", facts), c => c.Contains(" scale ", StringComparison.Ordinal));
        Assert.Equal($"kubectl -n kube-system scale deployment/coredns {arguments}", scale);
    }

    /// <summary>1 → 2, 2 → 3, 3 → 5: half again, rounded up, never fewer than 2 (one pod is one point of failure).</summary>
    [Theory]
    [InlineData(0, 2)]
    [InlineData(1, 2)]
    [InlineData(2, 3)]
    [InlineData(3, 5)]
    [InlineData(10, 15)]
    [InlineData(int.MaxValue, int.MaxValue)]
    public void Half_again_rounded_up_at_least_two(int current, int target) => Assert.Equal(target, CommandLookups.ScaleTo(current));

    /// <summary>
    /// With a cluster-proportional-autoscaler owning the count (kubespray's dns-autoscaler), a scale by hand would be
    /// undone at its next poll: the step edits the autoscaler's ConfigMap instead, and names the count to set as its min.
    /// </summary>
    [Fact]
    public void With_an_autoscaler_the_step_changes_its_parameters_not_the_replicas()
    {
        object[] facts = [Kubeadm(2, "deployment/dns-autoscaler", "dns-autoscaler"), LoadedMetrics, Loaded];

        var commands = Remediation("coredns-overloaded", facts);

        Assert.DoesNotContain(commands, c => c.Contains(" scale ", StringComparison.Ordinal));
        Assert.Contains("kubectl -n kube-system edit configmap dns-autoscaler", commands);
        var throttled = Remediation("coredns-cpu-throttled", [Throttled("http://prometheus.monitoring:9090"), Kubeadm(2, "deployment/dns-autoscaler", "dns-autoscaler")], 1);
        Assert.Contains("kubectl -n kube-system edit configmap dns-autoscaler", throttled);
        Assert.DoesNotContain(throttled, c => c.Contains(" scale ", StringComparison.Ordinal));
    }

    /// <summary>A throttled CoreDNS pod's counters read from the Prometheus server <paramref name="server"/> (none when empty).</summary>
    private static CoreDnsMetrics Throttled(string server) => new()
    {
        Source = "Prometheus CoreDNS metrics", Namespace = "kube-system", Pod = "coredns-5d78c9869d-abcde", BetweenScrapes = true, Window = "over 15 min",
        Reading = "Prometheus over 15 min", CpuPeriods = 9000, CpuThrottledPeriods = 4000, PrometheusServer = server.Length == 0 ? null : server,
    };

    /// <summary>
    /// The throttled share is watched where the metrics came from: the Prometheus server the request names; without
    /// one (or one whose URL a command may not hold: a password, a query, shell text), the kubelet's cAdvisor counters
    /// of the pod's node through the API server, which need no URL.
    /// </summary>
    [Theory]
    [InlineData("http://prometheus.monitoring:9090", "curl -sG http://prometheus.monitoring:9090/api/v1/query --data-urlencode")]
    [InlineData("https://prom.example.com/prometheus/", "curl -sG https://prom.example.com/prometheus/api/v1/query --data-urlencode")]
    [InlineData("https://admin:secret@prom.example.com", "kubectl get --raw /api/v1/nodes/$(kubectl -n kube-system get pod coredns-5d78c9869d-abcde -o jsonpath='{.spec.nodeName}')/proxy/metrics/cadvisor")]
    [InlineData("http://prom:9090/?x=$(id)", "kubectl get --raw /api/v1/nodes/$(kubectl")]
    [InlineData("http://prom:9090;id", "kubectl get --raw /api/v1/nodes/$(kubectl")]
    [InlineData("-K/etc/passwd", "kubectl get --raw /api/v1/nodes/$(kubectl")]
    [InlineData("", "kubectl get --raw /api/v1/nodes/$(kubectl")]
    public void The_throttled_share_is_watched_on_the_requests_prometheus_else_on_the_kubelet(string server, string start)
    {
        var commands = Remediation("coredns-cpu-throttled", [Throttled(server), Kubeadm(2)], 1);

        var watch = Assert.Single(commands, c => c.StartsWith(start, StringComparison.Ordinal));
        Assert.DoesNotContain("PROMETHEUS", watch, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", string.Concat(commands), StringComparison.Ordinal);
        if (watch.StartsWith("kubectl", StringComparison.Ordinal))
        {
            Assert.EndsWith("| grep -E '^container_cpu_cfs_(throttled_)?periods_total' | grep -F container=\\\"coredns\\\" | grep -F coredns-5d78c9869d-abcde", watch);
        }
    }

    /// <summary>
    /// The Prometheus server is the metrics fact's own field, filled by the reader that knew it: a source text that reads
    /// like one (a pasted scrape's file named so, any fact's words) is never parsed into a URL for a command.
    /// </summary>
    [Fact]
    public void A_source_that_reads_like_a_prometheus_url_is_not_the_server()
    {
        var spoofed = new CoreDnsMetrics
        {
            Source = "Prometheus http://attacker.example:9090", Namespace = "kube-system", Pod = "coredns-5d78c9869d-abcde", BetweenScrapes = true,
            Window = "between two scrapes", Reading = "scrapes: the rise between two", CpuPeriods = 9000, CpuThrottledPeriods = 4000,
        };

        var commands = Remediation("coredns-cpu-throttled", [spoofed, Kubeadm(2)], 1);

        Assert.DoesNotContain(commands, c => c.Contains("attacker", StringComparison.Ordinal));
        Assert.Contains(commands, c => c.StartsWith("kubectl get --raw /api/v1/nodes/", StringComparison.Ordinal));
    }

    /// <summary>
    /// A lookup from CoreDNS's network namespace enters a CoreDNS pod the snapshot names; without one, the first pod the
    /// cluster DNS selector lists, found when the command runs: no <c>nsenter -t &lt;coredns pid&gt;</c>.
    /// </summary>
    [Fact]
    public void A_coredns_pod_to_enter_is_the_snapshots_else_the_first_one_listed()
    {
        var failed = new ProbeResult
        {
            Source = "probe", Index = 0, From = "coredns", FromRole = ProbeOrigins.CoreDns, Kind = ProbeKinds.Dns, Target = "10.0.0.2", TargetRole = ProbeTargetRoles.Upstream,
            Name = "www.example.com", Outcome = ProbeOutcomes.Timeout, Description = "dig www.example.com @10.0.0.2",
        };
        var caseIndex = Rules.Rules.Single(r => r.Id == "coredns-upstream-unreachable").Document.Cases.Count - 1;

        Assert.Contains("kubectl debug -n kube-system coredns-5d78c9869d-abcde -i --image=registry.k8s.io/e2e-test-images/jessie-dnsutils:1.3 --target=coredns -- dig www.example.com @10.0.0.2",
            Remediation("coredns-upstream-unreachable", [failed, Kubeadm(), Loaded], caseIndex));
        Assert.Contains("kubectl debug -n kube-system $(kubectl -n kube-system get pod -l k8s-app=kube-dns -o jsonpath='{.items[0].metadata.name}') -i --image=registry.k8s.io/e2e-test-images/jessie-dnsutils:1.3 --target=coredns -- dig www.example.com @10.0.0.2",
            Remediation("coredns-upstream-unreachable", [failed, Kubeadm()], caseIndex));
        Assert.Contains("kubectl debug -n kube-system $(kubectl -n kube-system get pod -l 'k8s-app in (kube-dns,coredns)' -o jsonpath='{.items[0].metadata.name}') -i --image=registry.k8s.io/e2e-test-images/jessie-dnsutils:1.3 --target=coredns -- dig www.example.com @10.0.0.2",
            Remediation("coredns-upstream-unreachable", [failed], caseIndex));
    }

    public static TheoryData<int> Corpus => HostileCorpus.Indexes;

    /// <summary>
    /// Cluster text in every value a lookup is built from (the DNS namespace, selector, workload, a pod's name, the
    /// autoscaler's ConfigMap, the Prometheus server) reaches a command only as one word of its kind: else the lookup
    /// names the placeholder of that value, and a name that is no pod name is looked up as if unknown.
    /// </summary>
    [Theory]
    [MemberData(nameof(Corpus))]
    public void A_hostile_value_reaches_a_lookup_only_as_one_word_of_its_kind(int index)
    {
        var value = HostileCorpus.Values[index];
        var clusterDns = Kubeadm(null, value, value, value, value, value);
        var pod = Pod(value, value);
        var known = KnownValues.From([clusterDns, pod, Throttled(value)], "default", "web-0", null, null);

        string Word(string v, CommandValueKind kind, string placeholder) => CommandValue.Fits(v, kind) ? ShellWords.Quote(v) : placeholder;
        var ns = Word(value, CommandValueKind.Namespace, "<known-cluster-dns-namespace>");
        var expectedPod = CommandValue.Fits(value, CommandValueKind.ObjectName) ? value
            : $"$(kubectl -n {ns} get pod -l {Word(value, CommandValueKind.LabelSelector, "<known-cluster-dns-selector>")} -o jsonpath='{{.items[0].metadata.name}}')";
        Assert.Equal(expectedPod, known.AnyCoreDnsPod.ToString());
        Assert.Equal($"--current-replicas=1 --replicas=2", known.ClusterDnsScaleArguments.ToString());
        var unknownCount = KnownValues.From([clusterDns], "default", "web-0", null, null).ClusterDnsScaleArguments.ToString();
        Assert.Equal($"--replicas=$(kubectl -n {ns} get {Word(value, CommandValueKind.ObjectReference, "<known-cluster-dns-workload>")} -o jsonpath='{{.spec.replicas}}' | awk '{{n = int(($1 * 3 + 1) / 2); print (n < 2 ? 2 : n)}}')", unknownCount);

        if (known.PrometheusServer.Length > 0)
        {
            Assert.StartsWith("http", known.PrometheusServer, StringComparison.Ordinal);
            Assert.Single(ShellWords.Split(known.PrometheusUrl.ToString()));
            Assert.Equal(ShellWords.Quote(known.PrometheusServer), known.PrometheusUrl.ToString());
        }
        else
        {
            Assert.Equal("<prometheus-url>", known.PrometheusUrl.ToString());
        }

        // The autoscaler's ConfigMap goes through the template's check of its kind, as every known value.
        var commands = Remediation("coredns-overloaded", [Kubeadm(2, value, value, value, value, value), LoadedMetrics, Loaded]);
        Assert.All(commands.Where(c => c.Contains("edit configmap", StringComparison.Ordinal)),
            c => Assert.EndsWith(" edit configmap " + Word(value, CommandValueKind.ObjectName, "<autoscaler-configmap>"), c));
    }
}
