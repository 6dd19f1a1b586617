using System.Text.Json;
using System.Text.Json.Nodes;
using DnsExpert.Engine.Compilation;
using DnsExpert.Engine.RuleFiles;
using DnsExpert.Facts;
using DnsExpert.Testing;
using Json.Schema;

namespace DnsExpert.Engine.Tests;

/// <summary>
/// <c>rules/rule.schema.json</c>, for editors: every rule file validates against it, a broken one does not, and its
/// keys and enums are the reader's (so the two cannot drift apart).
/// </summary>
public sealed class RuleSchemaTests
{
    private const string SchemaLine = "# yaml-language-server: $schema=./rule.schema.json";
    private static readonly string SchemaPath = Path.Combine(RepoPaths.Rules, "rule.schema.json");
    private static readonly Lazy<JsonSchema> Schema = new(() =>
        JsonSchema.FromText(File.ReadAllText(SchemaPath), new BuildOptions { SchemaRegistry = new SchemaRegistry() }));

    private static readonly JsonNode SchemaJson = JsonNode.Parse(File.ReadAllText(SchemaPath))!;

    private static EvaluationResults Validate(string yaml) =>
        Schema.Value.Evaluate(YamlAsJson.Read(yaml), new EvaluationOptions { OutputFormat = OutputFormat.List });

    private static string Describe(EvaluationResults results) =>
        string.Join("; ", (results.Details ?? []).Where(d => d.Errors is { Count: > 0 })
            .Select(d => $"{d.InstanceLocation}: {string.Join(", ", d.Errors!.Values)}"));

    public static TheoryData<string> RuleFiles() => new(
        Directory.EnumerateFiles(RepoPaths.Rules, "*.yaml").Select(Path.GetFileName).Order(StringComparer.Ordinal)!);

    [Theory]
    [MemberData(nameof(RuleFiles))]
    public void Every_rule_file_validates_against_the_schema_and_names_it_on_its_first_line(string file)
    {
        var text = File.ReadAllText(Path.Combine(RepoPaths.Rules, file));
        var results = Validate(text);

        Assert.True(results.IsValid, $"{file}: {Describe(results)}");
        Assert.Equal(SchemaLine, text.Split('\n')[0].TrimEnd('\r'));
    }

    [Fact]
    public void The_schema_is_draft_2020_12() =>
        Assert.Equal("https://json-schema.org/draft/2020-12/schema", (string?)SchemaJson["$schema"]);

    private const string Valid = """
        id: schema-rule
        title: t
        severity: warning
        description: d
        priority: 3
        thresholds:
          minLines: 2
        when:
          - fact: CoreDnsLogEvent
            as: log
            where: Kind == "panic" && Occurrences >= minLines
          - not:
              fact: CoreDnsPod
              where: Ready
        finding:
          cause: c
          evidence:
            - source: s
              detail: d
          remediation:
            - summary: r
              when: log.Pod != null
        """;

    /// <summary>Broken variants of <see cref="Valid"/>: the reader refuses each, and so does the schema.</summary>
    public static TheoryData<string, string, string> Broken() => new()
    {
        { "an unknown top-level key", "priority: 3", "priority: 3\nsevrity: info" },
        { "an unknown key in a pattern", "    as: log", "    as: log\n    wher: Ready" },
        { "an unknown key in an evidence entry", "      detail: d", "      detail: d\n      line: 3" },
        { "an unknown key in routing", "priority: 3", "priority: 3\nrouting:\n  frequncy: [always]" },
        { "a priority that is not an integer", "priority: 3", "priority: high" },
        { "explainsFailure that is not a boolean", "priority: 3", "priority: 3\nexplainsFailure: maybe" },
        { "a threshold that is not a number", "minLines: 2", "minLines: two" },
        { "when as one expression instead of a list", "when:\n  - fact: CoreDnsLogEvent\n    as: log\n    where: Kind == \"panic\" && Occurrences >= minLines\n  - not:\n      fact: CoreDnsPod\n      where: Ready", "when: Ready" },
        { "evidence as a text", "  evidence:\n    - source: s\n      detail: d", "  evidence: the log" },
        { "an empty remediation list", "  remediation:\n    - summary: r\n      when: log.Pod != null", "  remediation: []" },
        { "a severity that is none of the three", "severity: warning", "severity: fatal" },
        { "a matched pattern without a name", "    as: log\n", "" },
        { "a missing title", "title: t\n", "" },
        { "a routing value the reader does not know", "priority: 3", "priority: 3\nrouting:\n  nameKind: [cluster]" },
        { "both when and cases", "finding:", "cases:\n  - when:\n      - fact: CoreDnsPod\n        as: pod\nfinding:" },
        { "an id that is not kebab-case", "id: schema-rule", "id: Schema_Rule" },
    };

    [Fact]
    public void The_valid_example_is_valid_for_both()
    {
        var errors = new List<RuleFileError>();
        Assert.NotNull(RuleFileReader.Read("rules/schema-rule.yaml", Valid, errors));
        Assert.Empty(errors);
        var results = Validate(Valid);
        Assert.True(results.IsValid, Describe(results));
    }

    [Theory]
    [MemberData(nameof(Broken))]
    public void A_broken_rule_file_fails_validation_as_it_fails_to_load(string what, string replace, string with)
    {
        Assert.Contains(replace, Valid, StringComparison.Ordinal);
        var yaml = Valid.Replace(replace, with, StringComparison.Ordinal);

        var errors = new List<RuleFileError>();
        RuleFileReader.Read("rules/schema-rule.yaml", yaml, errors);
        Assert.True(errors.Count > 0, $"{what}: the reader accepts it");
        Assert.False(Validate(yaml).IsValid, $"{what}: the schema accepts it");
    }

    [Fact]
    public void Cases_without_a_cause_need_the_findings_for_both()
    {
        const string cases = """
            id: schema-rule
            title: t
            severity: warning
            description: d
            cases:
              - when:
                  - fact: CoreDnsPod
                    as: pod
                evidence:
                  - source: s
                    detail: d
            finding:
              cause: c
              remediation:
                - summary: r
            """;
        var withoutCause = cases.Replace("  cause: c\n", "", StringComparison.Ordinal);

        Assert.True(Validate(cases).IsValid, Describe(Validate(cases)));
        Assert.False(Validate(withoutCause).IsValid);
        var errors = new List<RuleFileError>();
        Assert.Null(RuleFileReader.Read("rules/schema-rule.yaml", withoutCause, errors));
        Assert.Contains(errors, e => e.Reason.Contains("no 'cause'", StringComparison.Ordinal));
    }

    /// <summary>Each mapping of a rule file as the schema declares it, and the keys the reader accepts there.</summary>
    public static TheoryData<string, string[]> Mappings() => new()
    {
        { "", RuleFileReader.TopKeys },
        { "/$defs/routing", RuleFileReader.RoutingKeys },
        { "/$defs/case", RuleFileReader.CaseKeys },
        { "/$defs/pattern", RuleFileReader.PatternKeys },
        { "/$defs/factPattern", RuleFileReader.FactPatternKeys },
        { "/$defs/finding", RuleFileReader.FindingKeys },
        { "/$defs/evidence/items", RuleFileReader.EvidenceKeys },
        { "/$defs/remediation/items", RuleFileReader.RemediationKeys },
        { "/$defs/ticket", RuleFileReader.TicketKeys },
        { "/$defs/collect", RuleFileReader.CollectKeys },
    };

    [Theory]
    [MemberData(nameof(Mappings))]
    public void The_schema_has_the_keys_the_reader_accepts_and_refuses_others(string location, string[] readerKeys)
    {
        var mapping = At(location);
        Assert.Equal(readerKeys.Order(StringComparer.Ordinal), mapping["properties"]!.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.False((bool)mapping["additionalProperties"]!);
    }

    [Fact]
    public void The_schema_enums_are_the_readers_and_the_facts()
    {
        Assert.Equal(OneOfAttribute.ValuesOf(typeof(FindingSeverities)), Enum("/$defs/severity"));
        Assert.Equal(RuleFileReader.Frequencies, Enum("/$defs/routing/properties/frequency/items").ToHashSet());
        Assert.Equal(RuleFileReader.NameKinds, Enum("/$defs/routing/properties/nameKind/items").ToHashSet());
        Assert.Equal(RuleFileReader.SymptomClasses, Enum("/$defs/routing/properties/symptomClass/items").ToHashSet());

        var schemaFacts = Enum("/$defs/factType");
        var missing = FactTypes.All.Keys.Except(schemaFacts).Order(StringComparer.Ordinal).ToList();
        var extra = schemaFacts.Except(FactTypes.All.Keys).ToList();
        Assert.True(missing.Count == 0 && extra.Count == 0,
            $"rules/rule.schema.json $defs/factType: add [{string.Join(", ", missing)}], remove [{string.Join(", ", extra)}]");
    }

    private static JsonNode At(string location) =>
        location.Split('/', StringSplitOptions.RemoveEmptyEntries).Aggregate(SchemaJson, (node, key) => node[key]!);

    private static List<string> Enum(string location) => At(location)["enum"]!.AsArray().Select(v => (string)v!).ToList();
}
