namespace DnsExpert.Facts;

/// <summary>
/// Base of every fact a rule can match. Facts are classes, not records, on purpose:
/// NRules treats equal facts as one, and two identical log lines from two pods are two facts.
/// </summary>
public abstract class Fact
{
    /// <summary>Where the fact comes from, as a reader would look it up: <c>Pod default/web-1</c>, <c>ConfigMap kube-system/coredns</c>.</summary>
    public required string Source { get; init; }

    /// <summary>
    /// The fact is about this failure itself: the target pod, its node, or the name that fails. A finding built on
    /// such facts ranks above one about the cluster in general.
    /// </summary>
    public bool ConcernsFailure { get; init; }
}

/// <summary>Describes a fact type for the rule catalogue and the rule-file validator.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class FactDescriptionAttribute(string description) : Attribute
{
    public string Description { get; } = description;
}

/// <summary>
/// A fact that relates two objects (a policy selects a pod, a Service selects a StatefulSet) so that rules can join
/// them: the result of a computation, not evidence of its own. A rule that joins through it is no more specific for
/// it, so <c>FindingRanking</c> does not count it among the agreeing facts.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class RelationFactAttribute : Attribute
{
}
