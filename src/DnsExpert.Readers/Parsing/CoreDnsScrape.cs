using System.Globalization;

namespace DnsExpert.Readers.Parsing;

/// <summary>
/// One scrape of a CoreDNS (or NodeLocal DNSCache) <c>/metrics</c>, with the names of the three metric generations made
/// one: before 1.7.0 (<c>coredns_dns_request_count_total</c>, <c>coredns_dns_response_rcode_count_total</c>,
/// <c>coredns_panic_count_total</c>, <c>coredns_forward_healthcheck_failure_count_total</c>), 1.7.0 to 1.10
/// (<c>coredns_dns_requests_total</c>, <c>coredns_dns_responses_total</c>, <c>coredns_panics_total</c>,
/// <c>coredns_forward_healthcheck_failures_total</c>), and 1.11.0 on (<c>coredns_proxy_healthcheck_failures_total</c>).
/// Counters count since the process started. A series the scrape does not hold is null (not available), never zero.
/// </summary>
/// <param name="Version">CoreDNS's version (<c>coredns_build_info{version}</c>), when there.</param>
/// <param name="ProcessStart">When the process started (<c>process_start_time_seconds</c>), when there.</param>
/// <param name="Requests">Requests received (the per-zone/protocol family only: 1.7.0 also exports a per-type family of the same name).</param>
/// <param name="Responses">Responses by rcode; null without a responses series.</param>
/// <param name="Panics">Panics recovered.</param>
/// <param name="ReloadFailures">
/// Failed Corefile reloads (<c>coredns_reload_failed_total</c> from 1.7.0, <c>coredns_reload_failed_count_total</c> from
/// 1.5.1, when the reload plugin got its metric, to 1.6.9; none before).
/// </param>
/// <param name="MaxConcurrentRejects">Queries <c>forward</c> refused itself at <c>max_concurrent</c> (<c>coredns_forward_max_concurrent_rejects_total</c>).</param>
/// <param name="HealthcheckFailures">Failed upstream health checks by upstream (<c>to</c>); null without such a series.</param>
/// <param name="SetupErrors">NodeLocal DNSCache's set-up errors by <c>errortype</c> (<c>coredns_nodecache_setup_errors_total</c>); null without the series.</param>
/// <param name="HealthcheckBroken">
/// Queries <c>forward</c> found every upstream down for (<c>coredns_forward_healthcheck_broken_total</c>, before 1.7.0
/// <c>coredns_forward_healthcheck_broken_count_total</c>).
/// </param>
/// <param name="DurationBuckets">
/// The request-duration histogram (<c>coredns_dns_request_duration_seconds_bucket</c>, the same name in every generation)
/// summed over its series: requests that took at most each bucket's bound, by the <c>le</c> label as exported (<c>+Inf</c>
/// included); null without the histogram.
/// </param>
/// <param name="CacheHits">
/// Queries the cache answered (<c>coredns_cache_hits_total{type}</c>, success and denial summed; the same name from the
/// cache plugin's first metrics to today, <c>zones</c> and <c>view</c> labels from 1.10); null without a cache plugin.
/// </param>
/// <param name="CacheMisses">Queries the cache passed on (<c>coredns_cache_misses_total</c>, the same name in every generation).</param>
public sealed record CoreDnsScrape(
    string? Version, DateTimeOffset? ProcessStart, long? Requests, IReadOnlyDictionary<string, long>? Responses, long? Panics, long? ReloadFailures,
    long? MaxConcurrentRejects, IReadOnlyDictionary<string, long>? HealthcheckFailures, IReadOnlyDictionary<string, long>? SetupErrors, long? HealthcheckBroken = null,
    IReadOnlyDictionary<string, long>? DurationBuckets = null, long? CacheHits = null, long? CacheMisses = null)
{
    /// <summary>The scrape of <paramref name="exposition"/>, or null when it holds no CoreDNS series at all.</summary>
    public static CoreDnsScrape? Read(MetricExposition exposition)
    {
        if (!exposition.Samples.Any(s => s.Name.StartsWith("coredns_", StringComparison.Ordinal)))
        {
            return null;
        }

        var start = exposition.Of("process_start_time_seconds").Select(s => s.Value).FirstOrDefault(v => v is > 0 and < 1e11);
        return new CoreDnsScrape(
            exposition.Of("coredns_build_info").Select(s => s.Label("version")).FirstOrDefault(v => !string.IsNullOrEmpty(v)),
            start > 0 ? DateTimeOffset.FromUnixTimeMilliseconds((long)(start * 1000)) : null,
            RequestCount(exposition),
            By(exposition, "rcode", "coredns_dns_responses_total", "coredns_dns_response_rcode_count_total"),
            Sum(exposition, "coredns_panics_total", "coredns_panic_count_total"),
            Sum(exposition, "coredns_reload_failed_total", "coredns_reload_failed_count_total"),
            Sum(exposition, "coredns_forward_max_concurrent_rejects_total"),
            By(exposition, "to", "coredns_proxy_healthcheck_failures_total", "coredns_forward_healthcheck_failures_total", "coredns_forward_healthcheck_failure_count_total"),
            By(exposition, "errortype", "coredns_nodecache_setup_errors_total"),
            Sum(exposition, "coredns_forward_healthcheck_broken_total", "coredns_forward_healthcheck_broken_count_total"),
            By(exposition, "le", "coredns_dns_request_duration_seconds_bucket"),
            Sum(exposition, "coredns_cache_hits_total"),
            Sum(exposition, "coredns_cache_misses_total"));
    }

    /// <summary>
    /// What happened between <paramref name="earlier"/> and this scrape of the same process: each counter's rise. When
    /// the process restarted in between (another start time, or a counter that went down), this scrape alone, null.
    /// </summary>
    public CoreDnsScrape? Since(CoreDnsScrape earlier)
    {
        if (ProcessStart != earlier.ProcessStart || Falls(Requests, earlier.Requests) || Falls(Panics, earlier.Panics)
            || Falls(ReloadFailures, earlier.ReloadFailures) || Falls(MaxConcurrentRejects, earlier.MaxConcurrentRejects)
            || Falls(Responses, earlier.Responses) || Falls(HealthcheckFailures, earlier.HealthcheckFailures) || Falls(SetupErrors, earlier.SetupErrors)
            || Falls(HealthcheckBroken, earlier.HealthcheckBroken) || Falls(DurationBuckets, earlier.DurationBuckets)
            || Falls(CacheHits, earlier.CacheHits) || Falls(CacheMisses, earlier.CacheMisses))
        {
            return null;
        }

        return this with
        {
            Requests = Rise(Requests, earlier.Requests),
            Responses = Rise(Responses, earlier.Responses),
            Panics = Rise(Panics, earlier.Panics),
            ReloadFailures = Rise(ReloadFailures, earlier.ReloadFailures),
            MaxConcurrentRejects = Rise(MaxConcurrentRejects, earlier.MaxConcurrentRejects),
            HealthcheckFailures = Rise(HealthcheckFailures, earlier.HealthcheckFailures),
            SetupErrors = Rise(SetupErrors, earlier.SetupErrors),
            HealthcheckBroken = Rise(HealthcheckBroken, earlier.HealthcheckBroken),
            DurationBuckets = Rise(DurationBuckets, earlier.DurationBuckets),
            CacheHits = Rise(CacheHits, earlier.CacheHits),
            CacheMisses = Rise(CacheMisses, earlier.CacheMisses),
        };
    }

    /// <summary>
    /// The <paramref name="q"/> quantile of the request duration in seconds, as Prometheus's <c>histogram_quantile</c>
    /// reads the buckets: linear within the bucket the rank falls in, the highest finite bound when it falls past it;
    /// null without the histogram or without a request counted.
    /// </summary>
    public double? DurationQuantile(double q)
    {
        var buckets = (DurationBuckets ?? new Dictionary<string, long>())
            .Select(b => (Bound: b.Key == "+Inf" ? double.PositiveInfinity : double.TryParse(b.Key, NumberStyles.Float, CultureInfo.InvariantCulture, out var bound) ? bound : double.NaN, Count: b.Value))
            .Where(b => !double.IsNaN(b.Bound))
            .OrderBy(b => b.Bound)
            .ToList();
        if (buckets.Count < 2 || !double.IsPositiveInfinity(buckets[^1].Bound) || buckets[^1].Count <= 0)
        {
            return null;
        }

        var rank = q * buckets[^1].Count;
        var (lower, below) = (0.0, 0L);
        foreach (var (bound, count) in buckets)
        {
            if (count >= rank)
            {
                return double.IsPositiveInfinity(bound) ? lower : lower + ((bound - lower) * (rank - below) / Math.Max(1, count - below));
            }

            (lower, below) = (bound, count);
        }

        return lower;
    }

    /// <summary>Responses with <paramref name="rcode"/>: 0 when the responses series is there without it, null without the series.</summary>
    public long? ResponsesWith(string rcode) => Responses is null ? null : Responses.GetValueOrDefault(rcode);

    /// <summary>All responses, null without the series.</summary>
    public long? AllResponses => Responses is null ? null : Responses.Values.Aggregate(0L, Add);

    /// <summary>The per-zone family of the requests counter: the samples with a <c>proto</c> label when any has one.</summary>
    private static long? RequestCount(MetricExposition exposition)
    {
        foreach (var name in new[] { "coredns_dns_requests_total", "coredns_dns_request_count_total" })
        {
            var samples = exposition.Of(name).ToList();
            if (samples.Count > 0)
            {
                var withProto = samples.Where(s => s.Label("proto") is not null).ToList();
                return (withProto.Count > 0 ? withProto : samples).Aggregate(0L, (sum, s) => Add(sum, Count(s.Value)));
            }
        }

        return null;
    }

    /// <summary>The sum of the first of <paramref name="names"/> the exposition has; null when it has none.</summary>
    private static long? Sum(MetricExposition exposition, params string[] names)
    {
        foreach (var name in names)
        {
            if (exposition.Has(name))
            {
                return exposition.Of(name).Aggregate(0L, (sum, s) => Add(sum, Count(s.Value)));
            }
        }

        return null;
    }

    /// <summary>The first of <paramref name="names"/> the exposition has, summed by <paramref name="label"/>; null when it has none.</summary>
    private static Dictionary<string, long>? By(MetricExposition exposition, string label, params string[] names)
    {
        foreach (var name in names)
        {
            if (exposition.Has(name))
            {
                var by = new Dictionary<string, long>(StringComparer.Ordinal);
                foreach (var sample in exposition.Of(name))
                {
                    var key = sample.Label(label) ?? "";
                    by[key] = Add(by.GetValueOrDefault(key), Count(sample.Value));
                }

                return by;
            }
        }

        return null;
    }

    /// <summary>A counter's value as a whole number: NaN and negatives are 0, past 64 bits saturates.</summary>
    private static long Count(double value) => double.IsNaN(value) || value <= 0 ? 0 : value >= long.MaxValue ? long.MaxValue : (long)value;

    private static long Add(long a, long b) => a > long.MaxValue - b ? long.MaxValue : a + b;

    private static bool Falls(long? now, long? before) => now < before;

    private static bool Falls(IReadOnlyDictionary<string, long>? now, IReadOnlyDictionary<string, long>? before) =>
        now is not null && before is not null && before.Any(b => now.GetValueOrDefault(b.Key) < b.Value);

    // A series the earlier scrape lacks and this one has appeared in between (a labelled counter is exported from its
    // first increment): it rose from 0.
    private static long? Rise(long? now, long? before) => now is { } n ? n - (before ?? 0) : null;

    private static Dictionary<string, long>? Rise(IReadOnlyDictionary<string, long>? now, IReadOnlyDictionary<string, long>? before) =>
        now?.ToDictionary(n => n.Key, n => n.Value - (before?.GetValueOrDefault(n.Key) ?? 0), StringComparer.Ordinal);
}
