using DnsExpert.Facts;
using DnsExpert.Readers.Objects;
using DnsExpert.Readers.Parsing;

namespace DnsExpert.Readers.Building;

/// <summary>
/// NodeLocal DNSCache as its DaemonSet sets it up: the addresses <c>node-cache</c> listens on (its <c>-localip</c>
/// argument, else the <c>bind</c> line of its Corefile ConfigMap), whether it takes over the kube-dns ClusterIP, and the
/// Service it forwards cluster names to (<c>-upstreamsvc</c>).
/// </summary>
/// <remarks>
/// In kube-proxy's iptables mode (and on GKE) <c>-localip</c> names the link-local address and the kube-dns ClusterIP:
/// node-cache adds both to its interface and NOTRACK rules for both, so a pod asking the ClusterIP is answered by the
/// node's cache. With <c>-setupiptables=false</c> (ACK) nothing steers ClusterIP packets away from kube-proxy's rules.
/// </remarks>
internal sealed record NodeLocalSetup(DaemonSet DaemonSet, IReadOnlyList<string> Addresses, string AddressesFrom, bool SetsUpIptables, string? UpstreamService)
{
    /// <summary>The DaemonSet's names in the layouts known: upstream and GKE <c>node-local-dns</c>, kubespray <c>nodelocaldns</c>.</summary>
    private static readonly string[] Names = ["node-local-dns", "nodelocaldns"];

    /// <summary>The link-local address pods are given (the first of <see cref="Addresses"/>); null when none is said.</summary>
    public string? LocalIp => Addresses.Count > 0 ? Addresses[0] : null;

    public string Name => DaemonSet.Metadata?.Name ?? "node-local-dns";

    /// <summary>
    /// The DaemonSet's namespace: <c>kube-system</c> for upstream's manifest, kubespray, RKE2 and GKE; a Helm chart's
    /// release namespace for the community charts that leave it to the release (lablabs/k8s-nodelocaldns-helm).
    /// </summary>
    public string Namespace => NamespaceOf(DaemonSet);

    /// <summary>The pods' label selector (<c>spec.selector.matchLabels</c>, as <c>k=v,k=v</c>); null when it says none.</summary>
    public string? PodSelector => DaemonSet.Spec?.Selector?.MatchLabels is { Count: > 0 } labels ? ClusterDnsLayout.SelectorOf(labels) : null;

    /// <summary>The addresses its Corefile forwards names of the cluster domain and the reverse zones to (kubespray writes the coredns Service's ClusterIP there).</summary>
    public IReadOnlyList<string> ClusterForwards { get; init; } = [];

    /// <summary>The addresses its Corefile forwards every other name to (<c>.:53</c>), when they are addresses rather than <c>/etc/resolv.conf</c>.</summary>
    public IReadOnlyList<string> ExternalForwards { get; init; } = [];

    /// <summary>
    /// Is the pod one of NodeLocal DNSCache's: its container <c>node-cache</c>, its <c>k8s-app=node-local-dns</c> label,
    /// or, in its DaemonSet's namespace (kube-system without the DaemonSet), a name of its DaemonSet's pods (<c>nodelocaldns-v9c6t</c>).
    /// </summary>
    public static bool IsPod(string ns, string name, string? container, Pod? pod, NodeLocalSetup? setup) =>
        container == "node-cache"
        || IsNodeLocalApp(pod?.Metadata?.Labels)
        || pod?.Metadata?.OwnerReferences?.Any(o => o.Kind == "DaemonSet" && (Names.Contains(o.Name) || o.Name == setup?.Name)) == true
        || (ns == (setup?.Namespace ?? SnapshotObjects.KubeSystem) && Names.Append(setup?.Name).OfType<string>().Any(n => name.StartsWith(n + "-", StringComparison.Ordinal)));

    /// <summary>Does NodeLocal answer queries sent to <paramref name="clusterIp"/> (it binds it and steers it with its own rules)?</summary>
    public bool Intercepts(string? clusterIp) => clusterIp is not null && SetsUpIptables && Addresses.Skip(1).Contains(clusterIp);

    /// <summary>Is <paramref name="server"/> an address NodeLocal answers on, the kube-dns ClusterIP included when it intercepts it?</summary>
    public bool Answers(string server, string? clusterIp) => server == LocalIp || (server == clusterIp && Intercepts(clusterIp));

    /// <summary>
    /// The DaemonSet that runs node-cache, in whatever namespace: by name (<c>node-local-dns</c>, <c>nodelocaldns</c>),
    /// by the <c>k8s-app=node-local-dns</c> label on it or its pods (kubespray labels the DaemonSet itself
    /// <c>k8s-app=kube-dns</c>), by the charts' <c>app.kubernetes.io/name=node-local-dns</c>, or by its
    /// <c>k8s-dns-node-cache</c> image; kube-system's first, where upstream's manifest, kubespray, RKE2 and GKE put it.
    /// </summary>
    public static DaemonSet? Find(IEnumerable<DaemonSet> daemonSets)
    {
        var ordered = daemonSets.OrderBy(d => NamespaceOf(d) == SnapshotObjects.KubeSystem ? 0 : 1)
            .ThenBy(d => NamespaceOf(d), StringComparer.Ordinal).ThenBy(d => d.Metadata?.Name, StringComparer.Ordinal).ToList();
        return ordered.FirstOrDefault(d => Names.Contains(d.Metadata?.Name))
            ?? ordered.FirstOrDefault(d => IsNodeLocalApp(d.Metadata?.Labels) || IsNodeLocalApp(d.Spec?.Template?.Metadata?.Labels)
                || d.Spec?.Template?.Spec?.Containers?.Any(c => IsNodeCacheImage(c.Image)) == true);
    }

    /// <summary>The DaemonSet's namespace; kube-system for none (upstream's, kubespray's, RKE2's and GKE's place for it).</summary>
    internal static string NamespaceOf(DaemonSet? daemonSet) => daemonSet?.Metadata?.NamespaceProperty ?? SnapshotObjects.KubeSystem;

    private static bool IsNodeLocalApp(IDictionary<string, string>? labels) =>
        labels is not null
        && ((labels.TryGetValue("k8s-app", out var app) && app == "node-local-dns")
            || (labels.TryGetValue("app.kubernetes.io/name", out var name) && name == "node-local-dns"));

    /// <summary>node-cache's image (<c>registry.k8s.io/dns/k8s-dns-node-cache:1.23.1</c>, a mirror's path ending so), by its last path segment.</summary>
    private static bool IsNodeCacheImage(string? image) =>
        image is not null && ContainerImage.Name(image) == "k8s-dns-node-cache";

    /// <summary>What the DaemonSet (and, without <c>-localip</c>, its ConfigMap's Corefile) says of the addresses.</summary>
    public static NodeLocalSetup Read(DaemonSet daemonSet, IReadOnlyDictionary<string, ConfigMap> configMaps)
    {
        var (clusterForwards, externalForwards) = Forwards(Corefiles(daemonSet, configMaps).Select(c => c.Corefile).FirstOrDefault());
        return ReadAddresses(daemonSet, configMaps) with { ClusterForwards = clusterForwards, ExternalForwards = externalForwards };
    }

    private static NodeLocalSetup ReadAddresses(DaemonSet daemonSet, IReadOnlyDictionary<string, ConfigMap> configMaps)
    {
        var args = daemonSet.Spec?.Template?.Spec?.Containers?.SelectMany(c => (c.Args ?? []).Concat(c.Command ?? [])).ToList() ?? [];
        var localIp = ContainerArguments.Flag(args, "localip");
        var setupIptables = ContainerArguments.Flag(args, "setupiptables");
        var upstream = ContainerArguments.Flag(args, "upstreamsvc");
        var sets = !string.Equals(setupIptables, "false", StringComparison.OrdinalIgnoreCase);
        if (AddressList(localIp) is { Count: > 0 } fromArgs)
        {
            return new NodeLocalSetup(daemonSet, fromArgs, "-localip " + localIp, sets, upstream);
        }

        // Without -localip node-cache binds what its Corefile's bind lines say (kubespray's and upstream's ConfigMap).
        foreach (var (name, corefile) in Corefiles(daemonSet, configMaps))
        {
            var bind = corefile.Servers.SelectMany(s => s.Directives).FirstOrDefault(d => d.Name == "bind");
            if (bind is not null && AddressList(string.Join(',', bind.Arguments)) is { Count: > 0 } fromBind)
            {
                return new NodeLocalSetup(daemonSet, fromBind, $"ConfigMap {NamespaceOf(daemonSet)}/{name}: {bind.Text}", sets, upstream);
            }
        }

        return new NodeLocalSetup(daemonSet, [], "neither -localip nor a bind line of its Corefile", sets, upstream);
    }

    /// <summary>
    /// What NodeLocal DNSCache's own Corefile ConfigMap says, with or without its DaemonSet (then by the layouts' names,
    /// <c>node-local-dns</c> and kubespray's <c>nodelocaldns</c>): the addresses its <c>bind</c> lines name and those it
    /// forwards cluster names to (<see cref="ClusterForwards"/>); null when no such ConfigMap with a Corefile was read.
    /// </summary>
    public static NodeLocalConfig? ConfigOf(DaemonSet? daemonSet, IReadOnlyDictionary<string, ConfigMap> configMaps)
    {
        var found = Corefiles(daemonSet, configMaps).Take(1).ToList();
        if (found is not [var (name, corefile)])
        {
            return null;
        }

        var binds = corefile.Servers.SelectMany(s => s.Directives).Where(d => d.Name == "bind")
            .SelectMany(d => AddressList(string.Join(',', d.Arguments))).Distinct().ToList();
        return new NodeLocalConfig(name, binds, Forwards(corefile).Cluster) { Namespace = NamespaceOf(daemonSet) };
    }

    /// <summary>
    /// The Corefiles of the ConfigMaps its pods mount (<see cref="ConfigMapNames"/>), in the DaemonSet's namespace
    /// (kube-system without it), parsed, with the ConfigMap's name.
    /// </summary>
    public static IEnumerable<(string Name, Corefile Corefile)> Corefiles(DaemonSet? daemonSet, IReadOnlyDictionary<string, ConfigMap> configMaps) =>
        ConfigMapNames(daemonSet)
            .Select(name => (name, map: configMaps.GetValueOrDefault(SnapshotObjects.Key(NamespaceOf(daemonSet), name))))
            .Where(m => m.map?.Data?.ContainsKey("Corefile") == true)
            .Select(m => (m.name, CorefileParser.Parse(m.map!.Data["Corefile"])));

    /// <summary>
    /// The addresses of the <c>forward</c> lines of its Corefile: those of the cluster domain's and the reverse zones'
    /// server blocks, and those of the root zone's; placeholders node-cache fills at run time (<c>__PILLAR__CLUSTER__DNS__</c>)
    /// and <c>/etc/resolv.conf</c> are not addresses.
    /// </summary>
    private static (List<string> Cluster, List<string> External) Forwards(Corefile? corefile)
    {
        var (cluster, external) = (new List<string>(), new List<string>());
        foreach (var server in corefile?.Servers ?? [])
        {
            var addresses = server.Directives.Where(d => d.Name == "forward").SelectMany(d => d.Arguments.Skip(1))
                .Select(a => ForwardTarget.Parse(a).Address).OfType<string>();
            (server.Zones.Any(z => z.Name.Trim('.').Length == 0) ? external : cluster).AddRange(addresses);
        }

        return (cluster.Distinct().ToList(), external.Distinct().ToList());
    }

    /// <summary>The ConfigMaps the pods mount (<c>node-local-dns</c>, kubespray's <c>nodelocaldns</c>), then those two names.</summary>
    private static IEnumerable<string> ConfigMapNames(DaemonSet? daemonSet) =>
        (daemonSet?.Spec?.Template?.Spec?.Volumes ?? []).Select(v => v.ConfigMap?.Name).OfType<string>().Concat(Names).Distinct();

    /// <summary>Addresses of a comma- or space-separated list; a placeholder never filled in (<c>__PILLAR__DNS__SERVER__</c>) is none.</summary>
    private static List<string> AddressList(string? list) =>
        (list ?? "").Split([',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(a => System.Net.IPAddress.TryParse(a, out _))
            .ToList();
}

/// <summary>
/// NodeLocal DNSCache's Corefile ConfigMap (<see cref="NodeLocalSetup.ConfigOf"/>): its name, the addresses its <c>bind</c>
/// lines name (the link-local one and, in the mode that takes it over, the kube-dns ClusterIP), and the addresses it
/// forwards cluster names to when it names them (kubespray writes its coredns Service's ClusterIP there; upstream's and
/// GKE's <c>__PILLAR__CLUSTER__DNS__</c> is filled by node-cache at run time from <c>-upstreamsvc</c>: none).
/// </summary>
internal sealed record NodeLocalConfig(string ConfigMap, IReadOnlyList<string> Binds, IReadOnlyList<string> ClusterForwards)
{
    /// <summary>The ConfigMap's namespace: its DaemonSet's, kube-system when read without it.</summary>
    public string Namespace { get; init; } = SnapshotObjects.KubeSystem;
}
