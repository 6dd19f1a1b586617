using DnsExpert.Engine.Compilation;
using DnsExpert.Engine.RuleFiles;
using DnsExpert.Engine.Sessions;
using DnsExpert.Facts;
using DnsExpert.Testing;

namespace DnsExpert.Engine.Tests;

/// <summary>
/// A literal compared with a property of a closed value set (<see cref="OneOfAttribute"/>) must be one of its values:
/// <c>Kind == "forward_loop"</c> would load and never fire, so the loader and <c>rules lint</c> refuse it.
/// </summary>
public sealed class RuleLiteralTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("dnsexpert-literals-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    /// <summary>A rule over one CoreDnsLogEvent named <c>log</c>: its condition on line 8, its cause on line 10, its remediation's when on line 16.</summary>
    private static string Rule(string where, string cause = "c", string remediationWhen = "log.Pod != null") =>
        TestRules.OnePattern("literal-rule", "warning", "CoreDnsLogEvent", "log", where, cause, remediationWhen);

    private static List<RuleFileError> Errors(string yaml) => TestRules.Errors(yaml, "rules/broken.yaml", readable: true);

    private static CoreDnsLogEvent Log(string kind, string? cause = null) => new()
    {
        Source = "Pod kube-system/coredns-1 log", Pod = "coredns-1", Namespace = "kube-system", Kind = kind, Cause = cause,
        LineNumber = 1, Time = "no timestamp", Text = "line",
    };

    [Fact]
    public void Lint_refuses_a_literal_outside_the_set_with_file_line_reason_values_and_a_near_miss()
    {
        var dir = Directory.CreateDirectory(Path.Combine(_temp, "rules")).FullName;
        File.WriteAllText(Path.Combine(dir, "broken.yaml"), Rule("Kind == \"forward_loop\""));

        var error = Assert.Single(RuleBaseLoader.Lint(dir, out _));

        Assert.Equal(
            "rules/broken.yaml:8:20: where: CoreDnsLogEvent.Kind is never \"forward_loop\" (did you mean \"forward-loop\"?); it is one of: "
            + "unknown-directive, apiserver-unreachable, upstream-error, forward-loop, reload, panic, no-next-plugin, plugin-used-twice, startup-failure, dnsmasq-forward-max",
            error.ToString());
    }

    [Fact]
    public void The_loader_refuses_it_too()
    {
        var dir = Directory.CreateDirectory(Path.Combine(_temp, "rules")).FullName;
        File.WriteAllText(Path.Combine(dir, "broken.yaml"), Rule("Kind == \"forward_loop\""));

        var ex = Assert.Throws<RuleFileException>(() => RuleBaseLoader.Load(dir));

        Assert.Contains("rules/broken.yaml:8:20: where: CoreDnsLogEvent.Kind is never \"forward_loop\" (did you mean \"forward-loop\"?)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_shipped_rules_compare_closed_properties_only_with_their_values()
    {
        Assert.Empty(RuleBaseLoader.Lint(RepoPaths.Rules, out var count));
        Assert.True(count > 30, $"{count} rules");
    }

    [Theory]
    [InlineData("Kind != \"forward_loop\"")]
    [InlineData("Pod != null && \"forward_loop\" == Kind")]
    [InlineData("Kind.Equals(\"forward_loop\")")]
    [InlineData("string.Equals(Kind, \"forward_loop\")")]
    [InlineData("Kind in (\"forward-loop\", \"forward_loop\")")]
    [InlineData("np(Cause) == \"rbca\"")]
    [InlineData("(Cause ?? \"none\") == \"rbca\"")]
    [InlineData("iif(Kind == \"forward_loop\", true, false)")]
    [InlineData("Kind == \"panic\" && (Cause == \"connection\" || Cause == \"conection\")")]
    [InlineData("Kind.Equals(\"FORWARD_LOOP\", StringComparison.OrdinalIgnoreCase)")]
    public void Every_comparison_form_is_checked(string where)
    {
        var error = Assert.Single(Errors(Rule(where)));
        Assert.Equal(8, error.Line);
        Assert.Contains(" is never \"", error.Reason, StringComparison.Ordinal);
        Assert.Contains("(did you mean \"", error.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Kind.StartsWith(\"forward_\")", "no value of CoreDnsLogEvent.Kind starts with \"forward_\"")]
    [InlineData("Kind.EndsWith(\"_loop\")", "no value of CoreDnsLogEvent.Kind ends with \"_loop\"")]
    [InlineData("Kind.Contains(\"loops\")", "no value of CoreDnsLogEvent.Kind contains \"loops\"")]
    public void Partial_matches_must_match_part_of_some_value(string where, string reason)
    {
        var error = Assert.Single(Errors(Rule(where)));
        Assert.StartsWith("where: " + reason + "; it is one of: ", error.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Kind == \"forward-loop\"")]
    [InlineData("Kind != \"panic\" && Cause == \"rbac\"")]
    [InlineData("Kind in (\"forward-loop\", \"panic\")")]
    [InlineData("Kind.StartsWith(\"forward\") || Kind.EndsWith(\"-error\") || Kind.Contains(\"loop\")")]
    [InlineData("Kind.Equals(\"FORWARD-LOOP\", StringComparison.OrdinalIgnoreCase)")]
    [InlineData("(Cause ?? \"none\") == \"none\"")]
    [InlineData("Cause == null && Kind == log.Kind")]
    [InlineData("Text == \"anything at all\" && Pod.StartsWith(\"x_\")")]
    public void Allowed_values_and_open_properties_load(string where) => Assert.Empty(Errors(Rule(where)));

    [Fact]
    public void Templates_and_remediation_guards_are_checked_at_their_literal()
    {
        var errors = Errors(Rule("Kind == \"panic\"", "\"{{ log.Cause == \\\"rbca\\\" ? \\\"x\\\" : \\\"y\\\" }}\"", "log.Kind == \"Panic\""));

        Assert.Equal(2, errors.Count);
        Assert.Contains(errors, e => e.Line == 10 && e.Reason.StartsWith("finding.cause: CoreDnsLogEvent.Cause is never \"rbca\" (did you mean \"rbac\"?)", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Line == 16 && e.Column == 25 && e.Reason.StartsWith("remediation.when: CoreDnsLogEvent.Kind is never \"Panic\" (did you mean \"panic\"?)", StringComparison.Ordinal));
    }

    [Fact]
    public void A_literal_far_from_every_value_gets_no_guess()
    {
        var error = Assert.Single(Errors(Rule("Kind == \"kaboom\"")));
        Assert.DoesNotContain("did you mean", error.Reason, StringComparison.Ordinal);
        Assert.Contains("it is one of: unknown-directive,", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_rule_with_checked_literals_still_fires()
    {
        var ruleBase = TestRules.Compile(Rule("Kind == \"forward-loop\""));

        Assert.Single(RuleSessionRunner.Run(ruleBase, [Log("forward-loop"), Log("panic")]).Findings);
    }

    [Theory]
    [InlineData("forward_loop", "forward-loop")]
    [InlineData("Forward-Loop", "forward-loop")]
    [InlineData("NXDOMIAN", "NXDOMAIN")]
    [InlineData("servfail", "SERVFAIL")]
    [InlineData("forwardloop", "forward-loop")]
    [InlineData("panik", "panic")]
    public void Near_misses_name_the_value_meant(string typed, string meant) =>
        Assert.Equal(meant, NearMiss.Nearest(typed, ["forward-loop", "panic", "NXDOMAIN", "SERVFAIL", "NOERROR"]));

    [Theory]
    [InlineData("dig")]
    [InlineData("timeout-error")]
    public void Words_far_from_every_value_are_no_near_miss(string typed) =>
        Assert.Null(NearMiss.Nearest(typed, ["dns", "ping", "tcp", "answered", "timeout", "refused"]));

    /// <summary>
    /// A rule that matches another's finding names it by id: an id the rule base does not have would load and never
    /// match, so it is refused like any closed value, with the nearest id.
    /// </summary>
    [Theory]
    [InlineData("RuleId == \"finding-rule\"", null)]
    [InlineData("RuleId == \"finding-rul\"", "where: Finding.RuleId is never \"finding-rul\" (did you mean \"finding-rule\"?); it is one of: finding-rule")]
    [InlineData("RuleId in (\"finding-rule\", \"coredns-autopath\")", "where: Finding.RuleId is never \"coredns-autopath\"")]
    public void A_finding_is_matched_by_an_id_of_the_rule_base(string where, string? error)
    {
        var errors = TestRules.Errors(TestRules.OnePattern("finding-rule", "info", "Finding", "other", where), "rules/finding-rule.yaml");

        if (error is null)
        {
            Assert.Empty(errors);
        }
        else
        {
            Assert.Contains(error, Assert.Single(errors).Reason, StringComparison.Ordinal);
        }
    }
}
