using System.Text.Json;
using DnsExpert.Contract;
using DnsExpert.Readers.Objects;

namespace DnsExpert.Readers.Building;

/// <summary>
/// The Kubernetes objects of a snapshot, read once into the readers' slim models (<see cref="ModelJson"/>) and indexed by kind and
/// <c>namespace/name</c>; never changed afterwards. Every producer reads the objects it needs from here.
/// </summary>
internal sealed class SnapshotObjects
{
    public const string KubeSystem = "kube-system";

    private readonly Dictionary<string, Pod> _pods = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Service> _services = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Endpoints> _endpoints = new(StringComparer.Ordinal);
    private readonly List<EndpointSlice> _endpointSlices = [];
    private readonly Dictionary<string, ConfigMap> _configMaps = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Deployment> _deployments = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DaemonSet> _daemonSets = new(StringComparer.Ordinal);
    private readonly Dictionary<string, StatefulSet> _statefulSets = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Node> _nodes = new(StringComparer.Ordinal);
    private readonly List<NetworkPolicy> _networkPolicies = [];
    private readonly Dictionary<string, Namespace> _namespaces = new(StringComparer.Ordinal);
    private readonly List<ForeignPolicy> _foreignPolicies = [];
    private readonly Dictionary<string, PodMetrics> _podMetrics = new(StringComparer.Ordinal);
    private readonly Dictionary<string, NodeMetrics> _nodeMetrics = new(StringComparer.Ordinal);
    private readonly List<ObjectEvent> _events = [];
    private readonly List<CollectionEntry> _notes = [];

    private SnapshotObjects()
    {
    }

    public IReadOnlyDictionary<string, Pod> Pods => _pods;
    public IReadOnlyDictionary<string, Service> Services => _services;
    public IReadOnlyDictionary<string, ConfigMap> ConfigMaps => _configMaps;
    public IReadOnlyDictionary<string, Deployment> Deployments => _deployments;
    public IReadOnlyDictionary<string, DaemonSet> DaemonSets => _daemonSets;
    public IReadOnlyDictionary<string, StatefulSet> StatefulSets => _statefulSets;

    /// <summary>Nodes by name.</summary>
    public IReadOnlyDictionary<string, Node> Nodes => _nodes;

    public IReadOnlyList<NetworkPolicy> NetworkPolicies => _networkPolicies;

    /// <summary>Namespaces by name, when the snapshot holds Namespace objects (their labels are what namespaceSelectors match).</summary>
    public IReadOnlyDictionary<string, Namespace> Namespaces => _namespaces;

    /// <summary>Calico's and Cilium's own policy kinds: present, read by name only, never evaluated.</summary>
    public IReadOnlyList<ForeignPolicy> ForeignPolicies => _foreignPolicies;

    /// <summary>Pod metrics by <c>namespace/name</c>.</summary>
    public IReadOnlyDictionary<string, PodMetrics> PodMetrics => _podMetrics;

    /// <summary>Node metrics by node name.</summary>
    public IReadOnlyDictionary<string, NodeMetrics> NodeMetrics => _nodeMetrics;

    /// <summary>The Events, core/v1 and events.k8s.io/v1 alike, in the snapshot's order.</summary>
    public IReadOnlyList<ObjectEvent> Events => _events;

    /// <summary>What could not be read: kinds not read, broken objects, names Kubernetes would refuse.</summary>
    public IReadOnlyList<CollectionEntry> Notes => _notes;

    /// <summary>Which Service, pods and ConfigMap are the cluster DNS, whatever the distribution names them.</summary>
    public ClusterDnsIdentity ClusterDns { get; private set; } = null!;

    /// <summary>
    /// The distribution the objects show and what shows it (<see cref="ClusterDistribution.Of"/>), read once per
    /// snapshot: the cluster DNS facts and the cloud's name both need it.
    /// </summary>
    public (string Distribution, string Evidence)? Distribution { get; private set; }

    /// <summary>
    /// The cluster DNS's Corefile as <see cref="Producers.CorefileProducer.Parse(SnapshotObjects)"/> read it, once
    /// parsed (Parsed true; Corefile null when the snapshot has none): parsed once per snapshot, not per reader.
    /// </summary>
    internal (bool Parsed, Parsing.Corefile? Corefile) ParsedCorefile { get; set; }

    /// <summary>The cluster DNS pods ("the CoreDNS pods"), as <see cref="ClusterDns"/> tells them, in the snapshot's order.</summary>
    public IReadOnlyList<Pod> CoreDnsPods => ClusterDns.Pods;

    public static string Key(string? ns, string? name) => $"{ns ?? "default"}/{name}";

    public Service? Service(string? ns, string? name) => _services.GetValueOrDefault(Key(ns, name));

    public Pod? Pod(string? ns, string? name) => _pods.GetValueOrDefault(Key(ns, name));

    /// <summary>Ready and not-ready addresses of a Service, from its EndpointSlices when present, else its Endpoints.</summary>
    public (bool Known, int Ready, int NotReady) CountEndpoints(Service service)
    {
        var ns = service.Metadata?.NamespaceProperty;
        var name = service.Metadata?.Name;
        var slices = _endpointSlices.Where(s => s.Metadata?.NamespaceProperty == ns
            && s.Metadata?.Labels?.TryGetValue("kubernetes.io/service-name", out var svc) == true && svc == name).ToList();
        if (slices.Count > 0)
        {
            var endpoints = slices.SelectMany(s => s.Endpoints ?? []).ToList();
            var ready = endpoints.Where(e => e.Conditions?.Ready ?? true).Sum(e => e.Addresses?.Count ?? 0);
            var total = endpoints.Sum(e => e.Addresses?.Count ?? 0);
            return (true, ready, total - ready);
        }

        if (_endpoints.TryGetValue(Key(ns, name), out var ep))
        {
            var subsets = ep.Subsets ?? [];
            return (true, subsets.Sum(s => s.Addresses?.Count ?? 0), subsets.Sum(s => s.NotReadyAddresses?.Count ?? 0));
        }

        return (false, 0, 0);
    }

    /// <summary>The first <c>collection</c> note: how much of each kind the snapshot holds.</summary>
    public CollectionEntry Summary(Snapshot snapshot, int events)
    {
        var counts = new[]
        {
            ("pod", _pods.Count), ("service", _services.Count), ("configmap", _configMaps.Count), ("node", _nodes.Count), ("event", events),
            ("log", snapshot.Logs?.Count ?? 0), ("file", snapshot.Files?.Count ?? 0), ("probe", snapshot.Probes?.Count ?? 0),
        };
        var detail = string.Join(", ", counts.Where(c => c.Item2 > 0).Select(c => c.Item2 == 1 ? $"1 {c.Item1}" : $"{c.Item2} {c.Item1}s"));
        return new CollectionEntry("snapshot", CollectionStatus.Ok, detail.Length == 0 ? "empty snapshot" : detail);
    }

    public static SnapshotObjects Read(Snapshot snapshot) => Read(snapshot, ParallelFrom);

    /// <summary><see cref="Read(Snapshot)"/>, the objects read on every core from <paramref name="parallelFrom"/> objects on.</summary>
    internal static SnapshotObjects Read(Snapshot snapshot, int parallelFrom)
    {
        var objects = new SnapshotObjects();
        objects.ReadAll(snapshot.Objects ?? [], parallelFrom);
        objects.ClusterDns = ClusterDnsIdentity.Of(objects, ClusterDnsIdentity.Nameservers(snapshot.Files ?? []));
        objects.Distribution = ClusterDistribution.Of(objects);
        return objects;
    }

    /// <summary>From this many objects on, they are deserialized on every core: below it, starting the work costs more than it saves.</summary>
    private const int ParallelFrom = 512;

    private void ReadAll(IList<JsonElement> elements, int parallelFrom)
    {
        var unknown = new Dictionary<string, int>(StringComparer.Ordinal);
        var broken = new List<string>();
        var misnamed = new List<string>();

        // The objects in the snapshot's order, lists opened (a cheap walk), then each read on its own: deserializing is
        // the costly part and depends on nothing else, so a large snapshot's objects are read on every core. They are
        // then kept in the snapshot's order, as one pass keeps them (a later object of a key replaces an earlier one).
        var found = new List<FoundObject>();
        for (var i = 0; i < elements.Count; i++)
        {
            Collect(elements[i], $"snapshot.objects[{i}]", null, null, found);
        }

        var read = new ReadObject[found.Count];
        if (found.Count >= parallelFrom)
        {
            Parallel.For(0, found.Count, i => read[i] = Read(found[i]));
        }
        else
        {
            for (var i = 0; i < found.Count; i++)
            {
                read[i] = Read(found[i]);
            }
        }

        for (var i = 0; i < found.Count; i++)
        {
            Keep(found[i], read[i], unknown, broken, misnamed);
        }

        if (unknown.Count > 0)
        {
            _notes.Add(new CollectionEntry("snapshot.objects", CollectionStatus.Partial,
                "ignored objects of kinds DnsExpert does not read: " + string.Join(", ", unknown.OrderBy(u => u.Key, StringComparer.Ordinal).Select(u => $"{u.Key} ({u.Value})"))));
        }

        if (broken.Count > 0)
        {
            _notes.Add(new CollectionEntry("snapshot.objects", CollectionStatus.Partial,
                $"could not read {broken.Count} object(s): " + string.Join("; ", broken.Take(5))));
        }

        if (misnamed.Count > 0)
        {
            // The names themselves are not repeated: they are what a hostile snapshot would want shown.
            _notes.Add(new CollectionEntry("snapshot.objects", CollectionStatus.Partial,
                $"skipped {misnamed.Count} object(s) whose metadata.name or metadata.namespace Kubernetes would not accept (RFC 1123): " + string.Join("; ", misnamed.Take(5))));
        }
    }

    /// <summary>The kinds read into facts; their names reach findings and commands, so they are checked first.</summary>
    private static readonly HashSet<string> ReadKinds = new(StringComparer.Ordinal)
    {
        "Pod", "Service", "Endpoints", "EndpointSlice", "ConfigMap", "Deployment", "DaemonSet", "StatefulSet", "Node", "NetworkPolicy", "Namespace", "GlobalNetworkPolicy", "CiliumNetworkPolicy", "CiliumClusterwideNetworkPolicy", "PodMetrics", "NodeMetrics", "Event",
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

    /// <summary>An object of the snapshot where it was found, with its kind; or why it is none (<see cref="Error"/>).</summary>
    private readonly record struct FoundObject(JsonElement Element, string Path, string? Kind, string? ApiVersion, string? Error);

    /// <summary>What reading one object gave: the typed object, or what it is instead.</summary>
    private readonly record struct ReadObject(object? Value, ForeignPolicy? Foreign, bool Misnamed, string? Error, System.Runtime.ExceptionServices.ExceptionDispatchInfo? Failure);

    private static void Collect(JsonElement element, string path, string? listItemKind, string? listApiVersion, List<FoundObject> found)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            found.Add(new FoundObject(element, path, null, null, $"{path}: not a JSON object"));
            return;
        }

        var kind = element.TryGetProperty("kind", out var k) && k.ValueKind == JsonValueKind.String ? k.GetString() : listItemKind;
        if (string.IsNullOrEmpty(kind))
        {
            found.Add(new FoundObject(element, path, null, null, $"{path}: no 'kind'"));
            return;
        }

        if (kind.EndsWith("List", StringComparison.Ordinal) && element.TryGetProperty("items", out var items) && items.ValueKind == JsonValueKind.Array)
        {
            // A list's items, each read as an object of the list's kind (`kubectl get -o json` prints a v1 List whose
            // items carry their kind; typed lists, PodList, omit it).
            var itemKind = kind == "List" ? null : kind[..^"List".Length];
            var itemApiVersion = kind == "List" ? null : ApiVersion(element);
            var i = 0;
            foreach (var item in items.EnumerateArray())
            {
                Collect(item, $"{path}.items[{i++}]", itemKind, itemApiVersion, found);
            }

            return;
        }

        found.Add(new FoundObject(element, path, kind, listApiVersion, null));
    }

    /// <summary>One object read on its own (any thread): its typed form, deserialized straight from the parsed element.</summary>
    private static ReadObject Read(FoundObject found)
    {
        if (found is not { Error: null, Kind: { } kind })
        {
            return default;
        }

        var json = found.Element;
        if (ReadKinds.Contains(kind) && HasInvalidName(json, kind))
        {
            return new ReadObject(null, null, true, null, null);
        }

        // Calico names its namespaced kind NetworkPolicy too: the API group tells it from Kubernetes' own.
        if (ForeignPolicy.Read(json, kind, ApiVersion(json) ?? found.ApiVersion) is { } foreign)
        {
            return new ReadObject(null, foreign, false, null, null);
        }

        try
        {
            object? value = kind switch
            {
                "Pod" => ModelJson.Read<Pod>(json),
                "Service" => ModelJson.Read<Service>(json),
                "Endpoints" => ModelJson.Read<Endpoints>(json),
                "EndpointSlice" => ModelJson.Read<EndpointSlice>(json),
                "ConfigMap" => ModelJson.Read<ConfigMap>(json),
                "Deployment" => ModelJson.Read<Deployment>(json),
                "DaemonSet" => ModelJson.Read<DaemonSet>(json),
                "StatefulSet" => ModelJson.Read<StatefulSet>(json),
                "Node" => ModelJson.Read<Node>(json),
                "NetworkPolicy" => ModelJson.Read<NetworkPolicy>(json),
                "Namespace" => ModelJson.Read<Namespace>(json),
                "Event" => ObjectEvent.Read(json),
                "PodMetrics" => ModelJson.Read<PodMetrics>(json),
                "NodeMetrics" => ModelJson.Read<NodeMetrics>(json),
                _ => null,
            };
            return new ReadObject(value, null, false, null, null);
        }
        // NotSupportedException: KubernetesClient's IntOrString converter's answer to a port of neither form (`true`, `{}`).
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException or ArgumentException or OverflowException or NotSupportedException)
        {
            return new ReadObject(null, null, false, $"{found.Path} ({kind}): {ex.Message}", null);
        }
        catch (Exception ex)
        {
            // Thrown where the object is kept, in the snapshot's order, as one pass would have thrown it.
            return new ReadObject(null, null, false, null, System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex));
        }
    }

    /// <summary>One object read kept in its index, or counted as what it is instead.</summary>
    private void Keep(FoundObject found, ReadObject read, Dictionary<string, int> unknown, List<string> broken, List<string> misnamed)
    {
        read.Failure?.Throw();
        if (found.Error is { } error)
        {
            broken.Add(error);
            return;
        }

        var kind = found.Kind!;
        switch (read)
        {
            case { Misnamed: true }:
                misnamed.Add($"{found.Path} ({kind})");
                return;
            case { Foreign: { } foreign }:
                _foreignPolicies.Add(foreign);
                return;
            case { Error: { } message }:
                broken.Add(message);
                return;
        }

        switch (read.Value)
        {
            case Pod pod: Add(_pods, pod.Metadata, pod); break;
            case Service service: Add(_services, service.Metadata, service); break;
            case Endpoints endpoints: Add(_endpoints, endpoints.Metadata, endpoints); break;
            case EndpointSlice slice: _endpointSlices.Add(slice); break;
            case ConfigMap configMap: Add(_configMaps, configMap.Metadata, configMap); break;
            case Deployment deployment: Add(_deployments, deployment.Metadata, deployment); break;
            case DaemonSet daemonSet: Add(_daemonSets, daemonSet.Metadata, daemonSet); break;
            case StatefulSet statefulSet: Add(_statefulSets, statefulSet.Metadata, statefulSet); break;
            case Node node: _nodes[node.Metadata?.Name ?? ""] = node; break;
            case NetworkPolicy policy: _networkPolicies.Add(policy); break;
            case Namespace namespaceObject: _namespaces[namespaceObject.Metadata?.Name ?? ""] = namespaceObject; break;
            case ObjectEvent objectEvent: _events.Add(objectEvent); break;
            case PodMetrics pm: _podMetrics[Key(pm.Metadata?.NamespaceProperty, pm.Metadata?.Name)] = pm; break;
            case NodeMetrics nm: _nodeMetrics[nm.Metadata?.Name ?? ""] = nm; break;
            default: unknown[kind] = unknown.GetValueOrDefault(kind) + 1; break;
        }
    }

    private static string? ApiVersion(JsonElement element) =>
        element.TryGetProperty("apiVersion", out var api) && api.ValueKind == JsonValueKind.String ? api.GetString() : null;

    private static void Add<T>(Dictionary<string, T> index, ObjectMeta? metadata, T item) => index[Key(metadata?.NamespaceProperty, metadata?.Name)] = item;
}

/// <summary>
/// A policy of a CNI's own kind (Calico <c>NetworkPolicy</c>/<c>GlobalNetworkPolicy</c>, Cilium
/// <c>CiliumNetworkPolicy</c>/<c>CiliumClusterwideNetworkPolicy</c>): DnsExpert does not evaluate these, it only says
/// they are there. <see cref="Namespace"/> is null for the cluster-wide kinds.
/// </summary>
internal sealed record ForeignPolicy(string Product, string Kind, string? Namespace, string Name)
{
    private static readonly string[] CalicoGroups = ["projectcalico.org/", "crd.projectcalico.org/"];

    /// <summary><c>Calico GlobalNetworkPolicy default-deny</c>, <c>Cilium CiliumNetworkPolicy shop/allow-dns</c>.</summary>
    public string Description => $"{Product} {Kind} {(Namespace is null ? Name : $"{Namespace}/{Name}")}";

    /// <summary>The policy, when the object is one of those kinds; null for every other object (Kubernetes' NetworkPolicy included).</summary>
    public static ForeignPolicy? Read(JsonElement element, string kind, string? apiVersion)
    {
        var calico = apiVersion is not null && CalicoGroups.Any(g => apiVersion.StartsWith(g, StringComparison.Ordinal));
        var product = kind switch
        {
            "NetworkPolicy" or "GlobalNetworkPolicy" when calico => "Calico",
            "CiliumNetworkPolicy" or "CiliumClusterwideNetworkPolicy" => "Cilium",
            _ => null,
        };
        if (product is null)
        {
            return null;
        }

        string? ns = null, name = null;
        if (element.TryGetProperty("metadata", out var metadata) && metadata.ValueKind == JsonValueKind.Object)
        {
            ns = metadata.TryGetProperty("namespace", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null;
            name = metadata.TryGetProperty("name", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
        }

        var clusterWide = kind is "GlobalNetworkPolicy" or "CiliumClusterwideNetworkPolicy";
        return new ForeignPolicy(product, kind, clusterWide ? null : ns ?? "default", name ?? "");
    }
}

/// <summary>An Event in either API's shape, read into one form: what it is about, why, and when last.</summary>
internal sealed record ObjectEvent(
    ObjectMeta? Metadata, ObjectReference? Regarding, string? Reason, string? Message, string? Type, int? Count, DateTime? Last, string? Reporter)
{
    /// <summary>
    /// An Event as <c>kubectl get events -o json</c> prints it: core/v1 (<c>involvedObject</c>, <c>message</c>,
    /// <c>count</c>, <c>lastTimestamp</c>, <c>source</c>) or events.k8s.io/v1 (<c>regarding</c>, <c>note</c>,
    /// <c>series</c>, <c>deprecated*</c>). Typed lists drop the items' apiVersion, so the shape decides.
    /// </summary>
    public static ObjectEvent Read(JsonElement json)
    {
        var eventsApi = json.TryGetProperty("regarding", out _) || json.TryGetProperty("note", out _)
            || (json.TryGetProperty("apiVersion", out var api) && api.ValueKind == JsonValueKind.String && api.GetString()!.StartsWith("events.k8s.io/", StringComparison.Ordinal));
        if (eventsApi)
        {
            var e = ModelJson.Read<EventsEvent>(json);
            return new ObjectEvent(e.Metadata, e.Regarding, e.Reason, e.Note, e.Type, e.Series?.Count ?? e.DeprecatedCount,
                e.Series?.LastObservedTime ?? e.DeprecatedLastTimestamp ?? e.EventTime, e.ReportingController ?? e.DeprecatedSource?.Component);
        }

        var c = ModelJson.Read<CoreEvent>(json);
        return new ObjectEvent(c.Metadata, c.InvolvedObject, c.Reason, c.Message, c.Type, c.Series?.Count ?? c.Count,
            c.Series?.LastObservedTime ?? c.LastTimestamp ?? c.EventTime, c.Source?.Component ?? c.ReportingComponent);
    }
}
