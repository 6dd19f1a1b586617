using DnsExpert.Readers.Building.Producers;

namespace DnsExpert.Readers.Tests;

public sealed class EditDistanceTests
{
    [Theory]
    [InlineData("orders", "ordres", 2)]
    [InlineData("orders", "orders", 0)]
    [InlineData("db", "web", 2)]
    [InlineData("", "abc", 3)]
    [InlineData("shop", "shpo", 2)]
    public void Edit_distance_counts_insertions_deletions_and_substitutions(string a, string b, int expected)
    {
        Assert.Equal(expected, ServiceNameProducer.EditDistance(a, b));
        Assert.Equal(expected, ServiceNameProducer.EditDistance(b, a));
    }
}
