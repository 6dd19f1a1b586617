using DnsExpert.Core.Contract;

namespace DnsExpert.Core.Building;

/// <summary>The facts built from one snapshot, and what could or could not be read.</summary>
public sealed record FactSet(IReadOnlyList<object> Facts, IReadOnlyList<CollectionEntry> Collection);
