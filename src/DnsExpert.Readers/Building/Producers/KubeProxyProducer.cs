using DnsExpert.Facts;
using DnsExpert.Readers.Parsing;

namespace DnsExpert.Readers.Building.Producers;

/// <summary>
/// kube-proxy's mode and IPVS UDP timeout. Its configuration is found by content: any kube-system ConfigMap holding a
/// KubeProxyConfiguration (kubeadm's <c>kube-proxy</c>, ACK's <c>kube-proxy-worker</c> ...); else the kube-proxy
/// DaemonSet's flags, read as kube-proxy reads them (<see cref="ContainerArguments.LongFlag"/>), and only when it runs
/// without <c>--config</c>, whose file would replace them.
/// </summary>
internal static class KubeProxyProducer
{
    public static ProducedFacts Produce(SnapshotObjects objects)
    {
        var facts = new List<Fact>();
        var configMaps = objects.ConfigMaps.Values
            .Where(c => c.Metadata?.NamespaceProperty == SnapshotObjects.KubeSystem && c.Data is not null)
            .OrderBy(c => c.Metadata!.Name == "kube-proxy" ? 0 : 1)
            .ThenBy(c => c.Metadata!.Name, StringComparer.Ordinal);
        var found = false;
        foreach (var configMap in configMaps)
        {
            var name = configMap.Metadata!.Name;
            foreach (var (key, text) in configMap.Data!.OrderBy(d => d.Key, StringComparer.Ordinal))
            {
                if (KubeProxyConfig.TryParse(text) is not { } config)
                {
                    continue;
                }

                facts.Add(new KubeProxyInfo
                {
                    Source = $"ConfigMap kube-system/{name}",
                    Namespace = SnapshotObjects.KubeSystem,
                    Mode = config.Mode,
                    ConfigMap = name,
                    ConfigKey = key,
                    ConfigObject = $"configmap/{name}",
                    UdpTimeout = config.UdpTimeout,
                    UdpTimeoutSeconds = config.UdpTimeoutSeconds,
                });
                found = true;
                break;
            }
        }

        if (found)
        {
            return new ProducedFacts(facts);
        }

        var daemonSet = objects.DaemonSets.GetValueOrDefault(SnapshotObjects.Key(SnapshotObjects.KubeSystem, "kube-proxy"))
            ?? objects.DaemonSets.GetValueOrDefault(SnapshotObjects.Key(SnapshotObjects.KubeSystem, "kube-proxy-worker"));
        var args = daemonSet?.Spec?.Template?.Spec?.Containers?.SelectMany(c => (c.Command ?? []).Concat(c.Args ?? [])).ToList() ?? [];
        // With --config, kube-proxy replaces what its flags set by the file (cmd/kube-proxy/app/options.go Complete:
        // o.config = the file's; only logging and --hostname-override are taken from flags): its mode is the file's,
        // which was not read, whatever --proxy-mode says.
        var mode = ContainerArguments.LongFlag(args, "proxy-mode");
        if (mode is null || ContainerArguments.LongFlag(args, "config") is not null)
        {
            return new ProducedFacts(facts);
        }

        var udpTimeout = ContainerArguments.LongFlag(args, "ipvs-udp-timeout");
        facts.Add(new KubeProxyInfo
        {
            Source = $"DaemonSet kube-system/{daemonSet!.Metadata?.Name}",
            Namespace = SnapshotObjects.KubeSystem,
            Mode = mode,
            ConfigObject = $"daemonset/{daemonSet.Metadata?.Name}",
            UdpTimeout = udpTimeout,
            UdpTimeoutSeconds = GoDuration.TryParseSeconds(udpTimeout),
        });

        return new ProducedFacts(facts);
    }
}
