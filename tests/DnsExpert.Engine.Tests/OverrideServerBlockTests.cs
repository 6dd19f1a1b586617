using DnsExpert.Engine.Commands;
using DnsExpert.Engine.Compilation;
using DnsExpert.Engine.Sessions;
using DnsExpert.Facts;
using DnsExpert.Testing;

namespace DnsExpert.Engine.Tests;

/// <summary>
/// coredns-custom-invalid's remedy for a `forward ZONE ...` override: the server block of its own that ZONE needs, with
/// the override's own zone and upstreams filled in (no placeholder left for the person to fill), the ConfigMap key
/// made of characters a key may hold. A root-zone or other plugin's override gets advice without a snippet.
/// </summary>
public sealed class OverrideServerBlockTests
{
    private static readonly RuleBase Rules = RuleBaseLoader.Load(RepoPaths.Rules);

    private static CorefilePlugin Plugin(string text, bool fromOverride, int line, int position)
    {
        var words = text.Split(' ');
        return new CorefilePlugin
        {
            Source = fromOverride ? "ConfigMap kube-system/coredns-custom (custom/default.override)" : "ConfigMap kube-system/coredns",
            ServerIndex = 0, ServerKey = ".:53", Line = line, Text = text, Name = words[0], Arguments = words[1..], Position = position,
            FromOverride = fromOverride,
        };
    }

    private static ClusterDns Dns(string version) => new()
    {
        Source = "Service kube-system/kube-dns", ClusterDomain = "cluster.local", PodsNamespace = "kube-system", PodsSelector = "k8s-app=kube-dns",
        CorefileConfigMap = "coredns", Workload = "deployment/coredns", CoreDnsVersion = ReleaseVersion.Parse(version),
    };

    private static IReadOnlyList<Results.RuleRemediation> Remedy(string overrideLine, string version = "1.11.1")
    {
        var dns = Dns(version);
        var facts = new Fact[] { Plugin("forward . /etc/resolv.conf", false, 12, 5), Plugin(overrideLine, true, 1, 9), dns };
        var known = KnownValues.From([dns], null, null, null, null);
        return Assert.Single(RuleSessionRunner.Run(Rules, facts, known).Findings, f => f.RuleId == "coredns-custom-invalid").Remediation;
    }

    [Theory]
    [InlineData("1.11.1")]
    [InlineData("1.8.4")]
    public void A_zone_override_gets_its_own_server_block_filled_in(string version)
    {
        var remedy = Assert.Single(Remedy("forward corp.example.com. 10.0.0.1 tls://9.9.9.9", version));

        Assert.Equal("data:\n  corp.example.com.server: |\n    corp.example.com.:53 {\n        forward . 10.0.0.1 tls://9.9.9.9\n    }\n", remedy.Snippet);
        Assert.DoesNotContain("<", remedy.Snippet);
    }

    [Fact]
    public void The_key_holds_only_what_a_config_map_key_may()
    {
        var plugin = Plugin("forward we$(id)ird`x`.zone 10.0.0.1", true, 1, 9);

        Assert.Equal("we--id-ird-x-.zone.server", plugin.ZoneServerKey);
        Assert.Equal("10.0.0.1", plugin.ForwardTargets);
    }

    [Fact]
    public void A_root_zone_override_is_told_where_the_root_goes_without_a_snippet()
    {
        var remedy = Assert.Single(Remedy("forward . 10.10.10.1", "1.8.4"));

        Assert.Null(remedy.Snippet);
        Assert.Contains("Remove `forward . 10.10.10.1`", remedy.Summary);
        Assert.Contains("change where `forward . /etc/resolv.conf` (line 12) sends them", remedy.Summary);
    }
}
