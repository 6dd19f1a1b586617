namespace DnsExpert.Facts;

// The closed value sets of fact properties, each spelled once. A property says which set it holds with
// [OneOf(typeof(...))]; the rule compiler refuses a rule that compares it with any other literal, and a test runs every
// scenario through the fact builder to check that the builder produces nothing outside its set.

/// <summary><see cref="ProbeResult.Kind"/>: the probe that ran.</summary>
public static class ProbeKinds
{
    public const string Dns = "dns";
    public const string Ping = "ping";
    public const string Tcp = "tcp";
}

/// <summary><see cref="ProbeResult.FromRole"/>: where the probe ran.</summary>
public static class ProbeOrigins
{
    /// <summary>An application pod (any pod that is not CoreDNS).</summary>
    public const string App = "app";

    public const string CoreDns = "coredns";
    public const string Node = "node";

    /// <summary>DnsExpert itself (no origin given).</summary>
    public const string DnsExpert = "dnsexpert";
}

/// <summary><see cref="ProbeResult.TargetRole"/>: what the probed address is in the cluster.</summary>
public static class ProbeTargetRoles
{
    public const string KubeDns = "kube-dns";
    public const string CoreDnsPod = "coredns-pod";
    public const string NodeLocal = "nodelocal";
    public const string Upstream = "upstream";
    public const string Apiserver = "apiserver";
    public const string Other = "other";
}

/// <summary><see cref="ProbeResult.Outcome"/>.</summary>
public static class ProbeOutcomes
{
    public const string Answered = "answered";
    public const string Timeout = "timeout";
    public const string Refused = "refused";
    public const string Unreachable = "unreachable";
}

/// <summary>The transport of a DNS message: <see cref="ProbeResult.Transport"/>, <see cref="CoreDnsQueryLog.Transport"/>.</summary>
public static class DnsTransports
{
    public const string Udp = "udp";
    public const string Tcp = "tcp";
}

/// <summary>Who made the rcode CoreDNS answered a client: <see cref="CoreDnsQueryLog.RcodeBy"/>.</summary>
public static class RcodeProducers
{
    /// <summary>The upstream that <c>forward</c> asked answered it: at least one such answer took a network round trip.</summary>
    public const string Upstream = "upstream";

    /// <summary>CoreDNS's cache repeated it: every such answer took less than half a millisecond, none went upstream in the log.</summary>
    public const string Cache = "cache";

    /// <summary>A zone CoreDNS serves itself: the cluster domain (kubernetes), or a kubernetes, file, hosts, auto ... zone of the Corefile.</summary>
    public const string Authoritative = "authoritative";

    /// <summary>
    /// CoreDNS made it itself: <c>forward</c> at <c>max_concurrent</c> (<c>concurrent queries exceeded maximum</c>),
    /// REFUSED, or SERVFAIL before coredns/coredns#4326.
    /// </summary>
    public const string CoreDns = "coredns";
}

/// <summary>Protocols of a Kubernetes port (NetworkPolicy, Service), as the API spells them.</summary>
public static class PortProtocols
{
    public const string Udp = "UDP";
    public const string Tcp = "TCP";
}

/// <summary>A DNS response code as dig, nslookup and CoreDNS's log write it (the IANA mnemonics, RFC 6895).</summary>
public static class DnsRcodes
{
    public const string NoError = "NOERROR";
    public const string FormErr = "FORMERR";
    public const string ServFail = "SERVFAIL";
    public const string NxDomain = "NXDOMAIN";
    public const string NotImp = "NOTIMP";
    public const string Refused = "REFUSED";
    public const string YxDomain = "YXDOMAIN";
    public const string YxRrset = "YXRRSET";
    public const string NxRrset = "NXRRSET";
    public const string NotAuth = "NOTAUTH";
    public const string NotZone = "NOTZONE";
    public const string BadVers = "BADVERS";
    public const string BadSig = "BADSIG";
    public const string BadKey = "BADKEY";
    public const string BadTime = "BADTIME";
    public const string BadMode = "BADMODE";
    public const string BadName = "BADNAME";
    public const string BadAlg = "BADALG";
    public const string BadTrunc = "BADTRUNC";
    public const string BadCookie = "BADCOOKIE";
}

/// <summary><see cref="CoreDnsLogEvent.Kind"/>: the signature a CoreDNS log line matched (rules/SIGNATURES.md).</summary>
public static class CoreDnsLogEventKinds
{
    public const string UnknownDirective = "unknown-directive";
    public const string ApiserverUnreachable = "apiserver-unreachable";
    public const string UpstreamError = "upstream-error";
    public const string ForwardLoop = "forward-loop";
    public const string Reload = "reload";
    public const string Panic = "panic";
    public const string NoNextPlugin = "no-next-plugin";
    public const string PluginUsedTwice = "plugin-used-twice";

    /// <summary>The server exited at start-up: it could not listen, or forward had no upstream (<see cref="CoreDnsLogEvent.Cause"/> says which).</summary>
    public const string StartupFailure = "startup-failure";

    /// <summary>kube-dns's dnsmasq at its cap of forwarded queries in flight (<c>--dns-forward-max</c>).</summary>
    public const string DnsmasqForwardMax = "dnsmasq-forward-max";
}

/// <summary><see cref="CoreDnsLogEvent.Cause"/>: which form of a signature the line has.</summary>
public static class CoreDnsLogEventCauses
{
    // The API server: how CoreDNS's kubernetes plugin failed to reach or use it.
    public const string Connection = "connection";
    public const string Rbac = "rbac";
    public const string Unauthorized = "unauthorized";
    public const string Unknown = "unknown";
    public const string NotServed = "not-served";
    public const string NotReady = "not-ready";
    public const string Waiting = "waiting";
    public const string Unsynced = "unsynced";
    public const string Other = "other";

    // An upstream error naming no upstream: forward's "no healthy proxies", the proxy plugin's "no upstream host"
    // (every upstream marked down by its health checks or failures).
    public const string NoHealthyUpstream = "no-healthy-upstream";

    // A Corefile error: the refused word is a directive, or an option of a plugin.
    public const string Directive = "directive";
    public const string Property = "property";

    // A start-up exit: the listener's bind refused (the port held by another program, a port below 1024 without
    // NET_BIND_SERVICE, an address on no interface), or forward's resolv.conf without a nameserver.
    public const string AddressInUse = "address-in-use";
    public const string PermissionDenied = "permission-denied";
    public const string AddressNotAvailable = "address-not-available";
    public const string NoNameservers = "no-nameservers";
}

/// <summary><see cref="CoreDnsLogEvent.Verdict"/>: what a refused Corefile word is in the running CoreDNS (rules/data/coredns-plugins.yaml).</summary>
public static class CorefileWordVerdicts
{
    public const string Newer = "newer";
    public const string Removed = "removed";
    public const string InThisVersion = "in-this-version";
    public const string External = "external";
    public const string NotAPlugin = "not-a-plugin";
    public const string Unknown = "unknown";
}

/// <summary><see cref="QueriedName.Kind"/>; also the values of a rule's <c>routing.nameKind</c>.</summary>
public static class NameKinds
{
    public const string Internal = "internal";
    public const string External = "external";
    public const string Headless = "headless";
    public const string StatefulSetPod = "statefulset-pod";
    public const string PrivateZone = "privatezone";
}

/// <summary><see cref="QueriedName.Form"/>: the failing name's form, what the search list and the cluster make of it.</summary>
public static class NameForms
{
    /// <summary><c>svc.ns.svc.&lt;zone&gt;</c> (or a relative <c>svc.ns</c>, <c>svc.ns.svc</c>): a Service's name.</summary>
    public const string Service = "service";

    /// <summary><c>host.svc.ns.svc.&lt;zone&gt;</c>: a pod's hostname under its subdomain, a headless Service (StatefulSet pods).</summary>
    public const string ServicePod = "service-pod";

    /// <summary><c>a-b-c-d.ns.pod.&lt;zone&gt;</c>: a pod's IP address as a name.</summary>
    public const string PodIp = "pod-ip";

    /// <summary>One label (<c>mysql</c>): the search list completes it with the pod's namespace.</summary>
    public const string ShortName = "short";

    /// <summary>Any other name in the cluster's zone (the zone itself, <c>ns.svc.&lt;zone&gt;</c>).</summary>
    public const string ClusterOther = "cluster-other";

    /// <summary>A name outside the cluster, without a trailing dot: tried with each search domain first when it has fewer dots than ndots.</summary>
    public const string External = "external";

    /// <summary>A name outside the cluster with a trailing dot: absolute, never completed by the search list.</summary>
    public const string ExternalRooted = "external-rooted";
}

/// <summary><see cref="ReportedSymptom.Class"/>; also the values of a rule's <c>routing.symptomClass</c>.</summary>
public static class SymptomClasses
{
    public const string NameNotFound = "name-not-found";
    public const string ServerUnreachable = "server-unreachable";
    public const string Ambiguous = "ambiguous";
    public const string Unknown = "unknown";
}

/// <summary><see cref="ReportedSymptom.Frequency"/>; also the values of a rule's <c>routing.frequency</c> (all but <c>unknown</c>).</summary>
public static class SymptomFrequencies
{
    public const string Always = "always";
    public const string Peak = "peak";
    public const string Often = "often";
    public const string Rarely = "rarely";
    public const string Scaling = "scaling";

    /// <summary>The request did not say.</summary>
    public const string Unknown = "unknown";
}

/// <summary><see cref="PodDns.DnsPolicy"/>: the pod's <c>spec.dnsPolicy</c>.</summary>
public static class DnsPolicies
{
    public const string ClusterFirst = "ClusterFirst";
    public const string ClusterFirstWithHostNet = "ClusterFirstWithHostNet";
    public const string Default = "Default";
    public const string None = "None";
}

/// <summary>A pod's <c>status.phase</c>: <see cref="PodDns.Phase"/>, <see cref="CoreDnsPod.Phase"/>.</summary>
public static class PodPhases
{
    public const string Pending = "Pending";
    public const string Running = "Running";
    public const string Succeeded = "Succeeded";
    public const string Failed = "Failed";
    public const string Unknown = "Unknown";
}

/// <summary><see cref="PodDns.EffectiveFrom"/>: where the pod's effective resolver settings come from.</summary>
public static class ResolverSettingsSources
{
    public const string ResolvConf = "/etc/resolv.conf";
    public const string DnsPolicy = "dnsPolicy";
}

/// <summary>A node's <c>status.nodeInfo.architecture</c> (Go's GOARCH of kubelet): <see cref="ClusterNode.Architecture"/>, <see cref="PodDns.NodeArchitecture"/>.</summary>
public static class NodeArchitectures
{
    public const string X86 = "386";
    public const string Amd64 = "amd64";
    public const string Arm = "arm";
    public const string Arm64 = "arm64";
    public const string Loong64 = "loong64";
    public const string Mips = "mips";
    public const string Mipsle = "mipsle";
    public const string Mips64 = "mips64";
    public const string Mips64le = "mips64le";
    public const string Ppc64 = "ppc64";
    public const string Ppc64le = "ppc64le";
    public const string Riscv64 = "riscv64";
    public const string S390x = "s390x";
}

/// <summary>A Service's <c>spec.sessionAffinity</c>: <see cref="KubeDnsService.SessionAffinity"/>, <see cref="CoreDnsPlacement.SessionAffinity"/>.</summary>
public static class SessionAffinities
{
    public const string None = "None";
    public const string ClientIp = "ClientIP";
}

/// <summary><see cref="KubernetesEvent.Type"/>.</summary>
public static class EventTypes
{
    public const string Normal = "Normal";
    public const string Warning = "Warning";
}

/// <summary><see cref="KubeProxyInfo.Mode"/>: kube-proxy's <c>mode</c> (<c>kernelspace</c> on Windows; <c>userspace</c> until Kubernetes 1.26).</summary>
public static class KubeProxyModes
{
    public const string Iptables = "iptables";
    public const string Ipvs = "ipvs";
    public const string Nftables = "nftables";
    public const string Kernelspace = "kernelspace";
    public const string Userspace = "userspace";
}

/// <summary><see cref="NodeLocalUpstreamError.UpstreamKind"/>: which of NodeLocal DNSCache's upstreams failed.</summary>
public static class NodeLocalUpstreamKinds
{
    public const string ClusterDns = "cluster-dns";
    public const string External = "external";

    /// <summary>The lines name no query and the snapshot does not say which upstream the address is.</summary>
    public const string Unknown = "unknown";
}

/// <summary><see cref="PodLibc.Kind"/>.</summary>
public static class LibcKinds
{
    public const string Glibc = "glibc";
    public const string Musl = "musl";
    public const string Unknown = "unknown";
}

/// <summary><see cref="NodeKernelLogLine.Kind"/>.</summary>
public static class NodeKernelLogKinds
{
    public const string ConntrackFull = "conntrack-full";

    /// <summary><c>UDP: bad checksum. From A:PORT to B:8472</c>: a VXLAN packet dropped for its UDP checksum.</summary>
    public const string VxlanBadChecksum = "vxlan-bad-checksum";
}

/// <summary>The cloud a node shows: <see cref="NodeCloud.Provider"/>, <see cref="ClusterCloud.Provider"/>.</summary>
public static class CloudProviders
{
    public const string Alibaba = "alibaba";
    public const string Aws = "aws";
    public const string Gcp = "gcp";
    public const string Azure = "azure";

    /// <summary>On-premises, or no node of the snapshot says.</summary>
    public const string Unknown = "unknown";
}

/// <summary>
/// The distributions whose cluster DNS configuration something other than its ConfigMap owns (an operator, an add-on
/// manager, a Helm chart, a rewrite on restart), as <see cref="ClusterDns.Distribution"/> names them; kubeadm, kind,
/// minikube and others that leave the ConfigMap to its owner are none of them.
/// </summary>
public static class Distributions
{
    public const string OpenShift = "openshift";
    public const string Aks = "aks";
    public const string K3s = "k3s";
    public const string Rke2 = "rke2";
    public const string Eks = "eks";
    public const string Gke = "gke";
    public const string Kubespray = "kubespray";
}
