using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace DnsExpert.Readers.Building;

/// <summary>
/// The options the snapshot's objects are read into KubernetesClient models with: KubernetesClient's own (its naming,
/// date and enum converters, its source-generated contracts), and a <see cref="ResourceQuantity"/> parsed once per
/// distinct text (<see cref="Quantities"/>). A copy: KubernetesClient's options, which live collection uses, are not
/// changed.
/// </summary>
internal static class ModelJson
{
    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        // KubernetesClient keeps its options internal; its configuration hook hands them over, and nothing is changed.
        JsonSerializerOptions? library = null;
        KubernetesJson.AddJsonOptions(o => library = o);
        var options = new JsonSerializerOptions(library!);
        // Before the type's own attribute converter: a converter in the options wins over it.
        options.Converters.Insert(0, new Quantities(new JsonSerializerOptions().GetConverter(typeof(ResourceQuantity)) as JsonConverter<ResourceQuantity>
            ?? throw new InvalidOperationException("KubernetesClient's ResourceQuantity converter was not found")));
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
