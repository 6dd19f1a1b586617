using DnsExpert.Facts;
using DnsExpert.Readers.Objects;
using DnsExpert.Readers.Parsing;

namespace DnsExpert.Readers.Building.Producers;

/// <summary>The nodes: kernel, OS, kubelet, readiness, CPU use, and whether they run CoreDNS or the target pod.</summary>
internal static class NodeProducer
{
    public static ProducedFacts Produce(SnapshotObjects objects, ClusterContext cluster)
    {
        var facts = new List<Fact>();
        var targetNode = cluster.TargetPod is null ? null : objects.Pod(cluster.TargetNamespace, cluster.TargetPod)?.Spec?.NodeName;
        var coreDnsNodes = objects.CoreDnsPods.Select(p => p.Spec?.NodeName).OfType<string>().ToHashSet(StringComparer.Ordinal);
        foreach (var (name, node) in objects.Nodes)
        {
            var info = node.Status?.NodeInfo;
            facts.Add(new ClusterNode
            {
                Source = $"Node {name}",
                Name = name,
                ProviderId = node.Spec?.ProviderID,
                InstanceId = InstanceId(node.Spec?.ProviderID),
                KernelVersion = info?.KernelVersion,
                Kernel = KernelVersion.TryParse(info?.KernelVersion, out var kernel) ? kernel : null,
                Kubelet = ReleaseVersion.TryParse(info?.KubeletVersion, out var kubelet) ? kubelet : null,
                OsImage = info?.OsImage,
                Architecture = info?.Architecture,
                KubeletVersion = info?.KubeletVersion,
                Ready = node.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") ?? false,
                CpuPercent = CpuPercent(objects, name, node),
                HostsCoreDns = coreDnsNodes.Contains(name),
                HostsTarget = name == targetNode,
                ConcernsFailure = name == targetNode,
            });
        }

        // A node only `kubectl top nodes` named (its JSON not read): its CPU share, as kubectl printed it.
        foreach (var name in objects.NodeMetrics.Keys.Where(n => !objects.Nodes.ContainsKey(n)).Order(StringComparer.Ordinal))
        {
            facts.Add(new ClusterNode
            {
                Source = $"NodeMetrics {name}",
                Name = name,
                CpuPercent = CpuPercent(objects, name, null),
                HostsCoreDns = coreDnsNodes.Contains(name),
                HostsTarget = name == targetNode,
                ConcernsFailure = name == targetNode,
            });
        }

        foreach (var missing in coreDnsNodes.Where(n => !objects.Nodes.ContainsKey(n) && !objects.NodeMetrics.ContainsKey(n)).Order(StringComparer.Ordinal))
        {
            // The node object is not in the snapshot, but the ticket still needs the node's name.
            facts.Add(new ClusterNode { Source = $"Pod spec.nodeName {missing}", Name = missing, HostsCoreDns = true, HostsTarget = missing == targetNode });
        }

        return new ProducedFacts(facts);
    }

    /// <summary>
    /// The node's CPU use as a share of its allocatable CPU: from the usage and the node's JSON, or, without the JSON,
    /// the share <c>kubectl top nodes</c> printed (kubectl computes it against the same allocatable CPU).
    /// </summary>
    private static double? CpuPercent(SnapshotObjects objects, string name, Node? node)
    {
        var metrics = objects.NodeMetrics.GetValueOrDefault(name);
        var usage = ResourceQuantities.Millicores(metrics?.Usage, "cpu");
        var allocatable = ResourceQuantities.Millicores(node?.Status?.Allocatable, "cpu");
        if (usage is { } u && allocatable is > 0)
        {
            return u * 100 / allocatable;
        }

        return metrics?.Metadata?.Annotations is { } annotations && annotations.TryGetValue(PastedTables.KubectlCpuPercent, out var printed)
            && double.TryParse(printed, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var percent)
            ? percent
            : null;
    }

    /// <summary>
    /// The cloud instance id in <c>spec.providerID</c>: Alibaba Cloud <c>cn-hangzhou.i-bp1...</c>,
    /// AWS <c>aws:///us-east-1a/i-0abc...</c>, GCE <c>gce://project/zone/name</c>, Azure <c>azure:///subscriptions/.../virtualMachines/name</c>.
    /// </summary>
    private static string? InstanceId(string? providerId)
    {
        if (string.IsNullOrWhiteSpace(providerId))
        {
            return null;
        }

        var last = providerId.TrimEnd('/');
        last = last[(last.LastIndexOf('/') + 1)..];
        if (!providerId.Contains("://", StringComparison.Ordinal))
        {
            // Alibaba Cloud: "<region>.<instance id>"
            var dot = last.IndexOf(".i-", StringComparison.Ordinal);
            return dot >= 0 ? last[(dot + 1)..] : last;
        }

        return last.Length == 0 ? null : last;
    }
}
