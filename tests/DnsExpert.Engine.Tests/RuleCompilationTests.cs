using DnsExpert.Engine.Commands;
using DnsExpert.Engine.Compilation;
using DnsExpert.Engine.RuleFiles;
using DnsExpert.Engine.Sessions;
using DnsExpert.Facts;
using DnsExpert.Testing;

namespace DnsExpert.Engine.Tests;

public sealed class RuleCompilationTests
{
    private static RuleBase Compile(params string[] yaml)
    {
        var errors = new List<RuleFileError>();
        var docs = yaml.Select((y, i) => RuleFileReader.Read($"rules/r{i}.yaml", y, errors)).ToList();
        Assert.Empty(errors);
        return RuleBaseCompiler.Compile(docs.Select(d => d!).ToList());
    }

    private static List<RuleFileError> Errors(string yaml) => TestRules.Errors(yaml);

    private static CorefilePlugin Plugin(string name, int line, params string[] args) => new()
    {
        Source = "ConfigMap kube-system/coredns",
        ServerIndex = 0,
        ServerKey = ".:53",
        Name = name,
        Arguments = args,
        Line = line,
        Text = string.Join(' ', [name, .. args]),
    };

    private const string Autopath = """
        id: test-autopath
        title: autopath
        severity: critical
        description: d
        when:
          - fact: CorefilePlugin
            as: plugin
            where: Name == "autopath" && Arguments.Contains("@kubernetes")
        finding:
          cause: "line {{ plugin.Line }}: {{ plugin.Text }}"
          evidence:
            - source: "{{ plugin.Source }}"
              detail: "Corefile line {{ plugin.Line }}"
          remediation:
            - summary: remove it
              command: kubectl -n kube-system edit configmap coredns
        """;

    [Fact]
    public void The_loaders_warm_up_rule_reads_and_compiles_so_its_warm_up_runs_the_paths_a_compile_runs()
    {
        // RuleBaseLoader.WarmUp discards the rule and its errors: a rule that no longer reads would warm up nothing.
        var ruleBase = Compile(RuleBaseLoader.WarmUpRule);

        var rule = Assert.Single(ruleBase.Rules);
        Assert.Equal("warm-up", rule.Id);
        Assert.Single(rule.Checks);
        var finding = Assert.Single(RuleSessionRunner.Run(ruleBase, [new CoreDnsPod { Source = "pod kube-system/coredns-1", Namespace = "kube-system", Name = "coredns-1", Restarts = 7 }]).Findings);
        Assert.Equal("coredns-1 restarts", finding.Cause);
    }

    [Fact]
    public void Condition_over_a_list_property_matches_and_renders_the_templates()
    {
        var ruleBase = Compile(Autopath);
        var result = RuleSessionRunner.Run(ruleBase, [Plugin("errors", 2), Plugin("autopath", 7, "@kubernetes")]);

        var finding = Assert.Single(result.Findings);
        Assert.Equal("test-autopath", finding.RuleId);
        Assert.Equal("line 7: autopath @kubernetes", finding.Cause);
        Assert.Equal("ConfigMap kube-system/coredns", finding.Evidence[0].Source);
        Assert.Equal("Corefile line 7", finding.Evidence[0].Detail);
        Assert.Empty(result.Problems);
    }

    [Fact]
    public void Finding_templates_read_the_clusters_own_names_as_known()
    {
        var rule = Autopath.Replace("command: kubectl -n kube-system edit configmap coredns",
            "command: kubectl -n {{ known.ClusterDnsNamespace }} edit configmap {{ known.CorefileConfigMap }} && kubectl -n {{ known.ClusterDnsNamespace }} rollout restart {{ known.ClusterDnsWorkload }}", StringComparison.Ordinal);
        var facts = new object[] { Plugin("autopath", 7, "@kubernetes") };
        var openShift = new KnownValues { ClusterDnsNamespace = "openshift-dns", CorefileConfigMap = "dns-default", ClusterDnsWorkload = "daemonset/dns-default" };

        var named = Assert.Single(RuleSessionRunner.Run(Compile(rule), facts, openShift).Findings);
        var assumed = Assert.Single(RuleSessionRunner.Run(Compile(rule), facts).Findings);

        Assert.Equal("kubectl -n openshift-dns edit configmap dns-default && kubectl -n openshift-dns rollout restart daemonset/dns-default", named.Remediation[0].Command);
        Assert.Equal("kubectl -n kube-system edit configmap coredns && kubectl -n kube-system rollout restart deployment/coredns", assumed.Remediation[0].Command);
    }

    [Fact]
    public void A_check_of_the_dns_container_names_the_clusters_container_and_never_an_option_a_pod_spec_holds()
    {
        var rule = Autopath.Replace("command: kubectl -n kube-system edit configmap coredns",
            "command: kubectl debug -n {{ known.ClusterDnsNamespace }} coredns-0 -i --image=busybox:1.36 --target={{ known.ClusterDnsContainer }} -- nslookup kubernetes.default", StringComparison.Ordinal);
        var facts = new object[] { Plugin("autopath", 7, "@kubernetes") };
        string Command(KnownValues? known) => Assert.Single(RuleSessionRunner.Run(Compile(rule), facts, known).Findings).Remediation[0].Command!;

        Assert.Contains(" --target=coredns -- ", Command(null), StringComparison.Ordinal);
        Assert.Contains(" --target=dns -- ", Command(new KnownValues { ClusterDnsNamespace = "openshift-dns", ClusterDnsContainer = "dns" }), StringComparison.Ordinal);
        var hostile = Command(new KnownValues { ClusterDnsContainer = "--privileged" });
        Assert.DoesNotContain("--privileged", hostile, StringComparison.Ordinal);
        Assert.Contains("--target=<known-cluster-dns-container>", hostile, StringComparison.Ordinal);
    }

    [Fact]
    public void A_pattern_cannot_take_the_name_known()
    {
        var errors = Errors(Autopath.Replace("as: plugin", "as: known", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Reason.Contains("pattern name 'known' is taken", StringComparison.Ordinal));
    }

    [Fact]
    public void Rule_does_not_fire_without_a_matching_fact()
    {
        var result = RuleSessionRunner.Run(Compile(Autopath), [Plugin("autopath", 7, "@other")]);
        Assert.Empty(result.Findings);
    }

    [Fact]
    public void Several_matches_of_one_rule_merge_into_one_finding_with_all_evidence()
    {
        var result = RuleSessionRunner.Run(Compile(Autopath), [Plugin("autopath", 7, "@kubernetes"), Plugin("autopath", 19, "@kubernetes")]);
        var finding = Assert.Single(result.Findings);
        Assert.Equal(["Corefile line 7", "Corefile line 19"], finding.Evidence.Select(e => e.Detail));
    }

    [Fact]
    public void Not_pattern_with_a_join_fires_only_when_no_fact_matches()
    {
        const string yaml = """
            id: no-log
            title: no log
            severity: info
            description: d
            when:
              - fact: CorefileServer
                as: server
                where: ServesRoot
              - not:
                  fact: CorefilePlugin
                  as: log
                  where: log.ServerIndex == server.Index && log.Name == "log"
            finding:
              cause: "server {{ server.Key }} has no log"
              evidence:
                - source: "{{ server.Source }}"
                  detail: "server block {{ server.Key }} at line {{ server.Line }}"
              remediation:
                - summary: add log
            """;
        var ruleBase = Compile(yaml);
        var server = new CorefileServer { Source = "ConfigMap kube-system/coredns", Index = 0, Line = 1, ServesRoot = true, Key = ".:53" };

        Assert.Single(RuleSessionRunner.Run(ruleBase, [server, Plugin("errors", 2)]).Findings);
        Assert.Empty(RuleSessionRunner.Run(ruleBase, [server, Plugin("log", 3)]).Findings);
    }

    /// <summary>
    /// Rules that repeat a condition's text share its parse (<c>ParsedExpressions</c>): each rule keeps its own threshold
    /// values and its own patterns, in one rule base and across rule bases of the process.
    /// </summary>
    [Fact]
    public void Rules_with_the_same_condition_text_keep_their_own_thresholds_and_patterns()
    {
        static string Rule(string id, int limit) => $$$"""
            id: {{{id}}}
            title: t
            severity: info
            description: d
            thresholds:
              limit: {{{limit}}}
            when:
              - fact: CorefileServer
                as: server
                where: ServesRoot
              - fact: CorefilePlugin
                as: plugin
                where: plugin.ServerIndex == server.Index && plugin.Line >= limit
            finding:
              cause: "{{ plugin.Name }} at line {{ plugin.Line }} of {{ server.Key }}"
              evidence:
                - source: s
                  detail: d
              remediation:
                - summary: r
                  when: plugin.Line >= limit
            """;
        var server = new CorefileServer { Source = "ConfigMap kube-system/coredns", Index = 0, Line = 1, ServesRoot = true, Key = ".:53" };
        var other = new CorefileServer { Source = "ConfigMap kube-system/coredns", Index = 1, Line = 9, ServesRoot = false, Key = "example.org:53" };
        var cache = new CorefilePlugin { Source = server.Source, ServerIndex = 1, ServerKey = other.Key, Name = "cache", Line = 10, Text = "cache" };
        object[] facts = [server, other, Plugin("log", 4), cache];

        foreach (var ruleBase in new[] { Compile(Rule("limit-three", 3), Rule("limit-five", 5)), Compile(Rule("limit-five", 5), Rule("limit-three", 3)) })
        {
            var finding = Assert.Single(RuleSessionRunner.Run(ruleBase, facts).Findings);
            Assert.Equal("limit-three", finding.RuleId);
            Assert.Equal("log at line 4 of .:53", finding.Cause);
            Assert.Single(finding.Remediation);
        }
    }

    [Fact]
    public void A_rule_can_require_that_no_other_finding_explains_the_failure()
    {
        const string fallback = """
            id: fallback
            title: fallback
            severity: info
            priority: -100
            description: d
            when:
              - fact: ReportedSymptom
                as: symptom
                where: FailureReported
              - not:
                  fact: Finding
                  where: ExplainsFailure
            finding:
              cause: nothing else explains it
              evidence:
                - source: request
                  detail: "{{ symptom.ErrorMessage }}"
              remediation:
                - summary: capture packets
            """;
        var ruleBase = Compile(Autopath, fallback);
        var symptom = new ReportedSymptom { Source = "request", Class = "ambiguous", Frequency = "rarely", ErrorMessage = "boom", FailureReported = true };

        Assert.Equal(["fallback"], RuleSessionRunner.Run(ruleBase, [symptom]).Findings.Select(f => f.RuleId));
        Assert.Equal(["test-autopath"], RuleSessionRunner.Run(ruleBase, [symptom, Plugin("autopath", 7, "@kubernetes")]).Findings.Select(f => f.RuleId));
    }

    [Fact]
    public void Unknown_property_names_the_file_line_and_property()
    {
        var errors = Errors(Autopath.Replace("Name == \"autopath\"", "Nmae == \"autopath\"", StringComparison.Ordinal));
        var error = Assert.Single(errors);
        Assert.Equal("rules/bad.yaml", error.File);
        Assert.Equal(8, error.Line);
        Assert.Contains("Nmae", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_fact_type_and_unknown_key_are_reported_with_lines()
    {
        var yaml = Autopath.Replace("fact: CorefilePlugin", "fact: CorefilePlugins", StringComparison.Ordinal)
            .Replace("severity: critical", "severity: critical\nsevrity: warning", StringComparison.Ordinal);
        var errors = Errors(yaml);
        Assert.Contains(errors, e => e.Line == 4 && e.Reason.Contains("sevrity", StringComparison.Ordinal));
    }

    [Fact]
    public void Unknown_fact_type_is_reported_with_its_line()
    {
        var errors = Errors(Autopath.Replace("fact: CorefilePlugin", "fact: CorefilePlugins", StringComparison.Ordinal));
        var error = Assert.Single(errors);
        Assert.Equal(6, error.Line);
        Assert.Contains("CorefilePlugins", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Yaml_syntax_error_names_the_line()
    {
        var errors = Errors("id: x\ntitle: [unclosed\nseverity: info\n");
        var error = Assert.Single(errors);
        Assert.Equal("rules/bad.yaml", error.File);
        Assert.True(error.Line >= 2, error.ToString());
        Assert.StartsWith("YAML syntax", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Expressions_cannot_reach_outside_the_fact_types()
    {
        var errors = Errors(Autopath.Replace("Name == \"autopath\"", "Name.GetType().Assembly.FullName != \"\"", StringComparison.Ordinal));
        Assert.NotEmpty(errors);
        errors = Errors(Autopath.Replace("Name == \"autopath\"", "System.IO.File.Exists(\"/etc/passwd\")", StringComparison.Ordinal));
        Assert.NotEmpty(errors);
    }

    [Fact]
    public void Duplicate_rule_ids_are_rejected()
    {
        var errors = new List<RuleFileError>();
        var a = RuleFileReader.Read("rules/a.yaml", Autopath, errors)!;
        var b = RuleFileReader.Read("rules/b.yaml", Autopath, errors)!;
        var ex = Assert.Throws<RuleFileException>(() => RuleBaseCompiler.Compile([a, b]));
        Assert.Contains("already defined in rules/a.yaml", ex.Errors.Single().Reason, StringComparison.Ordinal);
        Assert.Equal("rules/b.yaml", ex.Errors.Single().File);
    }

    [Fact]
    public void The_repository_rule_base_loads()
    {
        var ruleBase = RuleBaseLoader.Load(RepoPaths.Rules);
        Assert.NotEmpty(ruleBase.Rules);
    }
}

public sealed class VersionConditionTests
{
    [Fact]
    public void Conditions_can_compare_versions_with_vendor_suffixes()
    {
        const string yaml = """
            id: old-coredns
            title: old
            severity: warning
            description: d
            when:
              - fact: CoreDnsPod
                as: pod
                where: Version != null && Version.IsBefore("1.7.0")
            finding:
              cause: "{{ pod.Name }} runs {{ pod.Version }}"
              evidence:
                - source: "{{ pod.Source }}"
                  detail: "{{ pod.Image }}"
              remediation:
                - summary: upgrade
            """;
        var errors = new List<DnsExpert.Engine.RuleFiles.RuleFileError>();
        var doc = DnsExpert.Engine.Compilation.RuleFileReader.Read("rules/x.yaml", yaml, errors)!;
        var ruleBase = DnsExpert.Engine.Compilation.RuleBaseCompiler.Compile([doc]);

        DnsExpert.Facts.CoreDnsPod Pod(string name, string image) => new()
        {
            Source = "Pod kube-system/" + name, Namespace = "kube-system", Name = name, Image = image,
            Version = DnsExpert.Facts.ReleaseVersion.FromImage(image),
        };

        var result = DnsExpert.Engine.Sessions.RuleSessionRunner.Run(ruleBase,
            [Pod("a", "coredns/coredns:1.6.7"), Pod("b", "coredns/coredns:v1.7.0-aliyun"), Pod("c", "coredns/coredns@sha256:00")]);
        var finding = Assert.Single(result.Findings);
        Assert.Equal("a runs 1.6.7", finding.Cause);
        Assert.Empty(result.Problems);
    }
}

public sealed class RuleCaseTests
{
    private const string TwoCases = """
        id: upstream
        title: upstream unreachable
        severity: warning
        description: d
        cases:
          - when:
              - fact: CoreDnsLogEvent
                as: log
                where: Kind == "upstream-error"
            evidence:
              - source: "{{ log.Source }}"
                detail: "log line {{ log.LineNumber }}: {{ log.Text }}"
          - when:
              - fact: ProbeResult
                as: probe
                where: FromRole == "coredns" && TargetRole == "upstream" && Failed
            cause: "probe {{ probe.Description }} failed"
            evidence:
              - source: "{{ probe.Source }}"
                detail: "{{ probe.Description }}: {{ probe.Outcome }}"
        finding:
          cause: CoreDNS cannot reach its upstream
          remediation:
            - summary: check the forward target
        """;

    private static DnsExpert.Engine.Compilation.RuleBase Compile(string yaml)
    {
        var errors = new List<DnsExpert.Engine.RuleFiles.RuleFileError>();
        var doc = DnsExpert.Engine.Compilation.RuleFileReader.Read("rules/x.yaml", yaml, errors);
        Assert.True(errors.Count == 0, string.Join("\n", errors));
        return DnsExpert.Engine.Compilation.RuleBaseCompiler.Compile([doc!]);
    }

    private static DnsExpert.Facts.CoreDnsLogEvent Log() => new()
    {
        Source = "Pod kube-system/coredns-a log", Pod = "coredns-a", Namespace = "kube-system", Kind = "upstream-error",
        LineNumber = 4, Time = "2024-05-13 08:21:44 UTC", Text = "[ERROR] plugin/errors: 2 www.aliyun.com. A: read udp 172.20.6.53:58814->100.100.2.136:53: i/o timeout",
    };

    private static DnsExpert.Facts.ProbeResult Probe() => new()
    {
        Source = "snapshot.probes[0]", Index = 0, From = "kube-system/coredns-a", FromRole = "coredns", Kind = "dns", Target = "100.100.2.136",
        TargetRole = "upstream", Outcome = "timeout", Description = "dig www.aliyun.com A @100.100.2.136 (udp) from kube-system/coredns-a",
    };

    [Fact]
    public void Either_case_proves_the_rule_and_both_merge_into_one_finding()
    {
        var ruleBase = Compile(TwoCases);

        var byLog = Assert.Single(DnsExpert.Engine.Sessions.RuleSessionRunner.Run(ruleBase, [Log()]).Findings);
        Assert.Equal("CoreDNS cannot reach its upstream", byLog.Cause);

        var byProbe = Assert.Single(DnsExpert.Engine.Sessions.RuleSessionRunner.Run(ruleBase, [Probe()]).Findings);
        Assert.StartsWith("probe dig www.aliyun.com", byProbe.Cause, StringComparison.Ordinal);

        var both = Assert.Single(DnsExpert.Engine.Sessions.RuleSessionRunner.Run(ruleBase, [Log(), Probe()]).Findings);
        Assert.Equal("CoreDNS cannot reach its upstream", both.Cause);
        Assert.Equal(2, both.Evidence.Count);
        Assert.Single(both.Remediation);
    }

    [Fact]
    public void A_case_template_naming_another_cases_pattern_is_an_error()
    {
        var yaml = TwoCases.Replace("cause: \"probe {{ probe.Description }} failed\"", "cause: \"{{ log.Text }}\"", StringComparison.Ordinal);
        var errors = new List<DnsExpert.Engine.RuleFiles.RuleFileError>();
        var doc = DnsExpert.Engine.Compilation.RuleFileReader.Read("rules/x.yaml", yaml, errors)!;
        var ex = Assert.Throws<DnsExpert.Engine.RuleFiles.RuleFileException>(() => DnsExpert.Engine.Compilation.RuleBaseCompiler.Compile([doc]));
        Assert.Contains("'log'", ex.Errors.Single().Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_weaker_case_lowers_the_severity_unless_a_stronger_case_also_matched()
    {
        var ruleBase = Compile(TwoCases.Replace("    cause: \"probe", "    severity: info\n    cause: \"probe", StringComparison.Ordinal));

        Assert.Equal(DnsExpert.Engine.Results.FindingSeverity.Info, Assert.Single(DnsExpert.Engine.Sessions.RuleSessionRunner.Run(ruleBase, [Probe()]).Findings).Severity);
        Assert.Equal(DnsExpert.Engine.Results.FindingSeverity.Warning, Assert.Single(DnsExpert.Engine.Sessions.RuleSessionRunner.Run(ruleBase, [Log(), Probe()]).Findings).Severity);
        Assert.Equal(DnsExpert.Engine.Results.FindingSeverity.Warning, Assert.Single(DnsExpert.Engine.Sessions.RuleSessionRunner.Run(ruleBase, [Log()]).Findings).Severity);
    }

    [Theory]
    [InlineData("    cause: \"probe", "    severity: critical\n    cause: \"probe", "lower the rule's severity")]
    [InlineData("cases:", "when:\n  - fact: ClusterDns\n    as: dns\ncases:", "not both")]
    public void A_case_raising_the_rules_severity_and_when_with_cases_are_rejected(string from, string to, string reason)
    {
        var errors = new List<DnsExpert.Engine.RuleFiles.RuleFileError>();
        Assert.Null(DnsExpert.Engine.Compilation.RuleFileReader.Read("rules/x.yaml", TwoCases.Replace(from, to, StringComparison.Ordinal), errors));
        Assert.Contains(errors, e => e.Reason.Contains(reason, StringComparison.Ordinal));
    }
}
