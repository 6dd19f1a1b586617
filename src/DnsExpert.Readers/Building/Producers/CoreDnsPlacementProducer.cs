using DnsExpert.Facts;

namespace DnsExpert.Readers.Building.Producers;

/// <summary>How the CoreDNS pods are spread: one <see cref="CoreDnsPlacement"/>, where the Ready pods decide.</summary>
internal static class CoreDnsPlacementProducer
{
    /// <param name="coreDns">The CoreDNS pods and the kube-dns Service, as <see cref="CoreDnsProducer"/> made them.</param>
    /// <param name="source">How the pods were listed (<see cref="ClusterDnsIdentity.PodsSource"/>).</param>
    public static ProducedFacts Produce(IEnumerable<Fact> coreDns, string source)
    {
        var pods = coreDns.OfType<CoreDnsPod>().ToList();
        if (pods.Count == 0)
        {
            return new ProducedFacts([]);
        }

        var ready = pods.Where(p => p.Ready).ToList();
        var busiest = ready.Where(p => p.Node is not null).GroupBy(p => p.Node!)
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).FirstOrDefault();
        var cpu = ready.Select(p => p.CpuMillicores).OfType<double>().ToList();
        return new ProducedFacts(
        [
            new CoreDnsPlacement
            {
                Source = source,
                Pods = pods.Count,
                ReadyPods = ready.Count,
                ReadyNodes = ready.Select(p => p.Node).OfType<string>().Distinct(StringComparer.Ordinal).Count(),
                MaxReadyPodsOnOneNode = busiest?.Count() ?? 0,
                BusiestNode = busiest?.Key,
                PodsOnBusiestNode = busiest?.Select(p => p.Name).ToList() ?? [],
                NotReadyPods = pods.Where(p => !p.Ready).Select(p => $"{p.Name} ({p.WaitingReason ?? p.Phase ?? "not Ready"})").ToList(),
                PodNames = pods.Select(p => p.Name).ToList(),
                SessionAffinity = coreDns.OfType<KubeDnsService>().FirstOrDefault() is { } service
                    ? service.SessionAffinity is { Length: > 0 } affinity ? affinity : SessionAffinities.None
                    : null,
                CpuMinMillicores = cpu.Count >= 2 ? cpu.Min() : null,
                CpuMaxMillicores = cpu.Count >= 2 ? cpu.Max() : null,
            },
        ]);
    }
}
