using System.Text.Json;
using System.Text.Json.Nodes;

namespace DnsExpert.Api.Tests;

/// <summary>
/// kube-dns's dnsmasq logs reaching its cap in its own container, which <c>kubectl logs</c> does not read by default
/// (it reads kubedns): once the pods show a kube-dns pod, that pod's dnsmasq log is a check of
/// coredns-forward-max-concurrent, and a clean kubedns log does not rule dnsmasq's cap out. The dnsmasq lines are real
/// (tests/fixtures/kubectl-logs/kube-dns-dnsmasq), as are the kubedns ones (its start-up wait, as
/// coredns-apiserver-unreachable/near-miss-kube-dns-two-waits-then-initialized holds it).
/// </summary>
public sealed class DnsmasqLogTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private const string KubeDnsScenario = "coredns-forward-max-concurrent/fires-kube-dns-dnsmasq-at-forward-max-for-two-minutes.json";
    private const string DnsmasqCheck = "kubectl logs -n kube-system kube-dns-7d4c8f6b5d-8xkq2 -c dnsmasq --timestamps --tail=500";
    private const string PodsLogs = "kubectl logs -n kube-system -l 'k8s-app in (kube-dns,coredns)' --prefix --timestamps --tail=500";

    /// <summary>Both kube-dns pods' default container (kubedns) logged only its start-up: nothing of dnsmasq.</summary>
    private static string KubeDnsLogs()
    {
        var scenario = JsonNode.Parse(File.ReadAllText(Path.Combine(ApiFactory.RepoRoot, "tests", "scenarios", "coredns-apiserver-unreachable", "near-miss-kube-dns-two-waits-then-initialized.json")))!;
        var lines = scenario["snapshot"]!["logs"]![0]!["text"]!.GetValue<string>().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return string.Concat(new[] { "kube-dns-7d4c8f6b5d-8xkq2", "kube-dns-7d4c8f6b5d-t2v9r" }.SelectMany(pod => lines.Select(l => $"[pod/{pod}/kubedns] {l}\n")));
    }

    private static JsonObject ObjectsOf(string scenario) => ScenarioRequests.ObjectsOf(scenario);

    private Task<JsonElement> DiagnoseAsync(JsonObject request) => ScenarioRequests.DiagnoseAsync(factory, request);

    private static List<string> NextChecks(JsonElement diagnosis) => ScenarioRequests.NextChecks(diagnosis);

    [Fact]
    public async Task After_a_clean_kubedns_log_the_dnsmasq_log_is_still_a_check_and_its_cap_still_open()
    {
        var request = ObjectsOf(KubeDnsScenario);
        request["snapshot"]!["outputs"] = new JsonArray(new JsonObject { ["command"] = PodsLogs, ["text"] = KubeDnsLogs() });

        var diagnosis = await DiagnoseAsync(request);

        Assert.Contains(DnsmasqCheck, NextChecks(diagnosis));
        var hypothesis = Assert.Single(diagnosis.GetProperty("hypotheses").EnumerateArray(), h => h.GetProperty("ruleId").GetString() == "coredns-forward-max-concurrent");
        Assert.Equal("unverified", hypothesis.GetProperty("status").GetString());
        Assert.Contains("ClusterDns.DnsmasqLogRead", hypothesis.GetProperty("missing").EnumerateArray().Select(m => m.GetString()));
    }

    [Fact]
    public async Task The_dnsmasq_log_pasted_back_is_read_as_that_pods_and_shows_the_cap()
    {
        var request = ObjectsOf(KubeDnsScenario);
        var dnsmasq = File.ReadAllText(Path.Combine(ApiFactory.RepoRoot, "tests", "fixtures", "kubectl-logs", "kube-dns-dnsmasq", "dnsmasq-nanny-1.14.6-forward-max.txt"));
        request["snapshot"]!["outputs"] = new JsonArray(
            new JsonObject { ["command"] = PodsLogs, ["text"] = KubeDnsLogs() },
            new JsonObject { ["command"] = DnsmasqCheck, ["text"] = dnsmasq });

        var diagnosis = await DiagnoseAsync(request);

        var found = Assert.Single(diagnosis.GetProperty("findings").EnumerateArray(), f => f.GetProperty("ruleId").GetString() == "coredns-forward-max-concurrent");
        Assert.Contains(found.GetProperty("evidence").EnumerateArray(), e => e.GetProperty("source").GetString() == "Pod kube-system/kube-dns-7d4c8f6b5d-8xkq2 log"
            && e.GetProperty("detail").GetString()!.Contains("Maximum number of concurrent DNS queries reached (max: 150)", StringComparison.Ordinal));
        Assert.DoesNotContain(DnsmasqCheck, NextChecks(diagnosis));
    }

    [Fact]
    public async Task CoreDNS_pods_have_no_dnsmasq_log_to_ask_for()
    {
        var diagnosis = await DiagnoseAsync(ObjectsOf("conntrack-table-full/fires-count-at-99-percent-of-max.json"));

        Assert.DoesNotContain(NextChecks(diagnosis), c => c.Contains("-c dnsmasq", StringComparison.Ordinal) || c.Contains("<kube-dns-pod>", StringComparison.Ordinal));
    }
}
