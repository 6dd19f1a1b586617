using DnsExpert.Readers.Parsing;

namespace DnsExpert.Readers.Tests;

/// <summary>
/// <c>net.bridge.bridge-nf-call-iptables</c> as a node prints it: the file's value, <c>sysctl</c>'s line, or the error
/// that says the file does not exist because <c>br_netfilter</c> is not loaded (GNU cat, busybox cat, procps sysctl).
/// </summary>
public sealed class BridgeNetfilterTests
{
    [Theory]
    [InlineData("1\n", true, 1L)]
    [InlineData("0\n", true, 0L)]
    [InlineData("net.bridge.bridge-nf-call-iptables = 0\n", true, 0L)]
    [InlineData("net.bridge.bridge-nf-call-iptables = 1", true, 1L)]
    [InlineData("cat: /proc/sys/net/bridge/bridge-nf-call-iptables: No such file or directory\n", false, null)]
    [InlineData("cat: can't open '/proc/sys/net/bridge/bridge-nf-call-iptables': No such file or directory\n", false, null)]
    [InlineData("sysctl: cannot stat /proc/sys/net/bridge/bridge-nf-call-iptables: No such file or directory\n", false, null)]
    public void Reads_the_value_or_the_missing_module(string text, bool loaded, long? value) =>
        Assert.Equal((loaded, value), NodeFileParsers.ParseBridgeNetfilter(text));

    [Theory]
    [InlineData("")]
    [InlineData("2\n")]
    [InlineData("permission denied")]
    public void Anything_else_is_not_read(string text) => Assert.Null(NodeFileParsers.ParseBridgeNetfilter(text));
}
