using DnsExpert.Readers.Parsing;

namespace DnsExpert.Readers.Tests;

/// <summary>Which resolv.conf kubelet hands CoreDNS, from real KubeletConfiguration files (tests/fixtures/kubelet-config/SOURCES.md).</summary>
public sealed class KubeletConfigParserTests
{
    private static string Fixture(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "fixtures", "kubelet-config", name));

    [Fact]
    public void Kubeadm_on_a_systemd_resolved_host_names_the_uplink_file() =>
        Assert.Equal((true, "/run/systemd/resolve/resolv.conf"), KubeletConfigParser.ResolvConf(Fixture("kubeadm-kubelet-config-systemd-resolved.yaml")));

    [Fact]
    public void Eks_json_without_resolvConf_is_kubelets_default() =>
        Assert.Equal((true, "/etc/resolv.conf"), KubeletConfigParser.ResolvConf(Fixture("eks-al2-kubelet-config.json")));

    [Fact]
    public void A_configz_answer_is_read_inside_kubeletconfig() =>
        Assert.Equal((true, "/run/systemd/resolve/resolv.conf"),
            KubeletConfigParser.ResolvConf("""{"kubeletconfig":{"clusterDomain":"cluster.local","resolvConf":"/run/systemd/resolve/resolv.conf"}}"""));

    [Theory]
    [InlineData("nameserver 127.0.0.53\n")]
    [InlineData("kind: KubeProxyConfiguration\nmode: ipvs\n")]
    [InlineData("{ not: [yaml")]
    public void Other_text_is_no_kubelet_configuration(string text) => Assert.False(KubeletConfigParser.ResolvConf(text).Found);
}
