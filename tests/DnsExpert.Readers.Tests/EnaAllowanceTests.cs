using DnsExpert.Contract;
using DnsExpert.Facts;
using DnsExpert.Readers.Building;
using DnsExpert.Readers.Parsing;

namespace DnsExpert.Readers.Tests;

/// <summary>
/// What an EC2 node shows of the VPC resolver's packet limit: the ENA driver's allowance counters from <c>ethtool -S</c>
/// (AWS's documented output, tests/fixtures/ena/SOURCES.md), one read counting since the driver last reset and two
/// reads of the same interface the rise between them.
/// </summary>
public sealed class EnaAllowanceTests
{
    private static string Fixture(string name) =>
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "fixtures", "ena", name));

    [Theory]
    [InlineData("ethtool-S-ethN-ena-troubleshooting.txt")]
    [InlineData("ethtool-S-eth0-ec2-user-guide.txt")]
    public void Aws_documented_outputs_give_the_link_local_and_pps_counters(string fixture) =>
        Assert.Equal((0L, (long?)0L), NodeFileParsers.ParseEnaAllowances(Fixture(fixture)));

    [Fact]
    public void Another_driver_without_the_counter_gives_nothing()
    {
        // A virtio or older ENA interface: no linklocal_allowance_exceeded line, so nothing is known (not zero).
        Assert.Null(NodeFileParsers.ParseEnaAllowances("NIC statistics:\n     rx_queue_0_packets: 120\n     tx_queue_0_packets: 98\n"));
        Assert.Equal((7L, (long?)null), NodeFileParsers.ParseEnaAllowances("linklocal_allowance_exceeded: 7\n"));
    }

    [Fact]
    public void Two_reads_of_one_interface_are_the_rise_between_them()
    {
        var first = Fixture("ethtool-S-ethN-ena-troubleshooting.txt").Replace("linklocal_allowance_exceeded: 0", "linklocal_allowance_exceeded: 120411", StringComparison.Ordinal);
        var second = first.Replace("linklocal_allowance_exceeded: 120411", "linklocal_allowance_exceeded: 131717", StringComparison.Ordinal);
        var allowance = Assert.Single(Build(("ethtool -S eth0", first), ("ethtool -S eth0", second)));
        Assert.Equal(("node-a", "eth0", 11306L, (long?)0L, true), (allowance.Node, allowance.Device, allowance.LinkLocalExceeded, allowance.PpsExceeded, allowance.BetweenReads));
        Assert.Equal("eth0: linklocal_allowance_exceeded rose by 11,306 between two reads; pps_allowance_exceeded rose by 0", allowance.Describe);
    }

    [Theory]
    [InlineData("kubectl debug node/node-a -it --image=busybox -- chroot /host sh -c 'ethtool -S eth0; sleep 60; ethtool -S eth0'", null, "between two reads 60 s apart")]
    [InlineData("sh -c 'ethtool -S eth0; sleep 30; ethtool -S eth0'", "node/node-a", "between two reads 30 s apart")]
    [InlineData("ethtool -S eth0; ethtool -S eth0", "node/node-a", "between two reads")]
    public void One_command_that_reads_twice_is_the_rise_between_its_two_blocks_over_its_sleep(string command, string? from, string window)
    {
        // The check's own form: one paste, two "NIC statistics:" blocks, the sleep between them the interval.
        var first = Fixture("ethtool-S-ethN-ena-troubleshooting.txt").Replace("linklocal_allowance_exceeded: 0", "linklocal_allowance_exceeded: 120411", StringComparison.Ordinal);
        var second = first.Replace("linklocal_allowance_exceeded: 120411", "linklocal_allowance_exceeded: 131717", StringComparison.Ordinal);

        var allowance = Assert.Single(BuildFrom(from, (command, first + second)));

        Assert.Equal(("node-a", "eth0", 11306L, true, window), (allowance.Node, allowance.Device, allowance.LinkLocalExceeded, allowance.BetweenReads, allowance.Window));
    }

    [Fact]
    public void One_command_reading_two_interfaces_gives_each_its_own_read()
    {
        var both = BuildFrom("node/node-a", ("ethtool -S eth0; ethtool -S eth1", "NIC statistics:\n\tlinklocal_allowance_exceeded: 5\nNIC statistics:\n\tlinklocal_allowance_exceeded: 9\n"));

        Assert.Equal([("eth0", 5L, false), ("eth1", 9L, false)], both.Select(a => (a.Device, a.LinkLocalExceeded, a.BetweenReads)).OrderBy(a => a.Device, StringComparer.Ordinal));
    }

    [Fact]
    public void One_read_counts_since_the_driver_last_reset_and_a_counter_that_fell_is_a_reset()
    {
        var once = Assert.Single(Build(("ethtool -S ens5", "linklocal_allowance_exceeded: 42\n")));
        Assert.Equal(("ens5", 42L, false), (once.Device, once.LinkLocalExceeded, once.BetweenReads));
        Assert.Equal("ens5: linklocal_allowance_exceeded 42 since the driver last reset", once.Describe);

        var reset = Assert.Single(Build(("ethtool -S eth0", "linklocal_allowance_exceeded: 900\n"), ("ethtool -S eth0", "linklocal_allowance_exceeded: 3\n")));
        Assert.Equal((3L, false), (reset.LinkLocalExceeded, reset.BetweenReads));
    }

    [Fact]
    public void Reads_of_two_interfaces_are_two_facts()
    {
        var both = Build(("ethtool -S eth0", "linklocal_allowance_exceeded: 5\n"), ("ethtool -S eth1", "linklocal_allowance_exceeded: 9\n"));
        Assert.Equal(["eth0", "eth1"], both.Select(a => a.Device).Order(StringComparer.Ordinal));
    }

    private static List<NodeNicAllowance> Build(params (string Command, string Text)[] outputs) => BuildFrom("node/node-a", outputs);

    private static List<NodeNicAllowance> BuildFrom(string? from, params (string Command, string Text)[] outputs)
    {
        var request = new DiagnosisRequest
        {
            Snapshot = new Snapshot { Outputs = [.. outputs.Select(o => new CommandOutput { Command = o.Command, From = from, Text = o.Text })] },
        };
        return [.. SnapshotFactBuilder.Build(request).Facts.OfType<NodeNicAllowance>()];
    }
}
