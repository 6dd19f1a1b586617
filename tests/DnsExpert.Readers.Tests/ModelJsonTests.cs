using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using DnsExpert.Readers.Building;
using DnsExpert.Testing;
using k8s;
using k8s.Models;

namespace DnsExpert.Readers.Tests;

/// <summary>The snapshot's objects read with <see cref="ModelJson.Options"/> hold what KubernetesClient's models hold in every field they carry; quantities are parsed once per text.</summary>
public sealed class ModelJsonTests
{
    private static readonly JsonConverter<ResourceQuantity> Library = (JsonConverter<ResourceQuantity>)new JsonSerializerOptions().GetConverter(typeof(ResourceQuantity));

    public static TheoryData<string> Samples() =>
        [.. Directory.EnumerateFiles(Path.Combine(RepoPaths.Root, "src", "DnsExpert.Api", "Samples"), "*.json").Where(f => File.ReadAllText(f).Contains("\"objects\"", StringComparison.Ordinal)).Select(f => Path.GetFileNameWithoutExtension(f)!).Order(StringComparer.Ordinal)];

    /// <summary>
    /// Every field the slim models read holds what KubernetesClient's model holds there: each object of a sample read
    /// both ways and written back, every value of ours (nulls aside: a field the object does not have) is theirs at
    /// the same path, names, numbers, dates, quantities and ports alike.
    /// </summary>
    [Theory]
    [MemberData(nameof(Samples))]
    public void Every_field_of_the_slim_models_reads_as_KubernetesClient_reads_it(string sample)
    {
        using var request = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "src", "DnsExpert.Api", "Samples", sample + ".json")));
        var compared = 0;
        foreach (var item in Items(request.RootElement.GetProperty("snapshot").GetProperty("objects")))
        {
            var kind = item.TryGetProperty("kind", out var k) ? k.GetString() : null;
            var (ours, theirs) = kind switch
            {
                "Pod" => Both<Objects.Pod, V1Pod>(item),
                "Service" => Both<Objects.Service, V1Service>(item),
                "Endpoints" => Both<Objects.Endpoints, V1Endpoints>(item),
                "EndpointSlice" => Both<Objects.EndpointSlice, V1EndpointSlice>(item),
                "ConfigMap" => Both<Objects.ConfigMap, V1ConfigMap>(item),
                "Node" => Both<Objects.Node, V1Node>(item),
                "Deployment" => Both<Objects.Deployment, V1Deployment>(item),
                "DaemonSet" => Both<Objects.DaemonSet, V1DaemonSet>(item),
                "StatefulSet" => Both<Objects.StatefulSet, V1StatefulSet>(item),
                "NetworkPolicy" => Both<Objects.NetworkPolicy, V1NetworkPolicy>(item),
                "Namespace" => Both<Objects.Namespace, V1Namespace>(item),
                "PodMetrics" => Both<Objects.PodMetrics, PodMetrics>(item),
                "NodeMetrics" => Both<Objects.NodeMetrics, NodeMetrics>(item),
                _ => (null, null),
            };
            if (ours is not null)
            {
                AssertWithin(ours, theirs, kind!);
                compared++;
            }
        }

        Assert.True(compared >= 1, $"{compared} objects compared");
    }

    [Fact]
    public void A_field_read_under_another_name_or_form_than_KubernetesClient_reads_it_fails_the_comparison()
    {
        var theirs = JsonNode.Parse("""{"metadata":{"name":"a","namespace":"x"}}""");

        Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => AssertWithin(JsonNode.Parse("""{"metadata":{"name":"a","namespaceProperty":"x"}}"""), theirs, "Pod"));
        Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => AssertWithin(JsonNode.Parse("""{"metadata":{"name":"a","namespace":null}}"""), theirs, "Pod"));
        Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => AssertWithin(JsonNode.Parse("""{"metadata":{"name":"a","namespace":"y"}}"""), theirs, "Pod"));
        AssertWithin(JsonNode.Parse("""{"metadata":{"name":"a"}}"""), theirs, "Pod");
    }

    private static IEnumerable<JsonElement> Items(JsonElement objects) =>
        objects.EnumerateArray().SelectMany<JsonElement, JsonElement>(o => o.TryGetProperty("items", out var items) && items.ValueKind == JsonValueKind.Array ? items.EnumerateArray() : [o]);

    private static (JsonNode?, JsonNode?) Both<TOurs, TTheirs>(JsonElement item) =>
        (JsonSerializer.SerializeToNode(ModelJson.Read<TOurs>(item), ModelJson.Options), JsonNode.Parse(KubernetesJson.Serialize(KubernetesJson.Deserialize<TTheirs>(item)!)));

    private static void AssertWithin(JsonNode? ours, JsonNode? theirs, string path)
    {
        switch (ours)
        {
            case null:
                return;
            case JsonObject o:
                var theirObject = theirs as JsonObject ?? throw new Xunit.Sdk.XunitException($"{path}: not an object in KubernetesClient's model");
                foreach (var (name, value) in o)
                {
                    // A field ours leaves null where theirs holds a value is one read under the wrong name.
                    Assert.True(value is not null || theirObject[name] is null, $"{path}.{name}: not read, KubernetesClient reads {theirObject[name]?.ToJsonString()}");
                    AssertWithin(value, theirObject[name] ?? (value is null ? null : throw new Xunit.Sdk.XunitException($"{path}.{name}: not in KubernetesClient's model")), $"{path}.{name}");
                }

                return;
            case JsonArray a:
                var theirArray = theirs as JsonArray ?? throw new Xunit.Sdk.XunitException($"{path}: not an array in KubernetesClient's model");
                Assert.Equal(theirArray.Count, a.Count);
                for (var i = 0; i < a.Count; i++)
                {
                    AssertWithin(a[i], theirArray[i], $"{path}[{i}]");
                }

                return;
            default:
                Assert.True(JsonNode.DeepEquals(ours, theirs), $"{path}: {ours.ToJsonString()} read, KubernetesClient reads {theirs?.ToJsonString()}");
                return;
        }
    }

    [Theory]
    [InlineData("\"100m\"")]
    [InlineData("\"170Mi\"")]
    [InlineData("\"1.5Gi\"")]
    [InlineData("\"16331532Ki\"")]
    [InlineData("\"2\"")]
    [InlineData("\"1e3\"")]
    [InlineData("\"12345n\"")]
    [InlineData("\" 250m \"")]
    [InlineData("4")]
    [InlineData("0.5")]
    public void A_quantity_reads_as_KubernetesClient_reads_it_the_first_time_and_every_time_after(string json)
    {
        var theirs = KubernetesJson.Deserialize<Dictionary<string, ResourceQuantity>>($$"""{"cpu": {{json}}}""")["cpu"];
        for (var i = 0; i < 2; i++)
        {
            var ours = KubernetesJson.Deserialize<Dictionary<string, ResourceQuantity>>($$"""{"cpu": {{json}}}""", ModelJson.Options)["cpu"];
            Assert.Equal(theirs.ToDecimal(), ours.ToDecimal());
            Assert.Equal(theirs.Format, ours.Format);
            Assert.Equal(theirs.ToString(), ours.ToString());
        }
    }

    [Theory]
    [InlineData("\"abc\"")]
    [InlineData("\"1Qi\"")]
    [InlineData("\"\"")]
    public void A_broken_quantity_fails_as_KubernetesClient_fails_it_every_time(string json)
    {
        var theirs = Record.Exception(() => KubernetesJson.Deserialize<Dictionary<string, ResourceQuantity>>($$"""{"cpu": {{json}}}"""));
        Assert.NotNull(theirs);
        for (var i = 0; i < 2; i++)
        {
            var ours = Record.Exception(() => KubernetesJson.Deserialize<Dictionary<string, ResourceQuantity>>($$"""{"cpu": {{json}}}""", ModelJson.Options));
            Assert.Equal(theirs.GetType(), ours?.GetType());
            Assert.Equal(theirs.Message, ours?.Message);
        }
    }

    [Fact]
    public void A_text_read_again_is_the_same_quantity_and_at_most_MaxKept_short_texts_are_kept()
    {
        var quantities = new ModelJson.Quantities(Library);
        var options = new JsonSerializerOptions { Converters = { quantities } };

        Assert.Same(Read("170Mi"), Read("170Mi"));

        var longText = "1." + new string('0', ModelJson.Quantities.MaxKeptLength);
        Assert.NotSame(Read(longText), Read(longText));
        Assert.Equal(Read(longText).ToDecimal(), Read(longText).ToDecimal());

        for (var i = 0; i < ModelJson.Quantities.MaxKept + 100; i++)
        {
            Read($"{i}m");
        }

        Assert.Equal(ModelJson.Quantities.MaxKept, quantities.Kept);

        ResourceQuantity Read(string text) => JsonSerializer.Deserialize<ResourceQuantity>(JsonSerializer.Serialize(text), options)!;
    }
}
