using DnsExpert.Engine.Commands;
using DnsExpert.Engine.Compilation;
using DnsExpert.Engine.Hypotheses;
using DnsExpert.Engine.Results;
using DnsExpert.Engine.RuleFiles;
using DnsExpert.Engine.Sessions;
using DnsExpert.Facts;

namespace DnsExpert.Engine.Tests;

/// <summary>Hypotheses from the rule base alone: routing admits, the fact set decides confirmed / ruled out / unverified.</summary>
public sealed class HypothesisTests
{
    private const string Autopath = """
        id: test-autopath
        title: autopath
        severity: critical
        description: d
        routing:
          nameKind: [external]
        when:
          - fact: CorefilePlugin
            as: plugin
            where: Name == "autopath"
        finding:
          cause: c
          evidence:
            - source: s
              detail: d
          remediation:
            - summary: r
        collect:
          - command: "kubectl get configmap coredns -n kube-system -o json # {{ known.Pod }} {{ known.Namespace }}"
            why: the Corefile
            cost: 1
            facts: [CorefilePlugin]
          - command: "kubectl logs -n kube-system {{ known.CoreDnsPod }}"
            why: the log
            facts: [CoreDnsLogEvent]
        """;

    private static RuleBase Compile(string yaml)
    {
        var errors = new List<RuleFileError>();
        var doc = RuleFileReader.Read("rules/test-autopath.yaml", yaml, errors);
        Assert.Empty(errors);
        return RuleBaseCompiler.Compile([doc!]);
    }

    private static List<RuleFileError> Errors(string yaml) => TestRules.Errors(yaml);

    private static CorefilePlugin Plugin(string name) => new()
    {
        Source = "ConfigMap kube-system/coredns", ServerIndex = 0, ServerKey = ".:53", Name = name, Line = 3, Text = name,
    };

    private static QueriedName Name(string kind) => new() { Source = "request.domain", Name = "x.example.com", Kind = kind };

    [Fact]
    public void Without_its_facts_a_routed_rule_is_unverified_with_the_checks_for_what_is_missing_only()
    {
        var ruleBase = Compile(Autopath);

        var h = Assert.Single(HypothesisBuilder.Build(ruleBase, [Name(NameKinds.External)], [], new KnownValues { Pod = "web-0" }));

        Assert.Equal(RuleHypothesisStatus.Unverified, h.Status);
        Assert.Equal(["CorefilePlugin"], h.Missing);
        var check = Assert.Single(h.Checks);
        Assert.Equal("kubectl get configmap coredns -n kube-system -o json # web-0 <namespace>", check.Command);
        Assert.Equal("the Corefile", check.Why);
    }

    [Fact]
    public void What_the_plan_keeps_per_rule_base_follows_each_report_and_a_reloaded_rule_base()
    {
        // The causes and their routing are kept per rule base and per report (frequency, class, name kind): a report of
        // another kind, or the same report against a reloaded rule base that routes otherwise, is planned afresh.
        var ruleBase = Compile(Autopath);
        var reloaded = Compile(Autopath.Replace("nameKind: [external]", "nameKind: [internal]", StringComparison.Ordinal));

        for (var round = 0; round < 2; round++)
        {
            Assert.Equal(["test-autopath"], HypothesisBuilder.Build(ruleBase, [Name(NameKinds.External)], [], new KnownValues()).Select(h => h.RuleId));
            Assert.Empty(HypothesisBuilder.Build(ruleBase, [Name(NameKinds.Internal)], [], new KnownValues()));
            Assert.Empty(HypothesisBuilder.Build(reloaded, [Name(NameKinds.External)], [], new KnownValues()));
            Assert.Equal(["test-autopath"], HypothesisBuilder.Build(reloaded, [Name(NameKinds.Internal)], [], new KnownValues()).Select(h => h.RuleId));
        }
    }

    [Fact]
    public void With_its_facts_it_is_ruled_out_or_confirmed_and_another_name_kind_is_not_routed_to_it()
    {
        var ruleBase = Compile(Autopath);
        var other = Plugin("cache");

        var ruledOut = Assert.Single(HypothesisBuilder.Build(ruleBase, [Name(NameKinds.External), other], [], new KnownValues()));
        Assert.Equal(RuleHypothesisStatus.RuledOut, ruledOut.Status);
        Assert.Equal("Corefile plugins: cache. None of it matches the rule's conditions", ruledOut.Reason);

        var facts = new List<object> { Name(NameKinds.External), Plugin("autopath") };
        var result = RuleSessionRunner.Run(ruleBase, facts);
        Assert.Equal(RuleHypothesisStatus.Confirmed, Assert.Single(HypothesisBuilder.Build(ruleBase, facts, result.Findings, new KnownValues())).Status);

        Assert.Empty(HypothesisBuilder.Build(ruleBase, [Name(NameKinds.Internal)], [], new KnownValues()));
    }

    [Theory]
    [InlineData("  - command: c\n", "missing required key 'why'")]
    [InlineData("  - command: c\n    why: w\n    cost: 10\n", "cost is an integer from 1")]
    [InlineData("  - command: c\n    why: w\n    facts: [NoSuchFact]\n", "unknown fact type 'NoSuchFact'")]
    [InlineData("  - command: c\n    why: w\n    shell: bash\n", "unknown collect key 'shell'")]
    [InlineData("  - command: \"dig {{ known.Nope }}\"\n    why: w\n", "Nope")]
    [InlineData("  - command: \"ethtool -S eth0; sleep 60\"\n    on: node\n    why: w\n", "one command run on the node")]
    [InlineData("  - command: \"sh -c 'ethtool -S eth0'; rm -rf /\"\n    on: node\n    why: w\n", "one command run on the node")]
    [InlineData("  - command: \"sh -c 'ethtool -S {{ known.Node }}; sleep 60'\"\n    on: node\n    why: w\n", "one command run on the node")]
    [InlineData("  - command: \"kubectl get pods\"\n    on: node\n    why: w\n", "one command run on the node")]
    public void A_bad_collect_entry_is_an_error(string entry, string reason)
    {
        var yaml = Autopath[..Autopath.IndexOf("collect:", StringComparison.Ordinal)] + "collect:\n" + entry;

        var errors = Errors(yaml);

        Assert.Contains(errors, e => e.Reason.Contains(reason, StringComparison.Ordinal));
    }

    [Fact]
    public void A_node_check_may_be_one_sh_c_script_the_nodes_shell_runs_whole()
    {
        var yaml = Autopath[..Autopath.IndexOf("collect:", StringComparison.Ordinal)]
            + "collect:\n  - command: \"sh -c 'ethtool -S eth0; sleep 60; ethtool -S eth0'\"\n    on: node\n    why: w\n";

        Assert.Empty(Errors(yaml));
    }

    /// <summary>
    /// The one value a node script may name is the node's interface (known.CoreDnsNodeInterface: never a placeholder,
    /// only [a-z0-9.-]); any other hole in it stays an error (the InlineData above: known.Node).
    /// </summary>
    [Fact]
    public void A_node_script_may_name_the_nodes_interface_and_no_other_value()
    {
        var yaml = Autopath[..Autopath.IndexOf("collect:", StringComparison.Ordinal)]
            + "collect:\n  - command: \"sh -c 'ethtool -S {{ known.CoreDnsNodeInterface }}; sleep 60; ethtool -S {{ known.CoreDnsNodeInterface }}'\"\n    on: node\n    why: w\n";
        Assert.Empty(Errors(yaml));

        var other = yaml.Replace("; sleep 60;", "; sleep 60; cat {{ known.Name }};", StringComparison.Ordinal);
        Assert.Contains(Errors(other), e => e.Reason.Contains("one command run on the node", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("  listedUnder: [peak]\n", "routing.listedUnder: 'peak' is not in routing.frequency", 7)]
    [InlineData("  listedUnder: [internal]\n", "routing.listedUnder: 'internal' is not in routing.nameKind", 7)]
    [InlineData("  listedUnder: [sometimes]\n", "routing.listedUnder: 'sometimes' is not one of", 7)]
    public void A_row_the_rule_does_not_route_on_is_an_error_at_its_line(string row, string reason, int line)
    {
        var yaml = Autopath.Replace("  nameKind: [external]\n", "  nameKind: [external]\n" + row, StringComparison.Ordinal);

        var error = Assert.Single(Errors(yaml));

        Assert.Contains(reason, error.Reason, StringComparison.Ordinal);
        Assert.Equal(line, error.Line);
    }

    /// <summary>
    /// Two unverified causes, one of them listed under the reported row of the guide's table: it comes first even when
    /// its check costs more and the other's routing names as much of the report. A name-not-found error is routed by
    /// the name's kind, so a frequency row does not order it.
    /// </summary>
    [Theory]
    [InlineData(SymptomClasses.ServerUnreachable, "test-listed")]
    [InlineData(SymptomClasses.Ambiguous, "test-listed")]
    [InlineData(SymptomClasses.NameNotFound, "test-cheap")]
    public void The_row_of_the_guide_table_orders_before_routing_and_cost(string symptomClass, string first)
    {
        static string Rule(string id, string routing, int cost) => Autopath
            .Replace("id: test-autopath", $"id: {id}", StringComparison.Ordinal)
            .Replace("  nameKind: [external]\n", routing, StringComparison.Ordinal)
            .Replace("cost: 1", $"cost: {cost}", StringComparison.Ordinal);
        var docs = new[]
        {
            Rule("test-listed", "  frequency: [peak]\n  listedUnder: [peak]\n", 5),
            Rule("test-cheap", "  frequency: [peak]\n", 1),
        }.Select(yaml =>
        {
            var errors = new List<RuleFileError>();
            var doc = RuleFileReader.Read("rules/r.yaml", yaml, errors);
            Assert.Empty(errors);
            return doc!;
        }).ToList();
        var symptom = new ReportedSymptom { Source = "request.symptom", Class = symptomClass, Frequency = SymptomFrequencies.Peak };

        var hypotheses = HypothesisBuilder.Build(RuleBaseCompiler.Compile(docs), [symptom], [], new KnownValues());

        Assert.Equal(first, hypotheses[0].RuleId);
    }
}

/// <summary>
/// A property null when unknown ([UnknownWhenNull]: a CoreDNS version) cannot rule a cause out while no fact has it:
/// CoreDNS pods read from a table have no image, so no version.
/// </summary>
public sealed class UnknownWhenNullHypothesisTests
{
    private static readonly string Rule = TestRules.OnePattern("test-old-coredns", "critical", "CoreDnsPod", "pod", "Version != null && Version.IsBefore(\"1.7.0\")") + """
        collect:
          - command: "kubectl get pods -n kube-system -l k8s-app=kube-dns -o json"
            why: the images
            cost: 1
            facts: [CoreDnsPod, CoreDnsPod.Version]
          - command: "kubectl get pods -n kube-system -l k8s-app=kube-dns -o wide"
            why: readiness only
            cost: 1
            facts: [CoreDnsPod]
        """;

    private static CoreDnsPod Pod(string? version) => new()
    {
        Source = "s", Namespace = "kube-system", Name = "coredns-a", Ready = true, Phase = PodPhases.Running,
        VersionText = version, Version = version is null ? null : Facts.ReleaseVersion.Parse(version),
    };

    private static IReadOnlyList<RuleHypothesis> Build(params object[] facts) =>
        HypothesisBuilder.Build(TestRules.Compile(Rule), facts, [], new KnownValues());

    [Fact]
    public void Without_any_version_the_cause_stays_unverified_and_names_the_property_and_the_check_that_gives_it()
    {
        var hypothesis = Assert.Single(Build(Pod(null), Pod(null)));

        Assert.Equal(RuleHypothesisStatus.Unverified, hypothesis.Status);
        Assert.Equal(["CoreDnsPod.Version"], hypothesis.Missing);
        Assert.Equal("not checked: CoreDnsPod.Version unknown (on every CoreDnsPod fact)", hypothesis.Reason);
        Assert.Equal(["kubectl get pods -n kube-system -l k8s-app=kube-dns -o json"], hypothesis.Checks.Select(c => c.Command));
    }

    [Fact]
    public void With_one_version_known_it_is_ruled_out()
    {
        var hypothesis = Assert.Single(Build(Pod("1.11.1"), Pod(null)));

        Assert.Equal(RuleHypothesisStatus.RuledOut, hypothesis.Status);
    }

    [Fact]
    public void A_collect_entry_may_name_only_a_property_marked_unknown_when_null()
    {
        var errors = TestRules.Errors(Rule.Replace("CoreDnsPod.Version]", "CoreDnsPod.Restarts]", StringComparison.Ordinal));

        var error = Assert.Single(errors);
        Assert.Contains("unknown fact type 'CoreDnsPod.Restarts' in collect.facts", error.Reason, StringComparison.Ordinal);
    }
}
