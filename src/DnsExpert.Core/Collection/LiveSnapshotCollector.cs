using DnsExpert.Core.Contract;

namespace DnsExpert.Core.Collection;

/// <summary>A snapshot read from a live cluster, and how each collector did.</summary>
public sealed record CollectedSnapshot(Snapshot Snapshot, IReadOnlyList<CollectionEntry> Collection);

/// <summary>Collects a snapshot for one diagnosis from a live cluster.</summary>
public interface ILiveSnapshotCollector
{
    Task<CollectedSnapshot> CollectAsync(TargetRef? target, string? domain, CancellationToken cancellationToken);
}
