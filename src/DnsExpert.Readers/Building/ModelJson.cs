using System.Collections.Concurrent;
using System.Text.Json.Serialization;
using System.Text.Json;
using DnsExpert.Readers.Objects;
using k8s;
using k8s.Models;

namespace DnsExpert.Readers.Building;

/// <summary>
/// How the snapshot's objects are read into the readers' own slim models (<c>DnsExpert.Readers.Objects</c>): a source-generated
/// contract of only the fields some reader reads, every other member skipped unread, camelCase as the API writes them.
/// The value types keep KubernetesClient's forms and converters: dates as its RFC 3339 converters read them,
/// <see cref="IntOrString"/> by its own, and a <see cref="ResourceQuantity"/> parsed once per distinct text
/// (<see cref="Quantities"/>). The live collection keeps KubernetesClient's models and options, unchanged.
/// </summary>
internal static class ModelJson
{
    public static JsonSerializerOptions Options { get; } = Create();

    /// <summary>
    /// The object read from its JSON: bound from the parsed element (<see cref="ElementBinder"/>) when it can be bound
    /// exactly as <see cref="JsonSerializer"/> reads it, else read by the serializer, which throws as it does on a
    /// field of the wrong form.
    /// </summary>
    public static T Read<T>(JsonElement json)
    {
        var info = Options.GetTypeInfo(typeof(T));
        return ElementBinder.TryBind(json, info, out var value) ? (T)value! : (T)JsonSerializer.Deserialize(json, info)!;
    }

    /// <summary>The object read by <see cref="JsonSerializer"/> alone, as <see cref="Read{T}"/> reads it when it cannot bind it.</summary>
    internal static T ReadBySerializer<T>(JsonElement json) => (T)JsonSerializer.Deserialize(json, Options.GetTypeInfo(typeof(T)))!;

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(ObjectJsonContext.Default.Options) { TypeInfoResolver = ObjectJsonContext.Default };
        // Before the type's own attribute converter: a converter in the options wins over it.
        options.Converters.Insert(0, new Quantities(new JsonSerializerOptions().GetConverter(typeof(ResourceQuantity)) as JsonConverter<ResourceQuantity>
            ?? throw new InvalidOperationException("KubernetesClient's ResourceQuantity converter was not found")));
        options.Converters.Add(new KubernetesJson.KubernetesDateTimeConverter());
        options.Converters.Add(new KubernetesJson.KubernetesDateTimeOffsetConverter());
        options.MakeReadOnly();
        return options;
    }

    /// <summary>
    /// A quantity's text (<c>100m</c>, <c>170Mi</c>) parsed once and shared: <see cref="ResourceQuantity"/> parses it into
    /// an exact fraction (big integers, powers of the suffix) and cannot be changed afterwards (a record with private
    /// setters), and pods repeat the same few requests, limits and capacities. At most <see cref="MaxKept"/> texts of at
    /// most <see cref="MaxKeptLength"/> characters are kept, whatever a snapshot holds; any other is parsed as before.
    /// Numbers and null, rarer, go to KubernetesClient's own converter, as do the writes.
    /// </summary>
    internal sealed class Quantities(JsonConverter<ResourceQuantity> library) : JsonConverter<ResourceQuantity>
    {
        internal const int MaxKept = 4096;
        internal const int MaxKeptLength = 32;

        private readonly ConcurrentDictionary<string, ResourceQuantity> _parsed = new(StringComparer.Ordinal);

        internal int Kept => _parsed.Count;

        public override ResourceQuantity? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType != JsonTokenType.String)
            {
                return library.Read(ref reader, typeToConvert, options);
            }

            var text = reader.GetString()!;
            if (_parsed.TryGetValue(text, out var quantity))
            {
                return quantity;
            }

            quantity = new ResourceQuantity(text);
            if (text.Length <= MaxKeptLength && _parsed.Count < MaxKept)
            {
                _parsed.TryAdd(text, quantity);
            }

            return quantity;
        }

        public override void Write(Utf8JsonWriter writer, ResourceQuantity value, JsonSerializerOptions options) => library.Write(writer, value, options);
    }
}

/// <summary>The slim models' source-generated contracts: camelCase names, unknown members skipped.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, GenerationMode = JsonSourceGenerationMode.Metadata)]
[JsonSerializable(typeof(Pod))]
[JsonSerializable(typeof(Service))]
[JsonSerializable(typeof(Endpoints))]
[JsonSerializable(typeof(EndpointSlice))]
[JsonSerializable(typeof(ConfigMap))]
[JsonSerializable(typeof(Deployment))]
[JsonSerializable(typeof(DaemonSet))]
[JsonSerializable(typeof(StatefulSet))]
[JsonSerializable(typeof(Node))]
[JsonSerializable(typeof(NetworkPolicy))]
[JsonSerializable(typeof(Namespace))]
[JsonSerializable(typeof(Objects.PodMetrics))]
[JsonSerializable(typeof(Objects.NodeMetrics))]
[JsonSerializable(typeof(CoreEvent))]
[JsonSerializable(typeof(EventsEvent))]
[JsonSerializable(typeof(Dictionary<string, ResourceQuantity>))]
internal sealed partial class ObjectJsonContext : JsonSerializerContext;
