namespace DnsExpert.Facts;

/// <summary>
/// A Service's selector selects a StatefulSet's pods (the labels of its pod template): Kubernetes label-selector
/// matching, computed once; a rule joins it to <see cref="StatefulSetInfo"/> and <see cref="ServiceInfo"/>.
/// </summary>
[FactDescription("A Service (Namespace, Service) whose selector selects the pods of a StatefulSet (StatefulSet) of the same namespace: every selector pair is among the pod template's labels.")]
[RelationFact]
public sealed class ServiceSelectsStatefulSet : Fact
{
    public required string Namespace { get; init; }
    public required string Service { get; init; }
    public required string StatefulSet { get; init; }
}

/// <summary>The headless Services that select a StatefulSet's pods: the serviceName it probably means.</summary>
[FactDescription("For each StatefulSet (Namespace, StatefulSet): the headless Services of its namespace whose selector selects its pods, the likely intended serviceName; empty when there is none.")]
[RelationFact]
public sealed class StatefulSetHeadlessServices : Fact
{
    public required string Namespace { get; init; }
    public required string StatefulSet { get; init; }

    /// <summary>Service names, in order.</summary>
    public IReadOnlyList<string> Names { get; init; } = [];
}

/// <summary>
/// A NetworkPolicy's podSelector selects a pod of its namespace (label-selector matching), so its rules apply to that
/// pod. Made for the target pod.
/// </summary>
[FactDescription("A NetworkPolicy (Namespace, Policy) whose podSelector selects the target pod (Pod, in the same namespace), so that its ingress and egress rules apply to it; DnsDestination says what its egress must admit for the pod's DNS, Assumptions what was assumed for lack of objects.")]
[RelationFact]
public sealed class PolicySelectsPod : Fact
{
    public required string Namespace { get; init; }
    public required string Policy { get; init; }
    public required string Pod { get; init; }

    /// <summary>For evidence: the DNS the pod uses as policy sees it, <c>CoreDNS/kube-dns</c> or <c>NodeLocal DNSCache 169.254.20.10 (not a pod: only an ipBlock admits it)</c>.</summary>
    public string DnsDestination { get; init; } = "CoreDNS/kube-dns";

    /// <summary>For evidence, empty or starting <c>; </c>: the Namespaces whose labels were assumed because their objects were not read.</summary>
    public string Assumptions { get; init; } = "";
}

/// <summary>
/// An egress rule of a NetworkPolicy that restricts a pod's egress lets that pod reach the cluster DNS on port 53 over
/// <see cref="Protocol"/>, as the API defines the rule: its ports include 53 (by number, an endPort range, a name
/// the CoreDNS pod gives port 53, or all ports) and its peers admit the DNS the pod uses: a CoreDNS pod (namespace and
/// pod selectors AND-ed within a peer, against the Namespace's labels), an ipBlock holding the kube-dns ClusterIP, a
/// CoreDNS pod's address or NodeLocal's link-local address minus its exceptions (NodeLocal: ipBlock only), or any
/// destination. Keyed by the pod too, so that "no policy selecting the pod allows it" is one
/// <c>not</c> pattern. Made for the target pod.
/// </summary>
[FactDescription("A NetworkPolicy (Namespace, Policy) that selects the target pod (Pod) and restricts its egress allows it to reach the DNS it uses (CoreDNS pods, the kube-dns ClusterIP, or NodeLocal DNSCache's address, which only an ipBlock admits) on port 53 over Protocol (UDP or TCP).")]
[RelationFact]
public sealed class EgressAllowsDns : Fact
{
    public required string Namespace { get; init; }
    public required string Policy { get; init; }
    public required string Pod { get; init; }

    /// <summary><c>UDP</c> or <c>TCP</c>.</summary>
    [OneOf(typeof(PortProtocols))]
    public required string Protocol { get; init; }
}

/// <summary>
/// A CoreDNS query log's NXDOMAIN for a cluster name set against the creation of the object that makes the name exist
/// (its Service; for a headless Service's name its oldest selected pod, for <c>pod.svc.ns.svc</c> that pod, whichever
/// came last) and the caches' denial window (<see cref="CacheDenialWindow"/>): an NXDOMAIN from before the name existed
/// is served from the cache for up to that window after. Made for each such NXDOMAIN group whose object has a creation
/// time, with the Corefile read; a rule joins it to the <see cref="CoreDnsQueryLog"/> by pod, name and type.
/// </summary>
[FactDescription("A CoreDNS query log NXDOMAIN (Pod, Name, Type) for a cluster name set against the creation time of the object that makes the name exist (its Service, its headless Service's oldest selected pod, its StatefulSet pod) and the caches' denial window (WindowSeconds): SecondsAfterCreation of its last NXDOMAIN, whether the window covers it (WithinWindow), the object (CreatedObject), when the cache lets go of it at the latest (HealsBy).")]
[RelationFact]
public sealed class NxdomainNearCreation : Fact
{
    /// <summary>The CoreDNS pod whose log has the NXDOMAIN.</summary>
    public required string Pod { get; init; }

    /// <summary>The queried name without the trailing dot, lower-case.</summary>
    public required string Name { get; init; }

    public required string Type { get; init; }

    /// <summary>The object whose creation made the name exist: <c>Service shop/orders</c>, <c>Pod default/web-0</c>.</summary>
    public required string CreatedObject { get; init; }

    /// <summary>Its <c>metadata.creationTimestamp</c>, to the second: <c>2024-05-13 08:21:44 UTC</c>.</summary>
    public required string Created { get; init; }

    /// <summary>The first and the last NXDOMAIN of the group, to the second.</summary>
    public required string FirstNxdomain { get; init; }

    public required string LastNxdomain { get; init; }

    /// <summary>How many NXDOMAIN lines the group has.</summary>
    public int Nxdomains { get; init; } = 1;

    /// <summary>Seconds from the creation to the last NXDOMAIN, to a tenth; negative when the NXDOMAIN came first.</summary>
    public required double SecondsAfterCreation { get; init; }

    /// <summary>The longest the caches keep a denial (<see cref="CacheDenialWindow.Seconds"/>).</summary>
    public required int WindowSeconds { get; init; }

    /// <summary>
    /// The NXDOMAIN is one the caches may have kept from before the name existed: the last came at most the window after
    /// the creation, or less than the window before it (so its cached copy outlived the creation).
    /// </summary>
    public bool WithinWindow => WindowSeconds > 0 && SecondsAfterCreation <= WindowSeconds && SecondsAfterCreation > -WindowSeconds;

    /// <summary>The last NXDOMAIN came after the object existed: the cache answered for a name that existed.</summary>
    public bool AfterCreation => SecondsAfterCreation >= 0;

    /// <summary>For a sentence before the creation: <c>4.6 s after</c>, <c>less than a second before</c>, <c>12 s before</c>.</summary>
    public string Offset => (Math.Abs(SecondsAfterCreation) < 1 ? "less than a second" : $"{Math.Abs(SecondsAfterCreation).ToString("0.#", System.Globalization.CultureInfo.InvariantCulture)} s")
        + (AfterCreation ? " after" : " before");

    /// <summary>
    /// The latest the caches answer the denial: the window after the last NXDOMAIN (which may itself have been a fresh
    /// answer, the name not resolving yet, and cached from then on).
    /// </summary>
    public required string HealsBy { get; init; }
}
