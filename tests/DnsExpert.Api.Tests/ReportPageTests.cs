using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using DnsExpert.Api.Hosting;
using Microsoft.AspNetCore.Builder;

namespace DnsExpert.Api.Tests;

/// <summary>
/// The report page as a person sees it: the real service on a loopback port, the page loaded in headless Chromium
/// (Debian's <c>chromium</c>), its scripts run under the page's CSP, and the rendered DOM checked.
/// </summary>
public sealed partial class ReportPageTests : IAsyncLifetime, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("dnsexpert-report-").FullName;
    private WebApplication _app = null!;
    private HttpClient _client = null!;
    private string _base = "";

    public async Task InitializeAsync()
    {
        _app = DnsExpertHost.Build([
            "--urls", "http://127.0.0.1:0",
            "--DnsExpert:RulesDirectory", Path.Combine(ApiFactory.RepoRoot, "rules"),
            "--DnsExpert:SamplesDirectory", Path.Combine(ApiFactory.RepoRoot, "src", "DnsExpert.Api", "Samples"),
            "--DnsExpert:History:ConnectionString", Path.Combine(_dir, "history.db"),
            "--Logging:LogLevel:Default", "Warning",
        ]);
        await _app.StartAsync();
        _base = _app.Urls.First();
        _client = new HttpClient { BaseAddress = new Uri(_base) };
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    public void Dispose() => _client?.Dispose();

    private async Task<string> Diagnose(string sample)
    {
        var response = await _client.PostAsync($"/api/v1/samples/{sample}/diagnose", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
    }

    private async Task<string> Chromium(params string[] arguments)
    {
        var chromium = new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser" }.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("Chromium is not installed: apt-get install -y chromium (test.sh does this)");
        var info = new ProcessStartInfo(chromium) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", $"--user-data-dir={Path.Combine(_dir, "chromium")}" }.Concat(arguments))
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return await output;
    }

    [Fact]
    public async Task The_rendered_page_shows_the_verdict_findings_evidence_and_copy_buttons()
    {
        var id = await Diagnose("external-upstream-nxdomain");
        var json = JsonDocument.Parse(await _client.GetStringAsync($"/api/v1/diagnoses/{id}")).RootElement;
        var findings = json.GetProperty("findings").EnumerateArray().ToList();
        var codeBlocks = findings.Sum(f => f.GetProperty("remediation").EnumerateArray()
            .Sum(r => (r.TryGetProperty("command", out _) ? 1 : 0) + (r.TryGetProperty("snippet", out _) ? 1 : 0)));
        var nextChecks = json.GetProperty("hypotheses").EnumerateArray()
            .Where(h => h.GetProperty("status").GetString() == "unverified")
            .SelectMany(h => h.GetProperty("checks").EnumerateArray().Select(c => c.GetProperty("command").GetString()))
            .Distinct(StringComparer.Ordinal).Count();

        var dom = await Chromium("--dump-dom", $"{_base}/reports/{id}");

        Assert.Contains("<section class=\"verdict", dom, StringComparison.Ordinal);
        Assert.Contains(WebEncode(findings[0].GetProperty("title").GetString()!), dom, StringComparison.Ordinal);
        foreach (var f in findings)
        {
            Assert.Contains($"id=\"{f.GetProperty("ruleId").GetString()}\"", dom, StringComparison.Ordinal);
        }

        Assert.Contains("2024-05-13 08:21:44 UTC", dom, StringComparison.Ordinal);                // the ticket payload
        Assert.Contains("<section id=\"collection\">", dom, StringComparison.Ordinal);
        // The copy buttons exist only if the page's script ran under its CSP: one per command or snippet, and one per
        // next check (each command once).
        Assert.True(codeBlocks > 0);
        Assert.Equal(nextChecks > 0, dom.Contains("<section id=\"next-checks\">", StringComparison.Ordinal));
        Assert.Equal(codeBlocks + nextChecks, CountOf(dom, "<button type=\"button\" class=\"copy\">Copy</button>"));
    }

    [Fact]
    public async Task The_rendered_page_draws_the_dns_path_with_the_failed_service_hop()
    {
        var scenario = await File.ReadAllTextAsync(Path.Combine(ApiFactory.RepoRoot, "tests", "scenarios", "app-to-kube-dns-unreachable", "fires-cluster-ip-times-out-pod-ip-answers.json"));
        var posted = await _client.PostAsync("/api/v1/diagnoses", new StringContent(scenario, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
        var id = JsonDocument.Parse(await posted.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString();
        var path = JsonDocument.Parse(await _client.GetStringAsync($"/api/v1/diagnoses/{id}")).RootElement.GetProperty("dnsPath").EnumerateArray()
            .Select(h => (h.GetProperty("kind").GetString(), h.GetProperty("status").GetString())).ToList();
        Assert.Equal([("pod", "healthy"), ("kube-dns", "failed"), ("coredns", "healthy"), ("coredns", "healthy"), ("upstream", "unverified")], path);

        var dom = await Chromium("--dump-dom", $"{_base}/reports/{id}");

        // The browser parsed the inline SVG into the DOM: one group per hop, in path order, with its status.
        var hops = HopRegex().Matches(dom).Select(m => (m.Groups["kind"].Value, m.Groups["status"].Value)).ToList();
        Assert.Equal(path, hops.Select(h => ((string?)h.Item1, (string?)h.Item2)));
        Assert.Contains("<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\"", dom, StringComparison.Ordinal);
        Assert.Contains("✕ kube-dns Service", dom, StringComparison.Ordinal);
        Assert.Contains("<a href=\"#app-to-kube-dns-unreachable\"><code>app-to-kube-dns-unreachable</code></a>", dom, StringComparison.Ordinal);
        Assert.True(dom.IndexOf("id=\"dns-path\"", StringComparison.Ordinal) < dom.IndexOf("id=\"findings\"", StringComparison.Ordinal));
        // The page's script still ran under its CSP (copy buttons), so the drawing did not need anything the policy forbids.
        Assert.Contains("<button type=\"button\" class=\"copy\">Copy</button>", dom, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Request_text_is_shown_as_text_never_run_as_markup()
    {
        var sample = await _client.GetStringAsync("/api/v1/samples/autopath-wrong-answers");
        var node = System.Text.Json.Nodes.JsonNode.Parse(sample)!;
        node["symptom"]!["errorMessage"] = "<img src=x onerror=\"document.title='pwned'\"><script>document.title='pwned'</script>";
        var posted = await _client.PostAsync("/api/v1/diagnoses", new StringContent(node.ToJsonString(), Encoding.UTF8, "application/json"));
        var id = JsonDocument.Parse(await posted.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString();

        var page = await _client.GetAsync($"/reports/{id}");
        Assert.Contains("script-src 'nonce-", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        var dom = await Chromium("--dump-dom", $"{_base}/reports/{id}");

        Assert.DoesNotContain("pwned</title>", dom, StringComparison.Ordinal);
        Assert.DoesNotContain("<img src=\"x\"", dom, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_screenshot_renders_and_an_unknown_id_is_a_404_page()
    {
        var id = await Diagnose("sick-cluster");
        var png = Path.Combine(_dir, "report.png");

        await Chromium($"--screenshot={png}", "--window-size=1100,1400", "--hide-scrollbars", $"{_base}/reports/{id}");

        var bytes = await File.ReadAllBytesAsync(png);
        Assert.True(bytes.Length > 10_000, $"screenshot of {bytes.Length} bytes");
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], bytes[..4]);

        var missing = await _client.GetAsync("/reports/0123456789abcdef0123456789abcdef");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("text/html", missing.Content.Headers.ContentType!.MediaType);
    }

    private static int CountOf(string text, string part)
    {
        var count = 0;
        for (var i = text.IndexOf(part, StringComparison.Ordinal); i >= 0; i = text.IndexOf(part, i + part.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    [System.Text.RegularExpressions.GeneratedRegex("<g class=\"hop [a-z]+\" data-kind=\"(?<kind>[a-z-]+)\" data-status=\"(?<status>[a-z]+)\">")]
    private static partial System.Text.RegularExpressions.Regex HopRegex();

    private static string WebEncode(string text) => WebUtility.HtmlEncode(text).Replace("&#39;", "&#x27;", StringComparison.Ordinal);
}
