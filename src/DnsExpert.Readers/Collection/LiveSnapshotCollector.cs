using DnsExpert.Contract;

namespace DnsExpert.Readers.Collection;

/// <summary>A snapshot read from a live cluster, and how each collector did.</summary>
public sealed record CollectedSnapshot(Snapshot Snapshot, IReadOnlyList<CollectionEntry> Collection);

/// <summary>Collects a snapshot for one diagnosis from a live cluster.</summary>
public interface ILiveSnapshotCollector
{
    /// <param name="target">The pod that cannot resolve, if known.</param>
    /// <param name="domain">The failing name, if known.</param>
    /// <param name="probe">Whether active probes may run (the request can switch them off).</param>
    /// <param name="cancellationToken">Cancelled with the HTTP request.</param>
    Task<CollectedSnapshot> CollectAsync(TargetRef? target, string? domain, bool probe, CancellationToken cancellationToken);
}
