using System.Text.Json;
using System.Text.Json.Nodes;
using DnsExpert.Contract;
using DnsExpert.Facts;
using DnsExpert.Readers.Building;
using DnsExpert.Testing;

namespace DnsExpert.Readers.Tests;

/// <summary>
/// kube-proxy's mode from its DaemonSet's flags, read as kube-proxy reads them (spf13/pflag): <c>--name=value</c> and
/// <c>--name value</c>, the last occurrence winning, no single-dash long flag, nothing after <c>--</c>; and with
/// <c>--config</c> not at all, the file replacing them (cmd/kube-proxy/app/options.go). The DaemonSets are the real
/// ones of tests/fixtures/kube-proxy (SOURCES.md there).
/// </summary>
public sealed class KubeProxyFlagsTests
{
    private static JsonNode DaemonSet(string fixture) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "tests", "fixtures", "kube-proxy", fixture)))!;

    /// <summary>The fixture's DaemonSet with <paramref name="extra"/> after its command's arguments.</summary>
    private static IReadOnlyList<KubeProxyInfo> Facts(string fixture, params string[] extra)
    {
        var daemonSet = DaemonSet(fixture);
        var command = daemonSet["spec"]!["template"]!["spec"]!["containers"]![0]!["command"]!.AsArray();
        foreach (var arg in extra)
        {
            command.Add(arg);
        }

        return [.. SnapshotFactBuilder.Build(new DiagnosisRequest
        {
            Snapshot = new Snapshot { Objects = [JsonDocument.Parse(daemonSet.ToJsonString()).RootElement] },
        }).Facts.OfType<KubeProxyInfo>()];
    }

    [Fact]
    public void The_flags_of_a_flag_run_kube_proxy_give_its_mode()
    {
        var proxy = Assert.Single(Facts("flags-daemonset.json"));

        Assert.Equal("ipvs", proxy.Mode);
        Assert.Equal("DaemonSet kube-system/kube-proxy", proxy.Source);
        Assert.Null(proxy.UdpTimeout);
    }

    [Theory]
    [InlineData("10s", "--ipvs-udp-timeout", "10s")]
    [InlineData("10s", "--ipvs-udp-timeout=10s")]
    [InlineData("5s", "--ipvs-udp-timeout=10s", "--ipvs-udp-timeout", "5s")]
    [InlineData(null, "-ipvs-udp-timeout=10s")]
    [InlineData(null, "--", "--ipvs-udp-timeout=10s")]
    public void A_value_is_read_as_pflag_sets_it(string? expected, params string[] extra)
    {
        var proxy = Assert.Single(Facts("flags-daemonset.json", extra));

        Assert.Equal(expected, proxy.UdpTimeout);
    }

    [Theory]
    [InlineData("iptables", "--proxy-mode", "iptables")]
    [InlineData("iptables", "--proxy-mode=iptables")]
    public void The_last_proxy_mode_wins(string expected, params string[] extra)
    {
        Assert.Equal(expected, Assert.Single(Facts("flags-daemonset.json", extra)).Mode);
    }

    /// <summary>kubeadm's DaemonSet runs kube-proxy with --config: a --proxy-mode added beside it is ignored by kube-proxy, so it says nothing here either.</summary>
    [Fact]
    public void Beside_config_the_flags_say_nothing_of_the_mode()
    {
        Assert.Empty(Facts("kubeadm-daemonset.json", "--proxy-mode=ipvs", "--ipvs-udp-timeout=10s"));
    }
}
