using DnsExpert.Readers.Parsing;

namespace DnsExpert.Readers.Tests;

/// <summary><c>conntrack -S</c> as people paste it, in the forms conntrack-tools prints (tests/fixtures/dns-tools).</summary>
public sealed class ConntrackStatisticsTests
{
    private static string Fixture(string name) =>
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "fixtures", "dns-tools", name));

    [Theory]
    [InlineData("conntrack-S-per-cpu.txt", 4)]
    [InlineData("conntrack-S-no-ignore.txt", 5)]
    [InlineData("conntrack-S-totals-1.4.4.txt", 0)]
    public void Real_outputs_are_read_with_their_cpus_and_no_drops(string file, int cpus) =>
        Assert.Equal(new ConntrackStatistics(0, 0, 0, cpus), ConntrackStatistics.Parse(Fixture(file)));

    [Fact]
    public void Real_insert_races_are_summed_over_the_cpus_of_the_older_per_cpu_form() =>
        Assert.Equal(new ConntrackStatistics(199, 0, 0, 7), ConntrackStatistics.Parse(Fixture("conntrack-S-insert-failed.txt")));

    [Fact]
    public void Counters_are_summed_over_the_cpus()
    {
        const string text = "cpu=0 found=0 invalid=3 insert=0 insert_failed=7 drop=2 early_drop=0 error=0 search_restart=1\n"
            + "cpu=1 found=0 invalid=1 insert=0 insert_failed=5 drop=0 early_drop=9 error=0 search_restart=0 clash_resolve=4 chaintoolong=0\n";

        Assert.Equal(new ConntrackStatistics(12, 2, 9, 2), ConntrackStatistics.Parse(text));
    }

    [Theory]
    [InlineData("")]
    [InlineData("conntrack v1.4.4 (conntrack-tools): Operation failed: sorry, you must be root or get CAP_NET_ADMIN capability to do this")]
    [InlineData("cpu=0 found=0 invalid=1")]
    [InlineData("drop -3")]
    public void Text_without_the_counters_is_not_read_as_zero(string text) =>
        Assert.Null(ConntrackStatistics.Parse(text));

    [Theory]
    [InlineData("cpu=0 insert_failed=9223372036854775807 drop=0\ncpu=1 insert_failed=9223372036854775807 drop=0\n")]
    [InlineData("cpu=0 insert_failed=18446744073709551615 drop=0\n")]
    [InlineData("cpu=0 insert_failed=99999999999999999999999999 drop=0\n")]
    public void Counters_past_64_bits_saturate_instead_of_wrapping_to_nothing(string text) =>
        Assert.Equal(new ConntrackStatistics(long.MaxValue, 0, 0, text.Count(c => c == '\n')), ConntrackStatistics.Parse(text));

    [Fact]
    public void Counters_of_other_names_are_not_kept_however_many_there_are()
    {
        // Two million distinct counter names: only the three DNS counters are read, the rest is passed over.
        var text = string.Join('\n', Enumerable.Range(0, 20_000).Select(i => "cpu=" + i + " " + string.Join(' ', Enumerable.Range(0, 100).Select(j => $"c{i}_{j}=1")) + " drop=1"));

        Assert.Equal(new ConntrackStatistics(0, 20_000, 0, 20_000), ConntrackStatistics.Parse(text));
    }
}
