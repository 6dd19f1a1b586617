namespace DnsExpert.Facts;

/// <summary>
/// A Kubernetes Event (core/v1 or events.k8s.io/v1, as <c>kubectl get events -o json</c> prints them): what kubelet,
/// the scheduler or a controller said about an object. Rules join it to the object by key (namespace, kind, name).
/// </summary>
[FactDescription("A Kubernetes Event (core/v1 or events.k8s.io/v1): the object it is about (kind, namespace, name), reason, message, type, count, last time, reporting component.")]
public sealed class KubernetesEvent : Fact
{
    /// <summary>The event object's name (<c>coredns-5d78c9869d-abcde.17c3a2f4b8e1d2a0</c>).</summary>
    public required string Name { get; init; }

    /// <summary>The namespace of the object the event is about (the event's own, for a namespaced object).</summary>
    public required string Namespace { get; init; }

    /// <summary><c>involvedObject.kind</c> / <c>regarding.kind</c>: <c>Pod</c>, <c>Node</c> ...</summary>
    public required string InvolvedKind { get; init; }

    /// <summary><c>involvedObject.name</c> / <c>regarding.name</c>.</summary>
    public required string InvolvedName { get; init; }

    /// <summary><c>involvedObject.fieldPath</c> (<c>spec.containers{coredns}</c>), when given.</summary>
    public string? FieldPath { get; init; }

    public required string Reason { get; init; }

    /// <summary><c>message</c> / <c>note</c>.</summary>
    public string Message { get; init; } = "";

    /// <summary><c>Normal</c> or <c>Warning</c>.</summary>
    [OneOf(typeof(EventTypes))]
    public string Type { get; init; } = EventTypes.Normal;

    /// <summary>How many times it was seen (<c>count</c>, <c>series.count</c> or <c>deprecatedCount</c>; 1 when none is given).</summary>
    public int Count { get; init; } = 1;

    /// <summary>When it was last seen, to the second (<c>lastTimestamp</c>, <c>series.lastObservedTime</c>, <c>eventTime</c>), or <c>no timestamp</c>.</summary>
    public string LastTime { get; init; } = LogPosition.NoTimestamp;

    /// <summary>Who reported it: <c>source.component</c> / <c>reportingController</c> (<c>kubelet</c>, <c>default-scheduler</c>).</summary>
    public string? Reporter { get; init; }

    /// <summary>A sandbox that could not be created because the CNI plugin failed to set up its network.</summary>
    public bool NetworkSetupFailed { get; init; }

    /// <summary>For evidence, as <c>kubectl describe</c> words it: <c>Warning BackOff (x42, last 2024-05-13 08:21:44 UTC, kubelet): Back-off ...</c>.</summary>
    public string Describe => $"{Type} {Reason} ({(Count > 1 ? $"x{Count}, " : "")}{(LastTime == LogPosition.NoTimestamp ? "" : $"last {LastTime}, ")}{Reporter ?? "unknown reporter"}): {Message}";
}

/// <summary>
/// The search line kubelet composes for the target pod before it writes its resolv.conf: for ClusterFirst the cluster
/// suffixes, then the node's search list, then <c>dnsConfig.searches</c>. Kubelet cuts what is over the limits, so the
/// pod's own resolv.conf never shows the excess; this does.
/// </summary>
[FactDescription("The search line kubelet composes for the target pod (cluster suffixes for ClusterFirst, the node's resolv.conf search list, dnsConfig.searches): domains and characters before kubelet cuts it.")]
public sealed class PodSearchLine : Fact
{
    public required string Namespace { get; init; }
    public required string Pod { get; init; }
    public string? Node { get; init; }
    public IReadOnlyList<string> Domains { get; init; } = [];
    public int Count => Domains.Count;

    /// <summary>The line's length as kubelet measures it: the domains joined by single spaces.</summary>
    public int Characters { get; init; }

    /// <summary>How many of the domains come from the node's resolv.conf.</summary>
    public int NodeDomains { get; init; }

    /// <summary>How it is made, for evidence: <c>3 cluster suffixes + 30 from the node + 0 from dnsConfig</c>.</summary>
    public required string Composition { get; init; }
}
