using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using DnsExpert.Contract;
using DnsExpert.Readers.Collection;

namespace DnsExpert.Collectors.Dump;

/// <summary>
/// Reads the output directory of <c>kubectl cluster-info dump --all-namespaces --output-directory DIR</c>:
/// <c>nodes.json</c>, per namespace <c>pods.json</c>, <c>services.json</c>, <c>deployments.json</c> ... (typed v1 Lists),
/// and <c>&lt;namespace&gt;/&lt;pod&gt;/logs.txt</c> with one section per container. Secrets are never read.
/// </summary>
public static partial class ClusterInfoDump
{
    /// <summary>Files of a dump that DnsExpert does not need; secrets.json must never be read into a snapshot (events.json is read: kubelet and the scheduler say why there).</summary>
    private static readonly HashSet<string> Skipped = new(StringComparer.OrdinalIgnoreCase) { "secrets.json", "pvcs.json" };

    public static CollectedSnapshot Read(string directory)
    {
        var collection = new List<CollectionEntry>();
        var objects = new List<JsonElement>();
        var logs = new List<LogArtifact>();
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"{directory}: no such directory (expected the output of kubectl cluster-info dump --output-directory)");
        }

        var files = Directory.EnumerateFiles(directory, "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        foreach (var file in files.Where(f => !Skipped.Contains(Path.GetFileName(f))))
        {
            var relative = Path.GetRelativePath(directory, file);
            try
            {
                using var document = JsonDocument.Parse(File.ReadAllBytes(file), new JsonDocumentOptions { MaxDepth = 64 });
                objects.Add(document.RootElement.Clone());
            }
            catch (JsonException ex)
            {
                collection.Add(new CollectionEntry($"dump {relative}", CollectionStatus.Failed, $"not JSON: {ex.Message}"));
            }
        }

        foreach (var file in Directory.EnumerateFiles(directory, "logs.txt", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var parts = Path.GetRelativePath(directory, file).Split(Path.DirectorySeparatorChar);
            if (parts.Length != 3)
            {
                continue;
            }

            logs.AddRange(SplitContainers(parts[0], parts[1], File.ReadLines(file)));
        }

        collection.Insert(0, new CollectionEntry($"cluster-info dump {directory}", CollectionStatus.Ok, $"{objects.Count} object list(s), {logs.Count} container log(s)"));
        if (!files.Any(f => Path.GetFileName(f).Equals("configmaps.json", StringComparison.OrdinalIgnoreCase)))
        {
            collection.Add(new CollectionEntry("ConfigMap kube-system/coredns", CollectionStatus.Skipped,
                "cluster-info dump does not include ConfigMaps; add it with: kubectl -n kube-system get configmap coredns kube-proxy -o json > DIR/kube-system/configmaps.json"));
        }

        return new CollectedSnapshot(new Snapshot { Objects = objects, Logs = logs }, collection);
    }

    /// <summary>
    /// A dump's logs.txt holds every container of the pod, each between START and END markers (kubectl writes the END
    /// marker right after the log, so a log without a final newline ends on the marker's line). Text outside a section
    /// (kubectl's own request errors) is no container's log.
    /// </summary>
    private static IEnumerable<LogArtifact> SplitContainers(string ns, string pod, IEnumerable<string> lines)
    {
        string? container = null;
        var text = new StringBuilder();
        foreach (var line in lines)
        {
            if (StartMarker().Match(line) is { Success: true } start)
            {
                container = start.Groups[1].Value;
                text.Clear();
                continue;
            }

            if (container is null)
            {
                continue;
            }

            var end = line.IndexOf(EndMarker, StringComparison.Ordinal);
            if (end >= 0)
            {
                if (end > 0)
                {
                    text.AppendLine(line[..end]);
                }

                yield return new LogArtifact { Namespace = ns, Pod = pod, Container = container, Text = text.ToString() };
                container = null;
                text.Clear();
                continue;
            }

            text.AppendLine(line);
        }

        if (container is not null)
        {
            // A section cut short (the dump was interrupted): what was written is still that container's log.
            yield return new LogArtifact { Namespace = ns, Pod = pod, Container = container, Text = text.ToString() };
        }
    }

    private const string EndMarker = "==== END logs for container ";

    [GeneratedRegex(@"^==== START logs for container (\S+) of pod \S+ ====$", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking)]
    private static partial Regex StartMarker();
}
