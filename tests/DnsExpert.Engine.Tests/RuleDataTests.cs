using DnsExpert.Engine.Compilation;
using DnsExpert.Engine.Results;
using DnsExpert.Engine.RuleFiles;
using DnsExpert.Engine.Sessions;
using DnsExpert.Facts;
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
        {{{Finding(id)}}}
        """;

    /// <summary>
    /// A rule of two cases: a full proof on plugin <c>{id}-full</c> and a weaker one (a lowered severity) on
    /// <c>{id}-weak</c>, each with an optional <c>explains:</c> line of its own.
    /// </summary>
    private static string TwoCaseRule(string id, string severity, string explains, string weakSeverity, string fullCaseExplains = "", string weakCaseExplains = "") => $$$"""
        id: {{{id}}}
        title: {{{id}}}
        severity: {{{severity}}}
        description: d
        {{{explains}}}
        cases:
          - when:
              - fact: CorefilePlugin
                as: p
                where: Name == "{{{id}}}-full"
            {{{fullCaseExplains}}}
          - severity: {{{weakSeverity}}}
            when:
              - fact: CorefilePlugin
                as: p
                where: Name == "{{{id}}}-weak"
            {{{weakCaseExplains}}}
        {{{Finding(id)}}}
        """;

    /// <summary>The finding of the rules above: its cause is its id.</summary>
    private static string Finding(string id) => $$$"""
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
    public void A_cause_ranks_above_its_effect_and_carries_its_severity_and_its_effects_are_at_most_warnings()
    {
        var ruleBase = Compile(
            Rule("loop", "loop", "warning", "explains: [crash]"),
            Rule("crash", "crash", "critical", "explains: [no-endpoints]"),
            Rule("no-endpoints", "endpoints", "critical"),
            Rule("other", "other", "critical"),
            Rule("hint", "hint", "info"),
            Rule("cause-of-hint", "cause-of-hint", "warning", "explains: [hint]"));

        var findings = RuleSessionRunner.Run(ruleBase, [Plugin("loop"), Plugin("crash"), Plugin("endpoints"), Plugin("other"), Plugin("hint"), Plugin("cause-of-hint")]).Findings;

        Assert.Equal(["loop", "crash", "no-endpoints", "other", "cause-of-hint", "hint"], findings.Select(f => f.RuleId));
        Assert.Equal(["crash"], findings[0].Explains!);
        Assert.Null(findings[0].ExplainedBy);
        Assert.Equal(["no-endpoints"], findings[1].Explains!);
        Assert.Equal(["loop"], findings[1].ExplainedBy!);
        Assert.Equal(["crash"], findings[2].ExplainedBy!);
        Assert.Null(findings[2].Explains);
        Assert.Equal((null, null), (findings[3].Explains, findings[3].ExplainedBy));

        // The warning cause carries the critical outage it explains; the outage shows as its effects, at most warnings.
        // Lifting never lowers and capping never raises: an info effect stays info, its warning cause a warning.
        Assert.Equal(
            [FindingSeverity.Critical, FindingSeverity.Warning, FindingSeverity.Warning, FindingSeverity.Critical, FindingSeverity.Warning, FindingSeverity.Info],
            findings.Select(f => f.Severity));
    }

    [Fact]
    public void A_weaker_proof_of_a_cause_lifts_it_but_does_not_demote_an_effect_that_full_proof_shows()
    {
        var ruleBase = Compile(
            TwoCaseRule("loop", "critical", "explains: [crash]", "warning"),
            TwoCaseRule("crash", "critical", "", "warning"));

        FindingSeverity Of(string id, params string[] plugins) =>
            RuleSessionRunner.Run(ruleBase, plugins.Select(Plugin).ToList<object>()).Findings.Single(f => f.RuleId == id).Severity;

        // The weak loop proof beside a full crash proof: both critical, the loop listed (and ranked) as its cause.
        var weakBesideFull = RuleSessionRunner.Run(ruleBase, [Plugin("loop-weak"), Plugin("crash-full")]).Findings;
        Assert.Equal(["loop", "crash"], weakBesideFull.Select(f => f.RuleId));
        Assert.All(weakBesideFull, f => Assert.Equal(FindingSeverity.Critical, f.Severity));
        Assert.Equal(["loop"], weakBesideFull[1].ExplainedBy!);

        // Weak beside weak, and full beside anything: the effect is demoted.
        Assert.Equal(FindingSeverity.Warning, Of("crash", "loop-weak", "crash-weak"));
        Assert.Equal(FindingSeverity.Warning, Of("crash", "loop-full", "crash-full"));
        Assert.Equal(FindingSeverity.Critical, Of("loop", "loop-weak", "crash-weak", "crash-full"));
        Assert.Equal(FindingSeverity.Critical, Of("crash", "loop-weak", "crash-weak", "crash-full"));
    }

    [Fact]
    public void A_case_explains_instead_of_its_rule_and_only_matched_cases_count()
    {
        var ruleBase = Compile(
            TwoCaseRule("directive", "critical", "explains: [crash]", "warning", weakCaseExplains: "explains: []"),
            TwoCaseRule("loop", "critical", "", "warning", fullCaseExplains: "explains: [crash]"),
            Rule("crash", "crash", "critical"));

        var reload = RuleSessionRunner.Run(ruleBase, [Plugin("directive-weak"), Plugin("crash")]).Findings;
        Assert.Equal(["crash", "directive"], reload.Select(f => f.RuleId));
        Assert.Equal((FindingSeverity.Critical, null), (reload[0].Severity, reload[0].ExplainedBy));
        Assert.Equal((FindingSeverity.Warning, null), (reload[1].Severity, reload[1].Explains));

        var parse = RuleSessionRunner.Run(ruleBase, [Plugin("directive-full"), Plugin("crash")]).Findings;
        Assert.Equal(["directive", "crash"], parse.Select(f => f.RuleId));
        Assert.Equal(FindingSeverity.Warning, parse[1].Severity);

        var staticLoop = RuleSessionRunner.Run(ruleBase, [Plugin("loop-weak"), Plugin("crash")]).Findings;
        Assert.All(staticLoop, f => Assert.Equal((null, null), (f.Explains, f.ExplainedBy)));
        var loopLog = RuleSessionRunner.Run(ruleBase, [Plugin("loop-full"), Plugin("loop-weak"), Plugin("crash")]).Findings;
        Assert.Equal(["crash"], loopLog.Single(f => f.RuleId == "loop").Explains!);
    }

    [Fact]
    public void A_case_explaining_an_unknown_id_or_closing_a_cycle_is_an_error_at_its_line()
    {
        var unknown = Assert.Single(CompileErrors(TwoCaseRule("loop", "critical", "", "warning", weakCaseExplains: "explains: [no-such-rule]")));
        Assert.Equal(("rules/r0.yaml", 17, "explains: no rule has the id 'no-such-rule'"), (unknown.File, unknown.Line, unknown.Reason));

        var cycle = CompileErrors(
            TwoCaseRule("a", "critical", "explains: [b]", "warning"),
            TwoCaseRule("b", "critical", "", "warning", weakCaseExplains: "explains: [a]"));
        Assert.Contains(cycle, e => e.File == "rules/r1.yaml" && e.Line == 17 && e.Reason.Contains("'a' already explains 'b' (a -> b)", StringComparison.Ordinal));

        var self = Assert.Single(CompileErrors(TwoCaseRule("a", "critical", "", "warning", fullCaseExplains: "explains: [a]")));
        Assert.Equal(("rules/r0.yaml", 11), (self.File, self.Line));
        Assert.Contains("cannot explain itself", self.Reason, StringComparison.Ordinal);

        var errors = new List<RuleFileError>();
        Assert.Null(RuleFileReader.Read("rules/x.yaml", TwoCaseRule("a", "critical", "", "warning", weakCaseExplains: "explains: Not An Id"), errors));
        Assert.Contains(errors, e => e.Line == 17 && e.Reason.Contains("case.explains must be a list of rule ids", StringComparison.Ordinal));
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
        Assert.Equal(FindingSeverity.Warning, alone.Severity);
    }

    [Fact]
    public void A_cause_absorbs_only_the_effect_of_its_own_pod_or_node()
    {
        static string On(string id, string fact, string where, string explains = "") => $$$"""
            id: {{{id}}}
            title: {{{id}}}
            severity: critical
            description: d
            {{{explains}}}
            when:
              - fact: {{{fact}}}
                as: p
                where: {{{where}}}
            finding:
              cause: "{{{id}}}"
              evidence:
                - source: "{{ p.Source }}"
                  detail: "{{ p.Source }}"
              remediation:
                - summary: fix it
            """;
        var ruleBase = Compile(
            On("directive", "CoreDnsLogEvent", "Kind == \"unknown-directive\"", "explains: [crash]"),
            On("crash", "CoreDnsPod", "Ready == false", "explains: [no-endpoints]"),
            On("no-endpoints", "KubeDnsEndpoints", "ReadyEndpoints == 0"));
        CoreDnsLogEvent Log(string pod) => new()
        {
            Source = $"Pod kube-system/{pod} log", Namespace = "kube-system", Pod = pod, Kind = "unknown-directive", LineNumber = 1, Time = "no timestamp", Text = "Unknown directive 'kubeapi'",
        };
        CoreDnsPod Crashing(string pod, string node) => new() { Source = $"Pod kube-system/{pod}", Namespace = "kube-system", Name = pod, Node = node, Ready = false, Restarts = 7 };
        var endpoints = new KubeDnsEndpoints { Source = "Endpoints kube-system/kube-dns", Namespace = "kube-system", Name = "kube-dns", NotReadyEndpoints = 1 };

        // The pod whose log refuses the Corefile is the one crash-looping: its crash is the directive's effect.
        var same = RuleSessionRunner.Run(ruleBase, [Log("coredns-a"), Crashing("coredns-a", "n1")]).Findings;
        Assert.Equal(["directive", "crash"], same.Select(f => f.RuleId));
        Assert.Equal((FindingSeverity.Critical, FindingSeverity.Warning), (same[0].Severity, same[1].Severity));
        Assert.Equal(["directive"], same[1].ExplainedBy!);

        // Another pod crash-loops (on the same node, even): the directive explains no crash there, and both stay critical.
        var other = RuleSessionRunner.Run(ruleBase, [Log("coredns-a"), Crashing("coredns-b", "n1")]).Findings;
        Assert.All(other, f => Assert.Equal((FindingSeverity.Critical, null, null), (f.Severity, f.Explains, f.ExplainedBy)));

        // An effect about no pod (the kube-dns endpoints) is the crash's, whichever pod crashed.
        var endpointsOnly = RuleSessionRunner.Run(ruleBase, [Crashing("coredns-b", "n1"), endpoints]).Findings;
        Assert.Equal(["crash"], endpointsOnly.Single(f => f.RuleId == "no-endpoints").ExplainedBy!);
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
        Assert.Contains("coredns-pod-not-running", rules["coredns-apiserver-unreachable"].Document.Explains.Select(e => e.Id));
        Assert.Equal(["container-network-error", "udp53-blocked"], rules["networkpolicy-blocks-dns-egress"].Document.Explains.Select(e => e.Id));

        // The proofs that explain no crash say so: a Corefile refused on reload (by the log, the metrics or both), a loop stub no loop log confirms.
        Assert.All(rules["coredns-unknown-directive"].Document.Cases.Where(c => c.Severity is FindingSeverity.Warning or FindingSeverity.Info), c => Assert.Equal([], c.Explains!));
        Assert.Equal([], rules["coredns-forward-loop"].Document.Cases.Single(c => c.Severity == FindingSeverity.Warning).Explains!);
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
        Assert.Equal((FindingSeverity.Critical, "persistent: at least 3 failures"), (strong.Severity, strong.Cause));
        Assert.NotNull(strong.Ticket);
        Assert.Equal(["open a ticket", "only when still failing"], strong.Remediation.Select(r => r.Summary));

        var transient = Assert.Single(RuleSessionRunner.Run(ruleBase, [Query(14, 40, "NOERROR")]).Findings);
        Assert.Equal((FindingSeverity.Warning, "transient", null), (transient.Severity, transient.Cause, transient.Ticket));
        Assert.Equal(["watch it"], transient.Remediation.Select(r => r.Summary));

        // 3 of 6 is 50 %, below 50.5: the threshold is read as written, not rounded.
        Assert.Equal(FindingSeverity.Warning, Assert.Single(RuleSessionRunner.Run(ruleBase, [Query(3, 6, "SERVFAIL")]).Findings).Severity);
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
