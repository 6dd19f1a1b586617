namespace DnsExpert.Core.Facts;

/// <summary>The conntrack table of a node, from <c>/proc/sys/net/netfilter</c>.</summary>
[FactDescription("A node's conntrack table: nf_conntrack_count against nf_conntrack_max.")]
public sealed class NodeConntrack : Fact
{
    public required string Node { get; init; }
    public long? Count { get; init; }
    public long? Max { get; init; }
    public double? PercentUsed => Count is { } c && Max is > 0 ? c * 100.0 / Max : null;
}

/// <summary>A node's <c>conntrack -S</c> counters, summed over its CPUs (cumulative since boot).</summary>
[FactDescription("A node's conntrack -S counters summed over its CPUs, since boot: InsertFailed (insertion races, as the parallel A/AAAA race causes), Drop (no entry could be made: the table was full), EarlyDrop (entries evicted for room).")]
public sealed class NodeConntrackStats : Fact
{
    public required string Node { get; init; }
    public long InsertFailed { get; init; }
    public long Drop { get; init; }
    public long EarlyDrop { get; init; }
    public int Cpus { get; init; }
}

/// <summary>A node's own <c>/etc/resolv.conf</c> (what pods with dnsPolicy Default, such as CoreDNS, inherit by default).</summary>
[FactDescription("A node's /etc/resolv.conf: its nameservers, and the first loopback one (a local stub resolver such as systemd-resolved's 127.0.0.53).")]
public sealed class NodeResolvConf : Fact
{
    public required string Node { get; init; }
    public IReadOnlyList<string> Nameservers { get; init; } = [];

    /// <summary>The first nameserver in 127.0.0.0/8 or ::1, or null: from inside a pod that address is the pod itself.</summary>
    public string? LoopbackNameserver { get; init; }
}

/// <summary>A kernel log line of a node that matters for DNS (conntrack table full).</summary>
[FactDescription("A node kernel log line (dmesg): conntrack table full.")]
public sealed class NodeKernelLogLine : Fact
{
    public required string Node { get; init; }

    /// <summary><c>conntrack-full</c>.</summary>
    [OneOf(typeof(NodeKernelLogKinds))]
    public required string Kind { get; init; }

    public required int LineNumber { get; init; }
    public required string Text { get; init; }
}

/// <summary>TCP counters of a node from <c>/proc/net/snmp</c>.</summary>
[FactDescription("A node's TCP counters from /proc/net/snmp: segments out and retransmitted, retransmission rate.")]
public sealed class NodeTcpStats : Fact
{
    public required string Node { get; init; }
    public long OutSegs { get; init; }
    public long RetransSegs { get; init; }
    public double RetransmitPercent => OutSegs > 0 ? RetransSegs * 100.0 / OutSegs : 0;
}
