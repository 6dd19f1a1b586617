using System.Text;
using System.Text.Json;

namespace DnsExpert.Api.Tests;

/// <summary>
/// A confirmed cause absorbs the findings it explains (issue 20, item 3): it ranks first and carries their highest
/// severity, and they show as its effects (at most warnings) instead of competing criticals; a weaker or other proof of
/// the same rule does not. Requests under <c>tests/scenarios/_combined</c>, built from the rules' own scenarios.
/// </summary>
public sealed class CauseAndEffectsTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private readonly HttpClient _client = factory.CreateClient();

    private async Task<List<(string Id, string Severity, string[] Explains, string[] ExplainedBy)>> Findings(string request)
    {
        var body = await File.ReadAllTextAsync(Path.Combine(ApiFactory.RepoRoot, "tests", "scenarios", "_combined", request));
        var response = await _client.PostAsync("/api/v1/diagnoses", new StringContent(body, Encoding.UTF8, "application/json"));
        var json = await response.Json();
        Assert.True(response.IsSuccessStatusCode, json.ToString());
        return json.GetProperty("findings").EnumerateArray()
            .Select(f => (f.GetProperty("ruleId").GetString()!, f.GetProperty("severity").GetString()!, Ids(f, "explains"), Ids(f, "explainedBy")))
            .ToList();
    }

    private static string[] Ids(JsonElement finding, string relation) =>
        finding.TryGetProperty(relation, out var ids) ? [.. ids.EnumerateArray().Select(i => i.GetString()!)] : [];

    [Fact]
    public async Task A_networkpolicy_dropping_port_53_makes_the_failed_ping_its_effect()
    {
        var findings = await Findings("policy-drops-dns-and-ping.json");
        var ids = findings.Select(f => f.Id).ToList();

        var cause = findings.Single(f => f.Id == "networkpolicy-blocks-dns-egress");
        var effect = findings.Single(f => f.Id == "container-network-error");
        Assert.Equal("critical", cause.Severity);
        Assert.Contains("container-network-error", cause.Explains);
        Assert.Equal("warning", effect.Severity);
        Assert.Equal(["networkpolicy-blocks-dns-egress"], effect.ExplainedBy);
        Assert.True(ids.IndexOf(cause.Id) < ids.IndexOf(effect.Id), string.Join(", ", ids));
    }

    [Fact]
    public async Task CoreDNS_cut_off_from_the_api_server_is_the_critical_cause_of_its_unready_pods_and_empty_endpoints()
    {
        var findings = await Findings("coredns-cannot-reach-apiserver.json");

        Assert.Equal("coredns-apiserver-unreachable", findings[0].Id);
        Assert.Equal("critical", findings[0].Severity);
        Assert.Equal(["coredns-pod-not-running"], findings[0].Explains);
        var notRunning = findings.Single(f => f.Id == "coredns-pod-not-running");
        var noEndpoints = findings.Single(f => f.Id == "kube-dns-no-endpoints");
        Assert.Equal("warning", notRunning.Severity);
        Assert.Equal(["coredns-apiserver-unreachable"], notRunning.ExplainedBy);
        Assert.Equal("warning", noEndpoints.Severity);
        Assert.Equal(["coredns-pod-not-running"], noEndpoints.ExplainedBy);
        Assert.DoesNotContain(findings, f => f.Severity == "critical" && f.ExplainedBy.Length > 0);
    }

    /// <summary>
    /// The proofs that explain no crash: a Corefile refused on reload (the pod keeps serving the old one), and a loop
    /// stub that no loop log line confirms (the crash may have another reason; its own proof is stronger).
    /// </summary>
    [Theory]
    [InlineData("reload-refused-beside-a-crash.json", "coredns-unknown-directive")]
    [InlineData("loop-stub-beside-a-crash.json", "coredns-forward-loop")]
    public async Task A_proof_that_explains_no_crash_neither_demotes_nor_outranks_it(string request, string ruleId)
    {
        var findings = await Findings(request);

        var weak = findings.Single(f => f.Id == ruleId);
        var crash = findings.Single(f => f.Id == "coredns-pod-not-running");
        Assert.Equal("warning", weak.Severity);
        Assert.Empty(weak.Explains);
        Assert.Equal("critical", crash.Severity);
        Assert.Empty(crash.ExplainedBy);
        Assert.True(findings.IndexOf(crash) < findings.IndexOf(weak));
    }
}
