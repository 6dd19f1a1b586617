using DnsExpert.Readers.Objects;
using DnsExpert.Readers.Parsing;
using DnsExpert.Text;

namespace DnsExpert.Readers.Building;

/// <summary>
/// Which objects are the cluster DNS, whatever the distribution calls them: the one place every producer asks for
/// "the CoreDNS pods", "the kube-dns Service" and "the Corefile". The cluster DNS Service is the one whose ClusterIP is
/// a pod's nameserver, else the first of the distributions' known Services present (<see cref="Layouts"/>); its pods
/// are the pods that Service selects, else the pods of a known layout's namespace that carry its labels or its pods'
/// name prefix; its Corefile is the ConfigMap that layout mounts.
/// </summary>
internal sealed class ClusterDnsIdentity
{
    /// <summary>The layout assumed when the snapshot shows none: kubeadm's, which most distributions keep.</summary>
    public static readonly ClusterDnsLayout Default = new(
        "kubeadm, EKS, AKS, GKE, k3s", SnapshotObjects.KubeSystem, "kube-dns", "coredns", ["coredns-", "kube-dns-"], Labels(("k8s-app", "kube-dns")));

    /// <summary>
    /// The known layouts, the most common first: kubeadm and most managed clusters (CoreDNS, or GKE's and old
    /// kubeadm's kube-dns Deployment, behind <c>kube-system/kube-dns</c>), OpenShift's <c>dns-default</c> DaemonSet,
    /// RKE2's Helm chart and kubespray's Service named <c>coredns</c>.
    /// </summary>
    public static readonly IReadOnlyList<ClusterDnsLayout> Layouts =
    [
        Default,
        new("OpenShift", "openshift-dns", "dns-default", "dns-default", ["dns-default-"], Labels(("dns.operator.openshift.io/daemonset-dns", "default")), "daemonset/dns-default"),
        new("RKE2", SnapshotObjects.KubeSystem, "rke2-coredns-rke2-coredns", "rke2-coredns-rke2-coredns", ["rke2-coredns-rke2-coredns-"],
            Labels(("k8s-app", "kube-dns"), ("app.kubernetes.io/name", "rke2-coredns"), ("app.kubernetes.io/instance", "rke2-coredns")), "deployment/rke2-coredns-rke2-coredns"),
        new("kubespray", SnapshotObjects.KubeSystem, "coredns", "coredns", ["coredns-"], Labels(("k8s-app", "kube-dns"))),
    ];

    /// <summary>
    /// The <c>k8s-app</c> values the cluster DNS pods carry, whatever the layout: kubeadm's, GKE's, k3s's, RKE2's and
    /// kubespray's <c>kube-dns</c>, and kubespray's <c>coredns</c> of clusters set up before 2019
    /// (kubernetes-sigs/kubespray#3483; a Deployment's selector cannot change, so they keep it).
    /// </summary>
    private static readonly string[] AppLabelValues =
        [.. Layouts.Select(l => l.PodLabels.GetValueOrDefault("k8s-app")).OfType<string>().Append("coredns").Distinct(StringComparer.Ordinal)];

    /// <summary>
    /// The selector that lists the cluster DNS pods before the snapshot shows which layout the cluster has:
    /// <c>k8s-app in (kube-dns,coredns)</c>, one set requirement that every layout labelling them by <c>k8s-app</c>
    /// answers (kubeadm's <c>k8s-app=kube-dns</c> would miss kubespray's older pods). OpenShift's, in another namespace
    /// under another label, are found through the cluster DNS Service once kube-system shows none.
    /// </summary>
    public static readonly string AnyLayoutSelector = $"k8s-app in ({string.Join(',', AppLabelValues)})";

    private readonly HashSet<string> _podKeys;

    private ClusterDnsIdentity(ClusterDnsLayout layout, Service? service, IReadOnlyList<Pod> pods, ConfigMap? corefile, string? workload,
        bool workloadShown, IReadOnlyDictionary<string, string>? workloadSelector)
    {
        _workload = workload;
        _workloadShown = workloadShown;
        WorkloadSelector = workloadSelector;
        Layout = layout;
        Service = service;
        Pods = pods;
        Corefile = corefile;
        _podKeys = pods.Select(p => SnapshotObjects.Key(p.Metadata?.NamespaceProperty, p.Metadata?.Name)).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>The layout the snapshot shows (<see cref="Default"/> when it shows none): names the objects not in it.</summary>
    public ClusterDnsLayout Layout { get; }

    /// <summary>The cluster DNS Service, when in the snapshot.</summary>
    public Service? Service { get; }

    /// <summary>The cluster DNS Service's namespace and name, the layout's when the Service is not in the snapshot.</summary>
    public (string Namespace, string Name) ServiceName =>
        Service?.Metadata is { Name: { } name } metadata ? (metadata.NamespaceProperty ?? "default", name) : (Layout.Namespace, Layout.Service);

    /// <summary>The cluster DNS pods, in the snapshot's order.</summary>
    public IReadOnlyList<Pod> Pods { get; }

    /// <summary>How the pods are listed: <c>Pods kube-system -l k8s-app=kube-dns</c>, by the Service's selector, else the layout's labels.</summary>
    public string PodsSource => $"Pods {PodsNamespace} -l {PodsSelector}";

    /// <summary>The pods' namespace: the Service's, else the layout's.</summary>
    public string PodsNamespace => Service is null ? Layout.Namespace : ServiceName.Namespace;

    /// <summary>
    /// The pods' label selector: the Service's; else the layout's labels (<c>k8s-app=kube-dns</c>), unless the pods
    /// found by their names carry none of them but share their own <c>k8s-app</c> label (kubespray labelled CoreDNS
    /// <c>k8s-app=coredns</c> until 2019, and a Deployment's selector cannot change, so clusters set up then keep it).
    /// </summary>
    public string PodsSelector =>
        ClusterDnsLayout.SelectorOf(Service?.Spec?.Selector is { Count: > 0 } selector ? selector
            : Pods.Count == 0 && WorkloadSelector is { } workload ? workload
            : !Pods.Any(p => Layout.Carries(p.Metadata?.Labels)) && SharedAppLabel(Pods) is { } own ? own
            : Layout.PodLabels);

    /// <summary>
    /// The <c>spec.selector.matchLabels</c> of the cluster DNS workload, when the snapshot shows neither the Service nor
    /// a pod but the Deployment or DaemonSet itself (its selector is exactly how its pods are listed, kubespray's older
    /// <c>k8s-app=coredns</c> included); null otherwise, or when it selects by expressions too.
    /// </summary>
    public IReadOnlyDictionary<string, string>? WorkloadSelector { get; }

    /// <summary>The <c>k8s-app</c> label every pod carries with one value (a valid label value), if they do.</summary>
    private static Dictionary<string, string>? SharedAppLabel(IReadOnlyList<Pod> pods)
    {
        var values = pods.Select(p => p.Metadata?.Labels?.TryGetValue("k8s-app", out var v) == true ? v : null).Distinct(StringComparer.Ordinal).ToList();
        return values is [{ } value] && CommandValue.IsLabelName(value)
            ? new Dictionary<string, string>(StringComparer.Ordinal) { ["k8s-app"] = value }
            : null;
    }

    /// <summary>
    /// The workload running the pods, as <c>kubectl</c> names it (<c>deployment/coredns</c>, GKE's <c>deployment/kube-dns</c>,
    /// OpenShift's <c>daemonset/dns-default</c>): the first pod's owner (a ReplicaSet's Deployment, by the pod's
    /// <c>pod-template-hash</c>), else the layout's.
    /// </summary>
    public string Workload => Pods.Select(OwnerWorkload).FirstOrDefault(w => w is not null) ?? _workload ?? Layout.Workload;

    private readonly string? _workload;

    /// <summary>The Deployment or DaemonSet in <paramref name="ns"/> whose pod template carries every label of <paramref name="selector"/>.</summary>
    private static string? TemplateWorkload(SnapshotObjects objects, string ns, IReadOnlyDictionary<string, string> selector)
    {
        bool Carries(PodTemplateSpec? template) =>
            selector.Count > 0 && template?.Metadata?.Labels is { } labels && selector.All(kv => labels.TryGetValue(kv.Key, out var v) && v == kv.Value);
        var named = objects.Deployments.Values.Where(d => d.Metadata?.NamespaceProperty == ns && Carries(d.Spec?.Template)).Select(d => "deployment/" + d.Metadata.Name)
            .Concat(objects.DaemonSets.Values.Where(d => d.Metadata?.NamespaceProperty == ns && Carries(d.Spec?.Template)).Select(d => "daemonset/" + d.Metadata.Name));
        return named.Order(StringComparer.Ordinal).FirstOrDefault(w => Contract.RequestValidator.IsDnsSubdomain(w[(w.IndexOf('/') + 1)..]));
    }

    internal static string? OwnerWorkload(Pod pod)
    {
        var owner = pod.Metadata?.OwnerReferences?.FirstOrDefault(o => o.Controller == true) ?? pod.Metadata?.OwnerReferences?.FirstOrDefault();
        if (owner?.Name is not { Length: > 0 } name || !Contract.RequestValidator.IsDnsSubdomain(name))
        {
            return null;
        }

        var hash = pod.Metadata?.Labels?.TryGetValue("pod-template-hash", out var h) == true ? "-" + h : null;
        return owner.Kind switch
        {
            "ReplicaSet" when hash is not null && name.EndsWith(hash, StringComparison.Ordinal) && name.Length > hash.Length => "deployment/" + name[..^hash.Length],
            "DaemonSet" => "daemonset/" + name,
            "StatefulSet" => "statefulset/" + name,
            _ => null,
        };
    }

    /// <summary>Does the snapshot show the cluster DNS (its Service, a pod, its workload or its Corefile), rather than assume kubeadm's layout?</summary>
    public bool Shown => Service is not null || Pods.Count > 0 || _workloadShown || Corefile is not null;

    private readonly bool _workloadShown;

    /// <summary>The ConfigMap holding the Corefile, when in the snapshot.</summary>
    public ConfigMap? Corefile { get; }

    /// <summary>The Corefile ConfigMap's namespace and name, the layout's when it is not in the snapshot.</summary>
    public (string Namespace, string Name) CorefileName =>
        Corefile?.Metadata is { Name: { } name } metadata ? (metadata.NamespaceProperty ?? "default", name) : (Layout.Namespace, Layout.ConfigMap);

    /// <summary>
    /// Is the pod a cluster DNS pod: one of <see cref="Pods"/>, or, when not in the snapshot (a log or probe names it),
    /// a name a known layout gives its pods in its namespace?
    /// </summary>
    public bool IsDnsPod(string? ns, string? name) =>
        name is not null && (_podKeys.Contains(SnapshotObjects.Key(ns, name)) || LayoutByPodName(ns ?? "default", name) is not null);

    /// <summary>
    /// The labels a known layout gives a pod of that name in that namespace (<c>coredns-*</c>, <c>kube-dns-*</c> in
    /// kube-system, <c>dns-default-*</c> in openshift-dns, ...), for a pasted table that shows no labels; null for other pods.
    /// </summary>
    public static IReadOnlyDictionary<string, string>? KnownLabels(string ns, string name) => LayoutByPodName(ns, name)?.PodLabels;

    /// <summary>Reads the snapshot's objects; <paramref name="nameservers"/> are the nameservers its pods' resolv.conf files name.</summary>
    public static ClusterDnsIdentity Of(SnapshotObjects objects, IEnumerable<string> nameservers)
    {
        var servers = nameservers.ToHashSet(StringComparer.Ordinal);
        var service = objects.Services.Values.FirstOrDefault(s => s.Spec?.ClusterIP is { } ip && servers.Contains(ip))
            ?? Layouts.Select(l => objects.Service(l.Namespace, l.Service)).OfType<Service>().FirstOrDefault();
        var layout = service is null ? null : Layouts.FirstOrDefault(l => l.Namespace == service.Metadata?.NamespaceProperty && l.Service == service.Metadata?.Name);

        List<Pod> pods = [];
        if (service?.Spec?.Selector is { Count: > 0 } selector)
        {
            pods = objects.Pods.Values.Where(p => p.Metadata?.NamespaceProperty == service.Metadata?.NamespaceProperty
                && p.Metadata?.Labels is { } labels && selector.All(kv => labels.TryGetValue(kv.Key, out var v) && v == kv.Value)).ToList();
        }

        if (pods.Count == 0)
        {
            // No Service, or one that selects none of the pods read (a table shows no labels): the layouts' own names and labels.
            pods = objects.Pods.Values.Where(p => p.Metadata is { Name: { } name } m
                && (LayoutByPodName(m.NamespaceProperty ?? "default", name) is not null || Layouts.Any(l => l.Namespace == m.NamespaceProperty && l.Carries(m.Labels)))).ToList();
        }

        var shown = service is null && pods.Count == 0 ? ShownWorkload(objects) : null;
        layout ??= shown?.Layout ?? pods.Select(p => Layouts.FirstOrDefault(l => l.Namespace == p.Metadata?.NamespaceProperty && l.Carries(p.Metadata?.Labels))
                ?? LayoutByPodName(p.Metadata?.NamespaceProperty ?? "default", p.Metadata?.Name ?? "")).OfType<ClusterDnsLayout>().FirstOrDefault()
            ?? Default;

        // The layout's own ConfigMap first, then any known one: a Service found by its ClusterIP says no layout.
        var corefile = new[] { layout }.Concat(Layouts)
            .Select(l => objects.ConfigMaps.GetValueOrDefault(SnapshotObjects.Key(l.Namespace, l.ConfigMap)))
            .FirstOrDefault(c => c?.Data?.ContainsKey("Corefile") == true)
            ?? objects.ConfigMaps.GetValueOrDefault(SnapshotObjects.Key(layout.Namespace, layout.ConfigMap));
        // Without the pods' owners, the workload whose pod template the Service (else the layout) selects.
        var ns = service?.Metadata?.NamespaceProperty ?? layout.Namespace;
        var workload = TemplateWorkload(objects, ns, service?.Spec?.Selector is { Count: > 0 } s ? s.AsReadOnly() : layout.PodLabels);
        return new ClusterDnsIdentity(layout, service, pods, corefile, workload ?? shown?.Name, shown is not null, shown?.Selector);
    }

    /// <summary>
    /// The cluster DNS Deployment or DaemonSet the snapshot holds without its Service or pods: a known layout's workload
    /// by its name in its namespace, or one there whose pod template carries a cluster DNS <c>k8s-app</c> label. Its
    /// selector counts only when it selects by labels alone, a valid label selector (cluster text).
    /// </summary>
    private static (ClusterDnsLayout Layout, string Name, IReadOnlyDictionary<string, string>? Selector)? ShownWorkload(SnapshotObjects objects)
    {
        static bool IsDnsTemplate(PodTemplateSpec? template) =>
            template?.Metadata?.Labels?.TryGetValue("k8s-app", out var app) == true && AppLabelValues.Contains(app, StringComparer.Ordinal);

        static IReadOnlyDictionary<string, string>? Selector(LabelSelector? selector) =>
            selector is { MatchLabels: { Count: > 0 } labels } && (selector.MatchExpressions is null || selector.MatchExpressions.Count == 0)
                && labels.All(kv => !kv.Key.Contains(',', StringComparison.Ordinal) && CommandValue.IsLabelName(kv.Value)
                    && CommandValue.Fits(kv.Key + "=" + kv.Value, CommandValueKind.LabelSelector))
                ? labels.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal)
                : null;

        foreach (var layout in Layouts)
        {
            var (kind, name) = (layout.Workload[..layout.Workload.IndexOf('/')], layout.Workload[(layout.Workload.IndexOf('/') + 1)..]);
            var key = SnapshotObjects.Key(layout.Namespace, name);
            var selector = kind == "daemonset"
                ? objects.DaemonSets.TryGetValue(key, out var daemonSet) ? (Found: true, Selector(daemonSet.Spec?.Selector)) : default
                : objects.Deployments.TryGetValue(key, out var deployment) ? (Found: true, Selector(deployment.Spec?.Selector)) : default;
            if (selector.Found)
            {
                return (layout, layout.Workload, selector.Item2);
            }
        }

        // Only kube-system's layouts label their pods by k8s-app (OpenShift's DaemonSet is found by its name above).
        return objects.Deployments.Values
            .Where(d => d.Metadata?.NamespaceProperty == SnapshotObjects.KubeSystem && IsDnsTemplate(d.Spec?.Template) && d.Metadata?.Name is { } n && Contract.RequestValidator.IsDnsSubdomain(n))
            .Select(d => ((ClusterDnsLayout, string, IReadOnlyDictionary<string, string>?)?)(Default, "deployment/" + d.Metadata.Name, Selector(d.Spec?.Selector)))
            .FirstOrDefault();
    }

    /// <summary>The container that serves DNS: <c>coredns</c>, OpenShift's <c>dns</c>, else the first (kube-dns's <c>kubedns</c>).</summary>
    public static Container? DnsContainer(IList<Container>? containers) => DnsContainer(containers, c => c.Name);

    /// <summary><see cref="DnsContainer(IList{Container})"/> of any model's containers, by their names.</summary>
    public static T? DnsContainer<T>(IList<T>? containers, Func<T, string?> name)
        where T : class =>
        containers?.FirstOrDefault(c => name(c) == "coredns") ?? containers?.FirstOrDefault(c => name(c) == "dns") ?? containers?.FirstOrDefault();

    /// <summary>
    /// The CoreDNS image of a pod's containers; null for kube-dns's (<c>k8s-dns-kube-dns</c>, <c>k8s-dns-dnsmasq-nanny</c>):
    /// their tags are kube-dns releases, not CoreDNS versions.
    /// </summary>
    public static string? CoreDnsImage(IList<Container>? containers) =>
        DnsContainer(containers)?.Image is { } image && !image.Contains("k8s-dns-", StringComparison.Ordinal) ? image : null;

    /// <summary>The nameservers of the resolv.conf files in <paramref name="files"/>.</summary>
    public static IEnumerable<string> Nameservers(IEnumerable<Contract.FileArtifact> files) =>
        files.Where(f => f.Path == "/etc/resolv.conf" && f.Text is not null).SelectMany(f => ResolvConfParser.Parse(f.Text!).Nameservers);

    private static ClusterDnsLayout? LayoutByPodName(string ns, string name) =>
        Layouts.FirstOrDefault(l => l.Namespace == ns && l.PodPrefixes.Any(prefix => name.StartsWith(prefix, StringComparison.Ordinal))
            // coredns-autoscaler-* (AKS), rke2-coredns-rke2-coredns-autoscaler-*: the autoscaler, not the DNS.
            && !name.AsSpan(l.PodPrefixes.First(prefix => name.StartsWith(prefix, StringComparison.Ordinal)).Length).StartsWith("autoscaler-", StringComparison.Ordinal));

    private static Dictionary<string, string> Labels(params (string Key, string Value)[] labels) =>
        labels.ToDictionary(l => l.Key, l => l.Value, StringComparer.Ordinal);
}

/// <summary>The cluster DNS Service and pods of a snapshot, as <see cref="ClusterDnsIdentity"/> tells them, for readers outside the fact builder.</summary>
public static class ClusterDnsObjects
{
    /// <summary>The distributions' layouts, the most common first (<see cref="ClusterDnsIdentity.Layouts"/>): what a live collection reads.</summary>
    public static IReadOnlyList<ClusterDnsLayout> Layouts => ClusterDnsIdentity.Layouts;

    /// <summary>kubeadm's layout, assumed while nothing shows another (<see cref="ClusterDnsIdentity.Default"/>).</summary>
    public static ClusterDnsLayout Default => ClusterDnsIdentity.Default;

    /// <summary>The selector that lists the cluster DNS pods of any layout labelling them by <c>k8s-app</c> (<see cref="ClusterDnsIdentity.AnyLayoutSelector"/>).</summary>
    public static string AnyLayoutSelector => ClusterDnsIdentity.AnyLayoutSelector;

    /// <summary>
    /// The labels that list the cluster DNS Service of a distribution (<see cref="Facts.ClusterDns.Distribution"/>):
    /// OpenShift's dns-default carries <c>dns.operator.openshift.io/owning-dns=default</c> (openshift/cluster-dns-operator
    /// <c>service.yaml</c>, tests/fixtures/distributions), every other layout's Service the <c>k8s-app</c> label of its
    /// pods (<see cref="AnyLayoutSelector"/>).
    /// </summary>
    public static string ServiceSelectorOf(string? distribution) =>
        distribution == Facts.Distributions.OpenShift ? "dns.operator.openshift.io/owning-dns=default" : AnyLayoutSelector;

    /// <summary>The container of a cluster DNS pod that serves DNS, whose log is read (<see cref="ClusterDnsIdentity.DnsContainer"/>).</summary>
    public static k8s.Models.V1Container? DnsContainer(IList<k8s.Models.V1Container>? containers) => ClusterDnsIdentity.DnsContainer(containers, c => c.Name);

    /// <summary>The cluster DNS Service (null when not in the snapshot) and its pods, in the snapshot's order.</summary>
    public static (Service? Service, IReadOnlyList<Pod> Pods) Of(Contract.Snapshot snapshot)
    {
        var identity = SnapshotObjects.Read(snapshot).ClusterDns;
        return (identity.Service, identity.Pods);
    }
}

/// <summary>
/// Where one distribution puts its cluster DNS: the namespace, the Service, the ConfigMap with the Corefile, the
/// prefixes of its pods' names and the labels its Service selects them by.
/// </summary>
public sealed record ClusterDnsLayout(
    string Distribution, string Namespace, string Service, string ConfigMap, IReadOnlyList<string> PodPrefixes, IReadOnlyDictionary<string, string> PodLabels,
    string Workload = "deployment/coredns")
{
    /// <summary>The layout's pod labels as a label selector: <c>k8s-app=kube-dns</c>.</summary>
    public string Selector => SelectorOf(PodLabels);

    /// <summary>Labels as a label selector, <c>key=value,key=value</c>, in their order.</summary>
    public static string SelectorOf(IEnumerable<KeyValuePair<string, string>> labels) => string.Join(",", labels.Select(kv => $"{kv.Key}={kv.Value}"));

    /// <summary>Does a pod with these labels carry all of the layout's?</summary>
    public bool Carries(IDictionary<string, string>? labels) =>
        labels is not null && PodLabels.All(kv => labels.TryGetValue(kv.Key, out var v) && v == kv.Value);
}
