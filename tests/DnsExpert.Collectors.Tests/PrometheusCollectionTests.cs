using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using DnsExpert.Collectors.Kubernetes;
using DnsExpert.Collectors.Prometheus;
using DnsExpert.Core.Contract;
using DnsExpert.Core.Facts;
using DnsExpert.Diagnosis;
using DnsExpert.Engine.RuleBases;
using DnsExpert.Engine.Sessions;
using DnsExpert.Testing;
using k8s;
using Microsoft.Extensions.Options;

namespace DnsExpert.Collectors.Tests;

/// <summary>
/// The Prometheus reader against a real Prometheus (Debian's <c>/usr/bin/prometheus</c>) started on 127.0.0.1, scraping
/// every second an exporter this test serves: three CoreDNS pods' recorded expositions (tests/fixtures/metrics), the
/// first scrapes of each pod from its <c>-scrape1</c> file and the later ones from its <c>-scrape2</c>, so the counters
/// rise inside the window and the reader's real PromQL runs against a real TSDB. A Prometheus that is not installed
/// fails the test (test.sh installs it), never skips it.
/// </summary>
public sealed class PrometheusCollectionTests : IAsyncLifetime, IDisposable
{
    private const string Panicking = "coredns-5d78c9869d-abcde";
    private const string Rejecting = "coredns-5d78c9869d-k2m9p";
    private const string Old = "coredns-old-6d8c4cb4d-7vzvq";
    private const int FirstScrapes = 3;
    private static readonly string Fixtures = Path.Combine(RepoPaths.Root, "tests", "fixtures", "metrics");
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Each pod's expositions: before and from the rise.</summary>
    private static readonly Dictionary<string, (string Before, string After)> Expositions = new(StringComparer.Ordinal)
    {
        [Panicking] = (Fixture("coredns-1.11.1-panics-scrape1.txt"), Fixture("coredns-1.11.1-panics-scrape2.txt")),
        [Rejecting] = (Fixture("coredns-1.11.1-max-concurrent-scrape1.txt"), Fixture("coredns-1.11.1-max-concurrent-scrape2.txt")),
        [Old] = (Fixture("coredns-1.6.7-panic.txt"), Fixture("coredns-1.6.7-panic.txt")),
    };

    private readonly string _temp = Directory.CreateTempSubdirectory("dnsexpert-prometheus-").FullName;
    private readonly Dictionary<string, int> _served = new(StringComparer.Ordinal);
    private HttpListener _exporter = null!;
    private Task _serving = Task.CompletedTask;
    private Process? _prometheus;
    private string _prometheusLog = "";
    private int _exporterPort;
    private Uri _prometheusUrl = null!;

    private static string Fixture(string name) => File.ReadAllText(Path.Combine(Fixtures, name));

    public async Task InitializeAsync()
    {
        _exporterPort = LoopbackPorts.FreeTcp(20000, 30000);
        _exporter = new HttpListener();
        _exporter.Prefixes.Add($"http://127.0.0.1:{_exporterPort}/");
        _exporter.Start();
        _serving = Task.Run(ServeAsync);

        var port = LoopbackPorts.FreeTcp(20000, 30000);
        _prometheusUrl = new Uri($"http://127.0.0.1:{port}/");
        var jobs = string.Concat(Expositions.Keys.Select(pod => $"""
              - job_name: {pod}
                metrics_path: /metrics/{pod}
                static_configs:
                  - targets: ['127.0.0.1:{_exporterPort}']
                    labels: {"{"}namespace: kube-system, pod: {pod}{"}"}

            """));
        var config = Path.Combine(_temp, "prometheus.yml");
        await File.WriteAllTextAsync(config, $"""
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
            scrape_configs:
            {jobs}
            """);
        var start = new ProcessStartInfo("/usr/bin/prometheus") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { $"--config.file={config}", $"--storage.tsdb.path={Path.Combine(_temp, "data")}", $"--web.listen-address=127.0.0.1:{port}" })
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            _prometheus = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException("prometheus is not installed: apt-get install -y prometheus (test.sh does this)", ex);
        }

        var log = new StringBuilder();
        _prometheus.ErrorDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); _prometheusLog = log.ToString(); } };
        _prometheus.BeginErrorReadLine();
        _prometheus.StandardOutput.Close();
        await WaitUntilScrapedAsync();
    }

    public async Task DisposeAsync()
    {
        if (_prometheus is { } process)
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }

            process.Dispose();
        }

        Dispose();
        await _serving.ContinueWith(_ => { }, TaskScheduler.Default);
        Directory.Delete(_temp, recursive: true);
    }

    public void Dispose() => _exporter.Close();

    [Fact]
    public async Task The_counters_rise_over_the_window_becomes_the_facts_the_scrapes_make_and_the_metric_rules_fire()
    {
        var (metrics, entry) = await Reader(_prometheusUrl).ReadAsync([("kube-system", Panicking), ("kube-system", Rejecting), ("kube-system", Old)], CancellationToken.None);

        Assert.Equal(CollectionStatus.Ok, entry.Status);
        Assert.Contains("5 of 5 queries over 15 min", entry.Detail, StringComparison.Ordinal);
        Assert.Equal([Panicking, Rejecting, Old], metrics.Select(m => m.Pod));

        // Two rises read as whole counts: increase() extrapolates a little past the samples, never below the rise.
        var panicking = metrics.Single(m => m.Pod == Panicking);
        Assert.InRange(panicking.Panics!.Value, 3, 6);
        Assert.InRange(panicking.Responses!["SERVFAIL"], 667 - 64, 2 * (667 - 64));
        Assert.Equal(0, panicking.MaxConcurrentRejects);
        // The 1.11 health-check series appears only with its first failure: it did not rise inside the window.
        Assert.Equal(0, Assert.Single(panicking.HealthcheckFailures!, h => h.Key == "10.0.0.2:53").Value);
        var rejecting = metrics.Single(m => m.Pod == Rejecting);
        Assert.InRange(rejecting.MaxConcurrentRejects!.Value, 24555 - 18031, 2 * (24555 - 18031));
        Assert.Null(rejecting.HealthcheckFailures);

        // Before 1.7.0: the old names, read through the `or`; a counter that did not move is 0, one CoreDNS 1.6 does
        // not export is not available.
        var old = metrics.Single(m => m.Pod == Old);
        Assert.Equal(0, old.Panics);
        Assert.NotNull(old.Requests);
        Assert.Null(old.MaxConcurrentRejects);

        var response = await new DiagnosisService(new RuleEngine(new DirectoryRuleBaseProvider(RepoPaths.Rules)), TimeProvider.System)
            .DiagnoseAsync(new DiagnosisRequest { Snapshot = new Snapshot { Metrics = [.. metrics] } }, CancellationToken.None);
        var panics = Assert.Single(response.Findings, f => f.RuleId == "coredns-panics");
        Assert.Contains(panics.Evidence, e => e.Detail?.Contains("over 15 min to", StringComparison.Ordinal) == true);
        Assert.Contains(response.Findings, f => f.RuleId == "coredns-forward-max-concurrent");
    }

    [Fact]
    public async Task Live_collection_reads_the_coredns_pods_counters_and_diagnoses_from_them()
    {
        var scenario = JsonSerializer.Deserialize<DiagnosisRequest>(File.ReadAllText(Path.Combine(RepoPaths.Root, "src/DnsExpert.Api/Samples/sick-cluster.json")), Json)!;
        await using var server = await FixtureApiServer.StartAsync(scenario.Snapshot!);
        var client = new k8s.Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(server.WriteKubeconfig(_temp)));
        var options = new ClusterOptions { Enabled = true, CollectorTimeout = TimeSpan.FromSeconds(10), Deadline = TimeSpan.FromSeconds(30) };
        var collector = new KubernetesSnapshotCollector(client, Options.Create(options), TimeProvider.System, prometheus: Reader(_prometheusUrl));

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
        var url = path == "closed" ? new Uri($"http://127.0.0.1:{LoopbackPorts.FreeTcp(20000, 30000)}/") : new Uri($"http://127.0.0.1:{_exporterPort}/{path}");

        var (metrics, entry) = await Reader(url).ReadAsync([("kube-system", Panicking)], CancellationToken.None);

        Assert.Empty(metrics);
        Assert.Equal(CollectionStatus.Failed, entry.Status);
        Assert.Contains(detail, entry.Detail, StringComparison.Ordinal);
    }

    private static PrometheusMetricsReader Reader(Uri url) =>
        new(new HttpClient(), Options.Create(new PrometheusOptions { Url = url }), TimeProvider.System);

    /// <summary>Until Prometheus has each target up and has taken at least two samples of each pod's later exposition.</summary>
    private async Task WaitUntilScrapedAsync()
    {
        using var http = new HttpClient();
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        while (true)
        {
            if (_prometheus!.HasExited || deadline.IsCancellationRequested)
            {
                throw new InvalidOperationException($"Prometheus did not scrape the exporter (exited: {_prometheus.HasExited}):\n{_prometheusLog}");
            }

            try
            {
                using var targets = JsonDocument.Parse(await http.GetStringAsync(new Uri(_prometheusUrl, "api/v1/targets"), deadline.Token));
                var active = targets.RootElement.GetProperty("data").GetProperty("activeTargets").EnumerateArray().ToList();
                bool enough;
                lock (_served)
                {
                    enough = Expositions.Keys.All(pod => _served.GetValueOrDefault(pod) >= FirstScrapes + 3);
                }

                if (active.Count == Expositions.Count && active.All(t => t.GetProperty("health").GetString() == "up") && enough)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(200, CancellationToken.None);
        }
    }

    /// <summary>The exporter: each pod's exposition, before and from the rise; and answers no Prometheus gives.</summary>
    private async Task ServeAsync()
    {
        while (_exporter.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _exporter.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
            {
                return;
            }

            var path = context.Request.Url!.AbsolutePath;
            var (status, type, body) = path switch
            {
                _ when path.StartsWith("/metrics/", StringComparison.Ordinal) => (200, "text/plain; version=0.0.4", Exposition(path["/metrics/".Length..])),
                "/unauthorized/api/v1/query" => (401, "text/plain", "Unauthorized"),
                "/garbage/api/v1/query" => (200, "text/html", "<html>sign in</html>"),
                _ => (404, "text/plain", "not found"),
            };
            context.Response.StatusCode = status;
            context.Response.ContentType = type;
            var bytes = Encoding.UTF8.GetBytes(body);
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
    }

    private string Exposition(string pod)
    {
        int count;
        lock (_served)
        {
            _served[pod] = count = _served.GetValueOrDefault(pod) + 1;
        }

        return Expositions.TryGetValue(pod, out var e) ? count <= FirstScrapes ? e.Before : e.After : "";
    }
}
