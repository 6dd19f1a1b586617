using System.Text.Json;
using System.Text.Json.Nodes;

namespace DnsExpert.Api.Tests;

/// <summary>
/// A CoreDNS pod that restarted is followed by its previous container's log, the run that stopped
/// (<c>kubectl logs -n kube-system POD --previous</c>, the pod named as the pods showed it), and that output pasted back
/// is read as that pod's log: the crash output of real CoreDNS pods (tests/fixtures/kubectl-logs/previous) names the
/// cause, and the pod's crash is its effect.
/// </summary>
public sealed class PreviousLogsTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private const string Previous = "kubectl logs -n kube-system coredns-5d78c9869d-abcde --previous --timestamps --tail=500";

    private static JsonObject ObjectsOf(string scenario) => ScenarioRequests.ObjectsOf(scenario);

    private Task<JsonElement> DiagnoseAsync(JsonObject request) => ScenarioRequests.DiagnoseAsync(factory, request);

    private static List<string> NextChecks(JsonElement diagnosis) => ScenarioRequests.NextChecks(diagnosis);

    private static string Fixture(string file) =>
        File.ReadAllText(Path.Combine(ApiFactory.RepoRoot, "tests", "fixtures", "kubectl-logs", "previous", file));

    [Fact]
    public async Task A_crash_looping_CoreDNS_pod_is_followed_by_its_previous_containers_log()
    {
        var checks = NextChecks(await DiagnoseAsync(ObjectsOf("coredns-forward-loop/fires-stub-with-uplink-file-names-real-upstream.json")));

        Assert.True(checks.Contains(Previous), string.Join("\n", checks));
    }

    [Fact]
    public async Task Pods_that_never_restarted_get_no_previous_log_check()
    {
        var checks = NextChecks(await DiagnoseAsync(ObjectsOf("coredns-load-unbalanced/near-miss-two-replicas-on-two-nodes.json")));

        Assert.DoesNotContain(checks, c => c.Contains("--previous", StringComparison.Ordinal) || c.Contains("<restarted-coredns-pod>", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("coredns-1.5.0-loop-fatal.txt", "coredns-forward-loop", "Loop (127.0.0.1:34614 -> :53) detected for zone")]
    [InlineData("coredns-unknown-directive-k8s-gateway.txt", "coredns-unknown-directive", "Unknown directive 'k8s_gateway'")]
    public async Task The_previous_log_pasted_back_is_read_as_that_pods_log_and_its_crash_is_the_effect(string fixture, string cause, string line)
    {
        var request = ObjectsOf("coredns-forward-loop/fires-stub-with-uplink-file-names-real-upstream.json");
        request["snapshot"]!["outputs"] = new JsonArray(new JsonObject { ["command"] = Previous, ["text"] = Fixture(fixture) });

        var diagnosis = await DiagnoseAsync(request);
        var findings = diagnosis.GetProperty("findings").EnumerateArray().ToList();

        Assert.Contains(diagnosis.GetProperty("collection").EnumerateArray(), c => c.GetProperty("source").GetString() == "snapshot.outputs[0]"
            && c.GetProperty("detail").GetString() == "read as the log of pod kube-system/coredns-5d78c9869d-abcde's previous container (the run before its last restart)");

        var found = Assert.Single(findings, f => f.GetProperty("ruleId").GetString() == cause);
        Assert.Contains(found.GetProperty("evidence").EnumerateArray(), e => e.GetProperty("source").GetString() == "Pod kube-system/coredns-5d78c9869d-abcde log"
            && e.GetProperty("detail").GetString()!.Contains(line, StringComparison.Ordinal));
        Assert.Equal("critical", found.GetProperty("severity").GetString());
        var crash = Assert.Single(findings, f => f.GetProperty("ruleId").GetString() == "coredns-pod-not-running");
        Assert.Equal("warning", crash.GetProperty("severity").GetString());
        Assert.Equal([cause], crash.GetProperty("explainedBy").EnumerateArray().Select(e => e.GetString()));
    }
}
