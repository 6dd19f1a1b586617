using DnsExpert.Contract;
using DnsExpert.Facts;
using DnsExpert.Readers.Parsing;

namespace DnsExpert.Readers.Building.Producers;

/// <summary>Files and command output collected on nodes: the conntrack table, TCP counters, bridge netfilter, a VXLAN device's offload, ENA allowance counters, the kernel log.</summary>
internal static class NodeFileProducer
{
    public static ProducedFacts Produce(IList<FileArtifact> files)
    {
        var facts = new List<Fact>();
        var notes = new List<CollectionEntry>();
        var conntrack = new Dictionary<string, (long? Count, long? Max)>(StringComparer.Ordinal);
        var allowances = new Dictionary<(string Node, string Device), List<(string Source, long LinkLocal, long? Pps, int? Apart)>>();
        foreach (var file in files.Where(f => f.Node is not null && f.Text is not null))
        {
            var node = file.Node!;
            var what = file.Path ?? file.Command ?? "";
            var source = $"Node {node} {what}";
            // Which reader takes it is the registry's: dmesg, journalctl -k and /var/log/kern.log alike are the kernel log.
            switch (EvidenceSources.Of(file)?.Reader)
            {
                case EvidenceReader.ConntrackCount:
                    conntrack[node] = (NodeFileParsers.ParseCounter(file.Text), conntrack.GetValueOrDefault(node).Max);
                    break;
                case EvidenceReader.ConntrackMax:
                    conntrack[node] = (conntrack.GetValueOrDefault(node).Count, NodeFileParsers.ParseCounter(file.Text));
                    break;
                case EvidenceReader.TcpCounters:
                    Keep(NodeFileParsers.ParseSnmpTcp(file.Text) is { } tcp
                        ? new NodeTcpStats { Source = source, Node = node, OutSegs = tcp.OutSegs, RetransSegs = tcp.RetransSegs }
                        : null, source, "no Tcp: OutSegs/RetransSegs counters found");
                    break;
                case EvidenceReader.ConntrackStatistics:
                    Keep(ConntrackStatistics.Parse(file.Text) is { } stats
                        ? new NodeConntrackStats { Source = source, Node = node, InsertFailed = stats.InsertFailed, Drop = stats.Drop, EarlyDrop = stats.EarlyDrop, Cpus = stats.Cpus }
                        : null, source, "no insert_failed, drop or early_drop counters found");
                    break;
                case EvidenceReader.BridgeNetfilter:
                    Keep(NodeFileParsers.ParseBridgeNetfilter(file.Text) is { } bridge
                        ? new NodeBridgeNetfilter { Source = source, Node = node, ModuleLoaded = bridge.ModuleLoaded, Value = bridge.Value }
                        : null, source, "neither 0, 1 nor a missing file");
                    break;
                case EvidenceReader.KernelLog:
                    foreach (var line in NodeFileParsers.FindKernelLines(file.Text))
                    {
                        facts.Add(new NodeKernelLogLine { Source = source, Node = node, Kind = line.Kind, LineNumber = line.LineNumber, Text = line.Text });
                    }

                    break;
                case EvidenceReader.OffloadFeatures:
                    Keep(NodeFileParsers.ParseEthtoolFeatures(file.Text, CommandDevice(file.Command, "-k", "--show-features", "--show-offload")) is { Device: { } device } features
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
                        allowances.TryAdd(key, []);
                        allowances[key].Add((source, read!.Value.LinkLocalExceeded, read.Value.PpsExceeded, reads.Count > 1 ? SleepSeconds(file.Command) : null));
                    }

                    if (reads.Count == 0)
                    {
                        Keep(null, source, "no linklocal_allowance_exceeded counter (not an ENA interface, or its driver does not count it)");
                    }

                    break;
            }
        }

        foreach (var (node, (count, max)) in conntrack)
        {
            facts.Add(new NodeConntrack { Source = $"Node {node} /proc/sys/net/netfilter", Node = node, Count = count, Max = max });
        }

        // Two reads of one device, in the order given, are the rise between them (a counter that fell: the driver was
        // reloaded, and the last read counts since then).
        foreach (var ((node, device), reads) in allowances)
        {
            var (first, last) = (reads[0], reads[^1]);
            var between = reads.Count > 1 && last.LinkLocal >= first.LinkLocal && (last.Pps ?? 0) >= (first.Pps ?? 0);
            facts.Add(new NodeNicAllowance
            {
                Source = last.Source, Node = node, Device = device, BetweenReads = between,
                // Reads one command took with a sleep between them are that far apart (two reads there, or the first and last of more).
                SecondsApart = between && reads.Count == 2 && last.Apart is { } apart && first.Apart == apart && first.Source == last.Source ? apart : null,
                LinkLocalExceeded = between ? last.LinkLocal - first.LinkLocal : last.LinkLocal,
                PpsExceeded = between && last.Pps is { } pps && first.Pps is { } before ? pps - before : last.Pps,
            });
        }

        return new ProducedFacts(facts, notes);

        // The device ethtool was asked about: the word after the option (-k, --show-features, --show-offload; -S,
        // --statistics), for output without a header naming it.
        static string? CommandDevice(string? command, params string[] options) => CommandDevices(command, options).FirstOrDefault();

        // Every device the command's ethtool calls name, in order (a ';' or '&&' after one ends its call).
        static List<string?> CommandDevices(string? command, params string[] options)
        {
            var words = command?.Split(' ', StringSplitOptions.RemoveEmptyEntries) ?? [];
            return [.. words.Select((w, i) => (w, i)).Where(x => options.Contains(x.w))
                .Select(x => x.i + 1 < words.Length && !words[x.i + 1].StartsWith('|') && words[x.i + 1].TrimEnd(';', '&', '\'', '"') is { Length: > 0 } device ? device : null)];
        }

        // The reads of ethtool -S output: one per "NIC statistics:" block when the command read as many times (of the
        // device each call names) or read one device only (a loop), else the whole text one read of the device named first.
        static List<(string? Device, string Text)> NicReads(string? command, string? text)
        {
            var devices = CommandDevices(command, "-S", "--statistics");
            var blocks = NicBlocks(text ?? "");
            return blocks.Count > 1 && blocks.Count == devices.Count ? [.. blocks.Select((b, i) => (devices[i], b))]
                : blocks.Count > 1 && devices.Count > 0 && devices.Distinct().Count() == 1 ? [.. blocks.Select(b => (devices[0], b))]
                : [(devices.FirstOrDefault(), text ?? "")];
        }

        // The text cut before each "NIC statistics:" line, the header ethtool -S prints first.
        static List<string> NicBlocks(string text)
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
        static int? SleepSeconds(string? command)
        {
            var words = command?.Split(' ', StringSplitOptions.RemoveEmptyEntries) ?? [];
            var sleeps = words.Select((w, i) => (w, i)).Where(x => x.w == "sleep" && x.i + 1 < words.Length)
                .Select(x => int.TryParse(words[x.i + 1].TrimEnd(';', '&', '\'', '"'), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var s) ? s : (int?)null).ToList();
            return sleeps is [{ } seconds] && seconds > 0 ? seconds : null;
        }

        // A file read into its fact, or a note saying what it lacked.
        void Keep(Fact? fact, string source, string unread)
        {
            if (fact is not null)
            {
                facts.Add(fact);
            }
            else
            {
                notes.Add(new CollectionEntry(source, CollectionStatus.Partial, unread));
            }
        }
    }
}
