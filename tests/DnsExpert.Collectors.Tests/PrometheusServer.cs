using System.Globalization;
using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using DnsExpert.Testing;

namespace DnsExpert.Collectors.Tests;

/// <summary>
/// A real Prometheus (Debian's <c>/usr/bin/prometheus</c>) on 127.0.0.1, scraping every second an exporter this fixture
/// serves: four CoreDNS pods' recorded expositions (tests/fixtures/metrics) and the kubelet's cAdvisor CFS counters of two of them, each pod's first scrapes from its
/// <c>-scrape1</c> file and the later ones from its <c>-scrape2</c>, so the counters rise inside the window. Started once
/// for <see cref="PrometheusCollectionTests"/>; ready when every target is up and each pod's later exposition was scraped
/// at least twice. A Prometheus that is not installed fails the tests (test.sh installs it), never skips them.
/// </summary>
public sealed class PrometheusServer : IAsyncLifetime, IDisposable
{
    public const string Panicking = "coredns-5d78c9869d-abcde";
    public const string Rejecting = "coredns-5d78c9869d-k2m9p";
    /// <summary>The token <c>/bearer/api/v1/query</c> wants.</summary>
    public const string Token = "s3cret-token";

    public const string Old = "coredns-old-6d8c4cb4d-7vzvq";

    /// <summary>A pod whose node lost its path to the upstream: SERVFAIL and failed health checks rise.</summary>
    public const string Unreachable = "coredns-5d78c9869d-fghij";
    /// <summary>A 1.11 pod that refused two changed Corefiles inside the window (<c>coredns_reload_failed_total</c> 1, then 3).</summary>
    public const string Reloading = "coredns-5d78c9869d-r7l2d";

    /// <summary>A 1.6 pod that refused one more inside the window, counted under that generation's <c>coredns_reload_failed_count_total</c> (1, then 2).</summary>
    public const string OldReloading = "coredns-old-6d8c4cb4d-q8z5n";

    /// <summary>A 1.11 pod whose cache answers 124 of the 4,120 lookups inside the window (3 %), after 58,700 of 96,120 before it.</summary>
    public const string Caching = "coredns-5d78c9869d-c4x7h";

    /// <summary>The kubelet's cAdvisor endpoint (<c>/metrics/cadvisor</c>): its series carry their own namespace and pod labels.</summary>
    public const string Cadvisor = "kubelet-cadvisor";
    /// <summary>
    /// <see cref="Caching"/>'s twin with a history: its cache hit 61 % of the lookups from 50 to 16 minutes before the
    /// server started (samples written into the TSDB with promtool before it starts), so the window before is read.
    /// </summary>
    public const string CachingWithHistory = "coredns-5d78c9869d-w9b2t";

    /// <summary>The cAdvisor endpoint's CPU time of the same containers (a second target of the same kind).</summary>
    public const string CadvisorCpu = "kubelet-cadvisor-cpu";

    /// <summary>kube-state-metrics 2.x and 1.x: the coredns containers' CPU limits, each series with its own namespace and pod labels.</summary>
    public const string KubeStateMetrics = "kube-state-metrics";
    public const string OldKubeStateMetrics = "kube-state-metrics-1";

    /// <summary>Targets whose series carry their own namespace and pod labels (honor_labels), not the target's.</summary>
    private static readonly HashSet<string> OwnLabels = new(StringComparer.Ordinal) { Cadvisor, CadvisorCpu, KubeStateMetrics, OldKubeStateMetrics };
    private const int FirstScrapes = 3;
    private static readonly string Fixtures = Path.Combine(RepoPaths.Root, "tests", "fixtures", "metrics");

    /// <summary>Each pod's expositions: before and from the rise.</summary>
    private static readonly Dictionary<string, (string Before, string After)> Expositions = new(StringComparer.Ordinal)
    {
        [Panicking] = (Fixture("coredns-1.11.1-panics-scrape1.txt"), Fixture("coredns-1.11.1-panics-scrape2.txt")),
        [Rejecting] = (Fixture("coredns-1.11.1-max-concurrent-scrape1.txt"), Fixture("coredns-1.11.1-max-concurrent-scrape2.txt")),
        [Old] = (Fixture("coredns-1.6.7-panic.txt"), Fixture("coredns-1.6.7-panic.txt")),
        [Unreachable] = (Fixture("coredns-1.11.1-upstream-unreachable-scrape1.txt"), Fixture("coredns-1.11.1-upstream-unreachable-scrape2.txt")),
        [Reloading] = (Fixture("coredns-1.11.1-reload-failed-scrape1.txt"), Fixture("coredns-1.11.1-reload-failed-scrape2.txt")),
        [OldReloading] = (Fixture("coredns-1.6.7-reload-failed-scrape1.txt"), Fixture("coredns-1.6.7-reload-failed-scrape2.txt")),
        [Caching] = (Fixture("coredns-1.11.1-cache-collapse-scrape1.txt"), Fixture("coredns-1.11.1-cache-collapse-scrape2.txt")),
        [CachingWithHistory] = (Fixture("coredns-1.11.1-cache-collapse-scrape1.txt"), Fixture("coredns-1.11.1-cache-collapse-scrape2.txt")),
        // CFS periods of Rejecting's coredns container (labels of Kubernetes 1.16 on) and Old's (container_name, pod_name before 1.16).
        [Cadvisor] = (Fixture("kubelet-cadvisor-coredns-cfs-scrape1.txt"), Fixture("kubelet-cadvisor-coredns-cfs-scrape2.txt")),
        [CadvisorCpu] = (Fixture("kubelet-cadvisor-coredns-cpu-usage-scrape1.txt"), Fixture("kubelet-cadvisor-coredns-cpu-usage-scrape2.txt")),
        [KubeStateMetrics] = (Fixture("kube-state-metrics-2.10-coredns-limits.txt"), Fixture("kube-state-metrics-2.10-coredns-limits.txt")),
        [OldKubeStateMetrics] = (Fixture("kube-state-metrics-1.9-coredns-limits.txt"), Fixture("kube-state-metrics-1.9-coredns-limits.txt")),
    };

    public string Temp { get; } = Directory.CreateTempSubdirectory("dnsexpert-prometheus-").FullName;
    private readonly Dictionary<string, int> _served = new(StringComparer.Ordinal);
    private HttpListener _exporter = null!;
    private Task _serving = Task.CompletedTask;
    private Process? _prometheus;
    private string _prometheusLog = "";
    /// <summary>The exporter's port: it also answers <c>/unauthorized/api/v1/query</c> (401) <c>/garbage/api/v1/query</c> (HTML),
    /// and <c>/bearer/api/v1/query</c> only with <see cref="Token"/>.</summary>
    public int ExporterPort { get; private set; }
    public Uri Url { get; private set; } = null!;

    private static string Fixture(string name) => File.ReadAllText(Path.Combine(Fixtures, name));

    public async Task InitializeAsync()
    {
        ExporterPort = LoopbackPorts.FreeTcp(20000, 30000);
        _exporter = new HttpListener();
        _exporter.Prefixes.Add($"http://127.0.0.1:{ExporterPort}/");
        _exporter.Start();
        _serving = Task.Run(ServeAsync);

        var port = LoopbackPorts.FreeTcp(20000, 30000);
        Url = new Uri($"http://127.0.0.1:{port}/");
        // The CoreDNS pods' targets are labelled as a ServiceMonitor labels them; the kubelet's series keep their own labels.
        var jobs = string.Concat(Expositions.Keys.Select(pod => $"""
              - job_name: {pod}
                metrics_path: /metrics/{pod}
                honor_labels: {(OwnLabels.Contains(pod) ? "true" : "false")}
                static_configs:
                  - targets: ['127.0.0.1:{ExporterPort}']
                    labels: {(OwnLabels.Contains(pod) ? "{}" : $"{{namespace: kube-system, pod: {pod}}}")}

            """));
        var config = Path.Combine(Temp, "prometheus.yml");
        await File.WriteAllTextAsync(config, $"""
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
            scrape_configs:
            {jobs}
            """);
        await BackfillAsync(Path.Combine(Temp, "data"));
        var start = new ProcessStartInfo("/usr/bin/prometheus") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { $"--config.file={config}", $"--storage.tsdb.path={Path.Combine(Temp, "data")}", $"--web.listen-address=127.0.0.1:{port}" })
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
        Directory.Delete(Temp, recursive: true);
    }

    public void Dispose() => _exporter.Close();

    /// <summary>
    /// <see cref="CachingWithHistory"/>'s cache counters before the server starts, as blocks promtool writes from
    /// OpenMetrics text (<c>promtool tsdb create-blocks-from openmetrics</c>): every 30 s from 50 to 16 minutes ago, 61
    /// hits and 39 misses a minute. A window before the one read holds them; the window read does not.
    /// </summary>
    private static async Task BackfillAsync(string data)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var text = new StringBuilder();
        foreach (var (name, perMinute) in new[] { ("coredns_cache_hits_total", 61), ("coredns_cache_misses_total", 39) })
        {
            for (var i = 0; i <= 68; i++)
            {
                text.Append(CultureInfo.InvariantCulture, $"{name}{{namespace=\"kube-system\",pod=\"{CachingWithHistory}\"}} {10000 + (perMinute * i / 2.0)} {now - (50 * 60) + (i * 30)}\n");
            }
        }

        text.Append("# EOF\n");
        var input = Path.Combine(Path.GetDirectoryName(data)!, "history.om");
        await File.WriteAllTextAsync(input, text.ToString());
        var promtool = new ProcessStartInfo("/usr/bin/promtool") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "tsdb", "create-blocks-from", "openmetrics", input, data })
        {
            promtool.ArgumentList.Add(argument);
        }

        using var process = Process.Start(promtool)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"promtool could not write the history: {error}{await output}");
        }
    }

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
                using var targets = JsonDocument.Parse(await http.GetStringAsync(new Uri(Url, "api/v1/targets"), deadline.Token));
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
                // A proxy that lets only the bearer token through, answering each query with one pod's sample.
                "/bearer/api/v1/query" => context.Request.Headers["Authorization"] == $"Bearer {Token}"
                    ? (200, "application/json", $$$"""{"status":"success","data":{"resultType":"vector","result":[{"metric":{"namespace":"kube-system","pod":"{{{Panicking}}}","rcode":"SERVFAIL","to":"10.0.0.2:53"},"value":[1765000000,"2.4"]}]}}""")
                    : (401, "application/json", """{"status":"error","errorType":"unauthorized","error":"token required"}"""),
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
