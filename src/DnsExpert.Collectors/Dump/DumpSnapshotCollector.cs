using DnsExpert.Contract;
using DnsExpert.Readers.Collection;

namespace DnsExpert.Collectors.Dump;

/// <summary>Serves a cluster-info dump directory as if it were the live cluster.</summary>
public sealed class DumpSnapshotCollector(string directory) : ILiveSnapshotCollector
{
    public Task<CollectedSnapshot> CollectAsync(TargetRef? target, string? domain, bool probe, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(ClusterInfoDump.Read(directory));
    }
}
