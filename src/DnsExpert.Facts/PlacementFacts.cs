namespace DnsExpert.Facts;

/// <summary>
/// Where the CoreDNS pods that serve run: only Ready pods take queries, so only they count as sharing a node; a
/// crash-looping pod on the same node is a pod that does not run, not a crowded node.
/// </summary>
[FactDescription("The CoreDNS pods that serve: replicas, Ready pods, the nodes they use, the node with most Ready pods, the not-Ready ones, CPU spread over Ready pods, the kube-dns Service's sessionAffinity.")]
public sealed class CoreDnsPlacement : Fact
{
    /// <summary>CoreDNS pods of any state.</summary>
    public int Pods { get; init; }

    public int ReadyPods { get; init; }

    /// <summary>Nodes with at least one Ready CoreDNS pod.</summary>
    public int ReadyNodes { get; init; }

    /// <summary>The most Ready CoreDNS pods on one node, and that node, and those pods.</summary>
    public int MaxReadyPodsOnOneNode { get; init; }

    public string? BusiestNode { get; init; }

    public IReadOnlyList<string> PodsOnBusiestNode { get; init; } = [];

    /// <summary>Pods that are not Ready, with why (<c>coredns-x (CrashLoopBackOff)</c>): they take no queries.</summary>
    public IReadOnlyList<string> NotReadyPods { get; init; } = [];

    /// <summary>Every pod's name, for evidence.</summary>
    public IReadOnlyList<string> PodNames { get; init; } = [];

    /// <summary>
    /// The kube-dns Service's <c>spec.sessionAffinity</c> as written; <c>None</c> when unset; null when the Service was
    /// not read (unknown, not absent).
    /// </summary>
    [OneOf(typeof(SessionAffinities))]
    [UnknownWhenNull]
    public string? SessionAffinity { get; init; }

    /// <summary>The kube-dns Service sends each client to one pod (<c>ClientIP</c>); false while it was not read.</summary>
    public bool SessionAffinitySet => SessionAffinity is not (null or SessionAffinities.None or "");

    /// <summary>CPU of the least and most busy Ready pods, when at least two have metrics.</summary>
    public double? CpuMinMillicores { get; init; }

    public double? CpuMaxMillicores { get; init; }

    public double? CpuSpread => CpuMinMillicores is { } min && CpuMaxMillicores is { } max && min > 0 ? max / min : null;
}
