using DnsExpert.Core.Contract;
using DnsExpert.Core.Facts;
using DnsExpert.Core.Parsing;
using k8s.Models;

namespace DnsExpert.Core.Building;

internal sealed partial class BuildContext
{
    public const string TolerateUnreadyAnnotation = "service.alpha.kubernetes.io/tolerate-unready-endpoints";

    private void BuildServices()
    {
        foreach (var service in Services.Values)
        {
            var ns = service.Metadata?.NamespaceProperty ?? "default";
            var name = service.Metadata?.Name ?? "";
            var (known, ready, notReady) = CountEndpoints(service);
            var fqdn = $"{name}.{ns}.svc.{ClusterDomain}";
            var annotations = service.Metadata?.Annotations;
            Facts.Add(new ServiceInfo
            {
                Source = $"Service {ns}/{name}",
                Namespace = ns,
                Name = name,
                ClusterIp = service.Spec?.ClusterIP,
                IsHeadless = service.Spec?.ClusterIP == "None",
                PublishNotReadyAddresses = service.Spec?.PublishNotReadyAddresses ?? false,
                HasTolerateUnreadyAnnotation = annotations is not null && annotations.TryGetValue(TolerateUnreadyAnnotation, out var v)
                    && string.Equals(v, "true", StringComparison.OrdinalIgnoreCase),
                Selector = service.Spec?.Selector is { } selector ? new Dictionary<string, string>(selector, StringComparer.Ordinal) : new Dictionary<string, string>(),
                EndpointsKnown = known,
                ReadyAddresses = ready,
                NotReadyAddresses = notReady,
                EstimatedAnswerBytes = DnsAnswerSize.ForARecords(fqdn, ready),
                Fqdn = fqdn,
                ConcernsFailure = IsFailingName(fqdn) || (FailingName is { } f && fqdn.EndsWith("." + f, StringComparison.Ordinal)),
            });
        }
    }

    private void BuildStatefulSets()
    {
        foreach (var set in StatefulSets.Values)
        {
            var ns = set.Metadata?.NamespaceProperty ?? "default";
            var podLabels = set.Spec?.Template?.Metadata?.Labels ?? new Dictionary<string, string>();
            var serviceName = set.Spec?.ServiceName;
            Services.TryGetValue(Key(ns, serviceName), out var service);
            var matching = Services.Values
                .Where(s => s.Metadata?.NamespaceProperty == ns && s.Spec?.ClusterIP == "None" && Selects(s.Spec.Selector, podLabels))
                .Select(s => s.Metadata!.Name)
                .Order(StringComparer.Ordinal)
                .ToList();
            Facts.Add(new StatefulSetInfo
            {
                Source = $"StatefulSet {ns}/{set.Metadata?.Name}",
                Namespace = ns,
                Name = set.Metadata?.Name ?? "",
                ServiceName = serviceName,
                ServiceExists = service is not null,
                ServiceIsHeadless = service?.Spec?.ClusterIP == "None",
                ServiceSelectsPods = service is not null && Selects(service.Spec?.Selector, podLabels),
                MatchingHeadlessServices = matching,
            });
        }
    }

    /// <summary>A Service selector matches labels when every selector pair is present; an empty selector selects nothing.</summary>
    internal static bool Selects(IDictionary<string, string>? selector, IDictionary<string, string>? labels) =>
        selector is { Count: > 0 } && labels is not null && selector.All(kv => labels.TryGetValue(kv.Key, out var v) && v == kv.Value);

    /// <summary>
    /// kube-proxy's configuration is found by content: any kube-system ConfigMap holding a KubeProxyConfiguration
    /// (kubeadm's <c>kube-proxy</c>, ACK's <c>kube-proxy-worker</c> ...); else the kube-proxy DaemonSet's flags.
    /// </summary>
    private void BuildKubeProxy()
    {
        var configMaps = ConfigMaps.Values
            .Where(c => c.Metadata?.NamespaceProperty == KubeSystem && c.Data is not null)
            .OrderBy(c => c.Metadata!.Name == "kube-proxy" ? 0 : 1)
            .ThenBy(c => c.Metadata!.Name, StringComparer.Ordinal);
        var found = false;
        foreach (var configMap in configMaps)
        {
            var name = configMap.Metadata!.Name;
            foreach (var (key, text) in configMap.Data!.OrderBy(d => d.Key, StringComparer.Ordinal))
            {
                if (KubeProxyConfig.TryParse(text) is not { } config)
                {
                    continue;
                }

                Facts.Add(new KubeProxyInfo
                {
                    Source = $"ConfigMap kube-system/{name}",
                    Mode = config.Mode,
                    ConfigMap = name,
                    ConfigKey = key,
                    ConfigObject = $"configmap/{name}",
                    UdpTimeout = config.UdpTimeout,
                    UdpTimeoutSeconds = config.UdpTimeoutSeconds,
                });
                found = true;
                break;
            }
        }

        if (found)
        {
            return;
        }

        var daemonSet = DaemonSets.GetValueOrDefault(Key(KubeSystem, "kube-proxy")) ?? DaemonSets.GetValueOrDefault(Key(KubeSystem, "kube-proxy-worker"));
        var args = daemonSet?.Spec?.Template?.Spec?.Containers?.SelectMany(c => (c.Command ?? []).Concat(c.Args ?? [])).ToList() ?? [];
        var mode = Flag(args, "--proxy-mode");
        if (mode is null)
        {
            return;
        }

        var udpTimeout = Flag(args, "--ipvs-udp-timeout");
        Facts.Add(new KubeProxyInfo
        {
            Source = $"DaemonSet kube-system/{daemonSet!.Metadata?.Name}",
            Mode = mode,
            ConfigObject = $"daemonset/{daemonSet.Metadata?.Name}",
            UdpTimeout = udpTimeout,
            UdpTimeoutSeconds = GoDuration.TryParseSeconds(udpTimeout),
        });
    }

    private static string? Flag(IEnumerable<string> args, string name) =>
        args.Where(a => a.StartsWith(name + "=", StringComparison.Ordinal)).Select(a => a[(name.Length + 1)..]).LastOrDefault();

    private void BuildNodeLocal(V1DaemonSet? nodeLocal, string? localIp)
    {
        if (nodeLocal is null || localIp is null)
        {
            return;
        }

        Facts.Add(new NodeLocalDnsCache
        {
            Source = $"DaemonSet kube-system/{nodeLocal.Metadata?.Name}",
            Name = nodeLocal.Metadata?.Name ?? "node-local-dns",
            LocalIp = localIp,
            DesiredPods = nodeLocal.Status?.DesiredNumberScheduled ?? 0,
            ReadyPods = nodeLocal.Status?.NumberReady ?? 0,
        });
    }

    private void BuildNetworkPolicies()
    {
        if (TargetPod is null || !Pods.TryGetValue(Key(TargetNamespace, TargetPod), out var pod))
        {
            return;
        }

        var labels = pod.Metadata?.Labels ?? new Dictionary<string, string>();
        foreach (var policy in NetworkPolicies.Where(p => (p.Metadata?.NamespaceProperty ?? "default") == TargetNamespace))
        {
            var spec = policy.Spec;
            if (spec is null || !LabelSelectors.Matches(spec.PodSelector, labels))
            {
                continue;
            }

            // Egress is restricted when policyTypes lists it, or (no policyTypes) when the policy has egress rules.
            var types = spec.PolicyTypes;
            var restrictsEgress = types is { Count: > 0 } ? types.Contains("Egress") : spec.Egress is { Count: > 0 };
            var rules = spec.Egress ?? [];
            Facts.Add(new NetworkPolicyInfo
            {
                Source = $"NetworkPolicy {TargetNamespace}/{policy.Metadata?.Name}",
                Namespace = TargetNamespace!,
                Name = policy.Metadata?.Name ?? "",
                SelectsTarget = true,
                ConcernsFailure = true,
                RestrictsEgress = restrictsEgress,
                AllowsDnsUdp = restrictsEgress && rules.Any(r => AllowsDns(r, "UDP")),
                AllowsDnsTcp = restrictsEgress && rules.Any(r => AllowsDns(r, "TCP")),
                EgressRuleCount = rules.Count,
            });
        }
    }

    /// <summary>Does an egress rule let the pod reach the cluster DNS (CoreDNS pods, kube-dns, NodeLocal) on port 53 with this protocol?</summary>
    private bool AllowsDns(V1NetworkPolicyEgressRule rule, string protocol)
    {
        var portOk = rule.Ports is not { Count: > 0 } || rule.Ports.Any(p =>
            (p.Protocol ?? "TCP").Equals(protocol, StringComparison.OrdinalIgnoreCase)
            && (p.Port is null || p.Port.Value is "53" or "dns" or "dns-tcp" || (p.EndPort is { } end && int.TryParse(p.Port.Value, out var start) && start <= 53 && end >= 53)));
        if (!portOk)
        {
            return false;
        }

        if (rule.To is not { Count: > 0 })
        {
            return true; // no "to": any destination
        }

        var dnsPods = CoreDnsPods().ToList();
        return rule.To.Any(peer =>
        {
            if (peer.IpBlock is { } block)
            {
                return DnsAddresses().Any(ip => Cidr.Contains(block.Cidr, ip) && !(block.Except ?? []).Any(ex => Cidr.Contains(ex, ip)));
            }

            // namespaceSelector alone: every pod of the selected namespaces; with podSelector: those pods there.
            var namespaceOk = peer.NamespaceSelector is null
                ? TargetNamespace == KubeSystem
                : LabelSelectors.Matches(peer.NamespaceSelector, KubeSystemNamespaceLabels);
            if (!namespaceOk)
            {
                return false;
            }

            return peer.PodSelector is null || dnsPods.Count == 0
                ? peer.PodSelector is null || LabelSelectors.Matches(peer.PodSelector, DefaultCoreDnsLabels)
                : dnsPods.Any(p => LabelSelectors.Matches(peer.PodSelector, p.Metadata?.Labels ?? new Dictionary<string, string>()));
        });
    }

    /// <summary>kube-system's labels: the automatic <c>kubernetes.io/metadata.name</c> (Kubernetes 1.21+) and the name.</summary>
    private static readonly Dictionary<string, string> KubeSystemNamespaceLabels = new(StringComparer.Ordinal)
    {
        ["kubernetes.io/metadata.name"] = KubeSystem,
        ["name"] = KubeSystem,
    };

    private static readonly Dictionary<string, string> DefaultCoreDnsLabels = new(StringComparer.Ordinal) { ["k8s-app"] = "kube-dns" };

    private IEnumerable<string> DnsAddresses()
    {
        foreach (var p in CoreDnsPods())
        {
            if (p.Status?.PodIP is { } ip)
            {
                yield return ip;
            }
        }

        if (Services.TryGetValue(Key(KubeSystem, "kube-dns"), out var kubeDns) && kubeDns.Spec?.ClusterIP is { } clusterIp)
        {
            yield return clusterIp;
        }
    }

    private void BuildProbes()
    {
        var probes = _snapshot.Probes ?? [];
        var dns = Facts.OfType<ClusterDns>().FirstOrDefault();
        var coreDnsIps = CoreDnsPods().Select(p => p.Status?.PodIP).Where(ip => ip is not null).ToHashSet(StringComparer.Ordinal);
        var apiserver = Services.GetValueOrDefault(Key("default", "kubernetes"))?.Spec?.ClusterIP;
        var upstreams = Facts.OfType<CorefilePlugin>().Where(p => p.Name == "forward").SelectMany(p => p.Arguments.Skip(1))
            .Select(a => a.Split(':')[0]).ToHashSet(StringComparer.Ordinal);

        for (var i = 0; i < probes.Count; i++)
        {
            var p = probes[i];
            if (p.Kind is not { } kind || p.Outcome is not { } outcome)
            {
                continue;
            }

            var target = (kind == ProbeKind.Dns ? p.Server ?? p.Target : p.Target ?? p.Server) ?? "";
            var targetRole = target == dns?.KubeDnsClusterIp ? "kube-dns"
                : coreDnsIps.Contains(target) ? "coredns-pod"
                : target == dns?.NodeLocalIp || target == DefaultNodeLocalIp ? "nodelocal"
                : target == apiserver || (kind == ProbeKind.Tcp && p.Port is 443 or 6443) ? "apiserver"
                : upstreams.Contains(target) || kind == ProbeKind.Dns ? "upstream"
                : "other";
            var (fromRole, fromNode) = ProbeOrigin(p.From);
            var kindName = kind.ToString().ToLowerInvariant();
            var transport = p.Transport?.ToString().ToLowerInvariant();
            Facts.Add(new ProbeResult
            {
                Source = $"snapshot.probes[{i}]",
                Index = i,
                From = p.From ?? "dnsexpert",
                FromRole = fromRole,
                FromNode = fromNode,
                Kind = kindName,
                Target = target,
                TargetRole = targetRole,
                Port = p.Port,
                Name = p.Name,
                Type = p.Type,
                Transport = transport,
                Outcome = outcome.ToString().ToLowerInvariant(),
                Rcode = p.Rcode,
                Truncated = p.Truncated ?? false,
                AnswerCount = p.AnswerCount,
                LatencyMs = p.LatencyMs,
                ConcernsFailure = IsTargetPod(p.From?.Split('/')[0], p.From?.Split('/').LastOrDefault()) || IsFailingName(p.Name),
                Description = kind switch
                {
                    ProbeKind.Dns => $"dig {p.Name} {p.Type ?? "A"} @{target}{(p.Port is { } port and not 53 ? $" -p {port}" : "")} ({transport ?? "udp"}) from {p.From ?? "dnsexpert"}",
                    ProbeKind.Ping => $"ping {target} from {p.From ?? "dnsexpert"}",
                    _ => $"tcp connect {target}:{p.Port} from {p.From ?? "dnsexpert"}",
                },
            });
        }
    }

    /// <summary>The role and node of a probe's origin: <c>ns/pod</c>, <c>node/NAME</c> or <c>dnsexpert</c>.</summary>
    private (string Role, string? Node) ProbeOrigin(string? from)
    {
        if (string.IsNullOrEmpty(from) || from == "dnsexpert")
        {
            return ("dnsexpert", null);
        }

        if (from.StartsWith("node/", StringComparison.Ordinal))
        {
            return ("node", from["node/".Length..]);
        }

        var slash = from.IndexOf('/', StringComparison.Ordinal);
        var (ns, name) = slash < 0 ? ("default", from) : (from[..slash], from[(slash + 1)..]);
        var pod = Pods.GetValueOrDefault(Key(ns, name));
        var isCoreDns = ns == KubeSystem && (name.StartsWith("coredns", StringComparison.Ordinal) || CoreDnsPods().Any(p => p.Metadata?.Name == name));
        return (isCoreDns ? "coredns" : "app", pod?.Spec?.NodeName);
    }
}
