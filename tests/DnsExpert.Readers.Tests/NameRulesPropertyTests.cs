using System.Text.RegularExpressions;
using DnsExpert.Contract;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace DnsExpert.Readers.Tests;

/// <summary>
/// The name checks are loops over character sets (no regex timeout to run into under load); they accept exactly what
/// Kubernetes' own RFC 1123 expressions accept, which serve here as the oracle.
/// </summary>
public sealed class NameRulesPropertyTests
{
    private static readonly Regex Label = new(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?\z", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking);
    private static readonly Regex Subdomain = new(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\z", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking);
    private static readonly Regex DomainChars = new(@"^[A-Za-z0-9_.-]+\z", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking);

    /// <summary>Names of the characters where the rules differ: edges, dots, case, line breaks, underscores.</summary>
    private static Arbitrary<string> Nameish() =>
        Gen.Elements('a', 'z', '0', '9', '-', '.', 'A', '_', '\n', ' ', 'é', '$')
            .ArrayOf()
            .Select(chars => new string(chars))
            .ToArbitrary();

    [Property(MaxTest = 2000)]
    public Property A_label_is_what_the_rfc_1123_label_expression_accepts() =>
        Prop.ForAll(Nameish(), s => RequestValidator.IsDnsLabel(s) == (s.Length <= 63 && Label.IsMatch(s)));

    [Property(MaxTest = 2000)]
    public Property A_subdomain_is_what_the_rfc_1123_subdomain_expression_accepts() =>
        Prop.ForAll(Nameish(), s => RequestValidator.IsDnsSubdomain(s) == (s.Length <= 253 && Subdomain.IsMatch(s)));

    [Property(MaxTest = 2000)]
    public Property A_domain_name_has_only_name_characters_and_labels_of_1_to_63() =>
        Prop.ForAll(Nameish(), s =>
        {
            var name = s.EndsWith('.') ? s[..^1] : s;
            var expected = name.Length is > 0 and <= 253 && name.Split('.').All(l => l.Length is > 0 and <= 63) && DomainChars.IsMatch(name);
            return RequestValidator.IsDomainName(s) == expected;
        });

    [Theory]
    [InlineData("web-0", true, true)]
    [InlineData("cn-hangzhou.192.168.0.1", false, true)]
    [InlineData("-web", false, false)]
    [InlineData("web-", false, false)]
    [InlineData("a..b", false, false)]
    [InlineData(".a", false, false)]
    [InlineData("a.", false, false)]
    [InlineData("", false, false)]
    public void Edges(string name, bool label, bool subdomain) =>
        Assert.Equal((label, subdomain), (RequestValidator.IsDnsLabel(name), RequestValidator.IsDnsSubdomain(name)));
}
