using DnsExpert.Contract;
using DnsExpert.Engine.Hypotheses;
using DnsExpert.Engine.RuleBases;
using DnsExpert.Engine.Sessions;
using DnsExpert.Readers.Building;
using DnsExpert.Testing;

namespace DnsExpert.Diagnosis.Tests;

/// <summary>
/// One registry knows each evidence source (<see cref="EvidenceSources"/>): every rule's <c>collect:</c> command is one
/// of its sources, which yields what the entry promises, and a source read empty counts as observed however it was
/// spelt (<c>journalctl -k</c> as <c>dmesg -T</c>).
/// </summary>
public sealed class EvidenceSourcesTests
{
    private static readonly DirectoryRuleBaseProvider Rules = new(RepoPaths.Rules);
    private static readonly DiagnosisService Service = new(new RuleEngine(Rules), TimeProvider.System);

    private const string Node = "node/cn-hangzhou.192.168.0.199";

    /// <summary>A kernel log with no conntrack line: the table did not overflow while it was kept.</summary>
    private const string CleanKernelLog = "[Sun Dec  6 10:00:01 2026] eth0: renamed from veth1a2b3c\n[Sun Dec  6 10:00:02 2026] IPv6: ADDRCONF(NETDEV_CHANGE): eth0: link becomes ready\n";

    [Theory]
    [InlineData("journalctl -k")]
    [InlineData("journalctl -k --no-pager")]
    [InlineData("dmesg -T")]
    [InlineData("dmesg")]
    [InlineData("kubectl debug node/cn-hangzhou.192.168.0.199 -it --image=busybox -- chroot /host journalctl -k")]
    public void A_clean_kernel_log_read_on_the_node_counts_as_observed_however_it_was_read(string command)
    {
        var snapshot = new Snapshot { Outputs = [new CommandOutput { Command = command, From = command.StartsWith("kubectl", StringComparison.Ordinal) ? null : Node, Text = CleanKernelLog }] };

        Assert.Contains("NodeKernelLogLine", ObservedFactTypes.Of(snapshot, []));
    }

    [Fact]
    public void A_kernel_log_from_a_pod_or_from_nowhere_named_is_not_read_so_not_observed()
    {
        var fromPod = new Snapshot { Outputs = [new CommandOutput { Command = "kubectl exec -n default web-7d4b9c-x2k4q -- dmesg", Text = CleanKernelLog }] };
        var unplaced = new Snapshot { Outputs = [new CommandOutput { Command = "dmesg -T", Text = CleanKernelLog }] };

        Assert.DoesNotContain("NodeKernelLogLine", ObservedFactTypes.Of(fromPod, []));
        Assert.DoesNotContain("NodeKernelLogLine", ObservedFactTypes.Of(unplaced, []));
    }

    [Fact]
    public void A_kernel_log_kept_by_the_node_agent_or_as_a_file_counts_as_observed()
    {
        var snapshot = new Snapshot
        {
            Files =
            [
                new FileArtifact { Node = "n1", Path = "dmesg", Text = CleanKernelLog },
            ],
        };
        var kernLog = new Snapshot { Files = [new FileArtifact { Node = "n1", Path = "/var/log/kern.log", Text = CleanKernelLog }] };

        Assert.Contains("NodeKernelLogLine", ObservedFactTypes.Of(snapshot, []));
        Assert.Contains("NodeKernelLogLine", ObservedFactTypes.Of(kernLog, []));
    }

    [Theory]
    [InlineData("kubectl logs -n kube-system -l k8s-app=kube-dns --prefix --timestamps --tail=500")]
    [InlineData("kubectl -n kube-system logs coredns-5d78c9869d-abcde")]
    public void A_clean_CoreDNS_log_counts_the_log_types_as_observed(string command)
    {
        var snapshot = new Snapshot { Outputs = [new CommandOutput { Command = command, Text = "" }] };

        var observed = ObservedFactTypes.Of(snapshot, []);

        Assert.Superset(new HashSet<string>(["CoreDnsLogEvent", "CoreDnsQueryLog", "CoreDnsParallelQuery"]), observed.ToHashSet());
    }

    [Fact]
    public async Task A_clean_journalctl_k_from_the_node_leaves_the_kernel_log_no_longer_missing()
    {
        var request = new DiagnosisRequest
        {
            Target = new TargetRef { Namespace = "default", Pod = "web-7d4b9c-x2k4q" },
            Domain = "orders.default.svc.cluster.local",
            Symptom = new Symptom { ErrorMessage = "dial tcp: lookup orders.default.svc.cluster.local on 172.21.0.10:53: read udp 172.20.7.45:38161->172.21.0.10:53: i/o timeout", Frequency = Frequency.Peak },
            Snapshot = new Snapshot { Outputs = [new CommandOutput { Command = "journalctl -k", From = Node, Text = CleanKernelLog }] },
        };

        var response = await Service.DiagnoseAsync(request, CancellationToken.None);

        var hypothesis = Assert.Single(response.Hypotheses, h => h.RuleId == "conntrack-table-full");
        Assert.DoesNotContain("NodeKernelLogLine", hypothesis.Missing);
        Assert.Contains("NodeConntrack", hypothesis.Missing);
    }

    /// <summary>
    /// A NodeLocal DNSCache log with no error reaching an upstream (its start-up lines, kubernetes/kubernetes#111888,
    /// without the errors that followed) rules <c>nodelocal-upstream-timeout</c> out: its reader, not the command, says
    /// the log is NodeLocal's. A CoreDNS log read clean does not.
    /// </summary>
    [Theory]
    [InlineData("nodelocaldns-v9c6t", "node-cache", false)]
    [InlineData("coredns-5d78c9869d-abcde", "coredns", true)]
    public async Task A_clean_nodelocal_log_leaves_its_upstream_errors_no_longer_missing(string pod, string container, bool missing)
    {
        var log = string.Join('\n', File.ReadAllLines(Path.Combine(RepoPaths.Root, "tests", "fixtures", "kubectl-logs", "node-local-dns", "kubespray-node-cache-1.21.1-new-node.txt"))
            .Where(l => !l.Contains("plugin/errors", StringComparison.Ordinal)));
        var request = new DiagnosisRequest
        {
            Symptom = new Symptom { ErrorMessage = "dial tcp: lookup orders.shop.svc.cluster.local on 169.254.25.10:53: read udp 10.233.67.18:50123->169.254.25.10:53: i/o timeout" },
            Snapshot = new Snapshot
            {
                Outputs = [new CommandOutput { Command = "kubectl logs -n kube-system -l k8s-app=node-local-dns --prefix", Text = string.Concat(log.Split('\n').Select(l => $"[pod/{pod}/{container}] {l}\n")) }],
            },
        };

        var response = await Service.DiagnoseAsync(request, CancellationToken.None);

        Assert.DoesNotContain(response.Findings, f => f.RuleId == "nodelocal-upstream-timeout");
        var hypothesis = response.Hypotheses.SingleOrDefault(h => h.RuleId == "nodelocal-upstream-timeout");
        Assert.Equal(missing, hypothesis?.Missing.Contains("NodeLocalUpstreamError") == true);
    }

    /// <summary>
    /// Every <c>collect:</c> command of every rule, rendered as a hypothesis shows it (with and without the pod's node
    /// and image known), is one registry source's, run where its entry says (<c>on: node</c>), and that source yields
    /// every fact type the entry promises (<c>Type.Property</c>: the type).
    /// </summary>
    [Theory]
    [MemberData(nameof(CollectPromiseTests.Entries), MemberType = typeof(CollectPromiseTests))]
    public void Every_collect_command_is_one_registry_source_that_yields_what_it_promises(string ruleId, int index, bool nodeAndImageKnown)
    {
        var check = Rules.Current.Rules.Single(r => r.Id == ruleId).Checks[index];
        var command = HypothesisBuilder.CheckOf(check, nodeAndImageKnown ? CollectPromiseTests.KnownWithNode : CollectPromiseTests.Known).Command;
        var from = check.On is "node" or "coredns-node" ? Node : null;
        var (words, site) = EvidenceSources.Locate(command, from);

        var matching = EvidenceSources.Matching(words, site);

        var where = $"rule {ruleId}, collect entry {index + 1} (`{command}`, run at {site?.ToString() ?? "an unknown place"})";
        Assert.True(matching.Count == 1, $"{where} is {matching.Count} registry sources' ({string.Join(", ", matching.Select(s => s.Name))}): add its form to one in {nameof(EvidenceSources)}");
        var source = matching[0];
        var unyielded = check.Facts.Select(f => f.Split('.')[0]).Where(t => !source.Yields.Contains(t, StringComparer.Ordinal)).ToList();
        Assert.True(unyielded.Count == 0, $"{where} promises {string.Join(", ", unyielded)}, which its source '{source.Name}' does not yield");
        Assert.True(source.Reader != EvidenceReader.NotRead || check.Facts.Count == 0, $"{where}: DnsExpert does not read '{source.Name}', yet it promises facts");
    }

    [Fact]
    public void Each_command_form_belongs_to_one_source()
    {
        foreach (var source in EvidenceSources.All)
        {
            foreach (var site in source.Sites)
            {
                foreach (var form in source.Forms)
                {
                    // A form that needs a word ending so (a URL, an API path) gets that ending as the word.
                    var words = form.Words.Prepend(form.Tool).Concat(form.Resources is { } r ? [r[0]] : []).Concat(form.WordEnding is { } e ? [e] : []).ToArray();
                    var matching = EvidenceSources.Matching(words, site);
                    Assert.True(matching.Count == 1 && matching[0] == source, $"`{string.Join(' ', words)}` at {site}: {string.Join(", ", matching.Select(s => s.Name))}");
                }
            }
        }
    }
}
