using DnsExpert.Facts;
using DnsExpert.Readers.Parsing;

namespace DnsExpert.Readers.Tests;

/// <summary>rules/data/coredns-plugins.yaml, compiled in, answers what a refused Corefile word is for a CoreDNS version.</summary>
public sealed class CoreDnsPluginCatalogTests
{
    private static readonly CoreDnsPluginCatalog Catalog = CoreDnsPluginCatalog.Default;

    private static ReleaseVersion V(string v) => ReleaseVersion.Parse(v);

    [Theory]
    // The guide's example: ready (1.5.0) in a Corefile of CoreDNS 1.2.6.
    [InlineData("ready", "1.2.6", "newer", "1.5.0")]
    [InlineData("k8s_external", "1.2.6", "newer", "1.3.0")]
    [InlineData("acl", "v1.6.2", "newer", "1.6.4")]
    // proxy left after 1.4.0 (notes/coredns-1.5.0.md): a 1.5 Corefile with proxy.
    [InlineData("proxy", "1.5.0", "removed", "1.0.0")]
    [InlineData("ready", "v1.9.3.10-7dfca203-aliyun", "in-this-version", "1.5.0")]
    [InlineData("kubernetai", "1.8.0", "external", null)]
    [InlineData("pdsql", null, "external", null)]
    [InlineData(".", "1.6.7", "not-a-plugin", null)]
    [InlineData("fallthrough", "1.12.0", "not-a-plugin", null)]
    [InlineData("example.org:53", "1.12.0", "not-a-plugin", null)]
    [InlineData("frobnicate", "1.12.0", "unknown", null)]
    public void Directive_verdict_follows_the_release_table(string directive, string? running, string kind, string? since)
    {
        var verdict = Catalog.Directive(directive, running is null ? null : V(running));
        Assert.Equal((kind, since), (verdict.Kind, verdict.Release?.Since.Original));
    }

    [Theory]
    // coredns/coredns issue 4362: max_concurrent came with 1.6.8 (notes/coredns-1.6.8.md).
    [InlineData("forward", "max_concurrent", "1.6.5", "newer")]
    [InlineData("forward", "max_concurrent", "1.8.0", "in-this-version")]
    // traefik/mesh issue 685: kubernetes upstream, removed in 1.7.0 (notes/coredns-1.7.0.md).
    [InlineData("kubernetes", "upstream", "1.7.0", "removed")]
    [InlineData(null, "max_concurrent", "1.6.5", "unknown")]
    public void Option_verdict_follows_the_release_table(string? plugin, string option, string running, string kind) =>
        Assert.Equal(kind, Catalog.Option(plugin, option, V(running)).Kind);

    [Fact]
    public void The_table_covers_every_release_it_claims()
    {
        Assert.Equal("1.14.7", Catalog.CheckedThrough.Original);
        Assert.Equal("1.0.0", Catalog.Plugin("kubernetes")!.Since.Original);
        Assert.Equal(("1.0.0", "1.4.0", "forward"), (Catalog.Plugin("proxy")!.Since.Original, Catalog.Plugin("proxy")!.Last!.Original, Catalog.Plugin("proxy")!.ReplacedBy));
    }
}
