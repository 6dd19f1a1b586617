using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using DnsExpert.Contract;
using DnsExpert.Engine.Compilation;
using DnsExpert.Facts;
using DnsExpert.Readers;
using DnsExpert.Readers.Building;
using DnsExpert.Readers.Parsing;
using DnsExpert.Testing;

namespace DnsExpert.Engine.Tests;

/// <summary>
/// The closed value sets of fact properties (<see cref="OneOfAttribute"/>) are complete: nothing the fact builder
/// produces is outside its set, or a rule checked against the set could miss it.
/// </summary>
public sealed class FactValueSetTests
{
    private static readonly JsonSerializerOptions WebJson = new(JsonSerializerDefaults.Web);

    private static IEnumerable<PropertyInfo> ClosedProperties() =>
        FactTypes.All.Values.SelectMany(t => t.GetProperties()).Where(p => p.GetCustomAttribute<OneOfAttribute>() is not null);

    /// <summary>Every request a user could have pasted that the repository holds: the scenarios and the API's samples.</summary>
    public static TheoryData<string> Requests() => new(RequestFiles());

    private static List<string> RequestFiles() =>
        Directory.EnumerateFiles(Path.Combine(RepoPaths.Root, "tests", "scenarios"), "*.json", SearchOption.AllDirectories)
            .Concat(Directory.EnumerateFiles(Path.Combine(RepoPaths.Root, "src", "DnsExpert.Api", "Samples"), "*.json"))
            .Select(f => Path.GetRelativePath(RepoPaths.Root, f))
            .Where(f => !f.EndsWith(".expect.json", StringComparison.Ordinal) && !f.EndsWith(".expected.json", StringComparison.Ordinal)
                && Path.GetFileName(f) != "index.json")
            .Order(StringComparer.Ordinal)
            .ToList();

    [Theory]
    [MemberData(nameof(Requests))]
    public void Every_value_the_fact_builder_produces_is_in_its_declared_set(string file)
    {
        var request = JsonSerializer.Deserialize<DiagnosisRequest>(File.ReadAllText(Path.Combine(RepoPaths.Root, file)), WebJson)!;
        var facts = SnapshotFactBuilder.Build(request).Facts;

        var outside = (
            from fact in facts
            from property in fact.GetType().GetProperties()
            let allowed = OneOfAttribute.AllowedFor(property)
            where allowed is not null
            let value = (string?)property.GetValue(fact)
            where value is not null && !allowed.Contains(value)
            select $"{fact.GetType().Name}.{property.Name} = \"{value}\" ({((Fact)fact).Source})").Distinct().ToList();
        Assert.True(outside.Count == 0, $"{file}: values outside their declared sets: {string.Join("; ", outside)}");
    }

    [Fact]
    public void The_scenarios_produce_every_kind_of_closed_fact()
    {
        // Not every value needs a scenario, but every closed property must be seen holding something.
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in RequestFiles())
        {
            var request = JsonSerializer.Deserialize<DiagnosisRequest>(File.ReadAllText(Path.Combine(RepoPaths.Root, file)), WebJson)!;
            foreach (var fact in SnapshotFactBuilder.Build(request).Facts)
            {
                foreach (var property in fact.GetType().GetProperties().Where(p => OneOfAttribute.AllowedFor(p) is not null && p.GetValue(fact) is not null))
                {
                    seen.Add($"{fact.GetType().Name}.{property.Name}");
                }
            }
        }

        // Finding facts come from rules, not from the builder.
        var never = ClosedProperties().Where(p => p.ReflectedType!.IsSubclassOf(typeof(Fact))).Select(p => $"{p.ReflectedType!.Name}.{p.Name}").Where(p => !seen.Contains(p)).Order(StringComparer.Ordinal).ToList();
        Assert.True(never.Count == 0, "closed properties no scenario fills: " + string.Join(", ", never));
    }

    [Fact]
    public void Only_string_properties_are_closed_and_every_set_has_distinct_values()
    {
        Assert.NotEmpty(ClosedProperties());
        foreach (var property in ClosedProperties())
        {
            Assert.True(property.PropertyType == typeof(string), $"{property.ReflectedType!.Name}.{property.Name} is not a string");
            var values = OneOfAttribute.AllowedFor(property)!;
            Assert.NotEmpty(values);
            Assert.Equal(values.Count, values.Distinct(StringComparer.Ordinal).Count());
        }
    }

    /// <summary>Sets the builder fills from an enum of the contract or a parser: the enum's values, as the builder writes them.</summary>
    [Fact]
    public void Sets_written_from_enums_hold_every_enum_value()
    {
        Assert.Equal(JsonNames<ProbeKind>(), OneOfAttribute.ValuesOf(typeof(ProbeKinds)));
        Assert.Equal(JsonNames<ProbeOutcome>(), OneOfAttribute.ValuesOf(typeof(ProbeOutcomes)));
        Assert.Equal(JsonNames<ProbeTransport>(), OneOfAttribute.ValuesOf(typeof(DnsTransports)));
        Assert.Equal(JsonNames<SymptomClass>(), OneOfAttribute.ValuesOf(typeof(SymptomClasses)));
        Assert.Equal([.. JsonNames<Frequency>(), SymptomFrequencies.Unknown], OneOfAttribute.ValuesOf(typeof(SymptomFrequencies)));
        Assert.Equal(
            Enum.GetNames<LibcKind>().Select(n => n.ToLowerInvariant()).Order(StringComparer.Ordinal),
            OneOfAttribute.ValuesOf(typeof(LibcKinds)).Order(StringComparer.Ordinal));

        // The log kinds that become a CoreDnsLogEvent (not a query line, not an unrecognised line, not node-cache's set-up
        // failure, which becomes a NodeLocalSetupErrors), kebab-cased.
        Assert.Equal(
            Enum.GetNames<CoreDnsLogKind>().Except([nameof(CoreDnsLogKind.Other), nameof(CoreDnsLogKind.Query), nameof(CoreDnsLogKind.NodeLocalSetupError)])
                .Select(n => string.Concat(n.Select((c, i) => char.IsUpper(c) && i > 0 ? "-" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()))),
            OneOfAttribute.ValuesOf(typeof(CoreDnsLogEventKinds)));
    }

    private static List<string> JsonNames<T>()
        where T : struct, Enum =>
        typeof(T).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Select(f => f.GetCustomAttribute<JsonStringEnumMemberNameAttribute>()?.Name ?? f.Name.ToLowerInvariant())
            .ToList();
}
