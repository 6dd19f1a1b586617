using DnsExpert.Readers.Parsing;

namespace DnsExpert.Readers.Tests;

public sealed class KubeProxyConfigTests
{
    [Fact]
    public void Mode_and_udp_timeout_come_from_the_top_level_and_the_ipvs_block()
    {
        // ACK's kube-proxy-worker config.conf (kubeproxy.config.k8s.io/v1alpha1 as kube-proxy writes it), shortened.
        var config = KubeProxyConfig.TryParse("""
            apiVersion: kubeproxy.config.k8s.io/v1alpha1
            iptables:
              syncPeriod: 30s
            ipvs:
              scheduler: rr
              syncPeriod: 30s
              udpTimeout: 10s
            kind: KubeProxyConfiguration
            mode: ipvs
            """);

        Assert.Equal(new KubeProxyConfig("ipvs", "10s", 10), config);
    }

    [Fact]
    public void An_empty_mode_is_iptables_and_an_unset_timeout_is_null()
    {
        var config = KubeProxyConfig.TryParse("apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\nmode: \"\"\nudpIdleTimeout: 250ms\n");

        Assert.Equal(new KubeProxyConfig("iptables", null, null), config);
    }

    [Fact]
    public void Json_configuration_is_read_too()
    {
        var config = KubeProxyConfig.TryParse("""{"apiVersion":"kubeproxy.config.k8s.io/v1alpha1","kind":"KubeProxyConfiguration","mode":"ipvs","ipvs":{"udpTimeout":"1m30s"}}""");

        Assert.Equal(new KubeProxyConfig("ipvs", "1m30s", 90), config);
    }

    [Theory]
    [InlineData("apiVersion: v1\nkind: Config\nclusters: []\n")]
    [InlineData("# kind: KubeProxyConfiguration\nmode: ipvs\n")]
    [InlineData("")]
    public void Other_documents_are_not_a_kube_proxy_configuration(string text) =>
        Assert.Null(KubeProxyConfig.TryParse(text));

    [Theory]
    [InlineData("10s", 10.0)]
    [InlineData("0s", 0.0)]
    [InlineData("0", 0.0)]
    [InlineData("1h0m0s", 3600.0)]
    [InlineData("250ms", 0.25)]
    [InlineData("5 minutes", null)]
    [InlineData("10", null)]
    public void Go_durations_are_read_in_seconds(string text, double? seconds) =>
        Assert.Equal(seconds, GoDuration.TryParseSeconds(text));
}
