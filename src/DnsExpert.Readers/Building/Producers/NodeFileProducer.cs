using DnsExpert.Contract;
using DnsExpert.Facts;
using DnsExpert.Readers.Parsing;

namespace DnsExpert.Readers.Building.Producers;

/// <summary>Files and command output collected on nodes: the conntrack table, TCP counters, bridge netfilter, a VXLAN device's offload, ENA allowance counters, the kernel log.</summary>
internal static class NodeFileProducer
{
    public static ProducedFacts Produce(IList<FileArtifact> files)
    {
        var readings = new Readings();
        foreach (var file in files.Where(f => f.Node is not null && f.Text is not null))
        {
            Read(file, readings);
        }

        readings.Facts.AddRange(ConntrackFacts(readings.Conntrack));
        readings.Facts.AddRange(AllowanceFacts(readings.Allowances));
        return new ProducedFacts(readings.Facts, readings.Notes);
    }

    /// <summary>One node file or command output, read by the reader the evidence registry names for it.</summary>
    private static void Read(FileArtifact file, Readings readings)
    {
        var node = file.Node!;
        var what = file.Path ?? file.Command ?? "";
        var source = $"Node {node} {what}";
        // Which reader takes it is the registry's: dmesg, journalctl -k and /var/log/kern.log alike are the kernel log.
        switch (EvidenceSources.Of(file)?.Reader)
        {
            case EvidenceReader.ConntrackCount:
                readings.Conntrack[node] = (NodeFileParsers.ParseCounter(file.Text), readings.Conntrack.GetValueOrDefault(node).Max);
                break;
            case EvidenceReader.ConntrackMax:
                readings.Conntrack[node] = (readings.Conntrack.GetValueOrDefault(node).Count, NodeFileParsers.ParseCounter(file.Text));
                break;
            case EvidenceReader.TcpCounters:
                readings.Keep(NodeFileParsers.ParseSnmpTcp(file.Text) is { } tcp
                    ? new NodeTcpStats { Source = source, Node = node, OutSegs = tcp.OutSegs, RetransSegs = tcp.RetransSegs }
                    : null, source, "no Tcp: OutSegs/RetransSegs counters found");
                break;
            case EvidenceReader.ConntrackStatistics:
                readings.Keep(ConntrackStatistics.Parse(file.Text) is { } stats
                    ? new NodeConntrackStats { Source = source, Node = node, InsertFailed = stats.InsertFailed, Drop = stats.Drop, EarlyDrop = stats.EarlyDrop, Cpus = stats.Cpus }
                    : null, source, "no insert_failed, drop or early_drop counters found");
                break;
            case EvidenceReader.BridgeNetfilter:
                readings.Keep(NodeFileParsers.ParseBridgeNetfilter(file.Text) is { } bridge
                    ? new NodeBridgeNetfilter { Source = source, Node = node, ModuleLoaded = bridge.ModuleLoaded, Value = bridge.Value }
                    : null, source, "neither 0, 1 nor a missing file");
                break;
            case EvidenceReader.KernelLog:
                foreach (var line in NodeFileParsers.FindKernelLines(file.Text))
                {
                    readings.Facts.Add(new NodeKernelLogLine { Source = source, Node = node, Kind = line.Kind, LineNumber = line.LineNumber, Text = line.Text });
                }

                break;
            case EvidenceReader.OffloadFeatures:
                readings.Keep(NodeFileParsers.ParseEthtoolFeatures(file.Text, CommandDevice(file.Command, "-k", "--show-features", "--show-offload")) is { Device: { } device } features
                    ? new NodeVxlanOffload { Source = source, Node = node, Device = device, TxChecksumOffload = features.TxChecksumIpGeneric }
                    : null, source, "no tx-checksum-ip-generic line, or no device named");
                break;
            case EvidenceReader.NicStatistics:
                // One command may read twice (ethtool -S eth0; sleep 60; ethtool -S eth0): each block its read, in order.
                var reads = NicReads(file.Command, file.Text)
                    .Select(r => (r.Device, Read: NodeFileParsers.ParseEnaAllowances(r.Text))).Where(r => r.Read is not null).ToList();
                foreach (var (named, read) in reads)
                {
                    var key = (node, named ?? "the interface");
                    readings.Allowances.TryAdd(key, []);
                    readings.Allowances[key].Add((source, read!.Value.LinkLocalExceeded, read.Value.PpsExceeded, reads.Count > 1 ? SleepSeconds(file.Command) : null));
                }

                if (reads.Count == 0)
                {
                    readings.Keep(null, source, "no linklocal_allowance_exceeded counter (not an ENA interface, or its driver does not count it)");
                }

                break;
        }
    }

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

    /// <summary>What the files read so far gave: facts, notes on what a file lacked, and the reads kept to combine.</summary>
    private sealed class Readings
    {
        public List<Fact> Facts { get; } = [];

        public List<CollectionEntry> Notes { get; } = [];

        public Dictionary<string, (long? Count, long? Max)> Conntrack { get; } = new(StringComparer.Ordinal);

        public Dictionary<(string Node, string Device), List<(string Source, long LinkLocal, long? Pps, int? Apart)>> Allowances { get; } = [];

        /// <summary>A file read into its fact, or a note saying what it lacked.</summary>
        public void Keep(Fact? fact, string source, string unread)
        {
            if (fact is not null)
            {
                Facts.Add(fact);
            }
            else
            {
                Notes.Add(new CollectionEntry(source, CollectionStatus.Partial, unread));
            }
        }
    }
}
