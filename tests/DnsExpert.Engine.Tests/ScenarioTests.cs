using System.Text.Json;
using DnsExpert.Core.Contract;
using DnsExpert.Engine.Diagnosis;

namespace DnsExpert.Engine.Tests;

/// <summary>
/// Every rule is proven by request files a user could have pasted: <c>tests/scenarios/&lt;rule-id&gt;/fires-*.json</c> must
/// produce that finding, <c>near-miss-*.json</c> must not.
/// </summary>
public sealed class ScenarioTests
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static readonly Lazy<DiagnosisService> Service = new(() => new DiagnosisService(new DirectoryRuleBaseProvider(RepoPaths.Rules), TimeProvider.System));

    public static TheoryData<string> Scenarios() => new(ScenarioFiles());

    private static List<string> ScenarioFiles()
    {
        var data = new List<string>();
        var root = Path.Combine(RepoPaths.Root, "tests", "scenarios");
        foreach (var file in Directory.EnumerateFiles(root, "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var relative = Path.GetRelativePath(root, file);
            var name = Path.GetFileName(file);
            if (!relative.StartsWith('_') && (name.StartsWith("fires-", StringComparison.Ordinal) || name.StartsWith("near-miss-", StringComparison.Ordinal)))
            {
                data.Add(relative);
            }
        }

        return data;
    }

    internal static async Task<DiagnosisResponse> Diagnose(string relative)
    {
        var path = Path.Combine(RepoPaths.Root, "tests", "scenarios", relative);
        await using var stream = File.OpenRead(path);
        var request = await JsonSerializer.DeserializeAsync<DiagnosisRequest>(stream, Json) ?? throw new InvalidOperationException("empty request");
        return await Service.Value.DiagnoseAsync(request, CancellationToken.None);
    }

    [Theory]
    [MemberData(nameof(Scenarios))]
    public async Task Scenario_fires_or_not_as_its_name_says(string scenario)
    {
        var ruleId = Path.GetDirectoryName(scenario)!;
        var response = await Diagnose(scenario);
        var fired = response.Findings.Select(f => f.RuleId).ToList();
        var description = $"{scenario}: fired [{string.Join(", ", fired)}]; collection: {string.Join("; ", response.Collection.Select(c => $"{c.Source}={c.Status} {c.Detail}"))}";

        if (Path.GetFileName(scenario).StartsWith("fires-", StringComparison.Ordinal))
        {
            Assert.True(fired.Contains(ruleId), description);
            var finding = response.Findings.Single(f => f.RuleId == ruleId);
            Assert.NotEmpty(finding.Evidence);
            Assert.NotEmpty(finding.Remediation);
            Assert.DoesNotContain("{{", finding.Cause, StringComparison.Ordinal);
        }
        else
        {
            Assert.False(fired.Contains(ruleId), description);
        }

        Assert.Equal(fired.Count, fired.Distinct().Count());
        Assert.DoesNotContain(response.Collection, c => c.Source == "rules");
    }

    [Fact]
    public void Every_rule_has_a_scenario_that_fires_it_and_a_near_miss()
    {
        var scenarios = ScenarioFiles();
        foreach (var rule in Engine.RuleFiles.RuleBaseLoader.Load(RepoPaths.Rules).Rules)
        {
            Assert.True(scenarios.Any(s => s.StartsWith(rule.Id + Path.DirectorySeparatorChar + "fires-", StringComparison.Ordinal)), $"no fires-*.json scenario for {rule.Id}");
            Assert.True(scenarios.Any(s => s.StartsWith(rule.Id + Path.DirectorySeparatorChar + "near-miss-", StringComparison.Ordinal)), $"no near-miss-*.json scenario for {rule.Id}");
        }
    }
}
