using System.Text.Json;
using DnsExpert.Core.Contract;
using DnsExpert.Core.Parsing;

namespace DnsExpert.Core.Building;

/// <summary>
/// Reads <c>snapshot.outputs</c>, command output as people paste it, into the snapshot parts the structured form has:
/// <c>dig</c>/<c>nslookup</c> and <c>ping</c> into probe results, <c>kubectl get -o json</c> and kubectl tables
/// (<see cref="PastedTables"/>) into objects, <c>kubectl logs</c> into a
/// log, <c>cat FILE</c> into that file of its origin, any other command (<c>dmesg</c>, <c>conntrack -S</c>) into a
/// command output of its origin. The same facts then follow as from the structured form. Each output gets a
/// <c>collection</c> note saying what it was read as. Commands are only read, never run.
/// </summary>
public static class PastedOutputs
{
    /// <summary>Pasted <c>kubectl get -o json</c> is parsed only up to this size; larger belongs in <c>snapshot.objects</c>.</summary>
    public const int MaxJsonCharacters = 4 << 20;

    public static (DiagnosisRequest Request, IReadOnlyList<CollectionEntry> Notes) Expand(DiagnosisRequest request)
    {
        if (request.Snapshot is not { Outputs: { Count: > 0 } outputs } snapshot)
        {
            return (request, []);
        }

        var probes = new List<ProbeArtifact>(snapshot.Probes ?? []);
        var objects = new List<JsonElement>(snapshot.Objects ?? []);
        var logs = new List<LogArtifact>(snapshot.Logs ?? []);
        var files = new List<FileArtifact>(snapshot.Files ?? []);
        var notes = new List<CollectionEntry>();
        var tableObjects = new List<JsonElement>();
        for (var i = 0; i < outputs.Count; i++)
        {
            var output = outputs[i];
            var source = $"snapshot.outputs[{i}]";
            var text = output.Text ?? "";
            var (command, from) = (output.Command, output.From);
            var words = (command ?? "").Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (ExecTarget(words) is { } exec)
            {
                // kubectl exec -n NS POD -- CMD: the command ran in that pod (the hypotheses' checks are written so).
                (command, words) = (string.Join(' ', exec.Command), exec.Command);
                from ??= exec.From;
            }

            var origin = from is not null ? RequestValidator.Origin.TryParse(from) : null;
            var tool = words.FirstOrDefault()?.Split('/').Last();
            void Note(CollectionStatus status, string detail) => notes.Add(new CollectionEntry(source, status, detail));

            if (tool is "dig" or "nslookup" || (tool is null && LooksLikeDnsTool(text)))
            {
                var lookups = DnsToolOutput.Parse(text, command);
                foreach (var lookup in lookups)
                {
                    lookup.Probe.From = from ?? "pasted";
                    probes.Add(lookup.Probe);
                }

                Note(lookups.Count > 0 ? CollectionStatus.Ok : CollectionStatus.Partial,
                    lookups.Count > 0 ? $"{lookups.Count} DNS lookup(s) read from {ToolName(lookups[0].Tool)} output" : "no lookup result found in the output");
            }
            else if (tool is "ping" or "ping6" || (tool == "busybox" && words.ElementAtOrDefault(1) == "ping") || (tool is null && PingOutput.LooksLikePing(text)))
            {
                var runs = PingOutput.Parse(text, command);
                foreach (var run in runs.Where(r => r.Probe is not null))
                {
                    run.Probe!.From = from ?? "pasted";
                    probes.Add(run.Probe);
                }

                Note(runs.Any(r => r.Probe is not null) ? CollectionStatus.Ok
                        : runs.Any(r => r.Problem is PingProblem.NotPermitted or PingProblem.NameNotResolved) ? CollectionStatus.Skipped
                        : CollectionStatus.Partial,
                    runs.Count > 0 ? string.Join("; ", runs.Select(r => r.Summary)) : "no ping run found in the output");
            }
            else if ((tool == "kubectl" && words.Contains("get") && (words.Contains("json") || words.Contains("-ojson") || words.Contains("--output=json")))
                     || (tool is null && text.TrimStart().StartsWith('{') && text.Contains("\"kind\"", StringComparison.Ordinal)))
            {
                if (text.Length > MaxJsonCharacters)
                {
                    Note(CollectionStatus.Failed, $"kubectl JSON over {MaxJsonCharacters} characters: send it in snapshot.objects");
                    continue;
                }

                try
                {
                    using var document = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = 64 });
                    objects.Add(document.RootElement.Clone());
                    Note(CollectionStatus.Ok, "read as Kubernetes objects");
                }
                catch (JsonException ex)
                {
                    Note(CollectionStatus.Failed, $"not valid JSON (line {ex.LineNumber + 1}): paste the whole output of kubectl get -o json");
                }
            }
            else if (((tool == "kubectl" && (words.Contains("get") || words.Contains("top"))) || tool is null)
                     && PastedTables.Read(words, text, request.Target) is { } table)
            {
                // Before the snapshot's own objects, so that the JSON form of the same object, when also sent, wins.
                tableObjects.AddRange(table.Objects);
                Note(table.Status, table.Note);
            }
            else if (tool == "kubectl" && (words.Contains("get") || words.Contains("top")) && text.TrimStart().StartsWith("No resources found", StringComparison.Ordinal))
            {
                Note(CollectionStatus.Ok, "kubectl found no such objects");
            }
            else if (tool == "kubectl" && words.Contains("logs"))
            {
                var (ns, pod, container) = LogsTarget(words);
                if (pod is null || !RequestValidator.IsDnsSubdomain(pod) || (ns is not null && !RequestValidator.IsDnsLabel(ns)))
                {
                    Note(CollectionStatus.Failed, "kubectl logs without a valid pod name in the command: cannot tell whose log it is");
                    continue;
                }

                logs.Add(new LogArtifact { Namespace = ns ?? origin?.Namespace ?? "default", Pod = pod, Container = container, Text = text });
                Note(CollectionStatus.Ok, $"read as the log of pod {ns ?? "default"}/{pod}");
            }
            else if (origin is null)
            {
                Note(CollectionStatus.Skipped, "not read: say where it ran ('from': 'namespace/pod' or 'node/NAME')");
            }
            else if (tool == "cat" && words.Length == 2 && words[1].StartsWith('/'))
            {
                files.Add(new FileArtifact { Namespace = origin.Namespace, Pod = origin.Pod, Node = origin.Node, Path = words[1], Text = text });
                Note(CollectionStatus.Ok, $"read as {words[1]} of {from}");
            }
            else if (command is null && text.Contains("nameserver ", StringComparison.Ordinal))
            {
                files.Add(new FileArtifact { Namespace = origin.Namespace, Pod = origin.Pod, Node = origin.Node, Path = "/etc/resolv.conf", Text = text });
                Note(CollectionStatus.Ok, $"read as /etc/resolv.conf of {from}");
            }
            else
            {
                files.Add(new FileArtifact { Namespace = origin.Namespace, Pod = origin.Pod, Node = origin.Node, Command = command ?? "unknown", Text = text });
                Note(CollectionStatus.Ok, $"kept as the output of a command run on {from}");
            }
        }

        var expanded = new Snapshot { Objects = [.. tableObjects, .. objects], Logs = logs, Files = files, Probes = probes };
        return (new DiagnosisRequest
        {
            Target = request.Target, Domain = request.Domain, Symptom = request.Symptom, Options = request.Options, CallbackUrl = request.CallbackUrl,
            Snapshot = expanded,
        }, notes);
    }

    private static string ToolName(DnsTool tool) => tool == DnsTool.Dig ? "dig" : "nslookup";

    private static bool LooksLikeDnsTool(string text) =>
        text.Contains("<<>> DiG", StringComparison.Ordinal) || text.Contains("** server can't find", StringComparison.Ordinal)
        || text.Contains("no servers could be reached", StringComparison.Ordinal)
        || (text.StartsWith("Server:", StringComparison.Ordinal) && text.Contains("Address", StringComparison.Ordinal));

    /// <summary>Flags of <c>kubectl exec</c> and <c>kubectl debug</c> whose value is the next word (when not given with <c>=</c>).</summary>
    private static readonly HashSet<string> ValueFlags = new(StringComparer.Ordinal)
    {
        "-n", "--namespace", "-c", "--container", "--image", "--target", "--profile", "--copy-to", "--image-pull-policy", "--env",
    };

    /// <summary>
    /// <c>kubectl exec [-n NS] POD [-c C] -- CMD...</c>, or <c>kubectl debug [-n NS] POD -i --image=I --target=C -- CMD...</c>
    /// (an ephemeral container in the pod's network namespace: how a command runs "from CoreDNS", whose image has no
    /// shell): the namespace (<c>default</c> when not given), the pod and the command run in it; <c>kubectl debug
    /// node/NAME</c> runs on that node. Null for any other command. Only the names are taken, and only when they are valid.
    /// </summary>
    public static (string? From, string[] Command)? ExecTarget(string[] words)
    {
        var verb = Array.FindIndex(words, w => w is "exec" or "debug");
        var dashes = Array.IndexOf(words, "--");
        if (words.FirstOrDefault()?.Split('/').Last() != "kubectl" || verb < 0 || dashes <= verb || dashes == words.Length - 1)
        {
            return null;
        }

        string? ns = null, pod = null;
        for (var i = 1; i < dashes; i++)
        {
            var word = words[i];
            if (ValueFlags.Contains(word) && i + 1 < dashes)
            {
                ns = word is "-n" or "--namespace" ? words[i + 1] : ns;
                i++;
            }
            else if (word.StartsWith("--namespace=", StringComparison.Ordinal))
            {
                ns = word["--namespace=".Length..];
            }
            else if (i > verb && !word.StartsWith('-') && pod is null)
            {
                pod = word.StartsWith("pod/", StringComparison.Ordinal) ? word[4..] : word;
            }
        }

        var command = words[(dashes + 1)..];
        if (words[verb] == "debug" && pod is not null && pod.StartsWith("node/", StringComparison.Ordinal))
        {
            var node = pod["node/".Length..];
            return (RequestValidator.IsDnsSubdomain(node) ? pod : null, command);
        }

        ns ??= "default";
        var valid = pod is not null && RequestValidator.IsDnsSubdomain(pod) && RequestValidator.IsDnsLabel(ns);
        return (valid ? $"{ns}/{pod}" : null, command);
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
            else if (Value("--tail") is not null || Value("--since") is not null)
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
