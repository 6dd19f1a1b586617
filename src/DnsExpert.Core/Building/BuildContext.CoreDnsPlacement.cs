using DnsExpert.Core.Facts;

namespace DnsExpert.Core.Building;

internal sealed partial class BuildContext
{
    /// <summary>One <see cref="CoreDnsPlacement"/> from the CoreDNS pods already read: the Ready ones decide.</summary>
    private void BuildCoreDnsPlacement()
    {
        var pods = Facts.OfType<CoreDnsPod>().ToList();
        if (pods.Count == 0)
        {
            return;
        }

        var ready = pods.Where(p => p.Ready).ToList();
        var busiest = ready.Where(p => p.Node is not null).GroupBy(p => p.Node!)
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).FirstOrDefault();
        var cpu = ready.Select(p => p.CpuMillicores).OfType<double>().ToList();
        Facts.Add(new CoreDnsPlacement
        {
            Source = "Pods kube-system -l k8s-app=kube-dns",
            Pods = pods.Count,
            ReadyPods = ready.Count,
            ReadyNodes = ready.Select(p => p.Node).OfType<string>().Distinct(StringComparer.Ordinal).Count(),
            MaxReadyPodsOnOneNode = busiest?.Count() ?? 0,
            BusiestNode = busiest?.Key,
            PodsOnBusiestNode = busiest?.Select(p => p.Name).ToList() ?? [],
            NotReadyPods = pods.Where(p => !p.Ready).Select(p => $"{p.Name} ({p.WaitingReason ?? p.Phase ?? "not Ready"})").ToList(),
            PodNames = pods.Select(p => p.Name).ToList(),
            SessionAffinity = Facts.OfType<KubeDnsService>().FirstOrDefault()?.SessionAffinity is { Length: > 0 } affinity ? affinity : "None",
            CpuMinMillicores = cpu.Count >= 2 ? cpu.Min() : null,
            CpuMaxMillicores = cpu.Count >= 2 ? cpu.Max() : null,
        });
    }
}
