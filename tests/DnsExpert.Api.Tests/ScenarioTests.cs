using System.Text;
using System.Text.Json;
using DnsExpert.Engine.Compilation;

namespace DnsExpert.Api.Tests;

/// <summary>
/// Every rule is proven, through the real HTTP pipeline, by request files a user could have pasted:
/// <c>tests/scenarios/&lt;rule-id&gt;/fires-*.json</c> must produce that finding, <c>near-miss-*.json</c> must not.
/// A <c>fires-*.expect.json</c> beside a scenario names what the finding must say: its severity, the evidence (which
/// object, which line: a <c>detail</c> exactly, or texts it <c>detailContains</c>), and words its cause and remediation
/// must or must not contain.
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
            var expect = Path.Combine(ScenarioRoot, Path.ChangeExtension(scenario, null) + ExpectSuffix);
            if (File.Exists(expect))
            {
                CheckExpectations(finding, JsonDocument.Parse(await File.ReadAllTextAsync(expect)).RootElement, scenario);
            }
        }
        else
        {
            Assert.False(fired.Contains(ruleId), description);
        }

        Assert.Equal(fired.Count, fired.Distinct().Count());
        Assert.DoesNotContain(json.GetProperty("collection").EnumerateArray(), c => c.GetProperty("source").GetString() == "rules");
    }

    private static readonly HashSet<string> ExpectKeys = new(StringComparer.Ordinal)
    {
        "origin", "artifactSource", "distribution", "ruleId", "severity", "evidence", "cause", "causeContains", "remediation", "remediationContains",
        "remediationLacks", "nowhere", "explains", "explainedBy", "noTicket", "ticketInstanceIds",
    };

    private static readonly HashSet<string> EvidenceKeys = new(StringComparer.Ordinal)
    {
        "evidence.source", "evidence.detail", "evidence.detailContains", "evidence.line",
    };

    /// <summary>
    /// <c>severity</c>: the finding's; <c>evidence</c>: items the finding must list, by source exactly and by
    /// <c>detail</c> exactly or the texts it <c>detailContains</c>; <c>causeContains</c>, <c>remediationContains</c>,
    /// <c>remediationLacks</c>: phrases its cause or some remediation (summary, command, snippet) must (not) hold
    /// (<c>cause</c> and <c>remediation</c> are short for the first two; an evidence <c>line</c> N means its detail names
    /// log line N); <c>nowhere</c>: texts the finding holds nowhere; <c>explains</c>, <c>explainedBy</c>: exactly those
    /// rule ids; <c>noTicket</c>; <c>ticketInstanceIds</c>: the ticket's CoreDNS instance ids; <c>origin</c> cites the
    /// real artifact the scenario is built from, <c>distribution</c> the distribution its objects are shaped from
    /// (<see cref="ScenarioDistributionTests"/>).
    /// </summary>
    private static void CheckExpectations(JsonElement finding, JsonElement expect, string scenario)
    {
        // A misspelt key would be read as no expectation at all: every key must be one this method checks.
        var unknown = expect.EnumerateObject().Select(p => p.Name).Where(k => !ExpectKeys.Contains(k))
            .Concat(Items(expect, "evidence").SelectMany(e => e.EnumerateObject().Select(p => "evidence." + p.Name)).Where(k => !EvidenceKeys.Contains(k)))
            .ToList();
        Assert.True(unknown.Count == 0, $"{scenario}: unknown expectation key(s) {string.Join(", ", unknown)}");
        if (expect.TryGetProperty("ruleId", out var ruleId))
        {
            Assert.Equal(Path.GetDirectoryName(scenario), ruleId.GetString());
        }

        if (expect.TryGetProperty("severity", out var severity))
        {
            Assert.Equal(severity.GetString(), finding.GetProperty("severity").GetString());
        }

        var evidence = finding.GetProperty("evidence").EnumerateArray()
            .Select(e => (Source: e.GetProperty("source").GetString()!, Detail: e.GetProperty("detail").GetString()!)).ToList();
        var listed = string.Join("\n", evidence.Select(e => $"{e.Source} | {e.Detail}"));
        foreach (var item in Items(expect, "evidence"))
        {
            var source = item.GetProperty("source").GetString()!;
            var texts = item.TryGetProperty("detail", out var exact)
                ? [exact.GetString()!]
                : Items(item, "detailContains").Select(t => t.GetString()!).ToList();
            if (item.TryGetProperty("line", out var line))
            {
                texts.Add($"line {line.GetInt32()} (");
            }

            var whole = item.TryGetProperty("detail", out _);
            Assert.True(
                evidence.Any(e => e.Source == source && (whole ? e.Detail == texts[0] : texts.All(t => e.Detail.Contains(t, StringComparison.Ordinal)))),
                $"{scenario}: no evidence from '{source}' {(whole ? "reading" : "containing")} [{string.Join(" | ", texts)}] among\n{listed}");
        }

        var cause = finding.GetProperty("cause").GetString()!;
        foreach (var phrase in Items(expect, "causeContains").Concat(Items(expect, "cause")))
        {
            Assert.True(cause.Contains(phrase.GetString()!, StringComparison.Ordinal), $"{scenario}: cause lacks '{phrase}': {cause}");
        }

        var remediation = string.Join("\n", finding.GetProperty("remediation").EnumerateArray().Select(r => string.Join("\n",
            new[] { "summary", "command", "snippet" }.Select(p => r.TryGetProperty(p, out var v) ? v.GetString() : null).OfType<string>())));
        foreach (var phrase in Items(expect, "remediationContains").Concat(Items(expect, "remediation")))
        {
            Assert.True(remediation.Contains(phrase.GetString()!, StringComparison.Ordinal), $"{scenario}: remediation lacks '{phrase}': {remediation}");
        }

        foreach (var phrase in Items(expect, "remediationLacks"))
        {
            Assert.False(remediation.Contains(phrase.GetString()!, StringComparison.Ordinal), $"{scenario}: remediation says '{phrase}': {remediation}");
        }

        foreach (var text in Items(expect, "nowhere"))
        {
            Assert.DoesNotContain(text.GetString()!, JsonSerializer.Serialize(finding, Unescaped), StringComparison.Ordinal);
        }

        foreach (var relation in new[] { "explains", "explainedBy" }.Where(r => expect.TryGetProperty(r, out _)))
        {
            Assert.Equal(
                Items(expect, relation).Select(e => e.GetString()!),
                finding.TryGetProperty(relation, out var actual) ? actual.EnumerateArray().Select(e => e.GetString()!) : []);
        }

        if (expect.TryGetProperty("noTicket", out _))
        {
            Assert.False(finding.TryGetProperty("ticket", out _), $"{scenario}: a ticket was opened: {finding}");
        }

        if (expect.TryGetProperty("ticketInstanceIds", out var instances))
        {
            Assert.Equal(
                instances.EnumerateArray().Select(i => i.GetString()),
                finding.GetProperty("ticket").GetProperty("coreDnsNodes").EnumerateArray().Select(n => n.GetProperty("instanceId").GetString()));
        }
    }

    private static readonly JsonSerializerOptions Unescaped = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static List<JsonElement> Items(JsonElement expect, string name) =>
        expect.TryGetProperty(name, out var items) ? [.. items.EnumerateArray()] : [];

    /// <summary>Where a near miss says where it comes from: its <c>.expect.json</c> holds these keys only (it expects nothing but not firing).</summary>
    private static readonly HashSet<string> NearMissKeys = new(StringComparer.Ordinal) { "origin", "distribution" };

    [Fact]
    public void Every_expectation_file_belongs_to_a_scenario_that_fires_or_says_where_a_near_miss_comes_from()
    {
        foreach (var expect in Directory.EnumerateFiles(ScenarioRoot, "*" + ExpectSuffix, SearchOption.AllDirectories))
        {
            var scenario = expect[..^ExpectSuffix.Length] + ".json";
            var name = Path.GetFileName(scenario);
            Assert.True(File.Exists(scenario) && (name.StartsWith("fires-", StringComparison.Ordinal) || name.StartsWith("near-miss-", StringComparison.Ordinal)),
                $"{expect}: no fires-*.json or near-miss-*.json scenario beside it");
            if (name.StartsWith("near-miss-", StringComparison.Ordinal))
            {
                var keys = JsonDocument.Parse(File.ReadAllText(expect)).RootElement.EnumerateObject().Select(p => p.Name).ToList();
                Assert.True(keys.All(NearMissKeys.Contains), $"{expect}: a near miss's expectation holds only {string.Join(" and ", NearMissKeys)}, not {string.Join(", ", keys)}");
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
