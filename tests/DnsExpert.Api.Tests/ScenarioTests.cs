using System.Text;
using System.Text.Json;
using DnsExpert.Engine.RuleFiles;

namespace DnsExpert.Api.Tests;

/// <summary>
/// Every rule is proven, through the real HTTP pipeline, by request files a user could have pasted:
/// <c>tests/scenarios/&lt;rule-id&gt;/fires-*.json</c> must produce that finding, <c>near-miss-*.json</c> must not.
/// A fires scenario may have a <c>fires-*.expect.json</c> next to it: the finding's severity, and for each expected
/// evidence entry its exact source (which object, log or file) and the texts its detail contains (which line).
/// </summary>
public sealed class ScenarioTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private static readonly string ScenarioRoot = Path.Combine(ApiFactory.RepoRoot, "tests", "scenarios");
    private const string ExpectSuffix = ".expect.json";
    private readonly HttpClient _client = factory.CreateClient();

    public static TheoryData<string> Scenarios() => new(ScenarioFiles());

    private static List<string> ScenarioFiles() =>
        Directory.EnumerateFiles(ScenarioRoot, "*.json", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(ScenarioRoot, f))
            .Where(f => !f.StartsWith('_') && !f.EndsWith(ExpectSuffix, StringComparison.Ordinal)
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
            var expectFile = Path.Combine(ScenarioRoot, Path.ChangeExtension(scenario, null) + ExpectSuffix);
            if (File.Exists(expectFile))
            {
                AssertExpected(finding, JsonDocument.Parse(await File.ReadAllTextAsync(expectFile)).RootElement);
            }
        }
        else
        {
            Assert.False(fired.Contains(ruleId), description);
        }

        Assert.Equal(fired.Count, fired.Distinct().Count());
        Assert.DoesNotContain(json.GetProperty("collection").EnumerateArray(), c => c.GetProperty("source").GetString() == "rules");
    }

    /// <summary>
    /// The severity; which findings it explains and is explained by (<c>explains</c>, <c>explainedBy</c>: exactly those
    /// rule ids); <c>noTicket</c>; texts some remediation contains (<c>remediationContains</c>) and texts the finding
    /// contains nowhere (<c>nowhere</c>); the ticket's CoreDNS instance ids (<c>ticketInstanceIds</c>); and each expected evidence entry: its source exactly, its detail containing
    /// every text listed.
    /// </summary>
    private static void AssertExpected(JsonElement finding, JsonElement expect)
    {
        if (expect.TryGetProperty("severity", out var severity))
        {
            Assert.Equal(severity.GetString(), finding.GetProperty("severity").GetString());
        }

        foreach (var relation in new[] { "explains", "explainedBy", "noTicket" }.Where(r => expect.TryGetProperty(r, out _)))
        {
            if (relation == "noTicket")
            {
                Assert.False(finding.TryGetProperty("ticket", out _), $"a ticket was opened: {finding}");
                continue;
            }

            Assert.Equal(
                expect.GetProperty(relation).EnumerateArray().Select(e => e.GetString()!),
                finding.TryGetProperty(relation, out var actual) ? actual.EnumerateArray().Select(e => e.GetString()!) : []);
        }

        var remediation = finding.GetProperty("remediation").EnumerateArray()
            .Select(r => r.GetProperty("summary").GetString() + "\n" + (r.TryGetProperty("command", out var c) ? c.GetString() : "")).ToList();
        foreach (var text in expect.TryGetProperty("remediationContains", out var wanted) ? wanted.EnumerateArray().Select(t => t.GetString()!) : [])
        {
            Assert.True(remediation.Any(r => r.Contains(text, StringComparison.Ordinal)), $"no remediation contains '{text}':\n{string.Join("\n", remediation)}");
        }

        foreach (var text in expect.TryGetProperty("nowhere", out var banned) ? banned.EnumerateArray().Select(t => t.GetString()!) : [])
        {
            Assert.DoesNotContain(text, finding.ToString(), StringComparison.Ordinal);
        }

        if (expect.TryGetProperty("ticketInstanceIds", out var instances))
        {
            Assert.Equal(
                instances.EnumerateArray().Select(i => i.GetString()),
                finding.GetProperty("ticket").GetProperty("coreDnsNodes").EnumerateArray().Select(n => n.GetProperty("instanceId").GetString()));
        }

        if (!expect.TryGetProperty("evidence", out _))
        {
            return;
        }

        var evidence = finding.GetProperty("evidence").EnumerateArray()
            .Select(e => (Source: e.GetProperty("source").GetString()!, Detail: e.GetProperty("detail").GetString()!)).ToList();
        foreach (var expected in expect.GetProperty("evidence").EnumerateArray())
        {
            var source = expected.GetProperty("source").GetString()!;
            var texts = expected.GetProperty("detailContains").EnumerateArray().Select(t => t.GetString()!).ToList();
            Assert.True(
                evidence.Any(e => e.Source == source && texts.All(t => e.Detail.Contains(t, StringComparison.Ordinal))),
                $"no evidence from '{source}' containing [{string.Join(" | ", texts)}] in:\n{string.Join("\n", evidence)}");
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
