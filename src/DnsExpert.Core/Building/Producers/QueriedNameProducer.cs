using DnsExpert.Core.Contract;
using DnsExpert.Core.Facts;

namespace DnsExpert.Core.Building.Producers;

/// <summary>The failing name of the request, classified: internal, headless, a StatefulSet pod's, private zone or external.</summary>
internal static class QueriedNameProducer
{
    /// <remarks>
    /// Without <c>domain</c>, the name the error message is about (<see cref="ClassificationResult.Name"/>, a valid DNS
    /// name): a person who pastes only <c>lookup orders.shop.svc.cluster.local ... i/o timeout</c> named it.
    /// </remarks>
    public static ProducedFacts Produce(DiagnosisRequest request, ClassificationResult classification, SnapshotObjects objects, ClusterContext cluster)
    {
        var (given, source) = !string.IsNullOrWhiteSpace(request.Domain) ? (request.Domain, "request.domain")
            : classification.Name is { } named && !named.StartsWith('-') && RequestValidator.IsDomainName(named) ? (named, "symptom.errorMessage")
            : (null, null);
        if (given is null)
        {
            return new ProducedFacts([]);
        }

        var fqdn = given.EndsWith('.');
        var name = given.TrimEnd('.').ToLowerInvariant();
        var domain = cluster.ClusterDomain;
        var suffix = "." + domain;
        string kind;
        string? svcNs = null, svcName = null;
        var relative = fqdn || name.EndsWith(suffix, StringComparison.Ordinal) || name == domain ? null : RelativeClusterLabels(name, objects, cluster);
        if (name.EndsWith(suffix, StringComparison.Ordinal) || name == domain || relative is not null)
        {
            kind = "internal";
            var labels = relative ?? name[..^suffix.Length].Split('.');

            // <svc>.<ns>.svc.<domain> or <pod>.<svc>.<ns>.svc.<domain>
            if (labels.Length >= 3 && labels[^1] == "svc")
            {
                svcName = labels[^3];
                svcNs = labels[^2];
                // A name under a Service (<pod>.<svc>.<ns>.svc) exists only for a headless Service's pods, so its
                // shape says so even when the Service is not in the snapshot (a symptom alone).
                var service = objects.Service(svcNs, svcName);
                if (service?.Spec?.ClusterIP == "None" || (service is null && labels.Length >= 4))
                {
                    kind = labels.Length >= 4 ? "statefulset-pod" : "headless";
                }
            }
            else if (labels.Length == 1 && cluster.TargetNamespace is not null)
            {
                // A bare name resolves through the search list to <name>.<pod namespace>.svc.<domain>.
                svcName = labels[0];
                svcNs = cluster.TargetNamespace;
                if (objects.Service(svcNs, svcName)?.Spec?.ClusterIP == "None")
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

        return new ProducedFacts(
        [
            new QueriedName
            {
                Source = source!,
                ConcernsFailure = true,
                Name = name,
                Kind = kind,
                IsInternal = kind is "internal" or "headless" or "statefulset-pod",
                IsFullyQualified = fqdn,
                Dots = name.Count(c => c == '.'),
                ServiceNamespace = svcNs,
                ServiceName = svcName,
            },
        ]);
    }

    private static readonly string[] WellKnownNamespaces = ["default", SnapshotObjects.KubeSystem, "kube-public", "kube-node-lease"];

    /// <summary>
    /// A relative name that the pod's search list (<c>&lt;ns&gt;.svc.&lt;domain&gt; svc.&lt;domain&gt; &lt;domain&gt;</c>) completes
    /// into a cluster name, as labels ending in <c>svc</c>: <c>mysql</c>, <c>kubernetes.default</c> (a Service and a
    /// namespace the snapshot or Kubernetes knows), <c>kubernetes.default.svc</c>, <c>mysql-0.mysql.db.svc</c>; null for
    /// anything else (<c>api.example.com</c>).
    /// </summary>
    private static string[]? RelativeClusterLabels(string name, SnapshotObjects objects, ClusterContext cluster)
    {
        var labels = name.Split('.');
        return labels switch
        {
            [_] => labels,
            [.., "svc"] when labels.Length is 3 or 4 => labels,
            [var service, var ns] when IsNamespace(ns, objects, cluster) => [service, ns, "svc"],
            _ => null,
        };
    }

    private static bool IsNamespace(string ns, SnapshotObjects objects, ClusterContext cluster) =>
        WellKnownNamespaces.Contains(ns, StringComparer.Ordinal)
        || ns == cluster.TargetNamespace
        || objects.Services.Keys.Concat(objects.Pods.Keys).Any(key => key.StartsWith(ns + "/", StringComparison.Ordinal));
}
