using DnsExpert.Contract;
using DnsExpert.Facts;

namespace DnsExpert.Readers.Building;

/// <summary>
/// What reads an evidence source's output, carried by its entry in <see cref="EvidenceSources"/>, the only place that
/// says which reader takes which output: how a pasted output of it becomes parts of the snapshot (<see cref="Pasted"/>:
/// probes, objects, a log, a metrics scrape; none: kept as the file or command output of where it ran), and how a
/// file or command output of it kept in the snapshot becomes facts (<see cref="File"/>). A reader whose files only make
/// sense together with the rest of the snapshot (a pod's scrapes, compared with its earlier ones and its peers') has no
/// <see cref="File"/>: its producer takes the files whose source names it.
/// </summary>
public sealed class EvidenceReader
{
    private EvidenceReader(string name, IReadOnlyList<PasteStep> pasted, FileReading? file, Func<string, bool>? recognizes = null)
    {
        Name = name;
        Pasted = pasted;
        File = file;
        Recognizes = recognizes;
    }

    /// <summary>The reader's name, as notes and tests give it.</summary>
    public string Name { get; }

    /// <summary>
    /// How a pasted output of the source is taken, each step tried in this order until one takes it (and notes what it
    /// read); what none takes is kept as a file or command output of where it ran, for <see cref="File"/>.
    /// </summary>
    internal IReadOnlyList<PasteStep> Pasted { get; }

    /// <summary>How one file or command output of the source, kept in the snapshot, is read into facts; null: not one by one.</summary>
    internal FileReading? File { get; }

    /// <summary>For an output pasted without its command: whether it looks like this reader's (<see cref="EvidenceSources.PastedWithoutCommand"/>).</summary>
    internal Func<string, bool>? Recognizes { get; }

    /// <summary>Whether <paramref name="file"/> is this reader's: the reader its evidence source carries (a producer's files, asked of the registry).</summary>
    public bool Reads(FileArtifact file) => EvidenceSources.Of(file)?.Reader == this;

    /// <inheritdoc/>
    public override string ToString() => Name;

    /// <summary><c>dig</c>/<c>nslookup</c> output into DNS probe results (<see cref="Parsing.DnsToolOutput"/>).</summary>
    public static readonly EvidenceReader DnsLookups = new(nameof(DnsLookups), [PastedOutputs.Steps.Lookups], null, PastedOutputs.LooksLikeDnsTool);

    /// <summary><c>ping</c> output into reachability probe results (<see cref="Parsing.PingOutput"/>).</summary>
    public static readonly EvidenceReader Ping = new(nameof(Ping), [PastedOutputs.Steps.Pings], null, Parsing.PingOutput.LooksLikePing);

    /// <summary>busybox <c>nc -zvv</c> output into TCP connection probe results (<see cref="Parsing.NcOutput"/>).</summary>
    public static readonly EvidenceReader TcpConnections = new(nameof(TcpConnections), [PastedOutputs.Steps.Connections], null, Parsing.NcOutput.LooksLikeNc);

    /// <summary>
    /// <c>kubectl get</c> output into Kubernetes objects: <c>-o json</c> or <c>-o yaml</c>, else a table (<see cref="PastedTables"/>),
    /// else kubectl's "No resources found", else (pasted without saying where) a note that it could not be read.
    /// </summary>
    public static readonly EvidenceReader KubernetesObjects = new(nameof(KubernetesObjects),
        [PastedOutputs.Steps.JsonOrYamlObjects, PastedOutputs.Steps.TableObjects, PastedOutputs.Steps.NoResourcesFound, PastedOutputs.Steps.ObjectsNotRead], null);

    /// <summary><c>kubectl top</c> tables into metrics objects (<see cref="PastedTables"/>); as <see cref="KubernetesObjects"/> but for JSON.</summary>
    public static readonly EvidenceReader KubectlTop = new(nameof(KubectlTop),
        [PastedOutputs.Steps.TableObjects, PastedOutputs.Steps.NoResourcesFound, PastedOutputs.Steps.ObjectsNotRead], null);

    /// <summary><c>kubectl logs</c> into a pod's log (<c>--prefix</c>: each pod's), read by the CoreDNS and NodeLocal DNSCache log producers.</summary>
    public static readonly EvidenceReader PodLogs = new(nameof(PodLogs), [PastedOutputs.Steps.Logs], null);

    /// <summary>A resolv.conf, the pod's or the node's, kept as that file and read by the resolver producer with the pod's and the node's settings.</summary>
    public static readonly EvidenceReader ResolvConf = new(nameof(ResolvConf), [], null);

    /// <summary>
    /// A Prometheus text exposition of a CoreDNS or NodeLocal DNSCache pod (<c>kubectl get --raw .../pods/POD:9153/proxy/metrics</c>,
    /// <c>curl -s http://POD_IP:9153/metrics</c>), kept as that pod's scrape; <see cref="Producers.CoreDnsMetricsProducer"/>
    /// reads each pod's scrapes together (<see cref="Parsing.PrometheusText"/>).
    /// </summary>
    public static readonly EvidenceReader PrometheusMetrics = new(nameof(PrometheusMetrics), [PastedOutputs.Steps.Metrics], null);

    /// <summary>
    /// <c>kubectl version</c> (its text forms, <c>-o json</c>), kept as that command's output when it names the API
    /// server's version; the cluster DNS settings read it as the cluster's Kubernetes version beside the nodes' kubelets
    /// (<see cref="Parsing.KubectlVersionOutput"/>).
    /// </summary>
    public static readonly EvidenceReader KubectlVersion = new(nameof(KubectlVersion), [PastedOutputs.Steps.KubectlVersion], null);

    /// <summary>Not read by DnsExpert (a packet capture is opened with <c>tcpdump -r</c> or Wireshark).</summary>
    public static readonly EvidenceReader NotRead = new(nameof(NotRead), [], null);

    /// <summary>
    /// A file or command output read one at a time into facts by <paramref name="read"/> (a pasted one is kept as the
    /// file, or command output, of where it ran, then read the same way).
    /// </summary>
    internal static EvidenceReader OfFile(string name, FileReading read) => new(name, [], read);
}

/// <summary>One way a reader takes a pasted output into the snapshot: true when it took it (and noted what it read).</summary>
internal delegate bool PasteStep(PastedOutputs.Expansion expansion, PastedOutputs.Pasted pasted);

/// <summary>Reads one file or command output kept in the snapshot into <paramref name="readings"/>.</summary>
internal delegate void FileReading(EvidenceFile file, FileReadings readings);

/// <summary>One file or command output kept in the snapshot, as its reader takes it: the artifact, its text, and the cluster it came from.</summary>
internal sealed record EvidenceFile(FileArtifact Artifact, ClusterContext Cluster)
{
    /// <summary>The file's text (only files with a text are read).</summary>
    public string Text => Artifact.Text ?? "";

    /// <summary>The node it was read on (a node source's files always name one).</summary>
    public string Node => Artifact.Node ?? "";

    /// <summary>Where a node's file came from, as its facts and notes name it: <c>Node NAME PATH-OR-COMMAND</c>.</summary>
    public string NodeSource => $"Node {Node} {Artifact.Path ?? Artifact.Command ?? ""}";
}

/// <summary>What the files read so far gave: facts, notes on what a file lacked, and the reads kept to combine (a node's conntrack count and size, its NIC counters read twice).</summary>
internal sealed class FileReadings
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
