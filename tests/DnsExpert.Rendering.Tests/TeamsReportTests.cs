using System.Text;
using System.Text.Json.Nodes;
using DnsExpert.Contract;
using DnsExpert.Testing;
using Json.Schema;

namespace DnsExpert.Rendering.Tests;

/// <summary>
/// <c>?format=teams</c>: every card validates against Microsoft's Adaptive Card 1.5 schema
/// (<c>tests/fixtures/adaptive-cards</c>), keeps within Teams' 28 KB, holds response text only where Adaptive Cards
/// read no Markdown, and links the report only when its link is absolute.
/// </summary>
public sealed class TeamsReportTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static readonly Lazy<JsonSchema> Schema = new(() => JsonSchema.FromText(
        File.ReadAllText(Path.Combine(RepoPaths.Root, "tests", "fixtures", "adaptive-cards", "adaptive-card-1.5.json")),
        new BuildOptions { SchemaRegistry = new SchemaRegistry() }));

    private static readonly Dictionary<string, string> Absolute = new() { ["report"] = "https://ops.example.com/dns/reports/x" };

    public static TheoryData<int> Corpus => HostileCorpus.Indexes;

    /// <summary>The card of a message, after checking the envelope Teams' incoming webhooks and Workflows take.</summary>
    private static JsonObject Card(JsonObject message)
    {
        Assert.Equal("message", message["type"]!.GetValue<string>());
        var attachment = Assert.Single(message["attachments"]!.AsArray())!;
        Assert.Equal("application/vnd.microsoft.card.adaptive", attachment["contentType"]!.GetValue<string>());
        var card = attachment["content"]!.AsObject();
        Assert.Equal("1.5", card["version"]!.GetValue<string>());
        return card;
    }

    private static EvaluationResults Evaluate(JsonObject card) =>
        Schema.Value.Evaluate(System.Text.Json.JsonDocument.Parse(card.ToJsonString()).RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });

    private static void AssertValid(JsonObject message)
    {
        Assert.True(Encoding.UTF8.GetByteCount(message.ToJsonString()) <= 28 * 1024, $"{Encoding.UTF8.GetByteCount(message.ToJsonString())} bytes");
        var results = Evaluate(Card(message));
        Assert.True(results.IsValid, string.Join("; ", (results.Details ?? []).Where(d => d.Errors is { Count: > 0 })
            .Select(d => $"{d.InstanceLocation}: {string.Join(", ", d.Errors!.Values)}")));
    }

    /// <summary>Every node of a card with a <c>type</c>, depth first.</summary>
    private static IEnumerable<JsonObject> Typed(JsonNode? node) => node switch
    {
        JsonObject o => (o["type"] is not null ? [o] : Enumerable.Empty<JsonObject>()).Concat(o.Select(p => p.Value).SelectMany(Typed)),
        JsonArray a => a.SelectMany(Typed),
        _ => [],
    };

    [Theory]
    [MemberData(nameof(Corpus))]
    public void A_failed_diagnosis_is_a_valid_card_that_says_so_with_its_error_as_text(int index)
    {
        var value = HostileCorpus.Values[index];
        var message = TeamsReport.Render(HostileCorpus.Response(value) with { Status = DiagnosisStatus.Failed, Error = value, Links = Absolute });
        AssertValid(message);

        var nodes = Typed(Card(message)).ToList();
        Assert.Equal("The DNS diagnosis failed; nothing was concluded.", Assert.Single(nodes, n => n["type"]!.GetValue<string>() == "TextBlock")["text"]!.GetValue<string>());
        Assert.DoesNotContain("Next checks", message.ToJsonString(), StringComparison.Ordinal);
        Assert.DoesNotContain("msteams", message.ToJsonString(), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Corpus))]
    public void A_hostile_value_stays_text_in_a_valid_card(int index)
    {
        var value = HostileCorpus.Values[index];
        var message = TeamsReport.Render(HostileCorpus.Response(value) with { Links = Absolute });
        AssertValid(message);

        var nodes = Typed(Card(message)).ToList();
        // Markdown is read in TextBlocks only: theirs are this renderer's own words.
        string[] own = ["Next checks", "Send each output back as evidence (outputs[]).", "more finding(s) in the full report.", "more check(s) in the full report."];
        Assert.All(nodes.Where(n => n["type"]!.GetValue<string>() == "TextBlock"),
            n => Assert.Contains(own, o => n["text"]!.GetValue<string>().EndsWith(o, StringComparison.Ordinal)));
        // No mention: no msteams entities; no link but the report's own.
        Assert.DoesNotContain("msteams", message.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal(["https://ops.example.com/dns/reports/x", "https://ops.example.com/dns/reports/x#next-checks"],
            nodes.Where(n => n["url"] is not null).Select(n => n["url"]!.GetValue<string>()));
        var runs = nodes.Where(n => n["type"]!.GetValue<string>() == "TextRun").ToList();
        Assert.All(runs, r => Assert.DoesNotContain(r["text"]!.GetValue<string>(), c => char.IsControl(c) && c != '\n'));

        // Commands are copied as they are (monospace, their lines kept); any other text has no live URL.
        var command = DnsExpert.Text.DisplayText.Block(value).Trim();
        bool IsCommand(JsonObject run) => run["fontType"]?.GetValue<string>() == "monospace" && run["text"]!.GetValue<string>() is var t
            && (t == command || (t.EndsWith('…') && command.StartsWith(t[..^1], StringComparison.Ordinal)));
        Assert.Contains(runs, IsCommand);
        Assert.All(runs.Where(r => !IsCommand(r)), r => Assert.DoesNotContain("://", r["text"]!.GetValue<string>(), StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Corpus))]
    public void A_notice_holds_typed_text_only_in_runs_of_one_line_without_a_live_URL_in_a_valid_card(int index)
    {
        var value = HostileCorpus.Values[index];
        var message = TeamsReport.Notice(
            [[new NoticeRun("Not started: ", Bold: true), new NoticeRun($"\u201c{value}\u201d is not <namespace>/<pod>.")], [new NoticeRun(value, Code: true)]],
            [new DnsExpert.Rendering.ChatButton("open-report", "Open report", "https://ops.example.com/dns/reports/x")]);
        AssertValid(message);

        var nodes = Typed(Card(message)).ToList();
        Assert.DoesNotContain(nodes, n => n["type"]!.GetValue<string>() == "TextBlock");
        Assert.DoesNotContain("msteams", message.ToJsonString(), StringComparison.Ordinal);
        var runs = nodes.Where(n => n["type"]!.GetValue<string>() == "TextRun").Select(n => n["text"]!.GetValue<string>()).ToList();
        Assert.Equal(3, runs.Count);
        Assert.All(runs, r => Assert.DoesNotContain(r, c => char.IsControl(c)));
        Assert.All(runs, r => Assert.DoesNotContain("://", r, StringComparison.Ordinal));
        Assert.Equal(["https://ops.example.com/dns/reports/x"], nodes.Where(n => n["url"] is not null).Select(n => n["url"]!.GetValue<string>()));
    }

    [Fact]
    public void Many_findings_are_cut_to_fit_and_counted()
    {
        var message = TeamsReport.Render(HostileCorpus.Many(new string('é', 900) + " [x](https://evil.example) <at>everyone</at>", 80, Absolute));
        AssertValid(message);

        var texts = Typed(Card(message)).Where(n => n["type"]!.GetValue<string>() == "TextBlock").Select(n => n["text"]!.GetValue<string>()).ToList();
        var more = Assert.Single(texts, t => t.EndsWith(" more finding(s) in the full report.", StringComparison.Ordinal));
        var shown = Card(message)["body"]!.AsArray().Count(b => b!["type"]!.GetValue<string>() == "Container");
        Assert.InRange(shown, 1, 79);
        Assert.Equal($"{80 - shown} more finding(s) in the full report.", more);
        output.WriteLine($"{shown} of 80 findings shown in {Encoding.UTF8.GetByteCount(message.ToJsonString())} bytes");
    }

    [Fact]
    public void A_value_too_large_for_any_finding_still_gives_a_valid_card_within_the_limit()
    {
        var message = TeamsReport.Render(HostileCorpus.Many(string.Concat(Enumerable.Repeat("\u202e\"<&>'", 20_000)), 3));
        AssertValid(message);
    }

    [Fact]
    public void Without_an_absolute_report_link_there_is_no_action()
    {
        foreach (var links in new Dictionary<string, string>?[] { null, new() { ["report"] = "/reports/x" }, new() { ["report"] = "javascript:alert(1)" } })
        {
            var message = TeamsReport.Render(HostileCorpus.Response("x") with { Links = links });
            AssertValid(message);
            Assert.Null(Card(message)["actions"]);
        }
    }

    [Fact]
    public void The_schema_refuses_what_Adaptive_Cards_do_not_know()
    {
        // The validator is live: a property a TextRun does not have, an element that does not exist, an OpenUrl without its url.
        foreach (var breakIt in new Action<JsonObject>[]
        {
            card => card["body"]![0]!["inlines"]![0]!["markdown"] = true,
            card => card["body"]!.AsArray().Add(new JsonObject { ["type"] = "Markdown", ["text"] = "x" }),
            card => card["actions"] = new JsonArray(new JsonObject { ["type"] = "Action.OpenUrl", ["title"] = "no url" }),
        })
        {
            var card = Card(TeamsReport.Render(HostileCorpus.Response("x")));
            Assert.True(Evaluate(card).IsValid);
            breakIt(card);
            Assert.False(Evaluate(card).IsValid, card.ToJsonString());
        }
    }
}
