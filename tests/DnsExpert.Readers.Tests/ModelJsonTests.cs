using System.Text.Json;
using System.Text.Json.Serialization;
using DnsExpert.Readers.Building;
using DnsExpert.Testing;
using k8s;
using k8s.Models;

namespace DnsExpert.Readers.Tests;

/// <summary>The snapshot's objects read with <see cref="ModelJson.Options"/> are the models KubernetesClient's own options give; quantities are parsed once per text.</summary>
public sealed class ModelJsonTests
{
    private static readonly JsonConverter<ResourceQuantity> Library = (JsonConverter<ResourceQuantity>)new JsonSerializerOptions().GetConverter(typeof(ResourceQuantity));

    public static TheoryData<string> Samples() => ["autopath-wrong-answers", "sick-cluster", "external-upstream-nxdomain"];

    [Theory]
    [MemberData(nameof(Samples))]
    public void Every_object_of_a_sample_reads_into_the_model_KubernetesClient_reads(string sample)
    {
        using var request = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "src", "DnsExpert.Api", "Samples", sample + ".json")));
        var compared = 0;
        foreach (var item in request.RootElement.GetProperty("snapshot").GetProperty("objects").EnumerateArray())
        {
            var kind = item.GetProperty("kind").GetString();
            var (ours, theirs) = kind switch
            {
                "Pod" => Both<V1Pod>(item),
                "Service" => Both<V1Service>(item),
                "Endpoints" => Both<V1Endpoints>(item),
                "ConfigMap" => Both<V1ConfigMap>(item),
                "Node" => Both<V1Node>(item),
                "Deployment" => Both<V1Deployment>(item),
                "PodMetrics" => Both<PodMetrics>(item),
                "NodeMetrics" => Both<NodeMetrics>(item),
                _ => (null, null),
            };
            if (ours is not null)
            {
                Assert.Equal(theirs, ours);
                compared++;
            }
        }

        Assert.True(compared >= 5, $"{compared} objects compared");
    }

    private static (string?, string?) Both<T>(JsonElement item) =>
        (KubernetesJson.Serialize(KubernetesJson.Deserialize<T>(item, ModelJson.Options)!), KubernetesJson.Serialize(KubernetesJson.Deserialize<T>(item)!));

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
