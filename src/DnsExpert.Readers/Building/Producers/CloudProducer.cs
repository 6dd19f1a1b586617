using DnsExpert.Facts;
using DnsExpert.Readers.Objects;

namespace DnsExpert.Readers.Building.Producers;

/// <summary>Where the cluster runs: each node's cloud and instance id, and the cloud most nodes show.</summary>
internal static class CloudProducer
{
    /// <summary>Well-known node labels of each managed Kubernetes, for nodes without a <c>spec.providerID</c>.</summary>
    private static readonly (string Label, string Provider)[] CloudLabels =
    [
        ("alibabacloud.com/nodepool-id", "alibaba"), ("ack.aliyun.com", "alibaba"),
        ("eks.amazonaws.com/nodegroup", "aws"), ("eks.amazonaws.com/compute-type", "aws"),
        ("cloud.google.com/gke-nodepool", "gcp"), ("cloud.google.com/gke-os-distribution", "gcp"),
        ("kubernetes.azure.com/cluster", "azure"), ("kubernetes.azure.com/agentpool", "azure"),
    ];

    private static readonly Dictionary<string, string> CloudNames = new(StringComparer.Ordinal)
    {
        ["alibaba"] = "Alibaba Cloud (ACK)", ["aws"] = "AWS (EKS)", ["gcp"] = "Google Cloud (GKE)", ["azure"] = "Azure (AKS)",
    };

    /// <summary>
    /// Each cloud's own name and its managed Kubernetes (<see cref="Distributions"/>; none named for ACK): a cluster
    /// the snapshot shows another distribution built there (k3s, OpenShift, kubespray on EC2) is on the cloud, not its
    /// managed Kubernetes, and is named after the cloud alone.
    /// </summary>
    private static readonly Dictionary<string, (string Cloud, string? Managed)> CloudsAlone = new(StringComparer.Ordinal)
    {
        ["alibaba"] = ("Alibaba Cloud", null), ["aws"] = ("AWS", Distributions.Eks), ["gcp"] = ("Google Cloud", Distributions.Gke),
        ["azure"] = ("Azure", Distributions.Aks),
    };

    /// <summary>A <see cref="NodeCloud"/> per node, and one <see cref="ClusterCloud"/>: the provider most nodes show.</summary>
    public static ProducedFacts Produce(SnapshotObjects objects)
    {
        var facts = new List<Fact>();
        var nodes = objects.Nodes.OrderBy(n => n.Key, StringComparer.Ordinal)
            .Select(n => (Name: n.Key, Cloud: DetectCloud(n.Value)))
            .ToList();
        foreach (var (name, (provider, instance, evidence)) in nodes)
        {
            facts.Add(new NodeCloud { Source = $"Node {name}", Node = name, Provider = provider, InstanceId = instance, Evidence = evidence });
        }

        var known = nodes.Where(n => n.Cloud.Provider != "unknown").ToList();
        var distribution = objects.Distribution?.Distribution;
        var winner = known.GroupBy(n => n.Cloud.Provider).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).FirstOrDefault();
        facts.Add(winner is null
            ? new ClusterCloud { Source = objects.Nodes.Count == 0 ? "snapshot (no Node objects)" : "Nodes", Provider = "unknown", Name = "no cloud provider shown" }
            : new ClusterCloud
            {
                Source = $"Node {winner.First().Name}",
                Provider = winner.Key,
                Name = distribution is not null && distribution != CloudsAlone[winner.Key].Managed ? CloudsAlone[winner.Key].Cloud : CloudNames[winner.Key],
                Evidence = $"node {winner.First().Name}: {winner.First().Cloud.Evidence}",
            });

        return new ProducedFacts(facts);
    }

    /// <summary>
    /// The provider and instance id in <c>spec.providerID</c>: <c>alicloud://cn-hangzhou.i-bp1...</c> (or ACK's bare
    /// <c>cn-hangzhou.i-bp1...</c>), <c>aws:///us-east-1a/i-0abc...</c>, <c>gce://project/zone/name</c>,
    /// <c>azure:///subscriptions/.../virtualMachineScaleSets/pool/virtualMachines/0</c>; else the well-known labels.
    /// </summary>
    internal static (string Provider, string? InstanceId, string Evidence) DetectCloud(Node node)
    {
        var id = node.Spec?.ProviderID?.Trim();
        if (!string.IsNullOrEmpty(id))
        {
            var evidence = $"spec.providerID {id}";
            var scheme = id.IndexOf("://", StringComparison.Ordinal) is var s and > 0 ? id[..s] : "";
            var segments = id[(scheme.Length == 0 ? 0 : scheme.Length + 3)..].Split('/', StringSplitOptions.RemoveEmptyEntries);
            var last = segments.Length == 0 ? null : segments[^1];
            switch (scheme)
            {
                case "alicloud" or "" when last is not null && last.Contains(".i-", StringComparison.Ordinal):
                    return ("alibaba", last[(last.IndexOf(".i-", StringComparison.Ordinal) + 1)..], evidence);
                case "alicloud":
                    return ("alibaba", last, evidence);
                case "aws":
                    return ("aws", last, evidence);
                case "gce":
                    return ("gcp", last, evidence);
                case "azure":
                    // A scale set instance is named <scale set>_<instance>, as Azure shows it.
                    var set = Array.FindIndex(segments, x => x.Equals("virtualMachineScaleSets", StringComparison.OrdinalIgnoreCase));
                    return ("azure", set >= 0 && set + 3 < segments.Length ? $"{segments[set + 1]}_{segments[set + 3]}" : last, evidence);
            }
        }

        var labels = node.Metadata?.Labels;
        foreach (var (label, provider) in CloudLabels)
        {
            if (labels?.ContainsKey(label) == true)
            {
                return (provider, null, $"label {label}");
            }
        }

        return ("unknown", null, string.IsNullOrEmpty(id) ? "no spec.providerID, no cloud label" : $"spec.providerID {id}");
    }
}
