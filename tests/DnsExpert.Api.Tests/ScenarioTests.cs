using System.Text;
using System.Text.Json;
using DnsExpert.Engine.RuleFiles;

namespace DnsExpert.Api.Tests;

/// <summary>
/// Every rule is proven, through the real HTTP pipeline, by request files a user could have pasted:
/// <c>tests/scenarios/&lt;rule-id&gt;/fires-*.json</c> must produce that finding, <c>near-miss-*.json</c> must not.
/// </summary>
public sealed class ScenarioTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private static readonly string ScenarioRoot = Path.Combine(ApiFactory.RepoRoot, "tests", "scenarios");

    /// <summary>
    /// Next to a scenario, <c>NAME.expected.json</c> says what its finding must name: the severity, the object and log
    /// line of each evidence, and words of the cause and remediation; <c>origin</c> cites the real artifact it is built from.
    /// </summary>
    private const string ExpectedSuffix = ".expected.json";
    private readonly HttpClient _client = factory.CreateClient();

    public static TheoryData<string> Scenarios() => new(ScenarioFiles());

    private static List<string> ScenarioFiles() =>
        Directory.EnumerateFiles(ScenarioRoot, "*.json", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(ScenarioRoot, f))
            .Where(f => !f.StartsWith('_') && !f.EndsWith(ExpectedSuffix, StringComparison.Ordinal)
                && (Path.GetFileName(f).StartsWith("fires-", StringComparison.Ordinal) || Path.GetFileName(f).StartsWith("near-miss-", StringComparison.Ordinal)))
            .Order(StringComparer.Ordinal)
            .ToList();

    [Theory]
    [MemberData(nameof(Scenarios))]
    public async Task Scenario_fires_or_not_as_its_name_says(string scenario)
    {
        var ruleId = Path.GetDirectoryName(scenario)!;
        var body = await File.ReadAllTextAsync(Path.Combine(ScenarioRoot, scenario));
        var response = await _client.PostAsync("/api/v1/diagnoses", new StringContent(body, Encoding.UTF8, "application/json"));
        var json = await response.Json();
        Assert.True(response.IsSuccessStatusCode, json.ToString());

        var findings = json.GetProperty("findings").EnumerateArray().ToList();
        var fired = findings.Select(f => f.GetProperty("ruleId").GetString()!).ToList();
        var description = $"{scenario}: fired [{string.Join(", ", fired)}]; collection: {json.GetProperty("collection")}";

        if (Path.GetFileName(scenario).StartsWith("fires-", StringComparison.Ordinal))
        {
            Assert.True(fired.Contains(ruleId), description);
            var finding = findings.Single(f => f.GetProperty("ruleId").GetString() == ruleId);
            Assert.NotEqual(0, finding.GetProperty("evidence").GetArrayLength());
            Assert.NotEqual(0, finding.GetProperty("remediation").GetArrayLength());
            Assert.DoesNotContain("{{", finding.ToString(), StringComparison.Ordinal);
            var expected = Path.Combine(ScenarioRoot, Path.ChangeExtension(scenario, null) + ExpectedSuffix);
            if (File.Exists(expected))
            {
                AssertNames(finding, JsonDocument.Parse(await File.ReadAllTextAsync(expected)).RootElement, scenario);
            }
        }
        else
        {
            Assert.False(fired.Contains(ruleId), description);
        }

        Assert.Equal(fired.Count, fired.Distinct().Count());
        Assert.DoesNotContain(json.GetProperty("collection").EnumerateArray(), c => c.GetProperty("source").GetString() == "rules");
    }

    private static void AssertNames(JsonElement finding, JsonElement expected, string scenario)
    {
        if (expected.TryGetProperty("severity", out var severity))
        {
            Assert.Equal(severity.GetString(), finding.GetProperty("severity").GetString());
        }

        var evidence = finding.GetProperty("evidence").EnumerateArray()
            .Select(e => (Source: e.GetProperty("source").GetString()!, Detail: e.GetProperty("detail").GetString()!)).ToList();
        foreach (var item in expected.GetProperty("evidence").EnumerateArray())
        {
            // A log's evidence names its line; a probe's or an object's only its source.
            var source = item.GetProperty("source").GetString()!;
            var line = item.TryGetProperty("line", out var n) ? $"line {n.GetInt32()} (" : "";
            Assert.True(evidence.Any(e => e.Source == source && e.Detail.StartsWith(line, StringComparison.Ordinal)),
                $"{scenario}: no evidence from {source} at {line}: {string.Join(" | ", evidence)}");
        }

        Contains("cause", finding.GetProperty("cause").GetString()!);
        Contains("remediation", string.Join(" ", finding.GetProperty("remediation").EnumerateArray().Select(r => r.GetProperty("summary").GetString())));

        void Contains(string field, string text)
        {
            if (expected.TryGetProperty(field, out var words))
            {
                foreach (var word in words.EnumerateArray())
                {
                    Assert.True(text.Contains(word.GetString()!, StringComparison.Ordinal), $"{scenario}: {field} lacks '{word}': {text}");
                }
            }
        }
    }

    [Fact]
    public void Every_rule_has_a_scenario_that_fires_it_and_a_near_miss()
    {
        var scenarios = ScenarioFiles();
        foreach (var rule in RuleBaseLoader.Load(Path.Combine(ApiFactory.RepoRoot, "rules")).Rules)
        {
            Assert.True(scenarios.Any(s => s.StartsWith(rule.Id + Path.DirectorySeparatorChar + "fires-", StringComparison.Ordinal)), $"no fires-*.json scenario for {rule.Id}");
            Assert.True(scenarios.Any(s => s.StartsWith(rule.Id + Path.DirectorySeparatorChar + "near-miss-", StringComparison.Ordinal)), $"no near-miss-*.json scenario for {rule.Id}");
        }
    }
}
