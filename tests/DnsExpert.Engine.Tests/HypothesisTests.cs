using DnsExpert.Core.Contract;
using DnsExpert.Core.Facts;
using DnsExpert.Engine.Compilation;
using DnsExpert.Engine.Hypotheses;
using DnsExpert.Engine.RuleFiles;
using DnsExpert.Engine.Sessions;

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

        Assert.Equal(HypothesisStatus.Unverified, h.Status);
        Assert.Equal(["CorefilePlugin"], h.Missing);
        var check = Assert.Single(h.Checks);
        Assert.Equal("kubectl get configmap coredns -n kube-system -o json # web-0 <namespace>", check.Command);
        Assert.Equal("the Corefile", check.Why);
    }

    [Fact]
    public void With_its_facts_it_is_ruled_out_or_confirmed_and_another_name_kind_is_not_routed_to_it()
    {
        var ruleBase = Compile(Autopath);
        var other = Plugin("cache");

        var ruledOut = Assert.Single(HypothesisBuilder.Build(ruleBase, [Name(NameKinds.External), other], [], new KnownValues()));
        Assert.Equal(HypothesisStatus.RuledOut, ruledOut.Status);
        Assert.Equal("Corefile plugins: cache. None of it matches the rule's conditions", ruledOut.Reason);

        var facts = new List<object> { Name(NameKinds.External), Plugin("autopath") };
        var result = RuleSessionRunner.Run(ruleBase, facts);
        Assert.Equal(HypothesisStatus.Confirmed, Assert.Single(HypothesisBuilder.Build(ruleBase, facts, result.Findings, new KnownValues())).Status);

        Assert.Empty(HypothesisBuilder.Build(ruleBase, [Name(NameKinds.Internal)], [], new KnownValues()));
    }

    [Theory]
    [InlineData("  - command: c\n", "missing required key 'why'")]
    [InlineData("  - command: c\n    why: w\n    cost: 10\n", "cost is an integer from 1")]
    [InlineData("  - command: c\n    why: w\n    facts: [NoSuchFact]\n", "unknown fact type 'NoSuchFact'")]
    [InlineData("  - command: c\n    why: w\n    shell: bash\n", "unknown collect key 'shell'")]
    [InlineData("  - command: \"dig {{ known.Nope }}\"\n    why: w\n", "Nope")]
    public void A_bad_collect_entry_is_an_error(string entry, string reason)
    {
        var yaml = Autopath[..Autopath.IndexOf("collect:", StringComparison.Ordinal)] + "collect:\n" + entry;

        var errors = Errors(yaml);

        Assert.Contains(errors, e => e.Reason.Contains(reason, StringComparison.Ordinal));
    }
}
