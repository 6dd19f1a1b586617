using DnsExpert.Contract;
using DnsExpert.Facts;
using DnsExpert.Readers.Parsing;

namespace DnsExpert.Readers.Building.Producers;

/// <summary>Files and command output collected on nodes: the conntrack table, TCP counters, bridge netfilter, a VXLAN device's offload, the kernel log.</summary>
internal static class NodeFileProducer
{
    public static ProducedFacts Produce(IList<FileArtifact> files)
    {
        var facts = new List<Fact>();
        var notes = new List<CollectionEntry>();
        var conntrack = new Dictionary<string, (long? Count, long? Max)>(StringComparer.Ordinal);
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
                    Keep(NodeFileParsers.ParseEthtoolFeatures(file.Text, CommandDevice(file.Command)) is { Device: { } device } features
                        ? new NodeVxlanOffload { Source = source, Node = node, Device = device, TxChecksumOffload = features.TxChecksumIpGeneric }
                        : null, source, "no tx-checksum-ip-generic line, or no device named");
                    break;
            }
        }

        foreach (var (node, (count, max)) in conntrack)
        {
            facts.Add(new NodeConntrack { Source = $"Node {node} /proc/sys/net/netfilter", Node = node, Count = count, Max = max });
        }

        return new ProducedFacts(facts, notes);

        // The device ethtool was asked about: the word after -k (--show-features, --show-offload), for grepped output without its header.
        static string? CommandDevice(string? command)
        {
            var words = command?.Split(' ', StringSplitOptions.RemoveEmptyEntries) ?? [];
            var at = Array.FindIndex(words, w => w is "-k" or "--show-features" or "--show-offload");
            return at >= 0 && at + 1 < words.Length ? words[at + 1] : null;
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
