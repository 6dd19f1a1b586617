using DnsExpert.Contract;
using DnsExpert.Facts;
using DnsExpert.Readers.Parsing;

namespace DnsExpert.Readers.Building;

/// <summary>
/// The readers of files and command outputs collected on nodes, each registered with its source in
/// <see cref="EvidenceSources"/>: the conntrack table, TCP counters, bridge netfilter, a VXLAN device's offload, ENA
/// allowance counters, the kernel log. Reads that combine (a table's count and size, a counter read twice) are kept in
/// <see cref="FileReadings"/> and made facts once every file was read (<see cref="Combined"/>).
/// </summary>
internal static class NodeFileReaders
{
    /// <summary><c>nf_conntrack_count</c>: entries in the node's conntrack table (its size read apart).</summary>
    public static void ConntrackCount(EvidenceFile file, FileReadings readings) =>
        readings.Conntrack[file.Node] = (NodeFileParsers.ParseCounter(file.Text), readings.Conntrack.GetValueOrDefault(file.Node).Max);

    /// <summary><c>nf_conntrack_max</c>: the size of the node's conntrack table.</summary>
    public static void ConntrackMax(EvidenceFile file, FileReadings readings) =>
        readings.Conntrack[file.Node] = (readings.Conntrack.GetValueOrDefault(file.Node).Count, NodeFileParsers.ParseCounter(file.Text));

    /// <summary><c>/proc/net/snmp</c>: the node's TCP segments sent and retransmitted.</summary>
    public static void TcpCounters(EvidenceFile file, FileReadings readings) =>
        readings.Keep(NodeFileParsers.ParseSnmpTcp(file.Text) is { } tcp
            ? new NodeTcpStats { Source = file.NodeSource, Node = file.Node, OutSegs = tcp.OutSegs, RetransSegs = tcp.RetransSegs }
            : null, file.NodeSource, "no Tcp: OutSegs/RetransSegs counters found");

    /// <summary><c>conntrack -S</c>: the node's per-CPU conntrack statistics, summed.</summary>
    public static void ConntrackStatistics(EvidenceFile file, FileReadings readings) =>
        readings.Keep(Parsing.ConntrackStatistics.Parse(file.Text) is { } stats
            ? new NodeConntrackStats { Source = file.NodeSource, Node = file.Node, InsertFailed = stats.InsertFailed, Drop = stats.Drop, EarlyDrop = stats.EarlyDrop, Cpus = stats.Cpus }
            : null, file.NodeSource, "no insert_failed, drop or early_drop counters found");

    /// <summary><c>net.bridge.bridge-nf-call-iptables</c>, or its absence (<c>br_netfilter</c> not loaded).</summary>
    public static void BridgeNetfilter(EvidenceFile file, FileReadings readings) =>
        readings.Keep(NodeFileParsers.ParseBridgeNetfilter(file.Text) is { } bridge
            ? new NodeBridgeNetfilter { Source = file.NodeSource, Node = file.Node, ModuleLoaded = bridge.ModuleLoaded, Value = bridge.Value }
            : null, file.NodeSource, "neither 0, 1 nor a missing file");

    /// <summary>The kernel log (<c>dmesg</c>, <c>journalctl -k</c>, <c>/var/log/kern.log</c>): its conntrack-full and VXLAN bad-checksum lines.</summary>
    public static void KernelLog(EvidenceFile file, FileReadings readings)
    {
        foreach (var line in NodeFileParsers.FindKernelLines(file.Text))
        {
            readings.Facts.Add(new NodeKernelLogLine { Source = file.NodeSource, Node = file.Node, Kind = line.Kind, LineNumber = line.LineNumber, Text = line.Text });
        }
    }

    /// <summary><c>ethtool -k DEVICE</c>: the VXLAN device's <c>tx-checksum-ip-generic</c> offload.</summary>
    public static void OffloadFeatures(EvidenceFile file, FileReadings readings) =>
        readings.Keep(NodeFileParsers.ParseEthtoolFeatures(file.Text, CommandDevice(file.Artifact.Command, "-k", "--show-features", "--show-offload")) is { Device: { } device } features
            ? new NodeVxlanOffload { Source = file.NodeSource, Node = file.Node, Device = device, TxChecksumOffload = features.TxChecksumIpGeneric }
            : null, file.NodeSource, "no tx-checksum-ip-generic line, or no device named");

    /// <summary><c>ethtool -S DEVICE</c>: the ENA allowance counters of each read, kept to compare (<see cref="Combined"/>).</summary>
    public static void NicStatistics(EvidenceFile file, FileReadings readings)
    {
        // One command may read twice (ethtool -S eth0; sleep 60; ethtool -S eth0): each block its read, in order.
        var command = file.Artifact.Command;
        var reads = NicReads(command, file.Text)
            .Select(r => (r.Device, Read: NodeFileParsers.ParseEnaAllowances(r.Text))).Where(r => r.Read is not null).ToList();
        foreach (var (named, read) in reads)
        {
            var key = (file.Node, named ?? "the interface");
            readings.Allowances.TryAdd(key, []);
            readings.Allowances[key].Add((file.NodeSource, read!.Value.LinkLocalExceeded, read.Value.PpsExceeded, reads.Count > 1 ? SleepSeconds(command) : null));
        }

        if (reads.Count == 0)
        {
            readings.Keep(null, file.NodeSource, "no linklocal_allowance_exceeded counter (not an ENA interface, or its driver does not count it)");
        }
    }

    /// <summary>The facts of the reads kept to combine: each node's conntrack table, each device's allowance counters.</summary>
    public static IEnumerable<Fact> Combined(FileReadings readings) => [.. ConntrackFacts(readings.Conntrack), .. AllowanceFacts(readings.Allowances)];

    /// <summary>Each node's conntrack table: its count and its size, read from two files.</summary>
    private static IEnumerable<Fact> ConntrackFacts(Dictionary<string, (long? Count, long? Max)> conntrack) =>
        conntrack.Select(e => new NodeConntrack { Source = $"Node {e.Key} /proc/sys/net/netfilter", Node = e.Key, Count = e.Value.Count, Max = e.Value.Max });

    /// <summary>
    /// Each device's ENA allowance counters: two reads of one device, in the order given, are the rise between them (a
    /// counter that fell: the driver was reloaded, and the last read counts since then).
    /// </summary>
    private static IEnumerable<Fact> AllowanceFacts(Dictionary<(string Node, string Device), List<(string Source, long LinkLocal, long? Pps, int? Apart)>> allowances)
    {
        foreach (var ((node, device), reads) in allowances)
        {
            var (first, last) = (reads[0], reads[^1]);
            var between = reads.Count > 1 && last.LinkLocal >= first.LinkLocal && (last.Pps ?? 0) >= (first.Pps ?? 0);
            yield return new NodeNicAllowance
            {
                Source = last.Source, Node = node, Device = device, BetweenReads = between,
                // Reads one command took with a sleep between them are that far apart (two reads there, or the first and last of more).
                SecondsApart = between && reads.Count == 2 && last.Apart is { } apart && first.Apart == apart && first.Source == last.Source ? apart : null,
                LinkLocalExceeded = between ? last.LinkLocal - first.LinkLocal : last.LinkLocal,
                PpsExceeded = between && last.Pps is { } pps && first.Pps is { } before ? pps - before : last.Pps,
            };
        }
    }

    // The device ethtool was asked about: the word after the option (-k, --show-features, --show-offload; -S,
    // --statistics), for output without a header naming it.
    private static string? CommandDevice(string? command, params string[] options) => CommandDevices(command, options).FirstOrDefault();

    // Every device the command's ethtool calls name, in order (a ';' or '&&' after one ends its call).
    private static List<string?> CommandDevices(string? command, params string[] options)
    {
        var words = command?.Split(' ', StringSplitOptions.RemoveEmptyEntries) ?? [];
        return [.. words.Select((w, i) => (w, i)).Where(x => options.Contains(x.w))
            .Select(x => x.i + 1 < words.Length && !words[x.i + 1].StartsWith('|') && words[x.i + 1].TrimEnd(';', '&', '\'', '"') is { Length: > 0 } device ? device : null)];
    }

    // The reads of ethtool -S output: one per "NIC statistics:" block when the command read as many times (of the
    // device each call names) or read one device only (a loop), else the whole text one read of the device named first.
    private static List<(string? Device, string Text)> NicReads(string? command, string? text)
    {
        var devices = CommandDevices(command, "-S", "--statistics");
        var blocks = NicBlocks(text ?? "");
        return blocks.Count > 1 && blocks.Count == devices.Count ? [.. blocks.Select((b, i) => (devices[i], b))]
            : blocks.Count > 1 && devices.Count > 0 && devices.Distinct().Count() == 1 ? [.. blocks.Select(b => (devices[0], b))]
            : [(devices.FirstOrDefault(), text ?? "")];
    }

    // The text cut before each "NIC statistics:" line, the header ethtool -S prints first.
    private static List<string> NicBlocks(string text)
    {
        var blocks = new List<string>();
        var start = 0;
        for (var at = text.IndexOf("NIC statistics:", StringComparison.Ordinal); at >= 0; at = text.IndexOf("NIC statistics:", at + 1, StringComparison.Ordinal))
        {
            if (at > start && text[start..at].Trim().Length > 0)
            {
                blocks.Add(text[start..at]);
            }

            start = at;
        }

        blocks.Add(text[start..]);
        return blocks;
    }

    // The seconds of the command's one sleep between its reads (sleep 60), when it has exactly one.
    private static int? SleepSeconds(string? command)
    {
        var words = command?.Split(' ', StringSplitOptions.RemoveEmptyEntries) ?? [];
        var sleeps = words.Select((w, i) => (w, i)).Where(x => x.w == "sleep" && x.i + 1 < words.Length)
            .Select(x => int.TryParse(words[x.i + 1].TrimEnd(';', '&', '\'', '"'), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var s) ? s : (int?)null).ToList();
        return sleeps is [{ } seconds] && seconds > 0 ? seconds : null;
    }
}
