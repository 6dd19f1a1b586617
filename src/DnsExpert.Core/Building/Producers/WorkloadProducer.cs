using DnsExpert.Core.Facts;
using k8s.Models;

namespace DnsExpert.Core.Building.Producers;

/// <summary>The workloads around the failing name: Services, StatefulSets, and the NetworkPolicies of the target pod.</summary>
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

    private static IEnumerable<Fact> StatefulSets(SnapshotObjects objects)
    {
        foreach (var set in objects.StatefulSets.Values)
        {
            var ns = set.Metadata?.NamespaceProperty ?? "default";
            var podLabels = set.Spec?.Template?.Metadata?.Labels ?? new Dictionary<string, string>();
            var serviceName = set.Spec?.ServiceName;
            var service = objects.Service(ns, serviceName);
            var matching = objects.Services.Values
                .Where(s => s.Metadata?.NamespaceProperty == ns && s.Spec?.ClusterIP == "None" && Selects(s.Spec.Selector, podLabels))
                .Select(s => s.Metadata!.Name)
                .Order(StringComparer.Ordinal)
                .ToList();
            yield return new StatefulSetInfo
            {
                Source = $"StatefulSet {ns}/{set.Metadata?.Name}",
                Namespace = ns,
                Name = set.Metadata?.Name ?? "",
                ServiceName = serviceName,
                ServiceExists = service is not null,
                ServiceIsHeadless = service?.Spec?.ClusterIP == "None",
                ServiceSelectsPods = service is not null && Selects(service.Spec?.Selector, podLabels),
                MatchingHeadlessServices = matching,
            };
        }
    }

    /// <summary>A Service selector matches labels when every selector pair is present; an empty selector selects nothing.</summary>
    internal static bool Selects(IDictionary<string, string>? selector, IDictionary<string, string>? labels) =>
        selector is { Count: > 0 } && labels is not null && selector.All(kv => labels.TryGetValue(kv.Key, out var v) && v == kv.Value);

    private static IEnumerable<Fact> NetworkPolicies(SnapshotObjects objects, ClusterContext cluster)
    {
        if (cluster.TargetPod is null || objects.Pod(cluster.TargetNamespace, cluster.TargetPod) is not { } pod)
        {
            yield break;
        }

        var labels = pod.Metadata?.Labels ?? new Dictionary<string, string>();
        foreach (var policy in objects.NetworkPolicies.Where(p => (p.Metadata?.NamespaceProperty ?? "default") == cluster.TargetNamespace))
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
            yield return new NetworkPolicyInfo
            {
                Source = $"NetworkPolicy {cluster.TargetNamespace}/{policy.Metadata?.Name}",
                Namespace = cluster.TargetNamespace!,
                Name = policy.Metadata?.Name ?? "",
                SelectsTarget = true,
                ConcernsFailure = true,
                RestrictsEgress = restrictsEgress,
                AllowsDnsUdp = restrictsEgress && rules.Any(r => AllowsDns(r, "UDP", objects, cluster)),
                AllowsDnsTcp = restrictsEgress && rules.Any(r => AllowsDns(r, "TCP", objects, cluster)),
                EgressRuleCount = rules.Count,
            };
        }
    }

    /// <summary>Does an egress rule let the pod reach the cluster DNS (CoreDNS pods, kube-dns, NodeLocal) on port 53 with this protocol?</summary>
    private static bool AllowsDns(V1NetworkPolicyEgressRule rule, string protocol, SnapshotObjects objects, ClusterContext cluster)
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

        var dnsPods = objects.CoreDnsPods;
        return rule.To.Any(peer =>
        {
            if (peer.IpBlock is { } block)
            {
                return DnsAddresses(objects).Any(ip => Cidr.Contains(block.Cidr, ip) && !(block.Except ?? []).Any(ex => Cidr.Contains(ex, ip)));
            }

            // namespaceSelector alone: every pod of the selected namespaces; with podSelector: those pods there.
            var namespaceOk = peer.NamespaceSelector is null
                ? cluster.TargetNamespace == SnapshotObjects.KubeSystem
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
