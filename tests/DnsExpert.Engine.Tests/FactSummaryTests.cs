using DnsExpert.Contract;
using DnsExpert.Engine.Commands;
using DnsExpert.Engine.Compilation;
using DnsExpert.Engine.Hypotheses;
using DnsExpert.Engine.Results;
using DnsExpert.Engine.RuleFiles;
using DnsExpert.Facts;
using DnsExpert.Readers;
using DnsExpert.Readers.Building;
using DnsExpert.Readers.Parsing;
using DnsExpert.Testing;

namespace DnsExpert.Engine.Tests;

/// <summary>What a ruled-out hypothesis says the evidence showed: one summary per fact type, bounded, with a count as the fallback.</summary>
public sealed class FactSummaryTests
{
    /// <summary>
    /// Fact types the rules read that deliberately keep the count (<c>3 X facts</c>): none today. A type a rule starts
    /// to read goes into <see cref="FactSummaries"/> or here.
    /// </summary>
    private static readonly HashSet<string> CountedOnly = new(StringComparer.Ordinal);

    private static CoreDnsPod Pod(string name, bool ready = true, int restarts = 0, string? waiting = null) => new()
    {
        Source = $"Pod kube-system/{name}", Namespace = "kube-system", Name = name, Ready = ready, Restarts = restarts, WaitingReason = waiting,
        Phase = PodPhases.Running,
    };

    private static ProbeResult Probe(int index, string outcome, string? rcode = null, string transport = DnsTransports.Udp) => new()
    {
        Source = "probe", Index = index, From = "default/web", FromRole = ProbeOrigins.App, Kind = ProbeKinds.Dns, Target = "10.96.0.10",
        TargetRole = ProbeTargetRoles.KubeDns, Transport = transport, Outcome = outcome, Rcode = rcode,
        Description = $"dig example.com A @10.96.0.10 ({transport})",
    };

    private static string Describe<T>(params T[] facts) => FactSummaries.Describe(typeof(T).Name, facts.Cast<object>().ToList());

    [Fact]
    public void CoreDNS_pods_say_how_many_are_Ready_and_how_often_they_restarted()
    {
        Assert.Equal("2 CoreDNS pods: both Ready, 0 restarts", Describe(Pod("coredns-a"), Pod("coredns-b")));
        Assert.Equal("1 CoreDNS pod: Ready, 1 restart (coredns-a 1)", Describe(Pod("coredns-a", restarts: 1)));
        Assert.Equal(
            "3 CoreDNS pods: 2 of 3 Ready (not Ready: coredns-c (CrashLoopBackOff)), 7 restarts (coredns-c 5, coredns-a 2)",
            Describe(Pod("coredns-a", restarts: 2), Pod("coredns-b"), Pod("coredns-c", ready: false, restarts: 5, waiting: "CrashLoopBackOff")));
    }

    [Fact]
    public void CoreDNS_pods_add_their_load_and_version_when_known()
    {
        var pod = new CoreDnsPod
        {
            Source = "s", Namespace = "kube-system", Name = "coredns-a", Ready = true, CpuMillicores = 50, CpuLimitMillicores = 200,
            MemoryBytes = 30, MemoryLimitBytes = 100, VersionText = "v1.11.1",
        };

        Assert.Equal("1 CoreDNS pod: Ready, 0 restarts, CPU up to 25% of its limit, memory up to 30% of its limit, version v1.11.1", Describe(pod));
    }

    [Fact]
    public void The_kube_dns_Service_says_its_address_and_affinity_and_its_endpoints_their_count()
    {
        var service = new KubeDnsService { Source = "Service kube-system/kube-dns", Namespace = "kube-system", Name = "kube-dns", ClusterIp = "10.96.0.10" };
        var endpoints = new KubeDnsEndpoints { Source = "EndpointSlices kube-system/kube-dns", Namespace = "kube-system", Name = "kube-dns", ReadyEndpoints = 2 };

        Assert.Equal("kube-dns Service 10.96.0.10: sessionAffinity None", Describe(service));
        Assert.Equal("kube-dns endpoints: 2 ready addresses, 0 not ready", Describe(endpoints));
        Assert.Equal("kube-dns endpoints: 1 ready address, 3 not ready", Describe(new KubeDnsEndpoints { Source = "s", Namespace = "kube-system", Name = "kube-dns", ReadyEndpoints = 1, NotReadyEndpoints = 3 }));
    }

    [Fact]
    public void The_target_pod_says_its_policy_and_nameservers()
    {
        var pod = new PodDns
        {
            Source = "Pod default/web", Namespace = "default", Name = "web", DnsPolicy = DnsPolicies.ClusterFirst, EffectiveNameservers = ["10.96.0.10"],
        };

        Assert.Equal("pod default/web: dnsPolicy ClusterFirst, nameservers 10.96.0.10, ndots 5", Describe(pod));
        Assert.Equal(
            "pod default/web: dnsPolicy ClusterFirstWithHostNet, hostNetwork, nameservers none, ndots 2 (from its /etc/resolv.conf)",
            Describe(new PodDns
            {
                Source = "s", Namespace = "default", Name = "web", DnsPolicy = DnsPolicies.ClusterFirstWithHostNet, HostNetwork = true, EffectiveNdots = 2,
                EffectiveFrom = ResolverSettingsSources.ResolvConf,
            }));
    }

    [Fact]
    public void Probes_say_how_they_ended_and_which_failed()
    {
        Assert.Equal(
            "3 probes: 2 answered, 1 timeout (answers: 2 NOERROR); by transport: 2 udp, 1 tcp; failed: timeout from app to kube-dns 10.96.0.10 over udp",
            Describe(Probe(0, ProbeOutcomes.Answered, DnsRcodes.NoError), Probe(1, ProbeOutcomes.Answered, DnsRcodes.NoError, DnsTransports.Tcp), Probe(2, ProbeOutcomes.Timeout)));
    }

    [Fact]
    public void The_Corefile_says_its_blocks_plugins_and_upstreams()
    {
        CorefileServer Server(int i, string key) => new() { Source = "c", Index = i, Line = 1, Key = key };
        CorefilePlugin Plugin(string name) => new() { Source = "c", ServerIndex = 0, ServerKey = ".:53", Line = 2, Text = name, Name = name };

        Assert.Equal("Corefile: 2 server blocks (.:53, consul.local:53)", Describe(Server(0, ".:53"), Server(1, "consul.local:53")));
        Assert.Equal("Corefile plugins: errors, health, kubernetes", Describe(Plugin("errors"), Plugin("health"), Plugin("kubernetes"), Plugin("errors")));
        // A whole Corefile's plugins, so that the one a rule looks for is seen to be absent.
        string[] usual = ["errors", "health", "ready", "kubernetes", "prometheus", "forward", "cache", "loop", "reload", "loadbalance", "log"];
        Assert.Equal("Corefile plugins: " + string.Join(", ", usual), Describe(usual.Select(Plugin).ToArray()));
        var forward = new CorefilePlugin { Source = "c", ServerIndex = 0, ServerKey = ".:53", Line = 9, Text = "forward . /etc/resolv.conf", Name = "forward", Arguments = [".", "/etc/resolv.conf"] };
        Assert.Equal("Corefile forwards: . to /etc/resolv.conf", Describe(new CorefileUpstream(forward, ForwardTarget.Parse("/etc/resolv.conf"))));
    }

    [Fact]
    public void Logs_that_were_read_and_hold_nothing_say_so_and_unread_ones_say_they_were_not_there()
    {
        Assert.Equal("kernel log read: no conntrack-full or VXLAN bad-checksum lines", FactSummaries.Describe(nameof(NodeKernelLogLine), [], sourceRead: true));
        Assert.Equal("CoreDNS log read: no errors, reloads or panics", FactSummaries.Describe(nameof(CoreDnsLogEvent), [], sourceRead: true));
        Assert.Equal("no Kubernetes events in what was read", FactSummaries.Describe(nameof(KubernetesEvent), []));
        var line = new NodeKernelLogLine { Source = "dmesg", Node = "node-a", Kind = NodeKernelLogKinds.ConntrackFull, LineNumber = 3, Text = "nf_conntrack: table full, dropping packet" };
        Assert.Equal("kernel log: 2 lines (2 conntrack-full) on node-a", Describe(line, line));
    }

    [Fact]
    public void The_CoreDNS_log_says_which_signatures_it_holds_and_how_often()
    {
        CoreDnsLogEvent Event(string kind, int occurrences) => new()
        {
            Source = "log", Pod = "coredns-a", Namespace = "kube-system", Kind = kind, LineNumber = 1, Time = "no timestamp", Text = "t", Occurrences = occurrences,
        };

        Assert.Equal("CoreDNS log: 1 reload line", Describe(Event(CoreDnsLogEventKinds.Reload, 1)));
        Assert.Equal("CoreDNS log: 40 upstream-error, 2 reload lines", Describe(Event(CoreDnsLogEventKinds.Reload, 2), Event(CoreDnsLogEventKinds.UpstreamError, 40)));
    }

    [Fact]
    public void Conntrack_counters_say_what_the_kernel_counted()
    {
        Assert.Equal(
            "conntrack -S on node-a: insert_failed 12, drop 0, early_drop 0",
            Describe(new NodeConntrackStats { Source = "conntrack -S", Node = "node-a", InsertFailed = 12, Cpus = 4 }));
        Assert.Equal("conntrack table of node-a: 1200 of 262144 (0.5%)", Describe(new NodeConntrack { Source = "s", Node = "node-a", Count = 1200, Max = 262144 }));
    }

    [Fact]
    public void CoreDNS_metrics_say_their_counters_and_the_latency_and_throttling_only_when_read()
    {
        CoreDnsMetrics Metrics(double? p99 = null, long? periods = null, long? throttled = null, long? broken = null) => new()
        {
            Source = "Prometheus", Namespace = "kube-system", Pod = "coredns-a", Window = "over 15 min", Reading = "prometheus", Responses = 4120, Servfail = 951,
            Panics = 0, P99Ms = p99, CpuPeriods = periods, CpuThrottledPeriods = throttled, HealthcheckBroken = broken,
        };

        var bare = Describe(Metrics());
        Assert.Contains("SERVFAIL 951 of 4120 responses", bare, StringComparison.Ordinal);
        Assert.DoesNotContain("p99", bare, StringComparison.Ordinal);
        Assert.DoesNotContain("throttled", bare, StringComparison.Ordinal);
        Assert.DoesNotContain("every upstream down", bare, StringComparison.Ordinal);

        var full = Describe(Metrics(p99: 2.4, periods: 8640, throttled: 3560, broken: 2));
        Assert.Contains("every upstream down 2", full, StringComparison.Ordinal);
        Assert.Contains(Metrics(p99: 2.4).Latency, full, StringComparison.Ordinal);
        Assert.Contains(Metrics(periods: 8640, throttled: 3560).Throttling, full, StringComparison.Ordinal);
    }

    [Fact]
    public void Nodes_events_and_policies_are_summarised_by_their_kinds()
    {
        ClusterNode Node(string name, string kernel) => new() { Source = "n", Name = name, KernelVersion = kernel, Ready = true };
        Assert.Equal("3 nodes: 3 Ready, kernels 5.10.0-28 (2), 6.1.0 (1)", Describe(Node("a", "5.10.0-28"), Node("b", "6.1.0"), Node("c", "5.10.0-28")));

        KubernetesEvent Event(string type, string reason) => new() { Source = "e", Name = "x", Namespace = "kube-system", InvolvedKind = "Pod", InvolvedName = "coredns-a", Reason = reason, Type = type };
        Assert.Equal("2 Kubernetes events (1 Normal, 1 Warning), warnings: BackOff on Pod coredns-a", Describe(Event(EventTypes.Normal, "Pulled"), Event(EventTypes.Warning, "BackOff")));

        NetworkPolicyInfo Policy(string name, bool egress) => new() { Source = "p", Namespace = "shop", Name = name, RestrictsEgress = egress };
        Assert.Equal("2 NetworkPolicies, 1 restricting egress (shop/deny-egress)", Describe(Policy("allow-web", false), Policy("deny-egress", true)));
    }

    [Fact]
    public void A_type_without_a_summary_falls_back_to_its_count()
    {
        NodeCloud Cloud(string node) => new() { Source = "n", Node = node, Provider = CloudProviders.Aws, Evidence = "e" };

        Assert.DoesNotContain(nameof(NodeCloud), FactSummaries.Summarised);
        Assert.Equal("2 NodeCloud facts", Describe(Cloud("a"), Cloud("b")));
        Assert.Equal("1 NodeCloud fact", Describe(Cloud("a")));
        Assert.Equal("no NodeCloud in what was read", FactSummaries.Describe(nameof(NodeCloud), [], sourceRead: true));
    }

    [Fact]
    public void Five_thousand_pods_with_long_names_make_a_bounded_summary_naming_a_few_and_the_count_of_the_rest()
    {
        var pods = Enumerable.Range(0, 5000).Select(i => Pod($"coredns-{i}-" + new string('x', 500), ready: false, restarts: 1, waiting: "CrashLoopBackOff")).ToArray();

        var text = Describe(pods);

        Assert.True(text.Length <= FactSummaries.MaxSummary, $"{text.Length} characters");
        Assert.StartsWith("5000 CoreDNS pods: 0 of 5000 Ready (not Ready: coredns-0-xxx", text, StringComparison.Ordinal);
        var more = System.Text.RegularExpressions.Regex.Match(text, @"\(not Ready: (?<names>.*?) \+(?<more>\d+) more\)");
        Assert.True(more.Success, text);
        var named = more.Groups["names"].Value.Split(", ");
        Assert.Equal(5000, named.Length + int.Parse(more.Groups["more"].Value, System.Globalization.CultureInfo.InvariantCulture));
        Assert.All(named, n => Assert.Equal(FactSummaries.MaxName, n.Length));
        Assert.DoesNotContain("coredns-5-", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Many_Services_name_a_few_and_count_the_rest()
    {
        var services = Enumerable.Range(0, 5000).Select(i => new ServiceInfo { Source = "s", Namespace = "shop", Name = $"svc-{i}", Fqdn = $"svc-{i}.shop.svc.cluster.local" }).ToArray();

        Assert.Equal("5000 Services (0 headless): svc-0.shop, svc-1.shop, svc-2.shop, svc-3.shop, svc-4.shop +4995 more", Describe(services));
    }

    [Fact]
    public void Every_ruled_out_reason_of_the_real_rules_stays_bounded_over_a_huge_snapshot()
    {
        var ruleBase = RuleBaseLoader.Load(RepoPaths.Rules);
        var longName = new string('x', 300);
        var facts = new List<object>
        {
            new PodDns { Source = "s", Namespace = "shop", Name = "web-" + longName, DnsPolicy = DnsPolicies.ClusterFirst, EffectiveNameservers = [.. Enumerable.Range(0, 5000).Select(i => $"10.0.{i / 256}.{i % 256}")] },
            new KubeDnsService { Source = "s", Namespace = "kube-system", Name = "kube-dns", ClusterIp = "10.96.0.10" },
            new KubeDnsEndpoints { Source = "s", Namespace = "kube-system", Name = "kube-dns", ReadyEndpoints = 5000 },
            new ClusterDns { Source = "s", ClusterDomain = "cluster.local", KubeDnsClusterIp = "10.96.0.10" },
            new EvidenceRead { Source = "s", Objects = 20000, Logs = 5000, Files = 0, Probes = 5000 },
        };
        facts.AddRange(Enumerable.Range(0, 5000).Select(i => Pod($"coredns-{i}-{longName}", ready: i % 2 == 0, restarts: i, waiting: "CrashLoopBackOff")));
        facts.AddRange(Enumerable.Range(0, 5000).Select(i => (object)new ServiceInfo { Source = "s", Namespace = "shop", Name = $"svc-{i}-{longName}", Fqdn = "f" }));
        facts.AddRange(Enumerable.Range(0, 5000).Select(i => (object)new ClusterNode { Source = "s", Name = $"node-{i}", KernelVersion = $"5.10.{i}-{longName}" }));
        facts.AddRange(Enumerable.Range(0, 5000).Select(i => (object)Probe(i, i % 3 == 0 ? ProbeOutcomes.Timeout : ProbeOutcomes.Answered, DnsRcodes.NoError)));
        var observed = new HashSet<string>(StringComparer.Ordinal) { nameof(CoreDnsLogEvent), nameof(CoreDnsQueryLog), nameof(CoreDnsParallelQuery), nameof(KubernetesEvent), nameof(NodeKernelLogLine) };

        var hypotheses = HypothesisBuilder.Build(ruleBase, facts, [], new KnownValues { Observed = observed });

        var ruledOut = hypotheses.Where(h => h.Status == RuleHypothesisStatus.RuledOut).ToList();
        // coredns-pod-not-running's also says the CoreDNS log was read (its start-up exits), before the pods.
        Assert.Contains(ruledOut, h => h.Reason.Contains("5000 CoreDNS pods: 2500 of 5000 Ready (not Ready: coredns-1-", StringComparison.Ordinal));
        Assert.All(ruledOut, h => Assert.True(h.Reason.Length <= HypothesisBuilder.MaxReason, $"{h.RuleId}: {h.Reason.Length} characters"));
        Assert.All(ruledOut, h => Assert.EndsWith(". None of it matches the rule's conditions", h.Reason, StringComparison.Ordinal));
    }

    [Fact]
    public void Every_summary_describes_the_facts_the_scenarios_build_in_its_own_words()
    {
        var web = new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(Path.Combine(RepoPaths.Root, "tests", "scenarios"), "*.json", SearchOption.AllDirectories)
            .Where(f => !f.EndsWith(".expect.json", StringComparison.Ordinal) && !f.EndsWith(".expected.json", StringComparison.Ordinal) && Path.GetFileName(f) != "index.json"))
        {
            var request = System.Text.Json.JsonSerializer.Deserialize<DiagnosisRequest>(File.ReadAllText(file), web)!;
            foreach (var group in SnapshotFactBuilder.Build(request).Facts.GroupBy(f => f.GetType().Name, StringComparer.Ordinal).Where(g => FactSummaries.Summarised.Contains(g.Key)))
            {
                var text = FactSummaries.Describe(group.Key, group.ToList());
                Assert.False(text.EndsWith($"{group.Key} fact", StringComparison.Ordinal) || text.EndsWith($"{group.Key} facts", StringComparison.Ordinal), $"{file}: {text}");
                Assert.DoesNotContain("System.", text, StringComparison.Ordinal);
                Assert.True(text.Length is > 0 and <= FactSummaries.MaxSummary, $"{file}: {text}");
                seen.Add(group.Key);
            }
        }

        Assert.Empty(FactSummaries.Summarised.Except(seen).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_cut_never_splits_a_surrogate_pair()
    {
        var text = new string('a', 9) + "\U0001F600" + "tail";

        Assert.Equal(new string('a', 9) + "...", FactSummaries.Clip(text, 13));
        Assert.Equal(text, FactSummaries.Clip(text, text.Length));
    }

    [Fact]
    public void Every_fact_type_a_rule_reads_is_summarised_or_deliberately_counted()
    {
        var read = RuleBaseLoader.Load(RepoPaths.Rules).Rules
            .SelectMany(r => r.Document.Cases).SelectMany(c => c.When)
            .Where(p => p.Mode != PatternMode.Not)
            .Select(p => p.FactType)
            .Where(t => t is not (FindingFact.FactTypeName or nameof(ReportedSymptom)) && FactTypes.TryGet(t, out var type) && type.GetCustomAttributes(typeof(RelationFactAttribute), false).Length == 0)
            .ToHashSet(StringComparer.Ordinal);

        Assert.True(read.Count >= 25, string.Join(", ", read));
        Assert.All(read, t => Assert.True(FactSummaries.Summarised.Contains(t) || CountedOnly.Contains(t), $"{t}: add a summary to FactSummaries, or to CountedOnly here"));
        Assert.All(FactSummaries.Summarised, t => Assert.True(FactTypes.TryGet(t, out _), $"{t} is no fact type"));
    }
}
