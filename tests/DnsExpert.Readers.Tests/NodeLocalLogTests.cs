using System.Text.Json;
using System.Text.Json.Nodes;
using DnsExpert.Contract;
using DnsExpert.Facts;
using DnsExpert.Readers.Building;

namespace DnsExpert.Readers.Tests;

/// <summary>
/// NodeLocal DNSCache's logs (issue 21, <c>nodelocal-upstream-timeout</c>): node-cache's lines have CoreDNS's shape, but
/// its log is read as NodeLocal's (by its container, label or DaemonSet's pod names), never as a CoreDNS pod's, and each
/// upstream it cannot reach is told as the cluster DNS or the node's resolver. Logs and manifests are real ones
/// (tests/fixtures/kubectl-logs/node-local-dns and tests/fixtures/nodelocal, SOURCES.md in each).
/// </summary>
public sealed class NodeLocalLogTests
{
    private static string Fixture(params string[] path) =>
        File.ReadAllText(Path.Combine([AppContext.BaseDirectory, "..", "..", "..", "..", "fixtures", .. path]));

    private static readonly string KubesprayLog = Fixture("kubectl-logs", "node-local-dns", "kubespray-node-cache-1.21.1-new-node.txt");

    private static List<string> Manifest(string fixture, string? from = null, string? to = null) =>
        [.. JsonNode.Parse(from is null ? Fixture("nodelocal", fixture) : Fixture("nodelocal", fixture).Replace(from, to, StringComparison.Ordinal))!["items"]!.AsArray()
            .Select(i => i!.ToJsonString())];

    private static IReadOnlyList<object> Facts(IEnumerable<string> objects, params LogArtifact[] logs) => SnapshotFactBuilder.Build(new DiagnosisRequest
    {
        Snapshot = new Snapshot { Objects = [.. objects.Select(o => JsonDocument.Parse(o).RootElement)], Logs = [.. logs] },
    }).Facts;

    private static LogArtifact Log(string pod, string text, string? container = null) =>
        new() { Namespace = "kube-system", Pod = pod, Container = container, Text = text };

    [Fact]
    public void A_kubespray_nodelocaldns_log_is_told_by_its_pods_name_and_its_upstream_by_the_corefiles_forward_line()
    {
        // Neither container nor pod object: the name of the DaemonSet's pods says whose log it is; without the coredns
        // Service, the ConfigMap's `forward . 10.233.0.3` for cluster.local says which upstream 10.233.0.3 is.
        var facts = Facts(Manifest("kubespray-nodelocaldns.json"), Log("nodelocaldns-v9c6t", KubesprayLog));

        var error = Assert.Single(facts.OfType<NodeLocalUpstreamError>());
        Assert.Equal(("10.233.0.3:53", "10.233.0.3", "tcp", "i/o timeout"), (error.Endpoint, error.Address, error.Transport, error.Error));
        Assert.Equal(NodeLocalUpstreamKinds.ClusterDns, error.UpstreamKind);
        Assert.Contains("where NodeLocal's Corefile forwards the cluster domain", error.UpstreamIs, StringComparison.Ordinal);
        Assert.Equal((5, 3, 14, 18), (error.Lines, error.Names, error.LineNumber, error.LastLineNumber));
        Assert.Equal("kubernetes.default.svc.cluster.local", error.ProbeName);
        Assert.Empty(facts.OfType<CoreDnsLogEvent>());
    }

    [Fact]
    public void The_same_lines_in_a_coredns_container_are_coredns_upstream_errors_not_nodelocals()
    {
        var facts = Facts([], Log("coredns-776bb9db5d-4kzvn", KubesprayLog, "coredns"));

        Assert.Empty(facts.OfType<NodeLocalUpstreamError>());
        Assert.Contains(facts.OfType<CoreDnsLogEvent>(), e => e.Kind == CoreDnsLogEventKinds.UpstreamError && e.Endpoint == "10.233.0.3:53");
    }

    [Fact]
    public void A_name_outside_the_cluster_domain_goes_to_the_nodes_resolver()
    {
        var facts = Facts([], Log("node-local-dns-q7t2m", Fixture("kubectl-logs", "node-local-dns", "eks-node-local-dns-vpc-resolver.txt"), "node-cache"));

        var error = Assert.Single(facts.OfType<NodeLocalUpstreamError>());
        Assert.Equal(NodeLocalUpstreamKinds.External, error.UpstreamKind);
        Assert.Equal((7, 1, "xxxx.ec2.internal"), (error.Lines, error.Names, error.ProbeName));
    }

    [Fact]
    public void Forwarding_to_the_kube_dns_clusterip_it_binds_itself_is_said_to_ask_nodelocal_again()
    {
        // The upstream manifest rendered with the documented sed for kube-proxy's iptables mode and EKS's kube-dns
        // ClusterIP (aws/containers-roadmap#303): -localip 169.254.20.10,172.20.0.10; the log is that thread's.
        var kubeDns = """{"kind":"Service","metadata":{"name":"kube-dns","namespace":"kube-system"},"spec":{"clusterIP":"172.20.0.10","selector":{"k8s-app":"kube-dns"}}}""";
        var facts = Facts([kubeDns, .. Manifest("upstream-iptables-mode.json", "10.96.0.10", "172.20.0.10")],
            Log("node-local-dns-7xk2p", Fixture("kubectl-logs", "node-local-dns", "eks-prefix-timestamps-2024.txt")
                .Replace("[pod/node-local-dns-7xk2p/node-cache] ", "", StringComparison.Ordinal), "node-cache"));

        var error = Assert.Single(facts.OfType<NodeLocalUpstreamError>());
        Assert.Equal(NodeLocalUpstreamKinds.ClusterDns, error.UpstreamKind);
        Assert.Contains("an address NodeLocal binds itself", error.UpstreamIs, StringComparison.Ordinal);
        Assert.Equal(0, error.SpanSeconds!.Value, 0.001);
        Assert.Equal("2024-03-12 10:15:17 UTC", error.Time);
    }
}
