using DnsExpert.Collectors.Node;
using DnsExpert.Testing;

namespace DnsExpert.Collectors.Tests;

/// <summary>What the node agent serves, read from a fixture tree of real-format /proc, /etc and /var/log files.</summary>
public sealed class NodeFactsReaderTests
{
    private static readonly string Root = RepoPaths.Root;
    private static readonly string NodeRoot = Path.Combine(Root, "tests", "fixtures", "node-root");

    [Fact]
    public async Task The_reader_returns_the_node_files_in_snapshot_shape()
    {
        var report = await new NodeFactsReader(NodeRoot).ReadAsync("cn-hangzhou.192.168.0.199", CancellationToken.None);

        var paths = report.Files.Select(f => f.Path).ToList();
        Assert.Contains("/proc/sys/net/netfilter/nf_conntrack_count", paths);
        Assert.Contains("/proc/net/snmp", paths);
        Assert.Contains("/etc/resolv.conf", paths);
        var dmesg = report.Files.Single(f => f.Path == "dmesg");
        Assert.Equal(2, dmesg.Text!.Split('\n').Length);
        Assert.All(report.Files, f => Assert.Equal("cn-hangzhou.192.168.0.199", f.Node));
        Assert.Empty(report.Missing);
    }

    [Fact]
    public async Task Without_a_kernel_log_file_the_ring_buffer_is_read_from_dev_kmsg()
    {
        var report = await new NodeFactsReader(Path.Combine(Root, "tests", "fixtures", "node-root-kmsg")).ReadAsync("node-1", CancellationToken.None);

        var dmesg = report.Files.Single(f => f.Path == "dmesg").Text!.Split('\n');
        Assert.Equal(["[ 5140.900123] nf_conntrack: nf_conntrack: table full, dropping packet", "[ 5140.901456] nf_conntrack: nf_conntrack: table full, dropping packet"], dmesg);
        Assert.DoesNotContain(report.Missing, m => m.StartsWith("kernel log", StringComparison.Ordinal));
    }

    [Fact]
    public void Kmsg_records_become_dmesg_lines_and_dictionaries_are_dropped()
    {
        var lines = KernelMessages.Parse("6,1,1500000,-;hello\n SUBSYSTEM=net\n4,2,42,-;no;semicolon split\nnot a record\n");

        Assert.Equal(["[    1.500000] hello", "[    0.000042] no;semicolon split"], lines);
    }

    [Fact]
    public async Task A_missing_file_is_reported_not_thrown()
    {
        var empty = Directory.CreateTempSubdirectory("dnsexpert-node-").FullName;
        try
        {
            var report = await new NodeFactsReader(empty).ReadAsync("node-1", CancellationToken.None);
            Assert.Empty(report.Files);
            Assert.Contains("/proc/net/snmp", report.Missing);
        }
        finally
        {
            Directory.Delete(empty);
        }
    }
}
