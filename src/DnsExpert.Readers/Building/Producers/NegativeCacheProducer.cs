using DnsExpert.Facts;
using DnsExpert.Readers.Objects;
using DnsExpert.Readers.Parsing;

namespace DnsExpert.Readers.Building.Producers;

/// <summary>
/// How long the cluster DNS's caches keep an NXDOMAIN for a cluster name (<see cref="CacheDenialWindow"/>, from the
/// CoreDNS Corefile and NodeLocal DNSCache's), and each NXDOMAIN of the CoreDNS query logs for a name whose object the
/// snapshot holds, set against that object's creation (<see cref="NxdomainNearCreation"/>).
/// </summary>
internal static class NegativeCacheProducer
{
    public static ProducedFacts Produce(IEnumerable<Fact> logs, SnapshotObjects objects, ClusterContext cluster)
    {
        if (Window(objects, cluster) is not { } window)
        {
            return new ProducedFacts([]);
        }

        var facts = new List<Fact> { window };
        // The pods of each namespace with a creation time, read once however many names are set against them.
        var pods = new Lazy<ILookup<string, Pod>>(() => objects.Pods.Values.Where(p => p.Metadata?.CreationTimestamp is not null)
            .ToLookup(p => p.Metadata!.NamespaceProperty ?? "default", StringComparer.Ordinal));
        foreach (var q in logs.OfType<CoreDnsQueryLog>().Where(q => q.Rcode == DnsRcodes.NxDomain && q.IsClusterName && q.Timestamp is not null))
        {
            if (Creation(q.NameWithoutDot, objects, pods, cluster.ClusterDomain) is not var (what, created))
            {
                continue;
            }

            // The group's last line: its first plus its span (no second timestamp kept per query group: a log of
            // distinct names makes hundreds of thousands of them).
            var last = q.Timestamp!.Value.AddSeconds(q.SpanSeconds ?? 0);
            var after = Math.Round((last - created).TotalSeconds, 1);
            facts.Add(new NxdomainNearCreation
            {
                Source = q.Source,
                ConcernsFailure = q.ConcernsFailure,
                Pod = q.Pod,
                Name = q.NameWithoutDot,
                Type = q.Type,
                CreatedObject = what,
                Created = TicketTime.Format(created),
                FirstNxdomain = q.Time,
                LastNxdomain = TicketTime.Format(last),
                Nxdomains = q.Occurrences,
                SecondsAfterCreation = after,
                WindowSeconds = window.Seconds,
                HealsBy = TicketTime.Format(last.AddSeconds(window.Seconds)),
            });
        }

        return new ProducedFacts(facts);
    }

    /// <summary>CoreDNS's denial window for the cluster domain, plus NodeLocal's; null without the Corefile.</summary>
    private static CacheDenialWindow? Window(SnapshotObjects objects, ClusterContext cluster)
    {
        var domain = cluster.ClusterDomain;
        if (CorefileProducer.Parse(objects) is not { } corefile || CacheDenial.ServerFor(corefile, domain) is not { } server)
        {
            return null;
        }

        var (ttl, ttlText) = CacheDenial.KubernetesTtl(server) ?? (CacheDenial.DefaultKubernetesTtl, $"kubernetes ttl {CacheDenial.DefaultKubernetesTtl} by default (no kubernetes line in the block)");
        var soa = CacheDenial.SoaTtl(ttl);
        var (coreDns, detail, settings) = Of(CacheDenial.Settings(server, domain), soa, ttlText);
        var key = string.Join(" ", server.Zones.Select(z => $"{z.Name}:{z.Port}"));
        var (ns, name) = objects.ClusterDns.CorefileName;
        detail = $"server block {key}: {detail}";

        (int? Seconds, string? ConfigMap) nodeLocal = (null, null);
        if (cluster.NodeLocal is { } setup
            && NodeLocalSetup.Corefiles(setup.DaemonSet, objects.ConfigMaps).FirstOrDefault() is ({ } map, { } local)
            && CacheDenial.ServerFor(local, domain) is { } localServer)
        {
            // NodeLocal caches CoreDNS's NXDOMAIN by the same rule, over the SOA TTL CoreDNS answered with.
            var (seconds, localDetail, localSettings) = Of(CacheDenial.Settings(localServer, domain), soa, $"SOA TTL {soa} from CoreDNS");
            nodeLocal = (seconds, map);
            detail += $"; NodeLocal DNSCache (ConfigMap {setup.Namespace}/{map}): {localDetail}";
            settings = $"{coreDns} s in CoreDNS ({settings}) and {seconds} s more in NodeLocal DNSCache ({localSettings})";
        }
        else
        {
            settings = $"{coreDns} s in CoreDNS ({settings})";
        }

        return new CacheDenialWindow
        {
            Source = $"ConfigMap {ns}/{name}",
            ServerKey = key,
            Zone = domain,
            CoreDnsSeconds = coreDns,
            NodeLocalSeconds = nodeLocal.Seconds,
            NodeLocalConfigMap = nodeLocal.ConfigMap,
            NodeLocalNamespace = cluster.NodeLocal?.Namespace ?? SnapshotObjects.KubeSystem,
            SoaTtl = soa,
            Detail = detail,
            Summary = nodeLocal.Seconds is { } more ? $"{coreDns + more} s: {settings}" : settings,
        };
    }

    /// <summary>One cache's window over <paramref name="soa"/>, with the words for evidence and for a sentence (<c>cache 30, ttl 30</c>).</summary>
    private static (int Seconds, string Detail, string Settings) Of(CacheDenialSettings? cache, int soa, string ttlText)
    {
        if (cache is null)
        {
            return (0, "no cache plugin: no denial is kept", "no cache");
        }

        var line = $"{cache.Text} (line {cache.Line})";
        if (!cache.Keeps)
        {
            return (0, $"{line} keeps no denial of the cluster domain", $"{cache.Text}: no denial kept");
        }

        var seconds = CacheDenial.Window(soa, cache.MinTtl, cache.Cap);
        return (seconds,
            $"{line}, {ttlText}: a denial is kept min(max(SOA TTL {soa}, MINTTL {cache.MinTtl}), CAP {cache.Cap}) = {seconds} s",
            $"{cache.Text}, {ttlText}");
    }

    /// <summary>
    /// The object that makes <paramref name="name"/> exist and when it was created, for <c>svc.ns.svc.DOMAIN</c> (the
    /// Service; headless, also its oldest selected pod) and <c>host.svc.ns.svc.DOMAIN</c> (that pod and its Service):
    /// the one created last. Null when the snapshot has no such object with a creation time.
    /// </summary>
    private static (string Object, DateTimeOffset Created)? Creation(string name, SnapshotObjects objects, Lazy<ILookup<string, Pod>> podsByNamespace, string domain)
    {
        var suffix = ".svc." + domain;
        var labels = name.EndsWith(suffix, StringComparison.Ordinal) ? name[..^suffix.Length].Split('.') : [];
        if (labels.Length is not (2 or 3) || labels.Any(l => l.Length == 0))
        {
            return null;
        }

        var (ns, serviceName) = (labels[^1], labels[^2]);
        var service = objects.Services.GetValueOrDefault(SnapshotObjects.Key(ns, serviceName));
        var candidates = new List<(string Object, DateTimeOffset Created)>();
        if (service?.Metadata?.CreationTimestamp is { } serviceCreated)
        {
            candidates.Add(($"Service {ns}/{serviceName}", TicketTime.Utc(serviceCreated)));
        }

        var pods = podsByNamespace.Value[ns];
        Pod? pod = labels.Length == 3
            ? pods.FirstOrDefault(p => (p.Spec?.Hostname ?? p.Metadata?.Name) == labels[0] && (p.Spec?.Subdomain is null || p.Spec.Subdomain == serviceName))
            : service?.Spec?.ClusterIP == "None"
                ? pods.Where(p => WorkloadProducer.Selects(service.Spec.Selector, p.Metadata?.Labels)).MinBy(p => p.Metadata!.CreationTimestamp)
                : null;
        if (pod is not null)
        {
            candidates.Add(($"Pod {ns}/{pod.Metadata!.Name}", TicketTime.Utc(pod.Metadata.CreationTimestamp!.Value)));
        }

        // A pod name needs its pod: without it the name's existence is not known.
        return labels.Length == 3 && pod is null || candidates.Count == 0 ? null : candidates.MaxBy(c => c.Created);
    }
}
