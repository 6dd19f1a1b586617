using System.Text.Json;
using DnsExpert.Contract;
using DnsExpert.Engine.Results;

namespace DnsExpert.Diagnosis.Tests;

/// <summary>
/// The engine's results reach the wire whole: every field of a finding and a hypothesis is carried, every severity and
/// status keeps its name, and the engine's mark of a check whose file is shared is the wire's.
/// </summary>
public sealed class WireResultsTests
{
    [Fact]
    public void A_finding_is_carried_field_by_field()
    {
        var finding = new RuleFinding("r", FindingSeverity.Critical, "title", "cause", [new("src", "detail")], [new("do", "cmd", null), new("edit", null, "snippet")])
        {
            Ticket = new RuleTicket([new("name", "SERVFAIL", "12:00:01", null)], [new("node-1", "i-1")]),
            Explains = ["effect"],
        };

        var wire = WireResults.Finding(finding);

        Assert.Equal(
            """
            {"ruleId":"r","severity":"critical","title":"title","cause":"cause","evidence":[{"source":"src","detail":"detail"}],
            "remediation":[{"summary":"do","command":"cmd"},{"summary":"edit","snippet":"snippet"}],
            "ticket":{"entries":[{"name":"name","rcode":"SERVFAIL","time":"12:00:01","coreDnsPod":null}],"coreDnsNodes":[{"node":"node-1","instanceId":"i-1"}]},
            "explains":["effect"]}
            """.ReplaceLineEndings(""),
            JsonSerializer.Serialize(wire, JsonSerializerOptions.Web));
    }

    [Fact]
    public void A_hypothesis_and_a_next_check_are_carried_field_by_field()
    {
        var check = new RuleCheck("kubectl get pods", "why", "paste");
        var hypothesis = new RuleHypothesis { RuleId = "r", Title = "t", Status = RuleHypothesisStatus.Unverified, Reason = "why", Missing = ["PodDns"], Checks = [check] };

        var wire = Assert.Single(WireResults.Hypotheses([hypothesis]));
        var next = Assert.Single(WireResults.NextChecks([new RankedCheck(check, ["r", "s"])]));

        Assert.Equal(
            """{"ruleId":"r","title":"t","status":"unverified","reason":"why","missing":["PodDns"],"checks":[{"command":"kubectl get pods","why":"why","paste":"paste"}]}""",
            JsonSerializer.Serialize(wire, JsonSerializerOptions.Web));
        Assert.Equal(("kubectl get pods", "why", "paste"), (next.Command, next.Why, next.Paste));
        Assert.Equal(["r", "s"], next.RuleIds);
    }

    [Fact]
    public void Every_severity_and_status_keeps_its_name()
    {
        Assert.All(Enum.GetValues<FindingSeverity>(), s => Assert.Equal(s.ToString(), WireResults.Severity(s).ToString()));
        Assert.All(Enum.GetValues<RuleHypothesisStatus>(), s => Assert.Equal(
            s.ToString(),
            Assert.Single(WireResults.Hypotheses([new RuleHypothesis { RuleId = "r", Title = "t", Status = s, Reason = "r" }])).Status.ToString()));
    }

    [Fact]
    public void A_check_whose_file_is_shared_is_marked_as_the_wire_marks_it()
    {
        Assert.Equal(NextCheck.NotPasted, RuleCheck.NotPasted);
    }
}
