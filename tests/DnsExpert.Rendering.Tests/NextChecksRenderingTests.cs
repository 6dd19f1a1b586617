using DnsExpert.Core.Contract;
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
        Assert.Contains($"_{9 - SlackReport.MaxChecks} more in the full report._", checks, StringComparison.Ordinal);
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

    private static int CountOf(string text, string part) => (text.Length - text.Replace(part, "", StringComparison.Ordinal).Length) / part.Length;
}
