using System.Globalization;

namespace DnsExpert.Facts;

/// <summary>
/// A CoreDNS pod's own counters, read from its <c>:9153/metrics</c> (names of the three metric generations made one).
/// One scrape counts since the process started (<see cref="BetweenScrapes"/> false): it says something happened, not
/// when. Two scrapes of the same process give the rise between them (<see cref="BetweenScrapes"/> true): it happened
/// while the failure was looked at. A series the scrape does not hold is null, never zero.
/// </summary>
[FactDescription("A CoreDNS pod's own counters from its :9153/metrics: Requests, Responses, Servfail, Refused (and their share), Panics, ReloadFailures, MaxConcurrentRejects, HealthcheckBroken (every upstream down), P99Ms (request duration), CpuPeriods, CpuThrottledPeriods and CpuThrottledPercent (cAdvisor's CFS throttling of the coredns container, from Prometheus only), CacheHits, CacheMisses and CacheHitPercent, with CacheHitPercentBefore (the window before, or from the process start to the first of two scrapes) and CacheHitRatioKept, CpuLimitCores (kube-state-metrics), CpuUsageCores and CpuPercentOfLimit (from Prometheus only), PrometheusServer (the URL of the Prometheus server read, when one was); since the process started (one scrape) or BetweenScrapes (the rise between two scrapes of the same process); null when the series is not there.")]
public sealed class CoreDnsMetrics : Fact
{
    public required string Namespace { get; init; }
    public required string Pod { get; init; }

    /// <summary>CoreDNS's version, from <c>coredns_build_info</c>.</summary>
    public string? Version { get; init; }

    /// <summary>The counters are the rise between two scrapes of the same process, not totals since it started.</summary>
    public bool BetweenScrapes { get; init; }

    /// <summary>The window in words, for evidence: <c>since the process started at 2026-11-25 06:12 UTC</c>, <c>between two scrapes</c>.</summary>
    public required string Window { get; init; }

    [UnknownWhenNull]
    public long? Requests { get; init; }

    [UnknownWhenNull]
    public long? Responses { get; init; }

    [UnknownWhenNull]
    public long? Servfail { get; init; }

    [UnknownWhenNull]
    public long? Refused { get; init; }

    /// <summary>SERVFAIL's share of the responses, in percent (null without responses).</summary>
    public double? ServfailPercent => Servfail is { } s && Responses is > 0 ? Math.Round(s * 100.0 / Responses.Value, 1) : null;

    /// <summary>SERVFAIL's share in words, for evidence: <c>SERVFAIL 23 % of 41,200 responses</c>.</summary>
    public string ServfailShare => $"SERVFAIL {ShareOf(Servfail, Responses)}";

    /// <summary>
    /// Which reading the counters are of, so that rules compare a pod with the others read alike: one Prometheus
    /// answer (its server and window), or the pasted scrapes (the rise between two scrapes, or since each process started).
    /// </summary>
    public required string Reading { get; init; }

    /// <summary>
    /// The URL of the Prometheus server the counters were read from (the request's <c>metrics[].server</c>, or the
    /// collector's configured server), as given; null for scrapes of the pod. Commands take it from here, through
    /// <c>known.PrometheusUrl</c>'s checks, never from <see cref="Fact.Source"/>'s words.
    /// </summary>
    public string? PrometheusServer { get; init; }

    /// <summary>
    /// SERVFAIL's share on the other CoreDNS pods of the same <see cref="Reading"/>, for comparison:
    /// <c>0.4 % of 39,800 responses on coredns-def, 0.2 % of 38,010 responses on coredns-ghi</c>; empty without another pod.
    /// </summary>
    public string PeersServfail { get; init; } = "";

    /// <summary>REFUSED's share of the responses, in percent (null without responses).</summary>
    public double? RefusedPercent => Refused is { } r && Responses is > 0 ? Math.Round(r * 100.0 / Responses.Value, 1) : null;

    /// <summary>Panics CoreDNS recovered from (<c>coredns_panics_total</c>, before 1.7.0 <c>coredns_panic_count_total</c>).</summary>
    [UnknownWhenNull]
    public long? Panics { get; init; }

    /// <summary>
    /// Changed Corefiles the pod refused to load, keeping its running configuration (<c>coredns_reload_failed_total</c>,
    /// from 1.5.1 to 1.6.9 <c>coredns_reload_failed_count_total</c>): the reload plugin counts each changed file once.
    /// </summary>
    [UnknownWhenNull]
    public long? ReloadFailures { get; init; }

    /// <summary>Queries <c>forward</c> answered REFUSED itself because <c>max_concurrent</c> were in flight (<c>coredns_forward_max_concurrent_rejects_total</c>).</summary>
    [UnknownWhenNull]
    public long? MaxConcurrentRejects { get; init; }

    /// <summary>
    /// Queries <c>forward</c> found every upstream down for, and sent to a random one (<c>coredns_forward_healthcheck_broken_total</c>,
    /// before 1.7.0 <c>coredns_forward_healthcheck_broken_count_total</c>).
    /// </summary>
    [UnknownWhenNull]
    public long? HealthcheckBroken { get; init; }

    /// <summary>
    /// The 99th percentile of the request duration in milliseconds (<c>coredns_dns_request_duration_seconds</c>, as
    /// Prometheus's <c>histogram_quantile</c> reads it), in the window; one scrape's is since the process started.
    /// </summary>
    [UnknownWhenNull]
    public double? P99Ms { get; init; }

    /// <summary><see cref="Requests"/> in words, for evidence: <c>4,120 requests</c> (digits grouped as the other counts are).</summary>
    public string RequestCount => Requests is { } n ? $"{n.ToString("N0", CultureInfo.InvariantCulture)} requests" : "an unknown number of requests";

    /// <summary><see cref="P99Ms"/> in words, for evidence: <c>p99 3,968 ms</c>, <c>p99 2.4 ms</c>.</summary>
    public string Latency => $"p99 {MillisecondsOf(P99Ms)}";

    /// <summary>
    /// The request duration's 99th percentile on the other CoreDNS pods of the same <see cref="Reading"/>, for comparison:
    /// <c>p99 3.1 ms on coredns-def</c>; empty without another pod.
    /// </summary>
    public string PeersLatency { get; init; } = "";

    /// <summary>
    /// CFS periods (100 ms each by default) the <c>coredns</c> container ran in under its CPU limit, in the window
    /// (cAdvisor's <c>container_cpu_cfs_periods_total</c>, read from a Prometheus server); null when not read or
    /// without a CPU limit (no quota, no periods counted).
    /// </summary>
    [UnknownWhenNull]
    public long? CpuPeriods { get; init; }

    /// <summary>Of <see cref="CpuPeriods"/>, those the container used up its quota in and waited for the next (<c>container_cpu_cfs_throttled_periods_total</c>).</summary>
    [UnknownWhenNull]
    public long? CpuThrottledPeriods { get; init; }

    /// <summary>The throttled share of the CFS periods, in percent (null without periods).</summary>
    [UnknownWhenNull]
    public double? CpuThrottledPercent => CpuThrottledPeriods is { } t && CpuPeriods is > 0 ? Math.Round(t * 100.0 / CpuPeriods.Value, 1) : null;

    /// <summary>The throttling in words, for evidence: <c>CPU throttled in 31 % of 9,000 CFS periods</c>.</summary>
    public string Throttling => $"CPU throttled in {ThrottledOf(CpuThrottledPeriods, CpuPeriods)}";

    /// <summary>
    /// The throttled share on the other CoreDNS pods of the same <see cref="Reading"/>, for comparison:
    /// <c>2 % of 9,000 CFS periods on coredns-def</c>; empty without another pod.
    /// </summary>
    public string PeersThrottled { get; init; } = "";

    /// <summary>
    /// The <c>coredns</c> container's CPU limit in cores (kube-state-metrics' <c>kube_pod_container_resource_limits{resource="cpu"}</c>,
    /// read from a Prometheus server); null without a limit or when not read.
    /// </summary>
    [UnknownWhenNull]
    public double? CpuLimitCores { get; init; }

    /// <summary>The <c>coredns</c> container's CPU use in cores, on average over the window (cAdvisor's <c>container_cpu_usage_seconds_total</c>).</summary>
    [UnknownWhenNull]
    public double? CpuUsageCores { get; init; }

    /// <summary>The CPU use as a share of the limit, in percent (null without both).</summary>
    [UnknownWhenNull]
    public double? CpuPercentOfLimit => CpuUsageCores is { } used && CpuLimitCores is > 0 and var limit ? Math.Round(used * 100 / limit, 1) : null;

    /// <summary>
    /// The CPU use in words, for evidence: <c>uses 0.19 of its 0.2 CPU limit (95 %) on average over 15 min to ...</c>,
    /// or what of it was read; empty when neither was.
    /// </summary>
    public string CpuUse => (CpuUsageCores, CpuLimitCores) switch
    {
        ({ } used, { } limit) => $"uses {Cores(used)} of its {Cores(limit)} CPU limit ({Percent(CpuPercentOfLimit)}) on average {Window}",
        ({ } used, null) => $"uses {Cores(used)} CPU on average {Window} (its CPU limit not read)",
        (null, { } limit) => $"its CPU limit is {Cores(limit)} (its use not read)",
        _ => "",
    };

    /// <summary>Queries the cache answered in the window (<c>coredns_cache_hits_total</c>, success and denial); null without a cache plugin or not read.</summary>
    [UnknownWhenNull]
    public long? CacheHits { get; init; }

    /// <summary>Queries the cache passed on to the next plugin in the window (<c>coredns_cache_misses_total</c>).</summary>
    [UnknownWhenNull]
    public long? CacheMisses { get; init; }

    /// <summary>Cache hits before the window (<see cref="CacheBefore"/> says when): the ratio to compare with; null when not read.</summary>
    public long? CacheHitsBefore { get; init; }

    /// <summary>Cache misses before the window.</summary>
    public long? CacheMissesBefore { get; init; }

    /// <summary>
    /// When <see cref="CacheHitsBefore"/> were counted, in words: <c>in the 15 min before</c> (a Prometheus window),
    /// <c>from the process start to the first scrape</c> (two scrapes); empty when not read.
    /// </summary>
    public string CacheBefore { get; init; } = "";

    /// <summary>Lookups the cache saw in the window (hits and misses); null without both counters.</summary>
    public long? CacheLookups => CacheHits is { } h && CacheMisses is { } m ? h + m : null;

    /// <summary>The cache hit ratio in the window, in percent (null without lookups).</summary>
    [UnknownWhenNull]
    public double? CacheHitPercent => HitPercent(CacheHits, CacheMisses);

    /// <summary>The cache hit ratio before the window, in percent (null when not read or without lookups).</summary>
    [UnknownWhenNull]
    public double? CacheHitPercentBefore => HitPercent(CacheHitsBefore, CacheMissesBefore);

    /// <summary>
    /// The share of its earlier hit ratio the cache kept in the window (0.05: a twentieth of it); null without both
    /// ratios or with no hit before.
    /// </summary>
    /// <remarks>A cache that saw none of the window's requests (its counters stand still: the plugin left the server block) kept none of it.</remarks>
    [UnknownWhenNull]
    public double? CacheHitRatioKept => CacheHitPercentBefore is not > 0 ? null
        : CacheHitPercent is { } now ? Math.Round(now / CacheHitPercentBefore.Value, 3)
        : CacheLookups == 0 && Requests > 0 ? 0 : null;

    /// <summary>
    /// The cache's share in words, for evidence: <c>cache hits 3 % of 4,120 lookups over 15 min to ..., 61.1 % of
    /// 96,120 in the 15 min before</c>, with what was not read said so; empty when the cache was not read at all.
    /// </summary>
    public string CacheShare => CacheLookups is not { } lookups ? ""
        : (lookups == 0 ? $"the cache saw none of the {RequestCount} {Window}"
            : $"cache hits {Percent(CacheHitPercent)} of {lookups.ToString("N0", CultureInfo.InvariantCulture)} lookups {Window}")
          + (CacheHitPercentBefore is { } before ? $", {Percent(before)} of {(CacheHitsBefore!.Value + CacheMissesBefore!.Value).ToString("N0", CultureInfo.InvariantCulture)} {CacheBefore}" : ", the ratio before not read");

    /// <summary>
    /// The Deployment the pod is of, from its name (<c>coredns-5d78c9869d-abcde</c>: <c>coredns</c>, the name less the
    /// ReplicaSet's and the pod's suffixes); <c>coredns</c> when the name has no such suffixes.
    /// </summary>
    public string Deployment => DeploymentOf(Pod);

    /// <summary>The Deployment a pod named <paramref name="pod"/> is of: its name less the ReplicaSet's and the pod's suffixes, else <c>coredns</c>.</summary>
    public static string DeploymentOf(string pod)
    {
        var parts = pod.Split('-');
        return parts.Length >= 3 ? string.Join('-', parts[..^2]) : "coredns";
    }

    private static string Cores(double cores) => cores.ToString(cores >= 10 ? "0.#" : "0.###", CultureInfo.InvariantCulture);

    private static double? HitPercent(long? hits, long? misses) =>
        hits is { } h && misses is { } m && h + m > 0 ? Math.Round(h * 100.0 / (h + m), 1) : null;

    private static string Percent(double? percent) => percent is { } p ? p.ToString("0.#", CultureInfo.InvariantCulture) + " %" : "not available";

    /// <summary><paramref name="throttled"/>'s share of <paramref name="periods"/> in words: <c>31 % of 9,000 CFS periods</c>.</summary>
    public static string ThrottledOf(long? throttled, long? periods) => periods is not { } all ? "not available (no CFS periods series)"
        : all == 0 ? "none of 0 CFS periods"
        : $"{Math.Round((throttled ?? 0) * 100.0 / all, 1).ToString("0.#", CultureInfo.InvariantCulture)} % of {all.ToString("N0", CultureInfo.InvariantCulture)} CFS periods";

    /// <summary>Milliseconds in words: <c>3,968</c>, <c>2.4</c>; <c>not available</c> for null.</summary>
    public static string MillisecondsOf(double? ms) => ms is not { } m ? "not available"
        : Math.Round(m, m < 10 ? 1 : 0).ToString("#,0.#", CultureInfo.InvariantCulture) + " ms";

    /// <summary><paramref name="part"/>'s share of <paramref name="responses"/> in words: <c>23 % of 41,200 responses</c>.</summary>
    public static string ShareOf(long? part, long? responses) => responses is not { } all ? "not available (no responses series)"
        : all == 0 ? "none of 0 responses"
        : $"{Math.Round((part ?? 0) * 100.0 / all, 1).ToString("0.#", CultureInfo.InvariantCulture)} % of {all.ToString("N0", CultureInfo.InvariantCulture)} responses";
}

/// <summary>
/// Failed health checks of one upstream of a CoreDNS pod's <c>forward</c> (<c>coredns_forward_healthcheck_failures_total</c>,
/// from 1.11.0 <c>coredns_proxy_healthcheck_failures_total</c>), in the window of <see cref="CoreDnsMetrics"/>.
/// </summary>
[FactDescription("Failed forward health checks of one upstream (To) of a CoreDNS pod, from its :9153/metrics; since the process started or BetweenScrapes.")]
public sealed class CoreDnsUpstreamHealthchecks : Fact
{
    public required string Namespace { get; init; }
    public required string Pod { get; init; }

    /// <summary>The upstream, <c>ADDRESS:PORT</c> (the <c>to</c> label).</summary>
    public required string To { get; init; }

    public long Failures { get; init; }
    public bool BetweenScrapes { get; init; }
    public required string Window { get; init; }

    /// <summary>Which reading the counts are of, as <see cref="CoreDnsMetrics.Reading"/>: rules compare a pod with the others read alike.</summary>
    public required string Reading { get; init; }

    /// <summary>
    /// The other CoreDNS pods of the same <see cref="Reading"/> and their failed checks of the same upstream, for comparison:
    /// <c>none counted on coredns-def, 12 on coredns-ghi</c>; empty without another pod.
    /// </summary>
    public string PeersFailing { get; init; } = "";

    /// <summary>The upstream's address without its port (<c>10.0.0.2</c>, <c>fd00::10</c>), for commands.</summary>
    public string Address => Split().Address;

    /// <summary>The upstream's port (53 when <see cref="To"/> names none).</summary>
    public int Port => Split().Port;

    private (string Address, int Port) Split()
    {
        var colon = To.LastIndexOf(':');
        var close = To.StartsWith('[') ? To.IndexOf(']', StringComparison.Ordinal) : -1;
        var port = colon > 0 && (close > 0 ? colon == close + 1 : To.IndexOf(':', StringComparison.Ordinal) == colon)
            && int.TryParse(To.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p is > 0 and < 65536 ? p : (int?)null;
        var host = close > 0 ? To[1..close] : port is not null ? To[..colon] : To;
        return (host, port ?? 53);
    }
}

/// <summary>
/// What one CoreDNS pod's <c>forward</c> sent one upstream over a Prometheus server's window, and the rate it makes
/// (<c>coredns_proxy_request_duration_seconds_count{proxy_name="forward"}</c> from 1.11.0, <c>coredns_forward_requests_total</c>
/// before). Only a window of known length gives a rate: two pasted scrapes do not say how far apart they were.
/// </summary>
[FactDescription("Queries one CoreDNS pod's forward sent one upstream (To) over a Prometheus window: Requests, WindowSeconds and PerSecond, the average rate.")]
public sealed class CoreDnsForwardRate : Fact
{
    public required string Namespace { get; init; }
    public required string Pod { get; init; }

    /// <summary>The upstream, <c>ADDRESS:PORT</c> (the <c>to</c> label).</summary>
    public required string To { get; init; }

    public long Requests { get; init; }

    /// <summary>The window's length in seconds (more than 0).</summary>
    public int WindowSeconds { get; init; }

    /// <summary>The average queries a second over the window.</summary>
    public double PerSecond => Math.Round(Requests / (double)WindowSeconds, 1);

    /// <summary>The window in words, for evidence: <c>over 15 min to 2026-11-25 06:40 UTC</c>.</summary>
    public required string Window { get; init; }

    /// <summary>What was read, in words, for evidence: <c>1,382,400 queries forwarded to 10.28.0.2:53 over 15 min ...: 1,536 a second on average</c>.</summary>
    public string Describe => $"{Requests.ToString("N0", CultureInfo.InvariantCulture)} queries forwarded to {To} {Window}: {PerSecond.ToString("#,0.#", CultureInfo.InvariantCulture)} a second on average";
}

/// <summary>
/// NodeLocal DNSCache's set-up errors of one kind on one pod (<c>coredns_nodecache_setup_errors_total{errortype}</c> on
/// <c>:9353</c>: <c>configmap</c>, <c>interface_add</c>, <c>iptables</c>, <c>iptables_lock</c>), in the window of the scrape.
/// </summary>
[FactDescription("NodeLocal DNSCache's set-up errors of one ErrorType (configmap, interface_add, iptables, iptables_lock) on one pod, from its :9353/metrics; since the process started or BetweenScrapes.")]
public sealed class NodeLocalSetupErrors : Fact
{
    public required string Namespace { get; init; }

    /// <summary>The NodeLocal DNSCache pod, or <c>node-local-dns on node NAME</c> when scraped on a node whose pod the snapshot does not name.</summary>
    public required string Pod { get; init; }

    /// <summary><see cref="Pod"/> is the pod's name (false: <c>node-local-dns on node NAME</c>, scraped on a node whose pod the snapshot does not name).</summary>
    public bool PodNamed { get; init; } = true;

    /// <summary>The node the pod runs on, when known.</summary>
    public string? Node { get; init; }
    public required string ErrorType { get; init; }
    public long Count { get; init; }
    public bool BetweenScrapes { get; init; }
    public required string Window { get; init; }

    /// <summary>
    /// Read from the pod's log instead of its metrics: <see cref="Count"/> lines saying node-cache failed that set-up
    /// (the same failures its counter counts), the first of them <see cref="Text"/>.
    /// </summary>
    public bool FromLog { get; init; }

    /// <summary>
    /// The line is a start-up exit (<see cref="ErrorType"/> <c>listen</c>: its listener's bind refused; <c>no_nameservers</c>:
    /// forward found no nameserver in the node's resolv.conf): node-cache stopped, and a pod that keeps failing it crash-loops.
    /// Not counted by <c>coredns_nodecache_setup_errors_total</c>.
    /// </summary>
    public bool StartupExit { get; init; }

    /// <summary>The pod fails now (not Running, not Ready, waiting, or 5 restarts and more); null when the snapshot holds no status for it.</summary>
    public bool? PodFailing { get; init; }

    /// <summary>The pod's status in words, for evidence (<c>status.phase Running; Ready False; restartCount 7; waiting CrashLoopBackOff; ...</c>).</summary>
    public string PodState { get; init; } = "status not in the snapshot";

    /// <summary>The error node-cache gave, from its log (<c>operation not permitted</c>).</summary>
    public string? Error { get; init; }

    /// <summary>The first such log line.</summary>
    public string? Text { get; init; }

    public int LineNumber { get; init; }
    public int LastLineNumber { get; init; }

    /// <summary>The first and last such line's time to the second, or <c>no timestamp</c>.</summary>
    public string Time { get; init; } = LogPosition.NoTimestamp;

    public string LastTime { get; init; } = LogPosition.NoTimestamp;

    /// <summary>Seconds from the first such line to the last, when the log has timestamps.</summary>
    public double? SpanSeconds { get; init; }

    /// <summary>Where the lines are, for evidence: <c>line 12 (2024-05-13 08:21:44 UTC; 14 such lines, the last at ...)</c>.</summary>
    public string Position => LogPosition.Describe(LineNumber, Time, (int)Math.Min(Count, int.MaxValue), LastTime, LastLineNumber);

    /// <summary>Which NodeLocal DNSCache, in words: <c>pod node-local-dns-x7k2p on node N</c>, <c>node-local-dns on node N</c>.</summary>
    public string Describe => Node is null ? $"pod {Pod}" : Pod.Contains(' ', StringComparison.Ordinal) ? Pod : $"pod {Pod} on node {Node}";

    /// <summary>What the set-up of <see cref="ErrorType"/> is, in words.</summary>
    public string Meaning => ErrorType switch
    {
        "iptables" => "the iptables rules for its link-local address",
        "iptables_lock" => "the iptables rules, for want of the xtables lock another program (kube-proxy, the CNI) held",
        // interface_add, interface_check, or both read from a log together (interface_check/interface_add).
        _ when ErrorType.Split('/').All(t => t is "interface_add" or "interface_check") => "the dummy interface that holds its link-local address",
        "configmap" => "its configuration from the node-local-dns ConfigMap",
        "listen" => "its DNS listener on its local address",
        "no_nameservers" => "forwarding to the node's resolvers (its resolv.conf lists no nameserver)",
        _ => $"its {ErrorType} set-up",
    };
}
