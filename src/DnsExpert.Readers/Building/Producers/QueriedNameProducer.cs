using DnsExpert.Contract;
using DnsExpert.Facts;
using DnsExpert.Readers.Classification;

namespace DnsExpert.Readers.Building.Producers;

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

        var shape = NameFormClassifier.Classify(given, cluster.ClusterDomain, cluster.TargetNamespace, ns => IsNamespace(ns, objects, cluster));
        var name = shape.Name;
        var kind = shape.Form switch
        {
            // A name under a Service (<pod>.<svc>.<ns>.svc) exists only for a headless Service's pods, so its shape says
            // so even when the Service is not in the snapshot (a symptom alone); a Service's own name says nothing of it.
            NameForms.ServicePod => objects.Service(shape.ServiceNamespace!, shape.ServiceName!) is { } service && service.Spec?.ClusterIP != "None"
                ? NameKinds.Internal : NameKinds.StatefulSetPod,
            NameForms.Service or NameForms.ShortName when shape.ServiceName is not null =>
                objects.Service(shape.ServiceNamespace!, shape.ServiceName)?.Spec?.ClusterIP == "None" ? NameKinds.Headless : NameKinds.Internal,
            _ when shape.InCluster => NameKinds.Internal,
            _ when name.Contains("vpc-proxy", StringComparison.Ordinal) || name.EndsWith(".privatezone", StringComparison.Ordinal) => NameKinds.PrivateZone,
            _ => NameKinds.External,
        };

        return new ProducedFacts(
        [
            new QueriedName
            {
                Source = source!,
                ConcernsFailure = true,
                Name = name,
                Kind = kind,
                Form = shape.Form,
                IsInternal = kind is NameKinds.Internal or NameKinds.Headless or NameKinds.StatefulSetPod,
                IsFullyQualified = shape.IsFullyQualified,
                Dots = name.Count(c => c == '.'),
                ServiceNamespace = shape.ServiceNamespace,
                ServiceName = shape.ServiceName,
            },
        ]);
    }

    private static readonly string[] WellKnownNamespaces = ["default", SnapshotObjects.KubeSystem, "kube-public", "kube-node-lease"];

    private static bool IsNamespace(string ns, SnapshotObjects objects, ClusterContext cluster) =>
        WellKnownNamespaces.Contains(ns, StringComparer.Ordinal)
        || ns == cluster.TargetNamespace
        || objects.Services.Keys.Concat(objects.Pods.Keys).Any(key => key.StartsWith(ns + "/", StringComparison.Ordinal));
}
