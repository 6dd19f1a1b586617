using DnsExpert.Facts;
using DnsExpert.Readers.Objects;

namespace DnsExpert.Readers.Building;

/// <summary>
/// What sets the cluster DNS's replica count, as the snapshot shows it: the Deployment's <c>spec.replicas</c>, and the
/// cluster-proportional-autoscaler that owns it when one runs (a scale by hand lasts only until its next poll).
/// </summary>
internal static class ClusterDnsScaling
{
    /// <summary>The replica count the cluster DNS Deployment asks for (1 when unset); null when it is not a Deployment the snapshot holds.</summary>
    public static int? Replicas(SnapshotObjects objects)
    {
        const string Prefix = "deployment/";
        var workload = objects.ClusterDns.Workload;
        return objects.ClusterDns.Shown && workload.StartsWith(Prefix, StringComparison.Ordinal)
            && objects.Deployments.TryGetValue(SnapshotObjects.Key(objects.ClusterDns.PodsNamespace, workload[Prefix.Length..]), out var deployment)
            ? Math.Max(deployment.Spec?.Replicas ?? 1, 0)
            : null;
    }

    /// <summary>
    /// The cluster-proportional-autoscaler of the cluster DNS in its namespace (a Deployment, or a pod of one, whose
    /// container runs its image) and the ConfigMap of its parameters. One whose <c>--target</c> names another workload
    /// (GKE's calico-typha autoscaler runs the same image) is not it; without its arguments (a pod listed as a table or
    /// without them), only one whose name says DNS (<c>kube-dns-autoscaler</c>, <c>coredns-autoscaler</c>,
    /// <c>dns-autoscaler</c>). Its ConfigMap is its <c>--configmap</c>, else its own name, as every distribution names it.
    /// </summary>
    public static (string Workload, string ConfigMap)? Autoscaler(SnapshotObjects objects)
    {
        if (!objects.ClusterDns.Shown)
        {
            return null;
        }

        var ns = objects.ClusterDns.PodsNamespace;
        var target = objects.ClusterDns.Workload;
        var candidates = objects.Deployments.Values.Where(d => d.Metadata?.NamespaceProperty == ns && d.Metadata.Name is { Length: > 0 })
            .Select(d => (Workload: (string?)("deployment/" + d.Metadata.Name), Containers: d.Spec?.Template?.Spec?.Containers))
            .Concat(objects.Pods.Values.Where(p => p.Metadata?.NamespaceProperty == ns)
                .Select(p => (Workload: ClusterDnsIdentity.OwnerWorkload(p) ?? DeploymentByName(p), Containers: p.Spec?.Containers)))
            .Where(c => c.Workload is not null)
            .OrderBy(c => c.Workload, StringComparer.Ordinal);
        foreach (var (owner, containers) in candidates)
        {
            var workload = owner!;
            var container = containers?.FirstOrDefault(c => IsProportionalAutoscaler(c.Image));
            var name = workload[(workload.IndexOf('/', StringComparison.Ordinal) + 1)..];
            if (container is null || !workload.StartsWith("deployment/", StringComparison.Ordinal) || !Contract.RequestValidator.IsDnsSubdomain(name))
            {
                continue;
            }

            var arguments = (container.Command ?? []).Concat(container.Args ?? []).ToList();
            var scales = ContainerArguments.Flag(arguments, "target") is { } targets
                ? targets.Split(',').Any(t => string.Equals(t.Trim(), target, StringComparison.OrdinalIgnoreCase))
                : name.Contains("dns", StringComparison.Ordinal);
            var configMap = ContainerArguments.Flag(arguments, "configmap") ?? name;
            if (scales && Contract.RequestValidator.IsDnsSubdomain(configMap))
            {
                return (workload, configMap);
            }
        }

        return null;
    }

    /// <summary>
    /// The Deployment of a pod listed without its owner, by its name: a ReplicaSet's pod is named
    /// <c>DEPLOYMENT-HASH-xxxxx</c>, HASH its <c>pod-template-hash</c> label.
    /// </summary>
    private static string? DeploymentByName(Pod pod)
    {
        var name = pod.Metadata?.Name;
        var hash = pod.Metadata?.Labels?.TryGetValue("pod-template-hash", out var h) == true ? "-" + h + "-" : null;
        var at = hash is null || name is null ? -1 : name.LastIndexOf(hash, StringComparison.Ordinal);
        return at > 0 ? "deployment/" + name![..at] : null;
    }

    /// <summary>Is the image the cluster-proportional-autoscaler's (registry.k8s.io/cpa/cluster-proportional-autoscaler, GKE's, AKS's mirror, the older <c>-amd64</c>)?</summary>
    private static bool IsProportionalAutoscaler(string? image) =>
        image is not null && ContainerImage.Name(image).StartsWith("cluster-proportional-autoscaler", StringComparison.Ordinal);
}
