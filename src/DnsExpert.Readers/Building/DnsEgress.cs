using System.Net;
using DnsExpert.Readers.Objects;

namespace DnsExpert.Readers.Building;

/// <summary>
/// Whether a NetworkPolicy egress rule lets a pod reach the DNS server it actually uses, as the Kubernetes API defines
/// the rule (networking.k8s.io/v1 NetworkPolicyEgressRule):
/// <list type="bullet">
/// <item>the items of <c>to</c> are OR-ed; one peer with both <c>podSelector</c> and <c>namespaceSelector</c> is one
/// AND-ed peer (those pods in those namespaces); <c>podSelector</c> alone means pods of the policy's own namespace;
/// <c>namespaceSelector</c> matches the Namespace's labels; an empty <c>to</c> admits every destination;</item>
/// <item><c>ipBlock</c> admits an address inside <c>cidr</c> and outside every <c>except</c>;</item>
/// <item>ports: an empty list admits every port; each entry's protocol defaults to TCP; a number matches 53, with
/// <c>endPort</c> the range <c>port..endPort</c>; a name matches when the destination pod's container port of that name
/// and protocol is 53.</item>
/// </list>
/// The destination decides which peers can admit it. The kube-dns ClusterIP is rewritten by kube-proxy to a CoreDNS
/// pod's address before policy applies in most CNIs, so pod peers selecting the CoreDNS pods admit it (and an ipBlock
/// holding the ClusterIP or a CoreDNS pod's address). NodeLocal DNSCache's link-local address is no pod: only an
/// ipBlock (or an empty <c>to</c>) admits it, and a named port, which names a pod's port, never matches it.
/// </summary>
internal sealed class DnsEgress
{
    public const int DnsPort = 53;

    /// <summary>The label the API server sets on every Namespace since Kubernetes 1.21: its name.</summary>
    public const string NamespaceNameLabel = "kubernetes.io/metadata.name";

    /// <summary>Named ports of the upstream CoreDNS manifest, for when no CoreDNS pod is in the snapshot.</summary>
    private static readonly ContainerPortSpec[] DefaultCoreDnsPorts =
    [
        new() { ContainerPort = DnsPort, Name = "dns", Protocol = "UDP" },
        new() { ContainerPort = DnsPort, Name = "dns-tcp", Protocol = "TCP" },
    ];

    private readonly SnapshotObjects _objects;
    private readonly HashSet<string> _assumedNamespaces = new(StringComparer.Ordinal);

    private readonly string _serverKind;

    private DnsEgress(SnapshotObjects objects, string? server, bool nodeLocal, IReadOnlyList<string> addresses, string serverKind = "")
    {
        _objects = objects;
        Server = server;
        IsNodeLocal = nodeLocal;
        Addresses = addresses;
        _serverKind = serverKind;
    }

    /// <summary>The address the pod sends its queries to, when known.</summary>
    public string? Server { get; }

    /// <summary>The pod asks NodeLocal DNSCache's (or another) link-local address: no pod peer can admit it.</summary>
    public bool IsNodeLocal { get; }

    /// <summary>The addresses an ipBlock must hold to admit the traffic (any one of them).</summary>
    public IReadOnlyList<string> Addresses { get; }

    /// <summary>For evidence: the destination the policy must admit.</summary>
    public string Destination => IsNodeLocal
        ? $"{_serverKind} {Server} (not a pod: only an ipBlock admits it)"
        : "CoreDNS/kube-dns";

    /// <summary>
    /// Namespaces whose labels a namespaceSelector was matched against without their Namespace object: only
    /// <c>kubernetes.io/metadata.name</c> was assumed.
    /// </summary>
    public IReadOnlyCollection<string> AssumedNamespaces => _assumedNamespaces;

    /// <summary>
    /// The DNS the pod uses: its first nameserver (resolv.conf, or what its dnsPolicy writes), else the kube-dns
    /// ClusterIP. A link-local nameserver, or NodeLocal's configured address, is NodeLocal DNSCache.
    /// </summary>
    public static DnsEgress For(SnapshotObjects objects, ClusterContext cluster, IReadOnlyList<string> podNameservers)
    {
        var server = (podNameservers.Count > 0 ? podNameservers[0] : null) ?? cluster.KubeDnsClusterIp ?? cluster.KubeDnsIpSeenByPod;
        if (server is not null && (server == cluster.NodeLocalIp || IsLinkLocal(server)) && server != cluster.KubeDnsClusterIp)
        {
            // NodeLocal's address as its DaemonSet says or by convention; any other link-local resolver (a cloud's) is no pod either.
            var kind = server == cluster.NodeLocalIp || server == ClusterContext.DefaultNodeLocalIp ? "NodeLocal DNSCache" : "the link-local resolver";
            return new DnsEgress(objects, server, nodeLocal: true, [server], kind);
        }

        var addresses = new List<string>();
        foreach (var ip in new[] { server, cluster.KubeDnsClusterIp }.Concat(objects.CoreDnsPods.Select(p => p.Status?.PodIP)))
        {
            if (ip is not null && !addresses.Contains(ip))
            {
                addresses.Add(ip);
            }
        }

        return new DnsEgress(objects, server, nodeLocal: false, addresses);
    }

    /// <summary>169.254.0.0/16 or fe80::/10: an address no pod has.</summary>
    public static bool IsLinkLocal(string address) =>
        IPAddress.TryParse(address, out var ip) && (ip.IsIPv6LinkLocal || Cidr.Contains("169.254.0.0/16", address));

    /// <summary>Does this egress rule of a policy in <paramref name="policyNamespace"/> admit DNS over <paramref name="protocol"/>?</summary>
    public bool Allows(NetworkPolicyEgressRule rule, string protocol, string policyNamespace)
    {
        if (rule.To is not { Count: > 0 })
        {
            // Every destination: the ports decide, named ones against the CoreDNS pods (a NodeLocal address has none).
            return PortsAdmit(rule.Ports, protocol, IsNodeLocal ? [] : CoreDnsPorts(_objects.CoreDnsPods));
        }

        foreach (var peer in rule.To)
        {
            if (peer.IpBlock is { } block)
            {
                if (Addresses.Any(ip => InBlock(block, ip)) && PortsAdmit(rule.Ports, protocol, IsNodeLocal ? [] : CoreDnsPorts(_objects.CoreDnsPods)))
                {
                    return true;
                }

                continue;
            }

            if (IsNodeLocal || (peer.PodSelector is null && peer.NamespaceSelector is null))
            {
                continue;
            }

            var pods = DnsPods().Where(p => PeerSelects(peer, policyNamespace, p.Namespace, p.Labels)).ToList();
            if (pods.Count > 0 && PortsAdmit(rule.Ports, protocol, pods.SelectMany(p => p.Ports)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>An ipBlock holds the address: inside its cidr, outside each of its exceptions.</summary>
    public static bool InBlock(IPBlock block, string address) =>
        Cidr.Contains(block.Cidr, address) && !(block.Except ?? []).Any(ex => Cidr.Contains(ex, address));

    /// <summary>
    /// The ports of a rule admit port 53 over the protocol: no ports at all, or one entry of that protocol (TCP when
    /// unset) whose number is 53, whose range <c>port..endPort</c> holds 53, whose name is a 53 port among
    /// <paramref name="namedPorts"/>, or that has no port (every port of the protocol).
    /// </summary>
    public static bool PortsAdmit(IList<NetworkPolicyPort>? ports, string protocol, IEnumerable<ContainerPortSpec> namedPorts)
    {
        if (ports is not { Count: > 0 })
        {
            return true;
        }

        var named = namedPorts.ToList();
        return ports.Any(p =>
        {
            if (!(p.Protocol ?? "TCP").Equals(protocol, StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }

            if (p.Port?.Value is not { } value)
            {
                return true;
            }

            if (int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number))
            {
                return number == DnsPort || (p.EndPort is { } end && number <= DnsPort && DnsPort <= end);
            }

            return named.Any(c => c.Name == value && c.ContainerPort == DnsPort
                && (c.Protocol ?? "TCP").Equals(protocol, StringComparison.OrdinalIgnoreCase));
        });
    }

    /// <summary>
    /// A pod or namespace peer selects a pod: podSelector and namespaceSelector together are AND-ed; a podSelector
    /// alone looks in the policy's namespace; a namespaceSelector alone takes every pod of the namespaces it selects.
    /// </summary>
    private bool PeerSelects(NetworkPolicyPeer peer, string policyNamespace, string podNamespace, IDictionary<string, string> podLabels)
    {
        var namespaceOk = peer.NamespaceSelector is null
            ? podNamespace == policyNamespace
            : LabelSelectors.Matches(peer.NamespaceSelector, NamespaceLabels(podNamespace));
        return namespaceOk && (peer.PodSelector is null || LabelSelectors.Matches(peer.PodSelector, podLabels));
    }

    /// <summary>A Namespace's labels when its object was read; else only the name label the API server sets on every namespace.</summary>
    private IDictionary<string, string> NamespaceLabels(string name)
    {
        if (_objects.Namespaces.TryGetValue(name, out var ns))
        {
            return ns.Metadata?.Labels ?? new Dictionary<string, string>();
        }

        _assumedNamespaces.Add(name);
        return new Dictionary<string, string>(StringComparer.Ordinal) { [NamespaceNameLabel] = name };
    }

    /// <summary>The cluster DNS pods (namespace, labels, container ports); without any in the snapshot, a stand-in of the layout's (kubeadm's when none is seen).</summary>
    private IEnumerable<(string Namespace, IDictionary<string, string> Labels, IEnumerable<ContainerPortSpec> Ports)> DnsPods()
    {
        if (_objects.CoreDnsPods.Count == 0)
        {
            var layout = _objects.ClusterDns.Layout;
            yield return (layout.Namespace, new Dictionary<string, string>(layout.PodLabels, StringComparer.Ordinal), DefaultCoreDnsPorts);
            yield break;
        }

        foreach (var pod in _objects.CoreDnsPods)
        {
            yield return (pod.Metadata?.NamespaceProperty ?? SnapshotObjects.KubeSystem, pod.Metadata?.Labels ?? new Dictionary<string, string>(), CoreDnsPorts([pod]));
        }
    }

    private static IEnumerable<ContainerPortSpec> CoreDnsPorts(IReadOnlyList<Pod> pods) =>
        pods.Count == 0 ? DefaultCoreDnsPorts : pods.SelectMany(p => (p.Spec?.Containers ?? []).SelectMany(c => c.Ports ?? []));
}
