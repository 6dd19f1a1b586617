using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DnsExpert.Api.Tests;

/// <summary>Sick clusters with several faults at once, and the guide's routing by symptom.</summary>
public sealed class CombinedScenarioTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private static readonly string Combined = Path.Combine(ApiFactory.RepoRoot, "tests", "scenarios", "_combined");
    private readonly HttpClient _client = factory.CreateClient();

    public static TheoryData<string> Expectations() =>
        new(Directory.EnumerateFiles(Combined, "*.expected.json").Select(Path.GetFileName).Order(StringComparer.Ordinal)!);

    private async Task<List<JsonElement>> Findings(string body)
    {
        var response = await _client.PostAsync("/api/v1/diagnoses", new StringContent(body, Encoding.UTF8, "application/json"));
        return (await response.Json()).GetProperty("findings").EnumerateArray().ToList();
    }

    [Theory]
    [MemberData(nameof(Expectations))]
    public async Task Every_fault_is_found_once_and_ranked_by_severity(string expectedFile)
    {
        using var expected = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(Combined, expectedFile)));
        var root = expected.RootElement;
        var requestPath = root.TryGetProperty("request", out var r)
            ? Path.Combine(ApiFactory.RepoRoot, r.GetString()!)
            : Path.Combine(Combined, expectedFile.Replace(".expected.json", ".json", StringComparison.Ordinal));

        var findings = await Findings(await File.ReadAllTextAsync(requestPath));
        var ids = findings.Select(f => f.GetProperty("ruleId").GetString()!).ToList();

        Assert.Equal(ids.Count, ids.Distinct().Count());
        foreach (var id in root.GetProperty("mustFire").EnumerateArray().Select(e => e.GetString()!))
        {
            Assert.True(ids.Contains(id), $"{id} missing from [{string.Join(", ", ids)}]");
        }

        foreach (var id in root.GetProperty("mustNotFire").EnumerateArray().Select(e => e.GetString()!))
        {
            Assert.False(ids.Contains(id), $"{id} fired: [{string.Join(", ", ids)}]");
        }

        // By severity, except that an effect stands under its cause (which carries the effect's severity); an effect
        // that full proof of its cause explains is no competing critical.
        var severities = findings.Where(f => !f.TryGetProperty("explainedBy", out _))
            .Select(f => f.GetProperty("severity").GetString() switch { "critical" => 0, "warning" => 1, _ => 2 }).ToList();
        Assert.Equal(severities.Order(), severities);
        foreach (var (finding, index) in findings.Select((f, i) => (f, i)))
        {
            foreach (var cause in finding.TryGetProperty("explainedBy", out var by) ? by.EnumerateArray().Select(c => c.GetString()!) : [])
            {
                Assert.True(ids.IndexOf(cause) < index, $"{cause} explains {ids[index]} but ranks below it: [{string.Join(", ", ids)}]");
            }
        }
    }

    [Theory]
    [InlineData("peak", "conntrack-table-full", "coredns-forward-loop")]
    [InlineData("always", "coredns-forward-loop", "conntrack-table-full")]
    public async Task Reported_frequency_reorders_findings_of_one_severity(string frequency, string first, string second)
    {
        var request = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(ApiFactory.RepoRoot, "tests", "scenarios", "_routing", "forward-loop-and-conntrack.json")))!;
        request["symptom"]!["frequency"] = frequency;
        var ids = (await Findings(request.ToJsonString())).Select(f => f.GetProperty("ruleId").GetString()!).ToList();

        Assert.Contains(first, ids);
        Assert.Contains(second, ids);
        Assert.True(ids.IndexOf(first) < ids.IndexOf(second), $"expected {first} before {second}: [{string.Join(", ", ids)}]");
    }
}
