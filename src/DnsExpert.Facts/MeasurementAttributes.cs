namespace DnsExpert.Facts;

/// <summary>
/// Each fact of the type is one measurement a person (or DnsExpert) chose to make: a dig to one server, a ping to one
/// address. Having read some facts of the type says nothing of the measurements not made: a rule pattern on it is
/// decided only by a fact that measured what the pattern asks about (its conditions on properties other than the
/// <see cref="OutcomeAttribute"/> ones hold), not by the type being present. A dig to the kube-dns ClusterIP does not
/// rule out what a dig to a CoreDNS pod IP would show.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class MeasurementFactAttribute : Attribute;

/// <summary>
/// A property of a <see cref="MeasurementFactAttribute"/> fact that is what the measurement found (outcome, rcode,
/// latency), not what was measured (from where, to what, which name over which transport).
/// </summary>
[AttributeUsage(AttributeTargets.Property, Inherited = true)]
public sealed class OutcomeAttribute : Attribute;
