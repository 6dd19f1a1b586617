using DnsExpert.Facts;
using DnsExpert.Text;

namespace DnsExpert.Engine.Commands;

/// <summary>
/// What a <c>collect:</c> command of a rule file can name (<c>{{ known.Pod }}</c>): the request's target and failing
/// name and what the facts say about kube-dns and CoreDNS. An unknown value is a <see cref="Placeholder"/> the user
/// replaces (<c>&lt;pod&gt;</c>); a known one becomes one shell word when it is a value of its
/// <see cref="CommandValueAttribute"/> kind, else the placeholder again (a failing name <c>-f/etc/shadow</c> from an
/// error message is no name, and would be an option to <c>dig</c>).
/// </summary>
public sealed record KnownValues
{
    [CommandValue(CommandValueKind.Namespace)]
    public object Namespace { get; init; } = new Placeholder("<namespace>");
    [CommandValue(CommandValueKind.ObjectName)]
    public object Pod { get; init; } = new Placeholder("<pod>");

    /// <summary>The namespace of the Service the failing name names (<c>orders.prod.svc.cluster.local</c>, <c>orders.prod</c>), else the pod's.</summary>
    [CommandValue(CommandValueKind.Namespace)]
    public object ServiceNamespace { get; init; } = new Placeholder("<namespace>");

    /// <summary>The failing pod's node (its JSON's <c>spec.nodeName</c>, or the NODE column of <c>get pods -o wide</c>).</summary>
    [CommandValue(CommandValueKind.ObjectName)]
    [FilledFrom("PodDns")]
    public object Node { get; init; } = new Placeholder("<node>");
    [CommandValue(CommandValueKind.DnsName)]
    public object Name { get; init; } = new Placeholder("<name>");
    [CommandValue(CommandValueKind.IpAddress)]
    [FilledFrom("KubeDnsService", "PodResolvConf")]
    public object KubeDnsIp { get; init; } = new Placeholder("<kube-dns-ip>");
    [CommandValue(CommandValueKind.ObjectName)]
    [FilledFrom("CoreDnsPod")]
    public object CoreDnsPod { get; init; } = new Placeholder("<coredns-pod>");

    /// <summary>
    /// The address NodeLocal DNSCache forwards cluster names to, as its node's host network reaches it
    /// (<see cref="NodeLocalDnsCache.UpstreamIp"/>: kube-dns-upstream's ClusterIP on GKE, kubespray's coredns Service):
    /// what a lookup from the failing pod's node asks to reproduce NodeLocal's own path to CoreDNS. The DaemonSets'
    /// listing, which the checks name by what it decides (<c>ClusterDns.NodeLocalPresent</c>), gives its
    /// <c>-upstreamsvc</c>; the Services give that Service's ClusterIP.
    /// </summary>
    [CommandValue(CommandValueKind.IpAddress)]
    [FilledFrom("NodeLocalDnsCache", "ClusterDns.NodeLocalPresent", "KubeDnsService")]
    public object NodeLocalUpstreamIp { get; init; } = new Placeholder("<nodelocal-upstream-ip>");

    /// <summary>
    /// The failing pod's node (<see cref="Node"/>) once the pod is known to ask NodeLocal DNSCache (its DaemonSet read,
    /// or the pod's nameserver, as its resolv.conf or its error names it, a link-local address or one NodeLocal's own
    /// Corefile ConfigMap binds): where a lookup from the
    /// node's host network reproduces NodeLocal's own. Until then a check naming it is not given
    /// (<see cref="Placeholder.Withheld"/>): without NodeLocal no pod's query goes that way.
    /// </summary>
    [CommandValue(CommandValueKind.ObjectName)]
    [FilledFrom("PodDns", "NodeLocalDnsCache")]
    public object NodeLocalNode { get; init; } = new Placeholder("<nodelocal-node>", Withheld: true);

    /// <summary>
    /// NodeLocal DNSCache's namespace as its DaemonSet (or, without it, its Corefile ConfigMap) shows it
    /// (<see cref="NodeLocalDnsCache.Namespace"/>: a chart's release namespace); while neither was read, <c>kube-system</c>,
    /// where upstream's manifest, kubespray, RKE2 and GKE put it.
    /// </summary>
    [CommandValue(CommandValueKind.Namespace)]
    [FilledFrom("NodeLocalDnsCache")]
    public object NodeLocalNamespace { get; init; } = "kube-system";

    /// <summary>
    /// NodeLocal DNSCache's pods' label selector (<see cref="NodeLocalDnsCache.PodSelector"/>: its DaemonSet's
    /// <c>matchLabels</c>, the charts' <c>app.kubernetes.io/...</c>); while unknown, <c>k8s-app=node-local-dns</c>, which
    /// upstream's, kubespray's, RKE2's and GKE's pods carry.
    /// </summary>
    [CommandValue(CommandValueKind.LabelSelector)]
    [FilledFrom("NodeLocalDnsCache")]
    public object NodeLocalSelector { get; init; } = "k8s-app=node-local-dns";
    /// <summary>
    /// The name every cluster DNS answers, the <c>kubernetes</c> Service's in <c>default</c> under the cluster domain
    /// (<see cref="ClusterDns.ClusterDomain"/>: the Corefile's <c>kubernetes</c> zone, <c>cluster.local</c> while unread):
    /// what a check comparing two paths to CoreDNS asks, so that its answer says which path works whatever the failing
    /// name is (one the cluster cannot answer would fail both ways).
    /// </summary>
    [CommandValue(CommandValueKind.DnsName)]
    public object KubernetesServiceName { get; init; } = KubernetesServiceNameIn("cluster.local");
    /// <summary>
    /// The cluster domain (<see cref="ClusterDns.ClusterDomain"/>: the Corefile's <c>kubernetes</c> zone), <c>cluster.local</c>
    /// while unread, for a snippet (a dnsConfig's search list).
    /// </summary>
    public string ClusterDomain { get; init; } = "cluster.local";

    [CommandValue(CommandValueKind.IpAddress)]
    [FilledFrom("CoreDnsPod")]
    public object CoreDnsPodIp { get; init; } = new Placeholder("<coredns-pod-ip>");

    /// <summary>
    /// A CoreDNS pod whose container has restarted (a restart count, CrashLoopBackOff, or a last terminated state), not
    /// Ready first: the pod whose previous container's log (<c>kubectl logs --previous</c>) says why it stopped. Until
    /// the pods show one, a check naming it is not given (<see cref="Placeholder.Withheld"/>): with no restart there is
    /// no previous container to read.
    /// </summary>
    [CommandValue(CommandValueKind.ObjectName)]
    public object RestartedCoreDnsPod { get; init; } = new Placeholder("<restarted-coredns-pod>", Withheld: true);

    /// <summary>
    /// A kube-dns pod (its DNS container <c>kubedns</c>, beside which kube-dns's manifest runs <c>dnsmasq</c> and
    /// <c>sidecar</c>), Ready first, then by name, as <c>kubectl logs deploy/kube-dns</c> picks one: whose
    /// <c>dnsmasq</c> container's log says whether dnsmasq reached its <c>--dns-forward-max</c>, which the pods' logs
    /// check does not read (it reads each pod's default container, <c>kubedns</c>). Until the pods show a kube-dns pod,
    /// a check naming it is not given (<see cref="Placeholder.Withheld"/>): CoreDNS pods have no dnsmasq container.
    /// </summary>
    [CommandValue(CommandValueKind.ObjectName)]
    [FilledFrom("CoreDnsPod")]
    public object KubeDnsPod { get; init; } = new Placeholder("<kube-dns-pod>", Withheld: true);
    [CommandValue(CommandValueKind.ObjectName)]
    [FilledFrom("CoreDnsPod")]
    public object CoreDnsNode { get; init; } = new Placeholder("<coredns-node>");

    /// <summary>
    /// The cluster DNS pods' namespace as the snapshot shows it (<see cref="ClusterDns.PodsNamespace"/>: OpenShift's
    /// <c>openshift-dns</c>), kubeadm's <c>kube-system</c> while it shows none, as most distributions keep it; once
    /// kubeadm's pods were listed and none was there, a placeholder the cluster DNS Service fills.
    /// </summary>
    [CommandValue(CommandValueKind.Namespace)]
    [FilledFrom("KubeDnsService")]
    public object ClusterDnsNamespace { get; init; } = Readers.Building.ClusterDnsObjects.Default.Namespace;

    /// <summary>
    /// The cluster DNS pods' label selector (<see cref="ClusterDns.PodsSelector"/>), as <see cref="ClusterDnsNamespace"/>;
    /// while unknown, <c>k8s-app in (kube-dns,coredns)</c>, which lists them on every layout that labels them by
    /// <c>k8s-app</c> (<see cref="Readers.Building.ClusterDnsObjects.AnyLayoutSelector"/>: kubespray's older pods carry
    /// <c>k8s-app=coredns</c>), a command quoting it as one word.
    /// </summary>
    [CommandValue(CommandValueKind.LabelSelector)]
    [FilledFrom("KubeDnsService")]
    public object ClusterDnsSelector { get; init; } = Readers.Building.ClusterDnsObjects.AnyLayoutSelector;

    /// <summary>
    /// The labels that list the cluster DNS Service in <see cref="ClusterDnsNamespace"/>, whatever its name:
    /// <c>k8s-app in (kube-dns,coredns)</c> (kubeadm's and GKE's kube-dns, kubespray's coredns, RKE2's
    /// rke2-coredns-rke2-coredns all carry one of them), OpenShift's dns-default's own label once the snapshot shows OpenShift
    /// (<see cref="Readers.Building.ClusterDnsObjects.ServiceSelectorOf"/>).
    /// </summary>
    [CommandValue(CommandValueKind.LabelSelector)]
    public object ClusterDnsServiceSelector { get; init; } = Readers.Building.ClusterDnsObjects.AnyLayoutSelector;

    /// <summary>The ConfigMap holding the Corefile (<see cref="ClusterDns.CorefileConfigMap"/>), as <see cref="ClusterDnsNamespace"/>: kubeadm's <c>coredns</c> while unknown.</summary>
    [CommandValue(CommandValueKind.ObjectName)]
    [FilledFrom("KubeDnsService")]
    public object CorefileConfigMap { get; init; } = Readers.Building.ClusterDnsObjects.Default.ConfigMap;

    /// <summary>
    /// The workload running the cluster DNS pods as kubectl names it (<see cref="ClusterDns.Workload"/>:
    /// <c>deployment/coredns</c>, <c>daemonset/dns-default</c>), as <see cref="ClusterDnsNamespace"/>: kubeadm's while unknown.
    /// </summary>
    [CommandValue(CommandValueKind.ObjectReference)]
    [FilledFrom("KubeDnsService")]
    public object ClusterDnsWorkload { get; init; } = Readers.Building.ClusterDnsObjects.Default.Workload;

    /// <summary>
    /// The kind of <see cref="ClusterDnsWorkload"/>, for a remediation's <c>when:</c>: <c>deployment</c> (kubeadm's, GKE's
    /// kube-dns, RKE2's, kubespray's), <c>daemonset</c> (OpenShift's dns-default: one pod per node, which no replica count
    /// or spread changes); empty while the workload is left to fill in.
    /// </summary>
    public string ClusterDnsWorkloadKind { get; init; } = "deployment";

    /// <summary>
    /// The cluster DNS Service's name in <see cref="ClusterDnsNamespace"/>, as the snapshot shows it (the Service read),
    /// else its distribution's layout's (<see cref="Readers.Building.ClusterDnsObjects.Layouts"/>: OpenShift's
    /// <c>dns-default</c>, RKE2's <c>rke2-coredns-rke2-coredns</c>, kubespray's <c>coredns</c>), kubeadm's <c>kube-dns</c>
    /// while unknown; once kubeadm's pods were listed and none was there, a placeholder the Service fills.
    /// </summary>
    [CommandValue(CommandValueKind.ObjectName)]
    [FilledFrom("KubeDnsService")]
    public object ClusterDnsService { get; init; } = Readers.Building.ClusterDnsObjects.Default.Service;

    /// <summary>
    /// The cluster DNS pods' service account in <see cref="ClusterDnsNamespace"/> (<see cref="CoreDnsPod.ServiceAccount"/>),
    /// whom the API server must let CoreDNS list and watch as; while no pod shows it, its layout's: GKE's and old
    /// kubeadm's <c>kube-dns</c>, OpenShift's <c>dns</c>, RKE2's chart's <c>rke2-coredns-rke2-coredns</c>, else
    /// kubeadm's <c>coredns</c>.
    /// </summary>
    [CommandValue(CommandValueKind.ObjectName)]
    [FilledFrom("CoreDnsPod")]
    public object ClusterDnsServiceAccount { get; init; } = "coredns";

    /// <summary>
    /// One label of the cluster DNS pods as a YAML mapping entry, for a snippet (a NetworkPolicy's podSelector): the
    /// first <c>key=value</c> of <see cref="ClusterDnsSelector"/> once the snapshot shows it (OpenShift's
    /// <c>dns.operator.openshift.io/daemonset-dns: default</c>, kubespray's older <c>k8s-app: coredns</c>), else
    /// <c>k8s-app: kube-dns</c>, which kubeadm's, GKE's, k3s's, RKE2's and kubespray's pods carry.
    /// </summary>
    public string ClusterDnsPodLabel { get; init; } = "k8s-app: kube-dns";

    /// <summary>
    /// The port the cluster DNS pods listen on, which a NetworkPolicy's egress rule must allow (policies see the pod's
    /// port, after the Service's): OpenShift's dns-default pods listen on 5353 behind the Service's 53
    /// (openshift/cluster-dns-operator, tests/fixtures/distributions/openshift-dns-default.json: targetPort dns), the others on 53.
    /// </summary>
    public string ClusterDnsPodPort { get; init; } = "53";

    /// <summary>
    /// The distribution the snapshot shows (<see cref="ClusterDns.Distribution"/>, one of <see cref="Distributions"/>),
    /// for a remediation's <c>when:</c> (a step that does not apply there); empty for kubeadm and its kin, and while unknown.
    /// </summary>
    public string Distribution { get; init; } = "";

    /// <summary>
    /// The oldest kubelet the nodes run, or the API server's version a pasted <c>kubectl version</c> gives
    /// (<see cref="ClusterDns.KubernetesVersion"/>), null while neither is shown: whether
    /// <c>kubectl debug POD</c> can add an ephemeral container (<see cref="DebugCommands"/>).
    /// </summary>
    public ReleaseVersion? KubernetesVersion { get; init; }

    /// <summary>The pods the facts show (<c>namespace/name</c>): the node and DNS settings a debug fallback pod copies (<see cref="DebugCommands"/>).</summary>
    internal IReadOnlyDictionary<string, DebugPod> DebugPods { get; init; } = new Dictionary<string, DebugPod>(StringComparer.Ordinal);

    /// <summary>
    /// The network interface of the CoreDNS pods' node that <c>ethtool -S</c> reads: the one a read of that node's
    /// counters named (<see cref="NodeNicAllowance.Device"/>; another node's read while none of it); else, on an EC2 node
    /// (<c>aws://</c>), the name its OS gives its first ENA interface on a Nitro instance (<see cref="ClusterNode.OsImage"/>:
    /// <c>ens5</c> on Red Hat Enterprise Linux CoreOS, Amazon Linux 2023 and Ubuntu, which name interfaces by their slot); else
    /// <c>eth0</c> (Amazon Linux 2, Bottlerocket, and the ENA documentation's example). Never a placeholder, and only a
    /// word of <c>[a-z0-9.-]</c> of at most 15 characters: a node script may name it (<see cref="NodeScriptValueAttribute"/>).
    /// </summary>
    [CommandValue(CommandValueKind.ObjectName)]
    [NodeScriptValue]
    public object CoreDnsNodeInterface { get; init; } = DefaultInterface;

    /// <summary>The interface assumed while nothing shows the node's: the ENA documentation's <c>eth0</c>.</summary>
    internal const string DefaultInterface = "eth0";

    /// <summary>
    /// The cluster DNS pods' DNS container (<see cref="CoreDnsPod.Container"/>), what <c>kubectl debug --target</c> and
    /// <c>kubectl logs -c</c> name: <c>coredns</c>, OpenShift's <c>dns</c>, kube-dns's <c>kubedns</c>; while no pod
    /// shows it, the distribution's (<see cref="ClusterDns.Distribution"/>), kubeadm's <c>coredns</c> while unknown.
    /// </summary>
    [CommandValue(CommandValueKind.ObjectName)]
    [FilledFrom("CoreDnsPod")]
    public object ClusterDnsContainer { get; init; } = "coredns";

    /// <summary>
    /// A CoreDNS pod for <c>kubectl debug</c> to add an ephemeral container to, whose network namespace a lookup from
    /// CoreDNS's own place shares (<see cref="CoreDnsPod"/>); while no pod is known, a substitution that lists the first
    /// pod of <see cref="ClusterDnsSelector"/> in <see cref="ClusterDnsNamespace"/> when the command runs
    /// (<see cref="CommandLookups.CoreDnsPod"/>), so the command pastes as given.
    /// </summary>
    [CommandValue(CommandValueKind.ObjectName)]
    public object AnyCoreDnsPod { get; init; } = CommandLookups.CoreDnsPod(new Placeholder("<coredns-pod>"), Readers.Building.ClusterDnsObjects.Default.Namespace,
        Readers.Building.ClusterDnsObjects.AnyLayoutSelector);

    /// <summary>
    /// The arguments of <c>kubectl scale</c> that scale the cluster DNS Deployment out (<see cref="CommandLookups.Scale"/>):
    /// <c>--current-replicas=2 --replicas=3</c> once its count is known (its <c>spec.replicas</c>, else the CoreDNS pods
    /// listed), else a <c>--replicas</c> the command computes from the Deployment's <c>spec.replicas</c>.
    /// </summary>
    public object ClusterDnsScaleArguments { get; init; } = CommandLookups.Scale(null, "", Readers.Building.ClusterDnsObjects.Default.Namespace,
        Readers.Building.ClusterDnsObjects.Default.Workload).Arguments;

    /// <summary>How <see cref="ClusterDnsScaleArguments"/>'s count was chosen, in words, for the step's text.</summary>
    public string ClusterDnsScaleNote { get; init; } = CommandLookups.Scale(null, "", "", "").Note;

    /// <summary>The count <see cref="ClusterDnsScaleArguments"/> asks for (<c>3</c>), or in words while the current one is unknown.</summary>
    public string ClusterDnsScaleTo { get; init; } = CommandLookups.Scale(null, "", "", "").Target;

    /// <summary>
    /// The cluster-proportional-autoscaler that owns the cluster DNS replica count (<see cref="ClusterDns.Autoscaler"/>:
    /// <c>deployment/kube-dns-autoscaler</c>), for a remediation's <c>when:</c> and text; empty while the snapshot shows none.
    /// </summary>
    public string ClusterDnsAutoscaler { get; init; } = "";

    /// <summary>The ConfigMap of <see cref="ClusterDnsAutoscaler"/>'s parameters, in <see cref="ClusterDnsNamespace"/>.</summary>
    [CommandValue(CommandValueKind.ObjectName)]
    public object ClusterDnsAutoscalerConfigMap { get; init; } = new Placeholder("<autoscaler-configmap>");

    /// <summary>
    /// The Prometheus server the request's metrics came from (<see cref="CommandLookups.PrometheusServer"/>), for a
    /// remediation's <c>when:</c> and text; empty when none did, or its URL is not one a command may hold.
    /// </summary>
    public string PrometheusServer { get; init; } = "";

    /// <summary><see cref="PrometheusServer"/> as one shell word for a command (its API's base URL); a placeholder while there is none.</summary>
    public object PrometheusUrl { get; init; } = new Placeholder("<prometheus-url>");

    /// <summary>
    /// The command that opens the cluster DNS configuration where a change lasts on the cluster's distribution
    /// (<see cref="CorefileEdit"/>): <c>kubectl -n kube-system edit configmap coredns</c> on kubeadm and while unknown,
    /// <c>oc edit dns.operator/default</c> on OpenShift, AKS's and k3s's <c>coredns-custom</c>, RKE2's HelmChartConfig,
    /// kube-dns's ConfigMap. Built from checked, quoted values: a template writes it as it is.
    /// </summary>
    public object CorefileEditCommand { get; init; } = CorefileEdit.For(null, Readers.Building.ClusterDnsObjects.Default.Namespace,
        Readers.Building.ClusterDnsObjects.Default.ConfigMap, Readers.Building.ClusterDnsObjects.Default.Workload).Command;

    /// <summary>Why <see cref="CorefileEditCommand"/> is that command on this distribution, and what would undo the change; empty on kubeadm and while unknown.</summary>
    public string CorefileEditNote { get; init; } = "";

    /// <summary>
    /// The first plain DNS address the Corefile's root <c>forward</c> names (not a file, not CoreDNS itself); when it
    /// forwards to a file (<c>forward . /etc/resolv.conf</c>), the first nameserver of the file kubelet hands CoreDNS
    /// on its node (<see cref="NodeResolvConf.UsedByKubelet"/>), once read, other than a loopback address.
    /// </summary>
    [CommandValue(CommandValueKind.NameOrAddress)]
    [FilledFrom("CorefileUpstream", "NodeResolvConf")]
    public object Upstream { get; init; } = new Placeholder("<upstream>");

    /// <summary>
    /// <see cref="Upstream"/> once known, for a remediation's <c>when:</c>: empty while it is a placeholder, and a step
    /// asks without a server (the resolvers of the CoreDNS pod's resolv.conf, the node's under its dnsPolicy Default).
    /// </summary>
    public string UpstreamAddress { get; init; } = "";

    /// <summary>
    /// Fact types that record what was seen (a CoreDNS log line of a kind) whose source was read: none of them is not
    /// a missing fact but a clean source.
    /// </summary>
    public IReadOnlySet<string> Observed { get; init; } = new HashSet<string>();

    /// <summary>
    /// Fact types whose facts were read, but not from the source the failing name needs (its namespace's Services):
    /// still missing for the hypotheses.
    /// </summary>
    public IReadOnlySet<string> Unread { get; init; } = new HashSet<string>();

    /// <summary>The commands whose output the request already holds (their words single-spaced): not asked for again.</summary>
    public IReadOnlySet<string> Ran { get; init; } = new HashSet<string>();

    /// <summary>The placeholders standing for values not known here (<c>&lt;coredns-pod&gt;</c>), read once.</summary>
    internal IReadOnlyList<string> Placeholders => _placeholders ??= PlaceholderTexts(withheldOnly: false);

    private IReadOnlyList<string>? _placeholders;

    /// <summary>The placeholders a check must not hold to be given at all (<see cref="Placeholder.Withheld"/>).</summary>
    internal IReadOnlyList<string> Withheld => _withheld ??= PlaceholderTexts(withheldOnly: true);

    private IReadOnlyList<string>? _withheld;

    /// <summary>
    /// These values with each one a check may name only once the evidence showed its premise (its default placeholder is
    /// <see cref="Placeholder.Withheld"/>: the failing pod's node once it is known to ask NodeLocal DNSCache) back to
    /// that placeholder: a command rendered over it holds the placeholder when it names such a value.
    /// </summary>
    internal KnownValues Unpremised
    {
        get
        {
            if (_unpremised is not null)
            {
                return _unpremised;
            }

            var copy = this with { };
            (copy._placeholders, copy._withheld) = (null, null);
            foreach (var property in ValueProperties.Where(p => p.GetValue(Defaults) is Placeholder { Withheld: true } && p.GetValue(this) is not Placeholder))
            {
                property.SetValue(copy, property.GetValue(Defaults));
            }

            return _unpremised = copy;
        }
    }

    private KnownValues? _unpremised;

    private static readonly System.Reflection.PropertyInfo[] ValueProperties =
        typeof(KnownValues).GetProperties().Where(p => p.PropertyType == typeof(object)).ToArray();

    /// <summary>The getters of <see cref="ValueProperties"/>, in their order, as delegates: read in every diagnosis, not through reflection.</summary>
    private static readonly Func<KnownValues, object>[] ValueGetters =
        ValueProperties.Select(p => p.GetGetMethod()!.CreateDelegate<Func<KnownValues, object>>()).ToArray();

    /// <summary>The texts of the placeholders among these values (only the withheld ones when <paramref name="withheldOnly"/>), in the properties' order.</summary>
    private List<string> PlaceholderTexts(bool withheldOnly)
    {
        var texts = new List<string>();
        foreach (var get in ValueGetters)
        {
            if (get(this) is Placeholder placeholder && (!withheldOnly || placeholder.Withheld))
            {
                texts.Add(placeholder.Text);
            }
        }

        return texts;
    }

    private static readonly KnownValues Defaults = new();

    /// <summary>The withheld placeholders of <see cref="Unpremised"/>, whatever is known.</summary>
    internal static IReadOnlyList<string> PremisePlaceholders { get; } =
        ValueProperties.Select(p => p.GetValue(Defaults)).OfType<Placeholder>().Where(p => p.Withheld).Select(p => p.Text).ToList();

    /// <summary>
    /// The fact types that would fill what <paramref name="command"/> still leaves to fill in (its placeholders, and
    /// the node of a check <paramref name="on"/> a node when unknown): a check that collects one of them enables it.
    /// </summary>
    internal IReadOnlyList<string> FilledFrom(string command, string? on)
    {
        // The planner asks this of every check it cannot give as it stands, in every diagnosis: the values through their
        // getters and the attributes read once (ValueFills), not by reflection per call.
        List<string>? types = null;
        for (var i = 0; i < ValueGetters.Length; i++)
        {
            var fills = ValueFills[i];
            if (fills.Length > 0 && ValueGetters[i](this) is Placeholder placeholder
                && (command.Contains(placeholder.Text, StringComparison.Ordinal)
                    || (on, ValueProperties[i].Name) is ("node", nameof(Node)) or ("coredns-node", nameof(CoreDnsNode))))
            {
                foreach (var type in fills)
                {
                    types ??= [];
                    if (!types.Contains(type, StringComparer.Ordinal))
                    {
                        types.Add(type);
                    }
                }
            }
        }

        return types ?? [];
    }

    /// <summary>The fact types of each of <see cref="ValueProperties"/>' <see cref="FilledFromAttribute"/>s, in their order.</summary>
    private static readonly string[][] ValueFills =
        ValueProperties.Select(p => p.GetCustomAttributes(typeof(FilledFromAttribute), false).Cast<FilledFromAttribute>().SelectMany(a => a.FactTypes).ToArray()).ToArray();

    /// <summary>A command's words single-spaced, as <see cref="Ran"/> keeps them.</summary>
    public static string Words(string command) => string.Join(' ', command.Split([' ', '\t', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries));

    /// <summary>
    /// The tools the failing pod's container is known to have, from its image (busybox and alpine: busybox's applets,
    /// no <c>dig</c>); null when the image is unknown or says nothing, and a check keeps its command.
    /// </summary>
    public IReadOnlySet<string>? PodTools { get; init; }

    private static readonly string[] BusyboxApplets = ["cat", "nslookup", "ping", "wget", "sh"];

    /// <summary>Images whose tools their name tells (the repository's last segment, any tag): busybox and plain alpine carry busybox's applets.</summary>
    private static readonly Dictionary<string, string[]> ImageTools = new(StringComparer.Ordinal)
    {
        ["busybox"] = BusyboxApplets,
        ["alpine"] = BusyboxApplets,
    };


    /// <summary>
    /// The first nameserver, other than a loopback address, of the file the Corefile's root <c>forward</c> names, as
    /// kubelet hands it to CoreDNS: the node's file kubelet uses, on CoreDNS's node when that one was read.
    /// </summary>
    private static string? UpstreamOfFile(FactsByType facts, string? coreDnsNode)
    {
        if (!facts.OfType<CorefileUpstream>().Any(u => u.From == "." && u.File is not null))
        {
            return null;
        }

        return facts.OfType<NodeResolvConf>().Where(r => r.UsedByKubelet).OrderByDescending(r => r.Node == coreDnsNode)
            .SelectMany(r => r.Nameservers.Where(n => n != r.LoopbackNameserver && !n.StartsWith("127.", StringComparison.Ordinal) && n != "::1"))
            .FirstOrDefault();
    }

    /// <summary>
    /// From the request (<paramref name="targetNamespace"/>, <paramref name="pod"/>, the failing <paramref name="name"/>,
    /// the DNS <paramref name="server"/> the error message names) and the facts (kube-dns Service, CoreDNS pods).
    /// </summary>
    /// <remarks>
    /// Without a target, the pod is the one an output ran in (<paramref name="origins"/>: its <c>from</c>, or the pod
    /// of its <c>kubectl exec</c>, as <c>namespace/pod</c>), leaving out CoreDNS's namespace.
    /// </remarks>
    public static KnownValues From(IReadOnlyList<object> facts, string? targetNamespace, string? pod, string? name, string? server, IReadOnlySet<string>? observed = null,
        IEnumerable<string>? origins = null, IEnumerable<string?>? ran = null) =>
        Read(new FactsByType(facts), targetNamespace, pod, name, server, observed, origins, ran);

    /// <summary>As <see cref="From"/>, over the facts read by type (one pass over them, not one per value).</summary>
    private static KnownValues Read(FactsByType facts, string? targetNamespace, string? pod, string? name, string? server, IReadOnlySet<string>? observed = null,
        IEnumerable<string>? origins = null, IEnumerable<string?>? ran = null)
    {
        var kubeDns = facts.OfType<KubeDnsService>().FirstOrDefault(s => !string.IsNullOrEmpty(s.ClusterIp));
        var coreDns = facts.OfType<CoreDnsPod>().OrderBy(p => p.Ready).ThenBy(p => p.Name, StringComparer.Ordinal).FirstOrDefault();
        // A pod to ask directly answers only when Ready.
        var answering = facts.OfType<CoreDnsPod>().Where(p => !string.IsNullOrWhiteSpace(p.Ip)).OrderByDescending(p => p.Ready).ThenBy(p => p.Name, StringComparer.Ordinal).FirstOrDefault();
        var queried = facts.OfType<QueriedName>().FirstOrDefault();
        var clusterDns = facts.OfType<ClusterDns>().FirstOrDefault(c => c.PodsNamespace is not null);
        var ranWords = (ran ?? []).Where(c => !string.IsNullOrWhiteSpace(c)).Select(c => Words(c!)).ToHashSet(StringComparer.Ordinal);
        // kubeadm's cluster DNS pods were listed and none is there (OpenShift's are in openshift-dns): where they are is
        // not known until the cluster DNS Service is read (by the ClusterIP the error names).
        var elsewhere = clusterDns is null && !facts.OfType<CoreDnsPod>().Any() && ranWords.Any(ListsDefaultDnsPods);
        var unknown = new KnownValues();
        if (NullIfEmpty(pod) is null && Origin(origins) is { } origin)
        {
            (targetNamespace, pod) = (origin.Namespace, origin.Pod);
        }

        var podNamespace = NullIfEmpty(targetNamespace) ?? (NullIfEmpty(pod) is null ? null : "default");
        var podDns = facts.OfType<PodDns>().FirstOrDefault(p => p.Name == pod && p.Namespace == podNamespace);
        var nodeLocal = facts.OfType<NodeLocalDnsCache>().FirstOrDefault();
        var resolvConf = facts.OfType<PodResolvConf>().FirstOrDefault(r => r.Pod == pod && r.Namespace == podNamespace);
        var asked = HostOf(server) ?? (resolvConf is { Nameservers.Count: > 0 } ? resolvConf.Nameservers[0] : null);
        var asksLinkLocal = podDns?.UsesNodeLocal == true || asked?.StartsWith("169.254.", StringComparison.Ordinal) == true;
        // NodeLocal's own Corefile ConfigMap, read without its DaemonSet: the address the pod asks is one it binds (GKE's
        // node-local-dns binds the kube-dns ClusterIP too), and the address it forwards cluster names to when it names one.
        var nodeLocalConfig = facts.OfType<ClusterDns>().FirstOrDefault(c => c.NodeLocalConfigBinds.Count > 0);
        var asksNodeLocal = asksLinkLocal || (asked is not null && nodeLocalConfig?.NodeLocalConfigBinds.Contains(asked) == true);
        var failing = NullIfEmpty(name) ?? queried?.Name;
        var nameNamespace = queried?.ServiceNamespace ?? NamespaceOf(failing);
        var known = new KnownValues
        {
            // Without a pod, the namespace the failing name says is the best guess for the pod's too.
            Namespace = (object?)podNamespace ?? (object?)nameNamespace ?? unknown.Namespace,
            Pod = (object?)NullIfEmpty(pod) ?? unknown.Pod,
            ServiceNamespace = (object?)nameNamespace ?? (object?)podNamespace ?? unknown.ServiceNamespace,
            Node = (object?)NullIfEmpty(podDns?.Node) ?? unknown.Node,
            PodTools = ToolsOf(podDns),
            NodeLocalNode = (object?)(nodeLocal is not null || asksNodeLocal ? NullIfEmpty(podDns?.Node) : null) ?? unknown.NodeLocalNode,
            NodeLocalNamespace = (object?)NullIfEmpty(nodeLocal?.Namespace) ?? (object?)facts.OfType<ClusterDns>().Select(c => c.NodeLocalNamespace).FirstOrDefault(n => n is not null) ?? unknown.NodeLocalNamespace,
            NodeLocalSelector = (object?)NullIfEmpty(nodeLocal?.PodSelector) ?? unknown.NodeLocalSelector,
            Name = (object?)failing ?? unknown.Name,
            KubeDnsIp = (object?)kubeDns?.ClusterIp ?? (object?)ClusterDnsOf(facts, podNamespace, pod, podDns) ?? (object?)HostOf(server) ?? unknown.KubeDnsIp,
            CoreDnsPod = (object?)coreDns?.Name ?? unknown.CoreDnsPod,
            // Without its DaemonSet: the address its Corefile names, else, on a link-local address, the cluster DNS Service
            // (kubespray's nodelocaldns); not when its Corefile leaves the address to -upstreamsvc (only the DaemonSet names it).
            NodeLocalUpstreamIp = (object?)NullIfEmpty(nodeLocal?.UpstreamIp)
                ?? (nodeLocal is null ? nodeLocalConfig?.NodeLocalConfigUpstream ?? (asksLinkLocal && nodeLocalConfig is null ? kubeDns?.ClusterIp : null) : null)
                ?? unknown.NodeLocalUpstreamIp,
            CoreDnsPodIp = (object?)NullIfEmpty(answering?.Ip) ?? unknown.CoreDnsPodIp,
            KubernetesServiceName = ClusterDomainOf(facts) is { } domain ? KubernetesServiceNameIn(domain) : unknown.KubernetesServiceName,
            ClusterDomain = ClusterDomainOf(facts)?.TrimEnd('.') ?? unknown.ClusterDomain,
            RestartedCoreDnsPod = (object?)facts.OfType<CoreDnsPod>()
                .Where(p => p.Restarts > 0 || p.WaitingReason == "CrashLoopBackOff" || p.LastTerminationReason is not null)
                .OrderBy(p => p.Ready).ThenBy(p => p.Name, StringComparer.Ordinal).FirstOrDefault()?.Name ?? unknown.RestartedCoreDnsPod,
            KubeDnsPod = (object?)facts.OfType<CoreDnsPod>().Where(p => p.Container == Readers.Parsing.CoreDnsLogParser.KubeDnsContainer)
                .OrderByDescending(p => p.Ready).ThenBy(p => p.Name, StringComparer.Ordinal).FirstOrDefault()?.Name ?? unknown.KubeDnsPod,
            CoreDnsNode = (object?)NullIfEmpty(coreDns?.Node) ?? unknown.CoreDnsNode,
            ClusterDnsNamespace = (object?)clusterDns?.PodsNamespace ?? (elsewhere ? new Placeholder("<cluster-dns-namespace>") : unknown.ClusterDnsNamespace),
            ClusterDnsSelector = (object?)clusterDns?.PodsSelector ?? (elsewhere ? new Placeholder("<cluster-dns-selector>") : unknown.ClusterDnsSelector),
            ClusterDnsServiceSelector = Readers.Building.ClusterDnsObjects.ServiceSelectorOf(facts.OfType<ClusterDns>().FirstOrDefault()?.Distribution),
            CorefileConfigMap = (object?)clusterDns?.CorefileConfigMap ?? (elsewhere ? new Placeholder("<corefile-configmap>") : unknown.CorefileConfigMap),
            ClusterDnsWorkload = (object?)clusterDns?.Workload ?? (elsewhere ? new Placeholder("<cluster-dns-workload>") : unknown.ClusterDnsWorkload),
            ClusterDnsService = (object?)facts.OfType<KubeDnsService>().Where(s => s.Namespace == (clusterDns?.PodsNamespace ?? s.Namespace)).Select(s => NullIfEmpty(s.Name)).FirstOrDefault(n => n is not null)
                ?? (clusterDns is not null ? LayoutOf(clusterDns).Service : elsewhere ? new Placeholder("<cluster-dns-service>") : unknown.ClusterDnsService),
            Distribution = facts.OfType<ClusterDns>().Select(c => c.Distribution).FirstOrDefault(d => d is not null) ?? "",
            KubernetesVersion = facts.OfType<ClusterDns>().Select(c => c.KubernetesVersion).FirstOrDefault(v => v is not null),
            DebugPods = DebugPodsOf(facts.All),
            ClusterDnsPodLabel = LabelOf(clusterDns?.PodsSelector) ?? unknown.ClusterDnsPodLabel,
            ClusterDnsPodPort = facts.OfType<ClusterDns>().Any(c => c.Distribution == Distributions.OpenShift) ? "5353" : unknown.ClusterDnsPodPort,
            ClusterDnsServiceAccount = (object?)NullIfEmpty(coreDns?.ServiceAccount) ?? ServiceAccountOf(facts.OfType<ClusterDns>().FirstOrDefault()) ?? unknown.ClusterDnsServiceAccount,
            CoreDnsNodeInterface = InterfaceOf(facts),
            ClusterDnsContainer = (object?)NullIfEmpty(coreDns?.Container) ?? ContainerOf(facts.OfType<ClusterDns>().FirstOrDefault()) ?? unknown.ClusterDnsContainer,
            Upstream = (object?)facts.OfType<CorefileUpstream>().Where(u => u.From == "." && u.Address is not null && !u.IsLoopback)
                .Select(u => u.Address).FirstOrDefault() ?? (object?)UpstreamOfFile(facts, coreDns?.Node) ?? unknown.Upstream,
            Observed = observed ?? unknown.Observed,
            Ran = ranWords,
        };
        var (edit, note) = CorefileEdit.For(facts.OfType<ClusterDns>().FirstOrDefault(), known.ClusterDnsNamespace, known.CorefileConfigMap, known.ClusterDnsWorkload);
        var dnsPods = facts.OfType<CoreDnsPod>().Count();
        var (replicas, replicasFrom) = clusterDns?.WorkloadReplicas is { } spec ? (spec, $"{clusterDns.Workload} asks for (spec.replicas)")
            : dnsPods > 0 ? (dnsPods, "CoreDNS pods the snapshot lists") : ((int?)null, "");
        var scale = CommandLookups.Scale(replicas, replicasFrom, known.ClusterDnsNamespace, known.ClusterDnsWorkload);
        var autoscaler = facts.OfType<ClusterDns>().FirstOrDefault(c => c.Autoscaler is not null && c.AutoscalerConfigMap is not null);
        var prometheus = CommandLookups.PrometheusServer(facts.OfType<CoreDnsMetrics>());
        return known with
        {
            CorefileEditCommand = edit, CorefileEditNote = note,
            AnyCoreDnsPod = CommandLookups.CoreDnsPod(known.CoreDnsPod, known.ClusterDnsNamespace, known.ClusterDnsSelector),
            ClusterDnsScaleArguments = scale.Arguments, ClusterDnsScaleNote = scale.Note, ClusterDnsScaleTo = scale.Target,
            ClusterDnsAutoscaler = autoscaler?.Autoscaler ?? "",
            ClusterDnsAutoscalerConfigMap = (object?)autoscaler?.AutoscalerConfigMap ?? unknown.ClusterDnsAutoscalerConfigMap,
            PrometheusServer = prometheus ?? "",
            UpstreamAddress = known.Upstream as string ?? "",
            PrometheusUrl = prometheus is null ? unknown.PrometheusUrl : new ShellCommand(ShellWords.Quote(prometheus)),
            ClusterDnsWorkloadKind = known.ClusterDnsWorkload is string workload && workload.IndexOf('/', StringComparison.Ordinal) is > 0 and var slash ? workload[..slash] : "",
        };
    }

    /// <summary>
    /// The layout of the cluster DNS the snapshot shows: its distribution's (OpenShift, RKE2, kubespray), else the one
    /// whose namespace and Corefile ConfigMap it shows, else kubeadm's.
    /// </summary>
    private static Readers.Building.ClusterDnsLayout LayoutOf(ClusterDns clusterDns) =>
        Readers.Building.ClusterDnsObjects.Layouts.FirstOrDefault(l => string.Equals(l.Distribution, clusterDns.Distribution, StringComparison.OrdinalIgnoreCase))
        ?? Readers.Building.ClusterDnsObjects.Layouts.FirstOrDefault(l => l.Namespace == clusterDns.PodsNamespace && l.ConfigMap == clusterDns.CorefileConfigMap)
        ?? Readers.Building.ClusterDnsObjects.Default;

    /// <summary>The interface <see cref="CoreDnsNodeInterface"/> names: read on a CoreDNS node, else on any, else by the CoreDNS node's OS.</summary>
    private static string InterfaceOf(FactsByType facts)
    {
        var dnsNodes = facts.OfType<CoreDnsPod>().Select(p => p.Node).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var read = facts.OfType<NodeNicAllowance>().Where(n => IsInterfaceName(n.Device))
            .OrderByDescending(n => dnsNodes.Contains(n.Node)).ThenBy(n => n.Node, StringComparer.Ordinal).Select(n => n.Device).FirstOrDefault();
        if (read is not null)
        {
            return read;
        }

        // ENA is EC2's: elsewhere (Azure's Ubuntu images keep eth0) the slot names below do not follow.
        var node = facts.OfType<ClusterNode>().OrderByDescending(n => n.HostsCoreDns || dnsNodes.Contains(n.Name)).ThenBy(n => n.Name, StringComparer.Ordinal)
            .FirstOrDefault(n => !string.IsNullOrWhiteSpace(n.OsImage));
        return node is { OsImage: { } os, ProviderId: { } provider } && provider.StartsWith("aws://", StringComparison.Ordinal)
            && SlotNamedOsImages.Any(prefix => os.StartsWith(prefix, StringComparison.Ordinal)) ? "ens5" : DefaultInterface;
    }

    /// <summary>
    /// OS images (their <c>osImage</c>'s start) that name a Nitro instance's first ENA interface by its PCI slot,
    /// <c>ens5</c>: RHCOS (openshift/openshift-docs#16886), Amazon Linux 2023 (systemd's slot naming scheme, its user
    /// guide's "Networking service"), Ubuntu (systemd's predictable names).
    /// </summary>
    private static readonly string[] SlotNamedOsImages = ["Red Hat Enterprise Linux CoreOS", "Amazon Linux 2023", "Ubuntu"];

    /// <summary>A Linux interface name a command and a node script may hold as it is: at most 15 characters of <c>[a-z0-9.-]</c>, no option.</summary>
    internal static bool IsInterfaceName(string? name) => name is { Length: > 0 and <= 15 } && CommandValue.Fits(name, CommandValueKind.ObjectName);

    private static string? NullIfEmpty(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;

    /// <summary>The cluster domain the facts name, if any.</summary>
    private static string? ClusterDomainOf(FactsByType facts) =>
        facts.OfType<ClusterDns>().Select(c => NullIfEmpty(c.ClusterDomain)).FirstOrDefault(d => d is not null);

    /// <summary>The <c>kubernetes</c> Service's name under <paramref name="clusterDomain"/>.</summary>
    private static string KubernetesServiceNameIn(string clusterDomain) => $"kubernetes.default.svc.{clusterDomain.TrimEnd('.')}";

    /// <summary>The first <c>key=value</c> requirement of a label selector as <c>key: value</c>; null when it has none that is a valid one.</summary>
    private static string? LabelOf(string? selector) =>
        selector?.Split(',').FirstOrDefault(r => r.Contains('=', StringComparison.Ordinal) && !r.Contains(' ', StringComparison.Ordinal)
            && CommandValue.Fits(r, CommandValueKind.LabelSelector)) is { } requirement
            ? requirement.Replace("=", ": ", StringComparison.Ordinal)
            : null;

    /// <summary>The cluster DNS pods' service account on a layout that names it otherwise than <c>coredns</c>, while no pod shows it.</summary>
    private static string? ServiceAccountOf(ClusterDns? clusterDns) => clusterDns switch
    {
        { KubeDns: true } => "kube-dns",
        { Distribution: Distributions.OpenShift } => "dns",
        { Distribution: Distributions.Rke2 } => "rke2-coredns-rke2-coredns",
        _ => null,
    };

    /// <summary>The DNS container's name on a distribution that names it otherwise than <c>coredns</c>, while no pod shows it.</summary>
    private static string? ContainerOf(ClusterDns? clusterDns) => clusterDns switch
    {
        { KubeDns: true } => "kubedns",
        { Distribution: Distributions.OpenShift } => "dns",
        _ => null,
    };

    /// <summary>
    /// Does the command list pods in kubeadm's cluster DNS namespace by the selector used while the layout is unknown
    /// (<c>kubectl get pods -n kube-system -l 'k8s-app in (kube-dns,coredns)'</c>), or by kubeadm's own?
    /// </summary>
    private static bool ListsDefaultDnsPods(string command)
    {
        var words = ShellWords.Split(command);
        var layout = Readers.Building.ClusterDnsObjects.Default;
        return words is ["kubectl", ..] && Readers.Building.EvidenceSources.KubectlResource(words, "get") is "pods" or "pod" or "po"
            && (Flag(words, "-n") ?? Flag(words, "--namespace")) == layout.Namespace
            && (Flag(words, "-l") ?? Flag(words, "--selector")) is { } selector
            && (selector == layout.Selector || selector == Readers.Building.ClusterDnsObjects.AnyLayoutSelector);
    }

    /// <summary>The value of a kubectl flag, the next word or after <c>=</c>.</summary>
    private static string? Flag(string[] words, string flag)
    {
        var at = Array.IndexOf(words, flag);
        return at >= 0 && at + 1 < words.Length ? words[at + 1]
            : words.FirstOrDefault(w => w.StartsWith(flag + "=", StringComparison.Ordinal))?[(flag.Length + 1)..];
    }

    /// <summary>The pods whose node and DNS settings the facts show, by <c>namespace/name</c>: the target pod's first, then CoreDNS's (their dnsPolicy is Default).</summary>
    private static Dictionary<string, DebugPod> DebugPodsOf(IEnumerable<object> facts)
    {
        var pods = new Dictionary<string, DebugPod>(StringComparer.Ordinal);
        foreach (var pod in facts.OfType<PodDns>())
        {
            pods.TryAdd($"{pod.Namespace}/{pod.Name}", new DebugPod(pod.Node, pod.DnsPolicy, pod.HostNetwork,
                pod.HasDnsConfig ? new DebugDnsConfig(pod.DnsConfigNameservers, pod.DnsConfigSearches, pod.DnsConfigOptions) : null));
        }

        foreach (var pod in facts.OfType<CoreDnsPod>())
        {
            pods.TryAdd($"{pod.Namespace}/{pod.Name}", new DebugPod(pod.Node, DnsPolicies.Default));
        }

        return pods;
    }

    /// <summary>The first <c>namespace/pod</c> an output ran in that is no node and not in kube-system (CoreDNS's, through kubectl debug).</summary>
    private static (string Namespace, string Pod)? Origin(IEnumerable<string>? origins)
    {
        foreach (var origin in origins ?? [])
        {
            var slash = origin.IndexOf('/', StringComparison.Ordinal);
            if (slash > 0 && origin.IndexOf('/', slash + 1) < 0 && origin[..slash] is var ns && ns is not "node" and not "kube-system")
            {
                return (ns, origin[(slash + 1)..]);
            }
        }

        return null;
    }

    /// <summary>
    /// The namespace a cluster name says when it was not parsed as one: <c>orders.prod</c> (two labels, not fully
    /// qualified) reaches <c>orders.prod.svc.cluster.local</c> through the search list. A name ending in a common
    /// public suffix (<c>example.com</c>) is a host's, not a Service's.
    /// </summary>
    private static string? NamespaceOf(string? name)
    {
        if (name is null || name.EndsWith('.'))
        {
            return null;
        }

        var labels = name.Split('.');
        return labels.Length == 2 && labels[0].Length > 0 && !PublicSuffixes.Contains(labels[1]) ? labels[1] : null;
    }

    private static readonly HashSet<string> PublicSuffixes = new(StringComparer.OrdinalIgnoreCase)
    {
        "com", "net", "org", "io", "dev", "app", "ai", "co", "cloud", "info", "biz", "us", "uk", "de", "fr", "jp", "cn", "ru", "eu", "in", "br", "nl", "local", "internal", "lan", "localhost",
    };

    /// <summary>
    /// The kube-dns ClusterIP as the pod's <c>/etc/resolv.conf</c> names it: kubelet writes the cluster DNS as its
    /// nameserver under ClusterFirst, with the cluster's <c>svc.</c> search domains; not when the pod uses NodeLocal
    /// DNSCache (a link-local address) or another policy.
    /// </summary>
    private static string? ClusterDnsOf(FactsByType facts, string? ns, string? pod, PodDns? podDns)
    {
        if (podDns is not null && (podDns.UsesNodeLocal == true || podDns.DnsPolicy is not (DnsPolicies.ClusterFirst or DnsPolicies.ClusterFirstWithHostNet)
            || (podDns.HostNetwork && podDns.DnsPolicy == DnsPolicies.ClusterFirst)))
        {
            return null;
        }

        var resolv = facts.OfType<PodResolvConf>().FirstOrDefault(r => r.Pod == pod && r.Namespace == ns);
        var first = resolv is { Nameservers.Count: > 0 } ? resolv.Nameservers[0] : null;
        return first is not null && resolv!.Searches.Any(s => s.StartsWith("svc.", StringComparison.Ordinal))
            && System.Net.IPAddress.TryParse(first, out var ip) && !System.Net.IPAddress.IsLoopback(ip) && !first.StartsWith("169.254.", StringComparison.Ordinal)
            ? first : null;
    }

    /// <summary>The tools the container <c>kubectl exec</c> enters (the pod's first) has, when its image tells them.</summary>
    private static HashSet<string>? ToolsOf(PodDns? podDns)
    {
        var image = podDns is { Images.Count: > 0 } ? podDns.Images[0] : null;
        if (image is null)
        {
            return null;
        }

        return ImageTools.TryGetValue(ContainerImage.Name(image), out var tools) ? tools.ToHashSet(StringComparer.Ordinal) : null;
    }

    /// <summary>The address of <c>10.96.0.10:53</c> or <c>[fd00::a]:53</c>, as an error message names its server.</summary>
    private static string? HostOf(string? server)
    {
        if (string.IsNullOrWhiteSpace(server))
        {
            return null;
        }

        if (server.StartsWith('['))
        {
            var end = server.IndexOf(']', StringComparison.Ordinal);
            return end > 1 ? server[1..end] : null;
        }

        var colon = server.LastIndexOf(':');
        return colon > 0 && server.IndexOf(':', StringComparison.Ordinal) == colon ? server[..colon] : server;
    }
}

/// <summary>
/// A value the user fills in (<c>&lt;pod&gt;</c>): written into a command as it is, never from a request. A
/// <paramref name="Withheld"/> one stands for a value that exists only once the evidence shows it (a restarted pod): a
/// check still holding it is not given.
/// </summary>
public sealed record Placeholder(string Text, bool Withheld = false)
{
    public override string ToString() => Text;
}

/// <summary>
/// A value of <see cref="KnownValues"/> a node script (<c>sh -c '...'</c>, run whole by the node's shell) may name: it
/// is never a placeholder, and only characters a shell takes literally inside single quotes.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class NodeScriptValueAttribute : Attribute;

/// <summary>
/// The fact types a value of <see cref="KnownValues"/> is read from (<see cref="KnownValues.From"/>): a check that
/// collects one of them can fill the value in another check's command.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class FilledFromAttribute(params string[] factTypes) : Attribute
{
    public IReadOnlyList<string> FactTypes { get; } = factTypes;
}
