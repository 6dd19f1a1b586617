using System.Text.Json.Nodes;

namespace DnsExpert.Api.Tests.Conversation;

/// <summary>
/// The node commands of <see cref="SimulatedCluster"/> (<c>kubectl debug node/NAME -it --image=busybox -- chroot /host
/// CMD</c>): the node's files and command outputs the scenario holds, else what a healthy node prints. A real node
/// always answers these; the defaults say nothing is wrong (no drops, a table far from full, few retransmissions), so
/// they never invent the failure a scenario does not describe.
/// </summary>
public sealed partial class SimulatedCluster
{
    /// <summary>
    /// A healthy node's <c>/proc/net/snmp</c>: the layout of tests/fixtures/node-root/proc/net/snmp (Linux 5.10), with
    /// counters of a node at ease: 0.1 % of TCP segments retransmitted, no UDP receive-buffer errors.
    /// </summary>
    private const string HealthySnmp =
        "Ip: Forwarding DefaultTTL InReceives InHdrErrors InAddrErrors ForwDatagrams InUnknownProtos InDiscards InDelivers OutRequests OutDiscards OutNoRoutes ReasmTimeout ReasmReqds ReasmOKs ReasmFails FragOKs FragFails FragCreates\n"
        + "Ip: 1 64 948211334 0 12 208113 0 0 947803110 1021331905 91 0 0 0 0 0 0 0 0\n"
        + "Icmp: InMsgs InErrors InCsumErrors InDestUnreachs InTimeExcds InParmProbs InSrcQuenchs InRedirects InEchos InEchoReps InTimestamps InTimestampReps InAddrMasks InAddrMaskReps OutMsgs OutErrors OutRateLimitGlobal OutRateLimitHost OutDestUnreachs OutTimeExcds OutParmProbs OutSrcQuenchs OutRedirects OutEchos OutEchoReps OutTimestamps OutTimestampReps OutAddrMasks OutAddrMaskReps\n"
        + "Icmp: 9921 120 0 9321 0 0 0 0 480 120 0 0 0 0 10211 0 0 0 9611 0 0 0 0 120 480 0 0 0 0\n"
        + "Tcp: RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens PassiveOpens AttemptFails EstabResets CurrEstab InSegs OutSegs RetransSegs InErrs OutRsts InCsumErrors\n"
        + "Tcp: 1 200 120000 -1 8841021 5120339 30114 77125 1310 790112043 1000000000 1000000 41 120331 0\n"
        + "Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors IgnoredMulti MemErrors\n"
        + "Udp: 157021336 3310 0 159321220 0 0 0 1201 0\n";

    /// <summary>A node's kernel log at ease: a pod's veth coming up, as Calico nodes log it.</summary>
    private const string HealthyDmesg = "[Mon May 13 08:01:02 2024] IPv6: ADDRCONF(NETDEV_CHANGE): cali1a2b3c4d5e6: link becomes ready\n";

    private string? OnNode(string node, string[] command)
    {
        if (command is ["dig", ..] && OfKind("Pod").Any(p => (string?)p["spec"]?["nodeName"] == node))
        {
            return Dig($"node/{node}", command, null); // a debug pod's own dig (no chroot): the node's host network, NodeLocal's
        }

        if (Object("Node", null, node) is not { } nodeObject)
        {
            return null;
        }

        bool Here(JsonObject f) => (string?)f["node"] == node;
        var line = string.Join(' ', command);
        return command switch
        {
            ["cat", "/proc/net/snmp"] => FileOf(Here, "/proc/net/snmp") ?? HealthySnmp,
            ["cat", "/proc/sys/net/netfilter/nf_conntrack_count"] => FileOf(Here, "/proc/sys/net/netfilter/nf_conntrack_count") ?? "4213\n",
            ["cat", "/proc/sys/net/netfilter/nf_conntrack_max"] => FileOf(Here, "/proc/sys/net/netfilter/nf_conntrack_max") ?? "262144\n",
            ["cat", "/etc/resolv.conf"] => FileOf(Here, "/etc/resolv.conf") ?? CloudResolvConf(nodeObject),
            ["cat", var path] => FileOf(Here, path),
            ["dmesg", ..] => FileOf(Here, "dmesg") ?? CommandOf(Here, line) ?? HealthyDmesg,
            ["conntrack", "-S"] => CommandOf(Here, line) ?? Fixture("dns-tools", "conntrack-S-per-cpu.txt"),
            ["sh", "-c", var script] => Reads(Here, script),
            _ => CommandOf(Here, line), // tcpdump writes a capture file, not an output to paste
        };
    }

    /// <summary>
    /// A script of commands run one after another (<c>ethtool -S eth0; sleep 60; ethtool -S eth0</c>, the check that reads
    /// a counter twice): the outputs the scenario holds of each command on that node, the first for its first call, the
    /// second for its second, in order (a <c>sleep</c> prints nothing); not answered when the scenario holds fewer reads
    /// of a command than the script makes, rather than inventing one it does not hold.
    /// </summary>
    private string? Reads(Func<JsonObject, bool> here, string script)
    {
        var calls = new Dictionary<string, int>(StringComparer.Ordinal);
        var text = new System.Text.StringBuilder();
        foreach (var part in script.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var words = part.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words is ["sleep", _])
            {
                continue;
            }

            var line = string.Join(' ', words);
            var nth = calls[line] = calls.GetValueOrDefault(line) + 1;
            if (_files.Where(f => here(f) && (string?)f["command"] == line).Skip(nth - 1).FirstOrDefault()?["text"]?.GetValue<string>() is not { } output)
            {
                return null;
            }

            text.Append(output);
        }

        return text.Length == 0 ? null : text.ToString();
    }

    /// <summary>
    /// The resolv.conf a node of a known cloud gets from its DHCP when the scenario does not hold one: the provider's
    /// VPC resolvers (Alibaba Cloud 100.100.2.136/138, Azure 168.63.129.16). Other clouds' resolvers depend on the
    /// VPC: not known, not answered.
    /// </summary>
    private static string? CloudResolvConf(JsonObject node) => ((string?)node["spec"]?["providerID"] ?? "") switch
    {
        var id when id.StartsWith("azure://", StringComparison.Ordinal) => "nameserver 168.63.129.16\n",
        var id when id.Contains(".i-", StringComparison.Ordinal) => "; generated by /usr/sbin/dhclient-script\nnameserver 100.100.2.136\nnameserver 100.100.2.138\n",
        _ => null,
    };

    private static string Fixture(string folder, string file) => File.ReadAllText(Path.Combine(ApiFactory.RepoRoot, "tests", "fixtures", folder, file));
}
