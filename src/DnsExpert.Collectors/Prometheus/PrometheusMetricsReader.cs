using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using DnsExpert.Contract;
using Microsoft.Extensions.Options;

namespace DnsExpert.Collectors.Prometheus;

/// <summary>
/// Reads CoreDNS's counters over a window from a Prometheus server's HTTP API (<c>GET /api/v1/query</c>): one PromQL
/// query per counter (<see cref="Queries"/>), each an <c>or</c> over the names of the three metric generations, summed
/// by the <c>namespace</c> and <c>pod</c> labels. A pod the server holds no series of for a counter has it null (not
/// available), never zero. An unreachable server, a refusal (401, 403), a timeout or an answer that is not Prometheus's
/// JSON is the <c>collection</c> entry's status and detail; the diagnosis goes on without the metrics.
/// </summary>
public sealed class PrometheusMetricsReader(HttpClient http, IOptions<PrometheusOptions> options, TimeProvider time)
{
    /// <summary>The collection entry's source.</summary>
    public const string Source = "Prometheus CoreDNS metrics";

    private readonly PrometheusOptions _options = options.Value;

    /// <summary>What each query reads, and its PromQL with <c>{w}</c> for the window (<c>15m</c>).</summary>
    public static IReadOnlyList<(string Counter, string PromQl)> Queries { get; } =
    [
        ("requests", "sum by (namespace, pod) (increase(coredns_dns_requests_total{proto!=\"\"}[{w}]) or increase(coredns_dns_request_count_total[{w}]))"),
        ("responses", "sum by (namespace, pod, rcode) (increase(coredns_dns_responses_total[{w}]) or increase(coredns_dns_response_rcode_count_total[{w}]))"),
        ("panics", "sum by (namespace, pod) (increase(coredns_panics_total[{w}]) or increase(coredns_panic_count_total[{w}]))"),
        ("max_concurrent rejects", "sum by (namespace, pod) (increase(coredns_forward_max_concurrent_rejects_total[{w}]))"),
        ("health-check failures", "sum by (namespace, pod, to) (increase(coredns_proxy_healthcheck_failures_total[{w}]) or increase(coredns_forward_healthcheck_failures_total[{w}]) or increase(coredns_forward_healthcheck_failure_count_total[{w}]))"),
        ("health checks broken", "sum by (namespace, pod) (increase(coredns_forward_healthcheck_broken_total[{w}]) or increase(coredns_forward_healthcheck_broken_count_total[{w}]))"),
        ("request duration p99", "histogram_quantile(0.99, sum by (namespace, pod, le) (rate(coredns_dns_request_duration_seconds_bucket[{w}])))"),
        // cAdvisor's (the kubelet's /metrics/cadvisor): the labels container and pod from Kubernetes 1.14, container_name and pod_name before 1.16.
        ("CPU periods", "sum by (namespace, pod) (increase(container_cpu_cfs_periods_total{container=\"coredns\"}[{w}])) or sum by (namespace, pod) (label_replace(increase(container_cpu_cfs_periods_total{container_name=\"coredns\"}[{w}]), \"pod\", \"$1\", \"pod_name\", \"(.+)\"))"),
        ("CPU throttled periods", "sum by (namespace, pod) (increase(container_cpu_cfs_throttled_periods_total{container=\"coredns\"}[{w}])) or sum by (namespace, pod) (label_replace(increase(container_cpu_cfs_throttled_periods_total{container_name=\"coredns\"}[{w}]), \"pod\", \"$1\", \"pod_name\", \"(.+)\"))"),
        // What forward sent each upstream: from 1.11.0 the proxy's request count, before it forward's own (1.7.0 on) or its older name.
        ("forward requests", "sum by (namespace, pod, to) (increase(coredns_proxy_request_duration_seconds_count{proxy_name=\"forward\"}[{w}]) or increase(coredns_forward_requests_total[{w}]) or increase(coredns_forward_request_count_total[{w}]))"),
        // The reload plugin's: from 1.7.0 coredns_reload_failed_total, from 1.5.1 to 1.6.9 coredns_reload_failed_count_total, none before.
        ("reload failures", "sum by (namespace, pod) (increase(coredns_reload_failed_total[{w}]) or increase(coredns_reload_failed_count_total[{w}]))"),
        // The cache plugin's: the same names in every generation (zones and view labels from 1.10); and over the window just before, to compare.
        ("cache hits", "sum by (namespace, pod) (increase(coredns_cache_hits_total[{w}]))"),
        ("cache misses", "sum by (namespace, pod) (increase(coredns_cache_misses_total[{w}]))"),
        ("cache hits in the window before", "sum by (namespace, pod) (increase(coredns_cache_hits_total[{w}] offset {w}))"),
        ("cache misses in the window before", "sum by (namespace, pod) (increase(coredns_cache_misses_total[{w}] offset {w}))"),
        // kube-state-metrics' (the pod JSON's limit, when only Prometheus is read): from 2.0 one family by resource, before it one per resource.
        ("CPU limit", "max by (namespace, pod) (kube_pod_container_resource_limits{resource=\"cpu\",container=\"coredns\"}) or max by (namespace, pod) (kube_pod_container_resource_limits_cpu_cores{container=\"coredns\"})"),
        // cAdvisor's CPU time of the coredns container, as a rate: cores used on average over the window (labels as the CFS queries').
        ("CPU use", "sum by (namespace, pod) (rate(container_cpu_usage_seconds_total{container=\"coredns\"}[{w}])) or sum by (namespace, pod) (label_replace(rate(container_cpu_usage_seconds_total{container_name=\"coredns\"}[{w}]), \"pod\", \"$1\", \"pod_name\", \"(.+)\"))"),
    ];

    /// <summary>
    /// The counters of <paramref name="pods"/> (namespace, name) over the window, one artifact per pod the server has
    /// any series of, and the entry saying what was read or why not.
    /// </summary>
    public async Task<(IReadOnlyList<MetricsArtifact> Metrics, CollectionEntry Entry)> ReadAsync(IEnumerable<(string Namespace, string Pod)> pods, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var at = time.GetUtcNow();
        var minutes = (int)_options.Window.TotalMinutes;
        var window = $"{minutes}m";
        var wanted = pods.ToHashSet();
        var answers = await Task.WhenAll(Queries.Select(q => QueryAsync(q.PromQl.Replace("{w}", window, StringComparison.Ordinal), at, cancellationToken)));
        cancellationToken.ThrowIfCancellationRequested();

        var byPod = new Dictionary<(string, string), MetricsArtifact>();
        MetricsArtifact Of(JsonElement metric)
        {
            var key = (Label(metric, "namespace") ?? "", Label(metric, "pod") ?? "");
            if (!byPod.TryGetValue(key, out var artifact))
            {
                byPod[key] = artifact = new MetricsArtifact { Namespace = key.Item1, Pod = key.Item2, Server = _options.Url?.ToString(), WindowMinutes = minutes, Time = at };
            }

            return artifact;
        }

        var failures = new List<string>();
        for (var i = 0; i < Queries.Count; i++)
        {
            if (answers[i].Problem is { } problem)
            {
                failures.Add($"{Queries[i].Counter}: {problem}");
                continue;
            }

            foreach (var (metric, value) in answers[i].Samples.Where(s => wanted.Contains((Label(s.Metric, "namespace") ?? "", Label(s.Metric, "pod") ?? ""))))
            {
                var artifact = Of(metric);
                switch (i)
                {
                    case 0: artifact.Requests = Count(value); break;
                    case 1: (artifact.Responses ??= new Dictionary<string, long>(StringComparer.Ordinal))[Label(metric, "rcode") ?? ""] = Count(value); break;
                    case 2: artifact.Panics = Count(value); break;
                    case 3: artifact.MaxConcurrentRejects = Count(value); break;
                    case 4: (artifact.HealthcheckFailures ??= new Dictionary<string, long>(StringComparer.Ordinal))[Label(metric, "to") ?? ""] = Count(value); break;
                    case 5: artifact.HealthcheckBroken = Count(value); break;
                    case 6: artifact.P99Seconds = Math.Max(0, value); break;
                    case 7: artifact.CpuPeriods = Count(value); break;
                    case 8: artifact.CpuThrottledPeriods = Count(value); break;
                    case 9: (artifact.ForwardRequests ??= new Dictionary<string, long>(StringComparer.Ordinal))[Label(metric, "to") ?? ""] = Count(value); break;
                    case 10: artifact.ReloadFailures = Count(value); break;
                    case 11: artifact.CacheHits = Count(value); break;
                    case 12: artifact.CacheMisses = Count(value); break;
                    case 13: artifact.CacheHitsBefore = Count(value); break;
                    case 14: artifact.CacheMissesBefore = Count(value); break;
                    case 15: artifact.CpuLimitCores = value > 0 ? value : null; break;
                    default: artifact.CpuUsageCores = Math.Max(0, value); break;
                }
            }
        }

        var ms = Math.Round(time.GetElapsedTime(started).TotalMilliseconds, 1);
        var metrics = byPod.Values.OrderBy(m => m.Namespace, StringComparer.Ordinal).ThenBy(m => m.Pod, StringComparer.Ordinal).ToList();
        var read = $"{Queries.Count - failures.Count} of {Queries.Count} queries over {minutes} min from {_options.Url}: series of {metrics.Count} of {wanted.Count} CoreDNS pod(s)";
        var entry = failures.Count == 0 ? new CollectionEntry(Source, CollectionStatus.Ok, read, ms)
            : new CollectionEntry(Source, failures.Count == Queries.Count ? CollectionStatus.Failed : CollectionStatus.Partial, $"{read}; {string.Join("; ", failures.Distinct(StringComparer.Ordinal))}", ms);
        return (metrics, entry);
    }

    /// <summary>A counter's rise as a whole count: never below 0, saturating past 64 bits.</summary>
    private static long Count(double value) => value <= 0 ? 0 : value >= long.MaxValue ? long.MaxValue : (long)Math.Round(value);

    /// <summary>One instant query's samples (finite values only: a quantile of no requests is NaN, not available), or why there are none.</summary>
    private async Task<(List<(JsonElement Metric, double Value)> Samples, string? Problem)> QueryAsync(string promQl, DateTimeOffset at, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.Timeout);
        try
        {
            var query = $"api/v1/query?query={Uri.EscapeDataString(promQl)}&time={(at.ToUnixTimeMilliseconds() / 1000.0).ToString(CultureInfo.InvariantCulture)}";
            var baseUrl = _options.Url!.AbsoluteUri.EndsWith('/') ? _options.Url : new Uri(_options.Url.AbsoluteUri + "/");
            using var message = new HttpRequestMessage(HttpMethod.Get, new Uri(baseUrl, query));
            if (_options.BearerTokenFile is { } file)
            {
                message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", (await File.ReadAllTextAsync(file, timeout.Token)).Trim());
            }

            using var answer = await http.SendAsync(message, timeout.Token);
            var body = await answer.Content.ReadAsStringAsync(timeout.Token);
            if (!answer.IsSuccessStatusCode)
            {
                // Prometheus words its refusals as JSON ({"status":"error","error":...}); a proxy in front may not.
                return ([], $"the server answered {(int)answer.StatusCode} {answer.ReasonPhrase}{(ErrorOf(body) is { } error ? $" ({error})" : "")}");
            }

            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object || Label(root, "status") != "success")
            {
                return ([], "the answer is not a Prometheus API success");
            }

            if (!root.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object || Label(data, "resultType") != "vector"
                || !data.TryGetProperty("result", out var result) || result.ValueKind != JsonValueKind.Array)
            {
                return ([], "the answer is not an instant vector");
            }

            var samples = new List<(JsonElement, double)>();
            foreach (var sample in result.EnumerateArray())
            {
                if (sample.ValueKind == JsonValueKind.Object && sample.TryGetProperty("metric", out var metric) && metric.ValueKind == JsonValueKind.Object
                    && sample.TryGetProperty("value", out var value) && value.ValueKind == JsonValueKind.Array && value.GetArrayLength() == 2
                    && value[1].ValueKind == JsonValueKind.String
                    && double.TryParse(value[1].GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number))
                {
                    samples.Add((metric.Clone(), number));
                }
            }

            return (samples, null);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return ([], $"no answer within {_options.Timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s");
        }
        catch (HttpRequestException ex)
        {
            return ([], $"unreachable ({ex.HttpRequestError})");
        }
        catch (JsonException)
        {
            return ([], "the answer is not JSON");
        }
        catch (IOException ex)
        {
            return ([], $"{ex.GetType().Name} reading the answer or the token file");
        }
        catch (UnauthorizedAccessException)
        {
            return ([], "the bearer token file could not be read");
        }
    }

    private static string? Label(JsonElement metric, string name) =>
        metric.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>The <c>error</c> of a Prometheus API refusal, or null when the body is not one.</summary>
    private static string? ErrorOf(string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            return json.RootElement.ValueKind == JsonValueKind.Object ? Label(json.RootElement, "error") : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
