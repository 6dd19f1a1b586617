
namespace DnsExpert.Facts;

/// <summary>A Service of the cluster (headless ones matter most for DNS).</summary>
[FactDescription("A Service: headless or not, publishNotReadyAddresses, the tolerate-unready annotation, ready addresses and the UDP answer size they need.")]
public sealed class ServiceInfo : Fact
{
    public required string Namespace { get; init; }
    public required string Name { get; init; }
    public string? ClusterIp { get; init; }
    public bool IsHeadless { get; init; }
    public bool PublishNotReadyAddresses { get; init; }
    public bool HasTolerateUnreadyAnnotation { get; init; }
    public IReadOnlyDictionary<string, string> Selector { get; init; } = new Dictionary<string, string>();
    public bool EndpointsKnown { get; init; }
    public int ReadyAddresses { get; init; }
    public int NotReadyAddresses { get; init; }

    /// <summary>
    /// Size in bytes of the A answer for the Service name over UDP without EDNS (header, question, one record per
    /// address); null until the Service's EndpointSlices or Endpoints are read (its ready addresses are not known).
    /// </summary>
    [UnknownWhenNull]
    public int? EstimatedAnswerBytes { get; init; }

    /// <summary>The fully qualified Service name: <c>name.ns.svc.cluster.local</c>.</summary>
    public required string Fqdn { get; init; }
}

/// <summary>A StatefulSet and the Service its <c>serviceName</c> names (a rule joins it to <see cref="ServiceInfo"/> by namespace and name).</summary>
[FactDescription("A StatefulSet: its serviceName, the Service (in its own namespace) that should give its pods their DNS names.")]
public sealed class StatefulSetInfo : Fact
{
    public required string Namespace { get; init; }
    public required string Name { get; init; }
    public string? ServiceName { get; init; }
}

/// <summary>A NetworkPolicy of the snapshot, read for what it does to egress.</summary>
[FactDescription("A NetworkPolicy: whether it restricts egress (policyTypes) and how many egress rules it has. Which pods it selects is PolicySelectsPod; what its egress allows to the cluster DNS is EgressAllowsDns.")]
public sealed class NetworkPolicyInfo : Fact
{
    public required string Namespace { get; init; }
    public required string Name { get; init; }
    public bool RestrictsEgress { get; init; }
    public int EgressRuleCount { get; init; }
}

/// <summary>kube-proxy's mode and IPVS UDP timeout, from the ConfigMap that holds its KubeProxyConfiguration.</summary>
[FactDescription("kube-proxy: its mode (iptables, ipvs, nftables) and IPVS udpTimeout, from whichever kube-system ConfigMap holds a KubeProxyConfiguration (kube-proxy, ACK's kube-proxy-worker ...) or the DaemonSet's flags.")]
public sealed class KubeProxyInfo : Fact
{
    [OneOf(typeof(KubeProxyModes))]
    public required string Mode { get; init; }

    /// <summary>The ConfigMap found to hold the configuration (<c>kube-proxy</c>, <c>kube-proxy-worker</c> ...), when there is one.</summary>
    public string? ConfigMap { get; init; }

    /// <summary>Its key holding the KubeProxyConfiguration (<c>config.conf</c>).</summary>
    public string? ConfigKey { get; init; }

    /// <summary>The namespace <see cref="ConfigObject"/> was read in, as the snapshot shows it (kube-system, where the reader finds kube-proxy's).</summary>
    [DnsExpert.Text.CommandValue(DnsExpert.Text.CommandValueKind.Namespace)]
    public string Namespace { get; init; } = "kube-system";

    /// <summary>What to edit, as kubectl names it: <c>configmap/kube-proxy-worker</c>, or <c>daemonset/kube-proxy</c> when flags configure it.</summary>
    [DnsExpert.Text.CommandValue(DnsExpert.Text.CommandValueKind.ObjectReference)]
    public required string ConfigObject { get; init; }

    /// <summary><c>ipvs.udpTimeout</c> (or <c>--ipvs-udp-timeout</c>) as written, when set.</summary>
    public string? UdpTimeout { get; init; }

    /// <summary>The UDP timeout in seconds; 0 or null leaves the kernel's IPVS default (300 s).</summary>
    public double? UdpTimeoutSeconds { get; init; }

    /// <summary>udpTimeout is already at or under the guide's 10 s: shortening it further buys nothing.</summary>
    public bool UdpTimeoutShortened => UdpTimeoutSeconds is > 0 and <= 10;

    /// <summary>For evidence: <c>10s</c>, or what applies when it is not set.</summary>
    public string UdpTimeoutText => UdpTimeoutSeconds is > 0 ? UdpTimeout! : $"{UdpTimeout ?? "not set"} (the kernel's IPVS default, 300s, applies)";
}

/// <summary>NodeLocal DNSCache, when installed.</summary>
[FactDescription("NodeLocal DNSCache: the DaemonSet, the addresses it listens on (its -localip, else its Corefile's bind), whether it takes over the kube-dns ClusterIP, its upstream Service, ready pods.")]
public sealed class NodeLocalDnsCache : Fact
{
    public required string Name { get; init; }

    /// <summary>
    /// The DaemonSet's namespace, where its pods and its Corefile ConfigMap are: <c>kube-system</c> for upstream's
    /// manifest, kubespray, RKE2 and GKE; a chart's release namespace otherwise.
    /// </summary>
    public string Namespace { get; init; } = "kube-system";

    /// <summary>Its pods' label selector (the DaemonSet's <c>matchLabels</c>, <c>k=v,k=v</c>); null when it says none.</summary>
    public string? PodSelector { get; init; }

    /// <summary>The link-local address pods are given; null when neither <c>-localip</c> nor its Corefile's <c>bind</c> was read.</summary>
    [UnknownWhenNull]
    public string? LocalIp { get; init; }

    /// <summary>Every address node-cache listens on: the link-local one and, when it intercepts it, the kube-dns ClusterIP.</summary>
    public IReadOnlyList<string> Addresses { get; init; } = [];

    /// <summary>For evidence: where the addresses come from (<c>-localip 169.254.20.10,10.0.0.10</c>, or the ConfigMap's bind line).</summary>
    public string AddressesFrom { get; init; } = "";

    /// <summary>It binds the kube-dns ClusterIP and sets up its own iptables rules for it: pods asking the ClusterIP are answered by it.</summary>
    public bool InterceptsClusterIp { get; init; }

    /// <summary>The Service it forwards cluster names to (<c>-upstreamsvc</c>: <c>kube-dns-upstream</c>, kubespray's <c>coredns</c>).</summary>
    public string? UpstreamService { get; init; }

    /// <summary>
    /// The address it forwards cluster names to, as its node's host network reaches it: the one its Corefile names
    /// (kubespray writes its coredns Service's ClusterIP there), else its upstream Service's ClusterIP
    /// (<c>-upstreamsvc</c>, which node-cache writes in place of <c>__PILLAR__CLUSTER__DNS__</c>) once that Service was read; without <c>-upstreamsvc</c> (kubespray's nodelocaldns forwards to
    /// the cluster DNS Service itself), the cluster DNS Service's ClusterIP, unless it binds that address itself.
    /// </summary>
    public string? UpstreamIp { get; init; }

    public int DesiredPods { get; init; }
    public int ReadyPods { get; init; }
}

/// <summary>The C library of a pod's image, from <c>ldd --version</c>.</summary>
[FactDescription("A pod's C library from `ldd --version`: glibc or musl, and its version.")]
public sealed class PodLibc : Fact
{
    public required string Namespace { get; init; }
    public required string Pod { get; init; }

    /// <summary><c>glibc</c>, <c>musl</c> or <c>unknown</c>.</summary>
    [OneOf(typeof(LibcKinds))]
    public required string Kind { get; init; }

    public string? VersionText { get; init; }

    /// <summary>The version, comparable: <c>Version != null &amp;&amp; Version.IsBefore("2.33")</c>.</summary>
    public ReleaseVersion? Version { get; init; }
}

/// <summary>A Service-shaped cluster name that CoreDNS answered NXDOMAIN with authority.</summary>
[FactDescription("A cluster name of a Service's shape (svc.ns.svc.<domain>, or pod.svc.ns.svc.<domain> with a StatefulSet pod's name) answered NXDOMAIN with authority: a query log line flagged aa, or a probe to kube-dns, a CoreDNS pod or NodeLocal; split into pod, Service and namespace.")]
public sealed class ServiceNameNxdomain : Fact
{
    /// <summary>The name without its trailing dot, lower-case.</summary>
    public required string Name { get; init; }

    public required string Namespace { get; init; }
    public required string Service { get; init; }

    /// <summary>The first label of <c>pod.svc.ns.svc.&lt;domain&gt;</c>; null for <c>svc.ns.svc.&lt;domain&gt;</c>.</summary>
    public string? Pod { get; init; }

    /// <summary>The line or probe that shows it, for evidence.</summary>
    public required string Detail { get; init; }
}

/// <summary>The existing Services nearest to a Service name that does not resolve: what the client probably meant.</summary>
[FactDescription("The existing Services nearest to a Service-shaped name (Namespace, Service): the same name in other namespaces, a close spelling (edit distance up to 2) in its namespace, or in a namespace spelled closely; whether its namespace was listed and how many Services it has. Made only when some Services were listed.")]
public sealed class NearestServiceNames : Fact
{
    public required string Namespace { get; init; }
    public required string Service { get; init; }

    /// <summary><c>orders.shop-prod (same name, namespace shop-prod)</c>, <c>orders.shop (spelled orders)</c>; nearest first.</summary>
    public IReadOnlyList<string> Names { get; init; } = [];

    /// <summary>The Services of <see cref="Namespace"/> were listed (a <c>kubectl get svc -n</c> of it, or its Services among the objects).</summary>
    public bool NamespaceListed { get; init; }

    /// <summary>Services of <see cref="Namespace"/> read: 0 in a listed namespace means it has none (a misspelt namespace).</summary>
    public int ServicesInNamespace { get; init; }
}
