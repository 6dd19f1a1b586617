using System.Text.Json;
using DnsExpert.Core.Classification;
using DnsExpert.Core.Contract;
using DnsExpert.Core.Facts;
using k8s;
using k8s.Models;

namespace DnsExpert.Core.Building;

/// <summary>The state of one snapshot-to-facts build: the objects indexed by kind and key, the facts made so far.</summary>
internal sealed partial class BuildContext(DiagnosisRequest request)
{
    public const string KubeSystem = "kube-system";
    public const string DefaultClusterDomain = "cluster.local";
    public const string DefaultNodeLocalIp = "169.254.20.10";

    private readonly Snapshot _snapshot = request.Snapshot ?? new Snapshot();

    public List<object> Facts { get; } = [];
    public List<CollectionEntry> Collection { get; } = [];

    public Dictionary<string, V1Pod> Pods { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, V1Service> Services { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, V1Endpoints> Endpoints { get; } = new(StringComparer.Ordinal);
    public List<V1EndpointSlice> EndpointSlices { get; } = [];
    public Dictionary<string, V1ConfigMap> ConfigMaps { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, V1Deployment> Deployments { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, V1DaemonSet> DaemonSets { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, V1StatefulSet> StatefulSets { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, V1Node> Nodes { get; } = new(StringComparer.Ordinal);
    public List<V1NetworkPolicy> NetworkPolicies { get; } = [];
    public Dictionary<string, PodMetrics> PodMetrics { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, NodeMetrics> NodeMetrics { get; } = new(StringComparer.Ordinal);

    public string? TargetNamespace => request.Target?.Pod is null ? null : request.Target.Namespace ?? "default";
    public string? TargetPod => request.Target?.Pod;
    public string ClusterDomain { get; set; } = DefaultClusterDomain;

    public static string Key(string? ns, string? name) => $"{ns ?? "default"}/{name}";

    /// <summary>The failing name as asked, lower-case, without a trailing dot; null when the request names none.</summary>
    public string? FailingName { get; } = string.IsNullOrWhiteSpace(request.Domain) ? null : request.Domain.Trim().TrimEnd('.').ToLowerInvariant();

    /// <summary>Is <paramref name="name"/> the failing name, or the failing name with a search suffix appended?</summary>
    public bool IsFailingName(string? name)
    {
        if (FailingName is null || string.IsNullOrEmpty(name))
        {
            return false;
        }

        var n = name.TrimEnd('.').ToLowerInvariant();
        return n == FailingName || n.StartsWith(FailingName + ".", StringComparison.Ordinal);
    }

    public bool IsTargetPod(string? ns, string? pod) => TargetPod is not null && pod == TargetPod && (ns ?? "default") == TargetNamespace;

    public void Run()
    {
        ReadObjects();
        BuildSymptom();
        BuildParsedFacts();
        BuildTargetPod();
        BuildSearchLine();
        BuildCoreDns();
        BuildNodes();
        BuildCloud();
        BuildCoreDnsPlacement();
        BuildServices();
        BuildStatefulSets();
        BuildKubeProxy();
        BuildNetworkPolicies();
        BuildProbes();
        BuildNodeFiles();
        BuildEvents();
        BuildQueriedName();
        BuildServiceNameLookups();
        Collection.Insert(0, SnapshotSummary());
    }

    private CollectionEntry SnapshotSummary()
    {
        var counts = new[]
        {
            ("pod", Pods.Count), ("service", Services.Count), ("configmap", ConfigMaps.Count), ("node", Nodes.Count), ("event", _events.Count),
            ("log", _snapshot.Logs?.Count ?? 0), ("file", _snapshot.Files?.Count ?? 0), ("probe", _snapshot.Probes?.Count ?? 0),
        };
        var detail = string.Join(", ", counts.Where(c => c.Item2 > 0).Select(c => c.Item2 == 1 ? $"1 {c.Item1}" : $"{c.Item2} {c.Item1}s"));
        return new CollectionEntry("snapshot", CollectionStatus.Ok, detail.Length == 0 ? "empty snapshot" : detail);
    }

    private void ReadObjects()
    {
        if (_snapshot.Objects is null)
        {
            return;
        }

        var unknown = new Dictionary<string, int>(StringComparer.Ordinal);
        var broken = new List<string>();
        var misnamed = new List<string>();
        for (var i = 0; i < _snapshot.Objects.Count; i++)
        {
            ReadObject(_snapshot.Objects[i], $"snapshot.objects[{i}]", null, unknown, broken, misnamed);
        }

        if (unknown.Count > 0)
        {
            Collection.Add(new CollectionEntry("snapshot.objects", CollectionStatus.Partial,
                "ignored objects of kinds DnsExpert does not read: " + string.Join(", ", unknown.OrderBy(u => u.Key, StringComparer.Ordinal).Select(u => $"{u.Key} ({u.Value})"))));
        }

        if (broken.Count > 0)
        {
            Collection.Add(new CollectionEntry("snapshot.objects", CollectionStatus.Partial,
                $"could not read {broken.Count} object(s): " + string.Join("; ", broken.Take(5))));
        }

        if (misnamed.Count > 0)
        {
            // The names themselves are not repeated: they are what a hostile snapshot would want shown.
            Collection.Add(new CollectionEntry("snapshot.objects", CollectionStatus.Partial,
                $"skipped {misnamed.Count} object(s) whose metadata.name or metadata.namespace Kubernetes would not accept (RFC 1123): " + string.Join("; ", misnamed.Take(5))));
        }
    }

    /// <summary>The kinds read into facts; their names reach findings and commands, so they are checked first.</summary>
    private static readonly HashSet<string> ReadKinds = new(StringComparer.Ordinal)
    {
        "Pod", "Service", "Endpoints", "EndpointSlice", "ConfigMap", "Deployment", "DaemonSet", "StatefulSet", "Node", "NetworkPolicy", "PodMetrics", "NodeMetrics", "Event",
    };

    /// <summary>
    /// Does the object carry a name or namespace Kubernetes itself would refuse? Namespaces and Service names are
    /// RFC 1123 labels, other names RFC 1123 subdomains, as the API server validates them.
    /// </summary>
    private static bool HasInvalidName(JsonElement element, string kind)
    {
        if (!element.TryGetProperty("metadata", out var metadata) || metadata.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        if (metadata.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String
            && !(kind == "Service" ? RequestValidator.IsDnsLabel(name.GetString()!) : RequestValidator.IsDnsSubdomain(name.GetString()!)))
        {
            return true;
        }

        return metadata.TryGetProperty("namespace", out var ns) && ns.ValueKind == JsonValueKind.String && !RequestValidator.IsDnsLabel(ns.GetString()!);
    }

    private void ReadObject(JsonElement element, string path, string? listItemKind, Dictionary<string, int> unknown, List<string> broken, List<string> misnamed)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            broken.Add($"{path}: not a JSON object");
            return;
        }

        var kind = element.TryGetProperty("kind", out var k) && k.ValueKind == JsonValueKind.String ? k.GetString() : listItemKind;
        if (string.IsNullOrEmpty(kind))
        {
            broken.Add($"{path}: no 'kind'");
            return;
        }

        if (kind.EndsWith("List", StringComparison.Ordinal) && element.TryGetProperty("items", out var items) && items.ValueKind == JsonValueKind.Array)
        {
            // `kubectl get -o json` prints a v1 List whose items carry their kind; typed lists (PodList) omit it.
            var itemKind = kind == "List" ? null : kind[..^"List".Length];
            var i = 0;
            foreach (var item in items.EnumerateArray())
            {
                ReadObject(item, $"{path}.items[{i++}]", itemKind, unknown, broken, misnamed);
            }

            return;
        }

        if (ReadKinds.Contains(kind) && HasInvalidName(element, kind))
        {
            misnamed.Add($"{path} ({kind})");
            return;
        }

        try
        {
            // Straight from the parsed element: no string copy of each object.
            var json = element;
            switch (kind)
            {
                case "Pod": Add(Pods, KubernetesJson.Deserialize<V1Pod>(json)); break;
                case "Service": Add(Services, KubernetesJson.Deserialize<V1Service>(json)); break;
                case "Endpoints": Add(Endpoints, KubernetesJson.Deserialize<V1Endpoints>(json)); break;
                case "EndpointSlice": EndpointSlices.Add(KubernetesJson.Deserialize<V1EndpointSlice>(json)); break;
                case "ConfigMap": Add(ConfigMaps, KubernetesJson.Deserialize<V1ConfigMap>(json)); break;
                case "Deployment": Add(Deployments, KubernetesJson.Deserialize<V1Deployment>(json)); break;
                case "DaemonSet": Add(DaemonSets, KubernetesJson.Deserialize<V1DaemonSet>(json)); break;
                case "StatefulSet": Add(StatefulSets, KubernetesJson.Deserialize<V1StatefulSet>(json)); break;
                case "Node":
                    var node = KubernetesJson.Deserialize<V1Node>(json);
                    Nodes[node.Metadata?.Name ?? ""] = node;
                    break;
                case "NetworkPolicy": NetworkPolicies.Add(KubernetesJson.Deserialize<V1NetworkPolicy>(json)); break;
                case "Event": ReadEvent(json); break;
                case "PodMetrics":
                    var pm = KubernetesJson.Deserialize<PodMetrics>(json);
                    PodMetrics[Key(pm.Metadata?.NamespaceProperty, pm.Metadata?.Name)] = pm;
                    break;
                case "NodeMetrics":
                    var nm = KubernetesJson.Deserialize<NodeMetrics>(json);
                    NodeMetrics[nm.Metadata?.Name ?? ""] = nm;
                    break;
                default:
                    unknown[kind] = unknown.GetValueOrDefault(kind) + 1;
                    break;
            }
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException or ArgumentException or OverflowException)
        {
            broken.Add($"{path} ({kind}): {ex.Message}");
        }
    }

    private static void Add<T>(Dictionary<string, T> index, T item)
        where T : IKubernetesObject<V1ObjectMeta>
    {
        index[Key(item.Metadata?.NamespaceProperty, item.Metadata?.Name)] = item;
    }

    private void BuildSymptom()
    {
        var symptom = request.Symptom;
        var classification = SymptomClassifier.Classify(symptom?.ErrorMessage);
        Facts.Add(new ReportedSymptom
        {
            Source = "request.symptom",
            Class = classification.Class.Name(),
            Frequency = symptom?.Frequency is { } f ? FrequencyName(f) : "unknown",
            ErrorMessage = string.IsNullOrWhiteSpace(symptom?.ErrorMessage) ? null : symptom.ErrorMessage,
            Client = classification.Client,
            FailureReported = !string.IsNullOrWhiteSpace(symptom?.ErrorMessage) || symptom?.Frequency is not null || !string.IsNullOrWhiteSpace(request.Domain),
        });
    }

    public static string FrequencyName(Frequency f) => f.ToString().ToLowerInvariant();
}
