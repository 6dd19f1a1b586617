using DnsExpert.Contract;
using DnsExpert.Facts;

namespace DnsExpert.Readers.Tests;

/// <summary>
/// A node's resolv.conf is the node's text: the resolvers it gives a <c>forward</c> line (the real upstreams, the ones
/// kubelet leaves out) are plain addresses only. An IPv6 scope is any text after <c>%</c> that .NET still parses as an
/// address (<c>fe80::1%$(id)</c>), and no pod's CoreDNS could use a node's link-local resolver anyway.
/// </summary>
public sealed class NodeResolvConfTests
{
    private static NodeResolvConf Read(string text) => Assert.Single(SnapshotFactBuilder.Build(new DiagnosisRequest
    {
        Snapshot = new Snapshot { Files = [new FileArtifact { Node = "node-1", Path = "/etc/resolv.conf", Text = text }] },
    }).Facts.OfType<NodeResolvConf>());

    [Fact]
    public void The_resolvers_for_a_forward_line_are_plain_addresses()
    {
        var conf = Read("nameserver 127.0.0.53\nnameserver fe80::1%$(id)\nnameserver 10.0.0.2\nnameserver fe80::2%`id`\nnameserver 192.0.2.53\nnameserver fd00::53\nnameserver fe80::3%eth0\n");

        Assert.Equal("10.0.0.2 192.0.2.53 fd00::53", conf.RealUpstreams);
        Assert.Equal("192.0.2.53 fd00::53", conf.OmittedNameservers);
    }

    [Fact]
    public void A_file_of_only_scoped_or_loopback_resolvers_gives_none()
    {
        var conf = Read("nameserver 127.0.0.53\nnameserver fe80::1%$(id)\n");

        Assert.Null(conf.RealUpstreams);
        Assert.Equal("", conf.OmittedNameservers);
    }
}
