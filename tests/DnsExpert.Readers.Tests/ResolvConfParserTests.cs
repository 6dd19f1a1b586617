using DnsExpert.Readers.Parsing;

namespace DnsExpert.Readers.Tests;

public sealed class ResolvConfParserTests
{
    [Fact]
    public void ClusterFirst_pod_resolv_conf()
    {
        var conf = ResolvConfParser.Parse("search default.svc.cluster.local svc.cluster.local cluster.local cn-hangzhou.internal\nnameserver 172.21.0.10\noptions ndots:5\n");

        Assert.Equal(["172.21.0.10"], conf.Nameservers);
        Assert.Equal(["default.svc.cluster.local", "svc.cluster.local", "cluster.local", "cn-hangzhou.internal"], conf.Searches);
        Assert.Equal(5, conf.Ndots);
        Assert.Empty(conf.Diagnostics);
    }

    [Fact]
    public void NodeLocal_injected_config_with_several_option_lines()
    {
        var conf = ResolvConfParser.Parse("""
            nameserver 169.254.20.10
            nameserver 172.21.0.10
            search web.svc.cluster.local svc.cluster.local cluster.local
            options ndots:3 timeout:1
            options attempts:2 single-request-reopen
            """);

        Assert.Equal(["169.254.20.10", "172.21.0.10"], conf.Nameservers);
        Assert.Equal(3, conf.Ndots);
        Assert.Equal("1", conf.OptionValue("timeout"));
        Assert.True(conf.HasOption("single-request-reopen"));
        Assert.False(conf.HasOption("use-vc"));
    }

    [Fact]
    public void Systemd_stub_resolver_comments_and_defaults()
    {
        var conf = ResolvConfParser.Parse("""
            # This is /run/systemd/resolve/stub-resolv.conf managed by man:systemd-resolved(8).
            ; Do not edit.
            nameserver 127.0.0.53
            options edns0 trust-ad
            search .
            """);

        Assert.Equal(["127.0.0.53"], conf.Nameservers);
        Assert.Empty(conf.Searches);
        Assert.Equal(1, conf.Ndots);
        Assert.True(conf.HasOption("edns0"));
    }

    [Fact]
    public void Last_search_or_domain_line_wins_and_extra_nameservers_are_flagged()
    {
        var conf = ResolvConfParser.Parse("search a.example b.example\ndomain c.example\nnameserver 1.1.1.1\nnameserver 2.2.2.2\nnameserver 3.3.3.3\nnameserver 4.4.4.4\nbogus line\n");

        Assert.Equal(["c.example"], conf.Searches);
        Assert.Equal(4, conf.Nameservers.Count);
        Assert.Contains(conf.Diagnostics, d => d.Line == 6 && d.Message.Contains("first 3", StringComparison.Ordinal));
        Assert.Contains(conf.Diagnostics, d => d.Line == 7 && d.Message.Contains("bogus", StringComparison.Ordinal));
    }

    [Fact]
    public void Ndots_is_capped_at_15_and_search_characters_counted()
    {
        var conf = ResolvConfParser.Parse("options ndots:40\nsearch ab cd\n");
        Assert.Equal(15, conf.Ndots);
        Assert.Equal(5, conf.SearchCharacters);
    }
}
