using System.Text;
using System.Text.Json;
using DnsExpert.Testing;

namespace DnsExpert.Api.Tests;

/// <summary>
/// The commands a diagnosis gives (every finding's remediation, every hypothesis's checks, the next checks) paste as
/// given on the distribution the scenario's objects show: none names a cluster DNS object that the snapshot shows does
/// not exist. Played through the real HTTP pipeline over every scenario (each distribution family has some: GKE's
/// kube-dns Deployment, k3s and RKE2, OpenShift's dns-default DaemonSet in openshift-dns, kubespray's coredns Service
/// and nodelocaldns, AKS, EKS). What the snapshot shows is read from its raw objects, never from the product's reading:
/// <list type="bullet">
/// <item>a <c>deployment/X</c>, <c>daemonset/X</c> (or <c>deployment X</c>) whose name says DNS (<c>dns</c> in it, not
/// NodeLocal's nor an autoscaler's) in namespace N, while the snapshot shows DNS workloads (their objects, or the
/// owners of pods whose name says DNS), must be one of them there (<c>scale deployment/coredns</c> on OpenShift,
/// <c>deployment/dns</c> made from a pod's name, fail);</item>
/// <item>a <c>svc X</c> or <c>service X</c> whose name says DNS in N, while the snapshot holds Services whose name says
/// DNS, must be one of those there (<c>get svc kube-dns</c> on OpenShift fails);</item>
/// <item><c>logs POD</c> in N, while the snapshot holds that pod in another namespace only, fails;</item>
/// <item><c>ethtool -S DEVICE</c>, while the snapshot holds reads of the nodes' counters, must name a device read
/// (<c>eth0</c> where RHCOS's nodes were read as <c>ens5</c> fails).</item>
/// </list>
/// </summary>
public sealed class RemediationObjectsTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private static readonly string ScenarioRoot = Path.Combine(ApiFactory.RepoRoot, "tests", "scenarios");
    private readonly HttpClient _client = factory.CreateClient();

    public static TheoryData<string> Scenarios() => new(
        Directory.EnumerateFiles(ScenarioRoot, "*.json", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(ScenarioRoot, f))
            .Where(f => !f.StartsWith('_') && !f.EndsWith(".expect.json", StringComparison.Ordinal)
                && (Path.GetFileName(f).StartsWith("fires-", StringComparison.Ordinal) || Path.GetFileName(f).StartsWith("near-miss-", StringComparison.Ordinal)))
            .Order(StringComparer.Ordinal));

    [Theory]
    [MemberData(nameof(Scenarios))]
    public async Task No_command_names_a_cluster_dns_object_the_snapshot_shows_does_not_exist(string scenario)
    {
        var (body, json) = await Diagnose(scenario);

        var shown = ShownObjects.Of(JsonDocument.Parse(body).RootElement);
        var wrong = Commands(json).SelectMany(c => shown.Refuted(c.Command).Select(w => $"{c.From}: {w} in `{c.Command}`")).Distinct().ToList();
        Assert.True(wrong.Count == 0, $"{scenario} ({shown.Describe()}):\n{string.Join('\n', wrong)}");
    }

    /// <summary>
    /// No finding's remediation command holds a placeholder (<c>&lt;</c> and a letter): what the scenario shows is
    /// filled in, and what it does not is found by the command itself (<c>$(kubectl get ...)</c>) or left to the text.
    /// </summary>
    [Theory]
    [MemberData(nameof(Scenarios))]
    public async Task No_remediation_command_holds_a_placeholder(string scenario)
    {
        var (_, json) = await Diagnose(scenario);

        var held = Commands(json).Where(c => c.From.EndsWith(" remediation", StringComparison.Ordinal) && HoldsPlaceholder(c.Command))
            .Select(c => $"{c.From}: `{c.Command}`").Distinct().ToList();
        Assert.True(held.Count == 0, $"{scenario}:\n{string.Join('\n', held)}");
    }

    /// <summary>The scenario's request body, and the response the real HTTP pipeline gives it (a success).</summary>
    private async Task<(string Body, JsonElement Json)> Diagnose(string scenario)
    {
        var body = await File.ReadAllTextAsync(Path.Combine(ScenarioRoot, scenario));
        var response = await _client.PostAsync("/api/v1/diagnoses", new StringContent(body, Encoding.UTF8, "application/json"));
        var json = await response.Json();
        Assert.True(response.IsSuccessStatusCode, json.ToString());
        return (body, json);
    }

    private static bool HoldsPlaceholder(string command) =>
        Enumerable.Range(0, Math.Max(0, command.Length - 1)).Any(i => command[i] == '<' && char.IsAsciiLetter(command[i + 1]));

    /// <summary>The test itself: each kind of wrong name is found, and the right one passes.</summary>
    [Fact]
    public void Each_kind_of_name_the_snapshot_refutes_is_found()
    {
        var openShift = new ShownObjects(
            Workloads: [("openshift-dns", "daemonset", "dns-default")], Services: [("openshift-dns", "dns-default")],
            Pods: [("openshift-dns", "dns-default-ltznw")], Devices: ["ens5"]);

        Assert.NotEmpty(openShift.Refuted("kubectl -n openshift-dns scale deployment/dns --replicas=4"));
        Assert.NotEmpty(openShift.Refuted("kubectl -n openshift-dns patch deployment dns-default -p x"));
        Assert.NotEmpty(openShift.Refuted("kubectl -n openshift-dns scale daemonset/dns-default --replicas=2"));
        Assert.NotEmpty(openShift.Refuted("sed \"s/X/$(kubectl -n openshift-dns get svc kube-dns -o jsonpath='{.spec.clusterIP}')/g\" f"));
        Assert.NotEmpty(openShift.Refuted("kubectl -n kube-system logs dns-default-ltznw --tail=50"));
        Assert.NotEmpty(openShift.Refuted("kubectl debug node/n -it --image=busybox -- chroot /host sh -c 'ethtool -S eth0; sleep 60; ethtool -S eth0'"));

        Assert.Empty(openShift.Refuted("kubectl -n openshift-dns rollout restart daemonset/dns-default && kubectl -n openshift-dns get svc dns-default"));
        Assert.Empty(openShift.Refuted("kubectl -n openshift-dns logs dns-default-ltznw --tail=50"));
        Assert.Empty(openShift.Refuted("kubectl debug node/n -it --image=busybox -- chroot /host sh -c 'ethtool -S ens5; sleep 60; ethtool -S ens5'"));
        // NodeLocal DNSCache's objects are not the cluster DNS's; a snapshot that shows no DNS workload refutes none.
        Assert.Empty(openShift.Refuted("kubectl -n kube-system rollout restart daemonset/node-local-dns"));
        Assert.Empty(new ShownObjects([], [], [], []).Refuted("kubectl -n kube-system scale deployment/coredns --replicas=2"));
    }

    /// <summary>Every command of the response, with where it was given.</summary>
    private static IEnumerable<(string From, string Command)> Commands(JsonElement json)
    {
        foreach (var finding in json.GetProperty("findings").EnumerateArray())
        {
            foreach (var step in finding.GetProperty("remediation").EnumerateArray())
            {
                if (step.TryGetProperty("command", out var command) && command.GetString() is { } text)
                {
                    yield return ($"{finding.GetProperty("ruleId").GetString()} remediation", text);
                }
            }
        }

        foreach (var hypothesis in json.TryGetProperty("hypotheses", out var hs) ? hs.EnumerateArray() : default)
        {
            foreach (var check in hypothesis.TryGetProperty("checks", out var cs) ? cs.EnumerateArray() : default)
            {
                if (check.TryGetProperty("command", out var command) && command.GetString() is { } text)
                {
                    yield return ($"{hypothesis.GetProperty("ruleId").GetString()} check", text);
                }
            }
        }

        foreach (var check in json.TryGetProperty("nextChecks", out var next) ? next.EnumerateArray() : default)
        {
            yield return ("next check", check.GetProperty("command").GetString()!);
        }
    }
}
