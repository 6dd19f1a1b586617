using System.Text.Json;
using DnsExpert.Contract;
using DnsExpert.Readers.Parsing;
using DnsExpert.Text;

namespace DnsExpert.Readers.Building;

/// <summary>
/// Reads <c>snapshot.outputs</c>, command output as people paste it, into the snapshot parts the structured form has:
/// <c>dig</c>/<c>nslookup</c>, <c>ping</c> and busybox <c>nc -zvv</c> into probe results, <c>kubectl get -o json</c> and kubectl tables
/// (<see cref="PastedTables"/>) into objects, <c>kubectl logs</c> into a
/// log, a CoreDNS pod's <c>/metrics</c> into that pod's metrics, <c>cat FILE</c> into that file of its origin, any other command (<c>dmesg</c>, <c>conntrack -S</c>) into a
/// command output of its origin. The same facts then follow as from the structured form. Each output gets a
/// <c>collection</c> note saying what it was read as. Commands are only read, never run.
/// </summary>
public static class PastedOutputs
{
    /// <summary>Pasted <c>kubectl get -o json</c> is parsed only up to this size; larger belongs in <c>snapshot.objects</c>.</summary>
    public const int MaxJsonCharacters = 4 << 20;

    /// <summary>Characters of one output's <c>collection</c> note at most: a paste of a million runs gets a line, not a million.</summary>
    public const int MaxNoteLength = 600;

    /// <summary>Different summaries a note names before it counts the rest (<c>+N more</c>).</summary>
    private const int MaxSummaries = 4;

    /// <summary>
    /// The request with its <c>snapshot.outputs</c> read into objects, probes, logs and files, and a <c>collection</c>
    /// note per output. What the outputs add is counted against the same <paramref name="limits"/> as the structured
    /// parts, while each output is read (objects and their JSON values, probes, logs and their characters, files): a
    /// reader stops at the limit and its note says where, so a paste expands to no more than a structured request may
    /// carry. A pasted result that repeats one already read (the same lookup, the same answer, from the same place) adds
    /// nothing but a count in the note.
    /// </summary>
    public static (DiagnosisRequest Request, IReadOnlyList<CollectionEntry> Notes) Expand(DiagnosisRequest request, RequestLimits? limits = null)
    {
        if (request.Snapshot is not { Outputs: { Count: > 0 } outputs } snapshot)
        {
            return (request, []);
        }

        var expansion = new Expansion(request, snapshot, limits ?? new RequestLimits());
        outputs = Transcripts(outputs, expansion.Limits, expansion.Notes);
        for (var i = 0; i < outputs.Count; i++)
        {
            expansion.Read(Pasted.Of(outputs[i], i));
        }

        return (expansion.Request(), expansion.Notes);
    }

    /// <summary>
    /// One pasted output as its readers take it: the command that printed it (out of <c>kubectl exec POD --</c> and
    /// <c>sh -c</c>, <c>oc</c> as <c>kubectl</c>), split into words, where it ran, and the tool.
    /// </summary>
    internal sealed record Pasted(string Source, string Text, string? Command, string[] Words, string? From, RequestValidator.Origin? Origin, string? Tool)
    {
        public static Pasted Of(CommandOutput output, int index)
        {
            var (command, from) = (output.Command, output.From);
            var words = OcAsKubectl(ShellWords.Split(command));
            if (ExecTarget(words) is { } exec)
            {
                // kubectl exec -n NS POD -- CMD: the command ran in that pod (the hypotheses' checks are written so).
                (command, words) = (string.Join(' ', exec.Command), exec.Command);
                from ??= exec.From;
            }

            if (ShellCommand(words) is { } inner)
            {
                words = inner;
                command = string.Join(' ', words);
            }

            return new Pasted(output.Source ?? $"snapshot.outputs[{index}]", output.Text ?? "", command, words, from,
                from is not null ? RequestValidator.Origin.TryParse(from) : null, words.FirstOrDefault()?.Split('/').Last());
        }
    }

    /// <summary>
    /// The snapshot parts the outputs expand to, under one <see cref="Budget"/>, the outputs read in the order given: each
    /// goes to the reader its evidence source carries (<see cref="ReaderOf"/>), whose paste steps (<see cref="Steps"/>)
    /// are the methods below, and gets its note.
    /// </summary>
    internal sealed class Expansion(DiagnosisRequest request, Snapshot snapshot, RequestLimits limits)
    {
        private readonly List<ProbeArtifact> _probes = [.. snapshot.Probes ?? []];
        private readonly List<JsonElement> _objects = [.. snapshot.Objects ?? []];
        private readonly List<LogArtifact> _logs = [.. snapshot.Logs ?? []];
        private readonly List<FileArtifact> _files = [.. snapshot.Files ?? []];
        private readonly List<JsonElement> _tableObjects = [];
        private readonly Budget _budget = new(limits, snapshot);
        private readonly HashSet<ProbeKey> _seenProbes = [.. (snapshot.Probes ?? []).Select(ProbeKey.Of)];

        public RequestLimits Limits { get; } = limits;

        public List<CollectionEntry> Notes { get; } = [];

        /// <summary>The request with the outputs' parts in place of its outputs (table objects first, so that the JSON form of an object, when also sent, wins).</summary>
        public DiagnosisRequest Request() => new()
        {
            Target = request.Target, Domain = request.Domain, Symptom = request.Symptom, Options = request.Options, CallbackUrl = request.CallbackUrl,
            Snapshot = new Snapshot { Objects = [.. _tableObjects, .. _objects], Logs = _logs, Files = _files, Probes = _probes, Metrics = snapshot.Metrics },
        };

        /// <summary>
        /// Reads one output with the reader its evidence source carries (<see cref="EvidenceSources"/>): that reader's
        /// paste steps in their order, the first to take it noting what it read; what none takes is kept as a file or
        /// command output of where it ran, for the reader to read with the snapshot's files.
        /// </summary>
        public void Read(Pasted p)
        {
            foreach (var step in ReaderOf(p.Tool, p.Words, p.Text)?.Pasted ?? [])
            {
                if (step(this, p))
                {
                    return;
                }
            }

            FileOrCommand(p);
        }

        /// <summary>kubectl's own objects, JSON or YAML: taken when the output prints objects in one of these forms.</summary>
        internal bool JsonOrYamlObjects(Pasted p)
        {
            if (ObjectsFormat(p.Tool, p.Words, p.Text) is not { } format)
            {
                return false;
            }

            Objects(p, format);
            return true;
        }

        /// <summary>A kubectl table (<see cref="PastedTables"/>), read into objects kept before the snapshot's own, so that the JSON form of the same object, when also sent, wins.</summary>
        internal bool TableObjects(Pasted p)
        {
            if (PastedTables.Read(p.Words, p.Text, request.Target, _budget.Objects) is not { } table)
            {
                return false;
            }

            _tableObjects.AddRange(table.Objects);
            _budget.Objects -= table.Objects.Count;
            Note(p, table.Status, table.Note);
            return true;
        }

        /// <summary>kubectl's "No resources found": a list read empty.</summary>
        internal bool NoResourcesFound(Pasted p)
        {
            if (p.Tool != "kubectl" || !p.Text.TrimStart().StartsWith("No resources found", StringComparison.Ordinal))
            {
                return false;
            }

            Note(p, CollectionStatus.Ok, "kubectl found no such objects");
            return true;
        }

        /// <summary>kubectl objects none of the other steps could read, pasted without saying where: where kubectl ran does not matter, what it printed could not be read.</summary>
        internal bool ObjectsNotRead(Pasted p)
        {
            if (p.Origin is not null || p.Tool != "kubectl")
            {
                return false;
            }

            Note(p, CollectionStatus.Failed, "not read: neither kubectl's -o json nor a table read here (get pods, nodes, svc, endpoints; top pods, nodes) with its header line: paste the whole output with its header, or run it again with -o json");
            return true;
        }

        private void Note(Pasted p, CollectionStatus status, string detail) => Notes.Add(new CollectionEntry(p.Source, status, Bounded(detail)));

        /// <summary>A probe read from the output: kept when new and within the limit; a repeat only counts.</summary>
        private ProbeTake TakeProbe(Pasted p, ProbeArtifact probe)
        {
            probe.From = p.From ?? "pasted";
            if (!_seenProbes.Add(ProbeKey.Of(probe)))
            {
                return ProbeTake.Repeat;
            }

            if (_budget.Probes <= 0)
            {
                return ProbeTake.Full;
            }

            _budget.Probes--;
            _probes.Add(probe);
            return ProbeTake.Kept;
        }

        internal void Lookups(Pasted p)
        {
            var tally = new Tally();
            DnsTool? first = null;
            foreach (var lookup in DnsToolOutput.Read(p.Text, p.Command))
            {
                first ??= lookup.Tool;
                if (!tally.Count(TakeProbe(p, lookup.Probe), lookup.Line))
                {
                    break;
                }
            }

            Note(p, tally.Read > 0 ? CollectionStatus.Ok : CollectionStatus.Partial,
                tally.Read > 0 ? $"{tally.Describe("DNS lookup(s)")} read from {ToolName(first!.Value)} output{tally.Stopped(Limits)}" : "no lookup result found in the output");
        }

        internal void Pings(Pasted p)
        {
            var tally = new Tally();
            var summaries = new Summaries();
            var (probed, skipped) = (false, false);
            foreach (var run in PingOutput.Read(p.Text, p.Command))
            {
                // A run that gave no probe (no permission, name not resolved, cut short) is counted in the note; the
                // runs of one output are read up to the probe limit, whatever they gave.
                var taken = summaries.Count >= Limits.MaxProbes ? ProbeTake.Full : run.Probe is { } probe ? TakeProbe(p, probe) : ProbeTake.Kept;
                if (!tally.Count(taken, run.Line))
                {
                    break;
                }

                probed |= run.Probe is not null;
                skipped |= run.Problem is PingProblem.NotPermitted or PingProblem.NameNotResolved;
                summaries.Add(taken == ProbeTake.Repeat ? $"{run.Summary} (repeats an earlier run)" : run.Summary);
            }

            Note(p, probed ? CollectionStatus.Ok : skipped ? CollectionStatus.Skipped : CollectionStatus.Partial,
                summaries.Count > 0 ? summaries + tally.Stopped(Limits) : "no ping run found in the output");
        }

        internal void Connections(Pasted p)
        {
            var tally = new Tally();
            foreach (var (line, probe) in NcOutput.Read(p.Text))
            {
                if (!tally.Count(TakeProbe(p, probe), line))
                {
                    break;
                }
            }

            Note(p, tally.Read > 0 ? CollectionStatus.Ok : CollectionStatus.Partial,
                tally.Read > 0 ? $"{tally.Describe("TCP connection(s)")} read from nc output{tally.Stopped(Limits)}" : "no connection result found in the output (busybox nc -zvv prints one per address)");
        }

        private void Objects(Pasted p, string format)
        {
            var text = p.Text;
            if (text.Length > MaxJsonCharacters)
            {
                Note(p, CollectionStatus.Failed, $"kubectl {format} over {MaxJsonCharacters} characters: send it as JSON in snapshot.objects");
                return;
            }

            // -o yaml is read as the JSON -o json would have printed: one reader, one budget for both.
            var (json, unreadable) = format == "YAML" ? KubectlYaml.ToJson(text) : (text, null);
            var (read, problem) = json is null ? (null, $"not read: {unreadable}") : ReadJson(json, _budget, Limits);
            if (read is { } element)
            {
                _objects.Add(element);
                Note(p, CollectionStatus.Ok, format == "YAML" ? "read as Kubernetes objects (from YAML)" : "read as Kubernetes objects");
            }
            else
            {
                Note(p, CollectionStatus.Failed, problem!);
            }
        }

        internal void Logs(Pasted p)
        {
            var (text, words, origin) = (p.Text, p.Words, p.Origin);
            var (ns, pod, container) = LogsTarget(words);
            if (pod is null && (ns is null || RequestValidator.IsDnsLabel(ns)) && PrefixedLogs.Split(text) is { Count: > 0 } split)
            {
                // kubectl logs -l SELECTOR --prefix: each line says its pod and container.
                var read = new List<string>();
                foreach (var part in split)
                {
                    if (_budget.Logs <= 0 || _budget.LogCharacters < part.Text.Length)
                    {
                        break;
                    }

                    (_budget.Logs, _budget.LogCharacters) = (_budget.Logs - 1, _budget.LogCharacters - part.Text.Length);
                    _logs.Add(new LogArtifact { Namespace = ns ?? origin?.Namespace ?? "default", Pod = part.Pod, Container = part.Container, Text = part.Text });
                    read.Add(part.Pod);
                }

                Note(p, read.Count == split.Count ? CollectionStatus.Ok : CollectionStatus.Partial,
                    $"read as the logs of {read.Count} of {split.Count} pod(s) in {ns ?? "default"} (kubectl logs --prefix){(read.Count == split.Count ? "" : $": the request already holds the logs it may carry ({Limits.MaxLogs} logs, {Limits.MaxLogCharacters} characters)")}");
            }
            else if (pod is null || !RequestValidator.IsDnsSubdomain(pod) || (ns is not null && !RequestValidator.IsDnsLabel(ns)))
            {
                Note(p, CollectionStatus.Failed, "kubectl logs without a valid pod name in the command: cannot tell whose log it is");
            }
            else if (_budget.Logs <= 0 || _budget.LogCharacters < text.Length)
            {
                Note(p, CollectionStatus.Failed, $"not read: the request already holds the logs it may carry ({Limits.MaxLogs} logs, {Limits.MaxLogCharacters} characters: DnsExpert:Limits:MaxLogs, MaxLogCharacters)");
            }
            else
            {
                (_budget.Logs, _budget.LogCharacters) = (_budget.Logs - 1, _budget.LogCharacters - text.Length);
                _logs.Add(new LogArtifact { Namespace = ns ?? origin?.Namespace ?? "default", Pod = pod, Container = container, Text = text });
                // --previous (-p): the container's run before the last restart, the one that stopped.
                Note(p, CollectionStatus.Ok, words.Contains("--previous") || words.Contains("-p") || words.Contains("--previous=true")
                    ? $"read as the log of pod {ns ?? "default"}/{pod}'s previous container (the run before its last restart)"
                    : $"read as the log of pod {ns ?? "default"}/{pod}");
            }
        }

        internal void Metrics(Pasted p)
        {
            var (text, command, words, origin) = (p.Text, p.Command, p.Words, p.Origin);
            // Whose metrics: the pod of the proxy path; for curl of localhost, the pod it ran in; for curl of a pod
            // IP, the pod with that IP, found among the snapshot's pods when the facts are built.
            var endpoint = MetricsEndpoint.Of(words);
            var (ns, pod) = endpoint is { Pod: { } named } ? (endpoint.Namespace, named)
                : endpoint is { IsLocal: true } && origin is { Pod: { } here } ? (origin.Namespace, here) : (null, null);
            if (!PrometheusText.LooksLikeExposition(text))
            {
                Note(p, CollectionStatus.Failed, "not read: no Prometheus text exposition (# TYPE lines and samples) in the output");
            }
            else if (pod is null ? endpoint is null || (endpoint.IsLocal && origin?.Node is null) : !RequestValidator.IsDnsSubdomain(pod) || !RequestValidator.IsDnsLabel(ns ?? ""))
            {
                Note(p, CollectionStatus.Failed, "not read: cannot tell whose metrics they are (kubectl get --raw /api/v1/namespaces/kube-system/pods/POD:9153/proxy/metrics names the pod)");
            }
            else if (_budget.Files <= 0)
            {
                Note(p, CollectionStatus.Failed, $"not read: the request already holds the {Limits.MaxFiles} files and command outputs it may carry (DnsExpert:Limits:MaxFiles)");
            }
            else
            {
                _budget.Files--;
                // localhost on a node: the hostNetwork pod serving that port there (NodeLocal DNSCache's :9353).
                var node = pod is null && endpoint!.IsLocal ? origin!.Node : null;
                _files.Add(new FileArtifact { Namespace = ns, Pod = pod, Node = node, Command = command, Text = text });
                Note(p, CollectionStatus.Ok, pod is not null ? $"read as the metrics of pod {ns}/{pod}"
                    : node is not null ? $"read as the metrics served on node {node} at port {endpoint!.Port}" : $"read as the metrics of the pod at {endpoint!.Host}");
            }
        }

        /// <summary>
        /// <c>kubectl version</c>: kept as that command's output when it names the API server's version
        /// (<see cref="Parsing.KubectlVersionOutput"/>), which the cluster DNS settings read as the cluster's Kubernetes version.
        /// </summary>
        internal void KubectlVersion(Pasted p)
        {
            var read = Parsing.KubectlVersionOutput.Read(p.Text);
            if (read is not (_, { } server))
            {
                Note(p, CollectionStatus.Failed, read is (not null, _)
                    ? "not read: only the client's version; the API server's line (Server Version) is missing, kubectl did not reach it"
                    : "not read: no Client Version or Server Version line, nor kubectl version -o json's clientVersion/serverVersion");
            }
            else if (_budget.Files <= 0)
            {
                Note(p, CollectionStatus.Failed, $"not read: the request already holds the {Limits.MaxFiles} files and command outputs it may carry (DnsExpert:Limits:MaxFiles)");
            }
            else
            {
                _budget.Files--;
                _files.Add(new FileArtifact { Command = p.Command, Text = p.Text });
                Note(p, CollectionStatus.Ok, $"read as the API server's version, {DnsExpert.Text.DisplayText.Line(server.Original)}");
            }
        }

        private void FileOrCommand(Pasted p)
        {
            var (text, command, words, from, origin, tool) = (p.Text, p.Command, p.Words, p.From, p.Origin, p.Tool);
            if (origin is null)
            {
                Note(p, CollectionStatus.Skipped, "not read: say where it ran ('from': 'namespace/pod' or 'node/NAME')");
            }
            else if (_budget.Files <= 0)
            {
                Note(p, CollectionStatus.Failed, $"not read: the request already holds the {Limits.MaxFiles} files and command outputs it may carry (DnsExpert:Limits:MaxFiles)");
            }
            else if (tool == "cat" && words.Length == 2 && words[1].StartsWith('/'))
            {
                _budget.Files--;
                _files.Add(new FileArtifact { Namespace = origin.Namespace, Pod = origin.Pod, Node = origin.Node, Path = words[1], Text = text });
                Note(p, CollectionStatus.Ok, $"read as {words[1]} of {from}");
            }
            else if (command is null && text.Contains("nameserver ", StringComparison.Ordinal))
            {
                _budget.Files--;
                _files.Add(new FileArtifact { Namespace = origin.Namespace, Pod = origin.Pod, Node = origin.Node, Path = "/etc/resolv.conf", Text = text });
                Note(p, CollectionStatus.Ok, $"read as /etc/resolv.conf of {from}");
            }
            else
            {
                _budget.Files--;
                _files.Add(new FileArtifact { Namespace = origin.Namespace, Pod = origin.Pod, Node = origin.Node, Command = command ?? "unknown", Text = text });
                Note(p, CollectionStatus.Ok, $"kept as the output of a command run on {from}");
            }
        }
    }

    /// <summary>
    /// "JSON" or "YAML" when a kubectl output prints objects in that form (by its <c>-o</c>, or, pasted without its
    /// command, by how it starts); null for a table or anything else.
    /// </summary>
    public static string? ObjectsFormat(string? tool, string[] words, string text) => tool is null
        ? text.TrimStart().StartsWith('{') && text.Contains("\"kind\"", StringComparison.Ordinal) ? "JSON" : KubectlYaml.LooksLikeObjects(text) ? "YAML" : null
        : KubectlArgs.Output(words) switch
        {
            "json" => "JSON",
            "yaml" => "YAML",
            _ => null,
        };

    /// <summary>
    /// The outputs with each pasted terminal session (no command given, the text a transcript of prompts and what they
    /// printed: <see cref="TerminalTranscript"/>) split into its commands, each named after the output it came from and
    /// the command typed; as many as the request may still carry (<see cref="RequestLimits.MaxOutputs"/>), the rest noted.
    /// </summary>
    private static IList<CommandOutput> Transcripts(IList<CommandOutput> outputs, RequestLimits limits, List<CollectionEntry> notes)
    {
        if (!outputs.Any(o => string.IsNullOrWhiteSpace(o.Command) && o.Text is { } t && t.Contains('\n')))
        {
            return outputs;
        }

        var result = new List<CommandOutput>(outputs.Count);
        for (var i = 0; i < outputs.Count; i++)
        {
            var output = outputs[i];
            var source = output.Source ?? $"snapshot.outputs[{i}]";
            var room = Math.Max(0, limits.MaxOutputs - (result.Count + outputs.Count - i - 1));
            if (!string.IsNullOrWhiteSpace(output.Command) || output.Text is not { } text
                || TerminalTranscript.Split(text, output.From, room) is not { } split)
            {
                result.Add(output.Source is null ? output.Named(source) : output);
                continue;
            }

            result.AddRange(split.Outputs.Select((o, k) => o.Named($"{source} ({k + 1} of {split.Outputs.Count}: {Shortened(o.Command!)})")));
            if (split.Dropped > 0)
            {
                notes.Add(new CollectionEntry(source, CollectionStatus.Partial,
                    $"{split.Dropped} more command(s) of the pasted session not read: past the {limits.MaxOutputs} outputs a request may carry (DnsExpert:Limits:MaxOutputs)"));
            }
        }

        return result;
    }

    private static string Shortened(string command) => command.Length <= 60 ? command : command[..59] + "…";

    /// <summary>A note cut to <see cref="MaxNoteLength"/> characters.</summary>
    private static string Bounded(string detail) => detail.Length <= MaxNoteLength ? detail : detail[..(MaxNoteLength - 1)] + "…";

    /// <summary>
    /// Pasted <c>kubectl get -o json</c> as one element, when its JSON values and its objects (a List's items) fit what
    /// the request may still take; else why not. The values are counted before the document is built.
    /// </summary>
    private static (JsonElement? Element, string? Problem) ReadJson(string text, Budget budget, RequestLimits limits)
    {
        var utf8 = System.Text.Encoding.UTF8.GetBytes(text);
        long values = 0;
        try
        {
            var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = 64 });
            while (reader.Read())
            {
                if (reader.TokenType is not (JsonTokenType.EndObject or JsonTokenType.EndArray) && ++values > budget.ObjectValues)
                {
                    return (null, $"not read: its JSON holds more values than the request may still take ({limits.MaxObjectValues} in all: DnsExpert:Limits:MaxObjectValues)");
                }
            }

            using var document = JsonDocument.Parse(utf8, new JsonDocumentOptions { MaxDepth = 64 });
            var root = document.RootElement;
            var count = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("items", out var items) && items.ValueKind == JsonValueKind.Array ? items.GetArrayLength() : 1;
            if (count > budget.Objects)
            {
                return (null, $"not read: {count} objects, more than the request may still take ({limits.MaxObjects} in all: DnsExpert:Limits:MaxObjects)");
            }

            (budget.Objects, budget.ObjectValues) = (budget.Objects - count, budget.ObjectValues - values);
            return (root.Clone(), null);
        }
        catch (JsonException ex)
        {
            return (null, $"not valid JSON (line {ex.LineNumber + 1}): paste the whole output of kubectl get -o json");
        }
    }

    /// <summary>What the outputs may still add: the request's limits less what its structured parts hold.</summary>
    private sealed class Budget(RequestLimits limits, Snapshot snapshot)
    {
        public int Objects { get; set; } = Math.Max(0, limits.MaxObjects - (snapshot.Objects?.Count ?? 0));
        public long ObjectValues { get; set; } = limits.MaxObjectValues;
        public int Probes { get; set; } = Math.Max(0, limits.MaxProbes - (snapshot.Probes?.Count ?? 0));
        public int Logs { get; set; } = Math.Max(0, limits.MaxLogs - (snapshot.Logs?.Count ?? 0));
        public long LogCharacters { get; set; } = Math.Max(0, limits.MaxLogCharacters - (snapshot.Logs?.Sum(l => (long)(l.Text?.Length ?? 0)) ?? 0));
        public int Files { get; set; } = Math.Max(0, limits.MaxFiles - (snapshot.Files?.Count ?? 0));
    }

    private enum ProbeTake
    {
        Kept,
        Repeat,
        Full,
    }

    /// <summary>The probes one output gave: kept, repeats, and the line where the limit stopped the reading.</summary>
    private sealed class Tally
    {
        public int Kept { get; private set; }
        public int Repeats { get; private set; }
        public int Read => Kept + Repeats;
        public int? StoppedAt { get; private set; }

        /// <summary>Counts a probe; false when the limit was reached and the reading stops.</summary>
        public bool Count(ProbeTake take, int line)
        {
            switch (take)
            {
                case ProbeTake.Kept: Kept++; return true;
                case ProbeTake.Repeat: Repeats++; return true;
                default: StoppedAt = line; return false;
            }
        }

        public string Describe(string what) => Repeats == 0 ? $"{Kept} {what}" : $"{Read} {what} ({Repeats} repeating one already read)";

        public string Stopped(RequestLimits limits) => StoppedAt is { } line
            ? $"; stopped at line {line}: the request holds the {limits.MaxProbes} probes it may carry (DnsExpert:Limits:MaxProbes)"
            : "";
    }

    /// <summary>Summaries in the order first seen, each with its count, a few named and the rest counted.</summary>
    private sealed class Summaries
    {
        private readonly List<(string Text, int Count)> _named = [];
        private int _others;

        public int Count { get; private set; }

        public void Add(string summary)
        {
            Count++;
            var index = _named.FindIndex(n => n.Text == summary);
            if (index >= 0)
            {
                _named[index] = (summary, _named[index].Count + 1);
            }
            else if (_named.Count < MaxSummaries)
            {
                _named.Add((summary, 1));
            }
            else
            {
                _others++;
            }
        }

        public override string ToString() =>
            string.Join("; ", _named.Select(n => n.Count == 1 ? n.Text : $"{n.Count} × {n.Text}")) + (_others > 0 ? $"; +{_others} more" : "");
    }

    /// <summary>Everything a probe result says: two equal keys are the same result read twice.</summary>
    private readonly record struct ProbeKey(
        string? From, ProbeKind? Kind, string? Server, string? Target, int? Port, string? Name, string? Type, ProbeTransport? Transport,
        ProbeOutcome? Outcome, string? Rcode, bool? Truncated, bool? Authoritative, int? AnswerCount, double? LatencyMs, int? Sent, int? Received, DateTimeOffset? Time)
    {
        public static ProbeKey Of(ProbeArtifact p) =>
            new(p.From, p.Kind, p.Server, p.Target, p.Port, p.Name, p.Type, p.Transport, p.Outcome, p.Rcode, p.Truncated, p.Authoritative, p.AnswerCount, p.LatencyMs, p.Sent, p.Received, p.Time);
    }

    /// <summary>OpenShift's <c>oc</c> takes kubectl's verbs and flags and prints its tables and JSON: read as kubectl.</summary>
    internal static string[] OcAsKubectl(string[] words) =>
        words is [var first, .. var rest] && first.Split('/').Last() == "oc" ? ["kubectl", .. rest] : words;

    private static string ToolName(DnsTool tool) => tool == DnsTool.Dig ? "dig" : "nslookup";

    /// <summary>
    /// <c>sh -c 'CMD ...'</c> (a check that needs the container's environment, <c>$KUBERNETES_SERVICE_HOST</c>): the
    /// words of CMD; null for any other command.
    /// </summary>
    public static string[]? ShellCommand(string[] words) =>
        words is ["sh", "-c", _, ..]
            ? string.Join(' ', words[2..]).Trim('\'', '"', ' ').Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries)
            : null;

    /// <summary>
    /// The reader a pasted output goes to: its evidence source's, asked of <see cref="EvidenceSources"/>; for a kubectl
    /// get or top of a resource the registry does not name, the objects reader; for an output pasted without its command,
    /// the first of <see cref="EvidenceSources.PastedWithoutCommand"/> it looks like, else the objects reader (JSON, YAML
    /// or a table). Null: kept as a file or command output.
    /// </summary>
    private static EvidenceReader? ReaderOf(string? tool, string[] words, string text) =>
        EvidenceSources.Of(words, EvidenceSite.Anywhere)?.Reader
        ?? (tool == "kubectl" && (words.Contains("get") || words.Contains("top")) ? EvidenceReader.KubernetesObjects
            : tool is not null ? null
            : EvidenceSources.PastedWithoutCommand.FirstOrDefault(r => r.Recognizes?.Invoke(text) == true) ?? EvidenceReader.KubernetesObjects);

    /// <summary>The steps the readers take a paste with (<see cref="EvidenceReader.Pasted"/>), each true when it took the output.</summary>
    internal static class Steps
    {
        public static readonly PasteStep Lookups = (e, p) => { e.Lookups(p); return true; };
        public static readonly PasteStep Pings = (e, p) => { e.Pings(p); return true; };
        public static readonly PasteStep Connections = (e, p) => { e.Connections(p); return true; };
        public static readonly PasteStep JsonOrYamlObjects = (e, p) => e.JsonOrYamlObjects(p);
        public static readonly PasteStep TableObjects = (e, p) => e.TableObjects(p);
        public static readonly PasteStep NoResourcesFound = (e, p) => e.NoResourcesFound(p);
        public static readonly PasteStep ObjectsNotRead = (e, p) => e.ObjectsNotRead(p);
        public static readonly PasteStep Logs = (e, p) => { e.Logs(p); return true; };
        public static readonly PasteStep Metrics = (e, p) => { e.Metrics(p); return true; };
        public static readonly PasteStep KubectlVersion = (e, p) => { e.KubectlVersion(p); return true; };
    }

    internal static bool LooksLikeDnsTool(string text) =>
        text.Contains("<<>> DiG", StringComparison.Ordinal) || text.Contains("** server can't find", StringComparison.Ordinal)
        || text.Contains("no servers could be reached", StringComparison.Ordinal)
        || (text.StartsWith("Server:", StringComparison.Ordinal) && text.Contains("Address", StringComparison.Ordinal));

    /// <summary>
    /// Where each pasted output ran, in order: its <c>from</c> when valid, else the pod or node of its <c>kubectl
    /// exec</c> or <c>kubectl debug</c> (<c>namespace/pod</c>, <c>node/NAME</c>).
    /// </summary>
    public static IEnumerable<string> Origins(Snapshot? snapshot)
    {
        foreach (var output in snapshot?.Outputs ?? [])
        {
            var from = output.From is { } f && RequestValidator.Origin.TryParse(f) is not null ? f
                : ExecTarget(ShellWords.Split(output.Command))?.From;
            if (from is not null)
            {
                yield return from;
            }
        }
    }

    /// <summary>Flags of <c>kubectl exec</c>, <c>debug</c> and <c>run</c> whose value is the next word (when not given with <c>=</c>).</summary>
    private static readonly HashSet<string> ValueFlags = new(StringComparer.Ordinal)
    {
        "-n", "--namespace", "-c", "--container", "--image", "--target", "--profile", "--copy-to", "--image-pull-policy", "--env",
        "--restart", "--overrides", "-l", "--labels", "--context", "--kubeconfig",
    };

    /// <summary>
    /// <c>kubectl exec [-n NS] POD [-c C] -- CMD...</c>, or <c>kubectl debug [-n NS] POD -i --image=I --target=C -- CMD...</c>
    /// (an ephemeral container in the pod's network namespace: how a command runs "from CoreDNS", whose image has no
    /// shell), or <c>kubectl run NAME [-n NS] -i --rm ... -- CMD...</c> (a pod of its own: the checks' fallback before
    /// Kubernetes 1.23, DebugCommands): the namespace (<c>default</c> when not given), the pod and the command run in it; <c>kubectl debug
    /// node/NAME</c> runs on that node. Null for any other command. Only the names are taken, and only when they are valid.
    /// </summary>
    public static (string? From, string[] Command)? ExecTarget(string[] words)
    {
        var verb = Array.FindIndex(words, w => w is "exec" or "debug" or "run");
        var dashes = Array.IndexOf(words, "--");
        if (words.FirstOrDefault()?.Split('/').Last() != "kubectl" || verb < 0 || dashes <= verb || dashes == words.Length - 1)
        {
            return null;
        }

        var (ns, pod) = VerbTarget(words, verb, dashes);
        var command = words[(dashes + 1)..];
        if (words[verb] == "debug" && pod is not null && pod.StartsWith("node/", StringComparison.Ordinal))
        {
            // The node's root is under /host in the debug pod: chroot /host CMD runs the node's own CMD (the checks are written so).
            var node = pod["node/".Length..];
            if (command is ["chroot", "/host", _, ..])
            {
                command = command[2..];
            }

            return (RequestValidator.IsDnsSubdomain(node) ? pod : null, command);
        }

        ns ??= "default";
        var valid = pod is not null && RequestValidator.IsDnsSubdomain(pod) && RequestValidator.IsDnsLabel(ns);
        return (valid ? $"{ns}/{pod}" : null, command);
    }

    /// <summary>
    /// The namespace (<c>-n</c>, <c>--namespace[=]</c>) and the first word after <c>words[verb]</c> that is neither a flag
    /// nor a flag's value (<c>pod/</c> dropped), read up to <paramref name="end"/> (the <c>--</c> before a command).
    /// </summary>
    internal static (string? Namespace, string? Target) VerbTarget(string[] words, int verb, int end)
    {
        string? ns = null, target = null;
        for (var i = 1; i < end; i++)
        {
            var word = words[i];
            if (ValueFlags.Contains(word) && i + 1 < end)
            {
                ns = word is "-n" or "--namespace" ? words[i + 1] : ns;
                i++;
            }
            else if (word.StartsWith("--namespace=", StringComparison.Ordinal))
            {
                ns = word["--namespace=".Length..];
            }
            else if (i > verb && !word.StartsWith('-') && target is null)
            {
                target = word.StartsWith("pod/", StringComparison.Ordinal) ? word[4..] : word;
            }
        }

        return (ns, target);
    }

    /// <summary>The pod (first word after <c>logs</c> that is not a flag or a flag's value), namespace and container of a kubectl logs line.</summary>
    private static (string? Namespace, string? Pod, string? Container) LogsTarget(string[] words)
    {
        string? ns = null, pod = null, container = null;
        for (var i = 1; i < words.Length; i++)
        {
            var word = words[i];
            string? Value(string flag) => KubectlArgs.Value(words, ref i, flag);
            if ((Value("-n") ?? Value("--namespace")) is { } n)
            {
                ns = n;
            }
            else if ((Value("-c") ?? Value("--container")) is { } c)
            {
                container = c;
            }
            else if (Value("--tail") is not null || Value("--since") is not null || Value("-l") is not null || Value("--selector") is not null)
            {
            }
            else if (!word.StartsWith('-') && word is not "logs" && pod is null && Array.IndexOf(words, "logs") < i)
            {
                pod = word.StartsWith("pod/", StringComparison.Ordinal) ? word[4..] : word;
            }
        }

        return (ns, pod, container);
    }
}
