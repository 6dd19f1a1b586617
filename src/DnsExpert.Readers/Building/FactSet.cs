using DnsExpert.Contract;

namespace DnsExpert.Readers.Building;

/// <summary>The facts built from one snapshot, and what could or could not be read.</summary>
public sealed record FactSet(IReadOnlyList<object> Facts, IReadOnlyList<CollectionEntry> Collection)
{
    /// <summary>
    /// Fact types whose source a producer read, whatever it found: a NodeLocal DNSCache log read without an upstream
    /// error rules <c>NodeLocalUpstreamError</c> out, which only the reader knows (the command does not say whose log it is).
    /// </summary>
    public IReadOnlySet<string> Observed { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>The request's error message classified once, as the facts were built with it (its class routes the hypotheses, its server names the DNS server asked).</summary>
    public required ClassificationResult Classification { get; init; }
}
