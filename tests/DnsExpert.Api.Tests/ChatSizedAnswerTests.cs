using System.Net;
using System.Text;
using System.Text.Json;

namespace DnsExpert.Api.Tests;

/// <summary>
/// The answer a chat shows: to an error message alone, what the error means and the three checks that decide the most,
/// the rest behind <c>links.checks</c>; once evidence was read, the findings first and still only a few checks. The JSON
/// keeps every hypothesis and every check.
/// </summary>
public sealed class ChatSizedAnswerTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    /// <summary>
    /// A chat message's budget for the first answer, in UTF-8 bytes: about one screen of a chat window (1.5 KB; it was
    /// 1.5 KiB until the first checks included the dig that splits a server-unreachable error, whose why is longer).
    /// </summary>
    private const int FirstAnswerBudget = 1600;

    /// <summary>The README's first message of a conversation: dig's timeout, every time.</summary>
    private const string TimeoutAlways =
        """{"target": {"namespace": "shop", "pod": "web-0"}, "symptom": {"errorMessage": ";; connection timed out; no servers could be reached", "frequency": "always"}}""";

    public static TheoryData<string> ErrorMessages => new()
    {
        TimeoutAlways,
        """{"target": {"namespace": "default", "pod": "web-7d4b9c-x2k4q"}, "domain": "orders.shop.svc.cluster.local", "symptom": {"errorMessage": "dial tcp: lookup orders.shop.svc.cluster.local on 172.21.0.10:53: read udp 172.20.7.45:38161->172.21.0.10:53: i/o timeout", "frequency": "always"}}""",
        """{"target": {"namespace": "shop", "pod": "web-0"}, "domain": "orders.shop.svc.cluster.local", "symptom": {"errorMessage": "dial tcp: lookup orders.shop.svc.cluster.local on 10.96.0.10:53: no such host", "frequency": "always"}}""",
        """{"symptom": {"errorMessage": "curl: (6) Could not resolve host: api.partner-example.com", "frequency": "rarely"}}""",
    };

    private static StringContent Body(string json) => new(json, Encoding.UTF8, "application/json");

    private static int Count(string text, string part) => (text.Length - text.Replace(part, "", StringComparison.Ordinal).Length) / part.Length;

    [Theory]
    [MemberData(nameof(ErrorMessages))]
    public async Task The_first_answer_to_an_error_message_says_what_it_means_and_gives_three_checks_within_a_chat_message(string request)
    {
        var client = factory.CreateClient();
        var json = await (await client.PostAsync("/api/v1/diagnoses", Body(request))).Json();
        var id = json.GetProperty("id").GetString()!;
        // The checks whose output is pasted back, in the engine's order (a packet capture is a file to share: the last
        // resort, not a next check); each is a check of some hypothesis.
        var commands = json.GetProperty("nextChecks").EnumerateArray().Select(c => c.GetProperty("command").GetString()!).ToList();
        var ofHypotheses = json.GetProperty("hypotheses").EnumerateArray()
            .SelectMany(h => h.GetProperty("checks").EnumerateArray().Where(c => !c.GetProperty("paste").GetString()!.StartsWith("not pasted:", StringComparison.Ordinal)).Select(c => c.GetProperty("command").GetString()!))
            .ToHashSet(StringComparer.Ordinal);
        Assert.True(ofHypotheses.SetEquals(commands), string.Join('\n', commands));
        Assert.Equal(commands.Count, commands.Distinct(StringComparer.Ordinal).Count());
        Assert.True(commands.Count > 3, $"{commands.Count} checks");

        var markdown = await client.GetStringAsync($"/api/v1/diagnoses/{id}?format=markdown");

        Assert.True(Encoding.UTF8.GetByteCount(markdown) < FirstAnswerBudget, $"{Encoding.UTF8.GetByteCount(markdown)} bytes:\n{markdown}");
        Assert.Contains(json.GetProperty("classification").GetProperty("explanation").GetString()!, markdown, StringComparison.Ordinal);
        Assert.DoesNotContain("evidence.", markdown, StringComparison.Ordinal);
        Assert.Contains("**Verdict:** not decided yet: the checks below tell the possible causes apart.", markdown, StringComparison.Ordinal);
        Assert.Equal(3, Count(markdown, "```sh"));

        // The first three distinct commands, in the engine's order.
        var shown = commands.Take(3).ToList();
        Assert.True(shown.Select(c => markdown.IndexOf("   " + c + "\n", StringComparison.Ordinal)).SequenceEqual(shown.Select(c => markdown.IndexOf("   " + c + "\n", StringComparison.Ordinal)).Where(i => i > 0).Order()), markdown);

        // The rest behind links.checks, which lists every check.
        var link = json.GetProperty("links").GetProperty("checks").GetString()!;
        Assert.Equal($"/api/v1/diagnoses/{id}?format=markdown&checks=all", link);
        Assert.Contains($"_{commands.Count - 3} more check(s): {link.Replace("&", "&amp;", StringComparison.Ordinal)}._", markdown, StringComparison.Ordinal);
        var all = await client.GetStringAsync(link);
        var shared = json.GetProperty("hypotheses").EnumerateArray().SelectMany(h => h.GetProperty("checks").EnumerateArray())
            .Where(c => c.GetProperty("paste").GetString()!.StartsWith("not pasted:", StringComparison.Ordinal)).Select(c => c.GetProperty("command").GetString()).Distinct().Count();
        Assert.Equal(commands.Count + shared, Count(all, "```sh"));
        Assert.All(commands, c => Assert.Contains("   " + c + "\n", all, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_first_answer_as_posted_is_the_same_chat_sized_answer_and_its_json_keeps_every_check()
    {
        var client = factory.CreateClient();
        var request = TimeoutAlways;
        var markdown = await (await client.PostAsync("/api/v1/diagnoses?format=markdown", Body(request))).Content.ReadAsStringAsync();
        var json = await (await client.PostAsync("/api/v1/diagnoses", Body(request))).Json();

        Assert.True(Encoding.UTF8.GetByteCount(markdown) < FirstAnswerBudget, markdown);
        Assert.Equal(3, Count(markdown, "```sh"));
        Assert.DoesNotContain("## Collection", markdown, StringComparison.Ordinal);
        Assert.True(json.GetProperty("hypotheses").GetArrayLength() > 10);
        Assert.All(json.GetProperty("hypotheses").EnumerateArray().SkipLast(1), h => Assert.NotEqual(0, h.GetProperty("checks").GetArrayLength()));
    }

    [Fact]
    public async Task The_slack_answer_to_an_error_message_gives_three_checks_and_links_the_rest()
    {
        var client = factory.CreateClient();
        var slack = await (await client.PostAsync("/api/v1/diagnoses?format=slack", Body(TimeoutAlways))).Json();
        var texts = slack.GetProperty("blocks").EnumerateArray()
            .Select(b => b.TryGetProperty("text", out var t) ? t.GetProperty("text").GetString()! : "").ToList();

        Assert.Equal("DNS diagnosis: what to check first", texts[0]);
        Assert.DoesNotContain("evidence.", slack.GetProperty("text").GetString(), StringComparison.Ordinal);
        var checks = Assert.Single(texts, t => t.StartsWith("*Next checks*", StringComparison.Ordinal));
        Assert.Equal(3, Count(checks, "```") / 2);
        Assert.Contains("?format=markdown&amp;checks=all`._", checks, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_later_round_gives_the_findings_first_then_at_most_three_checks()
    {
        var client = factory.CreateClient();
        var json = File.ReadAllText(Path.Combine(ApiFactory.RepoRoot, "tests", "scenarios", "app-to-kube-dns-unreachable", "fires-pasted-dig-output.json"));
        var markdown = await (await client.PostAsync("/api/v1/diagnoses?format=markdown", Body(json))).Content.ReadAsStringAsync();

        var finding = markdown.IndexOf("## 1. [", StringComparison.Ordinal);
        var next = markdown.IndexOf("## Next checks", StringComparison.Ordinal);
        Assert.True(finding > 0 && next > finding, markdown);
        var section = markdown[next..markdown.IndexOf("\n## ", next + 1, StringComparison.Ordinal)];
        Assert.InRange(Count(section, "```sh"), 1, 3);
        Assert.Contains("## Collection", markdown, StringComparison.Ordinal); // what each output was read as
        Assert.DoesNotContain("not decided yet", markdown, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("first", 3)]
    [InlineData("ALL", -1)]
    public async Task Checks_picks_the_first_few_or_all(string checks, int expected)
    {
        var client = factory.CreateClient();
        var json = await (await client.PostAsync("/api/v1/diagnoses", Body(TimeoutAlways))).Json();
        var markdown = await client.GetStringAsync($"/api/v1/diagnoses/{json.GetProperty("id").GetString()}?format=markdown&checks={checks}");

        var distinct = json.GetProperty("hypotheses").EnumerateArray()
            .SelectMany(h => h.GetProperty("checks").EnumerateArray().Select(c => c.GetProperty("command").GetString())).Distinct().Count();
        Assert.Equal(expected < 0 ? distinct : expected, Count(markdown, "```sh"));
    }

    [Fact]
    public async Task Another_checks_value_is_a_400_naming_it()
    {
        var client = factory.CreateClient();
        var json = await (await client.PostAsync("/api/v1/diagnoses", Body(TimeoutAlways))).Json();
        var response = await client.GetAsync($"/api/v1/diagnoses/{json.GetProperty("id").GetString()}?format=markdown&checks=some");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.Json()).GetProperty("errors").TryGetProperty("checks", out var message), await response.Content.ReadAsStringAsync());
        Assert.Equal(JsonValueKind.Array, message.ValueKind);
    }
}
