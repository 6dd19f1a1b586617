using DnsExpert.Engine.Compilation;
using DnsExpert.Engine.Results;
using DnsExpert.Engine.RuleFiles;
using DnsExpert.Engine.Sessions;
using DnsExpert.Facts;
using DnsExpert.Testing;

namespace DnsExpert.Engine.Tests;

/// <summary>Each rule of <see cref="FindingRanking"/>, from the strongest to the weakest, and that they stay in that order.</summary>
public sealed class FindingRankingTests
{
    private static RuleDocument Rule(string id = "r", int priority = 0, RuleRouting? routing = null) => new()
    {
        File = $"rules/{id}.yaml", Line = 1, Id = id, Title = id, Severity = FindingSeverity.Warning, Description = "d", ExplainsFailure = true,
        Priority = priority, Routing = routing ?? RuleRouting.None, Cases = [], Finding = new FindingTemplateDocument(null, [], [], null),
    };

    private static ReportedSymptom Symptom(string frequency = SymptomFrequencies.Unknown, string @class = SymptomClasses.Unknown) =>
        new() { Source = "request", Frequency = frequency, Class = @class, FailureReported = true };

    private static QueriedName Name(string kind) => new() { Source = "request", Name = "api.example.com", Kind = kind };

    private static int Score(RuleDocument rule, FindingSeverity severity = FindingSeverity.Warning, bool about = false, int facts = 1, ReportedSymptom? symptom = null, QueriedName? name = null) =>
        FindingRanking.Score(rule, severity, about, facts, symptom, name);

    /// <summary>Every supported routing answer, about this failure, many facts, the highest priority.</summary>
    private static int Best(FindingSeverity severity)
    {
        var routing = new RuleRouting([SymptomFrequencies.Always], [NameKinds.External], [SymptomClasses.NameNotFound]);
        return Score(Rule(priority: 1000, routing: routing), severity, true, 1000, Symptom(SymptomFrequencies.Always, SymptomClasses.NameNotFound), Name(NameKinds.External));
    }

    /// <summary>Every routing answer contradicted, about the cluster in general, one fact, the lowest priority.</summary>
    private static int Worst(FindingSeverity severity)
    {
        var routing = new RuleRouting([SymptomFrequencies.Peak], [NameKinds.Internal], [SymptomClasses.ServerUnreachable]);
        return Score(Rule(priority: -1000, routing: routing), severity, false, 1, Symptom(SymptomFrequencies.Always, SymptomClasses.NameNotFound), Name(NameKinds.External));
    }

    [Fact]
    public void Severity_comes_first_whatever_else_holds()
    {
        Assert.True(Worst(FindingSeverity.Critical) > Best(FindingSeverity.Warning));
        Assert.True(Worst(FindingSeverity.Warning) > Best(FindingSeverity.Info));
        Assert.True(FindingRanking.Spread < FindingRanking.SeverityBand, $"the parts below severity span {FindingRanking.Spread}");
    }

    [Fact]
    public void Then_a_finding_about_this_failure_ranks_above_one_about_the_cluster() =>
        Assert.True(Score(Rule(), about: true) > Score(Rule(), about: false));

    [Fact]
    public void About_this_failure_outweighs_one_routing_answer_but_not_two()
    {
        var frequency = new RuleRouting([SymptomFrequencies.Always], [], []);
        var both = new RuleRouting([SymptomFrequencies.Always], [], [SymptomClasses.NameNotFound]);
        var symptom = Symptom(SymptomFrequencies.Always, SymptomClasses.NameNotFound);

        Assert.True(Score(Rule(), about: true, symptom: symptom) > Score(Rule(routing: frequency), symptom: symptom));
        Assert.True(Score(Rule(), about: true, symptom: symptom) < Score(Rule(routing: both), symptom: symptom));
    }

    [Theory]
    [InlineData("frequency")]
    [InlineData("symptomClass")]
    [InlineData("nameKind")]
    public void Then_routing_a_supported_symptom_ranks_above_an_unlisted_one_and_that_above_a_contradicted_one(string dimension)
    {
        RuleRouting Listing(string frequency, string @class, string kind) => dimension switch
        {
            "frequency" => new([frequency], [], []),
            "symptomClass" => new([], [], [@class]),
            _ => new([], [kind], []),
        };
        var symptom = Symptom(SymptomFrequencies.Often, SymptomClasses.ServerUnreachable);
        var name = Name(NameKinds.Headless);

        var supported = Score(Rule(routing: Listing(SymptomFrequencies.Often, SymptomClasses.ServerUnreachable, NameKinds.Headless)), symptom: symptom, name: name);
        var unlisted = Score(Rule(), symptom: symptom, name: name);
        var contradicted = Score(Rule(routing: Listing(SymptomFrequencies.Always, SymptomClasses.NameNotFound, NameKinds.External)), symptom: symptom, name: name);

        Assert.Equal(unlisted + FindingRanking.RoutingSupported, supported);
        Assert.Equal(unlisted + FindingRanking.RoutingContradicted, contradicted);
    }

    [Fact]
    public void A_symptom_that_was_not_reported_supports_and_contradicts_nothing()
    {
        var routing = new RuleRouting([SymptomFrequencies.Always], [NameKinds.External], [SymptomClasses.NameNotFound]);
        var neutral = Score(Rule());

        Assert.Equal(neutral, Score(Rule(routing: routing)));
        Assert.Equal(neutral, Score(Rule(routing: routing), symptom: Symptom()));
    }

    [Fact]
    public void Then_more_agreeing_facts_rank_higher_up_to_a_bound()
    {
        Assert.True(Score(Rule(), facts: 3) > Score(Rule(), facts: 2));
        Assert.Equal(Score(Rule(), facts: FindingRanking.MaxAgreeingFacts), Score(Rule(), facts: FindingRanking.MaxAgreeingFacts + 40));
    }

    [Fact]
    public void No_shipped_rule_has_more_patterns_than_the_bound_counts()
    {
        var ruleBase = RuleBaseLoader.Load(RepoPaths.Rules);
        var most = ruleBase.Rules.SelectMany(r => r.Cases).Max(c => c.Specificity);
        Assert.True(most <= FindingRanking.MaxAgreeingFacts, $"a case has {most} positive patterns");
    }

    [Fact]
    public void Relation_facts_a_rule_joins_through_are_not_agreeing_facts()
    {
        // networkpolicy-blocks-dns-egress matches the policy and joins it to the pod through PolicySelectsPod (a
        // relation): one fact agrees, as before the join moved into the rule, so the join alone does not lift it past a
        // conntrack finding of the same weight in a busy-hour outage.
        var rule = RuleBaseLoader.Load(RepoPaths.Rules).Rules.Single(r => r.Id == "networkpolicy-blocks-dns-egress");

        Assert.Contains(rule.FactTypeNames, n => n == "PolicySelectsPod");
        Assert.All(rule.Cases, c => Assert.Equal(1, c.Specificity));
    }

    [Fact]
    public void Last_the_rule_files_priority_within_its_bound()
    {
        Assert.True(Score(Rule(priority: 10)) > Score(Rule(priority: 0)));
        Assert.Equal(Score(Rule(priority: FindingRanking.MaxPriority)), Score(Rule(priority: 10_000)));
        Assert.Equal(Score(Rule(priority: -FindingRanking.MaxPriority)), Score(Rule(priority: -10_000)));

        // A priority never outweighs a routing answer.
        Assert.True(Score(Rule(priority: 10_000)) < Score(Rule(routing: new([SymptomFrequencies.Always], [], [])), symptom: Symptom(SymptomFrequencies.Always)));
    }

    [Fact]
    public void A_session_orders_its_findings_by_the_policy_and_ties_by_rule_id()
    {
        static string Yaml(string id, string severity, string plugin) => TestRules.OnePattern(id, severity, "CorefilePlugin", "p", $"Name == \"{plugin}\"");
        var ruleBase = TestRules.Compile(
            Yaml("b-general", "warning", "errors"), Yaml("a-general", "warning", "errors"),
            Yaml("z-critical", "critical", "errors"), Yaml("m-about-the-failure", "warning", "autopath"));
        CorefilePlugin Plugin(string name, bool about) => new()
        {
            Source = "ConfigMap kube-system/coredns", ServerIndex = 0, ServerKey = ".:53", Name = name, Line = 1, Text = name, ConcernsFailure = about,
        };

        var findings = RuleSessionRunner.Run(ruleBase, [Plugin("errors", false), Plugin("autopath", true)]).Findings;

        Assert.Equal(["z-critical", "m-about-the-failure", "a-general", "b-general"], findings.Select(f => f.RuleId));
    }
}
