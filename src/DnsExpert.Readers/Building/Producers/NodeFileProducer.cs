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
        var allowances = new Dictionary<(string Node, string Device), List<(string Source, long LinkLocal, long? Pps)>>();
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
                    if (NodeFileParsers.ParseEnaAllowances(file.Text) is { } read)
                    {
                        var key = (node, CommandDevice(file.Command, "-S", "--statistics") ?? "the interface");
                        allowances.TryAdd(key, []);
                        allowances[key].Add((source, read.LinkLocalExceeded, read.PpsExceeded));
                    }
                    else
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
                LinkLocalExceeded = between ? last.LinkLocal - first.LinkLocal : last.LinkLocal,
                PpsExceeded = between && last.Pps is { } pps && first.Pps is { } before ? pps - before : last.Pps,
            });
        }

        return new ProducedFacts(facts, notes);

        // The device ethtool was asked about: the word after the option (-k, --show-features, --show-offload; -S,
        // --statistics), for output without a header naming it.
        static string? CommandDevice(string? command, params string[] options)
        {
            var words = command?.Split(' ', StringSplitOptions.RemoveEmptyEntries) ?? [];
            var at = Array.FindIndex(words, options.Contains);
            return at >= 0 && at + 1 < words.Length && !words[at + 1].StartsWith('|') ? words[at + 1] : null;
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
