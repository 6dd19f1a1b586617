using DnsExpert.Contract;
using DnsExpert.Testing;

namespace DnsExpert.Rendering.Tests;

/// <summary>A cause is shown with its effects under it, not beside them as competing findings.</summary>
public sealed class CauseAndEffectsRenderingTests
{
    private static Finding Finding(string id, Severity severity, string[]? explains = null, string[]? explainedBy = null) => new()
    {
        RuleId = id, Severity = severity, Title = $"Title of {id}", Cause = $"cause of {id}", Evidence = [new Evidence("s", "d")],
        Remediation = [new Remediation { Summary = "fix" }], Explains = explains, ExplainedBy = explainedBy,
    };

    /// <summary>A response listing these findings in this order.</summary>
    private static DiagnosisResponse Response(params Finding[] findings)
    {
        var one = HostileCorpus.Response("x");
        return new DiagnosisResponse { Id = "d1", Classification = one.Classification, Findings = findings, Collection = [] };
    }

    [Fact]
    public void Markdown_numbers_effects_under_their_cause_and_counts_them_in_the_verdict()
    {
        var markdown = MarkdownReport.Render(Response(
            Finding("apiserver", Severity.Critical, explains: ["not-running"]),
            Finding("not-running", Severity.Warning, explains: ["no-endpoints"], explainedBy: ["apiserver"]),
            Finding("no-endpoints", Severity.Warning, explainedBy: ["not-running"]),
            Finding("other", Severity.Critical)));

        string[] headings =
        [
            "## 1. [CRITICAL] Title of apiserver (`apiserver`)",
            "### 1.1. [WARNING] Title of not-running (`not-running`) — effect of `apiserver`",
            "#### 1.1.1. [WARNING] Title of no-endpoints (`no-endpoints`) — effect of `not-running`",
            "## 2. [CRITICAL] Title of other (`other`)",
        ];
        var positions = headings.Select(h => markdown.IndexOf(h + "\n", StringComparison.Ordinal)).ToList();
        Assert.DoesNotContain(-1, positions);
        Assert.Equal(positions.Order(), positions);
        Assert.Contains("_Effects:_ `not-running`", markdown, StringComparison.Ordinal);
        // Under its cause, an effect does not repeat what the heading says.
        Assert.DoesNotContain("effect of:_ `apiserver`", markdown, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("**Verdict:** [CRITICAL] Title of apiserver (`apiserver`), which explains 1 other finding(s), and 2 more finding(s).", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void An_effect_of_two_causes_stands_under_the_first_and_names_the_other_and_one_whose_cause_is_missing_stands_alone()
    {
        var markdown = MarkdownReport.Render(Response(
            Finding("policy", Severity.Critical, explains: ["ping"]),
            Finding("cni", Severity.Critical, explains: ["ping"]),
            Finding("ping", Severity.Warning, explainedBy: ["cni", "policy"]),
            Finding("orphan", Severity.Warning, explainedBy: ["not-in-this-response"])));

        Assert.Contains("## 1. [CRITICAL] Title of policy (`policy`)\n", markdown, StringComparison.Ordinal);
        Assert.Contains("### 1.1. [WARNING] Title of ping (`ping`) — effect of `policy`\n", markdown, StringComparison.Ordinal);
        Assert.Contains("_Also the effect of:_ `cni`", markdown, StringComparison.Ordinal);
        Assert.Contains("## 2. [CRITICAL] Title of cni (`cni`)\n", markdown, StringComparison.Ordinal);
        Assert.Contains("## 3. [WARNING] Title of orphan (`orphan`)\n", markdown, StringComparison.Ordinal);
        Assert.Contains("_Effect of:_ `not-in-this-response`", markdown, StringComparison.Ordinal);
    }
}
