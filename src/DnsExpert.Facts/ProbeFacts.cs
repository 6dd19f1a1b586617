namespace DnsExpert.Facts;

/// <summary>The result of one active probe (dig, ping, TCP connect), with the roles of both ends resolved.</summary>
[FactDescription("An active probe: from where (app pod, CoreDNS pod, node), to what (kube-dns, CoreDNS pod, NodeLocal, upstream, apiserver), outcome, rcode, TC flag, latency.")]
[MeasurementFact]
public sealed class ProbeResult : Fact
{
    public required int Index { get; init; }
    public required string From { get; init; }

    /// <summary><c>app</c>, <c>coredns</c>, <c>node</c> or <c>dnsexpert</c>.</summary>
    [OneOf(typeof(ProbeOrigins))]
    public required string FromRole { get; init; }

    /// <summary>The node the probe ran on, when known.</summary>
    public string? FromNode { get; init; }

    /// <summary><c>dns</c>, <c>ping</c> or <c>tcp</c>.</summary>
    [OneOf(typeof(ProbeKinds))]
    public required string Kind { get; init; }

    /// <summary>The DNS server, or the address pinged or connected to.</summary>
    public required string Target { get; init; }

    /// <summary><c>kube-dns</c>, <c>coredns-pod</c>, <c>nodelocal</c>, <c>upstream</c>, <c>apiserver</c> or <c>other</c>.</summary>
    [OneOf(typeof(ProbeTargetRoles))]
    public required string TargetRole { get; init; }

    public int? Port { get; init; }
    public string? Name { get; init; }
    public string? Type { get; init; }

    /// <summary><c>udp</c> or <c>tcp</c> (dns probes).</summary>
    [OneOf(typeof(DnsTransports))]
    public string? Transport { get; init; }

    /// <summary><c>answered</c>, <c>timeout</c>, <c>refused</c> or <c>unreachable</c>.</summary>
    [Outcome]
    [OneOf(typeof(ProbeOutcomes))]
    public required string Outcome { get; init; }

    [Outcome]
    [OneOf(typeof(DnsRcodes))]
    public string? Rcode { get; init; }
    [Outcome]
    public bool Truncated { get; init; }

    /// <summary>The address a reply came from when it was not <see cref="Target"/> (dropped by the client), else null.</summary>
    public string? ReplyFrom { get; init; }
    [Outcome]
    public int? AnswerCount { get; init; }
    [Outcome]
    public double? LatencyMs { get; init; }

    [Outcome]
    public bool Failed => Outcome != ProbeOutcomes.Answered;

    /// <summary>The probe as a person would have typed it: <c>dig kubernetes.default.svc.cluster.local A @172.21.0.10 (udp)</c>.</summary>
    public required string Description { get; init; }
}
