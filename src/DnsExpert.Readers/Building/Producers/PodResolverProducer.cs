using DnsExpert.Contract;
using DnsExpert.Facts;
using DnsExpert.Readers.Parsing;
using DnsExpert.Text;

namespace DnsExpert.Readers.Building.Producers;

/// <summary>
/// The resolvers of the pods: every <c>/etc/resolv.conf</c> collected (pods' and nodes'), and for the target pod its
/// DNS settings as it really uses them and the search line kubelet composes for it.
/// </summary>
internal static class PodResolverProducer
{
    /// <summary>The node's resolv.conf, as kubelet reads it for pods (its <c>--resolv-conf</c>, usually one of these).</summary>
    private static readonly string[] NodeResolvConfPaths = ["/etc/resolv.conf", "/run/systemd/resolve/resolv.conf"];

    public static ProducedFacts Produce(IList<FileArtifact> files, SnapshotObjects objects, ClusterContext cluster)
    {
        var facts = new List<Fact>();
        var notes = new List<CollectionEntry>();
        var kubelet = KubeletResolvConfs(files, objects);
        facts.AddRange(ResolvConfs(files, cluster));
        facts.AddRange(NodeResolvConfs(files, kubelet));
        if (TargetPod(objects, cluster, facts.OfType<PodResolvConf>(), notes) is { } pod)
        {
            facts.Add(pod);
            if (SearchLine(pod, files, cluster) is { } searchLine)
            {
                facts.Add(searchLine);
            }
        }

        return new ProducedFacts(facts, notes);
    }

    /// <summary>
    /// The file kubelet hands to dnsPolicy Default pods, per node, with where it was read: a node's own kubelet
    /// configuration (<c>cat /var/lib/kubelet/config.yaml</c>, configz) before the kubeadm ConfigMap
    /// (<c>kube-system/kubelet-config</c>, key <c>kubelet</c>), which holds for every node (under the empty name).
    /// </summary>
    private static Dictionary<string, (string Path, string Source)> KubeletResolvConfs(IList<FileArtifact> files, SnapshotObjects objects)
    {
        var byNode = new Dictionary<string, (string, string)>(StringComparer.Ordinal);
        foreach (var (key, map) in objects.ConfigMaps.OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            if (map.Metadata?.NamespaceProperty is SnapshotObjects.KubeSystem or null && map.Metadata?.Name is { } name
                && name.StartsWith("kubelet-config", StringComparison.Ordinal) && map.Data?.TryGetValue("kubelet", out var text) == true
                && KubeletConfigParser.ResolvConf(text) is (true, var path))
            {
                byNode[""] = (path, $"ConfigMap kube-system/{name}");
            }
        }

        foreach (var file in files)
        {
            if (file is { Pod: null, Node: { } node, Text: { } text } && !text.Contains("nameserver ", StringComparison.Ordinal)
                && KubeletConfigParser.ResolvConf(text) is (true, var path))
            {
                byNode[node] = (path, $"Node {node} {file.Path ?? file.Command ?? "kubelet configuration"}");
            }
        }

        return byNode;
    }

    /// <summary>The nodes' resolv.conf files: the usual two paths and the one the kubelet configuration names.</summary>
    private static IEnumerable<Fact> NodeResolvConfs(IList<FileArtifact> files, Dictionary<string, (string Path, string Source)> kubelet)
    {
        var nodeFiles = new List<(FileArtifact File, ResolvConf Resolv, string Kubelet, string? From)>();
        foreach (var file in files)
        {
            if (file is { Pod: null, Node: { } node, Path: { } path, Text: { } text })
            {
                var (kubeletPath, from) = kubelet.TryGetValue(node, out var own) ? own
                    : kubelet.TryGetValue("", out var all) ? all
                    : (KubeletConfigParser.DefaultResolvConf, null);
                if (NodeResolvConfPaths.Contains(path) || path == kubeletPath)
                {
                    nodeFiles.Add((file, ResolvConfParser.Parse(text), kubeletPath, from));
                }
            }
        }

        foreach (var (file, resolv, kubeletPath, from) in nodeFiles)
        {
            var node = file.Node!;
            var sameNode = nodeFiles.Where(f => f.File.Node == node).OrderByDescending(f => f.File.Path == kubeletPath).ToList();
            // Plain addresses only, as a forward line takes them (a resolv.conf's text is the node's, whatever it holds).
            var real = sameNode.Select(f => f.Resolv.Nameservers.Where(n => CommandValue.Fits(n, CommandValueKind.IpAddress) && !ForwardTarget.Parse(n).IsLoopback).ToList())
                .FirstOrDefault(n => n.Count > 0);
            yield return new NodeResolvConf
            {
                Source = $"Node {node} {file.Path}",
                Node = node,
                Path = file.Path!,
                Nameservers = resolv.Nameservers,
                LoopbackNameserver = resolv.Nameservers.FirstOrDefault(n => ForwardTarget.Parse(n).IsLoopback),
                KubeletResolvConf = kubeletPath,
                KubeletConfigSource = from,
                RealUpstreams = real is null ? null : string.Join(' ', real),
            };
        }
    }

    private static IEnumerable<Fact> ResolvConfs(IList<FileArtifact> files, ClusterContext cluster)
    {
        foreach (var file in files)
        {
            if (file.Path != "/etc/resolv.conf" || file.Text is null)
            {
                continue;
            }

            var resolv = ResolvConfParser.Parse(file.Text);
            if (file.Pod is null)
            {
                continue;
            }

            var ns = file.Namespace ?? "default";
            yield return new PodResolvConf
            {
                Source = $"Pod {ns}/{file.Pod} /etc/resolv.conf",
                ConcernsFailure = cluster.IsTargetPod(ns, file.Pod),
                Namespace = ns,
                Pod = file.Pod,
                Nameservers = resolv.Nameservers,
                Searches = resolv.Searches,
                Options = resolv.Options.Select(o => o.Value is null ? o.Name : $"{o.Name}:{o.Value}").ToList(),
                Ndots = resolv.Ndots,
                SearchCharacters = resolv.SearchCharacters,
                Text = file.Text,
            };
        }
    }

    private static PodDns? TargetPod(SnapshotObjects objects, ClusterContext cluster, IEnumerable<PodResolvConf> resolvConfs, List<CollectionEntry> notes)
    {
        if (cluster.TargetPod is not { } name)
        {
            return null;
        }

        var ns = cluster.TargetNamespace!;
        if (objects.Pod(ns, name) is not { } pod)
        {
            notes.Add(new CollectionEntry($"Pod {ns}/{name}", CollectionStatus.Skipped,
                "the target pod is not in the snapshot: its dnsPolicy and dnsConfig were not checked"));
            return null;
        }

        var spec = pod.Spec;
        var images = (spec?.Containers ?? []).Select(c => c.Image ?? "").Where(i => i.Length > 0).ToList();
        var options = spec?.DnsConfig?.Options?.Select(o => o.Value is null ? o.Name : $"{o.Name}:{o.Value}").ToList() ?? [];
        var policy = spec?.DnsPolicy ?? "ClusterFirst";
        var hostNetwork = spec?.HostNetwork ?? false;
        var kubeDnsIp = cluster.KubeDnsClusterIp;
        var nodeLocal = cluster.NodeLocal;

        // What the pod's resolver really uses: its resolv.conf when collected, else what Kubernetes writes for its policy.
        var resolv = resolvConfs.FirstOrDefault(r => cluster.IsTargetPod(r.Namespace, r.Pod));
        IReadOnlyList<string> nameservers;
        int ndots;
        IReadOnlyList<string> effectiveOptions;
        if (resolv is not null)
        {
            (nameservers, ndots, effectiveOptions) = (resolv.Nameservers, resolv.Ndots, resolv.Options);
        }
        else
        {
            var clusterFirst = policy == "ClusterFirstWithHostNet" || (policy == "ClusterFirst" && !hostNetwork);
            nameservers = policy == "None" || !clusterFirst
                ? spec?.DnsConfig?.Nameservers?.ToList() ?? []
                : [.. kubeDnsIp is null ? [] : new[] { kubeDnsIp }, .. spec?.DnsConfig?.Nameservers ?? []];
            var ndotsOption = spec?.DnsConfig?.Options?.LastOrDefault(o => o.Name == "ndots")?.Value;
            ndots = int.TryParse(ndotsOption, System.Globalization.CultureInfo.InvariantCulture, out var n) ? Math.Clamp(n, 0, 15) : clusterFirst ? 5 : 1;
            effectiveOptions = options;
        }

        return new PodDns
        {
            Source = $"Pod {ns}/{name}",
            ConcernsFailure = true,
            Namespace = ns,
            Name = name,
            Node = spec?.NodeName,
            HostNetwork = hostNetwork,
            DnsPolicy = policy,
            DnsPolicyDefaulted = spec?.DnsPolicy is null,
            HasDnsConfig = spec?.DnsConfig is not null,
            DnsConfigNameservers = spec?.DnsConfig?.Nameservers?.ToList() ?? [],
            DnsConfigSearches = spec?.DnsConfig?.Searches?.ToList() ?? [],
            DnsConfigOptions = options,
            Images = images,
            UsesAlpineImage = images.Any(IsAlpineImage),
            AlpineRelease = images.Select(AlpineReleaseOf).OfType<ReleaseVersion>().Order().FirstOrDefault(),
            Phase = pod.Status?.Phase,
            Ip = pod.Status?.PodIP,
            NodeArchitecture = spec?.NodeName is { } node ? objects.Nodes.GetValueOrDefault(node)?.Status?.NodeInfo?.Architecture : null,
            EffectiveNameservers = nameservers,
            EffectiveNdots = ndots,
            EffectiveOptions = effectiveOptions,
            EffectiveFrom = resolv is null ? "dnsPolicy" : "/etc/resolv.conf",
            UsesNodeLocal = nodeLocal is null ? (cluster.NodeLocalKnown ? false : null)
                : nodeLocal.LocalIp is null ? null
                : nameservers.Any(server => nodeLocal.Answers(server, kubeDnsIp)),
            NameserversBesideNodeLocal = nodeLocal?.LocalIp is null ? (cluster.NodeLocalKnown ? nameservers : null)
                : nameservers.Where(server => !nodeLocal.Answers(server, kubeDnsIp)).ToList(),
        };
    }

    /// <summary>An image whose name or tag says Alpine (<c>alpine:3.19</c>, <c>nginx:1.25-alpine</c>, <c>python:3.12-alpine3.19</c>).</summary>
    internal static bool IsAlpineImage(string image)
    {
        var (name, tag) = (ContainerImage.Name(image), ContainerImage.Tag(image) ?? "");
        return name.StartsWith("alpine", StringComparison.OrdinalIgnoreCase) || name.Contains("-alpine", StringComparison.OrdinalIgnoreCase)
            || tag.StartsWith("alpine", StringComparison.OrdinalIgnoreCase) || tag.Contains("-alpine", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// The Alpine release an image names: the tag of an <c>alpine</c> image (<c>alpine:3.17.3</c>), or the digits after
    /// <c>alpine</c> in a tag (<c>python:3.11-alpine3.17</c>); null when it names none (<c>nginx:alpine</c>).
    /// </summary>
    internal static ReleaseVersion? AlpineReleaseOf(string image)
    {
        if (ContainerImage.Tag(image) is not { } tag)
        {
            return null;
        }

        var name = ContainerImage.Name(image);
        var at = tag.IndexOf("alpine", StringComparison.OrdinalIgnoreCase);
        var digits = name.Equals("alpine", StringComparison.OrdinalIgnoreCase) ? tag : at >= 0 ? tag[(at + "alpine".Length)..] : "";
        var end = 0;
        while (end < digits.Length && (char.IsAsciiDigit(digits[end]) || digits[end] == '.'))
        {
            end++;
        }

        var release = digits[..end].Trim('.');
        return release.Contains('.') && ReleaseVersion.TryParse(release, out var version) ? version : null;
    }

    /// <summary>The target pod's search line as kubelet composes it (pkg/kubelet/network/dns), before its limits cut it.</summary>
    private static PodSearchLine? SearchLine(PodDns pod, IList<FileArtifact> files, ClusterContext cluster)
    {
        if (pod.Node is not { } node)
        {
            return null;
        }

        var nodeFile = files.FirstOrDefault(f => f.Node == node && f.Pod is null && f.Text is not null && NodeResolvConfPaths.Contains(f.Path));
        if (nodeFile is null)
        {
            return null;
        }

        var domain = cluster.ClusterDomain;
        var hostSearch = ResolvConfParser.Parse(nodeFile.Text!).Searches.Select(s => s.TrimEnd('.')).ToList();
        var clusterFirst = pod.DnsPolicy == "ClusterFirstWithHostNet" || (pod.DnsPolicy == "ClusterFirst" && !pod.HostNetwork);
        string[] clusterSuffixes = clusterFirst ? [$"{pod.Namespace}.svc.{domain}", $"svc.{domain}", domain] : [];
        IEnumerable<string> fromNode = pod.DnsPolicy == "None" ? [] : hostSearch;
        var domains = clusterSuffixes.Concat(fromNode).Concat(pod.DnsConfigSearches).Distinct(StringComparer.Ordinal).ToList();
        return new PodSearchLine
        {
            Source = $"Node {node} {nodeFile.Path}",
            ConcernsFailure = true,
            Namespace = pod.Namespace,
            Pod = pod.Name,
            Node = node,
            Domains = domains,
            Characters = string.Join(' ', domains).Length,
            NodeDomains = pod.DnsPolicy == "None" ? 0 : hostSearch.Count,
            Composition = $"{clusterSuffixes.Length} cluster suffixes + {(pod.DnsPolicy == "None" ? 0 : hostSearch.Count)} from the node + {pod.DnsConfigSearches.Count} from dnsConfig",
        };
    }
}
