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
