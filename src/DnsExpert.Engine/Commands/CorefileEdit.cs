using DnsExpert.Facts;
using DnsExpert.Text;

namespace DnsExpert.Engine.Commands;

/// <summary>
/// Where a change to the cluster DNS configuration lasts on the distribution the facts show
/// (<see cref="ClusterDns.Distribution"/>), as the command that opens it and a sentence that says why there: the
/// Corefile ConfigMap on kubeadm and its kin; OpenShift's DNS operator object (the operator rewrites its ConfigMap);
/// AKS's and k3s's <c>coredns-custom</c> ConfigMap (the addon manager, the k3s server rewrite <c>coredns</c>); RKE2's
/// HelmChartConfig (the chart owns it); kube-dns's own ConfigMap (no Corefile). EKS's and kubespray's ConfigMap edit
/// works, and the note says what would undo it.
/// </summary>
internal static class CorefileEdit
{
    /// <summary>The command and the note for the cluster DNS the facts show.</summary>
    /// <param name="clusterDns">The cluster DNS settings, with the distribution; null reads as kubeadm's.</param>
    /// <param name="ns">The cluster DNS namespace: a name, or the placeholder that stands for it.</param>
    /// <param name="configMap">The Corefile ConfigMap's name, or its placeholder.</param>
    /// <param name="workload">The cluster DNS workload as <c>kind/name</c>, or its placeholder.</param>
    public static (ShellCommand Command, string Note) For(ClusterDns? clusterDns, object ns, object configMap, object workload)
    {
        // Why each placeholder a command holds stands there (a value not of its kind), as a template's own holes say it.
        var refused = new List<(string Placeholder, string Note)>();
        ShellCommand Command(string text) =>
            new(text, refused.Where(r => text.Contains(r.Placeholder, StringComparison.Ordinal)).Select(r => r.Note).Distinct(StringComparer.Ordinal).ToList());

        var n = Word(ns, CommandValueKind.Namespace, "<known-cluster-dns-namespace>", refused);
        var plain = $"kubectl -n {n} edit configmap {Word(configMap, CommandValueKind.ObjectName, "<known-corefile-config-map>", refused)}";
        var shown = clusterDns?.DistributionEvidence is { } evidence ? $" ({evidence})" : "";
        if (clusterDns?.KubeDns == true)
        {
            return (Command($"kubectl -n {n} edit configmap kube-dns"),
                $"This cluster's DNS is kube-dns{shown}, which has no Corefile: upstreams go in ConfigMap kube-dns as upstreamNameservers "
                + "and per-zone servers as stubDomains (JSON lists); a CoreDNS plugin line has no kube-dns equivalent. On GKE, Cloud DNS for GKE can replace kube-dns.");
        }

        // AKS's and k3s's coredns-custom is mounted from a ConfigMap that may not exist yet: create it empty, never overwrite it.
        var custom = $"kubectl -n {n} get configmap coredns-custom >/dev/null 2>&1 || kubectl -n {n} create configmap coredns-custom; "
            + $"kubectl -n {n} edit configmap coredns-custom && kubectl -n {n} rollout restart {Word(workload, CommandValueKind.ObjectReference, "<known-cluster-dns-workload>", refused)}";
        const string CustomKeys = "under a key ending in .override (lines added inside the .:53 block) or .server (a server block of its own), then restart CoreDNS";
        return clusterDns?.Distribution switch
        {
            Distributions.OpenShift => (Command("oc edit dns.operator/default"),
                $"This cluster is OpenShift{shown}: its DNS operator writes the Corefile ConfigMap and reverts edits to it. Change the operator's "
                + "object instead: spec.upstreamResolvers for the default upstreams, spec.servers for a zone's own, spec.cache for the cache TTLs, "
                + "spec.logLevel (Debug, Trace) for query logging; a Corefile change the operator does not offer cannot be made to last."),
            Distributions.Aks => (Command(custom),
                $"This cluster is AKS{shown}: the addon manager reconciles ConfigMap coredns and reverts edits to it. Put the change in ConfigMap "
                + $"coredns-custom, {CustomKeys}; a line of the main Corefile cannot be removed or replaced there."),
            Distributions.K3s => (Command(custom),
                $"This cluster is k3s{shown}: the k3s server rewrites ConfigMap coredns when it starts. Put the change in ConfigMap coredns-custom, "
                + $"which k3s's Corefile imports from /etc/coredns/custom, {CustomKeys}; to own the whole Corefile, create "
                + "/var/lib/rancher/k3s/server/manifests/coredns.yaml.skip on the servers so k3s stops rewriting it."),
            // Most RKE2 clusters have no HelmChartConfig until someone writes one: create an empty one first, never overwrite it.
            Distributions.Rke2 => (Command($"kubectl -n {n} get helmchartconfig rke2-coredns >/dev/null 2>&1 || printf '%s\\n' 'apiVersion: helm.cattle.io/v1' "
                + $"'kind: HelmChartConfig' 'metadata:' '  name: rke2-coredns' '  namespace: {n}' 'spec:' '  valuesContent: \"\"' | kubectl apply -f -; "
                + $"kubectl -n {n} edit helmchartconfig rke2-coredns"),
                $"This cluster is RKE2{shown}: the rke2-coredns Helm chart owns the Corefile ConfigMap and reverts edits to it. Set the chart's values "
                + "in HelmChartConfig rke2-coredns (spec.valuesContent, YAML as a string: servers, each with its zones and plugins); the command "
                + "creates an empty one when there is none. A file of the same object in /var/lib/rancher/rke2/server/manifests/ on the servers "
                + "overrides it when RKE2 starts: edit that file instead if it is there."),
            Distributions.Eks => (Command(plain),
                $"This cluster is EKS{shown}: with the CoreDNS managed add-on, an add-on update that overwrites conflicts reverts this edit. "
                + "To make it last, put the whole Corefile in the add-on's configuration values (aws eks update-addon --cluster-name <cluster> "
                + "--addon-name coredns --configuration-values with a corefile key)."),
            Distributions.Kubespray => (Command(plain),
                $"This cluster is kubespray's{shown}: its playbooks render the Corefile from the inventory, so a later run undoes this edit; "
                + "set the same in the inventory too (upstream_dns_servers, coredns_external_zones)."),
            _ => (Command(plain), ""),
        };
    }

    /// <summary>
    /// A value as one shell word when it is of its kind, a placeholder's text as it is, else <paramref name="placeholder"/>: the
    /// one a template writes for a <c>known</c> value not of its kind (<c>&lt;known-cluster-dns-namespace&gt;</c>).
    /// </summary>
    internal static string Word(object value, CommandValueKind kind, string placeholder, List<(string Placeholder, string Note)> refused)
    {
        switch (value)
        {
            case Placeholder p:
                return p.Text;
            case string s when CommandValue.Fits(s, kind):
                return ShellWords.Quote(s);
            default:
                refused.Add((placeholder, $"{placeholder} is left to fill in: the value found there is not {CommandValue.Describe(kind)}"));
                return placeholder;
        }
    }
}

/// <summary>
/// A whole command DnsExpert built itself (<see cref="CorefileEdit"/>), every value in it already one checked shell
/// word or a placeholder: a template writes it as it is, as it writes a <see cref="Placeholder"/>. <paramref name="Refused"/>
/// says why a placeholder stands where a value from the cluster was, as a template's own holes do.
/// </summary>
public sealed record ShellCommand(string Text, IReadOnlyList<string>? Refused = null)
{
    public override string ToString() => Text;
}
