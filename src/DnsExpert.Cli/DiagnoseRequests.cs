using System.Text.Json;
using DnsExpert.Collectors.Dump;
using DnsExpert.Contract;
using DnsExpert.Diagnosis.FactBuilding;
using DnsExpert.Readers.Collection;

namespace DnsExpert.Cli;

/// <summary>
/// The request <c>dnsexpert diagnose</c>'s arguments make: read from a request file, or built from the symptom, a dump or
/// a live cluster (with the collector that fills its snapshot), with the <c>--add</c> outputs appended; then checked as
/// the service checks a body. Every problem is a line for standard error, naming the file or option at fault.
/// </summary>
internal static class DiagnoseRequests
{
    /// <summary>The service's own limits: a request file the CLI accepts is one the API accepts.</summary>
    public static readonly RequestLimits Limits = new();

    /// <summary>The service's own reading rules.</summary>
    private static readonly JsonSerializerOptions ReadJson = RequestJson.CreateOptions(Limits, maxDepth: 64);

    /// <summary>A request ready to diagnose: where it came from (to name it in problems) and the collector of its snapshot, if any.</summary>
    public sealed record Built(DiagnosisRequest Request, string Origin, ILiveSnapshotCollector? Collector);

    /// <summary>
    /// The request of <paramref name="args"/>, or the problems that stop it (one line each); long logs of a request file
    /// are scanned by <paramref name="logScans"/> as it is read, and live collection reports its progress on <paramref name="progress"/>.
    /// </summary>
    public static async Task<(Built? Request, IReadOnlyList<string> Problems)> BuildAsync(
        DiagnoseArguments args, LogScanScheduler logScans, TextReader input, TextWriter progress, bool progressIsTerminal, CancellationToken cancellationToken)
    {
        var (body, origin, collector, problem) = await FromSourceAsync(args, logScans, progress, progressIsTerminal, cancellationToken);
        if (problem is not null)
        {
            return (null, [problem]);
        }

        if (args.Add is { Length: > 0 } pasted)
        {
            var where = args.From ?? (body!.Target is { Pod: { } targetPod } t ? $"{t.Namespace ?? "default"}/{targetPod}" : null);
            var (evidence, unreadable) = await ReadPasted(pasted, input, args.Command, where, cancellationToken);
            if (unreadable is not null)
            {
                return (null, [unreadable]);
            }

            // Named as the command line names them: the request file's own outputs by index, each added one by its --add.
            body = evidence!.AppendTo(body!, i => $"snapshot.outputs[{i}]", i => $"--add {pasted[i]}");
        }

        var problems = RequestValidator.Validate(body!, Limits);
        return problems.Count > 0
            ? (null, [.. problems.Select(p => $"{origin}: {p.Key}: {string.Join("; ", p.Value)}")])
            : (new Built(body!, origin, collector), []);
    }

    /// <summary>The request before the <c>--add</c> outputs: a file's, the symptom's, or a dump's or live cluster's (with its collector).</summary>
    private static async Task<(DiagnosisRequest? Body, string Origin, ILiveSnapshotCollector? Collector, string? Problem)> FromSourceAsync(
        DiagnoseArguments args, LogScanScheduler logScans, TextWriter progress, bool progressIsTerminal, CancellationToken cancellationToken)
    {
        if (args.Request is { } file)
        {
            var (read, problem) = await ReadRequest(file, logScans, cancellationToken);
            return (read, file.FullName, null, problem);
        }

        var symptom = new Symptom { ErrorMessage = args.Error, Frequency = ParseFrequency(args.Frequency) };
        if (args.FromSymptom)
        {
            // Offline, from what the user has: the symptom, and the output of checks already run (--add).
            return (new DiagnosisRequest { Target = args.Pod is { } p ? ParseTarget(p, args.Namespace) : null, Domain = args.Domain, Symptom = symptom },
                "symptom", null, null);
        }

        ILiveSnapshotCollector collector;
        string origin;
        string? contextNamespace = null;
        if (args.Dump is { } directory)
        {
            origin = directory.FullName;
            if (!directory.Exists)
            {
                return (null, origin, null, $"{origin}: no such directory (expected the output of kubectl cluster-info dump --output-directory)");
            }

            collector = new DumpSnapshotCollector(directory.FullName);
        }
        else
        {
            origin = "live cluster";
            try
            {
                (collector, contextNamespace) = LiveCollector(args.Kubeconfig, args.Context, progress, progressIsTerminal);
            }
            catch (Exception ex) when (ex is k8s.Exceptions.KubeConfigException or FileNotFoundException or IOException)
            {
                return (null, origin, null, $"cannot use the kubeconfig: {ex.Message}");
            }
        }

        var body = new DiagnosisRequest
        {
            Target = args.Pod is { } pod ? ParseTarget(pod, args.Namespace ?? contextNamespace) : null,
            Domain = args.Domain,
            Symptom = symptom,
            Options = new DiagnosisOptions { Probe = !args.NoProbe },
        };
        return (body, origin, collector, null);
    }

    private static async Task<(DiagnosisRequest? Request, string? Problem)> ReadRequest(FileInfo file, LogScanScheduler logScans, CancellationToken cancellationToken)
    {
        try
        {
            await using var stream = file.OpenRead();
            var body = await logScans.ReadAsync<DiagnosisRequest>(stream, ReadJson, Limits, cancellationToken);
            return body is null ? (null, $"{file.FullName}: the file holds no JSON object") : (body, null);
        }
        catch (JsonException ex)
        {
            var path = ex.Path is { } p && p.StartsWith("$.", StringComparison.Ordinal) ? p[2..] : ex.Path;
            return (null, $"{file.FullName}:{(ex.LineNumber ?? 0) + 1}: {path}: invalid JSON or wrong type ({FirstSentence(ex.Message)})");
        }
        catch (RequestLimitException ex)
        {
            return (null, $"{file.FullName}: {ex.Field}: {ex.Message}");
        }
        catch (IOException ex)
        {
            return (null, $"{file.FullName}: cannot read: {ex.Message}");
        }
    }

    /// <summary>The <c>--add</c> files (and standard input for <c>-</c>) as evidence; the first problem stops the reading.</summary>
    private static async Task<(EvidenceRequest? Evidence, string? Problem)> ReadPasted(
        string[] files, TextReader input, string? command, string? from, CancellationToken cancellationToken)
    {
        if (files.Length > Limits.MaxOutputs)
        {
            return (null, $"--add: {files.Length} outputs; at most {Limits.MaxOutputs} are accepted");
        }

        var outputs = new List<CommandOutput>();
        foreach (var file in files)
        {
            try
            {
                using var reader = file == "-" ? null : new StreamReader(file);
                var (output, problem) = await PastedOutputFile.ReadAsync(reader ?? input, file == "-" ? "standard input" : file, command, from, cancellationToken);
                if (output is null)
                {
                    return (null, problem);
                }

                outputs.Add(output);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return (null, $"{file}: cannot read: {ex.Message}");
            }
        }

        return (new EvidenceRequest { Outputs = outputs }, null);
    }

    /// <summary>The live collector for the kubeconfig's context, and that context's namespace (kubectl's default for a pod NAME).</summary>
    private static (ProgressCollector Collector, string? Namespace) LiveCollector(FileInfo? kubeconfig, string? context, TextWriter progress, bool live)
    {
        var config = k8s.KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig?.FullName, context);
        var options = Microsoft.Extensions.Options.Options.Create(new Collectors.Kubernetes.ClusterOptions { Enabled = true });
        var prober = new Collectors.Probes.DnsProber(Microsoft.Extensions.Options.Options.Create(new Collectors.Probes.ProbeOptions()), TimeProvider.System);
        var inner = new Collectors.Kubernetes.KubernetesSnapshotCollector(new k8s.Kubernetes(config), options, TimeProvider.System, prober: prober);
        return (new ProgressCollector(inner, config.Host ?? "the cluster", progress, live), config.Namespace);
    }

    /// <summary>Says what is being collected and how each source went, for a person waiting at a terminal.</summary>
    private sealed class ProgressCollector(ILiveSnapshotCollector inner, string cluster, TextWriter progress, bool live) : ILiveSnapshotCollector
    {
        public async Task<CollectedSnapshot> CollectAsync(TargetRef? target, string? domain, bool probe, CancellationToken cancellationToken)
        {
            await progress.WriteLineAsync($"collecting from {cluster} ...");
            var collecting = inner.CollectAsync(target, domain, probe, cancellationToken);
            if (live)
            {
                // A ticking line on a terminal while the collectors (and probes) run; erased when they are done.
                var started = System.Diagnostics.Stopwatch.StartNew();
                while (await Task.WhenAny(collecting, Task.Delay(250, CancellationToken.None)) != collecting)
                {
                    await progress.WriteAsync($"\r  {"|/-\\"[(int)(started.ElapsedMilliseconds / 250) % 4]} reading pods, CoreDNS, logs, nodes{(probe ? " and probing DNS" : "")} ... {started.Elapsed.TotalSeconds:0}s");
                }

                await progress.WriteAsync("\r\u001b[K");
            }

            var collected = await collecting;
            foreach (var entry in collected.Collection)
            {
                var mark = entry.Status == CollectionStatus.Ok ? "ok" : entry.Status.ToString().ToLowerInvariant();
                await progress.WriteLineAsync($"  {mark,-9} {entry.Source}{(entry.DurationMs is { } ms ? $" ({ms:0} ms)" : "")}{(entry.Status == CollectionStatus.Ok ? "" : ": " + entry.Detail)}");
            }

            return collected;
        }
    }

    /// <summary>A pod as NAMESPACE/NAME, or NAME in <paramref name="ns"/> (kubectl's <c>-n</c>, or the context's), else in <c>default</c>.</summary>
    private static TargetRef ParseTarget(string value, string? ns)
    {
        var slash = value.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? new TargetRef { Namespace = ns ?? "default", Pod = value } : new TargetRef { Namespace = value[..slash], Pod = value[(slash + 1)..] };
    }

    private static Frequency? ParseFrequency(string? value) => value switch
    {
        "always" => Frequency.Always,
        "peak" => Frequency.Peak,
        "often" => Frequency.Often,
        "rarely" => Frequency.Rarely,
        "scaling" => Frequency.Scaling,
        _ => null,
    };

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }
}
