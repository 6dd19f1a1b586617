using DnsExpert.Core.Facts;
using DnsExpert.Core.Parsing;
using DnsExpert.Engine.Hypotheses;

namespace DnsExpert.Engine.Tests;

/// <summary>What the checks' commands are filled with: the upstream is the root forward's first plain DNS address.</summary>
public sealed class KnownValuesTests
{
    private static CorefileUpstream Upstream(string zone, params string[] targets)
    {
        var forward = new CorefilePlugin
        {
            Source = "ConfigMap kube-system/coredns", ServerIndex = 0, ServerKey = zone + ":53", Line = 9,
            Text = $"forward {zone} {string.Join(' ', targets)}", Name = "forward", Arguments = [zone, .. targets],
        };
        return new CorefileUpstream(forward, ForwardTarget.Parse(targets[0]));
    }

    [Fact]
    public void The_upstream_is_the_root_forwards_first_plain_address_never_a_file_CoreDNS_itself_or_another_zone()
    {
        KnownValues Known(params object[] facts) => KnownValues.From(facts, "shop", "web-0", "api.example.com", null);

        Assert.Equal("100.100.2.136", Known(Upstream("consul.local", "10.0.0.9"), Upstream(".", "/etc/resolv.conf"), Upstream(".", "127.0.0.1"), Upstream(".", "100.100.2.136"), Upstream(".", "100.100.2.138")).Upstream);
        Assert.Equal("10.0.0.2", Known(Upstream(".", "dns://10.0.0.2:5353")).Upstream);
        Assert.Equal(new Placeholder("<upstream>"), Known(Upstream(".", "/etc/resolv.conf"), Upstream("consul.local", "10.0.0.9")).Upstream);
    }

    [Fact]
    public void With_forward_to_a_file_the_upstream_is_the_first_nameserver_of_the_file_kubelet_hands_CoreDNS_once_read()
    {
        KnownValues Known(params object[] facts) => KnownValues.From(facts, "shop", "web-0", "api.example.com", null);
        var stub = new NodeResolvConf { Source = "node n1 /etc/resolv.conf", Node = "n1", Nameservers = ["127.0.0.53"], LoopbackNameserver = "127.0.0.53", KubeletResolvConf = "/run/systemd/resolve/resolv.conf" };
        var uplink = new NodeResolvConf { Source = "node n1 /run/systemd/resolve/resolv.conf", Node = "n1", Path = "/run/systemd/resolve/resolv.conf", Nameservers = ["10.0.0.2", "10.0.0.3"], KubeletResolvConf = "/run/systemd/resolve/resolv.conf" };

        Assert.Equal("10.0.0.2", Known(Upstream(".", "/etc/resolv.conf"), stub, uplink).Upstream);
        Assert.Equal(new Placeholder("<upstream>"), Known(Upstream(".", "/etc/resolv.conf"), stub).Upstream);
        Assert.Equal("100.100.2.136", Known(Upstream(".", "100.100.2.136"), uplink).Upstream);
    }
}
