using System.Text.RegularExpressions;
using System.Xml.Linq;
using DnsExpert.Contract;
using DnsExpert.Testing;
using DnsExpert.Text;

namespace DnsExpert.Rendering.Tests;

/// <summary>The DNS path drawing: hops by kind left to right, bounded fan-out, status never by colour alone, cluster text only as text.</summary>
public sealed partial class DnsPathSvgTests
{
    public static TheoryData<int> Corpus => HostileCorpus.Indexes;

    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    /// <summary>The drawing parsed as XML: a value that broke out of its text or attribute would not parse, or would add elements.</summary>
    private static XElement Drawing(string figure) => XElement.Parse(SvgRegex().Match(figure).Value);

    [Fact]
    public void Hops_are_drawn_left_to_right_by_kind_with_an_icon_and_a_label_per_status()
    {
        var path = new[]
        {
            new DnsPathHop(HopKinds.Pod, "default/web-1", "10.0.0.5", HopStatus.Healthy, [new HopReason(null, null, "the pod is Running")]),
            new DnsPathHop(HopKinds.KubeDns, "kube-system/kube-dns", "172.21.0.10", HopStatus.Failed, [new HopReason("app-to-kube-dns-unreachable", "snapshot.probes[0]", "dig @172.21.0.10: timeout")]),
            new DnsPathHop(HopKinds.CoreDns, "kube-system/coredns-a", "172.20.6.53", HopStatus.Healthy, []),
            new DnsPathHop(HopKinds.CoreDns, "kube-system/coredns-b", "172.20.8.21", HopStatus.Unverified, []),
            new DnsPathHop(HopKinds.Upstream, "100.100.2.136", "100.100.2.136", HopStatus.Unverified, []),
        };

        var figure = DnsPathSvg.Render(path);
        var svg = Drawing(figure);

        var hops = svg.Descendants(Svg + "g").Where(g => g.Attribute("data-kind") is not null).ToList();
        Assert.Equal(["pod", "kube-dns", "coredns", "coredns", "upstream"], hops.Select(g => g.Attribute("data-kind")!.Value));
        var x = hops.Select(g => int.Parse(g.Element(Svg + "rect")!.Attribute("x")!.Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.True(x[0] < x[1] && x[1] < x[2] && x[2] == x[3] && x[3] < x[4], string.Join(",", x));
        Assert.Equal("✕ kube-dns Service", hops[1].Elements(Svg + "text").First().Value);
        Assert.Equal(["✓ CoreDNS pod", "coredns-a", "172.20.6.53"], hops[2].Elements(Svg + "text").Select(t => t.Value));
        Assert.Contains("app-to-kube-dns-unreachable", hops[1].Element(Svg + "title")!.Value, StringComparison.Ordinal);
        Assert.Equal(["failed", "healthy", "unverified"], svg.Elements(Svg + "g").Where(g => g.Attribute("class")!.Value.StartsWith("legend", StringComparison.Ordinal))
            .Select(g => g.Elements(Svg + "text").Last().Value));
        // One fan from kube-dns to both CoreDNS pods, and from both to the upstream.
        Assert.Equal(1 + 2 + 2, svg.Elements(Svg + "line").Count());
        Assert.Contains("<a href=\"#app-to-kube-dns-unreachable\"><code>app-to-kube-dns-unreachable</code></a>", figure, StringComparison.Ordinal);
        Assert.Contains("nothing collected says either way", figure, StringComparison.Ordinal);
    }

    [Fact]
    public void At_most_four_hops_per_column_are_drawn_and_the_rest_counted()
    {
        var figure = DnsPathSvg.Render(HostileCorpus.Path("x"));
        var svg = Drawing(figure);

        Assert.Equal(DnsPathSvg.MaxPerColumn, svg.Descendants(Svg + "g").Count(g => g.Attribute("data-kind")?.Value == HopKinds.CoreDns));
        Assert.Equal("+2 more", svg.Elements(Svg + "text").Single(t => t.Attribute("class")?.Value == "more").Value);
        Assert.Contains("+2 more CoreDNS pod hops (2 healthy)", figure, StringComparison.Ordinal);
        Assert.Equal("", DnsPathSvg.Render([]));
    }

    [Theory]
    [InlineData("coredns-5d78c9869d-wwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwww", "coredns-5d…wwwwwwwwwww")]
    [InlineData("coredns-5d78c9869d-abcde", "coredns-5d…9869d-abcde")]
    [InlineData("coredns-5d78c9869d-abc", "coredns-5d78c9869d-abc")]
    public void A_long_name_is_cut_in_the_middle_so_that_the_end_that_tells_siblings_apart_stays(string pod, string shown)
    {
        var svg = Drawing(DnsPathSvg.Render([new DnsPathHop(HopKinds.CoreDns, "kube-system/" + pod, "10.0.0.9", HopStatus.Healthy, [])]));

        Assert.Equal(shown, svg.Descendants(Svg + "text").Single(t => t.Attribute("class")?.Value == "name").Value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("x")]
    public void A_cut_never_splits_a_surrogate_pair(string prefix)
    {
        var name = prefix + string.Concat(Enumerable.Repeat("\U0001F600", 30));
        var svg = Drawing(DnsPathSvg.Render([new DnsPathHop(HopKinds.Upstream, name, name, HopStatus.Unverified, [])]));

        var shown = svg.Descendants(Svg + "text").Single(t => t.Attribute("class")?.Value == "name").Value;
        Assert.True(shown.Length <= 22, shown);
        Assert.Contains('…', shown);
        Assert.All(shown.Select((c, i) => (c, i)), p => Assert.False(
            (char.IsHighSurrogate(p.c) && (p.i + 1 >= shown.Length || !char.IsLowSurrogate(shown[p.i + 1])))
            || (char.IsLowSurrogate(p.c) && (p.i == 0 || !char.IsHighSurrogate(shown[p.i - 1]))), $"lone surrogate at {p.i}"));
    }

    [Theory]
    [MemberData(nameof(Corpus))]
    public void Hostile_cluster_text_stays_text_in_the_drawing(int index)
    {
        var value = HostileCorpus.Values[index];
        var figure = DnsPathSvg.Render(HostileCorpus.Path(value));

        var svg = Drawing(figure);
        Assert.Equal(["g", "line", "rect", "svg", "text", "title"], svg.DescendantsAndSelf().Select(e => e.Name.LocalName).Distinct().Order(StringComparer.Ordinal));
        Assert.All(svg.DescendantsAndSelf().SelectMany(e => e.Attributes()), a => Assert.False(a.Name.LocalName.StartsWith("on", StringComparison.OrdinalIgnoreCase) || a.Name.LocalName == "style" || a.Name.LocalName == "href", a.ToString()));
        Assert.Equal(Tags(DnsPathSvg.Render(HostileCorpus.Path("x"))), Tags(figure));
        var clean = DisplayText.Line(value);
        var name = svg.Descendants(Svg + "text").First(t => t.Attribute("class")?.Value == "name").Value;
        // The box shows the name after its namespace; a long one cut in the middle, both its ends the value's own.
        Assert.True(clean.EndsWith(name, StringComparison.Ordinal) || (name.Length <= 22 && Enumerable.Range(0, name.Length).Any(k => name[k] == '…'
            && clean.Contains(name[..k], StringComparison.Ordinal) && clean.EndsWith(name[(k + 1)..], StringComparison.Ordinal))), name);
        Assert.DoesNotContain(svg.DescendantNodes().OfType<XText>(), t => t.Value.Any(c => char.IsControl(c)));
    }

    private static List<string> Tags(string html) => TagRegex().Matches(html).Select(m => m.Value).Distinct().Order(StringComparer.Ordinal).ToList();

    [GeneratedRegex(@"<svg[\s\S]*</svg>")]
    private static partial Regex SvgRegex();

    [GeneratedRegex(@"<[!/]?[A-Za-z][A-Za-z0-9-]*")]
    private static partial Regex TagRegex();
}
