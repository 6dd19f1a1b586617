using System.Diagnostics.CodeAnalysis;

namespace DnsExpert.Facts;

/// <summary>Cluster-wide DNS settings derived from several objects.</summary>
[FactDescription("Cluster DNS settings: cluster domain (from the Corefile), kube-dns ClusterIP, NodeLocal DNSCache address.")]
public sealed class ClusterDns : Fact
{
    /// <summary>NodeLocal DNSCache's usual link-local address, assumed while its own is unknown.</summary>
    public const string DefaultNodeLocalIp = "169.254.20.10";

    public required string ClusterDomain { get; init; }

    /// <summary>The kube-dns Service's ClusterIP; null when the Service was not read (unknown, not absent).</summary>
    [UnknownWhenNull]
    public string? KubeDnsClusterIp { get; init; }

    /// <summary>NodeLocal DNSCache runs; null when the DaemonSets of kube-system were not read (unknown, not absent).</summary>
    [UnknownWhenNull]
    public bool? NodeLocalPresent { get; init; }

    /// <summary>NodeLocal DNSCache's link-local address as its DaemonSet says (<c>-localip</c>, else its Corefile's <c>bind</c>).</summary>
    public string? NodeLocalIp { get; init; }

    /// <summary>The NodeLocal DNSCache DaemonSet's name (<c>node-local-dns</c>, kubespray's <c>nodelocaldns</c>), for evidence.</summary>
    public string? NodeLocalName { get; init; }

    /// <summary>The namespace of NodeLocal DNSCache's DaemonSet (<see cref="NodeLocalName"/>), or of its Corefile ConfigMap read without it; null when neither was read.</summary>
    public string? NodeLocalNamespace { get; init; }

    /// <summary>
    /// The addresses the <c>bind</c> lines of NodeLocal DNSCache's own Corefile ConfigMap name (<c>node-local-dns</c>,
    /// kubespray's <c>nodelocaldns</c>), read with or without its DaemonSet: a pod asking one of them asks the node's
    /// cache (GKE binds the kube-dns ClusterIP too); empty when that ConfigMap was not read.
    /// </summary>
    public IReadOnlyList<string> NodeLocalConfigBinds { get; init; } = [];

    /// <summary>
    /// The address that ConfigMap's Corefile forwards cluster names to, when it names one (kubespray writes its coredns
    /// Service's ClusterIP there); null when not read or when node-cache fills it at run time from its
    /// <c>-upstreamsvc</c> Service (<c>__PILLAR__CLUSTER__DNS__</c>: upstream's and GKE's layouts).
    /// </summary>
    public string? NodeLocalConfigUpstream { get; init; }

    /// <summary>
    /// NodeLocal DNSCache also answers on the kube-dns ClusterIP (kube-proxy iptables mode, GKE), so a pod asking the
    /// ClusterIP uses it; null without its DaemonSet.
    /// </summary>
    public bool? NodeLocalInterceptsClusterIp { get; init; }

    /// <summary>
    /// NodeLocal DNSCache's address, or its default <c>169.254.20.10</c> while its address is unknown (it may run, or runs
    /// with no address read): a pod that names that address may be using it, which is no evidence of a rewritten resolv.conf.
    /// </summary>
    public string? NodeLocalIpOrDefault => NodeLocalIp ?? (NodeLocalPresent != false ? DefaultNodeLocalIp : null);

    /// <summary>The oldest CoreDNS version running (from the pods' image tags).</summary>
    [UnknownWhenNull]
    public ReleaseVersion? CoreDnsVersion { get; init; }

    /// <summary>
    /// The cluster's Kubernetes version: the oldest of the nodes' kubelets and of the API server's version a pasted
    /// <c>kubectl version</c> gives (a kubelet is never newer than its API server).
    /// </summary>
    [UnknownWhenNull]
    public ReleaseVersion? KubernetesVersion { get; init; }

    /// <summary>
    /// The cluster DNS pods' namespace (<c>kube-system</c>, OpenShift's <c>openshift-dns</c>), as the snapshot shows it
    /// (the Service, a pod or the Corefile); null while it shows none (kubeadm's is then assumed).
    /// </summary>
    public string? PodsNamespace { get; init; }

    /// <summary>
    /// The label selector of the cluster DNS pods (the Service's, else the layout's); null while the snapshot shows neither
    /// the Service nor a pod (a Corefile ConfigMap alone does not say how the pods are labelled).
    /// </summary>
    public string? PodsSelector { get; init; }

    /// <summary>The name of the ConfigMap holding the Corefile, in <see cref="PodsNamespace"/>; null while the snapshot shows none.</summary>
    public string? CorefileConfigMap { get; init; }

    /// <summary>
    /// The workload running the cluster DNS pods as kubectl names it (<c>deployment/coredns</c>, <c>daemonset/dns-default</c>),
    /// in <see cref="PodsNamespace"/>; null while the snapshot shows none.
    /// </summary>
    public string? Workload { get; init; }

    /// <summary>
    /// The replica count <see cref="Workload"/> asks for, when it is a Deployment the snapshot holds (its
    /// <c>spec.replicas</c>, 1 when unset); null otherwise.
    /// </summary>
    public int? WorkloadReplicas { get; init; }

    /// <summary>
    /// The cluster-proportional-autoscaler that sets <see cref="Workload"/>'s replica count, as kubectl names it
    /// (GKE's and kubeadm's addon <c>deployment/kube-dns-autoscaler</c>, AKS's <c>deployment/coredns-autoscaler</c>,
    /// kubespray's <c>deployment/dns-autoscaler</c>), in <see cref="PodsNamespace"/>; null while the snapshot shows none.
    /// A scale of the workload lasts only until its next poll.
    /// </summary>
    public string? Autoscaler { get; init; }

    /// <summary>The ConfigMap holding <see cref="Autoscaler"/>'s parameters (its <c>--configmap</c>, else its own name).</summary>
    public string? AutoscalerConfigMap { get; init; }

    /// <summary>
    /// The distribution the snapshot shows (<see cref="Distributions"/>: OpenShift, AKS, k3s, RKE2, EKS, GKE,
    /// kubespray), from its own marks on the nodes, the cluster DNS objects and their images; null for kubeadm and
    /// the others that leave the Corefile ConfigMap to whoever edits it, and while nothing shows one.
    /// </summary>
    public string? Distribution { get; init; }

    /// <summary>What shows <see cref="Distribution"/>: <c>node aks-nodepool1-0: label kubernetes.azure.com/cluster</c>.</summary>
    public string? DistributionEvidence { get; init; }

    /// <summary>The cluster DNS is kube-dns (GKE, kubeadm before 1.11): no Corefile; its ConfigMap holds stubDomains and upstreamNameservers.</summary>
    public bool KubeDns { get; init; }

    /// <summary>
    /// kube-dns's <c>dnsmasq</c> container's log was read (true: a cluster DNS pod's log of that container, or a line
    /// only dnsmasq prints); false when there is none to read (the cluster DNS is not kube-dns, or not known to be);
    /// null while the cluster DNS is kube-dns and only its other containers' logs were read (the default one,
    /// <c>kubedns</c>, is what <c>kubectl logs</c> reads): what dnsmasq logs is unknown, not absent.
    /// </summary>
    [UnknownWhenNull]
    public bool? DnsmasqLogRead { get; init; }
}

/// <summary>The kube-dns Service.</summary>
[FactDescription("The kube-system/kube-dns Service: ClusterIP, sessionAffinity.")]
public sealed class KubeDnsService : Fact
{
    public required string Namespace { get; init; }
    public required string Name { get; init; }
    public string? ClusterIp { get; init; }
    [OneOf(typeof(SessionAffinities))]
    public string SessionAffinity { get; init; } = SessionAffinities.None;
}

/// <summary>
/// The kube-dns Service's endpoints, only when its Endpoints or EndpointSlices were read: a Service without them says
/// nothing about its endpoints, so a rule on them stays unverified rather than ruled out.
/// </summary>
[FactDescription("The kube-dns Service's endpoints (from Endpoints or EndpointSlices): ready and not-ready addresses.")]
public sealed class KubeDnsEndpoints : Fact
{
    public required string Namespace { get; init; }
    public required string Name { get; init; }
    public int ReadyEndpoints { get; init; }
    public int NotReadyEndpoints { get; init; }
}

/// <summary>A CoreDNS pod (kube-system, <c>k8s-app=kube-dns</c>).</summary>
[FactDescription("A CoreDNS pod: node, IP, phase, readiness, restarts, image and version, CPU/memory against limits.")]
public sealed class CoreDnsPod : Fact
{
    public required string Namespace { get; init; }
    public required string Name { get; init; }

    /// <summary>The Deployment the pod is of, from its name (<c>coredns-5d78c9869d-abcde</c>: <c>coredns</c>), as <see cref="CoreDnsMetrics.Deployment"/>.</summary>
    public string Deployment => CoreDnsMetrics.DeploymentOf(Name);

    public string? Node { get; init; }
    public string? Ip { get; init; }
    [OneOf(typeof(PodPhases))]
    public string? Phase { get; init; }
    public bool Ready { get; init; }
    public int Restarts { get; init; }
    public string? WaitingReason { get; init; }
    public string? LastTerminationReason { get; init; }

    /// <summary>
    /// When the container's previous run ended (<c>lastState.terminated.finishedAt</c>), null when the pod shows none:
    /// a crash-looping pod restarts at most five minutes after it (kubelet's back-off), into the Corefile of that time.
    /// </summary>
    public DateTimeOffset? LastTerminatedAt { get; init; }

    /// <summary><see cref="LastTerminatedAt"/> as findings print times (<c>2024-05-13 09:04:40 UTC</c>).</summary>
    public string? LastTerminatedTime { get; init; }

    /// <summary>
    /// The container that serves DNS (<c>coredns</c>; OpenShift's <c>dns</c>; kube-dns's <c>kubedns</c>), whose image,
    /// status and log are read: what <c>kubectl debug --target</c> and <c>kubectl logs -c</c> name.
    /// </summary>
    public string? Container { get; init; }

    /// <summary>
    /// The pod's service account (<c>spec.serviceAccountName</c>: <c>coredns</c>, GKE's <c>kube-dns</c>, OpenShift's
    /// <c>dns</c>): whom the API server must let CoreDNS list and watch as; null when the pod shows none (a table).
    /// </summary>
    public string? ServiceAccount { get; init; }

    public string? Image { get; init; }

    /// <summary>Version from the image tag, as written (<c>v1.9.3.10-7dfca203-aliyun</c>).</summary>
    public string? VersionText { get; init; }

    /// <summary>The version from the image tag, comparable: <c>Version != null &amp;&amp; Version.IsBefore("1.7.0")</c>.</summary>
    [UnknownWhenNull]
    public ReleaseVersion? Version { get; init; }

    public double? CpuMillicores { get; init; }
    public double? CpuLimitMillicores { get; init; }
    public double? MemoryBytes { get; init; }
    public double? MemoryLimitBytes { get; init; }

    /// <summary>CPU usage as a percentage of the limit, when both are known (null until the pod's metrics are read).</summary>
    [UnknownWhenNull]
    public double? CpuPercentOfLimit => CpuMillicores is { } u && CpuLimitMillicores is > 0 ? u * 100 / CpuLimitMillicores : null;

    /// <summary>Memory usage as a percentage of the limit, when both are known (null until the pod's metrics are read).</summary>
    [UnknownWhenNull]
    public double? MemoryPercentOfLimit => MemoryBytes is { } u && MemoryLimitBytes is > 0 ? u * 100 / MemoryLimitBytes : null;
}

/// <summary>
/// The measured use of a CoreDNS pod (metrics.k8s.io, what <c>kubectl top pods</c> shows); there only when the
/// metrics were collected, so that a rule comparing use with limits is unverified, not ruled out, without them. The
/// values are also on <see cref="CoreDnsPod"/>.
/// </summary>
[FactDescription("The measured CPU and memory use of a CoreDNS pod (metrics.k8s.io, kubectl top pods); present only when the metrics were collected.")]
public sealed class CoreDnsPodMetrics : Fact
{
    public required string Namespace { get; init; }
    public required string Name { get; init; }
    public double? CpuMillicores { get; init; }
    public double? MemoryBytes { get; init; }
}

/// <summary>A node of the cluster.</summary>
[FactDescription("A node: provider and instance id, kernel, OS, architecture, kubelet version, whether it hosts CoreDNS or the target pod.")]
public sealed class ClusterNode : Fact
{
    public required string Name { get; init; }
    public string? ProviderId { get; init; }

    /// <summary>The cloud instance id taken from <c>spec.providerID</c> (ECS <c>i-...</c>, EC2 <c>i-...</c>, a GCE or Azure VM name).</summary>
    public string? InstanceId { get; init; }

    public string? KernelVersion { get; init; }

    /// <summary>The kernel release, comparable: <c>Kernel != null &amp;&amp; Kernel.IsBefore("4.19.91-25.1.al7")</c>.</summary>
    [UnknownWhenNull]
    public KernelVersion? Kernel { get; init; }

    /// <summary>The kubelet version, comparable: <c>Kubelet != null &amp;&amp; Kubelet.IsAtLeast("1.20")</c>.</summary>
    public ReleaseVersion? Kubelet { get; init; }

    public string? OsImage { get; init; }
    [OneOf(typeof(NodeArchitectures))]
    public string? Architecture { get; init; }
    public string? KubeletVersion { get; init; }
    public bool Ready { get; init; }

    /// <summary>CPU usage as a percentage of the node's allocatable CPU (NodeMetrics), when known.</summary>
    [UnknownWhenNull]
    public double? CpuPercent { get; init; }

    public bool HostsCoreDns { get; init; }
    public bool HostsTarget { get; init; }
}

/// <summary>One server block of the Corefile.</summary>
[FactDescription("A Corefile server block: zones, port, the plugins it enables.")]
public sealed class CorefileServer : Fact
{
    public required int Index { get; init; }
    public required int Line { get; init; }
    public IReadOnlyList<string> Zones { get; init; } = [];
    public int Port { get; init; } = 53;
    public IReadOnlyList<string> Plugins { get; init; } = [];

    /// <summary>True when the block serves the root zone (<c>.</c>), which is where pods' queries land.</summary>
    public bool ServesRoot { get; init; }

    /// <summary>Zones joined for display: <c>.:53</c>.</summary>
    public string Key { get; init; } = "";

    /// <summary>
    /// The zones the block answers from CoreDNS's own data (kubernetes, file, hosts, auto, ...; not forward), each as
    /// <c>cluster.local. (kubernetes, line 7)</c>: the zone, then the plugin and its line.
    /// </summary>
    public IReadOnlyList<string> OwnZones { get; init; } = [];
}

/// <summary>A line of the Corefile inside a server block: where it stands and what it says.</summary>
public abstract class CorefileLine : Fact
{
    protected CorefileLine()
    {
    }

    /// <summary>Another fact about the same line.</summary>
    [SetsRequiredMembers]
    protected CorefileLine(CorefileLine line)
    {
        Source = line.Source;
        ServerIndex = line.ServerIndex;
        ServerKey = line.ServerKey;
        Line = line.Line;
        Text = line.Text;
    }

    public required int ServerIndex { get; init; }
    public required string ServerKey { get; init; }
    public required int Line { get; init; }

    /// <summary>The line as written: name and arguments.</summary>
    public required string Text { get; init; }
}

/// <summary>One plugin line (directive) of the Corefile, nested lines included.</summary>
[FactDescription("A Corefile plugin line: name, arguments, line number, its nested block, the server block it belongs to.")]
public sealed class CorefilePlugin : CorefileLine
{
    public required string Name { get; init; }
    public IReadOnlyList<string> Arguments { get; init; } = [];

    /// <summary>Nested lines (<c>prefer_udp</c>, <c>max_concurrent 1000</c> ...), each as name and arguments.</summary>
    public IReadOnlyList<string> BlockLines { get; init; } = [];

    /// <summary>Its place among the server block's plugin lines (0 first), imported files' lines where they are imported.</summary>
    public int Position { get; init; }

    /// <summary>The line comes from a file of the coredns-custom ConfigMap that the Corefile imports (an override).</summary>
    public bool FromOverride { get; init; }

    /// <summary>The zone a <c>forward</c>, <c>proxy</c> or <c>grpc</c> line serves (its first argument), else null.</summary>
    public string? ForwardZone => Name is "forward" or "proxy" or "grpc" && Arguments.Count > 0 ? Arguments[0] : null;

    /// <summary>The upstreams of a <c>forward</c>, <c>proxy</c> or <c>grpc</c> line as written, space-separated (its arguments after the zone), else null.</summary>
    public string? ForwardTargets => ForwardZone is not null && Arguments.Count > 1 ? string.Join(' ', Arguments.Skip(1)) : null;

    /// <summary>
    /// The coredns-custom key a server block of its own for <see cref="ForwardZone"/> would take (<c>corp.example.com.server</c>):
    /// the zone without its trailing dots, every character a ConfigMap key refuses (outside <c>[-._a-zA-Z0-9]</c>) as
    /// <c>-</c>. Null when the line forwards no zone other than the root.
    /// </summary>
    public string? ZoneServerKey
    {
        get
        {
            var zone = ForwardZone?.TrimEnd('.');
            if (string.IsNullOrEmpty(zone))
            {
                return null;
            }

            return string.Create(zone.Length, zone, static (key, zone) =>
            {
                for (var i = 0; i < zone.Length; i++)
                {
                    key[i] = char.IsAsciiLetterOrDigit(zone[i]) || zone[i] is '-' or '.' or '_' ? zone[i] : '-';
                }
            }) + ".server";
        }
    }
}

/// <summary>One upstream of a Corefile <c>forward</c> (or <c>proxy</c>, <c>grpc</c>) line.</summary>
[FactDescription("An upstream of a Corefile forward (proxy, grpc) line: server block, line, zone forwarded, target as written, its address and port or the resolv.conf file it reads, whether it is loopback.")]
public sealed class CorefileUpstream : CorefileLine
{
    [SetsRequiredMembers]
    public CorefileUpstream(CorefilePlugin forward, ForwardTarget target)
        : base(forward)
    {
        From = forward.Arguments[0];
        Target = target.Text;
        Address = target.Address;
        Port = target.Port;
        File = target.File;
        IsLoopback = target.IsLoopback;
    }

    /// <summary>The zone forwarded (the directive's first argument), as written: <c>.</c>, <c>consul.local</c>.</summary>
    public string From { get; }

    /// <summary>The upstream as written: <c>/etc/resolv.conf</c>, <c>100.100.2.136</c>, <c>dns://10.0.0.2:5353</c>, <c>tls://9.9.9.9</c>.</summary>
    public string Target { get; }

    /// <summary>The plain DNS address, when the target is one; null for a file or another transport.</summary>
    public string? Address { get; }

    public int Port { get; }

    /// <summary>The resolv.conf-style file whose nameservers CoreDNS forwards to, when the target is a file.</summary>
    public string? File { get; }

    /// <summary>The address is 127.0.0.0/8 or ::1: inside the CoreDNS pod, that is CoreDNS itself.</summary>
    public bool IsLoopback { get; }
}

/// <summary>
/// A zone of a server block whose names no plugin of the block answers (found by the evidence readers' <c>CorefileCoverage</c>); the block is
/// the <see cref="CorefileServer"/> whose Index is <see cref="ServerIndex"/>.
/// </summary>
[FactDescription("A zone of a Corefile server block (ServerIndex) that no plugin answers in full (no forward; kubernetes, hosts, file ... cover only part of it or fall through): its other names reach the end of the plugin chain and get SERVFAIL.")]
public sealed class CorefileUnansweredZone : Fact
{
    public required int ServerIndex { get; init; }

    /// <summary>The zone, with its trailing dot: <c>.</c>, <c>example.org.</c>.</summary>
    public required string Zone { get; init; }

    /// <summary>What is answered below the zone, for evidence: <c>cluster.local. (kubernetes, line 8)</c>; empty when nothing is.</summary>
    public IReadOnlyList<string> AnsweredBelow { get; init; } = [];
}

/// <summary>
/// How long the cluster DNS's caches keep an NXDOMAIN for a name of the cluster domain: CoreDNS's <c>cache</c> plugin
/// in the server block serving the cluster domain, and NodeLocal DNSCache's in front of it, each as CoreDNS computes
/// it (<c>min(max(SOA TTL, MINTTL), CAP)</c>, the SOA TTL being the kubernetes plugin's <c>ttl</c> up to 300).
/// </summary>
[FactDescription("How long the cluster DNS's caches keep an NXDOMAIN for a cluster name: CoreDNS's cache denial window (min(max(SOA TTL, MINTTL), CAP), the SOA TTL the kubernetes plugin's ttl up to 300), plus NodeLocal DNSCache's own when its Corefile is read; the lines that say so.")]
public sealed class CacheDenialWindow : Fact
{
    /// <summary>The Corefile server block serving the cluster domain (<c>.:53</c>).</summary>
    public required string ServerKey { get; init; }

    /// <summary>The cluster domain the window is for (<c>cluster.local</c>).</summary>
    [DnsExpert.Text.CommandValue(DnsExpert.Text.CommandValueKind.DnsName)]
    public required string Zone { get; init; }

    /// <summary>The longest a denial is served after the name exists: <see cref="CoreDnsSeconds"/> plus <see cref="NodeLocalSeconds"/>.</summary>
    public int Seconds => CoreDnsSeconds + (NodeLocalSeconds ?? 0);

    /// <summary>CoreDNS's denial window in seconds; 0 when its cache keeps no denial of the cluster domain.</summary>
    public required int CoreDnsSeconds { get; init; }

    /// <summary>NodeLocal DNSCache's denial window for the cluster domain; null when NodeLocal or its Corefile is not in the snapshot.</summary>
    public int? NodeLocalSeconds { get; init; }

    /// <summary>NodeLocal DNSCache's ConfigMap in <see cref="NodeLocalNamespace"/> (<c>node-local-dns</c>, kubespray's <c>nodelocaldns</c>), when its window was read.</summary>
    [DnsExpert.Text.CommandValue(DnsExpert.Text.CommandValueKind.ObjectName)]
    public string? NodeLocalConfigMap { get; init; }

    /// <summary>The namespace of <see cref="NodeLocalConfigMap"/>: its DaemonSet's (kube-system on upstream's, kubespray's, RKE2's and GKE's).</summary>
    [DnsExpert.Text.CommandValue(DnsExpert.Text.CommandValueKind.Namespace)]
    public string NodeLocalNamespace { get; init; } = "kube-system";

    /// <summary>The TTL of the SOA the kubernetes plugin answers an NXDOMAIN with.</summary>
    public required int SoaTtl { get; init; }

    /// <summary>For evidence: <c>cache 30 (line 10), kubernetes ttl 30 (line 7): min(max(30, 5), 30) = 30 s</c>, then NodeLocal's.</summary>
    public required string Detail { get; init; }

    /// <summary>
    /// For a sentence: <c>30 s in CoreDNS (cache 30, kubernetes ttl 30)</c>, or with NodeLocal DNSCache <c>6 s: 5 s in
    /// CoreDNS (cache 30, kubernetes ttl 5 by default) and 1 s more in NodeLocal DNSCache (...)</c>.
    /// </summary>
    public required string Summary { get; init; }
}

/// <summary>A signature recognised in a CoreDNS log (errors, reloads, crashes).</summary>
[FactDescription("A CoreDNS log event: kind (unknown-directive, apiserver-unreachable, upstream-error, forward-loop, reload, panic, no-next-plugin), cause, pod, time, line, how long it lasted, what it names, and for a Corefile error what the refused word is in that CoreDNS version.")]
public sealed class CoreDnsLogEvent : Fact
{
    public required string Pod { get; init; }
    public required string Namespace { get; init; }

    /// <summary>
    /// <c>unknown-directive</c>, <c>apiserver-unreachable</c>, <c>upstream-error</c>, <c>forward-loop</c>, <c>reload</c>,
    /// <c>panic</c>, <c>no-next-plugin</c> (<see cref="Directive"/> names the last plugin of the chain).
    /// </summary>
    [OneOf(typeof(CoreDnsLogEventKinds))]
    public required string Kind { get; init; }

    public required int LineNumber { get; init; }
    public DateTimeOffset? Timestamp { get; init; }

    /// <summary>The timestamp to the second (<c>2024-05-13 08:21:44</c>), or <c>no timestamp</c>.</summary>
    public required string Time { get; init; }

    /// <summary>How many lines said the same (same name, type and rcode; or the same signature); this fact is the first.</summary>
    public int Occurrences { get; init; } = 1;

    /// <summary>The last such line's time to the second, or <c>no timestamp</c>.</summary>
    public string LastTime { get; init; } = "no timestamp";

    /// <summary>The last such line's number (this line's, when it is the only one).</summary>
    public int LastLineNumber { get; init; }

    /// <summary>For evidence: empty for a single line, else <c>; 42 such lines, the last at 2024-05-13 08:29:01 UTC</c> (or <c>the last on line 913</c> in a log without timestamps).</summary>
    public string Repeats => LogPosition.Repeats(Occurrences, LastTime, LastLineNumber);

    /// <summary>Where the line is, for evidence: <c>line 12 (2024-05-13 08:21:44 UTC; 42 such lines, the last at ...)</c>, or by line numbers only in a log without timestamps.</summary>
    public string Position => LogPosition.Describe(LineNumber, Time, Occurrences, LastTime, LastLineNumber);

    /// <summary>When it happened, for a cause: <c>at 2024-05-13 08:21:44 UTC</c>, or <c>on line 12 of its log</c> when the log has no timestamps.</summary>
    public string When => LogPosition.When(LineNumber, Time);

    public required string Text { get; init; }
    public string? Directive { get; init; }
    public int? CorefileLine { get; init; }

    /// <summary>For text: <c>Corefile line 4</c>, or <c>the Corefile</c> when the message names no line.</summary>
    public string CorefilePlace => CorefileLine is { } n ? $"Corefile line {n}" : "the Corefile";

    public string? Endpoint { get; init; }

    /// <summary>The port of <see cref="Endpoint"/> (<c>53</c> of <c>:53</c> or <c>169.254.20.10:53</c>), null without one.</summary>
    public int? Port => Endpoint is { } e && e.LastIndexOf(':') is var colon and >= 0
        && int.TryParse(e.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port) && port is > 0 and < 65536 ? port : null;

    public string? Resource { get; init; }
    public string? Error { get; init; }
    public string? QueryName { get; init; }
    public string? QueryType { get; init; }
    public string? Zone { get; init; }

    /// <summary>
    /// What went wrong when a signature has several forms. API server: <c>connection</c>, <c>rbac</c>, <c>unknown</c>,
    /// <c>unauthorized</c>, <c>not-served</c>, <c>not-ready</c>, <c>waiting</c>, <c>unsynced</c>, <c>other</c>. Corefile: <c>directive</c>, <c>property</c>.
    /// </summary>
    [OneOf(typeof(CoreDnsLogEventCauses))]
    public string? Cause { get; init; }

    /// <summary>The user an RBAC refusal names (<c>system:serviceaccount:kube-system:coredns</c>).</summary>
    public string? Subject { get; init; }

    /// <summary>The plugin the line names: the one refusing a property, or the plugins not ready.</summary>
    public string? Plugin { get; init; }

    /// <summary>The option a plugin did not know (<c>max_concurrent</c>).</summary>
    public string? Property { get; init; }

    /// <summary>A Corefile error met while reloading a changed Corefile: the pod keeps serving its old configuration.</summary>
    public bool OnReload { get; init; }

    /// <summary>The upstream of an upstream error is the kube-dns Service itself: CoreDNS forwards to the cluster DNS.</summary>
    public bool UpstreamIsClusterDns { get; init; }

    /// <summary>Seconds from the first to the last such line, when both carry a timestamp.</summary>
    public double? SpanSeconds { get; init; }

    /// <summary>
    /// For an upstream error naming an <see cref="Endpoint"/>: how many upstream-error lines of this pod's log name that
    /// endpoint, whatever their name, type or error (every group of it, this one included); else <see cref="Occurrences"/>.
    /// </summary>
    public int EndpointLines { get; init; } = 1;

    /// <summary>Seconds from the first to the last upstream-error line of this pod's log naming <see cref="Endpoint"/>, when both carry a timestamp.</summary>
    public double? EndpointSpanSeconds { get; init; }

    /// <summary>
    /// For an upstream error naming an <see cref="Endpoint"/>: how many upstream-error lines name that endpoint in all
    /// the cluster DNS pods' logs read, this pod's included (at least <see cref="EndpointLines"/>); else
    /// <see cref="Occurrences"/>. The pods ask the same upstreams, so three timeouts in each of two pods' logs are six.
    /// </summary>
    public int ClusterEndpointLines { get; init; } = 1;

    /// <summary>
    /// Seconds from the first to the last upstream-error line naming <see cref="Endpoint"/> in all the cluster DNS pods'
    /// logs read, among the lines that carry a timestamp; null unless some do.
    /// </summary>
    public double? ClusterEndpointSpanSeconds { get; init; }

    /// <summary>How many cluster DNS pods' logs name <see cref="Endpoint"/> in an upstream error (1 for this pod's alone).</summary>
    public int EndpointPods { get; init; } = 1;

    /// <summary>The CoreDNS version of the pod that wrote the line (its image tag), else the oldest CoreDNS of the snapshot.</summary>
    public string? CoreDnsVersion { get; init; }

    /// <summary>
    /// For a Corefile error, what the refused word is for that version (rules/data/coredns-plugins.yaml): <c>newer</c>,
    /// <c>removed</c>, <c>in-this-version</c>, <c>external</c>, <c>not-a-plugin</c>, <c>unknown</c>.
    /// </summary>
    [OneOf(typeof(CorefileWordVerdicts))]
    public string? Verdict { get; init; }

    /// <summary>The first CoreDNS release with the refused plugin or option.</summary>
    public string? Since { get; init; }

    /// <summary>The last CoreDNS release with it, when it was removed.</summary>
    public string? Last { get; init; }

    /// <summary>What replaced a removed plugin (<c>forward</c> for <c>proxy</c>).</summary>
    public string? ReplacedBy { get; init; }

    /// <summary>The newest CoreDNS release the plugin table was checked against (the log reader sets it from the table).</summary>
    public string PluginTableCheckedThrough { get; init; } = "";
}

/// <summary>
/// NodeLocal DNSCache's log (<c>kubectl logs -n kube-system -l k8s-app=node-local-dns</c>): the errors plugin's
/// network errors forwarding to one upstream (<c>dial tcp 10.233.0.3:53: i/o timeout</c>), every such line of one pod's
/// log to that upstream counted together, whatever names they were for.
/// </summary>
[FactDescription("NodeLocal DNSCache cannot reach one upstream (its log's errors-plugin lines to it, counted over every name): the pod and its node, the upstream and whether it is the cluster DNS Service or an external resolver, how many lines over how long, whether the node joined after NodeLocal was set up.")]
public sealed class NodeLocalUpstreamError : Fact
{
    public required string Pod { get; init; }
    public required string Namespace { get; init; }

    /// <summary>The node the pod runs on (its <c>spec.nodeName</c>), when the pod is in the snapshot.</summary>
    [UnknownWhenNull]
    public string? Node { get; init; }

    /// <summary>Which NodeLocal DNSCache, in words: <c>pod kube-system/nodelocaldns-v9c6t on node node4</c>.</summary>
    public string Describe => Node is null ? $"pod {Namespace}/{Pod}" : $"pod {Namespace}/{Pod} on node {Node}";

    /// <summary>The upstream as the log names it (<c>10.233.0.3:53</c>).</summary>
    public required string Endpoint { get; init; }

    /// <summary>The upstream's address without the port.</summary>
    public required string Address { get; init; }

    /// <summary><c>tcp</c> (node-cache's <c>force_tcp</c> to the cluster DNS: <c>dial tcp</c>) or <c>udp</c> (<c>read udp</c>).</summary>
    public required string Transport { get; init; }

    /// <summary>
    /// <c>cluster-dns</c>: the Service NodeLocal forwards cluster names to (<c>-upstreamsvc</c>, the kube-dns ClusterIP,
    /// or a name of the cluster domain or a reverse zone); <c>external</c>: the resolver of the node's
    /// <c>/etc/resolv.conf</c> it forwards other names to.
    /// </summary>
    [OneOf(typeof(NodeLocalUpstreamKinds))]
    public required string UpstreamKind { get; init; }

    /// <summary>What the upstream is and how that is known, in words (<c>the coredns Service (10.233.0.3), which selects the CoreDNS pods</c>).</summary>
    public required string UpstreamIs { get; init; }

    /// <summary>The error of the first line (<c>i/o timeout</c>, <c>connection refused</c>).</summary>
    public required string Error { get; init; }

    /// <summary>Lines of this log with a network error to this upstream.</summary>
    public required int Lines { get; init; }

    /// <summary>Distinct names (and types) those lines were for.</summary>
    public required int Names { get; init; }

    public required int LineNumber { get; init; }
    public required int LastLineNumber { get; init; }

    /// <summary>The first line's time to the second, or <c>no timestamp</c>.</summary>
    public required string Time { get; init; }

    /// <summary>The last line's time to the second, or <c>no timestamp</c>.</summary>
    public required string LastTime { get; init; }

    /// <summary>Seconds from the first to the last such line, when both carry a timestamp.</summary>
    public double? SpanSeconds { get; init; }

    /// <summary>The first such line.</summary>
    public required string Text { get; init; }

    /// <summary>For evidence: <c>lines 12 to 40 (27 lines, 2022-08-17 10:55:06 to 10:58:31 UTC)</c>, by line numbers alone without timestamps.</summary>
    public string Window => Lines == 1
        ? LogPosition.Describe(LineNumber, Time, 1, LastTime, LastLineNumber)
        : Time == LogPosition.NoTimestamp || LastTime == LogPosition.NoTimestamp
            ? $"lines {LineNumber} to {LastLineNumber} ({Lines} lines)"
            : $"lines {LineNumber} to {LastLineNumber} ({Lines} lines, {Time} to {LastTime})";

    /// <summary>The node was created after NodeLocal's DaemonSet: a node added later; null when either time is unknown.</summary>
    public bool? NodeJoinedAfterNodeLocal { get; init; }

    /// <summary>For text: <c>node4 joined the cluster at 2025-09-18 14:02:33 UTC, after NodeLocal was set up at ...</c>; empty when not known.</summary>
    public string JoinedText { get; init; } = "";

    /// <summary>A name to ask the upstream for by hand: <c>kubernetes.default.svc.cluster.local</c> of the cluster DNS, else the first name the lines name.</summary>
    public required string ProbeName { get; init; }

    /// <summary>Other NodeLocal DNSCache pods' logs of the snapshot with no error to an upstream of the same kind.</summary>
    public int CleanLogsElsewhere { get; init; }
}

/// <summary>One CoreDNS query log line (the <c>log</c> plugin).</summary>
[FactDescription("A CoreDNS query log line: client, id, type, name, transport, rcode, flags, duration, and whether the name is a cluster name or a search-list expansion.")]
public sealed class CoreDnsQueryLog : Fact
{
    public required string Pod { get; init; }
    public required string Namespace { get; init; }
    public required int LineNumber { get; init; }
    public DateTimeOffset? Timestamp { get; init; }
    public required string Time { get; init; }

    /// <summary>How many lines said the same (same name, type and rcode; or the same signature); this fact is the first.</summary>
    public int Occurrences { get; init; } = 1;

    /// <summary>The last such line's time to the second, or <c>no timestamp</c>.</summary>
    public string LastTime { get; init; } = "no timestamp";

    /// <summary>The last such line's number (this line's, when it is the only one).</summary>
    public int LastLineNumber { get; init; }

    /// <summary>For evidence: empty for a single line, else <c>; 42 such lines, the last at 2024-05-13 08:29:01 UTC</c> (or <c>the last on line 913</c> in a log without timestamps).</summary>
    public string Repeats => LogPosition.Repeats(Occurrences, LastTime, LastLineNumber);

    /// <summary>Where the line is, for evidence: <c>line 12 (2024-05-13 08:21:44 UTC; 42 such lines, the last at ...)</c>, or by line numbers only in a log without timestamps.</summary>
    public string Position => LogPosition.Describe(LineNumber, Time, Occurrences, LastTime, LastLineNumber);

    /// <summary>When it happened, for a cause: <c>at 2024-05-13 08:21:44 UTC</c>, or <c>on line 12 of its log</c> when the log has no timestamps.</summary>
    public string When => LogPosition.When(LineNumber, Time);

    /// <summary>
    /// For evidence: <c>at 08:00:01 UTC</c> for one line (or one second), else <c>between 08:00:01 UTC and 08:05:07 UTC</c>;
    /// in a log without timestamps <c>on line 12</c> or <c>on lines 12 to 913</c>.
    /// </summary>
    public string Window => Time == LogPosition.NoTimestamp
        ? Occurrences > 1 ? $"on lines {LineNumber} to {LastLineNumber}" : $"on line {LineNumber}"
        : Occurrences > 1 && LastTime != Time ? $"between {Time} and {LastTime}" : $"at {Time}";

    /// <summary>Seconds from the first to the last line of this group; null without timestamps.</summary>
    public double? SpanSeconds { get; init; }

    /// <summary>Every answer this log gives clients for the same name and type, whatever the rcode (this group's included).</summary>
    public int Answers { get; init; } = 1;

    /// <summary>How many of <see cref="Answers"/> were not NOERROR (any error rcode).</summary>
    public int FailedAnswers { get; init; } = 1;

    /// <summary>This group's share of <see cref="Answers"/>, in percent: <c>Occurrences * 100 / Answers</c>.</summary>
    public double SharePercent => Answers > 0 ? Math.Min(100, Occurrences * 100.0 / Answers) : 100;

    /// <summary>The share of <see cref="Answers"/> that failed (any error rcode), in percent.</summary>
    public double FailedSharePercent => Answers > 0 ? Math.Min(100, FailedAnswers * 100.0 / Answers) : 100;

    /// <summary>The rcode of the last answer to this name and type in the log.</summary>
    [OneOf(typeof(DnsRcodes))]
    public string LastAnswerRcode { get; init; } = "";

    /// <summary>The time of the last answer to this name and type, to the second, or <c>no timestamp</c>.</summary>
    public string LastAnswerTime { get; init; } = "no timestamp";

    /// <summary>The line of the last answer to this name and type.</summary>
    public int LastAnswerLine { get; init; }

    /// <summary>The last answer for a sentence: <c>line 913 at 2024-05-13 08:29:01 UTC</c>, or <c>line 913</c> without timestamps.</summary>
    public string LastAnswer => LastAnswerTime == LogPosition.NoTimestamp ? $"line {LastAnswerLine}" : $"line {LastAnswerLine} at {LastAnswerTime}";

    /// <summary>The last answer to this name and type was not NOERROR: it was still failing when the log ends.</summary>
    public bool StillFailing => LastAnswerRcode != DnsRcodes.NoError;

    /// <summary>The Corefile server block that serves this name (<c>.:53</c>), when the Corefile is known.</summary>
    public string? ServerKey { get; init; }

    /// <summary>The <c>forward</c> line of that block for this name (<c>forward . /etc/resolv.conf</c>), and its line number.</summary>
    public string? ForwardText { get; init; }

    public int? ForwardLine { get; init; }

    /// <summary>
    /// The addresses CoreDNS sends this name to: the forward line's, or, for a file (<c>/etc/resolv.conf</c>), the
    /// nameservers of that file on the CoreDNS nodes when the snapshot has it. Empty when not known.
    /// </summary>
    public IReadOnlyList<string> UpstreamAddresses { get; init; } = [];

    /// <summary>For text: <c>100.100.2.136, 100.100.2.138</c>, <c>10.0.0.2 (from /etc/resolv.conf on the CoreDNS nodes)</c>, or what is not known.</summary>
    public string Upstream { get; init; } = "the upstream of the Corefile's forward line";

    /// <summary>The first of <see cref="UpstreamAddresses"/>, to query it directly; null when none is known.</summary>
    public string? FirstUpstream => UpstreamAddresses.Count > 0 ? UpstreamAddresses[0] : null;

    public required string Client { get; init; }
    public int? ClientPort { get; init; }
    public required string Id { get; init; }
    public required string Type { get; init; }

    /// <summary>The queried name as logged, with its trailing dot.</summary>
    public required string Name { get; init; }

    /// <summary>The queried name without the trailing dot, lower-case.</summary>
    public required string NameWithoutDot { get; init; }

    [OneOf(typeof(DnsTransports))]
    public required string Transport { get; init; }
    [OneOf(typeof(DnsRcodes))]
    public required string Rcode { get; init; }
    public IReadOnlyList<string> Flags { get; init; } = [];
    public double? DurationSeconds { get; init; }
    public required string Text { get; init; }

    /// <summary>
    /// Who made this rcode: <c>upstream</c>, <c>cache</c> (every such answer well under a millisecond, none went
    /// upstream), <c>authoritative</c> (a zone CoreDNS serves itself) or <c>coredns</c> (forward's max_concurrent).
    /// Rules that blame the upstream read only <c>upstream</c>.
    /// </summary>
    [OneOf(typeof(RcodeProducers))]
    public string RcodeBy { get; init; } = RcodeProducers.Upstream;

    /// <summary>For evidence: why <see cref="RcodeBy"/> says so (<c>answered by the upstream: 2 of 7 took 1.9 ms to 2.2 ms</c>).</summary>
    public string RcodeByDetail { get; init; } = "";

    /// <summary>
    /// The errors plugin logged forward refusing this name and type at max_concurrent (<c>concurrent queries exceeded
    /// maximum 1000</c>); <see cref="RcodeByDetail"/> cites the line.
    /// </summary>
    public bool RefusedAtMaxConcurrent { get; init; }

    /// <summary>How many of this group's answers took less than half a millisecond: served from CoreDNS's cache.</summary>
    public int CachedAnswers { get; init; }

    /// <summary>How many of this group's answers took a network round trip (half a millisecond or more).</summary>
    public int UpstreamAnswers { get; init; }

    /// <summary>The fastest and the slowest of this group's answers, in seconds; null when the lines give no duration.</summary>
    public double? FastestSeconds { get; init; }

    public double? SlowestSeconds { get; init; }

    /// <summary>The CoreDNS version of the pod (its image tag), when known.</summary>
    public string? CoreDnsVersion { get; init; }

    /// <summary>The cache plugin of this version takes <c>servfail DURATION</c> (1.9.4 on); null when the version is not known.</summary>
    public bool? CacheTakesServfail { get; init; }

    /// <summary>The name is under the cluster domain (answered by CoreDNS from the Kubernetes API).</summary>
    public bool IsClusterName { get; init; }

    /// <summary>The name is another queried name with a search-list suffix appended (an expected NXDOMAIN on the way).</summary>
    public bool IsSearchExpansion { get; init; }

    /// <summary>An external name the client really asked for: neither a cluster name nor a search expansion.</summary>
    public bool IsExternal => !IsClusterName && !IsSearchExpansion;
}

/// <summary>
/// A name a client asked through the search list answered NOERROR under a search domain outside the cluster domain
/// (<c>api.example.com.corp.example.net.</c>): the search domain answered a name no zone of it holds, a wildcard.
/// </summary>
[FactDescription("A CoreDNS query log answer NOERROR for a name walked through the search list with a search domain outside the cluster domain appended (NAME.SEARCHDOMAIN): that domain's wildcard record.")]
public sealed class SearchDomainAnswer : Fact
{
    public required string Pod { get; init; }
    public required string Namespace { get; init; }

    /// <summary>The name the client asked for (lower-case, no trailing dot): the failing name, or one seen walking the search list.</summary>
    public required string AskedName { get; init; }

    /// <summary>The search domain appended (lower-case, no trailing dot).</summary>
    public required string SearchDomain { get; init; }

    /// <summary>The name answered, <c>AskedName.SearchDomain</c>.</summary>
    public string Name => AskedName + "." + SearchDomain;

    /// <summary>Dots in <see cref="AskedName"/>, for the ndots that would ask it as it is first.</summary>
    public int AskedDots => AskedName.Count(c => c == '.');

    public required string Type { get; init; }

    /// <summary>How many answers to <see cref="Name"/> and <see cref="Type"/> were NOERROR.</summary>
    public required int NoErrorAnswers { get; init; }

    /// <summary>The line of the first NOERROR answer.</summary>
    public required int LineNumber { get; init; }

    /// <summary>Its time to the second, or <c>no timestamp</c>.</summary>
    public required string Time { get; init; }

    /// <summary>Where the first NOERROR answer is, for evidence: <c>line 12 (2024-05-13 08:21:44 UTC)</c>, or <c>line 12</c> without timestamps.</summary>
    public string Position => LogPosition.Describe(LineNumber, Time, 1, Time, LineNumber);
}

/// <summary>A and AAAA queries for one name sent together from one client port (the conntrack race of parallel lookups).</summary>
[FactDescription("A and AAAA queries for the same name from the same client IP and port within the same second, seen in CoreDNS query logs.")]
public sealed class CoreDnsParallelQuery : Fact
{
    public required string Pod { get; init; }
    public required string Client { get; init; }
    public required int ClientPort { get; init; }
    public required string Name { get; init; }
    public required string Time { get; init; }
    public required int LineNumber { get; init; }

    /// <summary>Where the pair is, for evidence: <c>line 12 (2024-05-13 08:21:44 UTC)</c>, or <c>line 12</c> in a log without timestamps.</summary>
    public string Position => LogPosition.Describe(LineNumber, Time, 1, Time, LineNumber);

    /// <summary>How many such pairs this client sent in the log.</summary>
    public int Occurrences { get; init; }
}

/// <summary>
/// How a log line is named in a finding. Pasted logs (plain <c>kubectl logs</c>) have no timestamps: then a line is
/// placed by its number, never "at no timestamp".
/// </summary>
public static class LogPosition
{
    public const string NoTimestamp = "no timestamp";

    public static string Repeats(int occurrences, string lastTime, int lastLineNumber) => occurrences <= 1 ? ""
        : lastTime == NoTimestamp ? $"; {occurrences} such lines, the last on line {lastLineNumber}"
        : $"; {occurrences} such lines, the last at {lastTime}";

    public static string Describe(int lineNumber, string time, int occurrences, string lastTime, int lastLineNumber)
    {
        var repeats = Repeats(occurrences, lastTime, lastLineNumber);
        return time == NoTimestamp
            ? repeats.Length == 0 ? $"line {lineNumber}" : $"line {lineNumber} ({repeats[2..]})"
            : $"line {lineNumber} ({time}{repeats})";
    }

    public static string When(int lineNumber, string time) => time == NoTimestamp ? $"on line {lineNumber} of its log" : $"at {time}";
}
