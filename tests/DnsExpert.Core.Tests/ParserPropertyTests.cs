using DnsExpert.Core.Parsing;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace DnsExpert.Core.Tests;

/// <summary>Parsers never throw on arbitrary input, and stay consistent.</summary>
public sealed class ParserPropertyTests
{
    /// <summary>Strings made of the characters that matter to the grammars, so the generator reaches odd structures.</summary>
    private static Arbitrary<string> Grammarish() =>
        Gen.Elements('{', '}', '"', '`', ':', '.', '#', ';', '\n', '\r', ' ', '\t', '-', '>', '[', ']', '(', ')', 'a', 'Z', '0', '9', '/', '@', 'é')
            .ArrayOf()
            .Select(chars => new string(chars))
            .ToArbitrary();

    [Property(MaxTest = 300)]
    public Property Corefile_parser_never_throws() =>
        Prop.ForAll(Grammarish(), text => CorefileParser.Parse(text) is not null);

    [Property(MaxTest = 300)]
    public Property Resolv_conf_parser_never_throws(string text) =>
        Prop.ForAll(Grammarish(), t => ResolvConfParser.Parse(t + text) is not null);

    [Property(MaxTest = 300)]
    public Property Log_parser_never_throws() =>
        Prop.ForAll(Grammarish(), text => CoreDnsLogParser.Parse(new StringReader(text)).All(r => r.LineNumber > 0));

    [Property(MaxTest = 300)]
    public bool Version_parsers_never_throw(string text) =>
        (ReleaseVersion.TryParse(text, out _) || true) && (KernelVersion.TryParse(text, out _) || true) && LibcInfo.FromLddOutput(text) is not null
        && (ReleaseVersion.FromImage(text) is null || true);

    [Property(MaxTest = 300)]
    public bool Release_version_order_is_consistent(NonNegativeInt a, NonNegativeInt b, NonNegativeInt c, NonNegativeInt d)
    {
        var x = ReleaseVersion.Parse($"{a.Get}.{b.Get}");
        var y = ReleaseVersion.Parse($"v{c.Get}.{d.Get}.0-vendor");
        var expected = (a.Get, b.Get).CompareTo((c.Get, d.Get));
        return Math.Sign(x.CompareTo(y)) == Math.Sign(expected) && Math.Sign(y.CompareTo(x)) == -Math.Sign(expected);
    }

    [Property(MaxTest = 200)]
    public bool Kernel_comparison_is_antisymmetric(NonNegativeInt a, NonNegativeInt b, NonNegativeInt c, NonNegativeInt d)
    {
        Assert.True(KernelVersion.TryParse($"4.19.{a.Get}-{b.Get}.1.al7.x86_64", out var x));
        Assert.True(KernelVersion.TryParse($"4.19.{c.Get}-{d.Get}.1.al7", out var y));
        return Math.Sign(x.CompareTo(y)) == -Math.Sign(y.CompareTo(x)) && Math.Sign(x.CompareTo(y)) == Math.Sign((a.Get, b.Get).CompareTo((c.Get, d.Get)));
    }
}
