using System.Collections.Frozen;
using System.Globalization;
using DnsExpert.Facts;

namespace DnsExpert.Engine.Hypotheses;

/// <summary>
/// What the facts of one type that were read say, in the words of an on-call engineer: the evidence that rules a
/// hypothesis out (<c>2 CoreDNS pods: both Ready, 0 restarts</c>). One entry per fact type the rules read; a type
/// without one is counted (<c>3 NodeCloud facts</c>). Bounded whatever the snapshot: at most <see cref="MaxNames"/>
/// names per list and as many as fit in <see cref="MaxList"/> characters (then <c>+k more</c>), each cut to
/// <see cref="MaxName"/> characters, a summary to <see cref="MaxSummary"/>. Names come from the cluster and may be
/// hostile: the renderers escape the reason as any other value.
/// </summary>
public static class FactSummaries
{
    /// <summary>Names listed in one summary before <c>+k more</c>.</summary>
    public const int MaxNames = 5;

    /// <summary>Plugins of a Corefile listed: a usual Corefile names a dozen, and which is absent matters.</summary>
    public const int MaxPlugins = 16;

    /// <summary>Characters of one name or value from the cluster.</summary>
    public const int MaxName = 80;

    /// <summary>Characters of one list of names, before <c>+k more</c>.</summary>
    public const int MaxList = 160;

    /// <summary>Characters of the summary of one fact type.</summary>
    public const int MaxSummary = 400;

    private static readonly FrozenDictionary<string, Summary> ByType = new Dictionary<string, Summary>(StringComparer.Ordinal)
    {
        [nameof(CoreDnsPod)] = Of<CoreDnsPod>("CoreDNS pods", CoreDnsPods),
        [nameof(CoreDnsPodMetrics)] = Of<CoreDnsPodMetrics>("CoreDNS pod metrics", ms =>
            $"metrics of {Count(ms.Count, "CoreDNS pod")}: CPU "
            + (ms.Max(m => m.CpuMillicores) is { } cpu ? $"up to {Number(cpu)}m" : "not measured")
            + ", memory " + (ms.Max(m => m.MemoryBytes) is { } memory ? $"up to {Number(memory / (1 << 20))} MiB" : "not measured")),
        [nameof(CoreDnsPlacement)] = Of<CoreDnsPlacement>("CoreDNS placement", ps => Each(ps, p =>
            $"CoreDNS placement: {p.ReadyPods} of {Count(p.Pods, "pod")} Ready on {Count(p.ReadyNodes, "node")}, at most {p.MaxReadyPodsOnOneNode} on one node"
            + (p.NotReadyPods.Count > 0 ? $" (not Ready: {Names(p.NotReadyPods)})" : "")
            + $", sessionAffinity {Name(p.SessionAffinity ?? "unknown")}"
            + (p.CpuSpread is { } spread ? $", CPU spread {Number(spread)}x" : ""))),
        [nameof(KubeDnsService)] = Of<KubeDnsService>("kube-dns Service", ss => Each(ss, s =>
            $"{Name(s.Name)} Service {Name(s.ClusterIp ?? "without a ClusterIP")}: sessionAffinity {Name(s.SessionAffinity)}")),
        [nameof(KubeDnsEndpoints)] = Of<KubeDnsEndpoints>("kube-dns endpoints", es => Each(es, e =>
            $"{Name(e.Name)} endpoints: {Count(e.ReadyEndpoints, "ready address", "ready addresses")}, {e.NotReadyEndpoints} not ready")),
        [nameof(ClusterDns)] = Of<ClusterDns>("cluster DNS settings", cs => Each(cs, c =>
            $"cluster domain {Name(c.ClusterDomain)}, kube-dns {Name(c.KubeDnsClusterIp ?? "ClusterIP unknown")}, "
            + (c.NodeLocalPresent switch { true => $"NodeLocal DNSCache {Name(c.NodeLocalIp ?? "at an unknown address")}", false => "no NodeLocal DNSCache", null => "NodeLocal DNSCache unknown" })
            + (c.CoreDnsVersion is { } v ? $", CoreDNS {Name(v.ToString())}" : "")
            + (c.KubernetesVersion is { } k ? $", Kubernetes {Name(k.ToString())}" : ""))),
        [nameof(PodDns)] = Of<PodDns>("target pod DNS settings", ps => Each(ps, p =>
            $"pod {Name(p.Namespace)}/{Name(p.Name)}: dnsPolicy {Name(p.DnsPolicy)}{(p.DnsPolicyDefaulted ? " (default)" : "")}"
            + (p.HostNetwork ? ", hostNetwork" : "")
            + $", nameservers {Names(p.EffectiveNameservers, "none")}, ndots {p.EffectiveNdots}"
            + (p.EffectiveFrom == ResolverSettingsSources.ResolvConf ? " (from its /etc/resolv.conf)" : ""))),
        [nameof(PodResolvConf)] = Of<PodResolvConf>("pod /etc/resolv.conf", rs => Each(rs, r =>
            $"/etc/resolv.conf of {Name(r.Namespace)}/{Name(r.Pod)}: nameservers {Names(r.Nameservers, "none")}, {Count(r.Searches.Count, "search domain")}, ndots {r.Ndots}")),
        [nameof(PodSearchLine)] = Of<PodSearchLine>("search lines", ls => Each(ls, l =>
            $"search line of {Name(l.Namespace)}/{Name(l.Pod)}: {Count(l.Count, "domain")}, {Count(l.Characters, "character")} ({Name(l.Composition)})")),
        [nameof(PodLibc)] = Of<PodLibc>("C libraries", ls => Each(ls, l =>
            $"{Name(l.Namespace)}/{Name(l.Pod)}: {Name(l.Kind)}{(l.VersionText is { } v ? " " + Name(v) : "")}")),
        [nameof(QueriedName)] = Of<QueriedName>("failing name", ns => Each(ns, n => $"name {Name(n.Name)} ({Name(n.Kind)})")),
        [nameof(ProbeResult)] = Of<ProbeResult>("probes", Probes),
        [nameof(CoreDnsLogEvent)] = Of<CoreDnsLogEvent>("CoreDNS log events", es =>
            $"CoreDNS log: {Tally(es.Select(e => e.Kind), es.Select(e => e.Occurrences))} line{(es.Sum(e => e.Occurrences) == 1 ? "" : "s")}",
            "CoreDNS log read: no errors, reloads or panics"),
        [nameof(CoreDnsQueryLog)] = Of<CoreDnsQueryLog>("CoreDNS query log lines", qs =>
            $"CoreDNS query log: {Count(qs.Sum(q => q.Occurrences), "query", "queries")} for {Count(qs.Select(q => q.NameWithoutDot).Distinct(StringComparer.Ordinal).Count(), "name")} "
            + $"({Tally(qs.Select(q => q.Rcode), qs.Select(q => q.Occurrences))})",
            "CoreDNS log read: no query log lines (the log plugin is off or nothing was asked)"),
        [nameof(SearchDomainAnswer)] = Of<SearchDomainAnswer>("search-domain answers", xs =>
            $"CoreDNS query log: {Names(xs.Select(x => x.Name + " " + x.Type))} answered NOERROR under a search domain",
            "CoreDNS log read: no name walked through the search list answered NOERROR under a search domain outside the cluster domain"),
        [nameof(CoreDnsParallelQuery)] = Of<CoreDnsParallelQuery>("parallel A/AAAA queries", qs =>
            $"{Count(qs.Count, "A/AAAA pair")} from one client port, from {Names(qs.Select(q => q.Client))}",
            "CoreDNS log read: no A and AAAA queries sent together from one client port"),
        [nameof(CorefileServer)] = Of<CorefileServer>("Corefile server blocks", ss =>
            $"Corefile: {Count(ss.Count, "server block")} ({Names(ss.Select(s => s.Key))})"),
        [nameof(CorefilePlugin)] = Of<CorefilePlugin>("Corefile plugins", ps =>
            $"Corefile plugins: {Names(ps.Select(p => p.Name).Distinct(StringComparer.Ordinal), max: MaxPlugins)}"),
        [nameof(CorefileUpstream)] = Of<CorefileUpstream>("Corefile upstreams", us =>
            $"Corefile forwards: {Names(us.Select(u => $"{u.From} to {u.Target}{(u.IsLoopback ? " (loopback)" : "")}"))}"),
        [nameof(CorefileUnansweredZone)] = Of<CorefileUnansweredZone>("zones no Corefile plugin answers", zs =>
            $"Corefile zones no plugin answers in full: {Names(zs.Select(z => z.Zone))}",
            "Corefile read: a plugin answers every zone of its server blocks"),
        [nameof(CacheDenialWindow)] = Of<CacheDenialWindow>("cache denial windows", ws => Each(ws, w =>
            $"the caches keep an NXDOMAIN for a cluster name up to {Count(w.Seconds, "second")}: {Name(w.Summary)}")),
        [nameof(NxdomainNearCreation)] = Of<NxdomainNearCreation>("NXDOMAIN answers near an object's creation", ns =>
            $"NXDOMAIN near the creation of what makes the name exist: {Names(ns.Select(n => $"{n.Name} {n.Offset} {n.CreatedObject} ({(n.WithinWindow ? "within" : "outside")} the {n.WindowSeconds} s window)"))}",
            "no NXDOMAIN for a name whose Service or pod the snapshot holds"),
        [nameof(ServiceInfo)] = Of<ServiceInfo>("Services", ss =>
            $"{Count(ss.Count, "Service")} ({ss.Count(s => s.IsHeadless)} headless): {Names(ss.Select(s => $"{s.Name}.{s.Namespace}"))}"),
        [nameof(StatefulSetInfo)] = Of<StatefulSetInfo>("StatefulSets", ss =>
            $"{Count(ss.Count, "StatefulSet")}: {Names(ss.Select(s => $"{s.Namespace}/{s.Name} (serviceName {s.ServiceName ?? "not set"})"))}"),
        [nameof(ServiceNameNxdomain)] = Of<ServiceNameNxdomain>("authoritative NXDOMAIN answers", ns =>
            $"NXDOMAIN with authority for {Names(ns.Select(n => n.Name))}",
            "the cluster DNS answered the name NOERROR"),
        [nameof(NearestServiceNames)] = Of<NearestServiceNames>("nearest Service names", ns => Each(ns, n =>
            $"Services nearest to {Name(n.Service)}.{Name(n.Namespace)}: {Names(n.Names, "none")}"),
            "no unanswered Service name to find the nearest of"),
        [nameof(NetworkPolicyInfo)] = Of<NetworkPolicyInfo>("NetworkPolicies", ps =>
            $"{Count(ps.Count, "NetworkPolicy", "NetworkPolicies")}, {ps.Count(p => p.RestrictsEgress)} restricting egress"
            + (ps.Any(p => p.RestrictsEgress) ? $" ({Names(ps.Where(p => p.RestrictsEgress).Select(p => $"{p.Namespace}/{p.Name}"))})" : "")),
        [nameof(KubernetesEvent)] = Of<KubernetesEvent>("Kubernetes events", es =>
            $"{Count(es.Count, "Kubernetes event")} ({Tally(es.Select(e => e.Type))})"
            + (es.Any(e => e.Type == EventTypes.Warning) ? $", warnings: {Names(es.Where(e => e.Type == EventTypes.Warning).Select(e => $"{e.Reason} on {e.InvolvedKind} {e.InvolvedName}"))}" : ""),
            "events read: none about these objects"),
        [nameof(EvidenceRead)] = Of<EvidenceRead>("evidence", es => Each(es, e =>
            $"evidence read: {Count(e.Objects, "object")}, {Count(e.Logs, "log")}, {Count(e.Files, "file")}, {Count(e.Probes, "probe")}")),
        [nameof(ClusterNode)] = Of<ClusterNode>("nodes", ns =>
            $"{Count(ns.Count, "node")}: {ns.Count(n => n.Ready)} Ready, kernels {Tally(ns.Select(n => n.KernelVersion ?? "unknown"), countAfter: true)}"
            + (ns.Max(n => n.CpuPercent) is { } cpu ? $", CPU up to {Number(cpu)}%" : "")),
        [nameof(ClusterCloud)] = Of<ClusterCloud>("cloud", cs => Each(cs, c => $"cloud: {Name(c.Name)}")),
        [nameof(NodeResolvConf)] = Of<NodeResolvConf>("node resolv.conf files", rs => Each(rs, r =>
            $"{r.Path} of node {Name(r.Node)}: nameservers {Names(r.Nameservers, "none")}{(r.UsedByKubelet ? "" : $" (kubelet uses {r.KubeletResolvConf})")}")),
        [nameof(NodeConntrack)] = Of<NodeConntrack>("conntrack tables", cs => Each(cs, c =>
            $"conntrack table of {Name(c.Node)}: {(c.Count is { } n ? n.ToString(CultureInfo.InvariantCulture) : "?")} of {(c.Max is { } m ? m.ToString(CultureInfo.InvariantCulture) : "?")}"
            + (c.PercentUsed is { } p ? $" ({Number(p)}%)" : ""))),
        [nameof(NodeConntrackStats)] = Of<NodeConntrackStats>("conntrack -S counters", cs => Each(cs, c =>
            $"conntrack -S on {Name(c.Node)}: insert_failed {c.InsertFailed}, drop {c.Drop}, early_drop {c.EarlyDrop}")),
        [nameof(CoreDnsMetrics)] = Of<CoreDnsMetrics>("CoreDNS /metrics scrapes", ms => Each(ms, m =>
            $"/metrics of {Name(m.Pod)} {m.Window}: panics {Counter(m.Panics)}, SERVFAIL {Counter(m.Servfail)} of {Counter(m.Responses)} responses"
            + $", reload failures {Counter(m.ReloadFailures)}, max_concurrent rejects {Counter(m.MaxConcurrentRejects)}"
            + (m.HealthcheckBroken is { } broken ? $", every upstream down {broken}" : "")
            + (m.P99Ms is null ? "" : $", {m.Latency}")
            + (m.CpuPeriods is null ? "" : $", {m.Throttling}")
            + (m.CacheShare is "" ? "" : $", {m.CacheShare}")
            + (m.CpuUse is "" ? "" : $", {m.CpuUse}"))),
        [nameof(CoreDnsUpstreamHealthchecks)] = Of<CoreDnsUpstreamHealthchecks>("CoreDNS upstream health checks", hs =>
            $"forward's failed health checks: {Names(hs.OrderByDescending(h => h.Failures).Select(h => $"{h.To} {h.Failures} on {h.Pod} {h.Window}"), "none")}"),
        [nameof(NodeLocalSetupErrors)] = Of<NodeLocalSetupErrors>("NodeLocal DNSCache set-up errors", es =>
            $"NodeLocal DNSCache set-up errors: {Names(es.Where(e => e.Count > 0).Select(e => $"{e.ErrorType} {e.Count} ({e.Pod})"), "none")}"),
        [nameof(NodeLocalUpstreamError)] = Of<NodeLocalUpstreamError>("NodeLocal DNSCache upstream errors", es => Each(es, e =>
            $"{Name(e.Pod)}: {Count(e.Lines, "error")} ({Name(e.Error)}) reaching {Name(e.Endpoint)} ({e.UpstreamKind})")),
        [nameof(NodeBridgeNetfilter)] = Of<NodeBridgeNetfilter>("bridge netfilter settings", bs => Each(bs, b =>
            $"{Name(b.Node)}: {(b.ModuleLoaded ? $"net.bridge.bridge-nf-call-iptables = {b.Value}" : "br_netfilter not loaded")}")),
        [nameof(NodeVxlanOffload)] = Of<NodeVxlanOffload>("VXLAN devices' checksum offload", os => Each(os, o => $"{Name(o.Node)}: {o.Describe}")),
        [nameof(CoreDnsForwardRate)] = Of<CoreDnsForwardRate>("CoreDNS forward rates", rs => Each(rs, r => $"{Name(r.Pod)}: {Number(r.PerSecond)} a second to {Name(r.To)}")),
        [nameof(NodeNicAllowance)] = Of<NodeNicAllowance>("network interfaces' ENA allowance counters", ns => Each(ns, n => $"{Name(n.Node)}: {n.Describe}")),
        [nameof(NodeKernelLogLine)] = Of<NodeKernelLogLine>("kernel log lines", ls =>
            $"kernel log: {Count(ls.Count, "line")} ({Tally(ls.Select(l => l.Kind))}) on {Names(ls.Select(l => l.Node).Distinct(StringComparer.Ordinal))}",
            "kernel log read: no conntrack-full or VXLAN bad-checksum lines"),
        [nameof(NodeTcpStats)] = Of<NodeTcpStats>("TCP counters", ts =>
            $"TCP retransmissions: {Names(ts.OrderByDescending(t => t.RetransmitPercent).Select(t => $"{t.Node} {Number(t.RetransmitPercent)}%"))}"),
        [nameof(KubeProxyInfo)] = Of<KubeProxyInfo>("kube-proxy settings", ks => Each(ks, k =>
            $"kube-proxy mode {Name(k.Mode)}" + (k.Mode == KubeProxyModes.Ipvs ? $", udpTimeout {Name(k.UdpTimeoutText)}" : ""))),
        [nameof(NodeLocalDnsCache)] = Of<NodeLocalDnsCache>("NodeLocal DNSCache", ns => Each(ns, n =>
            $"NodeLocal DNSCache {Name(n.Name)} at {(n.Addresses.Count == 0 ? "an address its DaemonSet does not say" : Names(n.Addresses))}"
            + (n.InterceptsClusterIp ? " (the kube-dns ClusterIP included)" : "") + $": {n.ReadyPods} of {Count(n.DesiredPods, "pod")} Ready")),
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>A counter read from metrics, or <c>n/a</c> when its series was not there.</summary>
    private static string Counter(long? value) => value is { } n ? n.ToString(CultureInfo.InvariantCulture) : "n/a";

    /// <summary>The fact types with a summary of their own; any other is counted.</summary>
    public static IReadOnlyCollection<string> Summarised => ByType.Keys;

    /// <summary>
    /// The summary of <paramref name="facts"/>, the facts of type <paramref name="type"/> that were read. None of them:
    /// the source was read and holds nothing (<paramref name="sourceRead"/>, a clean CoreDNS log), or the type was not
    /// in what was read.
    /// </summary>
    public static string Describe(string type, IReadOnlyList<object> facts, bool sourceRead = false)
    {
        var summary = ByType.GetValueOrDefault(type);
        var text = facts.Count > 0
            ? summary?.Describe(facts) ?? string.Create(CultureInfo.InvariantCulture, $"{facts.Count} {type} fact{(facts.Count == 1 ? "" : "s")}")
            : sourceRead && summary?.Clean is { } clean ? clean : $"no {summary?.Plural ?? type} in what was read";
        return Clip(text, MaxSummary);
    }

    private sealed record Summary(string Plural, Func<IReadOnlyList<object>, string> Describe, string? Clean);

    private static Summary Of<T>(string plural, Func<IReadOnlyList<T>, string> describe, string? clean = null) =>
        new(plural, facts => describe(facts.OfType<T>().ToList()), clean);

    private static string CoreDnsPods(IReadOnlyList<CoreDnsPod> pods)
    {
        var ready = pods.Count(p => p.Ready);
        var restarts = pods.Sum(p => (long)p.Restarts);
        var notReady = pods.Where(p => !p.Ready).Select(p => p.Name + ((p.WaitingReason ?? p.Phase) is { } why ? $" ({why})" : ""));
        var restarted = pods.Where(p => p.Restarts > 0).OrderByDescending(p => p.Restarts).Select(p => $"{p.Name} {p.Restarts}");
        var readyText = ready == pods.Count ? (pods.Count switch { 1 => "Ready", 2 => "both Ready", _ => "all Ready" }) : $"{ready} of {pods.Count} Ready (not Ready: {Names(notReady)})";
        var cpu = pods.Max(p => p.CpuPercentOfLimit);
        var memory = pods.Max(p => p.MemoryPercentOfLimit);
        var versions = pods.Select(p => p.VersionText).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        return $"{Count(pods.Count, "CoreDNS pod")}: {readyText}, {Count(restarts, "restart")}"
            + (restarts > 0 ? $" ({Names(restarted)})" : "")
            + (cpu is { } c ? $", CPU up to {Number(c)}% of its limit" : "")
            + (memory is { } m ? $", memory up to {Number(m)}% of its limit" : "")
            + (versions.Count > 0 ? $", version {Names(versions)}" : "");
    }

    private static string Probes(IReadOnlyList<ProbeResult> probes)
    {
        var answered = probes.Where(p => p.Outcome == ProbeOutcomes.Answered).ToList();
        var truncated = probes.Count(p => p.Truncated);
        var failed = probes.Where(p => p.Failed).Select(p => $"{p.Outcome} from {p.FromRole} to {p.TargetRole} {p.Target}{(p.Transport is { } t ? " over " + t : "")}");
        return $"{Count(probes.Count, "probe")}: {Tally(probes.Select(p => p.Outcome))}"
            + (answered.Any(a => a.Rcode is not null) ? $" (answers: {Tally(answered.Select(a => a.Rcode).OfType<string>())})" : "")
            + (truncated > 0 ? $", {truncated} truncated" : "")
            + $"; by transport: {Tally(probes.Select(p => p.Transport ?? p.Kind))}"
            + (probes.Any(p => p.Failed) ? $"; failed: {Names(failed)}" : "");
    }

    /// <summary>One summary per fact, joined: a fact type there is usually one of (the target pod, the kube-dns Service).</summary>
    private static string Each<T>(IReadOnlyList<T> facts, Func<T, string> describe) =>
        List(facts.Take(MaxNames).Select(describe), facts.Count, "; ", MaxSummary - 16);

    private static string Count(long n, string singular, string? plural = null) =>
        string.Create(CultureInfo.InvariantCulture, $"{n} {(n == 1 ? singular : plural ?? singular + "s")}");

    /// <summary><c>a, b, c +2 more</c>: at most <paramref name="max"/> values, each cut to <see cref="MaxName"/> characters.</summary>
    private static string Names(IEnumerable<string> values, string none = "none", int max = MaxNames)
    {
        var list = values.Take(max + 1).ToList();
        return list.Count == 0 ? none : List(list.Take(max).Select(Name), list.Count > max ? values.Count() : list.Count);
    }

    /// <summary>
    /// <c>2 answered, 1 timeout</c>: each distinct value with how often it occurs (weighted when given), the most
    /// frequent first; <c>5.10.134 (2), 6.1.0 (1)</c> <paramref name="countAfter"/> a value that is itself a number.
    /// </summary>
    private static string Tally(IEnumerable<string> values, IEnumerable<int>? weights = null, bool countAfter = false)
    {
        var counted = (weights is null ? values.Select(v => (Value: v, Weight: 1L)) : values.Zip(weights, (v, w) => (Value: v, Weight: (long)w)))
            .GroupBy(x => x.Value, StringComparer.Ordinal)
            .Select(g => (g.Key, Count: g.Sum(x => x.Weight)))
            .OrderByDescending(x => x.Count).ThenBy(x => x.Key, StringComparer.Ordinal)
            .ToList();
        return List(
            counted.Take(MaxNames).Select(x => countAfter
                ? string.Create(CultureInfo.InvariantCulture, $"{Name(x.Key)} ({x.Count})")
                : string.Create(CultureInfo.InvariantCulture, $"{x.Count} {Name(x.Key)}")),
            counted.Count);
    }

    /// <summary>The items joined while they fit in <paramref name="budget"/> characters (the first always), then <c>+k more</c> of <paramref name="total"/>.</summary>
    private static string List(IEnumerable<string> items, int total, string separator = ", ", int budget = MaxList)
    {
        var shown = new List<string>();
        var length = 0;
        foreach (var item in items)
        {
            if (shown.Count > 0 && length + separator.Length + item.Length > budget)
            {
                break;
            }

            shown.Add(item);
            length += (shown.Count > 1 ? separator.Length : 0) + item.Length;
        }

        return string.Join(separator, shown) + More(total, shown.Count);
    }

    private static string More(int total, int shown) =>
        total > shown ? string.Create(CultureInfo.InvariantCulture, $" +{total - shown} more") : "";

    private static string Number(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);

    /// <summary>A value from the cluster, cut to <see cref="MaxName"/> characters.</summary>
    private static string Name(string value) => Clip(value, MaxName);

    /// <summary>Cut to <paramref name="max"/> characters with <c>...</c>, never inside a surrogate pair.</summary>
    internal static string Clip(string text, int max)
    {
        if (text.Length <= max)
        {
            return text;
        }

        var cut = max - 3;
        if (char.IsHighSurrogate(text[cut - 1]))
        {
            cut--;
        }

        return string.Concat(text.AsSpan(0, cut), "...");
    }
}
