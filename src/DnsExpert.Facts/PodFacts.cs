
namespace DnsExpert.Facts;

/// <summary>The DNS settings of the pod that cannot resolve (the request's target).</summary>
[FactDescription("The target pod's DNS settings: dnsPolicy, dnsConfig, hostNetwork, images.")]
public sealed class PodDns : Fact
{
    public required string Namespace { get; init; }
    public required string Name { get; init; }
    public string? Node { get; init; }
    public bool HostNetwork { get; init; }

    /// <summary><c>ClusterFirst</c> (the default), <c>ClusterFirstWithHostNet</c>, <c>Default</c> or <c>None</c>.</summary>
    [OneOf(typeof(DnsPolicies))]
    public required string DnsPolicy { get; init; }

    /// <summary>True when <c>spec.dnsPolicy</c> was absent and the default applies.</summary>
    public bool DnsPolicyDefaulted { get; init; }

    public IReadOnlyList<string> DnsConfigNameservers { get; init; } = [];
    public IReadOnlyList<string> DnsConfigSearches { get; init; } = [];

    /// <summary><c>dnsConfig.options</c> as <c>name</c> or <c>name:value</c>.</summary>
    public IReadOnlyList<string> DnsConfigOptions { get; init; } = [];

    public bool HasDnsConfig { get; init; }
    public IReadOnlyList<string> Images { get; init; } = [];

    /// <summary>True when any container image is Alpine-based by its name or tag (musl resolver).</summary>
    public bool UsesAlpineImage { get; init; }

    /// <summary>
    /// The oldest Alpine release a container image's name or tag gives (<c>alpine:3.17</c>, <c>python:3.11-alpine3.17</c>);
    /// null when no image names one (not Alpine, or <c>-alpine</c> without a release). Alpine 3.18 brought musl 1.2.4,
    /// the first whose resolver retries a truncated answer over TCP.
    /// </summary>
    public ReleaseVersion? AlpineRelease { get; init; }

    /// <summary>The pod's phase (<c>Running</c>, <c>Pending</c> ...).</summary>
    [OneOf(typeof(PodPhases))]
    public string? Phase { get; init; }

    public string? Ip { get; init; }

    /// <summary>The architecture of the pod's node (<c>amd64</c>, <c>arm64</c>), when the node is in the snapshot.</summary>
    [OneOf(typeof(NodeArchitectures))]
    [UnknownWhenNull]
    public string? NodeArchitecture { get; init; }

    /// <summary>
    /// The nameservers the pod really uses: its <c>/etc/resolv.conf</c> when collected, else what its dnsPolicy and
    /// dnsConfig produce (the kube-dns ClusterIP for ClusterFirst).
    /// </summary>
    public IReadOnlyList<string> EffectiveNameservers { get; init; } = [];

    /// <summary>The <c>ndots</c> the pod's resolver uses (resolv.conf, else dnsConfig, else 5 for ClusterFirst).</summary>
    public int EffectiveNdots { get; init; } = 5;

    /// <summary>The resolver options in effect (resolv.conf, else dnsConfig), as <c>name</c> or <c>name:value</c>.</summary>
    public IReadOnlyList<string> EffectiveOptions { get; init; } = [];

    /// <summary>
    /// The pod sends its queries to NodeLocal DNSCache: one of the effective nameservers is its link-local address, or
    /// the kube-dns ClusterIP when NodeLocal takes that over (kube-proxy iptables mode, GKE). Null when whether NodeLocal
    /// DNSCache runs is unknown (the DaemonSets of kube-system were not read), or its DaemonSet says no address.
    /// </summary>
    [UnknownWhenNull]
    public bool? UsesNodeLocal { get; init; }

    /// <summary>
    /// The effective nameservers NodeLocal DNSCache does not answer (the kube-dns ClusterIP beside its link-local address
    /// when it does not take the ClusterIP over): queries sent there bypass the cache. Null when that is unknown, as for
    /// <see cref="UsesNodeLocal"/>.
    /// </summary>
    [UnknownWhenNull]
    public IReadOnlyList<string>? NameserversBesideNodeLocal { get; init; }

    /// <summary>Where the effective settings come from: <c>/etc/resolv.conf</c> or <c>dnsPolicy</c>.</summary>
    [OneOf(typeof(ResolverSettingsSources))]
    public string EffectiveFrom { get; init; } = ResolverSettingsSources.DnsPolicy;
}

/// <summary>A pod's <c>/etc/resolv.conf</c> as read from inside the container.</summary>
[FactDescription("A pod's /etc/resolv.conf: nameservers, search list, options.")]
public sealed class PodResolvConf : Fact
{
    public required string Namespace { get; init; }
    public required string Pod { get; init; }
    public IReadOnlyList<string> Nameservers { get; init; } = [];
    public IReadOnlyList<string> Searches { get; init; } = [];

    /// <summary>Options as <c>name</c> or <c>name:value</c>.</summary>
    public IReadOnlyList<string> Options { get; init; } = [];

    public int Ndots { get; init; } = 1;
    public int SearchCharacters { get; init; }
    public string Text { get; init; } = "";
}

/// <summary>The failing name, classified by kind.</summary>
[FactDescription("The failing name (request.domain) and its kind: internal, external, headless, statefulset-pod, privatezone.")]
public sealed class QueriedName : Fact
{
    /// <summary>The name without a trailing dot, lower-case.</summary>
    public required string Name { get; init; }

    /// <summary><c>internal</c>, <c>external</c>, <c>headless</c>, <c>statefulset-pod</c> or <c>privatezone</c>.</summary>
    [OneOf(typeof(NameKinds))]
    public required string Kind { get; init; }

    /// <summary>
    /// Its form, from its labels alone (<see cref="NameForms"/>): <c>service</c>, <c>service-pod</c>, <c>pod-ip</c>,
    /// <c>short</c>, <c>cluster-other</c>, <c>external</c> or <c>external-rooted</c>.
    /// </summary>
    [OneOf(typeof(NameForms))]
    public string Form { get; init; } = NameForms.External;

    public bool IsInternal { get; init; }
    public bool IsFullyQualified { get; init; }
    public int Dots { get; init; }

    /// <summary>For a cluster name: the Service it names, when known.</summary>
    public string? ServiceNamespace { get; init; }
    public string? ServiceName { get; init; }
}

/// <summary>What the user reported: the classified error message and how often it happens.</summary>
[FactDescription("The reported symptom: class of the error message, frequency, whether a failure was reported at all.")]
public sealed class ReportedSymptom : Fact
{
    /// <summary><c>name-not-found</c>, <c>server-unreachable</c>, <c>ambiguous</c> or <c>unknown</c>.</summary>
    [OneOf(typeof(SymptomClasses))]
    public required string Class { get; init; }

    /// <summary><c>always</c>, <c>peak</c>, <c>often</c>, <c>rarely</c>, <c>scaling</c>, or <c>unknown</c>.</summary>
    [OneOf(typeof(SymptomFrequencies))]
    public required string Frequency { get; init; }

    public string? ErrorMessage { get; init; }
    public string? Client { get; init; }

    /// <summary>True when the frequency says the failure comes and goes (peak, often, rarely, scaling).</summary>
    public bool Intermittent => Frequency is SymptomFrequencies.Peak or SymptomFrequencies.Often or SymptomFrequencies.Rarely or SymptomFrequencies.Scaling;

    /// <summary>True when the request reports a failure (an error message, a frequency or a failing name).</summary>
    public bool FailureReported { get; init; }
}
