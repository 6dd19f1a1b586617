using DnsExpert.Contract;

namespace DnsExpert.Readers.Building;

/// <summary>Where a command's output comes from, as far as its reading depends on it.</summary>
public enum EvidenceSite
{
    /// <summary>Anywhere: kubectl from a workstation, or a lookup whose origin the reader takes from <c>from</c>.</summary>
    Anywhere,

    /// <summary>Inside a pod (<c>kubectl exec</c>, or <c>from: namespace/pod</c>).</summary>
    Pod,

    /// <summary>On a node (<c>kubectl debug node/NAME ... chroot /host</c>, or <c>from: node/NAME</c>).</summary>
    Node,

    /// <summary>In a container's network namespace (<c>kubectl debug POD --target=coredns</c>): CoreDNS's, as the checks give it.</summary>
    ContainerNetns,
}

/// <summary>
/// A shape of command line, matched by words (never a pattern): the tool (the first word's last path segment), words
/// that must all be there, for kubectl the resource (the first word after the verb that is no flag or flag's value), and
/// a word that ends so (a URL or API path: <c>/metrics</c>).
/// </summary>
public sealed record CommandForm(string Tool, IReadOnlyList<string> Words, IReadOnlyList<string>? Resources = null, string? WordEnding = null)
{
    /// <summary>The command's words fit this form (its first word's last path segment is <see cref="Tool"/>: <c>/usr/bin/dig</c> is <c>dig</c>).</summary>
    public bool Matches(string[] words) =>
        words.Length > 0 && words[0].AsSpan(words[0].LastIndexOf('/') + 1).Equals(Tool, StringComparison.Ordinal) && Words.All(w => words.Contains(w, StringComparer.Ordinal))
        && (Resources is null || (Words.Count > 0 && EvidenceSources.KubectlResource(words, Words[0]) is { } r && Resources.Contains(r, StringComparer.Ordinal)))
        && (WordEnding is null || words.Any(w => w.Trim('\'', '"').EndsWith(WordEnding, StringComparison.Ordinal)));

    /// <inheritdoc/>
    public override string ToString() =>
        string.Join(' ', new[] { Tool }.Concat(Words).Concat(Resources is null ? [] : [string.Join('|', Resources)]).Concat(WordEnding is null ? [] : ["…" + WordEnding]));
}

/// <summary>
/// One evidence source: the command forms that produce it, where it runs, the reader that takes it (and so what it
/// reads a paste or a kept file into), the fact types it yields, and those it counts as observed when read empty (a clean log rules a log-line cause out; an absent one does not).
/// </summary>
public sealed record EvidenceSource(
    string Name, IReadOnlyList<CommandForm> Forms, IReadOnlyList<EvidenceSite> Sites, EvidenceReader Reader,
    IReadOnlyList<string> Yields, IReadOnlyList<string> ObservedWhenEmpty)
{
    /// <summary>This source's output when <paramref name="words"/> ran at <paramref name="site"/> (null: not known where).</summary>
    public bool Matches(string[] words, EvidenceSite? site) =>
        (Sites.Contains(EvidenceSite.Anywhere) || (site is { } s && Sites.Contains(s))) && Forms.Any(f => f.Matches(words));
}

/// <summary>
/// The one place that knows each evidence source DnsExpert reads: which command forms produce it, where, the reader
/// that takes it, and which fact types it yields or counts as observed when read empty. The paste reader
/// (<see cref="PastedOutputs"/>), the file producer and the observed-fact-types list read it and choose nothing
/// themselves; a test keeps every rule's <c>collect:</c> command in it, another walks it (each entry's reader reads its
/// fixture into what it yields). A new reader of one file or command output is its reading (a method taking an
/// <see cref="EvidenceFile"/>, as in <see cref="NodeFileReaders"/>) and one entry below: <c>EvidenceReader.OfFile(NAME, READ)</c>.
/// </summary>
public static class EvidenceSources
{
    private static readonly EvidenceSite[] Anywhere = [EvidenceSite.Anywhere];
    private static readonly EvidenceSite[] Node = [EvidenceSite.Node];
    private static readonly EvidenceSite[] Pod = [EvidenceSite.Pod];

    /// <summary>
    /// The CoreDNS log's fact types: a log read without such lines says they did not occur. One pod's previous container
    /// (<c>kubectl logs -n kube-system POD --previous</c>, the run that crashed) is that pod's log too. NodeLocal
    /// DNSCache's logs come the same way (<c>-l k8s-app=node-local-dns</c>); whose log it is says which reader takes it.
    /// kube-dns's <c>dnsmasq</c> container's log (<c>-c dnsmasq</c>) makes <c>ClusterDns.DnsmasqLogRead</c> known.
    /// </summary>
    public static readonly EvidenceSource PodLogs = new("pod logs", [Kubectl("logs"), new("kubectl", ["logs", "--previous"])], Anywhere, EvidenceReader.PodLogs,
        [.. LogTypes, "NodeLocalUpstreamError", "NodeLocalSetupErrors", "ClusterDns"], LogTypes);

    /// <summary>Kubernetes events: a list read empty says no such event occurred.</summary>
    public static readonly EvidenceSource Events = Get("events", ["events", "event", "ev"], ["KubernetesEvent"], ["KubernetesEvent"]);

    /// <summary>
    /// The kernel log of a node: read without a conntrack-full line, the table did not overflow while it was kept; without
    /// a VXLAN bad-checksum line, no overlay packet was dropped for its checksum on that node.
    /// </summary>
    public static readonly EvidenceSource KernelLog = new("kernel log",
        [new("dmesg", []), new("journalctl", ["-k"]), new("journalctl", ["--dmesg"]), Cat("/var/log/kern.log"), Cat("/var/log/messages")],
        Node, EvidenceReader.OfFile("KernelLog", NodeFileReaders.KernelLog), ["NodeKernelLogLine"], ["NodeKernelLogLine"]);

    /// <summary>
    /// One scrape of a CoreDNS pod's <c>:9153/metrics</c> (NodeLocal DNSCache's <c>:9353</c>), through the API server's
    /// pod proxy or with curl from a debug container: the pod's counters since its process started.
    /// </summary>
    public static readonly EvidenceSource CoreDnsMetrics = new("CoreDNS metrics",
        [new("kubectl", ["get", "--raw"], WordEnding: "/proxy/metrics"), new("curl", [], WordEnding: "/metrics")], Anywhere, EvidenceReader.PrometheusMetrics,
        ["CoreDnsMetrics", "CoreDnsUpstreamHealthchecks", "NodeLocalSetupErrors"], []);

    private static IReadOnlyList<string> LogTypes => ["CoreDnsLogEvent", "CoreDnsQueryLog", "CoreDnsParallelQuery", "SearchDomainAnswer"];

    /// <summary>Every evidence source, each command form in exactly one.</summary>
    public static IReadOnlyList<EvidenceSource> All { get; } =
    [
        new("DNS lookups", [new("dig", []), new("nslookup", [])], Anywhere, EvidenceReader.DnsLookups, ["ProbeResult", "ServiceNameNxdomain"], []),
        new("ping", [new("ping", []), new("ping6", []), new("busybox", ["ping"])], Anywhere, EvidenceReader.Ping, ["ProbeResult"], []),
        new("TCP connections", [new("nc", []), new("busybox", ["nc"])], Anywhere, EvidenceReader.TcpConnections, ["ProbeResult"], []),
        Get("pods", ["pods", "pod", "po"], ["PodDns", "CoreDnsPod", "CoreDnsPlacement", "ClusterDns", "NxdomainNearCreation"]),
        Get("services", ["svc", "service", "services"], ["ServiceInfo", "NearestServiceNames", "KubeDnsService", "ClusterDns", "CoreDnsPlacement"]),
        Get("endpoints", ["endpoints", "ep"], ["KubeDnsEndpoints"]),
        Get("nodes", ["nodes", "node", "no"], ["ClusterNode", "ClusterCloud", "NodeCloud", "ClusterDns", "PodDns"]),
        Get("daemonsets", ["daemonset", "daemonsets", "ds"], ["ClusterDns", "PodDns"]),
        Get("configmaps", ["configmap", "configmaps", "cm"], ["CacheDenialWindow", "CorefilePlugin", "CorefileServer", "CorefileUnansweredZone", "CorefileUpstream", "KubeProxyInfo"]),
        Get("network policies", ["networkpolicy", "networkpolicies", "netpol"], ["NetworkPolicyInfo", "EgressAllowsDns", "PolicySelectsPod"]),
        Get("statefulsets", ["statefulsets", "statefulset", "sts"], ["StatefulSetInfo", "StatefulSetHeadlessServices", "ServiceSelectsStatefulSet"]),
        Events,
        new("pod metrics", [Kubectl("top", "pods", "pod", "po")], Anywhere, EvidenceReader.KubectlTop, ["CoreDnsPod", "CoreDnsPodMetrics"], []),
        new("node metrics", [Kubectl("top", "nodes", "node", "no")], Anywhere, EvidenceReader.KubectlTop, ["ClusterNode"], []),
        PodLogs,
        new("pod resolv.conf", [Cat("/etc/resolv.conf")], Pod, EvidenceReader.ResolvConf, ["PodResolvConf"], []),
        new("node resolv.conf", [Cat("/etc/resolv.conf"), Cat("/run/systemd/resolve/resolv.conf")], Node, EvidenceReader.ResolvConf, ["NodeResolvConf", "PodSearchLine"], []),
        new("pod C library", [new("ldd", ["--version"])], Pod, EvidenceReader.OfFile("Libc", PodFileReaders.Libc), ["PodLibc"], []),
        new("conntrack count", [Cat("/proc/sys/net/netfilter/nf_conntrack_count")], Node, EvidenceReader.OfFile("ConntrackCount", NodeFileReaders.ConntrackCount), ["NodeConntrack"], []),
        new("conntrack max", [Cat("/proc/sys/net/netfilter/nf_conntrack_max")], Node, EvidenceReader.OfFile("ConntrackMax", NodeFileReaders.ConntrackMax), ["NodeConntrack"], []),
        new("TCP counters", [Cat("/proc/net/snmp")], Node, EvidenceReader.OfFile("TcpCounters", NodeFileReaders.TcpCounters), ["NodeTcpStats"], []),
        new("bridge netfilter", [Cat("/proc/sys/net/bridge/bridge-nf-call-iptables"), new("sysctl", ["net.bridge.bridge-nf-call-iptables"])], Node,
            EvidenceReader.OfFile("BridgeNetfilter", NodeFileReaders.BridgeNetfilter), ["NodeBridgeNetfilter"], []),
        new("offload features", [new("ethtool", ["-k"]), new("ethtool", ["--show-features"]), new("ethtool", ["--show-offload"])], Node,
            EvidenceReader.OfFile("OffloadFeatures", NodeFileReaders.OffloadFeatures), ["NodeVxlanOffload"], []),
        new("interface statistics", [new("ethtool", ["-S"]), new("ethtool", ["--statistics"])], Node,
            EvidenceReader.OfFile("NicStatistics", NodeFileReaders.NicStatistics), ["NodeNicAllowance"], []),
        new("conntrack statistics", [new("conntrack", ["-S"])], Node, EvidenceReader.OfFile("ConntrackStatistics", NodeFileReaders.ConntrackStatistics), ["NodeConntrackStats"], []),
        KernelLog,
        CoreDnsMetrics,
        new("kubectl version", [new("kubectl", ["version"])], Anywhere, EvidenceReader.KubectlVersion, ["ClusterDns"], []),
        new("packet capture", [new("tcpdump", [])], [EvidenceSite.Anywhere], EvidenceReader.NotRead, [], []),
    ];

    /// <summary>
    /// The readers an output pasted without its command goes to, in this order: the first it looks like takes it (dig's
    /// or nslookup's lines before ping's, ping's before nc's); one that looks like none is read as Kubernetes objects.
    /// </summary>
    public static IReadOnlyList<EvidenceReader> PastedWithoutCommand { get; } = [EvidenceReader.DnsLookups, EvidenceReader.Ping, EvidenceReader.TcpConnections];

    /// <summary>The sources <paramref name="words"/> run at <paramref name="site"/> produce (one, for a known command form).</summary>
    public static IReadOnlyList<EvidenceSource> Matching(string[] words, EvidenceSite? site) => [.. All.Where(s => s.Matches(words, site))];

    /// <summary>The source of <paramref name="words"/> run at <paramref name="site"/>, when one.</summary>
    public static EvidenceSource? Of(string[] words, EvidenceSite? site) => All.FirstOrDefault(s => s.Matches(words, site));

    /// <summary>The source of a pasted command (run where its <c>kubectl exec</c>/<c>debug</c> or <paramref name="from"/> says), when one.</summary>
    public static EvidenceSource? Of(string? command, string? from)
    {
        var (words, site) = Locate(command, from);
        return Of(words, site);
    }

    /// <summary>The source of a file or command output kept in a snapshot: a path is its <c>cat</c>, a command itself.</summary>
    public static EvidenceSource? Of(FileArtifact file)
    {
        var what = file.Path ?? file.Command ?? "";
        var words = what.StartsWith('/') ? ["cat", what] : Words(what);
        var site = file.Node is not null ? EvidenceSite.Node : file.Pod is not null ? EvidenceSite.Pod : (EvidenceSite?)null;
        return Of(words, site);
    }

    /// <summary>
    /// The command that ran and where: the command inside a <c>kubectl exec</c> (a pod) or <c>kubectl debug</c> (a node,
    /// or a container's network namespace), else the command at <paramref name="from"/> (<c>node/NAME</c>,
    /// <c>namespace/pod</c>); kubectl itself runs anywhere. Null site: not known where.
    /// </summary>
    public static (string[] Words, EvidenceSite? Site) Locate(string? command, string? from)
    {
        var words = Words(command ?? "");
        if (PastedOutputs.ExecTarget(words) is { } exec)
        {
            var site = exec.From?.StartsWith("node/", StringComparison.Ordinal) == true ? EvidenceSite.Node
                : words.Contains("debug") && words.Any(w => w.StartsWith("--target", StringComparison.Ordinal)) ? EvidenceSite.ContainerNetns
                : EvidenceSite.Pod;
            return (PastedOutputs.ShellCommand(exec.Command) ?? exec.Command, site);
        }

        return (words, words.FirstOrDefault()?.Split('/').Last() == "kubectl" ? EvidenceSite.Anywhere
            : from?.StartsWith("node/", StringComparison.Ordinal) == true ? EvidenceSite.Node
            : from?.Contains('/', StringComparison.Ordinal) == true ? EvidenceSite.Pod
            : null);
    }

    /// <summary>
    /// The resource of a kubectl command: the first word after <paramref name="verb"/> that is neither a flag nor a
    /// flag's value (<c>kubectl -n kube-system get pods</c>: <c>pods</c>), without a <c>/name</c>; of several kinds
    /// (<c>get svc,endpointslices</c>), the first, whose source reads the whole list.
    /// </summary>
    public static string? KubectlResource(string[] words, string verb)
    {
        var at = Array.IndexOf(words, verb);
        for (var i = at + 1; at > 0 && i < words.Length; i++)
        {
            if (ValueFlags.Contains(words[i]))
            {
                i++;
            }
            else if (!words[i].StartsWith('-'))
            {
                return words[i].Split('/')[0].Split(',')[0];
            }
        }

        return null;
    }

    /// <summary>kubectl flags whose value is the next word (when not given with <c>=</c>).</summary>
    private static readonly HashSet<string> ValueFlags = new(StringComparer.Ordinal)
    {
        "-n", "--namespace", "-l", "--selector", "-o", "--output", "-c", "--container", "--tail", "--since", "--field-selector", "--context", "--sort-by",
    };

    /// <summary>The command's words as a shell splits them: a quoted selector (<c>-l 'k8s-app in (kube-dns,coredns)'</c>) is one.</summary>
    private static string[] Words(string command) => DnsExpert.Text.ShellWords.Split(command);

    private static CommandForm Cat(string path) => new("cat", [path]);

    private static CommandForm Kubectl(string verb, params string[] resources) => new("kubectl", [verb], resources.Length > 0 ? resources : null);

    /// <summary>Objects of one resource, read from <c>kubectl get</c> (JSON or a table).</summary>
    private static EvidenceSource Get(string name, string[] resources, IReadOnlyList<string> yields, IReadOnlyList<string>? observed = null) =>
        new(name, [Kubectl("get", resources)], Anywhere, EvidenceReader.KubernetesObjects, yields, observed ?? []);
}
