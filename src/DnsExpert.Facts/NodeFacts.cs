using DnsExpert.Text;

namespace DnsExpert.Facts;

/// <summary>The conntrack table of a node, from <c>/proc/sys/net/netfilter</c>.</summary>
[FactDescription("A node's conntrack table: nf_conntrack_count against nf_conntrack_max.")]
public sealed class NodeConntrack : Fact
{
    public required string Node { get; init; }
    public long? Count { get; init; }
    public long? Max { get; init; }
    /// <summary>Count as a percentage of max: unknown until both files were read.</summary>
    [UnknownWhenNull]
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

/// <summary>
/// Whether a node's bridge passes bridged IPv4 traffic through iptables (<c>net.bridge.bridge-nf-call-iptables</c>;
/// absent while the <c>br_netfilter</c> module is not loaded): without it, on a bridge CNI, replies from a pod on the
/// same bridge skip the Service's reverse NAT.
/// </summary>
[FactDescription("A node's net.bridge.bridge-nf-call-iptables: Enabled when it reads 1; ModuleLoaded false when the file does not exist (br_netfilter not loaded).")]
public sealed class NodeBridgeNetfilter : Fact
{
    public required string Node { get; init; }

    /// <summary>The file exists: <c>br_netfilter</c> is loaded.</summary>
    public bool ModuleLoaded { get; init; }

    /// <summary>The value read (0 or 1); null when the file does not exist.</summary>
    public long? Value { get; init; }

    /// <summary>Bridged traffic goes through iptables.</summary>
    public bool Enabled => ModuleLoaded && Value == 1;

    /// <summary>What was read, in words, for evidence.</summary>
    public string Describe => ModuleLoaded ? $"net.bridge.bridge-nf-call-iptables = {Value}" : "no /proc/sys/net/bridge/bridge-nf-call-iptables: br_netfilter is not loaded";
}

/// <summary>
/// A node's VXLAN device and whether it computes the UDP checksums of what it sends in software or leaves them to
/// offload (<c>ethtool -k flannel.1</c>, <c>vxlan.calico</c>: <c>tx-checksum-ip-generic</c>). With it on, kernels
/// before 5.7 (and some distributions' later ones) send NATed packets, such as a lookup of the kube-dns ClusterIP
/// answered by a CoreDNS pod on another node, with a bad checksum that the receiving node drops.
/// </summary>
[FactDescription("A node's VXLAN device (flannel.1, vxlan.calico) from ethtool -k: Device, TxChecksumOffload when tx-checksum-ip-generic is on.")]
public sealed class NodeVxlanOffload : Fact
{
    public required string Node { get; init; }

    /// <summary><c>flannel.1</c>, <c>vxlan.calico</c>, <c>vxlan-v6.calico</c> ...</summary>
    public required string Device { get; init; }

    /// <summary><c>tx-checksum-ip-generic: on</c>.</summary>
    public bool TxChecksumOffload { get; init; }

    /// <summary>The device is a VXLAN overlay's by its name (flannel's <c>flannel.VNI</c>, Calico's <c>vxlan.calico</c>, a <c>vxlan*</c> device).</summary>
    public bool Vxlan => Device.StartsWith("flannel.", StringComparison.Ordinal) || Device.StartsWith("vxlan", StringComparison.Ordinal);

    /// <summary>What was read, in words, for evidence.</summary>
    public string Describe => $"{Device}: tx-checksum-ip-generic: {(TxChecksumOffload ? "on" : "off")}";
}

/// <summary>
/// The allowance counters of a node's Elastic Network Adapter (<c>ethtool -S eth0</c> on EC2 with the ENA driver):
/// packets the instance's network interface dropped because it went past an allowance. <c>linklocal_allowance_exceeded</c>
/// counts packets to the link-local services (the Route 53 Resolver at 169.254.169.253 or the VPC's base + 2, the
/// instance metadata service, the time service) dropped past their 1024 packets per second per network interface.
/// One read counts since the driver last reset; two reads of the same device give the rise between them (<see cref="BetweenReads"/>).
/// </summary>
[FactDescription("A node's ENA allowance counters from ethtool -S DEVICE: Device, LinkLocalExceeded (packets to the VPC resolver, metadata and time services dropped past 1024 per second per interface), PpsExceeded; since the driver last reset (one read) or BetweenReads (the rise between two reads of the same device).")]
public sealed class NodeNicAllowance : Fact
{
    public required string Node { get; init; }

    /// <summary>The interface read (<c>eth0</c>, <c>ens5</c>); <c>the interface</c> when the command did not name one.</summary>
    public required string Device { get; init; }

    /// <summary><c>linklocal_allowance_exceeded</c>: in the last read, or its rise between two reads.</summary>
    public long LinkLocalExceeded { get; init; }

    /// <summary><c>pps_allowance_exceeded</c> (the instance's whole packet rate), alike; null when the output has no such line.</summary>
    [UnknownWhenNull]
    public long? PpsExceeded { get; init; }

    /// <summary>The counts are the rise between two reads of the same device, not totals since the driver last reset.</summary>
    public bool BetweenReads { get; init; }

    /// <summary>
    /// How far apart the two reads were, when one command took both with a sleep between them
    /// (<c>ethtool -S eth0; sleep 60; ethtool -S eth0</c>); null when not known (two pastes, or reads of a file).
    /// </summary>
    public int? SecondsApart { get; init; }

    /// <summary>The window in words, for evidence: <c>between two reads 60 s apart</c>, <c>between two reads</c>, <c>since the driver last reset</c>.</summary>
    public string Window => !BetweenReads ? "since the driver last reset"
        : SecondsApart is { } apart ? $"between two reads {apart.ToString(System.Globalization.CultureInfo.InvariantCulture)} s apart" : "between two reads";

    /// <summary>What was read, in words, for evidence: <c>eth0: linklocal_allowance_exceeded rose by 5,306 between two reads; pps_allowance_exceeded 0</c>.</summary>
    public string Describe => $"{Device}: linklocal_allowance_exceeded {(BetweenReads ? "rose by " : "")}{LinkLocalExceeded.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} {Window}"
        + (PpsExceeded is { } pps ? $"; pps_allowance_exceeded {(BetweenReads ? "rose by " : "")}{pps.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)}" : "");
}

/// <summary>
/// A resolv.conf file of a node (<c>/etc/resolv.conf</c>, <c>/run/systemd/resolve/resolv.conf</c>, or the file the
/// kubelet configuration names): what pods with dnsPolicy Default, such as CoreDNS, inherit when kubelet hands it out.
/// </summary>
[FactDescription("A node's resolv.conf file: its path, nameservers, the first loopback one (a local stub resolver such as systemd-resolved's 127.0.0.53), and whether kubelet hands this file to pods (resolvConf of the KubeletConfiguration).")]
public sealed class NodeResolvConf : Fact
{
    public required string Node { get; init; }

    /// <summary>The file's path on the node: <c>/etc/resolv.conf</c>, <c>/run/systemd/resolve/resolv.conf</c> ...</summary>
    public string Path { get; init; } = "/etc/resolv.conf";

    public IReadOnlyList<string> Nameservers { get; init; } = [];

    /// <summary>The nameservers as one line, in the file's order (for evidence).</summary>
    public string NameserverLine => string.Join(' ', Nameservers);

    /// <summary>The first nameserver in 127.0.0.0/8 or ::1, or null: from inside a pod that address is the pod itself.</summary>
    public string? LoopbackNameserver { get; init; }

    /// <summary>The file kubelet hands to dnsPolicy Default pods on this node (its <c>resolvConf</c>; <c>/etc/resolv.conf</c> when not known).</summary>
    public string KubeletResolvConf { get; init; } = "/etc/resolv.conf";

    /// <summary>Where <see cref="KubeletResolvConf"/> was read (<c>Node n1 /var/lib/kubelet/config.yaml</c>), or null when kubelet's default is assumed.</summary>
    public string? KubeletConfigSource { get; init; }

    /// <summary>This file is the one kubelet hands to CoreDNS on this node.</summary>
    public bool UsedByKubelet => Path == KubeletResolvConf;

    /// <summary>
    /// The node's real upstream resolvers for a <c>forward</c> line: the non-loopback nameservers of the file kubelet
    /// uses, else of any resolv.conf read from this node, space-separated; null when none was read.
    /// </summary>
    public string? RealUpstreams { get; init; }

    /// <summary>
    /// The nameservers after the third, which kubelet leaves out of a pod's resolv.conf (its limit of 3), those that
    /// are plain addresses (<see cref="CommandValueKind.IpAddress"/>: no <c>%scope</c>, whose text a file may make
    /// anything, and which CoreDNS in a pod could not use), space-separated, for a <c>forward</c> line; empty when there are none.
    /// </summary>
    public string OmittedNameservers => string.Join(' ', Nameservers.Skip(3).Where(n => CommandValue.Fits(n, CommandValueKind.IpAddress)));
}

/// <summary>A kernel log line of a node that matters for DNS (conntrack table full, a VXLAN packet with a bad UDP checksum).</summary>
[FactDescription("A node kernel log line (dmesg): conntrack table full, or a VXLAN packet (UDP port 8472 or 4789) dropped for a bad checksum.")]
public sealed class NodeKernelLogLine : Fact
{
    public required string Node { get; init; }

    /// <summary><c>conntrack-full</c> or <c>vxlan-bad-checksum</c>.</summary>
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
