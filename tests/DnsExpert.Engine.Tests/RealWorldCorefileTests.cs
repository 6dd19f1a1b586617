using System.Text.Json;
using DnsExpert.Contract;
using DnsExpert.Engine.Results;
using DnsExpert.Facts;
using DnsExpert.Readers;
using DnsExpert.Readers.Building;
using DnsExpert.Testing;

namespace DnsExpert.Engine.Tests;

/// <summary>
/// The Corefiles of real distributions and real reports (<c>tests/realworld/corefiles</c>, each with its source in a
/// comment) through the fact builder and the real rule base: the Corefile rules fire where the file is wrong and are
/// silent where it is a working default.
/// </summary>
public sealed class RealWorldCorefileTests
{
    private static string[] CorefileRuleIds => ["coredns-no-terminal-plugin", "coredns-forward-loop", "coredns-autopath-enabled"];

    private static DiagnosisRequest Request(string corefile, params FileArtifact[] files)
    {
        var configMap = JsonSerializer.SerializeToElement(new
        {
            apiVersion = "v1",
            kind = "ConfigMap",
            metadata = new { name = "coredns", @namespace = "kube-system" },
            data = new Dictionary<string, string> { ["Corefile"] = corefile },
        });
        return new DiagnosisRequest { Snapshot = new Snapshot { Objects = [configMap], Files = [.. files] } };
    }

    private static (FactSet Facts, List<RuleFinding> Findings) Diagnose(string name, params FileArtifact[] files)
    {
        var text = File.ReadAllText(Path.Combine(RepoPaths.Root, "tests", "realworld", "corefiles", name + ".Corefile"));
        var facts = SnapshotFactBuilder.Build(Request(text, files));
        return (facts, RealRules.Diagnose(facts).Where(f => CorefileRuleIds.Contains(f.RuleId)).ToList());
    }

    [Theory]
    [InlineData("kubeadm")]
    [InlineData("k3s")]
    [InlineData("eks")]
    [InlineData("aks")]
    [InlineData("ack")]
    [InlineData("stub-domain")]
    [InlineData("homelab-split-forward")]
    [InlineData("template-and-svc-zone")]
    [InlineData("openshift")]
    [InlineData("kubespray-2.12")]
    public void A_working_distribution_default_raises_no_corefile_finding(string corefile)
    {
        var (facts, findings) = Diagnose(corefile);

        Assert.Empty(findings);
        Assert.Empty(facts.Facts.OfType<CorefileUnansweredZone>());
        Assert.NotEmpty(facts.Facts.OfType<CorefileUpstream>());
    }

    [Fact]
    public void A_block_without_forward_is_found_with_its_zone_line_and_what_is_answered()
    {
        var (facts, findings) = Diagnose("no-forward-issue-4062");

        var gap = Assert.Single(facts.Facts.OfType<CorefileUnansweredZone>());
        Assert.Equal((".", 0), (gap.Zone, gap.ServerIndex));
        Assert.Equal(["cluster.local. (kubernetes, line 9)"], gap.AnsweredBelow);
        var finding = Assert.Single(findings);
        Assert.Equal(("coredns-no-terminal-plugin", FindingSeverity.Critical), (finding.RuleId, finding.Severity));
        Assert.Equal("ConfigMap kube-system/coredns", finding.Evidence[0].Source);
        Assert.Contains("server block .:53 at Corefile line 3: zone . unanswered; answered below it: cluster.local. (kubernetes, line 9)", finding.Evidence[0].Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_stock_forward_to_resolv_conf_is_a_loop_warning_only_where_a_coredns_node_names_a_loopback_stub()
    {
        var stub = new FileArtifact { Node = "node-1", Path = "/etc/resolv.conf", Text = "nameserver 127.0.0.53\noptions edns0 trust-ad\n" };

        // The node's file alone proves nothing about CoreDNS: nothing joins without a CoreDNS pod on that node.
        var (facts, findings) = Diagnose("kubeadm", stub);
        Assert.Equal("127.0.0.53", Assert.Single(facts.Facts.OfType<NodeResolvConf>()).LoopbackNameserver);
        Assert.Equal(("/etc/resolv.conf", null, 14), Assert.Single(facts.Facts.OfType<CorefileUpstream>()) is var u ? (u.File, u.Address, u.Line) : default);
        Assert.Empty(findings);

        var withPod = Request(File.ReadAllText(Path.Combine(RepoPaths.Root, "tests", "realworld", "corefiles", "kubeadm.Corefile")), stub);
        withPod.Snapshot!.Objects!.Add(JsonSerializer.SerializeToElement(new
        {
            apiVersion = "v1",
            kind = "Pod",
            metadata = new { name = "coredns-7db6d8ff4d-x2x9l", @namespace = "kube-system", labels = new Dictionary<string, string> { ["k8s-app"] = "kube-dns" } },
            spec = new { nodeName = "node-1", containers = new[] { new { name = "coredns", image = "registry.k8s.io/coredns/coredns:v1.11.1" } } },
        }));
        var loop = Assert.Single(RealRules.Diagnose(withPod), f => f.RuleId == "coredns-forward-loop");
        Assert.Equal(FindingSeverity.Warning, loop.Severity);
        Assert.Equal(["ConfigMap kube-system/coredns", "Node node-1 /etc/resolv.conf"], loop.Evidence.Select(e => e.Source));
    }

    [Fact]
    public void Only_an_answering_zone_without_fallthrough_counts()
    {
        var (_, findings) = Diagnose("k3s");
        Assert.Empty(findings);

        var hostsOnly = """
            example.org:53 {
                hosts {
                    10.0.0.1 a.example.org
                    fallthrough
                }
            }
            internal.example:53 {
                template IN A internal.example {
                    answer "{{ .Name }} 60 IN A 10.0.0.2"
                }
            }
            """;
        var facts = SnapshotFactBuilder.Build(Request(hostsOnly));
        Assert.Equal(["example.org.", "internal.example."], facts.Facts.OfType<CorefileUnansweredZone>().Select(g => g.Zone));
    }
}
