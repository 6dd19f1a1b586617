using DnsExpert.Contract;
using DnsExpert.Facts;
using DnsExpert.Readers.Objects;

namespace DnsExpert.Readers.Building.Producers;

/// <summary>
/// The workloads around the failing name: Services, StatefulSets and NetworkPolicies, each as the object says, and the
/// label-selector and address computations the rules join them with (which Service selects which StatefulSet's pods,
/// which policy selects the target pod and lets it reach the cluster DNS).
/// </summary>
internal static class WorkloadProducer
{
    public const string TolerateUnreadyAnnotation = "service.alpha.kubernetes.io/tolerate-unready-endpoints";

    /// <param name="objects">The snapshot's objects.</param>
    /// <param name="cluster">The cluster context: the target pod, the kube-dns and NodeLocal addresses.</param>
    /// <param name="podNameservers">The target pod's nameservers as its resolver uses them (<see cref="PodDns.EffectiveNameservers"/>); empty when unknown.</param>
    public static ProducedFacts Produce(SnapshotObjects objects, ClusterContext cluster, IReadOnlyList<string> podNameservers)
    {
        var policies = NetworkPolicies(objects, cluster, podNameservers);
        return new([.. Services(objects, cluster), .. StatefulSets(objects), .. policies.Facts], policies.Notes);
    }

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
                EstimatedAnswerBytes = known ? DnsAnswerSize.ForARecords(fqdn, ready) : null,
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
    internal static bool Selects(IDictionary<string, string>? selector, IDictionary<string, string>? labels) =>
        selector is { Count: > 0 } && labels is not null && selector.All(kv => labels.TryGetValue(kv.Key, out var v) && v == kv.Value);

    /// <summary>
    /// Each NetworkPolicy; for the target pod, the policies of its namespace that select it, and for those that restrict
    /// its egress, the protocols on which their egress rules let it reach the DNS it uses (<see cref="DnsEgress"/>).
    /// Calico's and Cilium's own policies are named in notes as not evaluated.
    /// </summary>
    private static ProducedFacts NetworkPolicies(SnapshotObjects objects, ClusterContext cluster, IReadOnlyList<string> podNameservers)
    {
        var facts = new List<Fact>();
        var target = cluster.TargetPod is null ? null : objects.Pod(cluster.TargetNamespace, cluster.TargetPod);
        var targetLabels = target?.Metadata?.Labels ?? new Dictionary<string, string>();
        var dns = DnsEgress.For(objects, cluster, podNameservers);
        var selecting = new List<(NetworkPolicy Policy, bool RestrictsEgress)>();
        foreach (var policy in objects.NetworkPolicies)
        {
            var ns = policy.Metadata?.NamespaceProperty ?? "default";
            var spec = policy.Spec;

            // Egress is restricted when policyTypes lists it, or (no policyTypes) when the policy has egress rules.
            var types = spec?.PolicyTypes;
            var restrictsEgress = types is { Count: > 0 } ? types.Contains("Egress") : spec?.Egress is { Count: > 0 };
            facts.Add(new NetworkPolicyInfo
            {
                Source = $"NetworkPolicy {ns}/{policy.Metadata?.Name}",
                Namespace = ns,
                Name = policy.Metadata?.Name ?? "",
                RestrictsEgress = restrictsEgress,
                EgressRuleCount = spec?.Egress?.Count ?? 0,
            });

            // A podSelector selects pods of the policy's own namespace only.
            if (target is not null && ns == cluster.TargetNamespace && LabelSelectors.Matches(spec?.PodSelector, targetLabels))
            {
                selecting.Add((policy, restrictsEgress));
            }
        }

        // Egress rules apply only to a policy that restricts egress.
        var allowed = selecting.Where(s => s.RestrictsEgress)
            .SelectMany(s => DnsProtocols.Where(protocol => (s.Policy.Spec?.Egress ?? []).Any(r => dns.Allows(r, protocol, s.Policy.Metadata?.NamespaceProperty ?? "default")))
                .Select(protocol => (s.Policy, Protocol: protocol)))
            .ToList();
        var assumed = dns.AssumedNamespaces.Count == 0 ? ""
            : $"; Namespace {string.Join(", ", dns.AssumedNamespaces.Order(StringComparer.Ordinal))} not read: namespaceSelectors matched against {DnsEgress.NamespaceNameLabel} only";
        foreach (var (policy, _) in selecting)
        {
            facts.Add(new PolicySelectsPod
            {
                Source = $"NetworkPolicy {policy.Metadata?.NamespaceProperty}/{policy.Metadata?.Name} spec.podSelector",
                ConcernsFailure = true,
                Namespace = cluster.TargetNamespace!,
                Policy = policy.Metadata?.Name ?? "",
                Pod = cluster.TargetPod!,
                DnsDestination = dns.Destination,
                Assumptions = assumed,
            });
        }

        facts.AddRange(allowed.Select(a => new EgressAllowsDns
        {
            Source = $"NetworkPolicy {a.Policy.Metadata?.NamespaceProperty}/{a.Policy.Metadata?.Name} spec.egress",
            ConcernsFailure = true,
            Namespace = cluster.TargetNamespace!,
            Policy = a.Policy.Metadata?.Name ?? "",
            Pod = cluster.TargetPod!,
            Protocol = a.Protocol,
        }));

        return new ProducedFacts(facts, ForeignPolicyNotes(objects, cluster));
    }

    /// <summary>
    /// Calico's and Cilium's policies that may apply to the target pod (cluster-wide ones, those of its namespace; all
    /// without a target): DnsExpert does not evaluate them, so what they do to its DNS is unknown, not allowed.
    /// </summary>
    private static List<CollectionEntry> ForeignPolicyNotes(SnapshotObjects objects, ClusterContext cluster) =>
        objects.ForeignPolicies
            .Where(p => p.Namespace is null || cluster.TargetNamespace is null || p.Namespace == cluster.TargetNamespace)
            .Select(p => new CollectionEntry(p.Description, CollectionStatus.Partial,
                $"{p.Description} present: not evaluated; it may allow or block the pod's DNS egress whatever the NetworkPolicies say"))
            .ToList();

    private static readonly string[] DnsProtocols = [PortProtocols.Udp, PortProtocols.Tcp];
}
