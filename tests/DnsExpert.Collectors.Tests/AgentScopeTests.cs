using DnsExpert.Collectors.Node;

namespace DnsExpert.Collectors.Tests;

/// <summary>The addresses a node agent accepts in a probe plan.</summary>
public sealed class AgentScopeTests
{
    [Theory]
    [InlineData("10.96.0.10", true)]
    [InlineData("0.0.0.0", true)]
    [InlineData("fd00::a", true)]
    [InlineData("FD00:0:0:0:0:0:0:A", true)]
    [InlineData("167772161", false)]
    [InlineData("0x0a000001", false)]
    [InlineData("0x0a.0.0.1", false)]
    [InlineData("012.0.0.1", false)]
    [InlineData("10.0.0.01", false)]
    [InlineData("10.1", false)]
    [InlineData("10.0.1", false)]
    [InlineData(" 10.0.0.1", false)]
    [InlineData("::ffff:10.0.0.1", false)]
    [InlineData("::ffff:a00:1", false)]
    [InlineData("fe80::1%2", false)]
    [InlineData("", false)]
    public void Only_dotted_quads_and_standard_ipv6_are_addresses(string text, bool accepted)
    {
        Assert.Equal(accepted, AgentScope.TryParseCanonical(text, out _));
    }
}
