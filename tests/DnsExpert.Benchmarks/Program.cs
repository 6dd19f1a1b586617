using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Running;
using DnsExpert.Api;
using DnsExpert.Api.Hosting;
using DnsExpert.Contract;
using DnsExpert.Diagnosis;
using DnsExpert.Diagnosis.FactBuilding;
using DnsExpert.Engine.RuleBases;
using DnsExpert.Engine.Sessions;
using DnsExpert.Readers;
using DnsExpert.Readers.Parsing;

namespace DnsExpert.Benchmarks;

/// <summary>
/// Figures for BENCHMARKS.md. Each prints <c>name: value unit</c> lines and, where there is a baseline measured in the
/// same run (grep, a trivial endpoint, a small snapshot), the ratio to it. See bench.sh.
/// </summary>
public static class Program
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The large snapshot is past the service's default limits (a 328 MB body): read it as the API would with them raised.</summary>
    private static readonly RequestLimits LargeLimits = new() { MaxObjectValues = 50_000_000, MaxLogCharacters = long.MaxValue };

    private static readonly Diagnosis.FactBuilding.LogScanScheduler LogScans = new();
    private static readonly JsonSerializerOptions RequestOptions = RequestJson.CreateOptions(LargeLimits, maxDepth: 64);

    public static async Task<int> Main(string[] args)
    {
        var command = args.FirstOrDefault() ?? "help";
        string Arg(string name, string fallback) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() ?? fallback;
        var root = FindRoot();
        switch (command)
        {
            case "generate":
                var watch = Stopwatch.StartNew();
                LargeSnapshot.Write(Arg("--out", "large-snapshot.json"), new LargeSnapshot.Size(LogLines: int.Parse(Arg("--log-lines", "100000"), CultureInfo.InvariantCulture)));
                Console.WriteLine($"generated: {new FileInfo(Arg("--out", "large-snapshot.json")).Length / 1e6:0.0} MB in {watch.Elapsed.TotalSeconds:0.0} s");
                return 0;
            case "e2e":
                return await EndToEnd(root, Arg("--request", "large-snapshot.json"));
            case "read":
                return await Read(Arg("--request", "large-snapshot.json"), int.Parse(Arg("--runs", "12"), CultureInfo.InvariantCulture));
            case "compile":
                return Compile(root, int.Parse(Arg("--count", "10"), CultureInfo.InvariantCulture));
            case "logscan":
                return LogScan(Arg("--dir", Path.GetTempPath()), int.Parse(Arg("--lines", "1000000"), CultureInfo.InvariantCulture));
            case "rest":
                return await Rest(root, TimeSpan.FromSeconds(double.Parse(Arg("--seconds", "10"), CultureInfo.InvariantCulture)), int.Parse(Arg("--workers", "8"), CultureInfo.InvariantCulture));
            case "soak":
                return await Soak(root, int.Parse(Arg("--count", "5000"), CultureInfo.InvariantCulture));
            case "bdn":
                BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args.Skip(1).ToArray());
                return 0;
            default:
                Console.Error.WriteLine("usage: generate [--out F] | e2e --request F | read --request F [--runs N] | compile [--count N] | logscan [--lines N] | rest [--seconds S] | soak [--count N] | bdn [BenchmarkDotNet args]");
                return 1;
        }
    }

    internal static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "DnsExpert.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("run from inside the repository");
    }

    /// <summary>Offline diagnosis end to end: read and deserialize the request, build facts, run the rules.</summary>
    private static async Task<int> EndToEnd(string root, string requestPath)
    {
        var rulesWatch = Stopwatch.StartNew();
        var compileCost = Cost.Start();
        var rules = new DirectoryRuleBaseProvider(Path.Combine(root, "rules"));
        var compile = rulesWatch.Elapsed;
        compileCost = compileCost.Stop();
        var service = new DiagnosisService(new RuleEngine(rules), TimeProvider.System);

        // Warm up the code paths on the small sample, then measure the small sample as the baseline of the same run.
        var sample = Path.Combine(root, "src", "DnsExpert.Api", "Samples", "sick-cluster.json");
        await Diagnose(service, sample);
        var small = await Measure(() => Diagnose(service, sample), 20);

        GC.Collect();
        var before = Process.GetCurrentProcess().WorkingSet64;
        var watch = Stopwatch.StartNew();
        var coldCost = Cost.Start();
        var coldStart = Stopwatch.GetTimestamp();
        var response = await Diagnose(service, requestPath);
        var cold = watch.Elapsed;
        Console.Error.WriteLine($"first large run, monotonic: {coldStart / 1e9:0.000000} {Stopwatch.GetTimestamp() / 1e9:0.000000}");
        coldCost = coldCost.Stop();
        Console.WriteLine($"rule base compile: {compile.TotalMilliseconds:0} ms ({rules.Current.Rules.Count} rules)");
        Console.WriteLine($"small snapshot diagnosis (sick-cluster, median of 20): {small.TotalMilliseconds:0.0} ms");
        Console.WriteLine($"large snapshot diagnosis end to end, first in the process (cold code): {cold.TotalMilliseconds:0} ms ({new FileInfo(requestPath).Length / 1e6:0} MB request; {response.Findings.Count} findings: {string.Join(", ", response.Findings.Select(f => f.RuleId))})");
        Console.WriteLine($"rule base compile, cost: {compileCost}");
        Console.WriteLine($"large snapshot, first in the process, cost: {coldCost}");

        // A service that has diagnosed a few large snapshots runs optimised code: two more runs get the runtime there
        // (tier-1 compilation waits until code stops changing), then the median of three.
        await Diagnose(service, requestPath);
        await Diagnose(service, requestPath);
        var warmCost = Cost.Start();
        var warm = await Measure(() => Diagnose(service, requestPath), 3);
        warmCost = warmCost.Stop();
        Console.WriteLine($"large snapshot diagnosis end to end, warm (median of 3 after 2 more): {warm.TotalMilliseconds:0} ms");
        Console.WriteLine($"large snapshot, warm, cost per run (mean of 3): {warmCost / 3}");
        Console.WriteLine($"large/small time ratio (warm): {warm / small:0.0}");

        // "Warm" above is the third to fifth run, while the runtime may still re-compile hundreds of methods a run on a
        // core the diagnosis needs. Steady: more runs until one compiles fewer than 50 methods (at most 10), then the
        // median of three, as a service that has diagnosed a few more large snapshots runs them.
        var settling = 0;
        for (; settling < 10; settling++)
        {
            var methods = System.Runtime.JitInfo.GetCompiledMethodCount();
            await Diagnose(service, requestPath);
            if (System.Runtime.JitInfo.GetCompiledMethodCount() - methods < 50)
            {
                break;
            }
        }

        var steadyCost = Cost.Start();
        var steady = await Measure(() => Diagnose(service, requestPath), 3);
        steadyCost = steadyCost.Stop();
        Console.WriteLine($"large snapshot diagnosis end to end, steady (median of 3 once a run compiled fewer than 50 methods; {settling + 1} runs after warm): {steady.TotalMilliseconds:0} ms");
        Console.WriteLine($"large snapshot, steady, cost per run (mean of 3): {steadyCost / 3}");

        // Where the time goes, phase by phase (warm).
        watch.Restart();
        DiagnosisRequest request;
        await using (var stream = File.OpenRead(requestPath))
        {
            request = (await LogScans.ReadAsync<DiagnosisRequest>(stream, RequestOptions, LargeLimits, CancellationToken.None))!;
        }

        var deserialize = watch.Elapsed;
        watch.Restart();
        var facts = Readers.SnapshotFactBuilder.Build(request);
        var build = watch.Elapsed;
        watch.Restart();
        var session = Engine.Sessions.RuleSessionRunner.Run(rules.Current, facts.Facts);
        var run = watch.Elapsed;
        watch.Restart();
        var objectsOnly = Readers.SnapshotFactBuilder.Build(new DiagnosisRequest
        {
            Target = request.Target, Domain = request.Domain, Symptom = request.Symptom, Snapshot = new Snapshot { Objects = request.Snapshot!.Objects },
        });
        var process = Process.GetCurrentProcess();
        process.Refresh();
        Console.WriteLine($"facts from the objects alone: {objectsOnly.Facts.Count} in {watch.Elapsed.TotalMilliseconds:0} ms");
        Console.WriteLine($"phases (warm): read the request {deserialize.TotalMilliseconds:0} ms (long logs scanned on another core as they are read), build {facts.Facts.Count} facts {build.TotalMilliseconds:0} ms, rule session {run.TotalMilliseconds:0} ms ({session.Findings.Count} findings)");
        Console.WriteLine($"peak working set over all runs: {process.PeakWorkingSet64 / 1e6:0} MB (before the large diagnoses: {before / 1e6:0} MB)");
        Console.WriteLine($"managed memory allocated in total: {GC.GetTotalAllocatedBytes() / 1e6:0} MB");
        return 0;
    }

    /// <summary>
    /// The request's read alone (the long logs scanned as it is read, as <c>e2e</c> reads it), <paramref name="runs"/>
    /// times in one process, each with its wall time and cost: the read's part of a diagnosis without the fact building
    /// and rules around it, for comparing two builds run by run.
    /// </summary>
    private static async Task<int> Read(string requestPath, int runs)
    {
        for (var i = 0; i < runs; i++)
        {
            var watch = Stopwatch.StartNew();
            var cost = Cost.Start();
            await using (var stream = File.OpenRead(requestPath))
            {
                _ = await LogScans.ReadAsync<DiagnosisRequest>(stream, RequestOptions, LargeLimits, CancellationToken.None);
            }

            Console.WriteLine($"read {i + 1}: {watch.Elapsed.TotalMilliseconds:0} ms, {cost.Stop()}");
        }

        return 0;
    }

    /// <summary>The rule base compiled <paramref name="count"/> times in one process: the first load, then the warm ones.</summary>
    private static int Compile(string root, int count)
    {
        var rules = Path.Combine(root, "rules");
        var warm = new List<double>();
        for (var i = 0; i < count; i++)
        {
            var watch = Stopwatch.StartNew();
            var cost = Cost.Start();
            var loaded = new DirectoryRuleBaseProvider(rules).Current.Rules.Count;
            cost = cost.Stop();
            Console.WriteLine($"rule base compile {i + 1}: {watch.Elapsed.TotalMilliseconds:0} ms ({loaded} rules; {cost})");
            if (i > 0)
            {
                warm.Add(cost.Cpu.TotalMilliseconds);
            }
        }

        if (warm.Count > 0)
        {
            Console.WriteLine($"rule base compile, warm, CPU median: {warm.Order().ElementAt(warm.Count / 2):0} ms");
        }

        return 0;
    }

    /// <summary>What a step cost besides its wall time: the process's CPU time and the JIT's work (methods, time) meanwhile.</summary>
    private readonly record struct Cost(TimeSpan Cpu, long Methods, TimeSpan Jit)
    {
        public static Cost Start() => new(Process.GetCurrentProcess().TotalProcessorTime, System.Runtime.JitInfo.GetCompiledMethodCount(), System.Runtime.JitInfo.GetCompilationTime());

        public Cost Stop()
        {
            var now = Start();
            return new(now.Cpu - Cpu, now.Methods - Methods, now.Jit - Jit);
        }

        public static Cost operator /(Cost cost, int runs) => new(cost.Cpu / runs, cost.Methods / runs, cost.Jit / runs);

        public override string ToString() =>
            $"CPU {Cpu.TotalMilliseconds:0} ms, {Methods} methods jitted in {Jit.TotalMilliseconds:0} ms";
    }

    private static async Task<DiagnosisResponse> Diagnose(DiagnosisService service, string path)
    {
        await using var stream = File.OpenRead(path);
        var request = (await LogScans.ReadAsync<DiagnosisRequest>(stream, RequestOptions, LargeLimits, CancellationToken.None))!;
        return await service.DiagnoseAsync(request, CancellationToken.None);
    }

    private static async Task<TimeSpan> Measure(Func<Task> action, int runs)
    {
        var times = new List<TimeSpan>();
        for (var i = 0; i < runs; i++)
        {
            var watch = Stopwatch.StartNew();
            await action();
            times.Add(watch.Elapsed);
        }

        times.Sort();
        return times[runs / 2];
    }

    /// <summary>CoreDNS log scanning, streamed, against grep -E -c of the same signatures on the same file.</summary>
    private static int LogScan(string dir, int lines)
    {
        var path = Path.Combine(dir, "dnsexpert-coredns.log");
        var text = new StringBuilder(lines * 140);
        LargeSnapshot.LogText(text, new Random(7), lines, 5_000);
        File.WriteAllText(path, text.ToString());
        text.Clear();
        var megabytes = new FileInfo(path).Length / 1e6;

        // Warm-up, then the best of 3 (both sides get the page cache).
        Scan(path);
        var ours = Enumerable.Range(0, 3).Select(_ => Scan(path)).MinBy(r => r.Elapsed);

        // The same log as a request's long log reaches the scanner: its UTF-8 bytes in memory (LogScans).
        var utf8 = File.ReadAllBytes(path);
        CoreDnsLogScanner.Scan(utf8.AsSpan());
        var bytes = Enumerable.Range(0, 3).Select(_ =>
        {
            var watch = Stopwatch.StartNew();
            var lines = CoreDnsLogScanner.Scan(utf8.AsSpan()).Lines;
            return (watch.Elapsed, Lines: lines);
        }).MinBy(r => r.Elapsed);
        const string pattern = @"\[ERROR\] plugin/errors|Unknown directive|Failed to (watch|list)|Loop \(|plugin/reload|panic:|\[PANIC\]| - [0-9]+ ""[A-Z]+ IN ";
        RunGrep(pattern, path);
        var grep = Enumerable.Range(0, 3).Select(_ => RunGrep(pattern, path)).MinBy(r => r.Elapsed);

        Console.WriteLine($"log file: {megabytes:0.0} MB, {lines} lines");
        Console.WriteLine($"dnsexpert log scan: {megabytes / ours.Elapsed.TotalSeconds:0} MB/s ({ours.Elapsed.TotalMilliseconds:0} ms; {ours.Lines} lines, {ours.Signatures} signature lines; query lines read field by field, failures grouped)");
        Console.WriteLine($"grep -E -c (same signatures): {megabytes / grep.Elapsed.TotalSeconds:0} MB/s ({grep.Elapsed.TotalMilliseconds:0} ms; {grep.Count} lines)");
        Console.WriteLine($"dnsexpert/grep throughput ratio: {grep.Elapsed / ours.Elapsed:0.00}");
        Console.WriteLine($"dnsexpert log scan of UTF-8 bytes in memory (as a request's long logs): {megabytes / bytes.Elapsed.TotalSeconds:0} MB/s ({bytes.Elapsed.TotalMilliseconds:0} ms; {bytes.Lines} lines)");
        Console.WriteLine($"dnsexpert bytes/grep throughput ratio: {grep.Elapsed / bytes.Elapsed:0.00}");
        File.Delete(path);
        return 0;
    }

    private static (TimeSpan Elapsed, int Signatures, int Lines) Scan(string path)
    {
        var watch = Stopwatch.StartNew();
        using var reader = new StreamReader(path, Encoding.UTF8, false, 1 << 16);
        var scan = CoreDnsLogScanner.Scan(reader);
        return (watch.Elapsed, scan.Events.Sum(e => e.Occurrences), scan.Lines);
    }

    private static (TimeSpan Elapsed, long Count) RunGrep(string pattern, string path)
    {
        var watch = Stopwatch.StartNew();
        var info = new ProcessStartInfo("grep") { RedirectStandardOutput = true, UseShellExecute = false };
        info.ArgumentList.Add("-E");
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(pattern);
        info.ArgumentList.Add(path);
        using var grep = Process.Start(info)!;
        var output = grep.StandardOutput.ReadToEnd();
        grep.WaitForExit();
        return (watch.Elapsed, long.Parse(output.Trim(), CultureInfo.InvariantCulture));
    }

    /// <summary>The real service on 127.0.0.1 under a bounded .NET load generator: a small offline diagnosis vs /healthz.</summary>
    private static async Task<int> Rest(string root, TimeSpan duration, int workers)
    {
        await using var app = await StartService(root);
        using var client = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
        var body = await File.ReadAllTextAsync(Path.Combine(root, "src", "DnsExpert.Api", "Samples", "autopath-wrong-answers.json"));

        Task<HttpResponseMessage> Diagnosis() => client.PostAsync("/api/v1/diagnoses", new StringContent(body, Encoding.UTF8, "application/json"));
        Task<HttpResponseMessage> Trivial() => client.GetAsync("/healthz");

        await Load(Trivial, TimeSpan.FromSeconds(2), workers);                 // warm-up
        await Load(Diagnosis, TimeSpan.FromSeconds(2), workers);
        var trivial = await Load(Trivial, duration, workers);
        var diagnosis = await Load(Diagnosis, duration, workers);
        Print("GET /healthz", trivial);
        Print("POST /api/v1/diagnoses (autopath-wrong-answers, stored in SQLite)", diagnosis);
        Console.WriteLine($"diagnosis/trivial throughput ratio: {diagnosis.PerSecond / trivial.PerSecond:0.000}");
        return diagnosis.Errors + trivial.Errors == 0 ? 0 : 1;
    }

    private sealed record LoadResult(int Requests, int Errors, double PerSecond, double P50, double P99);

    private static void Print(string name, LoadResult r) =>
        Console.WriteLine($"{name}: {r.PerSecond:0} req/s, p50 {r.P50:0.00} ms, p99 {r.P99:0.00} ms, {r.Requests} requests, {r.Errors} errors");

    private static async Task<LoadResult> Load(Func<Task<HttpResponseMessage>> send, TimeSpan duration, int workers)
    {
        var latencies = new List<double>[workers];
        var errors = 0;
        var stop = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, workers).Select(async w =>
        {
            var mine = latencies[w] = [];
            while (stop.Elapsed < duration)
            {
                var started = Stopwatch.GetTimestamp();
                using var response = await send();
                await response.Content.ReadAsByteArrayAsync();
                mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                if (!response.IsSuccessStatusCode)
                {
                    Interlocked.Increment(ref errors);
                }
            }
        }));
        var all = latencies.SelectMany(l => l).Order().ToList();
        return new LoadResult(all.Count, errors, all.Count / stop.Elapsed.TotalSeconds, all[all.Count / 2], all[(int)(all.Count * 0.99)]);
    }

    /// <summary>N mixed diagnoses and reads over loopback; memory at start, middle and end.</summary>
    private static async Task<int> Soak(string root, int count)
    {
        await using var app = await StartService(root);
        using var client = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
        var samples = new[] { "sick-cluster", "autopath-wrong-answers", "external-upstream-nxdomain" };
        var formats = new[] { "", "?format=markdown", "?format=slack" };
        var errors = 0;
        var ids = new List<string>();
        var marks = new List<string>();
        void Mark(string when)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            var process = Process.GetCurrentProcess();
            marks.Add($"{when}: working set {process.WorkingSet64 / 1e6:0} MB, managed heap {GC.GetTotalMemory(false) / 1e6:0.0} MB");
        }

        var watch = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            if (i == 500)
            {
                Mark($"after {i} (warm)");
            }
            else if (i == count / 2)
            {
                Mark($"after {i}");
            }

            HttpResponseMessage response;
            switch (i % 5)
            {
                case 0 or 1 or 2:
                    response = await client.PostAsync($"/api/v1/samples/{samples[i % 3]}/diagnose{formats[i / 3 % 3]}", null);
                    if (formats[i / 3 % 3] == "" && response.IsSuccessStatusCode)
                    {
                        ids.Add((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!);
                    }

                    break;
                case 3:
                    response = await client.GetAsync(ids.Count > 0 ? $"/api/v1/diagnoses/{ids[i % ids.Count]}" : "/healthz");
                    break;
                default:
                    response = await client.GetAsync("/api/v1/diagnoses?limit=20&ruleId=coredns-autopath-enabled");
                    break;
            }

            if (!response.IsSuccessStatusCode)
            {
                errors++;
            }

            response.Dispose();
        }

        Mark($"after {count}");
        Console.WriteLine($"soak: {count} requests (diagnoses in JSON/Markdown/Slack, reads by id, filtered lists) in {watch.Elapsed.TotalSeconds:0.0} s, {errors} errors");
        foreach (var mark in marks)
        {
            Console.WriteLine($"soak memory {mark}");
        }

        return errors == 0 ? 0 : 1;
    }

    private static async Task<Microsoft.AspNetCore.Builder.WebApplication> StartService(string root)
    {
        var history = Path.Combine(Path.GetTempPath(), $"dnsexpert-bench-{Guid.NewGuid():N}.db");
        var app = DnsExpertHost.Build([
            "--urls", "http://127.0.0.1:0",
            "--DnsExpert:RulesDirectory", Path.Combine(root, "rules"),
            "--DnsExpert:SamplesDirectory", Path.Combine(root, "src", "DnsExpert.Api", "Samples"),
            "--DnsExpert:History:ConnectionString", history,
            "--DnsExpert:History:MaxCount", "2000",
            "--DnsExpert:Auth:RequestsPerMinute", "1000000",
            "--DnsExpert:Auth:RequestsPerMinutePerAddress", "1000000",
            "--Logging:LogLevel:Default", "Warning",
        ]);
        await app.StartAsync();
        return app;
    }
}
