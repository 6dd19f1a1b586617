using System.Globalization;
using DnsExpert.Contract;
using DnsExpert.Facts;
using DnsExpert.Readers.Objects;
using DnsExpert.Readers.Parsing;
using PodScrapes = System.Collections.Generic.Dictionary<(string Namespace, string Pod), System.Collections.Generic.List<(DnsExpert.Readers.Parsing.CoreDnsScrape Scrape, bool NodeLocal, string? Node, bool PodKnown)>>;

namespace DnsExpert.Readers.Building.Producers;

/// <summary>
/// CoreDNS and NodeLocal DNSCache pods' <c>/metrics</c> (Prometheus text, pasted or kept in the snapshot): per pod, its
/// counters since the process started, or, from two scrapes of the same process, their rise in between; and the rise
/// over a window a Prometheus server answered (<see cref="Snapshot.Metrics"/>), read as between two scrapes.
/// </summary>
internal static class CoreDnsMetricsProducer
{
    public static ProducedFacts Produce(IList<FileArtifact> files, SnapshotObjects objects, IList<MetricsArtifact> metrics)
    {
        var facts = new List<Fact>();
        var notes = new List<CollectionEntry>();
        var scrapes = ReadScrapes(files, objects, notes);

        // Each CoreDNS pod's counters before they are facts: a pod is compared with the others of the same reading.
        var counters = new List<Counted>();
        counters.AddRange(ScrapeCounters(scrapes, facts));
        counters.AddRange(PrometheusCounters(metrics, facts));
        foreach (var reading in counters.GroupBy(c => c.Reading, StringComparer.Ordinal))
        {
            foreach (var c in reading)
            {
                var peers = reading.Where(p => p != c).OrderBy(p => p.Namespace, StringComparer.Ordinal).ThenBy(p => p.Pod, StringComparer.Ordinal).ToList();
                facts.AddRange(Facts(c, peers));
            }
        }

        return new ProducedFacts(facts, notes);
    }

    /// <summary>Each pod's scrapes in the order given (the last is the latest), with a note for each exposition not whole or not a pod's.</summary>
    private static PodScrapes ReadScrapes(
        IList<FileArtifact> files, SnapshotObjects objects, List<CollectionEntry> notes)
    {
        var scrapes = new PodScrapes();
        foreach (var file in files.Where(f => f.Text is not null && EvidenceReader.PrometheusMetrics.Reads(f)))
        {
            var endpoint = MetricsEndpoint.Of((file.Command ?? "").Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries));
            var what = file.Command ?? "metrics";
            var nodeLocal = endpoint?.Port == MetricsEndpoint.NodeLocalPort;
            if (Whose(file, endpoint, objects, nodeLocal) is not { } pod)
            {
                notes.Add(new CollectionEntry(what, CollectionStatus.Partial, $"no pod in the snapshot has the address {endpoint?.Host}: whose metrics these are is not known"));
                continue;
            }

            var exposition = PrometheusText.Parse(file.Text);
            if (CoreDnsScrape.Read(exposition) is not { } scrape)
            {
                notes.Add(new CollectionEntry($"Pod {pod.Namespace}/{pod.Pod} metrics", CollectionStatus.Partial, "no coredns_ series in the exposition"));
                continue;
            }

            if (exposition.BadLines > 0 || exposition.Truncated)
            {
                notes.Add(new CollectionEntry($"Pod {pod.Namespace}/{pod.Pod} metrics", CollectionStatus.Partial,
                    exposition.Truncated ? $"read up to {PrometheusText.MaxLines} lines or {PrometheusText.MaxSamples} samples" : $"{exposition.BadLines} line(s) not read, the first on line {exposition.FirstBadLine}"));
            }

            nodeLocal |= scrape.SetupErrors is not null;
            if (!scrapes.TryGetValue((pod.Namespace, pod.Pod), out var list))
            {
                scrapes[(pod.Namespace, pod.Pod)] = list = [];
            }

            list.Add((scrape, nodeLocal, pod.Node, pod.PodKnown));
        }

        return scrapes;
    }

    /// <summary>
    /// The scraped pods' counters: the rise between a process's last two scrapes, else since it started; NodeLocal
    /// DNSCache's set-up errors become their facts here (<paramref name="facts"/>).
    /// </summary>
    private static List<Counted> ScrapeCounters(
        PodScrapes scrapes, List<Fact> facts)
    {
        var counters = new List<Counted>();
        foreach (var ((ns, pod), list) in scrapes)
        {
            var (latest, nodeLocal, node, podKnown) = list[^1];
            // Two scrapes of the same process: the rise between them; after a restart, the latest alone.
            var between = list.Count > 1 ? latest.Since(list[^2].Scrape) : null;
            var counted = between ?? latest;
            var window = between is not null ? "between two scrapes of the same process"
                : latest.ProcessStart is { } start ? $"since the process started at {start.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC"
                : "since the process started";
            var source = !podKnown && node is not null ? $"Node {node} :{MetricsEndpoint.NodeLocalPort}/metrics" : $"Pod {ns}/{pod} metrics";
            if (nodeLocal)
            {
                foreach (var (type, count) in counted.SetupErrors ?? new Dictionary<string, long>())
                {
                    facts.Add(new NodeLocalSetupErrors { Source = source, Namespace = ns, Pod = pod, PodNamed = podKnown, Node = node, ErrorType = type, Count = count, BetweenScrapes = between is not null, Window = window });
                }

                continue;
            }

            // Two scrapes: the cache's ratio before is the earlier scrape's, from the process start to it.
            var before = between is not null ? list[^2].Scrape : null;
            var cacheBefore = before is null ? null
                : new CacheBefore(before.CacheHits, before.CacheMisses, "from the process start" + (before.ProcessStart is { } at ? $" at {at.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC" : "") + " to the first scrape");
            counters.Add(new Counted(source, ns, pod, latest.Version, counted, between is not null, window, between is not null ? "scrapes: the rise between two" : "scrapes: since each process started", counted.DurationQuantile(0.99), null, null, cacheBefore, null, null));
        }

        return counters;
    }

    /// <summary>A Prometheus server's answers: the rise over its window, as between two scrapes; its forward rates become facts here.</summary>
    private static List<Counted> PrometheusCounters(IList<MetricsArtifact> metrics, List<Fact> facts)
    {
        var counters = new List<Counted>();
        foreach (var m in metrics.Where(m => m.Pod is not null))
        {
            var counted = new CoreDnsScrape(null, null, m.Requests, m.Responses?.AsReadOnly(), m.Panics, m.ReloadFailures, m.MaxConcurrentRejects, m.HealthcheckFailures?.AsReadOnly(), null, m.HealthcheckBroken,
                CacheHits: m.CacheHits, CacheMisses: m.CacheMisses);
            var window = $"over {m.WindowMinutes ?? 15} min" + (m.Time is { } time ? $" to {time.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC" : "");
            var source = $"Prometheus {m.Server}".TrimEnd();
            counters.Add(new Counted(source, m.Namespace ?? SnapshotObjects.KubeSystem, m.Pod!, null, counted, true, window, $"{source} {window}", m.P99Seconds, m.CpuPeriods, m.CpuThrottledPeriods,
                new CacheBefore(m.CacheHitsBefore, m.CacheMissesBefore, $"in the {m.WindowMinutes ?? 15} min before"), m.CpuLimitCores, m.CpuUsageCores)
            {
                PrometheusServer = string.IsNullOrWhiteSpace(m.Server) ? null : m.Server.Trim(),
            });
            foreach (var (to, sent) in m.ForwardRequests ?? new Dictionary<string, long>())
            {
                facts.Add(new CoreDnsForwardRate
                {
                    Source = source, Namespace = m.Namespace ?? SnapshotObjects.KubeSystem, Pod = m.Pod!, To = to, Requests = sent,
                    WindowSeconds = Math.Max(1, m.WindowMinutes ?? 15) * 60, Window = window,
                });
            }
        }

        return counters;
    }

    /// <summary>
    /// A CoreDNS pod's counters in its window, and which reading they are of (<see cref="CoreDnsMetrics.Reading"/>: one
    /// Prometheus answer, or the scrapes, between two or since each process started), and its request duration's 99th
    /// percentile in seconds, and its container's CFS periods and throttled periods (cAdvisor's, from a Prometheus server only).
    /// </summary>
    private sealed record Counted(string Source, string Namespace, string Pod, string? Version, CoreDnsScrape Counters, bool Between, string Window, string Reading, double? P99Seconds, long? CpuPeriods, long? CpuThrottled, CacheBefore? Cache, double? CpuLimitCores, double? CpuUsageCores)
    {
        /// <summary>The Prometheus server's URL as the artifact gives it (<see cref="MetricsArtifact.Server"/>); null for scrapes.</summary>
        public string? PrometheusServer { get; init; }
    }

    /// <summary>The cache's counts before the window, and when they were counted, in words.</summary>
    private sealed record CacheBefore(long? Hits, long? Misses, string When);

    /// <summary>A CoreDNS pod's counters, and its upstreams' failed health checks, in its window; <paramref name="peers"/> the other pods of its reading.</summary>
    private static IEnumerable<Fact> Facts(Counted c, IReadOnlyList<Counted> peers)
    {
        var (source, ns, pod, counted, between, window) = (c.Source, c.Namespace, c.Pod, c.Counters, c.Between, c.Window);
        yield return new CoreDnsMetrics
        {
            Source = source,
            Namespace = ns,
            Pod = pod,
            Version = c.Version,
            BetweenScrapes = between,
            Window = window,
            Reading = c.Reading,
            PrometheusServer = c.PrometheusServer,
            PeersServfail = string.Join(", ", peers.Select(p => $"{CoreDnsMetrics.ShareOf(p.Counters.ResponsesWith("SERVFAIL"), p.Counters.AllResponses)} on {p.Pod}")),
            Requests = counted.Requests,
            Responses = counted.AllResponses,
            Servfail = counted.ResponsesWith("SERVFAIL"),
            Refused = counted.ResponsesWith("REFUSED"),
            Panics = counted.Panics,
            ReloadFailures = counted.ReloadFailures,
            MaxConcurrentRejects = counted.MaxConcurrentRejects,
            HealthcheckBroken = counted.HealthcheckBroken,
            P99Ms = c.P99Seconds * 1000,
            PeersLatency = string.Join(", ", peers.Select(p => $"p99 {CoreDnsMetrics.MillisecondsOf(p.P99Seconds * 1000)} on {p.Pod}")),
            CpuPeriods = c.CpuPeriods,
            CpuThrottledPeriods = c.CpuThrottled,
            PeersThrottled = string.Join(", ", peers.Select(p => $"{CoreDnsMetrics.ThrottledOf(p.CpuThrottled, p.CpuPeriods)} on {p.Pod}")),
            CpuLimitCores = c.CpuLimitCores,
            CpuUsageCores = c.CpuUsageCores,
            CacheHits = counted.CacheHits,
            CacheMisses = counted.CacheMisses,
            CacheHitsBefore = c.Cache?.Hits is not null && c.Cache.Misses is not null ? c.Cache.Hits : null,
            CacheMissesBefore = c.Cache?.Hits is not null && c.Cache.Misses is not null ? c.Cache.Misses : null,
            CacheBefore = c.Cache?.Hits is not null && c.Cache.Misses is not null ? c.Cache.When : "",
        };
        foreach (var (to, failures) in counted.HealthcheckFailures ?? new Dictionary<string, long>())
        {
            // A pod without the upstream's series has counted no failed check of it (the series appears with the first).
            var peersFailing = string.Join(", ", peers.Select(p => p.Counters.HealthcheckFailures?.GetValueOrDefault(to) is > 0 and var n ? $"{n} on {p.Pod}" : $"none counted on {p.Pod}"));
            yield return new CoreDnsUpstreamHealthchecks
            {
                Source = source, Namespace = ns, Pod = pod, To = to, Failures = failures, BetweenScrapes = between, Window = window, Reading = c.Reading, PeersFailing = peersFailing,
            };
        }
    }

    /// <summary>
    /// The pod the metrics are of: the file's; else the snapshot's pod with the scraped address; else, for localhost on
    /// a node, the NodeLocal DNSCache pod on that node (named by its node when the snapshot has not its pod: PodKnown false).
    /// </summary>
    private static (string Namespace, string Pod, string? Node, bool PodKnown)? Whose(FileArtifact file, MetricsEndpoint? endpoint, SnapshotObjects objects, bool nodeLocal)
    {
        if (file.Pod is { } named)
        {
            var known = objects.Pods.Values.FirstOrDefault(p => p.Metadata?.Name == named && (p.Metadata.NamespaceProperty ?? "default") == (file.Namespace ?? "default"));
            return (file.Namespace ?? "default", named, known?.Spec?.NodeName, true);
        }

        // NodeLocal DNSCache's pods are its DaemonSet's, whatever the layout names it (node-local-dns, kubespray's nodelocaldns).
        var nodeLocalSet = NodeLocalSetup.Find(objects.DaemonSets.Values);
        var nodeLocalPods = (nodeLocalSet?.Metadata?.Name ?? "node-local-dns") + "-";
        var nodeLocalNamespace = NodeLocalSetup.NamespaceOf(nodeLocalSet);
        bool IsNodeLocal(Pod p) => p.Metadata?.Name?.StartsWith(nodeLocalPods, StringComparison.Ordinal) == true;
        if (file.Node is { } node)
        {
            var local = nodeLocal ? objects.Pods.Values.FirstOrDefault(p => p.Spec?.NodeName == node && IsNodeLocal(p)) : null;
            return local?.Metadata?.Name is { } localName ? (local.Metadata.NamespaceProperty ?? SnapshotObjects.KubeSystem, localName, node, true)
                : nodeLocal ? (nodeLocalNamespace, $"node-local-dns on node {node}", node, false) : null;
        }

        // A hostNetwork pod has its node's address, as the node's other hostNetwork pods do: NodeLocal's port prefers NodeLocal's pod.
        var pod = endpoint?.Host is { } host
            ? objects.Pods.Values.Where(p => p.Status?.PodIP == host).OrderBy(p => nodeLocal && IsNodeLocal(p) ? 0 : 1).FirstOrDefault()
            : null;
        return pod?.Metadata?.Name is { } name ? (pod.Metadata.NamespaceProperty ?? "default", name, pod.Spec?.NodeName, true) : null;
    }
}
