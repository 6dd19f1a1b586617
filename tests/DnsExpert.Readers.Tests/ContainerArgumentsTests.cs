using DnsExpert.Readers.Building;

namespace DnsExpert.Readers.Tests;

/// <summary>
/// Go's <c>flag</c> package (node-cache's <c>-localip</c>, <c>-upstreamsvc</c>, <c>-setupiptables</c>): one or two dashes,
/// the value after <c>=</c> or as the next argument, a flag alone is true, each occurrence sets it again, and
/// <c>--</c> ends the flags.
/// </summary>
public sealed class ContainerArgumentsTests
{
    [Theory]
    [InlineData("169.254.20.10", "-localip", "169.254.20.10")]
    [InlineData("169.254.20.10", "--localip=169.254.20.10")]
    [InlineData("169.254.20.10,10.96.0.10", "-localip=169.254.20.10,10.96.0.10")]
    [InlineData("true", "-localip")]
    [InlineData("true", "-localip", "-conf", "/etc/Corefile")]
    [InlineData("10.0.0.10", "-localip", "169.254.20.10", "-localip=10.0.0.10")]
    [InlineData("169.254.20.10", "-localip=169.254.20.10", "--", "-localip=10.0.0.10")]
    [InlineData(null, "-localipx=1", "localip=2", "-conf", "/etc/Corefile")]
    public void A_flag_is_read_as_Gos_flag_package_sets_it(string? expected, params string[] args)
    {
        Assert.Equal(expected, ContainerArguments.Flag(args, "localip"));
    }
}
