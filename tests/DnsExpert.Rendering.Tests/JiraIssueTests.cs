using System.Text.Json.Nodes;
using DnsExpert.Contract;
using DnsExpert.Testing;
using Json.Schema;

namespace DnsExpert.Rendering.Tests;

/// <summary>
/// <c>?format=jira</c>: every description validates against Atlassian's ADF JSON schema (<c>tests/fixtures/adf</c>), the
/// body keeps within Jira's 32,767 characters, response text stays in text nodes with no mark of its own, and the only
/// links are the service's absolute ones.
/// </summary>
public sealed class JiraIssueTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static readonly string SchemaPath = Path.Combine(RepoPaths.Root, "tests", "fixtures", "adf", "adf-full-57.7.22.json");

    /// <summary>
    /// The keywords whose meaning draft-04 and draft-07 share (<c>exclusiveMinimum</c>, <c>id</c> and the like changed;
    /// none of them is here). The schema is draft-04, which JsonSchema.Net does not read; it uses only these, so it is
    /// evaluated as draft-07 with the same result.
    /// </summary>
    private static readonly HashSet<string> SharedKeywords =
    [
        "$ref", "$schema", "additionalProperties", "allOf", "anyOf", "definitions", "description", "enum", "items",
        "maxItems", "maximum", "minItems", "minLength", "minimum", "pattern", "properties", "required", "type",
    ];

    private static readonly Lazy<JsonSchema> Schema = new(() =>
    {
        var schema = JsonNode.Parse(File.ReadAllText(SchemaPath))!.AsObject();
        Assert.Equal("http://json-schema.org/draft-04/schema#", schema["$schema"]!.GetValue<string>());
        schema["$schema"] = "http://json-schema.org/draft-07/schema#";
        return JsonSchema.FromText(schema.ToJsonString(), new BuildOptions { SchemaRegistry = new SchemaRegistry() });
    });

    /// <summary>Every keyword of a schema (the names under <c>properties</c> and <c>definitions</c> are not keywords).</summary>
    private static IEnumerable<string> Keywords(JsonNode? node) => node switch
    {
        JsonObject o => o.SelectMany(p => new[] { p.Key }.Concat(p.Key is "properties" or "definitions"
            ? p.Value!.AsObject().SelectMany(d => Keywords(d.Value)) : Keywords(p.Value))),
        JsonArray a => a.SelectMany(Keywords),
        _ => [],
    };

    [Fact]
    public void The_draft_04_schema_uses_only_keywords_draft_07_reads_the_same_way()
    {
        var keywords = Keywords(JsonNode.Parse(File.ReadAllText(SchemaPath))).ToHashSet();
        Assert.Subset(SharedKeywords, keywords);
        Assert.Contains("doc_node", File.ReadAllText(SchemaPath), StringComparison.Ordinal);
    }

    private static readonly Dictionary<string, string> Absolute = new() { ["report"] = "https://ops.example.com/dns/reports/x" };

    public static TheoryData<int> Corpus => HostileCorpus.Indexes;

    private static JsonObject Fields(JsonObject issue) => issue["fields"]!.AsObject();

    private static JsonObject Description(JsonObject issue) => Fields(issue)["description"]!.AsObject();

    /// <summary>Whether the document is valid: a flag (the detailed list walks every branch of ADF's anyOfs, seconds a document).</summary>
    private static EvaluationResults Evaluate(JsonObject doc, OutputFormat format = OutputFormat.Flag) =>
        Schema.Value.Evaluate(System.Text.Json.JsonDocument.Parse(doc.ToJsonString()).RootElement, new EvaluationOptions { OutputFormat = format });

    private static void AssertValid(JsonObject issue)
    {
        Assert.True(issue.ToJsonString().Length <= 32_767, $"{issue.ToJsonString().Length} characters");
        var summary = Fields(issue)["summary"]!.GetValue<string>();
        Assert.InRange(summary.Length, 1, 255);
        Assert.DoesNotContain(summary, char.IsControl);
        Assert.All(Fields(issue)["labels"]!.AsArray(), l => Assert.DoesNotContain(' ', l!.GetValue<string>()));
        Assert.Equal("dnsexpert", Fields(issue)["labels"]![0]!.GetValue<string>());
        if (Evaluate(Description(issue)).IsValid)
        {
            return;
        }

        var results = Evaluate(Description(issue), OutputFormat.List);
        Assert.Fail(string.Join("; ", (results.Details ?? []).Where(d => d.Errors is { Count: > 0 })
            .Select(d => $"{d.InstanceLocation}: {string.Join(", ", d.Errors!.Values)}").Take(20)));
    }

    /// <summary>Every node of a document, depth first, with the type of the node holding it.</summary>
    private static IEnumerable<(JsonObject Node, string? Parent)> Nodes(JsonNode? node, string? parent = null) => node switch
    {
        JsonObject o when o["type"] is not null && o["text"] is not null => [(o, parent)],
        JsonObject o => new[] { (o, parent) }.Concat((o["content"]?.AsArray() ?? []).SelectMany(c => Nodes(c, o["type"]!.GetValue<string>()))),
        _ => [],
    };

    [Theory]
    [MemberData(nameof(Corpus))]
    public void A_hostile_value_stays_text_in_a_valid_issue(int index)
    {
        var value = HostileCorpus.Values[index];
        var issue = JiraIssue.Render(HostileCorpus.Response(value) with { Links = Absolute });
        AssertValid(issue);

        var texts = Nodes(Description(issue)).Where(n => n.Node["type"]!.GetValue<string>() == "text").ToList();
        // Marks are this renderer's: strong, em and code, and links to the report only.
        var marks = texts.SelectMany(t => t.Node["marks"]?.AsArray() ?? []).ToList();
        Assert.All(marks, m => Assert.Contains(m!["type"]!.GetValue<string>(), new[] { "strong", "em", "code", "link" }));
        Assert.All(marks.Where(m => m!["type"]!.GetValue<string>() == "link"), m => Assert.Equal("https://ops.example.com/dns/reports/x", m!["attrs"]!["href"]!.GetValue<string>()));
        Assert.Contains(marks, m => m!["type"]!.GetValue<string>() == "link");

        // Commands are in code blocks as they are (their lines kept); any other text is one line with no live URL.
        var command = DnsExpert.Text.DisplayText.Block(value).Trim();
        bool IsCommand(string t) => t == command || (t.EndsWith('…') && command.StartsWith(t[..^1], StringComparison.Ordinal));
        Assert.Contains(texts, t => t.Parent == "codeBlock" && IsCommand(t.Node["text"]!.GetValue<string>()));
        Assert.All(texts.Where(t => t.Parent == "codeBlock"), t => Assert.DoesNotContain(t.Node["text"]!.GetValue<string>(), c => char.IsControl(c) && c is not ('\n' or '\t')));
        Assert.All(texts.Where(t => t.Parent != "codeBlock" && t.Node["marks"]?[0]?["type"]?.GetValue<string>() != "link"), t =>
        {
            var text = t.Node["text"]!.GetValue<string>();
            Assert.DoesNotContain(text, char.IsControl);
            Assert.DoesNotContain("://", text, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void A_finding_has_its_evidence_as_a_table_and_its_fix_as_code_blocks()
    {
        var issue = JiraIssue.Render(HostileCorpus.Response("kubectl -n kube-system rollout restart deployment/coredns") with { Links = Absolute });
        AssertValid(issue);
        var nodes = Nodes(Description(issue)).Select(n => n.Node).ToList();

        var table = Assert.Single(nodes, n => n["type"]!.GetValue<string>() == "table");
        var rows = table["content"]!.AsArray();
        Assert.Equal(["tableHeader", "tableHeader"], rows[0]!["content"]!.AsArray().Select(c => c!["type"]!.GetValue<string>()));
        Assert.True(rows.Count >= 2);
        Assert.Contains(nodes, n => n["type"]!.GetValue<string>() == "codeBlock" && n["attrs"]!["language"]!.GetValue<string>() == "shell"
            && n["content"]![0]!["text"]!.GetValue<string>() == "kubectl -n kube-system rollout restart deployment/coredns");
        Assert.Equal("High", Fields(issue)["priority"]!["name"]!.GetValue<string>());
        Assert.StartsWith("DNS: ", Fields(issue)["summary"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Severity.Critical, "High")]
    [InlineData(Severity.Warning, "Medium")]
    [InlineData(Severity.Info, "Low")]
    public void The_most_severe_finding_gives_the_priority_hint(Severity severity, string priority)
    {
        var one = HostileCorpus.Response("x");
        var issue = JiraIssue.Render(new DiagnosisResponse
        {
            Id = "d1", Classification = one.Classification, Collection = one.Collection, Hypotheses = one.Hypotheses,
            Findings = [Copy(one.Findings[0], Severity.Info), Copy(one.Findings[0], severity)],
        });
        Assert.Equal(priority, Fields(issue)["priority"]!["name"]!.GetValue<string>());
    }

    private static Finding Copy(Finding f, Severity severity) => new()
    {
        RuleId = f.RuleId, Severity = severity, Title = f.Title, Cause = f.Cause, Evidence = f.Evidence, Remediation = f.Remediation,
    };

    [Fact]
    public void Many_findings_are_cut_to_fit_and_counted()
    {
        var issue = JiraIssue.Render(HostileCorpus.Many(new string('é', 900) + " [x](https://evil.example) {color:red}", 80, Absolute));
        AssertValid(issue);

        var content = Description(issue)["content"]!.AsArray();
        var shown = content.Count(b => b!["type"]!.GetValue<string>() == "heading" && b["attrs"]!["level"]!.GetValue<int>() == 3
            && b["content"]![0]!["text"]!.GetValue<string>() != "Next checks");
        Assert.InRange(shown, 1, 79);
        var more = Assert.Single(content, b => b!["type"]!.GetValue<string>() == "paragraph"
            && b["content"]!.AsArray().Count > 0 && b["content"]![0]!["text"]!.GetValue<string>().EndsWith(" more finding(s) in the full report", StringComparison.Ordinal))!;
        Assert.Equal($"{80 - shown} more finding(s) in the full report", more["content"]![0]!["text"]!.GetValue<string>());
        Assert.Equal("https://ops.example.com/dns/reports/x", more["content"]![0]!["marks"]![0]!["attrs"]!["href"]!.GetValue<string>());
        output.WriteLine($"{shown} of 80 findings shown in {issue.ToJsonString().Length} characters");
    }

    [Fact]
    public void A_value_too_large_for_any_finding_still_gives_a_valid_issue_within_the_limit()
    {
        var issue = JiraIssue.Render(HostileCorpus.Many(string.Concat(Enumerable.Repeat("\u202e\"<&>'", 20_000)), 3));
        AssertValid(issue);
    }

    [Fact]
    public void Without_an_absolute_report_link_there_is_no_link_mark()
    {
        foreach (var links in new Dictionary<string, string>?[] { null, new() { ["report"] = "/reports/x" }, new() { ["report"] = "javascript:alert(1)" } })
        {
            var issue = JiraIssue.Render(HostileCorpus.Many("x", 2, links));
            AssertValid(issue);
            Assert.DoesNotContain("\"link\"", issue.ToJsonString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_schema_refuses_what_ADF_does_not_know()
    {
        // The validator is live: an empty text node, a mark that does not exist, a code block holding a marked text,
        // a table cell holding bare text, a document of another version.
        foreach (var breakIt in new Action<JsonObject>[]
        {
            doc => doc["content"]!.AsArray().Add(new JsonObject { ["type"] = "paragraph", ["content"] = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = "" }) }),
            doc => doc["content"]![0]!["content"]![0]!["marks"] = new JsonArray(new JsonObject { ["type"] = "script" }),
            doc => doc["content"]!.AsArray().Add(new JsonObject { ["type"] = "codeBlock", ["content"] = new JsonArray(new JsonObject
                { ["type"] = "text", ["text"] = "x", ["marks"] = new JsonArray(new JsonObject { ["type"] = "strong" }) }) }),
            doc => doc["content"]!.AsArray().Add(new JsonObject { ["type"] = "table", ["content"] = new JsonArray(new JsonObject
                { ["type"] = "tableRow", ["content"] = new JsonArray(new JsonObject { ["type"] = "tableCell", ["content"] = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = "x" }) }) }) }),
            doc => doc["version"] = 2,
        })
        {
            var doc = Description(JiraIssue.Render(HostileCorpus.Response("x")));
            Assert.True(Evaluate(doc).IsValid);
            breakIt(doc);
            Assert.False(Evaluate(doc).IsValid, doc.ToJsonString());
        }
    }
}
