using System.Text;
using System.Text.Json;

namespace DnsExpert.Api.Tests;

/// <summary>
/// A scenario carried onto another distribution's objects (<c>tests/fixtures/distributions/SOURCES.md</c>, "Scenarios
/// rebased": its <c>origin</c> starts with the scenario of the same folder it was carried from) keeps that scenario's
/// incident lines, so the engine must come to the same verdict on it: the same rules, each with the same severity. Only
/// what the distribution decides may differ (where a Corefile change lasts, the names of nodes and addresses), which
/// the rule ids and severities do not show; a rebase that changed what the scenario proves shows here.
/// </summary>
public sealed class RebasedScenarioTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private static readonly string ScenarioRoot = Path.Combine(ApiFactory.RepoRoot, "tests", "scenarios");
    private readonly HttpClient _client = factory.CreateClient();

    /// <summary>Each rebased scenario (<c>rule/file</c>) and the one it was carried from (<c>rule/file</c>).</summary>
    public static TheoryData<string, string> Rebased()
    {
        var data = new TheoryData<string, string>();
        foreach (var expect in Directory.EnumerateFiles(ScenarioRoot, "*.expect.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var origin = JsonDocument.Parse(File.ReadAllText(expect)).RootElement.TryGetProperty("origin", out var o) ? o.GetString() ?? "" : "";
            var end = origin.IndexOf(".json", StringComparison.Ordinal);
            if (!origin.Contains("\"Scenarios rebased\"", StringComparison.Ordinal) || end <= 0 || origin[..end].Contains(' ', StringComparison.Ordinal))
            {
                continue;
            }

            var folder = Path.GetDirectoryName(expect)!;
            var source = Path.Combine(folder, origin[..(end + ".json".Length)]);
            if (File.Exists(source))
            {
                data.Add(Path.GetRelativePath(ScenarioRoot, expect)[..^".expect.json".Length] + ".json", Path.GetRelativePath(ScenarioRoot, source));
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Rebased))]
    public async Task A_rebased_scenario_comes_to_the_verdict_of_the_one_it_was_carried_from(string rebased, string source)
    {
        Assert.Equal(await Verdict(source), await Verdict(rebased));
    }

    private async Task<string> Verdict(string scenario)
    {
        var body = await File.ReadAllTextAsync(Path.Combine(ScenarioRoot, scenario));
        var response = await _client.PostAsync("/api/v1/diagnoses", new StringContent(body, Encoding.UTF8, "application/json"));
        var json = await response.Json();
        Assert.True(response.IsSuccessStatusCode, json.ToString());
        return string.Join(", ", json.GetProperty("findings").EnumerateArray()
            .Select(f => $"{f.GetProperty("ruleId").GetString()} {f.GetProperty("severity").GetString()}").Order(StringComparer.Ordinal));
    }
}
