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

/// <summary>A kernel log line of a node that matters for DNS (conntrack table full).</summary>
[FactDescription("A node kernel log line (dmesg): conntrack table full.")]
public sealed class NodeKernelLogLine : Fact
{
    public required string Node { get; init; }

    /// <summary><c>conntrack-full</c>.</summary>
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
