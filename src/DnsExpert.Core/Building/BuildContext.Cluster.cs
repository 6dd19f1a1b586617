using DnsExpert.Core.Contract;
using DnsExpert.Core.Facts;
using DnsExpert.Core.Parsing;
using k8s.Models;

namespace DnsExpert.Core.Building;

internal sealed partial class BuildContext
{
    private readonly HashSet<string> _coreDnsNodes = new(StringComparer.Ordinal);

    private void BuildTargetPod()
    {
        if (TargetPod is null)
        {
            return;
        }

        if (!Pods.TryGetValue(Key(TargetNamespace, TargetPod), out var pod))
        {
            Collection.Add(new CollectionEntry($"Pod {TargetNamespace}/{TargetPod}", CollectionStatus.Skipped,
                "the target pod is not in the snapshot: its dnsPolicy and dnsConfig were not checked"));
            return;
        }

        var spec = pod.Spec;
        var images = (spec?.Containers ?? []).Select(c => c.Image ?? "").Where(i => i.Length > 0).ToList();
        var options = spec?.DnsConfig?.Options?.Select(o => o.Value is null ? o.Name : $"{o.Name}:{o.Value}").ToList() ?? [];
        var policy = spec?.DnsPolicy ?? "ClusterFirst";
        var hostNetwork = spec?.HostNetwork ?? false;
        var kubeDnsIp = Services.GetValueOrDefault(Key(KubeSystem, "kube-dns"))?.Spec?.ClusterIP;
        var nodeLocalIp = NodeLocalDaemonSet() is { } nodeLocal ? NodeLocalAddress(nodeLocal) : null;

        // What the pod's resolver really uses: its resolv.conf when collected, else what Kubernetes writes for its policy.
        var resolv = Facts.OfType<PodResolvConf>().FirstOrDefault(r => IsTargetPod(r.Namespace, r.Pod));
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

        Facts.Add(new PodDns
        {
            Source = $"Pod {TargetNamespace}/{TargetPod}",
            ConcernsFailure = true,
            Namespace = TargetNamespace!,
            Name = TargetPod,
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
            Phase = pod.Status?.Phase,
            Ip = pod.Status?.PodIP,
            NodeArchitecture = spec?.NodeName is { } node ? Nodes.GetValueOrDefault(node)?.Status?.NodeInfo?.Architecture : null,
            EffectiveNameservers = nameservers,
            EffectiveNdots = ndots,
            EffectiveOptions = effectiveOptions,
            EffectiveFrom = resolv is null ? "dnsPolicy" : "/etc/resolv.conf",
            UsesNodeLocal = nodeLocalIp is not null && nameservers.Contains(nodeLocalIp),
        });
    }

    private V1DaemonSet? NodeLocalDaemonSet() =>
        DaemonSets.Values.FirstOrDefault(d => d.Metadata?.NamespaceProperty == KubeSystem
            && (d.Metadata.Name == "node-local-dns" || (d.Metadata.Labels?.TryGetValue("k8s-app", out var app) == true && app == "node-local-dns")));

    /// <summary>An image whose name or tag says Alpine (<c>alpine:3.19</c>, <c>nginx:1.25-alpine</c>, <c>python:3.12-alpine3.19</c>).</summary>
    internal static bool IsAlpineImage(string image)
    {
        var lastSlash = image.LastIndexOf('/');
        var nameAndTag = image[(lastSlash + 1)..].Split('@')[0];
        return nameAndTag.StartsWith("alpine", StringComparison.OrdinalIgnoreCase)
            || nameAndTag.Contains("-alpine", StringComparison.OrdinalIgnoreCase)
            || nameAndTag.Contains(":alpine", StringComparison.OrdinalIgnoreCase);
    }

    private IEnumerable<V1Pod> CoreDnsPods() =>
        Pods.Values.Where(p => p.Metadata?.NamespaceProperty == KubeSystem
            && p.Metadata.Labels is { } labels && labels.TryGetValue("k8s-app", out var app) && app == "kube-dns");

    private void BuildCoreDns()
    {
        Services.TryGetValue(Key(KubeSystem, "kube-dns"), out var kubeDns);
        var nodeLocal = NodeLocalDaemonSet();

        var nodeLocalIp = nodeLocal is null ? null : NodeLocalAddress(nodeLocal);
        BuildNodeLocal(nodeLocal, nodeLocalIp);
        var coreDnsVersions = CoreDnsPods().Select(p => ReleaseVersion.FromImage(p.Spec?.Containers?.FirstOrDefault(c => c.Name == "coredns")?.Image ?? p.Spec?.Containers?.FirstOrDefault()?.Image))
            .OfType<ReleaseVersion>().ToList();
        var kubeletVersions = Nodes.Values.Select(n => ReleaseVersion.TryParse(n.Status?.NodeInfo?.KubeletVersion, out var v) ? v : null).OfType<ReleaseVersion>().ToList();
        Facts.Add(new ClusterDns
        {
            Source = kubeDns is null ? "snapshot" : "Service kube-system/kube-dns",
            ClusterDomain = ClusterDomain,
            KubeDnsClusterIp = kubeDns?.Spec?.ClusterIP,
            NodeLocalPresent = nodeLocal is not null,
            NodeLocalIp = nodeLocalIp,
            CoreDnsVersion = coreDnsVersions.Count == 0 ? null : coreDnsVersions.Min(),
            KubernetesVersion = kubeletVersions.Count == 0 ? null : kubeletVersions.Min(),
        });

        if (kubeDns is not null)
        {
            var (known, ready, notReady) = CountEndpoints(kubeDns);
            Facts.Add(new KubeDnsService
            {
                Source = "Service kube-system/kube-dns",
                Namespace = KubeSystem,
                Name = "kube-dns",
                ClusterIp = kubeDns.Spec?.ClusterIP,
                SessionAffinity = kubeDns.Spec?.SessionAffinity ?? "None",
                EndpointsKnown = known,
                ReadyEndpoints = ready,
                NotReadyEndpoints = notReady,
            });
        }

        foreach (var pod in CoreDnsPods())
        {
            var name = pod.Metadata!.Name;
            var container = pod.Spec?.Containers?.FirstOrDefault(c => c.Name == "coredns") ?? pod.Spec?.Containers?.FirstOrDefault();
            var status = pod.Status?.ContainerStatuses?.FirstOrDefault(c => c.Name == container?.Name) ?? pod.Status?.ContainerStatuses?.FirstOrDefault();
            var usage = PodMetrics.GetValueOrDefault(Key(KubeSystem, name))?.Containers?.FirstOrDefault(c => c.Name == container?.Name)?.Usage;
            var limits = container?.Resources?.Limits;
            if (pod.Spec?.NodeName is { } node)
            {
                _coreDnsNodes.Add(node);
            }

            Facts.Add(new CoreDnsPod
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
                CpuMillicores = Millicores(usage, "cpu"),
                CpuLimitMillicores = Millicores(limits, "cpu"),
                MemoryBytes = Bytes(usage, "memory"),
                MemoryLimitBytes = Bytes(limits, "memory"),
            });
        }
    }

    private static string NodeLocalAddress(V1DaemonSet daemonSet)
    {
        // node-cache is started with "-localip 169.254.20.10[,<kube-dns ClusterIP>]".
        var args = daemonSet.Spec?.Template?.Spec?.Containers?.SelectMany(c => (c.Args ?? []).Concat(c.Command ?? [])).ToList() ?? [];
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            string? value = null;
            if (arg is "-localip" or "--localip" && i + 1 < args.Count)
            {
                value = args[i + 1];
            }
            else if (arg.StartsWith("-localip=", StringComparison.Ordinal) || arg.StartsWith("--localip=", StringComparison.Ordinal))
            {
                value = arg[(arg.IndexOf('=', StringComparison.Ordinal) + 1)..];
            }

            if (value is not null)
            {
                return value.Split(',')[0].Trim();
            }
        }

        return DefaultNodeLocalIp;
    }

    /// <summary>Ready and not-ready addresses of a Service, from its EndpointSlices when present, else its Endpoints.</summary>
    internal (bool Known, int Ready, int NotReady) CountEndpoints(V1Service service)
    {
        var ns = service.Metadata?.NamespaceProperty;
        var name = service.Metadata?.Name;
        var slices = EndpointSlices.Where(s => s.Metadata?.NamespaceProperty == ns
            && s.Metadata?.Labels?.TryGetValue("kubernetes.io/service-name", out var svc) == true && svc == name).ToList();
        if (slices.Count > 0)
        {
            var endpoints = slices.SelectMany(s => s.Endpoints ?? []).ToList();
            var ready = endpoints.Where(e => e.Conditions?.Ready ?? true).Sum(e => e.Addresses?.Count ?? 0);
            var total = endpoints.Sum(e => e.Addresses?.Count ?? 0);
            return (true, ready, total - ready);
        }

        if (Endpoints.TryGetValue(Key(ns, name), out var ep))
        {
            var subsets = ep.Subsets ?? [];
            return (true, subsets.Sum(s => s.Addresses?.Count ?? 0), subsets.Sum(s => s.NotReadyAddresses?.Count ?? 0));
        }

        return (false, 0, 0);
    }

    private void BuildNodes()
    {
        var targetNode = Facts.OfType<PodDns>().FirstOrDefault()?.Node;
        foreach (var (name, node) in Nodes)
        {
            var info = node.Status?.NodeInfo;
            Facts.Add(new ClusterNode
            {
                Source = $"Node {name}",
                Name = name,
                ProviderId = node.Spec?.ProviderID,
                InstanceId = InstanceId(node.Spec?.ProviderID),
                KernelVersion = info?.KernelVersion,
                Kernel = Parsing.KernelVersion.TryParse(info?.KernelVersion, out var kernel) ? kernel : null,
                Kubelet = ReleaseVersion.TryParse(info?.KubeletVersion, out var kubelet) ? kubelet : null,
                OsImage = info?.OsImage,
                Architecture = info?.Architecture,
                KubeletVersion = info?.KubeletVersion,
                Ready = node.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") ?? false,
                CpuPercent = NodeCpuPercent(name, node),
                HostsCoreDns = _coreDnsNodes.Contains(name),
                HostsTarget = name == targetNode,
                ConcernsFailure = name == targetNode,
            });
        }

        foreach (var missing in _coreDnsNodes.Where(n => !Nodes.ContainsKey(n)).Order(StringComparer.Ordinal))
        {
            // The node object is not in the snapshot, but the ticket still needs the node's name.
            Facts.Add(new ClusterNode { Source = $"Pod spec.nodeName {missing}", Name = missing, HostsCoreDns = true, HostsTarget = missing == targetNode });
        }
    }

    private double? NodeCpuPercent(string name, V1Node node)
    {
        var usage = Millicores(NodeMetrics.GetValueOrDefault(name)?.Usage, "cpu");
        var allocatable = Millicores(node.Status?.Allocatable, "cpu");
        return usage is { } u && allocatable is > 0 ? u * 100 / allocatable : null;
    }

    /// <summary>
    /// The cloud instance id in <c>spec.providerID</c>: Alibaba Cloud <c>cn-hangzhou.i-bp1...</c>,
    /// AWS <c>aws:///us-east-1a/i-0abc...</c>, GCE <c>gce://project/zone/name</c>, Azure <c>azure:///subscriptions/.../virtualMachines/name</c>.
    /// </summary>
    internal static string? InstanceId(string? providerId)
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

    internal static string? ImageTag(string? image)
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

    private static double? Millicores(IDictionary<string, ResourceQuantity>? resources, string key) =>
        resources is not null && resources.TryGetValue(key, out var q) && q is not null ? (double)q.ToDecimal() * 1000 : null;

    private static double? Bytes(IDictionary<string, ResourceQuantity>? resources, string key) =>
        resources is not null && resources.TryGetValue(key, out var q) && q is not null ? (double)q.ToDecimal() : null;

    private void BuildQueriedName()
    {
        if (string.IsNullOrWhiteSpace(request.Domain))
        {
            return;
        }

        var fqdn = request.Domain.EndsWith('.');
        var name = request.Domain.TrimEnd('.').ToLowerInvariant();
        var suffix = "." + ClusterDomain;
        string kind;
        string? svcNs = null, svcName = null;
        if (name.EndsWith(suffix, StringComparison.Ordinal) || name == ClusterDomain || (!fqdn && !name.Contains('.', StringComparison.Ordinal)))
        {
            kind = "internal";
            var labels = name.EndsWith(suffix, StringComparison.Ordinal) ? name[..^suffix.Length].Split('.') : [name];

            // <svc>.<ns>.svc.<domain> or <pod>.<svc>.<ns>.svc.<domain>
            if (labels.Length >= 3 && labels[^1] == "svc")
            {
                svcName = labels[^3];
                svcNs = labels[^2];
                if (Services.TryGetValue(Key(svcNs, svcName), out var svc) && svc.Spec?.ClusterIP == "None")
                {
                    kind = labels.Length >= 4 ? "statefulset-pod" : "headless";
                }
            }
            else if (labels.Length == 1 && TargetNamespace is not null)
            {
                // A bare name resolves through the search list to <name>.<pod namespace>.svc.<domain>.
                svcName = labels[0];
                svcNs = TargetNamespace;
                if (Services.TryGetValue(Key(svcNs, svcName), out var svc) && svc.Spec?.ClusterIP == "None")
                {
                    kind = "headless";
                }
            }
        }
        else if (name.Contains("vpc-proxy", StringComparison.Ordinal) || name.EndsWith(".privatezone", StringComparison.Ordinal))
        {
            kind = "privatezone";
        }
        else
        {
            kind = "external";
        }

        Facts.Add(new QueriedName
        {
            Source = "request.domain",
            ConcernsFailure = true,
            Name = name,
            Kind = kind,
            IsInternal = kind is "internal" or "headless" or "statefulset-pod",
            IsFullyQualified = fqdn,
            Dots = name.Count(c => c == '.'),
            ServiceNamespace = svcNs,
            ServiceName = svcName,
        });
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
