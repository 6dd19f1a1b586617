using DnsExpert.Core.Facts;
using k8s.Models;

namespace DnsExpert.Core.Building.Producers;

/// <summary>
/// The workloads around the failing name: Services, StatefulSets and NetworkPolicies, each as the object says, and the
/// label-selector and address computations the rules join them with (which Service selects which StatefulSet's pods,
/// which policy selects the target pod and lets it reach the cluster DNS).
/// </summary>
internal static class WorkloadProducer
{
    public const string TolerateUnreadyAnnotation = "service.alpha.kubernetes.io/tolerate-unready-endpoints";

    public static ProducedFacts Produce(SnapshotObjects objects, ClusterContext cluster) =>
        new([.. Services(objects, cluster), .. StatefulSets(objects), .. NetworkPolicies(objects, cluster)]);

    private static IEnumerable<Fact> Services(SnapshotObjects objects, ClusterContext cluster)
    {
        foreach (var service in objects.Services.Values)
        {
            var ns = service.Metadata?.NamespaceProperty ?? "default";
            var name = service.Metadata?.Name ?? "";
            var (known, ready, notReady) = objects.CountEndpoints(service);
            var fqdn = $"{name}.{ns}.svc.{cluster.ClusterDomain}";
            var annotations = service.Metadata?.Annotations;
            yield return new ServiceInfo
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
                ConcernsFailure = cluster.IsFailingName(fqdn) || (cluster.FailingName is { } f && fqdn.EndsWith("." + f, StringComparison.Ordinal)),
            };
        }
    }

    /// <summary>
    /// Each StatefulSet, and which Services of its namespace select its pods: the rules join these to the Service its
    /// serviceName names.
    /// </summary>
    private static IEnumerable<Fact> StatefulSets(SnapshotObjects objects)
    {
        foreach (var set in objects.StatefulSets.Values)
        {
            var ns = set.Metadata?.NamespaceProperty ?? "default";
            var name = set.Metadata?.Name ?? "";
            yield return new StatefulSetInfo
            {
                Source = $"StatefulSet {ns}/{set.Metadata?.Name}",
                Namespace = ns,
                Name = name,
                ServiceName = set.Spec?.ServiceName,
            };

            var podLabels = set.Spec?.Template?.Metadata?.Labels ?? new Dictionary<string, string>();
            var selecting = objects.Services.Values
                .Where(s => (s.Metadata?.NamespaceProperty ?? "default") == ns && Selects(s.Spec?.Selector, podLabels))
                .ToList();
            foreach (var service in selecting)
            {
                yield return new ServiceSelectsStatefulSet
                {
                    Source = $"Service {ns}/{service.Metadata?.Name} spec.selector",
                    Namespace = ns,
                    Service = service.Metadata?.Name ?? "",
                    StatefulSet = name,
                };
            }

            yield return new StatefulSetHeadlessServices
            {
                Source = $"Services {ns}",
                Namespace = ns,
                StatefulSet = name,
                Names = selecting.Where(s => s.Spec?.ClusterIP == "None").Select(s => s.Metadata?.Name ?? "").Order(StringComparer.Ordinal).ToList(),
            };
        }
    }

    /// <summary>A Service selector matches labels when every selector pair is present; an empty selector selects nothing.</summary>
    private static bool Selects(IDictionary<string, string>? selector, IDictionary<string, string>? labels) =>
        selector is { Count: > 0 } && labels is not null && selector.All(kv => labels.TryGetValue(kv.Key, out var v) && v == kv.Value);

    /// <summary>
    /// Each NetworkPolicy; for the target pod, the policies of its namespace that select it, and for those that restrict
    /// its egress, the protocols on which their egress rules let it reach the cluster DNS.
    /// </summary>
    private static IEnumerable<Fact> NetworkPolicies(SnapshotObjects objects, ClusterContext cluster)
    {
        var target = cluster.TargetPod is null ? null : objects.Pod(cluster.TargetNamespace, cluster.TargetPod);
        var targetLabels = target?.Metadata?.Labels ?? new Dictionary<string, string>();
        foreach (var policy in objects.NetworkPolicies)
        {
            var ns = policy.Metadata?.NamespaceProperty ?? "default";
            var name = policy.Metadata?.Name ?? "";
            var spec = policy.Spec;

            // Egress is restricted when policyTypes lists it, or (no policyTypes) when the policy has egress rules.
            var types = spec?.PolicyTypes;
            var restrictsEgress = types is { Count: > 0 } ? types.Contains("Egress") : spec?.Egress is { Count: > 0 };
            var rules = spec?.Egress ?? [];
            yield return new NetworkPolicyInfo
            {
                Source = $"NetworkPolicy {ns}/{name}",
                Namespace = ns,
                Name = name,
                RestrictsEgress = restrictsEgress,
                EgressRuleCount = rules.Count,
            };

            // A podSelector selects pods of the policy's own namespace only.
            if (target is null || ns != cluster.TargetNamespace || !LabelSelectors.Matches(spec?.PodSelector, targetLabels))
            {
                continue;
            }

            yield return new PolicySelectsPod
            {
                Source = $"NetworkPolicy {ns}/{name} spec.podSelector",
                ConcernsFailure = true,
                Namespace = ns,
                Policy = name,
                Pod = cluster.TargetPod!,
            };

            // Egress rules apply only to a policy that restricts egress.
            if (!restrictsEgress)
            {
                continue;
            }

            foreach (var protocol in DnsProtocols)
            {
                if (rules.Any(r => AllowsDns(r, protocol, ns, objects)))
                {
                    yield return new EgressAllowsDns
                    {
                        Source = $"NetworkPolicy {ns}/{name} spec.egress",
                        ConcernsFailure = true,
                        Namespace = ns,
                        Policy = name,
                        Pod = cluster.TargetPod!,
                        Protocol = protocol,
                    };
                }
            }
        }
    }

    private static readonly string[] DnsProtocols = [PortProtocols.Udp, PortProtocols.Tcp];

    /// <summary>Does an egress rule let the pod reach the cluster DNS (CoreDNS pods, the kube-dns ClusterIP) on port 53 with this protocol?</summary>
    private static bool AllowsDns(V1NetworkPolicyEgressRule rule, string protocol, string policyNamespace, SnapshotObjects objects)
    {
        var portOk = rule.Ports is not { Count: > 0 } || rule.Ports.Any(p =>
            (p.Protocol ?? PortProtocols.Tcp).Equals(protocol, StringComparison.OrdinalIgnoreCase)
            && (p.Port is null || p.Port.Value is "53" or "dns" or "dns-tcp" || (p.EndPort is { } end && int.TryParse(p.Port.Value, out var start) && start <= 53 && end >= 53)));
        if (!portOk)
        {
            return false;
        }

        if (rule.To is not { Count: > 0 })
        {
            return true; // no "to": any destination
        }

        var dnsPods = objects.CoreDnsPods;
        return rule.To.Any(peer =>
        {
            if (peer.IpBlock is { } block)
            {
                return DnsAddresses(objects).Any(ip => Cidr.Contains(block.Cidr, ip) && !(block.Except ?? []).Any(ex => Cidr.Contains(ex, ip)));
            }

            // namespaceSelector alone: every pod of the selected namespaces; with podSelector: those pods there; podSelector
            // alone: pods of the policy's own namespace.
            var namespaceOk = peer.NamespaceSelector is null
                ? policyNamespace == SnapshotObjects.KubeSystem
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
        ["kubernetes.io/metadata.name"] = SnapshotObjects.KubeSystem,
        ["name"] = SnapshotObjects.KubeSystem,
    };

    private static readonly Dictionary<string, string> DefaultCoreDnsLabels = new(StringComparer.Ordinal) { ["k8s-app"] = "kube-dns" };

    private static IEnumerable<string> DnsAddresses(SnapshotObjects objects)
    {
        foreach (var p in objects.CoreDnsPods)
        {
            if (p.Status?.PodIP is { } ip)
            {
                yield return ip;
            }
        }

        if (objects.Service(SnapshotObjects.KubeSystem, "kube-dns")?.Spec?.ClusterIP is { } clusterIp)
        {
            yield return clusterIp;
        }
    }
}
