using DnsExpert.Facts;
using DnsExpert.Readers.Objects;

namespace DnsExpert.Readers.Building;

/// <summary>
/// Which distribution runs the cluster, from the marks it leaves in the snapshot: the cluster DNS layout
/// (<see cref="ClusterDnsIdentity.Layout"/>: OpenShift's <c>openshift-dns</c>, RKE2's chart, kubespray's Service
/// <c>coredns</c>), the nodes' kubelet versions (<c>+k3s1</c>, <c>+rke2r1</c>, <c>-eks-</c>, <c>-gke.</c>) and
/// labels, and the CoreDNS images each vendor builds. It decides who owns the Corefile: where a change to it lasts.
/// </summary>
internal static class ClusterDistribution
{
    /// <summary>Node labels only one managed distribution sets (the cloud's own labels: AKS's agent pool, EKS's node group, GKE's node pool).</summary>
    private static readonly (string Label, string Distribution)[] NodeLabels =
    [
        ("kubernetes.azure.com/cluster", Distributions.Aks), ("kubernetes.azure.com/agentpool", Distributions.Aks),
        ("eks.amazonaws.com/nodegroup", Distributions.Eks), ("eks.amazonaws.com/compute-type", Distributions.Eks),
        ("cloud.google.com/gke-nodepool", Distributions.Gke),
    ];

    /// <summary>What a kubelet version carries on each (<c>v1.28.5+k3s1</c>, <c>v1.27.4+rke2r1</c>, <c>v1.16.15-eks-ad4801</c>, <c>v1.29.1-gke.1589018</c>).</summary>
    private static readonly (string Mark, string Distribution)[] KubeletMarks =
    [
        ("+k3s", Distributions.K3s), ("+rke2", Distributions.Rke2), ("-eks-", Distributions.Eks), ("-gke.", Distributions.Gke),
    ];

    /// <summary>
    /// The CoreDNS images each vendor builds: k3s's <c>rancher/mirrored-coredns-coredns</c>, RKE2's
    /// <c>rancher/hardened-coredns</c>, AKS's <c>mcr.microsoft.com/oss/kubernetes/coredns</c>, EKS's
    /// <c>&lt;account&gt;.dkr.ecr.&lt;region&gt;.amazonaws.com/eks/coredns</c>.
    /// </summary>
    private static readonly (string Part, string Distribution)[] ImageMarks =
    [
        ("rancher/mirrored-coredns-coredns", Distributions.K3s), ("rancher/hardened-coredns", Distributions.Rke2),
        ("mcr.microsoft.com/oss/kubernetes/coredns", Distributions.Aks), ("amazonaws.com/eks/coredns", Distributions.Eks),
    ];

    /// <summary>The distribution and what shows it; null when the snapshot shows none of their marks (kubeadm, kind, minikube, ...).</summary>
    public static (string Distribution, string Evidence)? Of(SnapshotObjects objects)
    {
        var dns = objects.ClusterDns;
        var (ns, service) = dns.ServiceName;
        switch (dns.Layout.Distribution)
        {
            case "OpenShift":
                return (Distributions.OpenShift, $"cluster DNS {ns}/{service}");
            case "RKE2":
                return (Distributions.Rke2, $"cluster DNS {ns}/{service}");
        }

        foreach (var (name, node) in objects.Nodes.OrderBy(n => n.Key, StringComparer.Ordinal))
        {
            if (OfNode(node) is { } found)
            {
                return (found.Distribution, $"node {name}: {found.Evidence}");
            }
        }

        foreach (var pod in dns.Pods)
        {
            var image = ClusterDnsIdentity.DnsContainer(pod.Spec?.Containers)?.Image;
            if (image is not null && ImageMarks.FirstOrDefault(m => image.Contains(m.Part, StringComparison.Ordinal)) is { Distribution: { } distribution })
            {
                return (distribution, $"pod {pod.Metadata?.NamespaceProperty}/{pod.Metadata?.Name}: image {image}");
            }
        }

        return dns.Layout.Distribution == "kubespray" ? (Distributions.Kubespray, $"cluster DNS Service {ns}/{service}") : null;
    }

    /// <summary>
    /// Is the cluster DNS kube-dns (GKE, kubeadm before 1.11: containers <c>kubedns</c>, <c>dnsmasq</c>, <c>sidecar</c>),
    /// with no Corefile: its pods' or its Deployment's containers say so.
    /// </summary>
    public static bool IsKubeDns(SnapshotObjects objects)
    {
        var dns = objects.ClusterDns;
        if (dns.Corefile is not null)
        {
            return false;
        }

        static bool KubeDnsContainers(IList<Container>? containers) =>
            containers?.Any(c => c.Name == "kubedns" || c.Image?.Contains("k8s-dns-kube-dns", StringComparison.Ordinal) == true) == true;
        return dns.Pods.Any(p => KubeDnsContainers(p.Spec?.Containers))
            || objects.Deployments.GetValueOrDefault(SnapshotObjects.Key(dns.PodsNamespace, "kube-dns"))?.Spec?.Template?.Spec?.Containers is { } template
                && KubeDnsContainers(template);
    }

    private static (string Distribution, string Evidence)? OfNode(Node node)
    {
        var labels = node.Metadata?.Labels;
        foreach (var (label, distribution) in NodeLabels)
        {
            if (labels?.ContainsKey(label) == true)
            {
                return (distribution, $"label {label}");
            }
        }

        if (labels?.TryGetValue("node.kubernetes.io/instance-type", out var type) == true && type is "k3s" or "rke2")
        {
            return (type == "k3s" ? Distributions.K3s : Distributions.Rke2, $"label node.kubernetes.io/instance-type={type}");
        }

        var kubelet = node.Status?.NodeInfo?.KubeletVersion;
        return kubelet is not null && KubeletMarks.FirstOrDefault(m => kubelet.Contains(m.Mark, StringComparison.Ordinal)) is { Distribution: { } marked }
            ? (marked, $"kubelet {kubelet}")
            : null;
    }
}
