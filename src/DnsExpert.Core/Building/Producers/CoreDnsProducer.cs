using DnsExpert.Core.Facts;
using DnsExpert.Core.Parsing;
using k8s.Models;

namespace DnsExpert.Core.Building.Producers;

/// <summary>
/// The cluster's DNS service: NodeLocal DNSCache, the cluster DNS settings, the kube-dns Service and its endpoints,
/// and each CoreDNS pod with its state, version and resource use.
/// </summary>
internal static class CoreDnsProducer
{
    private const string KubeSystem = SnapshotObjects.KubeSystem;

    public static ProducedFacts Produce(SnapshotObjects objects, ClusterContext cluster)
    {
        var facts = new List<Fact>();
        var kubeDns = objects.Service(KubeSystem, "kube-dns");
        var nodeLocal = objects.NodeLocalDaemonSet();
        if (nodeLocal is not null && cluster.NodeLocalIp is { } localIp)
        {
            facts.Add(new NodeLocalDnsCache
            {
                Source = $"DaemonSet kube-system/{nodeLocal.Metadata?.Name}",
                Name = nodeLocal.Metadata?.Name ?? "node-local-dns",
                LocalIp = localIp,
                DesiredPods = nodeLocal.Status?.DesiredNumberScheduled ?? 0,
                ReadyPods = nodeLocal.Status?.NumberReady ?? 0,
            });
        }

        var coreDnsVersions = objects.CoreDnsPods.Select(p => ReleaseVersion.FromImage(p.Spec?.Containers?.FirstOrDefault(c => c.Name == "coredns")?.Image ?? p.Spec?.Containers?.FirstOrDefault()?.Image))
            .OfType<ReleaseVersion>().ToList();
        var kubeletVersions = objects.Nodes.Values.Select(n => ReleaseVersion.TryParse(n.Status?.NodeInfo?.KubeletVersion, out var v) ? v : null).OfType<ReleaseVersion>().ToList();
        facts.Add(new ClusterDns
        {
            Source = kubeDns is null ? "snapshot" : "Service kube-system/kube-dns",
            ClusterDomain = cluster.ClusterDomain,
            KubeDnsClusterIp = kubeDns?.Spec?.ClusterIP,
            NodeLocalPresent = cluster.NodeLocalKnown ? nodeLocal is not null : null,
            NodeLocalIp = cluster.NodeLocalIp,
            CoreDnsVersion = coreDnsVersions.Count == 0 ? null : coreDnsVersions.Min(),
            KubernetesVersion = kubeletVersions.Count == 0 ? null : kubeletVersions.Min(),
        });

        if (kubeDns is not null)
        {
            facts.Add(new KubeDnsService
            {
                Source = "Service kube-system/kube-dns",
                Namespace = KubeSystem,
                Name = "kube-dns",
                ClusterIp = kubeDns.Spec?.ClusterIP,
                SessionAffinity = kubeDns.Spec?.SessionAffinity ?? "None",
            });
        }

        // The endpoints are their own object: read without the Service too (kubectl get endpoints kube-dns alone).
        var (known, ready, notReady) = objects.CountEndpoints(kubeDns ?? new V1Service { Metadata = new V1ObjectMeta { NamespaceProperty = KubeSystem, Name = "kube-dns" } });
        if (known)
        {
            facts.Add(new KubeDnsEndpoints
            {
                Source = "Endpoints/EndpointSlices kube-system/kube-dns",
                Namespace = KubeSystem,
                Name = "kube-dns",
                ReadyEndpoints = ready,
                NotReadyEndpoints = notReady,
            });
        }

        foreach (var pod in objects.CoreDnsPods)
        {
            var name = pod.Metadata!.Name;
            var container = pod.Spec?.Containers?.FirstOrDefault(c => c.Name == "coredns") ?? pod.Spec?.Containers?.FirstOrDefault();
            var status = pod.Status?.ContainerStatuses?.FirstOrDefault(c => c.Name == container?.Name) ?? pod.Status?.ContainerStatuses?.FirstOrDefault();
            // A pod's only container takes the pod's only metrics whatever their name (kubectl top without --containers has none).
            var metrics = objects.PodMetrics.GetValueOrDefault(SnapshotObjects.Key(KubeSystem, name))?.Containers;
            var usage = (metrics?.FirstOrDefault(c => c.Name == (container?.Name ?? "coredns"))
                ?? (metrics is { Count: 1 } && (pod.Spec?.Containers?.Count ?? 0) <= 1 ? metrics[0] : null))?.Usage;
            var limits = container?.Resources?.Limits;
            if (usage is not null)
            {
                facts.Add(new CoreDnsPodMetrics
                {
                    Source = $"PodMetrics kube-system/{name}",
                    Namespace = KubeSystem,
                    Name = name,
                    CpuMillicores = ResourceQuantities.Millicores(usage, "cpu"),
                    MemoryBytes = ResourceQuantities.Bytes(usage, "memory"),
                });
            }

            facts.Add(new CoreDnsPod
            {
                Source = $"Pod kube-system/{name}",
                Namespace = KubeSystem,
                Name = name,
                Node = pod.Spec?.NodeName,
                Ip = pod.Status?.PodIP,
                Phase = pod.Status?.Phase,
                Ready = PodReady(pod),
                Restarts = status?.RestartCount ?? 0,
                WaitingReason = status?.State?.Waiting?.Reason,
                LastTerminationReason = status?.LastState?.Terminated?.Reason,
                Image = container?.Image,
                VersionText = ImageTag(container?.Image),
                Version = ReleaseVersion.FromImage(container?.Image),
                CpuMillicores = ResourceQuantities.Millicores(usage, "cpu"),
                CpuLimitMillicores = ResourceQuantities.Millicores(limits, "cpu"),
                MemoryBytes = ResourceQuantities.Bytes(usage, "memory"),
                MemoryLimitBytes = ResourceQuantities.Bytes(limits, "memory"),
            });
        }

        return new ProducedFacts(facts);
    }

    private static string? ImageTag(string? image)
    {
        if (string.IsNullOrEmpty(image))
        {
            return null;
        }

        var withoutDigest = image.Split('@')[0];
        var lastSlash = withoutDigest.LastIndexOf('/');
        var colon = withoutDigest.LastIndexOf(':');
        return colon > lastSlash ? withoutDigest[(colon + 1)..] : null;
    }

    /// <summary>
    /// The pod's Ready condition; when a trimmed snapshot has no conditions, every container reporting ready (a pod
    /// without either is not known to be ready).
    /// </summary>
    private static bool PodReady(V1Pod pod)
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
