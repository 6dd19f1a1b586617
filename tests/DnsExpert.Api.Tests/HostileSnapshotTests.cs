using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DnsExpert.Testing;

namespace DnsExpert.Api.Tests;

/// <summary>
/// The hostile corpus end to end: each value rides in a CoreDNS log line of a real snapshot, through the log scanner,
/// a rule's evidence and the history, into every format the API serves (JSON, Markdown, Slack, Teams, Jira, the HTML report,
/// the ticket text). None of them may carry a control character, markup, a mention or a link from it.
/// </summary>
public sealed class HostileSnapshotTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    public static TheoryData<int> Corpus => HostileCorpus.Indexes;

    private static string Request(string value)
    {
        var node = JsonNode.Parse(File.ReadAllText(Path.Combine(ApiFactory.RepoRoot, "src", "DnsExpert.Api", "Samples", "sick-cluster.json")))!;
        var log = node["snapshot"]!["logs"]![0]!;
        log["text"] = log["text"]!.GetValue<string>()
            + "\n2024-05-13T08:30:00.000000000Z [FATAL] plugin/loop: Loop (127.0.0.1:34537 -> :53) detected for zone \".\", "
            + "see https://coredns.io/plugins/loop#troubleshooting. Query: \"HINFO IN " + value + "\"\n";
        return node.ToJsonString();
    }

    /// <summary>No control character but line feed and tab, no DEL or C1, no bidi override or isolate, no line separator.</summary>
    private static void AssertClean(string format, string output)
    {
        var bad = output.Select((c, i) => (c, i)).FirstOrDefault(x => x.c is not ('\n' or '\t')
            && (char.IsControl(x.c) || x.c is >= '\u202a' and <= '\u202e' or >= '\u2066' and <= '\u2069' or '\u2028' or '\u2029'));
        Assert.True(bad == default, $"{format}: U+{(int)bad.c:X4} at {bad.i}: {output[Math.Max(0, bad.i - 40)..Math.Min(output.Length, bad.i + 40)]}");
    }

    [Theory]
    [MemberData(nameof(Corpus))]
    public async Task A_hostile_log_line_reaches_the_evidence_and_no_format_carries_its_markup(int index)
    {
        var value = HostileCorpus.Values[index];
        var client = factory.CreateClient();
        var posted = await client.PostAsync("/api/v1/diagnoses", new StringContent(Request(value), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
        var json = await posted.Content.ReadAsStringAsync();
        var diagnosis = JsonDocument.Parse(json).RootElement;
        var loop = diagnosis.GetProperty("findings").EnumerateArray().Single(f => f.GetProperty("ruleId").GetString() == "coredns-forward-loop");
        Assert.Contains(loop.GetProperty("evidence").EnumerateArray(), e => e.GetProperty("detail").GetString()!.Contains("HINFO IN", StringComparison.Ordinal));
        var id = diagnosis.GetProperty("id").GetString()!;

        foreach (var evidence in loop.GetProperty("evidence").EnumerateArray())
        {
            AssertClean("json evidence", evidence.GetProperty("detail").GetString()!);
        }

        var markdown = await client.GetStringAsync($"/api/v1/diagnoses/{id}?format=markdown");
        AssertClean("markdown", markdown);
        foreach (var raw in new[] { "<script", "<img", "<style", "<!--", "<b>", "<!channel>", "<@U123>" })
        {
            Assert.DoesNotContain(raw, markdown, StringComparison.OrdinalIgnoreCase);
        }

        var slack = await client.GetStringAsync($"/api/v1/diagnoses/{id}?format=slack");
        var texts = JsonNode.Parse(slack)!.DescendantsText().ToList();
        Assert.NotEmpty(texts);
        foreach (var text in texts)
        {
            AssertClean("slack", text);
            foreach (var raw in new[] { "<!channel>", "<!here>", "<@U123>", "<#C123", "<http://evil", "<!date", "<script" })
            {
                Assert.DoesNotContain(raw, text, StringComparison.Ordinal);
            }
        }

        // Teams: response text only in TextRuns (never read as Markdown), with no live URL; no mention entities.
        var teams = JsonNode.Parse(await client.GetStringAsync($"/api/v1/diagnoses/{id}?format=teams"))!;
        Assert.Equal("AdaptiveCard", teams["attachments"]![0]!["content"]!["type"]!.GetValue<string>());
        Assert.DoesNotContain("msteams", teams.ToJsonString(), StringComparison.Ordinal);
        foreach (var text in teams.DescendantsText())
        {
            AssertClean("teams", text);
        }

        // Jira: response text only in ADF text nodes; no mark but the renderer's own (links only to the report, and
        // without a public base there is none).
        var jira = JsonNode.Parse(await client.GetStringAsync($"/api/v1/diagnoses/{id}?format=jira"))!;
        Assert.Equal("doc", jira["fields"]!["description"]!["type"]!.GetValue<string>());
        Assert.DoesNotContain("\"link\"", jira.ToJsonString(), StringComparison.Ordinal);
        foreach (var text in jira.DescendantsText())
        {
            AssertClean("jira", text);
        }

        var html = await client.GetStringAsync($"/reports/{id}");
        AssertClean("html", html);
        foreach (var raw in new[] { "<script>alert", "<img", "<style>body", "<b>", "<!--" })
        {
            Assert.DoesNotContain(raw, html, StringComparison.OrdinalIgnoreCase);
        }

        var ticket = await client.GetAsync($"/api/v1/diagnoses/{id}/ticket?format=markdown");
        if (ticket.StatusCode == HttpStatusCode.OK)
        {
            AssertClean("ticket", await ticket.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task Pasted_commands_with_escapes_reach_no_json_string_of_the_response()
    {
        const string Hostile = "\u001b[31m\u0007\u202e";
        var dig = File.ReadAllText(Path.Combine(ApiFactory.RepoRoot, "tests", "fixtures", "dns-tools", "dig-nx.txt"))
            .Replace("@127.0.0.1 -p 15353 nope.test A", $"@10.96.0.10 api.example.com -t {Hostile}TYPE", StringComparison.Ordinal)
            .Replace(";nope.test.\t\t\tIN\tA", $";api.example.com.\t\t\tIN\t{Hostile}TYPE", StringComparison.Ordinal)
            .Replace("127.0.0.1#15353(127.0.0.1)", "10.96.0.10#53(10.96.0.10)", StringComparison.Ordinal);
        var body = new JsonObject
        {
            ["target"] = new JsonObject { ["namespace"] = "shop", ["pod"] = "web-0" },
            ["symptom"] = new JsonObject { ["errorMessage"] = "dial tcp: lookup api.example.com: no such host", ["frequency"] = "always" },
            ["snapshot"] = new JsonObject
            {
                ["outputs"] = new JsonArray(
                    new JsonObject { ["command"] = $"dig @10.96.0.10 api.example.com -t {Hostile}TYPE", ["from"] = "shop/web-0", ["text"] = dig },
                    new JsonObject { ["command"] = $"cat /{Hostile}PATH", ["from"] = "node/node-1", ["text"] = $"nameserver 10.96.0.10{Hostile}\n" }),
            },
        }.ToJsonString();
        var client = factory.CreateClient();

        var posted = await client.PostAsync("/api/v1/diagnoses", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
        var json = await posted.Content.ReadAsStringAsync();
        var texts = JsonNode.Parse(json)!.DescendantsText().ToList();
        Assert.True(texts.Any(t => t.Contains("PATH", StringComparison.Ordinal) || t.Contains("TYPE", StringComparison.Ordinal)), json);
        foreach (var text in texts)
        {
            AssertClean("json", text);
        }
    }

    /// <summary>A pod whose dnsConfig names <paramref name="value"/> as its nameserver: the summary of a ruled-out hypothesis carries it.</summary>
    private static string RuledOutRequest(string value) => new JsonObject
    {
        ["target"] = new JsonObject { ["namespace"] = "shop", ["pod"] = "web-0" },
        ["symptom"] = new JsonObject { ["errorMessage"] = ";; connection timed out; no servers could be reached", ["frequency"] = "always" },
        ["snapshot"] = new JsonObject
        {
            ["objects"] = new JsonArray(new JsonObject
            {
                ["apiVersion"] = "v1", ["kind"] = "Pod",
                ["metadata"] = new JsonObject { ["name"] = "web-0", ["namespace"] = "shop" },
                ["spec"] = new JsonObject
                {
                    ["dnsPolicy"] = "None", ["dnsConfig"] = new JsonObject { ["nameservers"] = new JsonArray(value) },
                    ["containers"] = new JsonArray(new JsonObject { ["name"] = "app", ["image"] = "nginx" }),
                },
                ["status"] = new JsonObject { ["phase"] = "Running" },
            }),
        },
    }.ToJsonString();

    [Theory]
    [MemberData(nameof(Corpus))]
    public async Task A_hostile_name_in_a_ruled_out_reason_is_escaped_by_every_format_that_shows_it(int index)
    {
        var value = HostileCorpus.Values[index];
        var client = factory.CreateClient();
        var posted = await client.PostAsync("/api/v1/diagnoses", new StringContent(RuledOutRequest(value), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
        var diagnosis = JsonDocument.Parse(await posted.Content.ReadAsStringAsync()).RootElement;
        var ruledOut = diagnosis.GetProperty("hypotheses").EnumerateArray().Single(h => h.GetProperty("ruleId").GetString() == "pod-dnspolicy-none-without-nameservers");
        Assert.Equal("ruled-out", ruledOut.GetProperty("status").GetString());
        var reason = ruledOut.GetProperty("reason").GetString()!;
        var shown = DnsExpert.Text.DisplayText.Block(value); // the JSON a response writes carries no control or bidi character
        Assert.StartsWith("pod shop/web-0: dnsPolicy None, nameservers " + shown[..Math.Min(shown.Length, 40)], reason, StringComparison.Ordinal);
        Assert.True(reason.Length < 1300, $"{reason.Length} characters");
        var id = diagnosis.GetProperty("id").GetString()!;

        var markdown = await client.GetStringAsync($"/api/v1/diagnoses/{id}?format=markdown");
        Assert.Contains("(`pod-dnspolicy-none-without-nameservers`): pod shop/web-0", markdown, StringComparison.Ordinal);
        AssertClean("markdown", markdown);
        foreach (var raw in new[] { "<script", "<img", "<style", "<!--", "<b>", "<!channel>", "<@U123>", "\n```\nrm" })
        {
            Assert.DoesNotContain(raw, markdown, StringComparison.OrdinalIgnoreCase);
        }

        var html = await client.GetStringAsync($"/reports/{id}");
        Assert.Contains("<code>pod-dnspolicy-none-without-nameservers</code>): pod shop/web-0", html, StringComparison.Ordinal);
        AssertClean("html", html);
        foreach (var raw in new[] { "<script>alert", "<img", "<style>body", "<b>", "<!--" })
        {
            Assert.DoesNotContain(raw, html, StringComparison.OrdinalIgnoreCase);
        }

        foreach (var text in JsonNode.Parse(await client.GetStringAsync($"/api/v1/diagnoses/{id}?format=slack"))!.DescendantsText())
        {
            AssertClean("slack", text);
            Assert.DoesNotContain("<!channel>", text, StringComparison.Ordinal);
        }
    }
}

internal static class JsonNodeText
{
    /// <summary>Every string value in the tree.</summary>
    public static IEnumerable<string> DescendantsText(this JsonNode node) => node switch
    {
        JsonObject obj => obj.SelectMany(p => p.Value is null ? [] : p.Value.DescendantsText()),
        JsonArray array => array.SelectMany(v => v is null ? [] : v.DescendantsText()),
        JsonValue v when v.TryGetValue<string>(out var s) => [s],
        _ => [],
    };

    /// <summary>Every string value of a property named <paramref name="name"/> in the tree.</summary>
    public static IEnumerable<string> DescendantsOf(this JsonNode node, string name) => node switch
    {
        JsonObject obj => obj.SelectMany(p => p.Value is null ? []
            : p.Key == name && p.Value is JsonValue v && v.TryGetValue<string>(out var s) ? [s] : p.Value.DescendantsOf(name)),
        JsonArray array => array.SelectMany(v => v is null ? [] : v.DescendantsOf(name)),
        _ => [],
    };
}
