using System.Text.Json;
using DnsExpert.Collectors.Kubernetes;
using DnsExpert.Collectors.Prometheus;
using DnsExpert.Contract;
using DnsExpert.Diagnosis;
using DnsExpert.Engine.RuleBases;
using DnsExpert.Engine.Sessions;
using DnsExpert.Readers.Parsing;
using DnsExpert.Testing;
using k8s;
using Microsoft.Extensions.Options;

namespace DnsExpert.Collectors.Tests;

/// <summary>
/// The Prometheus reader's real PromQL against a real TSDB: a real Prometheus scraping recorded CoreDNS expositions
/// (<see cref="PrometheusServer"/>), alone and inside live collection, and servers that cannot be read.
/// </summary>
public sealed class PrometheusCollectionTests(PrometheusServer server) : IClassFixture<PrometheusServer>
{
    private const string Panicking = PrometheusServer.Panicking;
    private const string Rejecting = PrometheusServer.Rejecting;
    private const string Old = PrometheusServer.Old;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [Fact]
    public async Task The_counters_rise_over_the_window_becomes_the_facts_the_scrapes_make_and_the_metric_rules_fire()
    {
        var (metrics, entry) = await Reader(server.Url).ReadAsync([("kube-system", Panicking), ("kube-system", Rejecting), ("kube-system", Old)], CancellationToken.None);

        Assert.Equal(CollectionStatus.Ok, entry.Status);
        Assert.Contains($"{PrometheusMetricsReader.Queries.Count} of {PrometheusMetricsReader.Queries.Count} queries over 15 min", entry.Detail, StringComparison.Ordinal);
        Assert.Equal([Panicking, Rejecting, Old], metrics.Select(m => m.Pod));

        // Two rises read as whole counts: increase() extrapolates a little past the samples, never below the rise.
        var panicking = metrics.Single(m => m.Pod == Panicking);
        Assert.InRange(panicking.Panics!.Value, 3, 6);
        Assert.InRange(panicking.Responses!["SERVFAIL"], 667 - 64, 2 * (667 - 64));
        Assert.Equal(0, panicking.MaxConcurrentRejects);
        // The 1.11 health-check series appears only with its first failure: it did not rise inside the window.
        Assert.Equal(0, Assert.Single(panicking.HealthcheckFailures!, h => h.Key == "10.0.0.2:53").Value);
        // What forward sent its upstream (1.11's proxy request count, summed over rcodes): 32,040 then 33,292.
        Assert.InRange(Assert.Single(panicking.ForwardRequests!, f => f.Key == "10.0.0.2:53").Value, 33292 - 32040, 2 * (33292 - 32040));
        var rejecting = metrics.Single(m => m.Pod == Rejecting);
        Assert.InRange(rejecting.MaxConcurrentRejects!.Value, 24555 - 18031, 2 * (24555 - 18031));
        Assert.Null(rejecting.HealthcheckFailures);

        // Before 1.7.0: the old names, read through the `or`; a counter that did not move is 0, one CoreDNS 1.6 does
        // not export is not available.
        var old = metrics.Single(m => m.Pod == Old);
        Assert.Equal(0, old.Panics);
        Assert.NotNull(old.Requests);
        Assert.Null(old.MaxConcurrentRejects);

        // cAdvisor's CFS periods of the coredns container, not its pod's cgroup (container=""): 330 of 900 throttled on
        // Rejecting (labels container, pod), 12 of 600 on Old (container_name, pod_name, before Kubernetes 1.16); both
        // counters of one scrape are extrapolated alike, so the share stays. A pod without the series is not available.
        Assert.InRange(rejecting.CpuPeriods!.Value, 900, 2 * 900);
        Assert.InRange(rejecting.CpuThrottledPeriods!.Value * 100.0 / rejecting.CpuPeriods.Value, 36, 37.5);
        Assert.InRange(old.CpuPeriods!.Value, 600, 2 * 600);
        Assert.InRange(old.CpuThrottledPeriods!.Value * 100.0 / old.CpuPeriods.Value, 1.5, 2.5);
        Assert.Null(panicking.CpuPeriods);
        Assert.Null(panicking.CpuThrottledPeriods);

        var response = await DiagnoseAsync(metrics);
        var panics = Assert.Single(response.Findings, f => f.RuleId == "coredns-panics");
        Assert.Contains(panics.Evidence, e => e.Detail?.Contains("over 15 min to", StringComparison.Ordinal) == true);
        Assert.Contains(response.Findings, f => f.RuleId == "coredns-forward-max-concurrent");
        var throttled = Assert.Single(response.Findings, f => f.RuleId == "coredns-cpu-throttled");
        Assert.Contains(throttled.Evidence, e => e.Detail?.Contains($"on {Rejecting} over 15 min to", StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task Servfail_failed_health_checks_and_slow_answers_rising_over_the_window_name_the_upstream()
    {
        var (metrics, entry) = await Reader(server.Url).ReadAsync([("kube-system", PrometheusServer.Unreachable)], CancellationToken.None);

        Assert.Equal(CollectionStatus.Ok, entry.Status);
        var unreachable = Assert.Single(metrics);
        // 18 more failed checks, 952 more SERVFAIL of 4,120 responses: increase() extrapolates, the share stays.
        Assert.InRange(unreachable.HealthcheckFailures!["10.0.0.2:53"], 18, 2 * 18);
        Assert.InRange(unreachable.Responses!["SERVFAIL"] * 100.0 / unreachable.Responses.Values.Sum(), 22, 24.5);
        // Forward never found every upstream down: its other upstreams answered (a counter exported from 0).
        Assert.Equal(0, unreachable.HealthcheckBroken);
        // Prometheus's histogram_quantile over the window and ours over the two scrapes' rise read the same buckets alike.
        var fixtures = Path.Combine(RepoPaths.Root, "tests", "fixtures", "metrics");
        CoreDnsScrape Scrape(string name) => CoreDnsScrape.Read(PrometheusText.Parse(File.ReadAllText(Path.Combine(fixtures, name))))!;
        var ours = Scrape("coredns-1.11.1-upstream-unreachable-scrape2.txt").Since(Scrape("coredns-1.11.1-upstream-unreachable-scrape1.txt"))!.DurationQuantile(0.99)!.Value;
        Assert.InRange(unreachable.P99Seconds!.Value, 2.048, 4.096);
        Assert.InRange(unreachable.P99Seconds.Value, ours * 0.99, ours * 1.01);

        var response = await DiagnoseAsync(metrics);
        var health = Assert.Single(response.Findings, f => f.RuleId == "coredns-forward-healthcheck-failing");
        Assert.Contains(health.Evidence, e => e.Detail?.StartsWith("forward's health checks of 10.0.0.2:53 failed", StringComparison.Ordinal) == true);
        var servfail = Assert.Single(response.Findings, f => f.RuleId == "coredns-servfail-rate-high");
        Assert.Contains("10.0.0.2:53", servfail.Cause, StringComparison.Ordinal);
        Assert.Equal(["coredns-forward-healthcheck-failing"], servfail.ExplainedBy);
        var latency = Assert.Single(response.Findings, f => f.RuleId == "coredns-latency-high");
        Assert.Equal(["coredns-forward-healthcheck-failing"], latency.ExplainedBy);
    }

    [Fact]
    public async Task Refused_reloads_rising_over_the_window_are_read_under_both_names_and_start_the_reload_finding_without_a_log()
    {
        var (metrics, entry) = await Reader(server.Url).ReadAsync([("kube-system", PrometheusServer.Reloading), ("kube-system", PrometheusServer.OldReloading), ("kube-system", Panicking)], CancellationToken.None);

        Assert.Equal(CollectionStatus.Ok, entry.Status);
        // 1.7.0 on: coredns_reload_failed_total rose from 1 to 3; 1.5.1 to 1.6.9: coredns_reload_failed_count_total from 1 to 2.
        Assert.InRange(metrics.Single(m => m.Pod == PrometheusServer.Reloading).ReloadFailures!.Value, 2, 4);
        Assert.InRange(metrics.Single(m => m.Pod == PrometheusServer.OldReloading).ReloadFailures!.Value, 1, 2);
        // A counter at 0 all along is 0, not missing.
        Assert.Equal(0, metrics.Single(m => m.Pod == Panicking).ReloadFailures);

        var response = await DiagnoseAsync(metrics);
        var reload = Assert.Single(response.Findings, f => f.RuleId == "coredns-unknown-directive");
        Assert.Equal(Severity.Warning, reload.Severity);
        Assert.Contains(reload.Evidence, e => e.Detail?.Contains($"over 15 min to", StringComparison.Ordinal) == true && e.Detail.Contains($"on {PrometheusServer.Reloading}", StringComparison.Ordinal));
        Assert.Contains(reload.Evidence, e => e.Detail?.Contains($"on {PrometheusServer.OldReloading}", StringComparison.Ordinal) == true);
        Assert.DoesNotContain(reload.Evidence, e => e.Detail?.Contains($"on {Panicking}", StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task Cache_hits_and_misses_are_read_over_the_window_and_the_window_before_is_not_available_when_the_server_holds_none()
    {
        var (metrics, entry) = await Reader(server.Url).ReadAsync([("kube-system", PrometheusServer.Caching), ("kube-system", Rejecting)], CancellationToken.None);

        // Every query answered, the offset ones too (with no sample: this server started inside the window before).
        Assert.Equal(CollectionStatus.Ok, entry.Status);
        var caching = metrics.Single(m => m.Pod == PrometheusServer.Caching);
        // 124 more hits (success and denial summed) and 3,996 more misses: increase() extrapolates both alike, the ratio stays.
        Assert.InRange(caching.CacheHits!.Value, 124, 2 * 124);
        Assert.InRange(caching.CacheHits.Value * 100.0 / (caching.CacheHits.Value + caching.CacheMisses!.Value), 2.5, 3.5);
        Assert.Null(caching.CacheHitsBefore);
        Assert.Null(caching.CacheMissesBefore);
        // A pod without a cache series has none: not available, never 0.
        var rejecting = metrics.Single(m => m.Pod == Rejecting);
        Assert.Null(rejecting.CacheHits);
        Assert.Null(rejecting.CacheMisses);

        var response = await DiagnoseAsync(metrics);
        // Slow over the window; the ratio before is not read, so no collapse is claimed, and the evidence says so.
        var latency = Assert.Single(response.Findings, f => f.RuleId == "coredns-latency-high");
        Assert.DoesNotContain("collapsed", latency.Cause, StringComparison.Ordinal);
        Assert.Contains(latency.Evidence, e => e.Detail?.Contains("lookups over 15 min to", StringComparison.Ordinal) == true && e.Detail.Contains("the ratio before not read", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_cache_whose_hit_ratio_collapsed_against_the_window_before_is_the_cause_coredns_latency_high_names()
    {
        var (metrics, entry) = await Reader(server.Url).ReadAsync([("kube-system", PrometheusServer.CachingWithHistory)], CancellationToken.None);

        Assert.Equal(CollectionStatus.Ok, entry.Status);
        var caching = Assert.Single(metrics);
        // The window before: the written history alone, 61 hits to 39 misses a minute (increase() extrapolates both alike).
        Assert.InRange(caching.CacheHitsBefore!.Value * 100.0 / (caching.CacheHitsBefore.Value + caching.CacheMissesBefore!.Value), 60, 62);
        // The window read: the scrapes alone, 124 hits of 4,120 lookups.
        Assert.InRange(caching.CacheHits!.Value * 100.0 / (caching.CacheHits.Value + caching.CacheMisses!.Value), 2.5, 3.5);

        var response = await DiagnoseAsync(metrics);
        var latency = Assert.Single(response.Findings, f => f.RuleId == "coredns-latency-high");
        Assert.Contains("while its cache hit ratio collapsed (cache hits 3", latency.Cause, StringComparison.Ordinal);
        Assert.Contains(" in the 15 min before)", latency.Cause, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_coredns_containers_cpu_limit_from_kube_state_metrics_and_its_use_from_cadvisor_are_read_without_the_pods_json()
    {
        var (metrics, entry) = await Reader(server.Url).ReadAsync([("kube-system", Rejecting), ("kube-system", Old), ("kube-system", Panicking)], CancellationToken.None);

        Assert.Equal(CollectionStatus.Ok, entry.Status);
        var rejecting = metrics.Single(m => m.Pod == Rejecting);
        var old = metrics.Single(m => m.Pod == Old);
        // kube-state-metrics 2.x (resource="cpu", the kube-proxy container beside it left out) and 1.x (_cpu_cores).
        Assert.Equal(0.2, rejecting.CpuLimitCores);
        Assert.Equal(0.1, old.CpuLimitCores);
        // cAdvisor's CPU time rose inside the window: a rate in cores (its value depends on when the samples fell, not asserted).
        Assert.True(rejecting.CpuUsageCores > 0, $"{rejecting.CpuUsageCores}");
        Assert.True(old.CpuUsageCores > 0, $"{old.CpuUsageCores}");
        // No series: not available, never 0.
        var panicking = metrics.Single(m => m.Pod == Panicking);
        Assert.Null(panicking.CpuLimitCores);
        Assert.Null(panicking.CpuUsageCores);

        var response = await DiagnoseAsync(metrics);
        var throttled = Assert.Single(response.Findings, f => f.RuleId == "coredns-cpu-throttled");
        Assert.Contains(throttled.Evidence, e => e.Detail?.Contains("of its 0.2 CPU limit (", StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task Live_collection_reads_the_coredns_pods_counters_and_diagnoses_from_them()
    {
        var scenario = JsonSerializer.Deserialize<DiagnosisRequest>(File.ReadAllText(Path.Combine(RepoPaths.Root, "src/DnsExpert.Api/Samples/sick-cluster.json")), Json)!;
        await using var api = await FixtureApiServer.StartAsync(scenario.Snapshot!);
        var client = new k8s.Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(api.WriteKubeconfig(server.Temp)));
        var options = new ClusterOptions { Enabled = true, CollectorTimeout = TimeSpan.FromSeconds(10), Deadline = TimeSpan.FromSeconds(30) };
        var collector = new KubernetesSnapshotCollector(client, Options.Create(options), TimeProvider.System, prometheus: Reader(server.Url));

        var collected = await collector.CollectAsync(null, null, probe: false, CancellationToken.None);

        Assert.Equal(CollectionStatus.Ok, Assert.Single(collected.Collection, c => c.Source == PrometheusMetricsReader.Source).Status);
        // The pod the cluster does not run is not read.
        Assert.Equal([Panicking, Rejecting], collected.Snapshot.Metrics!.Select(m => m.Pod));
        var response = await new DiagnosisService(new RuleEngine(new DirectoryRuleBaseProvider(RepoPaths.Rules)), TimeProvider.System)
            .DiagnoseAsync(new DiagnosisRequest { Snapshot = collected.Snapshot }, CancellationToken.None);
        Assert.Contains(response.Findings, f => f.RuleId == "coredns-panics");
    }

    [Theory]
    [InlineData("unauthorized/", "the server answered 401 Unauthorized")]
    [InlineData("garbage/", "the answer is not JSON")]
    [InlineData("closed", "unreachable (ConnectionError)")]
    public async Task A_server_that_cannot_be_read_is_a_failed_entry_without_metrics(string path, string detail)
    {
        var url = path == "closed" ? new Uri($"http://127.0.0.1:{LoopbackPorts.FreeTcp(20000, 30000)}/") : new Uri($"http://127.0.0.1:{server.ExporterPort}/{path}");

        var (metrics, entry) = await Reader(url).ReadAsync([("kube-system", Panicking)], CancellationToken.None);

        Assert.Empty(metrics);
        Assert.Equal(CollectionStatus.Failed, entry.Status);
        Assert.Contains(detail, entry.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void The_readme_lists_each_query()
    {
        var readme = File.ReadAllText(Path.Combine(RepoPaths.Root, "README.md"));
        Assert.All(PrometheusMetricsReader.Queries, q => Assert.Contains($"| `{q.PromQl}`", readme, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_bearer_token_from_its_file_is_sent_with_each_query()
    {
        var url = new Uri($"http://127.0.0.1:{server.ExporterPort}/bearer/");
        var file = Path.Combine(server.Temp, "token");
        await File.WriteAllTextAsync(file, PrometheusServer.Token + "\n");

        var (metrics, entry) = await Reader(url, file).ReadAsync([("kube-system", Panicking)], CancellationToken.None);
        var (_, refused) = await Reader(url).ReadAsync([("kube-system", Panicking)], CancellationToken.None);

        Assert.Equal(CollectionStatus.Ok, entry.Status);
        Assert.Equal(2, Assert.Single(metrics).Panics);
        Assert.Equal(CollectionStatus.Failed, refused.Status);
        Assert.Contains("the server answered 401 Unauthorized (token required)", refused.Detail, StringComparison.Ordinal);
    }

    /// <summary>The diagnosis of a snapshot holding only <paramref name="metrics"/>, against the repository's rules.</summary>
    private static Task<DiagnosisResponse> DiagnoseAsync(IEnumerable<MetricsArtifact> metrics) =>
        new DiagnosisService(new RuleEngine(new DirectoryRuleBaseProvider(RepoPaths.Rules)), TimeProvider.System)
            .DiagnoseAsync(new DiagnosisRequest { Snapshot = new Snapshot { Metrics = [.. metrics] } }, CancellationToken.None);

    private static PrometheusMetricsReader Reader(Uri url, string? tokenFile = null) =>
        new(new HttpClient(), Options.Create(new PrometheusOptions { Url = url, BearerTokenFile = tokenFile }), TimeProvider.System);
}
