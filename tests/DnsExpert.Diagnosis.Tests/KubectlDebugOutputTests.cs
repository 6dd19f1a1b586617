using DnsExpert.Contract;
using DnsExpert.Diagnosis.Composition;
using DnsExpert.Engine.RuleBases;
using DnsExpert.Engine.Sessions;
using DnsExpert.Testing;

namespace DnsExpert.Diagnosis.Tests;

/// <summary>
/// <c>kubectl debug POD -i --image=busybox --target=coredns -- CMD</c> runs CMD in CoreDNS's network namespace (the
/// CoreDNS image has no shell): its pasted output is a probe from that CoreDNS pod, so the guide's "dig the upstream
/// from CoreDNS" check can confirm coredns-upstream-unreachable.
/// </summary>
public sealed class KubectlDebugOutputTests
{
    private static readonly IDiagnosisService Service = new DnsExpertComposition(new CompositionInputs(RepoPaths.Rules)).Diagnoses;

    private static string Fixture(string path) => File.ReadAllText(Path.Combine(RepoPaths.Root, path));

    private static DiagnosisRequest Request(string debugCommand, string output) => new()
    {
        Target = new TargetRef { Namespace = "default", Pod = "web-7d4b9c-x2k4q" },
        Domain = "www.example.com",
        Symptom = new Symptom { ErrorMessage = "dial tcp: lookup www.example.com on 172.21.0.10:53: read udp 172.20.7.45:38161->172.21.0.10:53: i/o timeout", Frequency = Frequency.Always },
        Snapshot = new Snapshot
        {
            Outputs =
            [
                new CommandOutput { Command = "kubectl get pods -n kube-system -l k8s-app=kube-dns -o json", Text = Fixture("tests/fixtures/cluster-info-dump/kube-system/pods.json") },
                new CommandOutput { Command = debugCommand, Text = output },
            ],
        },
    };

    [Fact]
    public async Task A_timed_out_nslookup_run_from_a_CoreDNS_pod_confirms_the_upstream_is_unreachable_from_there()
    {
        var command = "kubectl debug -n kube-system coredns-5d78c9869d-abcde -i --image=busybox:1.36 --target=coredns -- nslookup www.example.com 100.100.2.136";

        var response = await Service.DiagnoseAsync(Request(command, Fixture("tests/fixtures/dns-tools/nslookup-busybox-timeout.txt")), CancellationToken.None);

        var finding = Assert.Single(response.Findings, f => f.RuleId == "coredns-upstream-unreachable");
        Assert.Contains("From CoreDNS (kube-system/coredns-5d78c9869d-abcde), a query to the upstream 100.100.2.136 failed (timeout)", finding.Cause, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("kubectl debug -n kube-system coredns-5d78c9869d-abcde -it --image busybox:1.36 --target coredns -- nslookup www.example.com 100.100.2.136")]
    [InlineData("kubectl debug coredns-5d78c9869d-abcde --namespace=kube-system -i --image=nicolaka/netshoot --target=coredns -- nslookup www.example.com 100.100.2.136")]
    [InlineData("kubectl -n kube-system debug pod/coredns-5d78c9869d-abcde -i --image=busybox:1.36 --target=coredns -- nslookup www.example.com 100.100.2.136")]
    public async Task Every_spelling_of_the_debug_command_names_the_CoreDNS_pod(string command)
    {
        var response = await Service.DiagnoseAsync(Request(command, Fixture("tests/fixtures/dns-tools/nslookup-busybox-timeout.txt")), CancellationToken.None);

        Assert.Contains(response.Findings, f => f.RuleId == "coredns-upstream-unreachable");
    }

    [Fact]
    public async Task An_answer_from_there_leaves_the_upstream_reachable_and_a_node_debug_runs_on_the_node()
    {
        var answered = Fixture("tests/fixtures/dns-tools/nslookup-busybox-a-answered-aaaa-refused.txt").Replace("127.0.0.1:15399", "100.100.2.136:53", StringComparison.Ordinal);
        var fromPod = await Service.DiagnoseAsync(
            Request("kubectl debug -n kube-system coredns-5d78c9869d-abcde -i --image=busybox:1.36 --target=coredns -- nslookup orders.shop.svc.cluster.local 100.100.2.136", answered),
            CancellationToken.None);
        Assert.DoesNotContain(fromPod.Findings, f => f.RuleId == "coredns-upstream-unreachable" && f.Cause.Contains("From CoreDNS", StringComparison.Ordinal));

        var fromNode = await Service.DiagnoseAsync(
            Request("kubectl debug node/cn-hangzhou.192.168.0.198 -i --image=busybox:1.36 -- nslookup www.example.com 100.100.2.136", Fixture("tests/fixtures/dns-tools/nslookup-busybox-timeout.txt")),
            CancellationToken.None);
        Assert.DoesNotContain(fromNode.Findings, f => f.RuleId == "coredns-upstream-unreachable");
        Assert.Contains(fromNode.Collection, c => c.Source == "snapshot.outputs[1]" && c.Status == CollectionStatus.Ok);
    }
}
