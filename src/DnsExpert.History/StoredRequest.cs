using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DnsExpert.Contract;

namespace DnsExpert.History;

/// <summary>
/// The request as the history keeps it: only what the rules read of values people keep secrets in. Secrets keep their
/// keys, never their data; container <c>env</c> values are redacted (names and <c>valueFrom</c> references stay);
/// ConfigMaps keep the data of the DNS configuration the rules read (CoreDNS's Corefile and its imports, NodeLocal
/// DNSCache, kube-dns stub domains, a KubeProxyConfiguration wherever it is) and only the keys of everything else; the
/// <c>last-applied-configuration</c> annotation, a copy of all of it, is dropped. The same holds for objects pasted as
/// <c>kubectl get -o json</c> in <c>snapshot.outputs</c>, and the rest of pasted output (and <c>snapshot.files</c>)
/// keeps what the rules read of it (<see cref="StoredOutput"/>).
/// </summary>
public static class StoredRequest
{
    public const string Redacted = "<redacted>";

    /// <summary>ConfigMaps in kube-system whose whole data is DNS configuration.</summary>
    private static readonly HashSet<string> DnsConfigMaps = new(StringComparer.Ordinal) { "coredns", "coredns-custom", "node-local-dns", "nodelocaldns", "kube-dns" };

    /// <summary>
    /// The request as the history stores it (<see cref="Keep"/>, objects redacted), as JSON. An object with nothing to
    /// redact (<see cref="Untouched"/>: no Secret, ConfigMap or List, no <c>last-applied-configuration</c>, no container
    /// <c>env</c>) is written as it was read; the others go through the <see cref="JsonNode"/> redaction, one by one.
    /// </summary>
    public static string Serialize(DiagnosisRequest request, JsonSerializerOptions json) => JsonSerializer.Serialize(Stored(request, json), json);

    /// <summary><see cref="Serialize"/>'s JSON as UTF-8, as the serializer writes it (no string made).</summary>
    public static byte[] SerializeToUtf8Bytes(DiagnosisRequest request, JsonSerializerOptions json) => JsonSerializer.SerializeToUtf8Bytes(Stored(request, json), json);

    /// <summary>The request to serialise: kept, its objects redacted.</summary>
    private static DiagnosisRequest Stored(DiagnosisRequest request, JsonSerializerOptions json)
    {
        var kept = KeptRequests.TryGetValue(request, out _) ? request : Keep(request).Request;
        List<JsonElement>? redacted = null;
        if (kept.Snapshot is { Objects: { Count: > 0 } objects })
        {
            for (var i = 0; i < objects.Count; i++)
            {
                if (!Untouched(objects[i]))
                {
                    redacted ??= [.. objects];
                    redacted[i] = RedactedObject(objects[i], json);
                }
            }
        }

        return redacted is null ? kept : With(kept, kept.Snapshot!, redacted, kept.Snapshot!.Files, kept.Snapshot.Outputs);
    }

    /// <summary>One object through the DOM redaction (<see cref="RedactObject"/>), back as an element.</summary>
    private static JsonElement RedactedObject(JsonElement item, JsonSerializerOptions json)
    {
        var node = JsonSerializer.SerializeToNode(item, json);
        RedactObject(node, redacted: null);
        return JsonSerializer.SerializeToElement(node, json);
    }

    /// <summary>
    /// True when <see cref="RedactObject"/> would neither change nor refuse <paramref name="item"/>, so it can be stored
    /// as read: not a Secret, ConfigMap or List (any <c>kind</c> ending in List), no <c>last-applied-configuration</c>
    /// annotation, no <c>env</c> anywhere under <c>spec</c>, and no name twice (ignoring case, as the DOM of the stored
    /// options compares names: it refuses such an object) in the objects the redaction reads. Names compare as the DOM
    /// compares them, ignoring case; anything else goes through the DOM.
    /// </summary>
    internal static bool Untouched(JsonElement item)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            return true;
        }

        if (!DistinctNames(item))
        {
            return false;
        }

        foreach (var property in item.EnumerateObject())
        {
            var value = property.Value;
            if (Named(property, "kind"))
            {
                if (value.ValueKind == JsonValueKind.String && value.GetString() is { } kind
                    && (kind is "Secret" or "ConfigMap" || kind.EndsWith("List", StringComparison.Ordinal)))
                {
                    return false;
                }
            }
            else if (Named(property, "metadata"))
            {
                if (value.ValueKind == JsonValueKind.Object && !UntouchedMetadata(value))
                {
                    return false;
                }
            }
            else if (Named(property, "spec") && !NoEnv(value, 0))
            {
                return false;
            }
        }

        return true;
    }

    private static bool UntouchedMetadata(JsonElement metadata)
    {
        if (!DistinctNames(metadata))
        {
            return false;
        }

        foreach (var property in metadata.EnumerateObject())
        {
            if (Named(property, "annotations") && property.Value.ValueKind == JsonValueKind.Object)
            {
                if (!DistinctNames(property.Value))
                {
                    return false;
                }

                foreach (var annotation in property.Value.EnumerateObject())
                {
                    if (Named(annotation, "kubectl.kubernetes.io/last-applied-configuration"))
                    {
                        return false;
                    }
                }
            }
        }

        return true;
    }

    /// <summary>No <c>env</c> property anywhere below (at any depth: deeper than the redaction walks only sends more to the DOM), and no object with a name twice.</summary>
    private static bool NoEnv(JsonElement node, int depth)
    {
        switch (node.ValueKind)
        {
            case JsonValueKind.Object:
                if (depth > 64 || !DistinctNames(node))
                {
                    return false;
                }

                foreach (var property in node.EnumerateObject())
                {
                    if (Named(property, "env") || !NoEnv(property.Value, depth + 1))
                    {
                        return false;
                    }
                }

                return true;
            case JsonValueKind.Array:
                if (depth > 64)
                {
                    return false;
                }

                foreach (var child in node.EnumerateArray())
                {
                    if (!NoEnv(child, depth + 1))
                    {
                        return false;
                    }
                }

                return true;
            default:
                return true;
        }
    }

    /// <summary>
    /// The property is <paramref name="name"/> (ASCII) ignoring case, as the DOM compares names. A name written in ASCII
    /// without escapes is compared as sent, in UTF-8 (no string made: this runs for every property of every object
    /// stored); any other name is decoded first.
    /// </summary>
    private static bool Named(JsonProperty property, string name) => AsciiName(property, out var raw)
        ? Ascii.EqualsIgnoreCase(raw, name)
        : string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase);

    /// <summary>The property's name as sent, when it is ASCII with no escape: then ignoring ASCII case is ignoring case.</summary>
    private static bool AsciiName(JsonProperty property, out ReadOnlySpan<byte> name)
    {
        name = JsonMarshal.GetRawUtf8PropertyName(property);
        return name.IndexOf((byte)'\\') < 0 && Ascii.IsValid(name);
    }

    /// <summary>No two property names of <paramref name="obj"/> equal ignoring case.</summary>
    private static bool DistinctNames(JsonElement obj)
    {
        var count = obj.GetPropertyCount();
        if (count < 2)
        {
            return true;
        }

        return count <= MaxPairwiseNames && AsciiNames(obj) ? DistinctAsciiNames(obj) : DistinctDecodedNames(obj, count);
    }

    /// <summary>Up to this many names are compared pair by pair as sent (<see cref="DistinctAsciiNames"/>); more go through a set of strings.</summary>
    private const int MaxPairwiseNames = 32;

    private static bool AsciiNames(JsonElement obj)
    {
        foreach (var property in obj.EnumerateObject())
        {
            if (!AsciiName(property, out _))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>No two names equal ignoring ASCII case, every name being ASCII without escapes (<see cref="AsciiNames"/>): compared as sent, no string made.</summary>
    private static bool DistinctAsciiNames(JsonElement obj)
    {
        var i = 0;
        foreach (var property in obj.EnumerateObject())
        {
            var name = JsonMarshal.GetRawUtf8PropertyName(property);
            var j = 0;
            foreach (var earlier in obj.EnumerateObject())
            {
                if (j++ == i)
                {
                    break;
                }

                var other = JsonMarshal.GetRawUtf8PropertyName(earlier);
                if (other.Length == name.Length && Ascii.EqualsIgnoreCase(other, name))
                {
                    return false;
                }
            }

            i++;
        }

        return true;
    }

    private static bool DistinctDecodedNames(JsonElement obj, int count)
    {
        var set = new HashSet<string>(count, StringComparer.OrdinalIgnoreCase);
        foreach (var property in obj.EnumerateObject())
        {
            if (!set.Add(property.Name))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// The request with its pasted outputs and files as the history keeps them (objects are redacted as they are
    /// serialized), and a note per output or file that lost something, for the response's <c>collection</c>. Keeping a
    /// kept request again changes nothing.
    /// </summary>
    public static KeptRequest Keep(DiagnosisRequest request)
    {
        if (request.Snapshot is not { } snapshot || (snapshot.Outputs is not { Count: > 0 } && snapshot.Files is not { Count: > 0 }))
        {
            return new KeptRequest(request, []);
        }

        var notes = new List<CollectionEntry>();
        string KeptText(string source, string? command, string text)
        {
            var (kept, redacted) = StoredOutput.Keep(command, text);
            if (redacted is not null)
            {
                notes.Add(new CollectionEntry(source, CollectionStatus.Ok, $"stored redacted: {redacted}"));
            }

            return kept;
        }

        var outputs = snapshot.Outputs?.Select((o, i) => o.Text is null ? o
            : new CommandOutput { From = o.From, Command = o.Command, Text = KeptText(o.Source ?? $"snapshot.outputs[{i}]", o.Command, o.Text), Source = o.Source }).ToList();
        var files = snapshot.Files?.Select((f, i) => f.Text is null ? f
            : new FileArtifact
            {
                Namespace = f.Namespace, Pod = f.Pod, Node = f.Node, Path = f.Path, Command = f.Command,
                Text = KeptText($"snapshot.files[{i}]", f.Command ?? $"cat {f.Path}", f.Text),
            }).ToList();
        if (notes.Count == 0)
        {
            // Nothing left out: the request is kept as it is, and serialising it need not keep it again.
            KeptRequests.AddOrUpdate(request, Marker);
            return new KeptRequest(request, []);
        }

        var copy = With(request, snapshot, snapshot.Objects, files, outputs);
        KeptRequests.AddOrUpdate(copy, Marker);
        return new KeptRequest(copy, notes);
    }

    /// <summary>The requests <see cref="Keep"/> made or found kept already: keeping them again changes nothing, so <see cref="Serialize"/> does not.</summary>
    private static readonly ConditionalWeakTable<DiagnosisRequest, object> KeptRequests = new();

    private static readonly object Marker = new();

    /// <summary>A copy of <paramref name="request"/> whose snapshot has these objects, files and outputs (and the rest of <paramref name="snapshot"/>).</summary>
    private static DiagnosisRequest With(
        DiagnosisRequest request, Snapshot snapshot, IList<JsonElement>? objects, IList<FileArtifact>? files, IList<CommandOutput>? outputs) => new()
    {
        Target = request.Target, Domain = request.Domain, Symptom = request.Symptom, Options = request.Options, CallbackUrl = request.CallbackUrl,
        Snapshot = new Snapshot
        {
            Objects = objects, Logs = snapshot.Logs, Probes = snapshot.Probes, Metrics = snapshot.Metrics, Files = files, Outputs = outputs,
        },
    };

    /// <summary>The response's <c>collection</c> with each note of <see cref="Keep"/> added to the entry of its output (or after them when it has none).</summary>
    public static IReadOnlyList<CollectionEntry> WithStoredNotes(IReadOnlyList<CollectionEntry> collection, IReadOnlyList<CollectionEntry> notes)
    {
        if (notes.Count == 0)
        {
            return collection;
        }

        var bySource = notes.ToDictionary(n => n.Source, StringComparer.Ordinal);
        var merged = collection.Select(entry => bySource.Remove(entry.Source, out var note)
            ? entry with { Detail = entry.Detail is null ? note.Detail : $"{entry.Detail}; {note.Detail}" }
            : entry).ToList();
        return [.. merged, .. notes.Where(n => bySource.ContainsKey(n.Source))];
    }

    /// <summary>Redacts one object or List in place; what it removed is added to <paramref name="redacted"/> when given.</summary>
    internal static void RedactObject(JsonNode? node, ISet<string>? redacted) => Redact(node, 0, redacted);

    private static void Redact(JsonNode? node, int depth, ISet<string>? redacted)
    {
        if (node is not JsonObject obj || depth > 4)
        {
            return;
        }

        var kind = Text(obj["kind"]);
        if (kind is not null && kind.EndsWith("List", StringComparison.Ordinal) && obj["items"] is JsonArray items)
        {
            foreach (var item in items)
            {
                Redact(item, depth + 1, redacted);
            }

            return;
        }

        if (obj["metadata"] is JsonObject metadata && metadata["annotations"] is JsonObject annotations)
        {
            if (annotations.Remove("kubectl.kubernetes.io/last-applied-configuration"))
            {
                redacted?.Add("last-applied-configuration");
            }
        }

        switch (kind)
        {
            case "Secret":
                RedactValues(obj["data"], "Secret data", redacted);
                RedactValues(obj["stringData"], "Secret data", redacted);
                break;
            case "ConfigMap":
                var name = Text(obj["metadata"]?["name"]);
                var ns = Text(obj["metadata"]?["namespace"]) ?? "default";
                if (!(ns == "kube-system" && name is not null && DnsConfigMaps.Contains(name)) && obj["data"] is JsonObject data)
                {
                    foreach (var (key, value) in data.ToList())
                    {
                        var text = Text(value);
                        if (text != Redacted && (text is null || !text.Contains("KubeProxyConfiguration", StringComparison.Ordinal)))
                        {
                            data[key] = Redacted;
                            redacted?.Add("ConfigMap data other than DNS configuration");
                        }
                    }
                }

                RedactValues(obj["binaryData"], "ConfigMap data other than DNS configuration", redacted);
                break;
            default:
                RedactEnv(obj["spec"], 0, redacted);
                break;
        }
    }

    /// <summary>Every <c>env[].value</c> under a workload's spec (pods, templates, job templates).</summary>
    private static void RedactEnv(JsonNode? node, int depth, ISet<string>? redacted)
    {
        if (depth > 12)
        {
            return;
        }

        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, child) in obj.ToList())
                {
                    if (key == "env" && child is JsonArray env)
                    {
                        foreach (var variable in env.OfType<JsonObject>().Where(v => v.ContainsKey("value") && Text(v["value"]) != Redacted))
                        {
                            variable["value"] = Redacted;
                            redacted?.Add("env values");
                        }
                    }
                    else
                    {
                        RedactEnv(child, depth + 1, redacted);
                    }
                }

                break;
            case JsonArray array:
                foreach (var child in array)
                {
                    RedactEnv(child, depth + 1, redacted);
                }

                break;
        }
    }

    private static void RedactValues(JsonNode? node, string what, ISet<string>? redacted)
    {
        if (node is JsonObject values)
        {
            foreach (var key in values.Where(p => Text(p.Value) != Redacted).Select(p => p.Key).ToList())
            {
                values[key] = Redacted;
                redacted?.Add(what);
            }
        }
    }

    private static string? Text(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}

/// <summary>A request as the history keeps it, and what was left out of each pasted output or file.</summary>
public sealed record KeptRequest(DiagnosisRequest Request, IReadOnlyList<CollectionEntry> Notes);
