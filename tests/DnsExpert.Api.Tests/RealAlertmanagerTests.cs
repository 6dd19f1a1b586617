using System.Net;
using System.Text;
using System.Text.Json;
using DnsExpert.Api.Hosting;
using DnsExpert.Api.Security;
using Microsoft.AspNetCore.Builder;

namespace DnsExpert.Api.Tests;

/// <summary>
/// A real Alertmanager (Debian's <c>prometheus-alertmanager</c>) routes to the service on a loopback port through a
/// <c>webhook_config</c> with the service's API key in <c>http_config.authorization</c>: an alert posted to
/// Alertmanager's API v2 ends in a stored diagnosis of the pod it names.
/// </summary>
public sealed class RealAlertmanagerTests : IAsyncLifetime, IDisposable
{
    private static readonly (string Key, string Line) Key = ApiKeyStore.NewKey("alertmanager");
    private readonly string _dir = Directory.CreateTempSubdirectory("dnsexpert-am-").FullName;
    private WebApplication _app = null!;
    private HttpClient _client = null!;
    private AlertmanagerProcess _alertmanager = null!;

    public async Task InitializeAsync()
    {
        _app = DnsExpertHost.Build([
            "--urls", "http://127.0.0.1:0",
            "--DnsExpert:RulesDirectory", Path.Combine(ApiFactory.RepoRoot, "rules"),
            "--DnsExpert:History:ConnectionString", Path.Combine(_dir, "history.db"),
            "--DnsExpert:Auth:Enabled", "true",
            "--DnsExpert:Auth:ApiKeys:0", Key.Line,
            "--Logging:LogLevel:Default", "Warning",
        ]);
        await _app.StartAsync();
        var service = _app.Urls.First();
        _client = new HttpClient { BaseAddress = new Uri(service) };
        _client.DefaultRequestHeaders.Add("X-API-Key", Key.Key);

        // As an operator writes it (README): the key in http_config.authorization, type ApiKey; quick grouping for a test.
        _alertmanager = await AlertmanagerProcess.StartAsync($"""
            route:
              receiver: dnsexpert
              group_by: [alertname, namespace]
              group_wait: 0s
              group_interval: 1s
              repeat_interval: 1h
            receivers:
              - name: dnsexpert
                webhook_configs:
                  - url: {service}/api/v1/alerts/alertmanager
                    send_resolved: true
                    http_config:
                      authorization:
                        type: ApiKey
                        credentials: {Key.Key}
            """);
    }

    public async Task DisposeAsync()
    {
        await _alertmanager.DisposeAsync();
        _client.Dispose();
        await _app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    public void Dispose() => _client?.Dispose();

    [Fact]
    public async Task An_alert_posted_to_alertmanager_ends_in_a_stored_diagnosis()
    {
        var alert = """
            [{
              "labels": {"alertname": "CoreDNSServfailRateHigh", "dnsexpert_rule": "coredns-servfail-rate-high", "severity": "critical",
                         "namespace": "kube-system", "pod": "coredns-5d78c9869d-x7k2p", "instance": "10.244.0.12:9153", "job": "kube-dns"},
              "annotations": {"summary": "CoreDNS answers SERVFAIL to 23 % of queries"}
            }]
            """;
        using var alertmanager = new HttpClient { BaseAddress = _alertmanager.Address };
        var posted = await alertmanager.PostAsync("/api/v2/alerts", new StringContent(alert, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, posted.StatusCode);

        var diagnosis = await FirstDiagnosisAsync();

        Assert.Equal("kube-system", diagnosis.GetProperty("target").GetProperty("namespace").GetString());
        Assert.Equal("coredns-5d78c9869d-x7k2p", diagnosis.GetProperty("target").GetProperty("pod").GetString());
        var id = diagnosis.GetProperty("id").GetString()!;
        var done = await AlertmanagerWebhookTests.PollAsync(_client, $"/api/v1/diagnoses/{id}");
        Assert.Equal("completed", done.GetProperty("status").GetString());
        var stored = await (await _client.GetAsync($"/api/v1/diagnoses/{id}/request")).Json();
        Assert.Contains("alert CoreDNSServfailRateHigh (dnsexpert_rule coredns-servfail-rate-high) firing since",
            stored.GetProperty("symptom").GetProperty("errorMessage").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_readme_receiver_is_a_configuration_alertmanager_accepts()
    {
        var readme = File.ReadAllText(Path.Combine(ApiFactory.RepoRoot, "README.md"));
        var start = readme.IndexOf("# alertmanager.yml:", StringComparison.Ordinal);
        Assert.True(start >= 0, "README has no alertmanager.yml snippet");
        var snippet = readme[start..readme.IndexOf("```", start, StringComparison.Ordinal)];
        var file = Path.Combine(_dir, "readme-alertmanager.yml");
        await File.WriteAllTextAsync(file, snippet);

        var (exit, output) = await DnsExpert.Testing.InstalledTool.RunAsync("amtool", "prometheus-alertmanager", ["check-config", file]);

        Assert.True(exit == 0, output);
        Assert.Contains("/api/v1/alerts/alertmanager", snippet, StringComparison.Ordinal);
    }

    /// <summary>The first diagnosis the history lists, polled for up to 60 s while Alertmanager groups and notifies.</summary>
    private async Task<JsonElement> FirstDiagnosisAsync()
    {
        for (var i = 0; i < 600; i++)
        {
            var page = await (await _client.GetAsync("/api/v1/diagnoses")).Json();
            if (page.GetProperty("items").EnumerateArray().FirstOrDefault() is { ValueKind: JsonValueKind.Object } first)
            {
                return first;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("no diagnosis 60 s after the alert was posted; Alertmanager said:\n" + _alertmanager.Output);
    }
}
