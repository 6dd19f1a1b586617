using DnsExpert.Contract;
using DnsExpert.Facts;
using DnsExpert.Readers.Objects;
using DnsExpert.Readers.Parsing;

namespace DnsExpert.Readers.Building.Producers;

/// <summary>
/// The cluster's DNS service: NodeLocal DNSCache, the cluster DNS settings, the kube-dns Service and its endpoints,
/// and each CoreDNS pod with its state, version and resource use.
/// </summary>
internal static class CoreDnsProducer
{
    private const string KubeSystem = SnapshotObjects.KubeSystem;

    /// <summary>
    /// The facts of the cluster DNS objects; <paramref name="logs"/> and <paramref name="logFacts"/> (what was read from
    /// them) say whether kube-dns's dnsmasq log was read; a <c>kubectl version</c> among <paramref name="files"/> gives the
    /// API server's version.
    /// </summary>
    public static ProducedFacts Produce(SnapshotObjects objects, ClusterContext cluster, IList<LogArtifact> logs, IReadOnlyList<Fact> logFacts, IList<FileArtifact> files)
    {
        var facts = new List<Fact>();
        if (cluster.NodeLocal is { } nodeLocal)
        {
            facts.Add(NodeLocalCache(objects, cluster, nodeLocal));
        }

        facts.Add(ClusterDnsSettings(objects, cluster, logs, logFacts, files));
        facts.AddRange(ServiceFacts(objects));
        foreach (var pod in objects.CoreDnsPods)
        {
            facts.AddRange(PodFacts(objects, pod));
        }

        return new ProducedFacts(facts);
    }

    /// <summary>NodeLocal DNSCache as its DaemonSet (and Corefile) set it up: where it listens and what it forwards to.</summary>
    private static NodeLocalDnsCache NodeLocalCache(SnapshotObjects objects, ClusterContext cluster, NodeLocalSetup nodeLocal) => new()
    {
        Source = $"DaemonSet {nodeLocal.Namespace}/{nodeLocal.Name}",
        Name = nodeLocal.Name,
        Namespace = nodeLocal.Namespace,
        PodSelector = nodeLocal.PodSelector,
        LocalIp = nodeLocal.LocalIp,
        Addresses = nodeLocal.Addresses,
        AddressesFrom = nodeLocal.AddressesFrom,
        InterceptsClusterIp = cluster.NodeLocalInterceptsClusterIp,
        UpstreamService = nodeLocal.UpstreamService,
        // An address its Corefile names is what node-cache forwards to: it fills in only __PILLAR__CLUSTER__DNS__ from -upstreamsvc.
        UpstreamIp = (nodeLocal.ClusterForwards is [var named, ..] ? named : null)
            ?? (nodeLocal.UpstreamService is { } upstream ? objects.Service(nodeLocal.Namespace, upstream)?.Spec?.ClusterIP
                : cluster.NodeLocalInterceptsClusterIp ? null : objects.ClusterDns.Service?.Spec?.ClusterIP),
        DesiredPods = nodeLocal.DaemonSet.Status?.DesiredNumberScheduled ?? 0,
        ReadyPods = nodeLocal.DaemonSet.Status?.NumberReady ?? 0,
    };

    /// <summary>The cluster DNS as a whole: its Service address, NodeLocal, versions, distribution and the names its checks use.</summary>
    private static ClusterDns ClusterDnsSettings(SnapshotObjects objects, ClusterContext cluster, IList<LogArtifact> logs, IReadOnlyList<Fact> logFacts, IList<FileArtifact> files)
    {
        var isKubeDns = ClusterDistribution.IsKubeDns(objects);
        var kubeDns = objects.ClusterDns.Service;
        var (serviceNamespace, serviceName) = objects.ClusterDns.ServiceName;
        var nodeLocal = cluster.NodeLocal;
        var coreDnsVersions = objects.CoreDnsPods.Select(p => ReleaseVersion.FromImage(ClusterDnsIdentity.CoreDnsImage(p.Spec?.Containers)))
            .OfType<ReleaseVersion>().ToList();
        var distribution = objects.Distribution;
        var autoscaler = ClusterDnsScaling.Autoscaler(objects);
        // The nodes' kubelets and the API server a kubectl version reached: a kubelet is never newer than its API server,
        // so the oldest of them is the oldest kubelet when the nodes are known, and the server's version when they are not.
        var kubeletVersions = objects.Nodes.Values.Select(n => ReleaseVersion.TryParse(n.Status?.NodeInfo?.KubeletVersion, out var v) ? v : null)
            .Concat(files.Where(f => f.Text is not null && EvidenceReader.KubectlVersion.Reads(f)).Select(f => KubectlVersionOutput.Read(f.Text)?.Server))
            .OfType<ReleaseVersion>().ToList();
        return new ClusterDns
        {
            Source = kubeDns is null ? "snapshot" : $"Service {serviceNamespace}/{serviceName}",
            ClusterDomain = cluster.ClusterDomain,
            KubeDnsClusterIp = kubeDns?.Spec?.ClusterIP,
            NodeLocalPresent = cluster.NodeLocalKnown ? nodeLocal is not null : null,
            NodeLocalIp = cluster.NodeLocalIp,
            NodeLocalName = nodeLocal?.Name,
            NodeLocalNamespace = nodeLocal?.Namespace ?? cluster.NodeLocalConfig?.Namespace,
            NodeLocalInterceptsClusterIp = nodeLocal is null ? null : cluster.NodeLocalInterceptsClusterIp,
            NodeLocalConfigBinds = cluster.NodeLocalConfig?.Binds ?? [],
            NodeLocalConfigUpstream = cluster.NodeLocalConfig?.ClusterForwards is [var forward, ..] ? forward : null,
            CoreDnsVersion = coreDnsVersions.Count == 0 ? null : coreDnsVersions.Min(),
            KubernetesVersion = kubeletVersions.Count == 0 ? null : kubeletVersions.Min(),
            PodsNamespace = objects.ClusterDns.Shown ? objects.ClusterDns.PodsNamespace : null,
            // A Corefile alone says nothing of the pods' labels (kubespray's ConfigMap is kubeadm's coredns, its older pods k8s-app=coredns);
            // the workload's own selector does.
            PodsSelector = objects.ClusterDns.Service is not null || objects.ClusterDns.Pods.Count > 0 || objects.ClusterDns.WorkloadSelector is not null
                ? objects.ClusterDns.PodsSelector : null,
            CorefileConfigMap = objects.ClusterDns.Shown ? objects.ClusterDns.CorefileName.Name : null,
            Workload = objects.ClusterDns.Shown ? objects.ClusterDns.Workload : null,
            WorkloadReplicas = ClusterDnsScaling.Replicas(objects),
            Autoscaler = autoscaler?.Workload,
            AutoscalerConfigMap = autoscaler?.ConfigMap,
            Distribution = distribution?.Distribution,
            DistributionEvidence = distribution?.Evidence,
            KubeDns = isKubeDns,
            DnsmasqLogRead = DnsmasqLogRead(objects, isKubeDns, logs, logFacts),
        };
    }

    /// <summary>
    /// Whether kube-dns's dnsmasq log was read (<see cref="ClusterDns.DnsmasqLogRead"/>): a cluster DNS pod's
    /// <c>dnsmasq</c> container's log, or a line only dnsmasq prints in any log read as the cluster DNS's.
    /// </summary>
    private static bool? DnsmasqLogRead(SnapshotObjects objects, bool isKubeDns, IList<LogArtifact> logs, IReadOnlyList<Fact> logFacts) =>
        logs.Any(l => l is { Container: "dnsmasq", Text: not null, Pod: { } pod } && objects.ClusterDns.IsDnsPod(l.Namespace ?? KubeSystem, pod))
            || logFacts.OfType<CoreDnsLogEvent>().Any(e => e.Kind == CoreDnsLogEventKinds.DnsmasqForwardMax)
            ? true
            : isKubeDns ? null : false;

    /// <summary>The cluster DNS Service and its endpoints (read without the Service too: <c>kubectl get endpoints kube-dns</c> alone).</summary>
    private static IEnumerable<Fact> ServiceFacts(SnapshotObjects objects)
    {
        var kubeDns = objects.ClusterDns.Service;
        var (serviceNamespace, serviceName) = objects.ClusterDns.ServiceName;
        if (kubeDns is not null)
        {
            yield return new KubeDnsService
            {
                Source = $"Service {serviceNamespace}/{serviceName}",
                Namespace = serviceNamespace,
                Name = serviceName,
                ClusterIp = kubeDns.Spec?.ClusterIP,
                SessionAffinity = kubeDns.Spec?.SessionAffinity ?? "None",
            };
        }

        var (known, ready, notReady) = objects.CountEndpoints(kubeDns ?? new Service { Metadata = new ObjectMeta { NamespaceProperty = serviceNamespace, Name = serviceName } });
        if (known)
        {
            yield return new KubeDnsEndpoints
            {
                Source = $"Endpoints/EndpointSlices {serviceNamespace}/{serviceName}",
                Namespace = serviceNamespace,
                Name = serviceName,
                ReadyEndpoints = ready,
                NotReadyEndpoints = notReady,
            };
        }
    }

    /// <summary>One cluster DNS pod: its metrics when <c>kubectl top</c> gave them, then its state, version and resources.</summary>
    private static IEnumerable<Fact> PodFacts(SnapshotObjects objects, Pod pod)
    {
        var name = pod.Metadata!.Name;
        var ns = pod.Metadata.NamespaceProperty ?? KubeSystem;
        var container = ClusterDnsIdentity.DnsContainer(pod.Spec?.Containers);
        var status = Status(pod, container?.Name);
        // A pod's only container takes the pod's only metrics whatever their name (kubectl top without --containers has none).
        var metrics = objects.PodMetrics.GetValueOrDefault(SnapshotObjects.Key(ns, name))?.Containers;
        var usage = (metrics?.FirstOrDefault(c => c.Name == (container?.Name ?? "coredns"))
            ?? (metrics is { Count: 1 } && (pod.Spec?.Containers?.Count ?? 0) <= 1 ? metrics[0] : null))?.Usage;
        var limits = container?.Resources?.Limits;
        if (usage is not null)
        {
            yield return new CoreDnsPodMetrics
            {
                Source = $"PodMetrics {ns}/{name}",
                Namespace = ns,
                Name = name,
                CpuMillicores = ResourceQuantities.Millicores(usage, "cpu"),
                MemoryBytes = ResourceQuantities.Bytes(usage, "memory"),
            };
        }

        var lastTerminated = status?.LastState?.Terminated?.FinishedAt is { } finished ? TicketTime.Utc(finished) : (DateTimeOffset?)null;
        yield return new CoreDnsPod
        {
            Source = $"Pod {ns}/{name}",
            Namespace = ns,
            Name = name,
            Node = pod.Spec?.NodeName,
            Ip = pod.Status?.PodIP,
            Phase = pod.Status?.Phase,
            Ready = PodReady(pod),
            Restarts = status?.RestartCount ?? 0,
            WaitingReason = status?.State?.Waiting?.Reason,
            LastTerminationReason = status?.LastState?.Terminated?.Reason,
            LastTerminatedAt = lastTerminated,
            LastTerminatedTime = lastTerminated is null ? null : TicketTime.Format(lastTerminated),
            Container = container?.Name,
            ServiceAccount = pod.Spec?.ServiceAccountName,
            Image = container?.Image,
            VersionText = ClusterDnsIdentity.CoreDnsImage(pod.Spec?.Containers) is { Length: > 0 } image ? ContainerImage.Tag(image) : null,
            Version = ReleaseVersion.FromImage(ClusterDnsIdentity.CoreDnsImage(pod.Spec?.Containers)),
            CpuMillicores = ResourceQuantities.Millicores(usage, "cpu"),
            CpuLimitMillicores = ResourceQuantities.Millicores(limits, "cpu"),
            MemoryBytes = ResourceQuantities.Bytes(usage, "memory"),
            MemoryLimitBytes = ResourceQuantities.Bytes(limits, "memory"),
        };
    }

    /// <summary>
    /// The status that says how the pod fares: the DNS container's, unless another of its containers waits or restarts
    /// more (kube-dns's <c>dnsmasq</c> and <c>sidecar</c> crash on their own; a table puts the pod's restarts on the first).
    /// </summary>
    private static ContainerStatus? Status(Pod pod, string? container)
    {
        var statuses = pod.Status?.ContainerStatuses ?? [];
        var own = statuses.FirstOrDefault(c => c.Name == container) ?? statuses.FirstOrDefault();
        var worst = statuses.OrderByDescending(c => c.State?.Waiting is not null).ThenByDescending(c => c.RestartCount).FirstOrDefault();
        return worst is not null && own is not null && (worst.State?.Waiting is not null && own.State?.Waiting is null || worst.RestartCount > own.RestartCount) ? worst : own;
    }

    /// <summary>
    /// The pod's Ready condition; when a trimmed snapshot has no conditions, every container reporting ready (a pod
    /// without either is not known to be ready).
    /// </summary>
    internal static bool PodReady(Pod pod)
    {
        var condition = pod.Status?.Conditions?.FirstOrDefault(c => c.Type == "Ready");
        if (condition is not null)
        {
            return condition.Status == "True";
        }

        var containers = pod.Status?.ContainerStatuses;
        return containers is { Count: > 0 } && containers.All(c => c.Ready);
    }
}
