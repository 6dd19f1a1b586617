using DnsExpert.Core.Contract;
using DnsExpert.Core.Facts;
using DnsExpert.Engine.Compilation;
using DnsExpert.Engine.RuleFiles;
using DnsExpert.Engine.Sessions;
using DnsExpert.Testing;

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

/// <summary>Thresholds, per-case tickets and guarded remediation: how strong evidence must be is data in the rule file.</summary>
public sealed class RuleThresholdTests
{
    private const string Rule = """
        id: failing-name
        title: t
        severity: critical
        description: d
        thresholds:
          minFailures: 3
          minShare: 50.5
        cases:
          - when:
              - fact: CoreDnsQueryLog
                as: q
                where: StillFailing && FailedAnswers >= minFailures && FailedSharePercent >= minShare
            cause: "persistent: at least {{ minFailures }} failures"
          - severity: warning
            ticket: none
            when:
              - fact: CoreDnsQueryLog
                as: q
                where: "!(StillFailing && FailedAnswers >= minFailures && FailedSharePercent >= minShare)"
            cause: "transient"
            remediation:
              - summary: watch it
        finding:
          evidence:
            - source: "{{ q.Source }}"
              detail: "{{ q.FailedAnswers }} of {{ q.Answers }}"
          remediation:
            - summary: open a ticket
            - summary: only when still failing
              when: q.StillFailing
          ticket:
            name: "{{ q.NameWithoutDot }}"
            rcode: "{{ q.Rcode }}"
        """;

    private static RuleBase Compile(string yaml)
    {
        var errors = new List<RuleFileError>();
        var doc = RuleFileReader.Read("rules/failing-name.yaml", yaml, errors);
        Assert.Empty(errors);
        return RuleBaseCompiler.Compile([doc!]);
    }

    private static CoreDnsQueryLog Query(int failed, int answers, string last) => new()
    {
        Source = "Pod kube-system/coredns-1 log", Pod = "coredns-1", Namespace = "kube-system", LineNumber = 5, Time = "t", Client = "172.20.7.45",
        Id = "1", Type = "A", Name = "api.example.com.", NameWithoutDot = "api.example.com", Transport = "udp", Rcode = "SERVFAIL", Text = "line",
        Occurrences = failed, FailedAnswers = failed, Answers = answers, LastAnswerRcode = last,
    };

    [Fact]
    public void Strong_evidence_is_critical_with_a_ticket_and_weak_evidence_a_warning_without()
    {
        var ruleBase = Compile(Rule);

        var strong = Assert.Single(RuleSessionRunner.Run(ruleBase, [Query(14, 20, "SERVFAIL")]).Findings);
        Assert.Equal((Severity.Critical, "persistent: at least 3 failures"), (strong.Severity, strong.Cause));
        Assert.NotNull(strong.Ticket);
        Assert.Equal(["open a ticket", "only when still failing"], strong.Remediation.Select(r => r.Summary));

        var transient = Assert.Single(RuleSessionRunner.Run(ruleBase, [Query(14, 40, "NOERROR")]).Findings);
        Assert.Equal((Severity.Warning, "transient", null), (transient.Severity, transient.Cause, transient.Ticket));
        Assert.Equal(["watch it"], transient.Remediation.Select(r => r.Summary));

        // 3 of 6 is 50 %, below 50.5: the threshold is read as written, not rounded.
        Assert.Equal(Severity.Warning, Assert.Single(RuleSessionRunner.Run(ruleBase, [Query(3, 6, "SERVFAIL")]).Findings).Severity);
    }

    [Fact]
    public void A_guarded_remediation_is_left_out_when_its_condition_does_not_hold()
    {
        var ruleBase = Compile(Rule.Replace("minShare: 50.5", "minShare: 0", StringComparison.Ordinal).Replace("minFailures: 3", "minFailures: 0", StringComparison.Ordinal)
            .Replace("where: StillFailing && ", "where: ", StringComparison.Ordinal)
            .Replace("\"!(StillFailing && FailedAnswers >= minFailures && FailedSharePercent >= minShare)\"", "\"false\"", StringComparison.Ordinal));
        var finding = Assert.Single(RuleSessionRunner.Run(ruleBase, [Query(1, 40, "NOERROR")]).Findings);
        Assert.Equal(["open a ticket"], finding.Remediation.Select(r => r.Summary));
    }

    [Theory]
    [InlineData("minFailures: 3", "Answers: 3", "has the name of a property of CoreDnsQueryLog")]
    [InlineData("minFailures: 3", "q: 3", "has the name of a pattern")]
    [InlineData("minFailures: 3", "minFailures: many", "must be a number")]
    [InlineData("minFailures: 3", "3x: 3", "must be an identifier")]
    [InlineData("when: q.StillFailing", "when: q.NoSuchProperty", "NoSuchProperty")]
    [InlineData("  remediation:\n    - summary: open a ticket\n    - summary: only when still failing\n      when: q.StillFailing\n", "", "this case has no 'remediation'")]
    public void Bad_thresholds_and_guards_are_errors_with_their_line(string from, string to, string reason)
    {
        var yaml = Rule.Replace(from, to, StringComparison.Ordinal);
        Assert.NotEqual(Rule, yaml);
        var errors = new List<RuleFileError>();
        var doc = RuleFileReader.Read("rules/failing-name.yaml", yaml, errors);
        if (doc is not null)
        {
            errors.AddRange(Assert.Throws<RuleFileException>(() => RuleBaseCompiler.Compile([doc])).Errors);
        }

        Assert.Contains(errors, e => e.Reason.Contains(reason, StringComparison.Ordinal) && e.Line > 1);
    }
}
