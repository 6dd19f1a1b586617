using DnsExpert.Contract;
using DnsExpert.Facts;
using DnsExpert.Readers.Building;
using DnsExpert.Readers.Parsing;

namespace DnsExpert.Readers.Tests;

/// <summary>
/// What a node shows of a VXLAN overlay's checksum offload: <c>ethtool -k</c> of the device (read on a real device,
/// tests/fixtures/vxlan/SOURCES.md), and the kernel log line of the node that drops an overlay packet for its UDP
/// checksum (flannel-io/flannel#1279).
/// </summary>
public sealed class VxlanOffloadTests
{
    private static string Fixture(string name) =>
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "fixtures", "vxlan", name));

    [Theory]
    [InlineData("ethtool-k-flannel.1-on.txt", "flannel.1", true)]
    [InlineData("ethtool-k-flannel.1-off.txt", "flannel.1", false)]
    [InlineData("ethtool-k-vxlan.calico-on.txt", "vxlan.calico", true)]
    public void Ethtool_features_give_the_device_and_its_checksum_offload(string fixture, string device, bool on) =>
        Assert.Equal((device, on), NodeFileParsers.ParseEthtoolFeatures(Fixture(fixture)));

    [Fact]
    public void A_grepped_line_takes_the_device_from_the_command()
    {
        // rancher/rke2#1541's check: ethtool -k vxlan.calico | grep tx-checksum-ip-generic.
        Assert.Equal(("vxlan.calico", false), NodeFileParsers.ParseEthtoolFeatures("tx-checksum-ip-generic: off\n", "vxlan.calico"));
        Assert.Null(NodeFileParsers.ParseEthtoolFeatures("Features for flannel.1:\nrx-checksumming: on\n"));
    }

    [Fact]
    public void A_pasted_ethtool_output_on_a_node_is_a_vxlan_offload_fact()
    {
        var request = new DiagnosisRequest
        {
            Snapshot = new Snapshot { Outputs = [new CommandOutput { Command = "ethtool -k flannel.1", From = "node/node-a", Text = Fixture("ethtool-k-flannel.1-on.txt") }] },
        };
        var offload = Assert.Single(SnapshotFactBuilder.Build(request).Facts.OfType<NodeVxlanOffload>());
        Assert.Equal(("node-a", "flannel.1", true, true), (offload.Node, offload.Device, offload.TxChecksumOffload, offload.Vxlan));
        Assert.Equal("flannel.1: tx-checksum-ip-generic: on", offload.Describe);
    }

    [Fact]
    public void The_kernel_log_lines_of_vxlan_packets_dropped_for_their_checksum_are_kept()
    {
        var lines = NodeFileParsers.FindKernelLines(Fixture("dmesg-flannel-1279-bad-checksum.txt"));
        Assert.Equal(4, lines.Count);
        Assert.All(lines, l => Assert.Equal(NodeKernelLogKinds.VxlanBadChecksum, l.Kind));
        Assert.Equal("[ 1423.035722] UDP: bad checksum. From 172.16.9.99:27503 to 172.16.80.252:8472 ulen 75", lines[0].Text);
    }

    [Theory]
    [InlineData("UDP: bad checksum. From 10.0.10.14:7103 to 10.0.10.10:4789 ulen 109", NodeKernelLogKinds.VxlanBadChecksum)]
    [InlineData("UDP: bad checksum. From 10.0.0.5:53 to 10.0.0.9:41000 ulen 80", null)]
    [InlineData("nf_conntrack: table full, dropping packet", NodeKernelLogKinds.ConntrackFull)]
    [InlineData("eth0: link up", null)]
    public void Only_vxlan_ports_make_a_bad_checksum_line_an_overlay_drop(string line, string? kind) =>
        Assert.Equal(kind, NodeFileParsers.KernelLineKind(line));
}
