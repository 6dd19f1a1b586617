using DnsExpert.Core.Contract;
using DnsExpert.Core.Facts;
using DnsExpert.Engine.Compilation;
using DnsExpert.Engine.RuleFiles;
using DnsExpert.Engine.Sessions;

namespace DnsExpert.Engine.Tests;

/// <summary><c>explains:</c> in rule files: validated by the loader, applied by the ranking and shown in each finding.</summary>
public sealed class ExplainsTests
{
    /// <summary>A rule firing on a plugin line of the given name, with the given severity and explains line.</summary>
    private static string Rule(string id, string plugin, string severity, string explains = "") => $$$"""
        id: {{{id}}}
        title: {{{id}}}
        severity: {{{severity}}}
        description: d
        {{{explains}}}
        when:
          - fact: CorefilePlugin
            as: p
            where: Name == "{{{plugin}}}"
        finding:
          cause: "{{{id}}}"
          evidence:
            - source: "{{ p.Source }}"
              detail: "line {{ p.Line }}"
          remediation:
            - summary: fix it
        """;

    private static List<RuleDocument> Read(List<RuleFileError> errors, params string[] yaml) =>
        yaml.Select((y, i) => RuleFileReader.Read($"rules/r{i}.yaml", y, errors)!).ToList();

    private static RuleBase Compile(params string[] yaml)
    {
        var errors = new List<RuleFileError>();
        var docs = Read(errors, yaml);
        Assert.Empty(errors);
        return RuleBaseCompiler.Compile(docs);
    }

    private static List<RuleFileError> CompileErrors(params string[] yaml)
    {
        var errors = new List<RuleFileError>();
        var docs = Read(errors, yaml);
        Assert.Empty(errors);
        return Assert.Throws<RuleFileException>(() => RuleBaseCompiler.Compile(docs)).Errors.ToList();
    }

    private static CorefilePlugin Plugin(string name) => new()
    {
        Source = "ConfigMap kube-system/coredns", ServerIndex = 0, ServerKey = ".:53", Name = name, Line = 3, Text = name,
    };

    [Fact]
    public void A_cause_ranks_above_its_effect_even_when_weaker_and_both_say_so()
    {
        var ruleBase = Compile(
            Rule("loop", "loop", "warning", "explains: [crash]"),
            Rule("crash", "crash", "critical", "explains: [no-endpoints]"),
            Rule("no-endpoints", "endpoints", "critical"),
            Rule("other", "other", "critical"));

        var findings = RuleSessionRunner.Run(ruleBase, [Plugin("loop"), Plugin("crash"), Plugin("endpoints"), Plugin("other")]).Findings;

        Assert.Equal(["loop", "crash", "no-endpoints", "other"], findings.Select(f => f.RuleId));
        Assert.Equal(["crash"], findings[0].Explains!);
        Assert.Null(findings[0].ExplainedBy);
        Assert.Equal(["no-endpoints"], findings[1].Explains!);
        Assert.Equal(["loop"], findings[1].ExplainedBy!);
        Assert.Equal(["crash"], findings[2].ExplainedBy!);
        Assert.Null(findings[2].Explains);
        Assert.Equal((null, null), (findings[3].Explains, findings[3].ExplainedBy));
    }

    [Fact]
    public void A_cause_explains_through_a_rule_that_did_not_fire_and_nothing_when_its_effect_did_not_fire()
    {
        var ruleBase = Compile(
            Rule("loop", "loop", "warning", "explains: [crash]"),
            Rule("crash", "crash", "critical", "explains: [no-endpoints]"),
            Rule("no-endpoints", "endpoints", "critical"));

        var through = RuleSessionRunner.Run(ruleBase, [Plugin("loop"), Plugin("endpoints")]).Findings;
        Assert.Equal(["loop", "no-endpoints"], through.Select(f => f.RuleId));
        Assert.Equal(["no-endpoints"], through[0].Explains!);

        var alone = Assert.Single(RuleSessionRunner.Run(ruleBase, [Plugin("loop")]).Findings);
        Assert.Equal((null, null), (alone.Explains, alone.ExplainedBy));
        Assert.Equal(Severity.Warning, alone.Severity);
    }

    [Fact]
    public void An_unknown_id_is_an_error_at_its_line()
    {
        var error = Assert.Single(CompileErrors(Rule("loop", "loop", "warning", "explains: [crash, no-such-rule]"), Rule("crash", "crash", "critical")));
        Assert.Equal(("rules/r0.yaml", 5), (error.File, error.Line));
        Assert.Contains("no rule has the id 'no-such-rule'", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_cycle_and_a_rule_explaining_itself_are_errors()
    {
        var cycle = CompileErrors(
            Rule("a", "a", "critical", "explains: [b]"), Rule("b", "b", "critical", "explains: [c]"), Rule("c", "c", "critical", "explains: [a]"));
        Assert.Contains(cycle, e => e.Reason.Contains("a cause cannot be its own effect", StringComparison.Ordinal) && e.Reason.Contains("-> ", StringComparison.Ordinal));

        var self = Assert.Single(CompileErrors(Rule("a", "a", "critical", "explains: [a]")));
        Assert.Contains("cannot explain itself", self.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Explains_must_be_a_list_of_rule_ids()
    {
        var errors = new List<RuleFileError>();
        Assert.Null(RuleFileReader.Read("rules/x.yaml", Rule("a", "a", "critical", "explains: Not An Id"), errors));
        Assert.Contains(errors, e => e.Line == 5 && e.Reason.Contains("list of rule ids", StringComparison.Ordinal));
    }

    [Fact]
    public void The_repository_declares_the_crash_chain_in_its_rule_files()
    {
        var rules = RuleBaseLoader.Load(RepoPaths.Rules).Rules.ToDictionary(r => r.Id);
        Assert.Contains("coredns-pod-not-running", rules["coredns-forward-loop"].Document.Explains.Select(e => e.Id));
        Assert.Contains("kube-dns-no-endpoints", rules["coredns-pod-not-running"].Document.Explains.Select(e => e.Id));
    }
}
