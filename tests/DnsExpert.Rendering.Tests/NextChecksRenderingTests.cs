using DnsExpert.Contract;
using DnsExpert.Testing;

namespace DnsExpert.Rendering.Tests;

/// <summary>Every renderer lists the next checks once per command and what was ruled out, within its format's limits.</summary>
public sealed class NextChecksRenderingTests
{
    private static DiagnosisResponse WithHypotheses(int findings, int checks)
    {
        var one = HostileCorpus.Response("x");
        return new DiagnosisResponse
        {
            Id = one.Id,
            CreatedAt = one.CreatedAt,
            Classification = one.Classification,
            Findings = [.. Enumerable.Repeat(one.Findings[0], findings)],
            Collection = one.Collection,
            Hypotheses =
            [
                // Two hypotheses share the first command: it is listed once, checking both.
                new Hypothesis { RuleId = "a", Title = "A", Status = HypothesisStatus.Unverified, Reason = "r", Checks = [new NextCheck("dig @10.96.0.10 x +tries=1", "kube-dns answers?", "outputs")] },
                .. Enumerable.Range(0, checks).Select(i => new Hypothesis
                {
                    RuleId = $"rule-{i}", Title = $"T{i}", Status = HypothesisStatus.Unverified, Reason = "r",
                    Checks = [new NextCheck(i == 0 ? "dig @10.96.0.10 x +tries=1" : $"kubectl get pods -n ns-{i}", "why", "outputs")],
                }),
                new Hypothesis { RuleId = "gone", Title = "Gone", Status = HypothesisStatus.RuledOut, Reason = "2 CoreDnsPod facts" },
            ],
        };
    }

    [Fact]
    public void Markdown_lists_each_command_once_with_every_cause_it_checks()
    {
        var markdown = MarkdownReport.Render(WithHypotheses(findings: 1, checks: 3));

        Assert.Equal(1, CountOf(markdown, "dig @10.96.0.10 x +tries=1"));
        Assert.Contains("(checks `a`, `rule-0`)", markdown, StringComparison.Ordinal);
        Assert.Contains("## Ruled out", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void Slack_keeps_within_its_block_limit_and_counts_the_checks_it_leaves_out()
    {
        var message = SlackReport.Render(WithHypotheses(findings: 80, checks: 9));
        var blocks = message["blocks"]!.AsArray();
        var texts = blocks.Select(b => b?["text"]?["text"]?.GetValue<string>() ?? b?["elements"]?[0]?["text"]?.GetValue<string>() ?? "").ToList();

        Assert.True(blocks.Count <= SlackReport.MaxBlocks, $"{blocks.Count} blocks");
        var checks = Assert.Single(texts, t => t.StartsWith("*Next checks*", StringComparison.Ordinal));
        Assert.Equal(SlackReport.MaxChecks, CountOf(checks, "```") / 2);
        Assert.Contains($"_{9 - SlackReport.MaxChecks} more check(s) in the full report._", checks, StringComparison.Ordinal);
        Assert.Contains(texts, t => t.StartsWith("Ruled out: `gone`", StringComparison.Ordinal));
    }

    [Fact]
    public void Html_folds_what_was_ruled_out_and_gives_each_check_a_copyable_block()
    {
        var html = HtmlReport.Render(WithHypotheses(findings: 1, checks: 3), "n0nce");

        Assert.Contains("<section id=\"next-checks\">", html, StringComparison.Ordinal);
        Assert.Equal(1, CountOf(System.Net.WebUtility.HtmlDecode(html), "<pre class=\"copyable\"><code>dig @10.96.0.10 x +tries=1</code></pre>"));
        Assert.Contains("<details><summary>Ruled out (1)</summary>", html, StringComparison.Ordinal);
    }

    /// <summary>An error message alone: every hypothesis unverified, nothing found, <paramref name="checks"/> commands in the engine's order.</summary>
    private static DiagnosisResponse FirstAnswer(int checks, IReadOnlyDictionary<string, string>? links = null) => new()
    {
        Id = "d1",
        Classification = new ClassificationResult { Class = SymptomClass.ServerUnreachable, Explanation = "no server answered: the DNS server is unreachable from this client." },
        Findings = [],
        Collection = [new CollectionEntry("live", CollectionStatus.Skipped, "live collection from a cluster is not configured")],
        Hypotheses =
        [
            .. Enumerable.Range(0, checks).Select(i => new Hypothesis
            {
                RuleId = $"rule-{i}", Title = $"T{i}", Status = HypothesisStatus.Unverified, Reason = "missing PodDns",
                Checks = [new NextCheck($"kubectl get pods -n ns-{i}", $"why {i}", "outputs"), new NextCheck("kubectl get pods -n ns-0", "why 0", "outputs")],
            }),
        ],
        Links = links,
    };

    [Fact]
    public void Markdown_first_answer_says_what_the_error_means_and_gives_the_first_three_checks_with_the_rest_behind_the_link()
    {
        var markdown = MarkdownReport.Render(FirstAnswer(8, new Dictionary<string, string> { ["checks"] = "/api/v1/diagnoses/d1?format=markdown&checks=all" }));

        Assert.Contains("no server answered: the DNS server is unreachable from this client.", markdown, StringComparison.Ordinal);
        Assert.Contains("**Verdict:** not decided yet: the checks below tell the possible causes apart.", markdown, StringComparison.Ordinal);
        Assert.DoesNotContain("evidence.", markdown, StringComparison.Ordinal);
        Assert.Equal(3, CountOf(markdown, "```sh"));
        var first = markdown.IndexOf("kubectl get pods -n ns-0\n", StringComparison.Ordinal);
        Assert.True(first < markdown.IndexOf("kubectl get pods -n ns-1\n", StringComparison.Ordinal) && markdown.IndexOf("kubectl get pods -n ns-1\n", StringComparison.Ordinal) < markdown.IndexOf("kubectl get pods -n ns-2\n", StringComparison.Ordinal));
        Assert.DoesNotContain("ns-3", markdown, StringComparison.Ordinal);
        Assert.Contains("(checks `rule-0`, `rule-1`, `rule-2`, `rule-3` and 4 more)", markdown, StringComparison.Ordinal);
        Assert.Contains("_5 more check(s): /api/v1/diagnoses/d1?format=markdown&amp;checks=all._", markdown, StringComparison.Ordinal);
        Assert.DoesNotContain("## Collection", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void Markdown_with_all_checks_lists_every_command_and_every_cause()
    {
        var markdown = MarkdownReport.Render(FirstAnswer(8), allChecks: true);

        Assert.Equal(8, CountOf(markdown, "```sh"));
        Assert.Contains("(checks `rule-0`, `rule-1`, `rule-2`, `rule-3`, `rule-4`, `rule-5`, `rule-6`, `rule-7`)", markdown, StringComparison.Ordinal);
        Assert.DoesNotContain("more check(s)", markdown, StringComparison.Ordinal);
        Assert.Contains("## Collection", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void Markdown_without_a_checks_link_says_where_the_rest_are()
    {
        var markdown = MarkdownReport.Render(FirstAnswer(5));

        Assert.Contains("_2 more check(s) in the JSON answer's `hypotheses`._", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void The_verdict_speaks_of_evidence_only_when_some_decided_something()
    {
        var first = FirstAnswer(2);
        Assert.Equal("not decided yet: the checks below tell the possible causes apart.", MarkdownReport.Verdict(first));

        var read = new DiagnosisResponse
        {
            Id = first.Id, Classification = first.Classification, Findings = [], Collection = first.Collection,
            Hypotheses = [.. first.Hypotheses, new Hypothesis { RuleId = "gone", Title = "Gone", Status = HypothesisStatus.RuledOut, Reason = "2 CoreDnsPod facts" }],
        };
        Assert.Equal("no known cause found in the evidence.", MarkdownReport.Verdict(read));

        var partly = new DiagnosisResponse
        {
            Id = first.Id, Classification = first.Classification, Findings = [], Collection = first.Collection,
            Hypotheses = [new Hypothesis { RuleId = "p", Title = "P", Status = HypothesisStatus.Unverified, Reason = "partly checked: 1 ping answered; the proofs that need more: events" }],
        };
        Assert.Equal("no known cause found in the evidence.", MarkdownReport.Verdict(partly));
    }

    [Fact]
    public void A_later_round_lists_the_findings_before_at_most_three_checks()
    {
        var markdown = MarkdownReport.Render(WithHypotheses(findings: 2, checks: 6));

        Assert.True(markdown.IndexOf("## 1. ", StringComparison.Ordinal) < markdown.IndexOf("## Next checks", StringComparison.Ordinal));
        var next = markdown[markdown.IndexOf("## Next checks", StringComparison.Ordinal)..markdown.IndexOf("## Ruled out", StringComparison.Ordinal)];
        Assert.Equal(3, CountOf(next, "```sh"));
        Assert.Contains("_3 more check(s) in the JSON answer's `hypotheses`._", next, StringComparison.Ordinal);
        Assert.Contains("## Collection", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void Slack_first_answer_gives_three_checks_and_the_link_to_the_rest()
    {
        var message = SlackReport.Render(FirstAnswer(8, new Dictionary<string, string> { ["checks"] = "/api/v1/diagnoses/d1?format=markdown&checks=all" }));
        var texts = message["blocks"]!.AsArray().Select(b => b?["text"]?["text"]?.GetValue<string>() ?? "").ToList();

        Assert.Equal("DNS diagnosis: what to check first", texts[0]);
        Assert.Contains("not decided yet", message["text"]!.GetValue<string>(), StringComparison.Ordinal);
        var checks = Assert.Single(texts, t => t.StartsWith("*Next checks*", StringComparison.Ordinal));
        Assert.Equal(3, CountOf(checks, "```") / 2);
        Assert.Contains("(`rule-0`, `rule-1`, `rule-2`, `rule-3` and 4 more)", checks, StringComparison.Ordinal);
        Assert.Contains("_5 more check(s): `/api/v1/diagnoses/d1?format=markdown&amp;checks=all`._", checks, StringComparison.Ordinal);
    }

    [Fact]
    public void Slack_links_the_report_absolutely_and_adds_its_buttons_within_the_block_limit()
    {
        var links = new Dictionary<string, string>
        {
            ["report"] = "https://ops.example.com/dns/reports/x",
            ["checks"] = "https://ops.example.com/dns/api/v1/diagnoses/x?format=markdown&checks=all",
        };
        var message = SlackReport.Render(WithHypotheses(findings: 80, checks: 9) with { Links = links });
        var blocks = message["blocks"]!.AsArray();
        var texts = blocks.Select(b => b?["text"]?["text"]?.GetValue<string>() ?? "").ToList();

        Assert.True(blocks.Count <= SlackReport.MaxBlocks, $"{blocks.Count} blocks");
        Assert.Contains(texts, t => t.EndsWith("more finding(s) in the <https://ops.example.com/dns/reports/x|full report>._", StringComparison.Ordinal));
        Assert.Contains(texts, t => t.Contains("_6 more check(s): <https://ops.example.com/dns/api/v1/diagnoses/x?format=markdown&amp;checks=all|all checks>._", StringComparison.Ordinal));
        var actions = blocks[^1]!;
        Assert.Equal("actions", actions["type"]!.GetValue<string>());
        Assert.Equal(
            ["Open report|https://ops.example.com/dns/reports/x", "Next checks|https://ops.example.com/dns/reports/x#next-checks"],
            actions["elements"]!.AsArray().Select(b => b!["text"]!["text"]!.GetValue<string>() + "|" + b["url"]!.GetValue<string>()));

        // Without checks there is no "Next checks" button; a path (no public address known) gives no button at all.
        var one = HostileCorpus.Response("x");
        var noChecks = SlackReport.Render(new DiagnosisResponse { Id = one.Id, Classification = one.Classification, Findings = one.Findings, Collection = one.Collection, Links = links });
        Assert.Equal(["Open report"], noChecks["blocks"]!.AsArray()[^1]!["elements"]!.AsArray().Select(b => b!["text"]!["text"]!.GetValue<string>()));
        var relative = SlackReport.Render(WithHypotheses(findings: 80, checks: 9) with { Links = new Dictionary<string, string> { ["report"] = "/reports/x" } });
        Assert.DoesNotContain(relative["blocks"]!.AsArray(), b => b!["type"]!.GetValue<string>() == "actions");
        Assert.Contains(relative["blocks"]!.AsArray(), b => b?["text"]?["text"]?.GetValue<string>().EndsWith("more finding(s) in the full report._", StringComparison.Ordinal) == true);
    }

    [Theory]
    [InlineData("https://ops.example.com/a|b/reports/x", "https://ops.example.com/a%7Cb/reports/x")]
    [InlineData("https://ops.example.com/a>b<c/reports/x", "https://ops.example.com/a%3Eb%3Cc/reports/x")]
    [InlineData("https://ops.example.com/a`b'c\"d/reports/x", "https://ops.example.com/a%60b%27c%22d/reports/x")]
    public void A_link_character_that_would_end_the_link_is_percent_encoded(string link, string expected)
    {
        var response = HostileCorpus.Response("x") with { Links = new Dictionary<string, string> { ["report"] = link } };

        var message = SlackReport.Render(response);
        Assert.Equal(expected, message["blocks"]!.AsArray()[^1]!["elements"]![0]!["url"]!.GetValue<string>());
        Assert.Contains($"**Report:** <{expected}>", MarkdownReport.Render(response), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("javascript:alert(1)")]
    [InlineData("ftp://ops.example.com/reports/x")]
    [InlineData("/reports/x")]
    public void Only_an_absolute_http_link_is_a_link(string link)
    {
        var response = HostileCorpus.Response("x") with { Links = new Dictionary<string, string> { ["report"] = link } };

        Assert.DoesNotContain(SlackReport.Render(response)["blocks"]!.AsArray(), b => b!["type"]!.GetValue<string>() == "actions");
        Assert.DoesNotContain("**Report:** <", MarkdownReport.Render(response), StringComparison.Ordinal);
    }

    private static int CountOf(string text, string part) => (text.Length - text.Replace(part, "", StringComparison.Ordinal).Length) / part.Length;
}
