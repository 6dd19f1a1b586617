using DnsExpert.Engine.Compilation;
using DnsExpert.Engine.RuleFiles;
using DnsExpert.Engine.Sessions;
using DnsExpert.Facts;

namespace DnsExpert.Engine.Tests;

/// <summary>A rule file cannot make a diagnosis allocate without bound, and no finding's text grows past its cap.</summary>
public sealed class TemplateLimitTests
{
    private static string Rule(string where, string cause) => $$$"""
        id: test-limits
        title: limits
        severity: warning
        description: d
        when:
          - fact: CorefilePlugin
            as: plugin
            where: {{{where}}}
        finding:
          cause: "{{{cause}}}"
          evidence:
            - source: "{{ plugin.Source }}"
              detail: "{{ plugin.Text }}"
          remediation:
            - summary: s
        """;

    private static List<RuleFileError> Errors(string yaml) => TestRules.Errors(yaml, "rules/test-limits.yaml");

    [Theory]
    [InlineData("{{ plugin.Text.PadLeft(100000000) }}", "PadLeft")]
    [InlineData("{{ plugin.Name.PadRight(100000000, 'x') }}", "PadRight")]
    [InlineData("{{ plugin.Text.Replace(\\\"a\\\", \\\"aaaaaaaaaa\\\").Replace(\\\"a\\\", \\\"aaaaaaaaaa\\\") }}", "Replace")]
    [InlineData("{{ plugin.Line.ToString(\\\"D999999999\\\") }}", "ToString")]
    [InlineData("{{ plugin.Text.Insert(0, plugin.Text) }}", "Insert")]
    public void A_template_call_that_can_grow_without_bound_is_a_rule_file_error(string cause, string method)
    {
        var error = Assert.Single(Errors(Rule("Name == \"log\"", cause)));

        Assert.Equal("rules/test-limits.yaml", error.File);
        Assert.Equal(10, error.Line);
        Assert.Contains($"'{method}' is not allowed", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_condition_that_can_grow_without_bound_is_a_rule_file_error()
    {
        var error = Assert.Single(Errors(Rule("Text.PadLeft(100000000).Length > 0", "c")));

        Assert.Equal(8, error.Line);
        Assert.Contains("'PadLeft' is not allowed", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Concatenation_and_plain_calls_stay_allowed()
    {
        var errors = Errors(Rule("Name.StartsWith(\"lo\") && Arguments.Contains(\"x\")", "{{ plugin.Name + \\\" at \\\" + plugin.Source }}"));
        Assert.True(errors.Count == 0, string.Join("; ", errors));
    }

    [Fact]
    public void Rendered_text_is_capped_per_value_and_evidence_per_finding()
    {
        var errors = new List<RuleFileError>();
        var doc = RuleFileReader.Read("rules/test-limits.yaml", Rule("Name == \"log\"", "{{ plugin.Text }} {{ plugin.Text }} {{ plugin.Text }} {{ plugin.Text }} {{ plugin.Text }}"), errors);
        var rules = RuleBaseCompiler.Compile([doc!]);
        var huge = new string('x', 1_000_000);
        var facts = Enumerable.Range(0, 100).Select(i => (object)new CorefilePlugin
        {
            Source = $"ConfigMap kube-system/coredns {i}", ServerIndex = 0, ServerKey = ".:53", Name = "log", Arguments = [], Line = i, Text = huge + i,
        }).ToList();

        var finding = Assert.Single(RuleSessionRunner.Run(rules, facts).Findings);

        Assert.True(finding.Cause.Length <= CompiledTemplate.MaxTextLength, $"cause of {finding.Cause.Length} characters");
        Assert.All(finding.Evidence, e => Assert.True(e.Detail.Length <= CompiledTemplate.MaxValueLength));
        Assert.True(finding.Evidence.Sum(e => e.Source.Length + e.Detail.Length) <= RuleSessionRunner.MaxEvidenceCharacters + 100);
        Assert.StartsWith("and ", finding.Evidence[^1].Detail, StringComparison.Ordinal);
    }
}
