using DnsExpert.Core.Facts;
using DnsExpert.Core.Parsing;
using k8s.Models;

namespace DnsExpert.Core.Building;

/// <summary>Where the cluster runs and where CoreDNS sends a name: the facts a remediation needs to name the right resolver.</summary>
internal sealed partial class BuildContext
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

    /// <summary>A <see cref="NodeCloud"/> per node, and one <see cref="ClusterCloud"/>: the provider most nodes show.</summary>
    private void BuildCloud()
    {
        var nodes = Nodes.OrderBy(n => n.Key, StringComparer.Ordinal)
            .Select(n => (Name: n.Key, Cloud: DetectCloud(n.Value)))
            .ToList();
        foreach (var (name, (provider, instance, evidence)) in nodes)
        {
            Facts.Add(new NodeCloud { Source = $"Node {name}", Node = name, Provider = provider, InstanceId = instance, Evidence = evidence });
        }

        var known = nodes.Where(n => n.Cloud.Provider != "unknown").ToList();
        var winner = known.GroupBy(n => n.Cloud.Provider).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).FirstOrDefault();
        Facts.Add(winner is null
            ? new ClusterCloud { Source = Nodes.Count == 0 ? "snapshot (no Node objects)" : "Nodes", Provider = "unknown", Name = "no cloud provider shown" }
            : new ClusterCloud
            {
                Source = $"Node {winner.First().Name}",
                Provider = winner.Key,
                Name = CloudNames[winner.Key],
                Evidence = $"node {winner.First().Name}: {winner.First().Cloud.Evidence}",
            });
    }

    /// <summary>
    /// The provider and instance id in <c>spec.providerID</c>: <c>alicloud://cn-hangzhou.i-bp1...</c> (or ACK's bare
    /// <c>cn-hangzhou.i-bp1...</c>), <c>aws:///us-east-1a/i-0abc...</c>, <c>gce://project/zone/name</c>,
    /// <c>azure:///subscriptions/.../virtualMachineScaleSets/pool/virtualMachines/0</c>; else the well-known labels.
    /// </summary>
    internal static (string Provider, string? InstanceId, string Evidence) DetectCloud(V1Node node)
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

    /// <summary>Where CoreDNS forwards a name: the server block serving it, its forward line, and the addresses behind it.</summary>
    internal sealed record ForwardRoute(string ServerKey, string? ForwardText, int? ForwardLine, IReadOnlyList<string> Addresses, string Upstream);

    /// <summary>
    /// The routes of the Corefile, read once before the logs are scanned: per name, the server block on port 53 with the
    /// longest matching zone, and in it the forward line with the longest matching <c>from</c> zone.
    /// </summary>
    private Func<string, ForwardRoute?> ForwardRoutes()
    {
        var servers = Facts.OfType<CorefileServer>().ToList();
        var upstreams = Facts.OfType<CorefileUpstream>().ToList();
        if (servers.Count == 0)
        {
            return _ => null;
        }

        // A forward to a file reads that file in the CoreDNS pod: with dnsPolicy Default, its node's.
        var coreDnsNodes = CoreDnsPods().Select(p => p.Spec?.NodeName).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var nodeResolvers = Facts.OfType<NodeResolvConf>().Where(r => coreDnsNodes.Contains(r.Node))
            .SelectMany(r => r.Nameservers).Distinct(StringComparer.Ordinal).ToList();
        var port53 = servers.Where(s => s.Port == 53).ToList();
        if (port53.Count == 0)
        {
            port53 = servers;
        }

        return name =>
        {
            var server = port53.Select(s => (Server: s, Zone: s.Zones.Select(Zone).Where(z => Covers(z, name)).DefaultIfEmpty(null).Max(z => z?.Length ?? -1)))
                .Where(x => x.Zone >= 0).OrderByDescending(x => x.Zone).Select(x => x.Server).FirstOrDefault();
            if (server is null)
            {
                return null;
            }

            var forward = upstreams.Where(u => u.ServerIndex == server.Index && Covers(Zone(u.From), name))
                .GroupBy(u => u.Line).OrderByDescending(g => Zone(g.First().From).Length).FirstOrDefault()?.ToList();
            if (forward is null)
            {
                return new ForwardRoute(server.Key, null, null, [], $"nothing: server block {server.Key} has no forward line for this name");
            }

            var addresses = new List<string>();
            var parts = new List<string>();
            foreach (var u in forward)
            {
                if (u.Address is { } address)
                {
                    var shown = u.Port == 53 ? address : $"{address}:{u.Port}";
                    addresses.Add(shown);
                    parts.Add(shown);
                }
                else if (u.File is { } file && nodeResolvers.Count > 0)
                {
                    addresses.AddRange(nodeResolvers);
                    parts.Add($"{string.Join(", ", nodeResolvers)} (the nameservers of {file} on the CoreDNS nodes)");
                }
                else
                {
                    parts.Add(u.File is { } f ? $"the nameservers of {f} on the CoreDNS nodes (not in the snapshot)" : u.Target);
                }
            }

            return new ForwardRoute(server.Key, forward[0].Text, forward[0].Line, addresses.Distinct(StringComparer.Ordinal).ToList(), string.Join(", ", parts));
        };

        static string Zone(string zone) => zone == "." ? "" : zone.TrimEnd('.').ToLowerInvariant();

        static bool Covers(string zone, string name) => zone.Length == 0 || name == zone || name.EndsWith("." + zone, StringComparison.Ordinal);
    }
}
