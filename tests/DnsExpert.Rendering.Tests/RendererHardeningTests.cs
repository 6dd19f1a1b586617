using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using DnsExpert.Contract;
using DnsExpert.Testing;
using DnsExpert.Text;

namespace DnsExpert.Rendering.Tests;

/// <summary>
/// The whole hostile corpus against every renderer (JSON, Markdown, ticket text, Slack, HTML report, terminal), with
/// the value in every text of a diagnosis: the output keeps the structure it has for a harmless value, carries no
/// control characters, HTML, mentions or links, and its commands are the clean value, verbatim.
/// </summary>
public sealed partial class RendererHardeningTests
{
    public static TheoryData<int> Corpus => HostileCorpus.Indexes;

    private static readonly DiagnosisResponse Benign = HostileCorpus.Response("x");
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);
    private static readonly JsonSerializerOptions Responses = Escaping.JsonText.ForResponses(new(JsonSerializerDefaults.Web));

    [Theory]
    [MemberData(nameof(Corpus))]
    public void Json_escapes_every_control_character_and_markup(int index)
    {
        var value = HostileCorpus.Values[index];
        var json = JsonSerializer.Serialize(HostileCorpus.Response(value), Web);

        AssertClean(json);
        Assert.DoesNotContain('<', json);
        Assert.Equal(value, JsonNode.Parse(json)!["findings"]![0]!["remediation"]![0]!["command"]!.GetValue<string>());
    }

    [Theory]
    [MemberData(nameof(Corpus))]
    public void Json_for_responses_has_no_control_or_bidi_character_in_any_string(int index)
    {
        var value = HostileCorpus.Values[index];
        var json = JsonSerializer.Serialize(HostileCorpus.Response(value), Responses);

        foreach (var text in Strings(JsonNode.Parse(json)!))
        {
            AssertClean(text);
        }

        Assert.Equal(DisplayText.Block(value), JsonNode.Parse(json)!["dnsPath"]![0]!["because"]![0]!["detail"]!.GetValue<string>());
    }

    [Theory]
    [MemberData(nameof(Corpus))]
    public void Markdown_and_Slack_make_no_link_of_a_bare_url(int index)
    {
        var value = HostileCorpus.Values[index];

        // Outside code blocks and code spans, where GitHub and Slack would autolink a URL.
        static int Urls(IEnumerable<string> texts) => texts.Sum(t => UrlRegex().Count(CodeSpanRegex().Replace(SlackCodeBlockRegex().Replace(t, ""), "")));
        Assert.Equal(Urls(SplitFences(MarkdownReport.Render(Benign)).Outside), Urls(SplitFences(MarkdownReport.Render(HostileCorpus.Response(value))).Outside));
        Assert.Equal(Urls(SlackTexts(SlackReport.Render(Benign))), Urls(SlackTexts(SlackReport.Render(HostileCorpus.Response(value)))));
    }

    [Theory]
    [MemberData(nameof(Corpus))]
    public void A_failed_diagnosis_in_Slack_is_one_text_saying_so_with_its_error_escaped(int index)
    {
        var value = HostileCorpus.Values[index];
        var message = SlackReport.Render(HostileCorpus.Response(value) with { Status = DiagnosisStatus.Failed, Error = value });

        var text = Assert.Single(message).Value!.GetValue<string>();
        Assert.StartsWith($"DNS diagnosis {Escaping.SlackText.Inline(HostileCorpus.Response(value).Id)} failed: ", text, StringComparison.Ordinal);
        Assert.EndsWith(" failed: " + Escaping.SlackText.Inline(value), text, StringComparison.Ordinal);
        Assert.DoesNotContain("<!", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bare_url_reads_with_its_scheme_separator_broken()
    {
        Assert.Equal("see https[:]//evil.example/x", Escaping.MarkdownText.Inline("see https://evil.example/x"));
        Assert.Equal("see https[:]//evil.example/x", Escaping.SlackText.Inline("see https://evil.example/x"));
    }

    private static IEnumerable<string> Strings(JsonNode node) => node switch
    {
        JsonObject o => o.SelectMany(p => p.Value is null ? [] : Strings(p.Value)),
        JsonArray a => a.SelectMany(v => v is null ? [] : Strings(v)),
        JsonValue v when v.TryGetValue<string>(out var s) => [s],
        _ => [],
    };

    [Theory]
    [MemberData(nameof(Corpus))]
    public void Markdown_keeps_its_structure_and_its_commands_verbatim(int index)
    {
        var value = HostileCorpus.Values[index];
        var markdown = MarkdownReport.Render(HostileCorpus.Response(value));

        // The remediation's command and snippet, then the next check's command.
        AssertMarkdown(markdown, MarkdownReport.Render(Benign), [DisplayText.Block(value.Trim()).TrimEnd(), DisplayText.Block(value).TrimEnd(), DisplayText.Block(value.Trim()).TrimEnd()]);
    }

    [Theory]
    [MemberData(nameof(Corpus))]
    public void Ticket_text_keeps_its_structure(int index)
    {
        var value = HostileCorpus.Values[index];
        var ticket = MarkdownReport.RenderTicket(TicketResponse.From(HostileCorpus.Response(value)));

        AssertMarkdown(ticket, MarkdownReport.RenderTicket(TicketResponse.From(Benign)), []);
    }

    [Theory]
    [MemberData(nameof(Corpus))]
    public void Slack_has_no_mention_link_or_stray_backtick(int index)
    {
        var value = HostileCorpus.Values[index];
        var message = SlackReport.Render(HostileCorpus.Response(value));
        var texts = SlackTexts(message);
        AssertClean(message["blocks"]![0]!["text"]!["text"]!.GetValue<string>()); // the header: plain_text, never parsed

        foreach (var text in texts)
        {
            AssertClean(text);
            Assert.DoesNotContain('<', text);
            Assert.DoesNotContain('>', text);
        }

        if (value.Length < 1000)
        {
            // Only the message's own backticks: the code block around the command and the code spans around ids.
            Assert.Equal(SlackTexts(SlackReport.Render(Benign)).Sum(t => t.Count(c => c == '`')), texts.Sum(t => t.Count(c => c == '`')));
            Assert.Contains(texts, t => t.Contains("```" + SlackEscaped(DisplayText.Block(value).Trim()) + "```", StringComparison.Ordinal));
        }
    }

    [Theory]
    [MemberData(nameof(Corpus))]
    public void Html_report_has_only_its_own_tags_and_copies_clean_commands(int index)
    {
        var value = HostileCorpus.Values[index];
        var html = HtmlReport.Render(HostileCorpus.Response(value), "n0nce");

        AssertClean(html);
        Assert.Equal(Tags(HtmlReport.Render(Benign, "n0nce")), Tags(html));
        var copyable = CopyableRegex().Matches(html).Select(m => WebUtility.HtmlDecode(m.Groups[1].Value)).ToList();
        Assert.Equal([DisplayText.Block(value.Trim()), DisplayText.Block(value.TrimEnd()), DisplayText.Block(value.Trim())], copyable); // a command, a snippet, a next check
    }

    [Theory]
    [MemberData(nameof(Corpus))]
    public void Terminal_report_has_no_escape_sequence_but_its_own_colours(int index)
    {
        var value = HostileCorpus.Values[index];
        var terminal = TerminalReport.Colorize(MarkdownReport.Render(HostileCorpus.Response(value)));

        AssertClean(SgrRegex().Replace(terminal, ""));
    }

    /// <summary>A first answer (an error message alone) with <paramref name="value"/> in the explanation, the rule ids, what each check is for, and the checks link.</summary>
    private static DiagnosisResponse FirstAnswer(string value) => new()
    {
        Id = value,
        Classification = new ClassificationResult { Class = SymptomClass.ServerUnreachable, Explanation = value, Name = value },
        Findings = [],
        Collection = [new CollectionEntry(value, CollectionStatus.Skipped, value)],
        Hypotheses = [.. Enumerable.Range(0, 6).Select(i => new Hypothesis
        {
            RuleId = value + i, Title = value, Status = HypothesisStatus.Unverified, Reason = value, Missing = [value],
            Checks = [new NextCheck($"kubectl get pods -n ns-{i}", value, value)],
        })],
        Links = new Dictionary<string, string> { ["checks"] = value, ["report"] = value },
    };

    [Theory]
    [MemberData(nameof(Corpus))]
    public void The_first_answer_keeps_its_structure_in_markdown_and_slack(int index)
    {
        var value = HostileCorpus.Values[index];

        AssertMarkdown(MarkdownReport.Render(FirstAnswer(value)), MarkdownReport.Render(FirstAnswer("x")), ["kubectl get pods -n ns-0", "kubectl get pods -n ns-1", "kubectl get pods -n ns-2"]);
        var slack = SlackTexts(SlackReport.Render(FirstAnswer(value)));
        foreach (var text in slack)
        {
            AssertClean(text);
            Assert.DoesNotContain('<', text);
            Assert.DoesNotContain('>', text);
        }

        if (value.Length < 1000)
        {
            // Only the message's own backticks (a long value is cut at Slack's text limit, and its code spans with it).
            Assert.Equal(SlackTexts(SlackReport.Render(FirstAnswer("x"))).Sum(t => t.Count(c => c == '`')), slack.Sum(t => t.Count(c => c == '`')));
        }
    }

    /// <summary>No control character but line feed and tab, no DEL or C1, no bidi override or isolate.</summary>
    private static void AssertClean(string output)
    {
        var bad = output.Select((c, i) => (c, i)).FirstOrDefault(x => x.c is not ('\n' or '\t')
            && (char.IsControl(x.c) || x.c is >= '\u202a' and <= '\u202e' or >= '\u2066' and <= '\u2069' or '\u2028' or '\u2029'));
        Assert.True(bad == default, $"U+{(int)bad.c:X4} at {bad.i}: {output[Math.Max(0, bad.i - 40)..Math.Min(output.Length, bad.i + 40)]}");
    }

    /// <summary>Same lines of the same kinds outside code blocks as for a harmless value; no raw HTML there; code blocks as expected.</summary>
    private static void AssertMarkdown(string markdown, string benign, string[] expectedBlocks)
    {
        AssertClean(markdown);
        var (outside, blocks) = SplitFences(markdown);
        Assert.Equal(expectedBlocks, blocks);
        Assert.Equal(SplitFences(benign).Outside.Select(Kind), outside.Select(Kind));
        Assert.DoesNotContain(outside, l => l.Contains('<', StringComparison.Ordinal) || l.Contains('>', StringComparison.Ordinal));

        // No link, image or link definition from the value (code spans are inert): as many as the report makes itself for
        // a harmless value.
        static int Links(IEnumerable<string> lines) => lines.Sum(l => LinkRegex().Count(CodeSpanRegex().Replace(l, "")));
        Assert.Equal(Links(SplitFences(benign).Outside), Links(outside));
    }

    /// <summary>CommonMark's fenced code blocks: a run of three or more backticks opens; only a line of at least as many closes.</summary>
    private static (List<string> Outside, List<string> Blocks) SplitFences(string markdown)
    {
        var outside = new List<string>();
        var blocks = new List<string>();
        List<string>? block = null;
        var fence = 0;
        foreach (var line in markdown.Split('\n'))
        {
            var trimmed = line.TrimStart(' ');
            var run = trimmed.TakeWhile(c => c == '`').Count();
            if (block is null)
            {
                if (run >= 3 || trimmed.StartsWith("~~~", StringComparison.Ordinal))
                {
                    block = [];
                    fence = Math.Max(run, 3);
                }
                else
                {
                    outside.Add(line);
                }
            }
            else if (run >= fence && trimmed.Trim().Length == run)
            {
                blocks.Add(string.Join('\n', block));
                block = null;
            }
            else
            {
                block.Add(line.StartsWith("   ", StringComparison.Ordinal) ? line[3..] : line);
            }
        }

        Assert.Null(block);
        return (outside, blocks);
    }

    /// <summary>What a line is to a Markdown reader: heading, list item, table row (with its cell count), quote, paragraph.</summary>
    private static string Kind(string line) => line switch
    {
        "" => "blank",
        _ when line.StartsWith('#') => "heading",
        _ when line.StartsWith('|') => "row " + UnescapedPipeRegex().Count(line),
        _ when line.StartsWith('>') => "quote",
        _ when ListItemRegex().IsMatch(line) => "item",
        _ => "paragraph",
    };

    /// <summary>The mrkdwn texts of a message: the notification text, sections and context.</summary>
    private static List<string> SlackTexts(JsonObject message) =>
        [message["text"]!.GetValue<string>(), .. message["blocks"]!.AsArray().SelectMany(b => b!.AsObject() switch
        {
            var o when o["text"] is JsonObject t && t["type"]!.GetValue<string>() == "mrkdwn" => [t["text"]!.GetValue<string>()],
            var o when o["elements"] is JsonArray e => e.Select(x => x!["text"]!.GetValue<string>()),
            _ => [],
        })];

    private static string SlackEscaped(string s) =>
        s.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal).Replace('`', '\u02cb');

    private static List<string> Tags(string html) => TagRegex().Matches(html).Select(m => m.Value).Distinct().Order(StringComparer.Ordinal).ToList();

    [GeneratedRegex(@"\u001b\[[0-9;]*m")]
    private static partial Regex SgrRegex();

    [GeneratedRegex(@"<pre class=""copyable""><code>(.*?)</code></pre>", RegexOptions.Singleline)]
    private static partial Regex CopyableRegex();

    [GeneratedRegex(@"<[!/]?[A-Za-z][A-Za-z0-9-]*")]
    private static partial Regex TagRegex();

    [GeneratedRegex(@"(?<!\\)(\\\\)*\|")]
    private static partial Regex UnescapedPipeRegex();

    /// <summary>The <c>](</c>, <c>][</c> or <c>]:</c> of a link, image or link definition, unless the bracket is escaped.</summary>
    [GeneratedRegex(@"(?<!\\)(\\\\)*\][(\[:]")]
    private static partial Regex LinkRegex();

    [GeneratedRegex(@"\b[A-Za-z][A-Za-z0-9+.-]*://")]
    private static partial Regex UrlRegex();

    [GeneratedRegex(@"```.*?```", RegexOptions.Singleline)]
    private static partial Regex SlackCodeBlockRegex();

    [GeneratedRegex(@"(`+)[^`].*?\1")]
    private static partial Regex CodeSpanRegex();

    [GeneratedRegex(@"^\s*([-+*]\s|\d+[.)]\s)")]
    private static partial Regex ListItemRegex();
}
