using DnsExpert.Contract;
using DnsExpert.Facts;

namespace DnsExpert.Readers.Building;

/// <summary>What one producer made of its part of the snapshot: its facts in order, and its <c>collection</c> notes.</summary>
internal sealed record ProducedFacts(IReadOnlyList<Fact> Facts, IReadOnlyList<CollectionEntry> Notes)
{
    /// <summary>Fact types whose source this producer read, even when it found none (<see cref="FactSet.Observed"/>).</summary>
    public IReadOnlyList<string> Observed { get; init; } = [];

    public ProducedFacts(IReadOnlyList<Fact> facts)
        : this(facts, [])
    {
    }
}
