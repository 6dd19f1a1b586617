using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DnsExpert.Api.Alerts;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace DnsExpert.Api.Tests;

/// <summary>
/// <c>POST /api/v1/alerts/alertmanager</c> with the payloads an Alertmanager <c>webhook_config</c> sends. The shapes
/// follow the payload the Alertmanager documentation gives (prometheus.io/docs/alerting/latest/configuration/#webhook_config,
/// version 4: <c>groupKey</c>, <c>truncatedAlerts</c>, <c>externalURL</c>, alerts with <c>fingerprint</c> and
/// <c>generatorURL</c>), filled with a CoreDNS alert of <c>deploy/prometheus</c>: the OpenAPI example
/// <c>ReceiveAlertmanagerNotification.request.json</c>.
/// </summary>
public sealed class AlertmanagerWebhookTests : IDisposable
{
    private const string Path = "/api/v1/alerts/alertmanager";
    private readonly ApiFactory _api = new();
    private readonly HttpClient _client;

    public AlertmanagerWebhookTests() => _client = _api.CreateClient();

    public void Dispose()
    {
        _client.Dispose();
        _api.Dispose();
    }

    /// <summary>The documented payload: one firing CoreDNSServfailRateHigh on kube-system/coredns-5d78c9869d-x7k2p.</summary>
    internal static JsonObject Documented() => JsonNode.Parse(File.ReadAllText(System.IO.Path.Combine(
        ApiFactory.RepoRoot, "src", "DnsExpert.Api", "OpenApi", "Examples", "ReceiveAlertmanagerNotification.request.json")))!.AsObject();

    private static StringContent Body(JsonNode payload) => new(payload.ToJsonString(), Encoding.UTF8, "application/json");

    private async Task<JsonElement> Post(JsonNode payload, HttpStatusCode expected = HttpStatusCode.Accepted)
    {
        var response = await _client.PostAsync(Path, Body(payload));
        var json = await response.Json();
        Assert.True(expected == response.StatusCode, $"{response.StatusCode}: {json}");
        return json;
    }

    /// <summary>The payload with its alert (and the group's labels) renamed and its rule label removed or kept.</summary>
    private static JsonObject Alert(string name, bool ruleLabel, string groupKey)
    {
        var payload = Documented();
        payload["groupKey"] = groupKey;
        foreach (var labels in new[] { payload["commonLabels"]!, payload["alerts"]![0]!["labels"]! }.Select(l => l.AsObject()))
        {
            labels["alertname"] = name;
            if (!ruleLabel)
            {
                labels.Remove("dnsexpert_rule");
            }
        }

        return payload;
    }

    internal static async Task<JsonElement> PollAsync(HttpClient client, string location)
    {
        for (var i = 0; i < 600; i++)
        {
            var current = await (await client.GetAsync(location)).Json();
            if (current.GetProperty("status").GetString() != "running")
            {
                return current;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"{location} still running after 60 s");
    }

    [Fact]
    public async Task A_firing_dns_alert_group_starts_one_diagnosis_scoped_to_its_pod_and_a_repeat_returns_it()
    {
        var response = await _client.PostAsync(Path, Body(Documented()));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var accepted = await response.Json();
        Assert.Equal("diagnosing", accepted.GetProperty("outcome").GetString());
        var id = accepted.GetProperty("diagnosisId").GetString()!;
        Assert.Equal($"/api/v1/diagnoses/{id}", response.Headers.Location!.ToString());
        Assert.Equal($"/api/v1/diagnoses/{id}", accepted.GetProperty("links").GetProperty("self").GetString());
        Assert.Equal(["CoreDNSServfailRateHigh"], accepted.GetProperty("alerts").EnumerateArray().Select(a => a.GetString()));

        var repeat = await Post(Documented());
        Assert.Equal("repeat", repeat.GetProperty("outcome").GetString());
        Assert.Equal(id, repeat.GetProperty("diagnosisId").GetString());

        var done = await PollAsync(_client, $"/api/v1/diagnoses/{id}");
        Assert.Equal("completed", done.GetProperty("status").GetString());
        var stored = await (await _client.GetAsync($"/api/v1/diagnoses/{id}/request")).Json();
        Assert.Equal("kube-system", stored.GetProperty("target").GetProperty("namespace").GetString());
        Assert.Equal("coredns-5d78c9869d-x7k2p", stored.GetProperty("target").GetProperty("pod").GetString());
        var text = stored.GetProperty("symptom").GetProperty("errorMessage").GetString()!;
        Assert.Contains("alert CoreDNSServfailRateHigh (dnsexpert_rule coredns-servfail-rate-high) firing since 2026-12-06T21:40:12Z", text, StringComparison.Ordinal);
        Assert.Contains("summary: CoreDNS answers SERVFAIL to 23 % of queries", text, StringComparison.Ordinal);

        var list = await (await _client.GetAsync("/api/v1/diagnoses?namespace=kube-system")).Json();
        Assert.Equal([id], list.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetString()));
    }

    [Fact]
    public async Task Notifications_of_one_group_at_once_start_one_diagnosis()
    {
        var answers = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Post(Documented())));

        Assert.Single(answers.Select(a => a.GetProperty("diagnosisId").GetString()).Distinct());
        Assert.Equal(1, answers.Count(a => a.GetProperty("outcome").GetString() == "diagnosing"));
    }

    [Fact]
    public async Task A_resolved_notification_is_recorded_not_diagnosed_and_ends_the_group()
    {
        var first = (await Post(Documented())).GetProperty("diagnosisId").GetString();
        var resolved = Documented();
        resolved["status"] = "resolved";
        resolved["alerts"]![0]!["status"] = "resolved";
        resolved["alerts"]![0]!["endsAt"] = "2026-12-06T22:05:12.345Z";

        var recorded = await Post(resolved);

        Assert.Equal("resolved", recorded.GetProperty("outcome").GetString());
        Assert.Equal(first, recorded.GetProperty("diagnosisId").GetString());
        var again = await Post(Documented());
        Assert.Equal("diagnosing", again.GetProperty("outcome").GetString());
        Assert.NotEqual(first, again.GetProperty("diagnosisId").GetString());
        var unknown = Documented();
        unknown["status"] = "resolved";
        unknown["groupKey"] = "{}:{alertname=\"never-fired\"}";
        Assert.Equal(JsonValueKind.Null, (await Post(unknown)).GetProperty("diagnosisId").ValueKind);
    }

    [Fact]
    public async Task Mixin_alerts_count_by_name_other_alerts_are_ignored()
    {
        var mixin = await Post(Alert("CoreDNSErrorsHigh", ruleLabel: false, "{}:{alertname=\"CoreDNSErrorsHigh\"}"));
        Assert.Equal("diagnosing", mixin.GetProperty("outcome").GetString());

        var labelled = await Post(Alert("MyOwnDnsAlert", ruleLabel: true, "{}:{alertname=\"MyOwnDnsAlert\"}"));
        Assert.Equal("diagnosing", labelled.GetProperty("outcome").GetString());

        var watchdog = await Post(Alert("Watchdog", ruleLabel: false, "{}:{alertname=\"Watchdog\"}"));
        Assert.Equal("ignored", watchdog.GetProperty("outcome").GetString());
        Assert.Equal(["Watchdog"], watchdog.GetProperty("ignored").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal(JsonValueKind.Null, watchdog.GetProperty("diagnosisId").ValueKind);
    }

    [Fact]
    public async Task A_configured_list_of_names_replaces_the_default_one()
    {
        using var api = _api.WithWebHostBuilder(b => b.UseSetting("DnsExpert:Alerts:Names:0", "ClusterDnsSlow"));
        using var client = api.CreateClient();

        var outcomes = new List<string?>();
        foreach (var name in new[] { "ClusterDnsSlow", "CoreDNSDown" })
        {
            var response = await client.PostAsync(Path, Body(Alert(name, ruleLabel: false, $"{{}}:{{alertname=\"{name}\"}}")));
            outcomes.Add((await response.Json()).GetProperty("outcome").GetString());
        }

        Assert.Equal(["diagnosing", "ignored"], outcomes);
    }

    [Theory]
    [InlineData("version", "\"3\"", "version")]
    [InlineData("status", "\"pending\"", "status")]
    [InlineData("groupKey", "null", "groupKey")]
    [InlineData("alerts", "[]", "alerts")]
    public async Task A_payload_that_is_not_alertmanagers_is_a_422_naming_the_field(string field, string value, string named)
    {
        var payload = Documented();
        payload[field] = JsonNode.Parse(value);

        var problem = await Post(payload, HttpStatusCode.UnprocessableEntity);

        Assert.True(problem.GetProperty("errors").TryGetProperty(named, out _), problem.ToString());
    }

    [Fact]
    public async Task Alerts_are_checked_one_by_one_and_wrong_types_are_a_400_naming_the_path()
    {
        var payload = Documented();
        payload["alerts"]![0]!["status"] = "active";
        var problem = await Post(payload, HttpStatusCode.UnprocessableEntity);
        Assert.True(problem.GetProperty("errors").TryGetProperty("alerts[0].status", out _), problem.ToString());

        var noName = Documented();
        noName["alerts"]![0]!["labels"]!.AsObject().Remove("alertname");
        problem = await Post(noName, HttpStatusCode.UnprocessableEntity);
        Assert.True(problem.GetProperty("errors").TryGetProperty("alerts[0].labels", out _), problem.ToString());

        var wrongType = Documented();
        wrongType["alerts"]![0]!["labels"] = new JsonArray("alertname");
        problem = await Post(wrongType, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("alerts[0].labels", out _), problem.ToString());

        // Fields a later Alertmanager adds are skipped, not refused.
        var newer = Documented();
        newer["someFutureField"] = 1;
        newer["alerts"]![0]!["someFutureField"] = "x";
        Assert.Equal("diagnosing", (await Post(newer)).GetProperty("outcome").GetString());
    }

    [Fact]
    public async Task A_read_only_key_may_not_start_diagnoses_from_alerts()
    {
        var (key, line) = Security.ApiKeyStore.NewKey("auditor");
        using var api = _api.WithWebHostBuilder(b => b
            .UseSetting("DnsExpert:Auth:Enabled", "true")
            .UseSetting("DnsExpert:Auth:ApiKeys:0", line)
            .UseSetting("DnsExpert:Auth:Scopes:auditor:Role", "read"));
        using var client = api.CreateClient();

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.PostAsync(Path, Body(Documented()))).StatusCode);
        client.DefaultRequestHeaders.Add("X-API-Key", key);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.PostAsync(Path, Body(Documented()))).StatusCode);
    }

    [Fact]
    public void The_default_names_cover_every_alert_of_deploy_prometheus()
    {
        var rules = File.ReadAllLines(System.IO.Path.Combine(ApiFactory.RepoRoot, "deploy", "prometheus", "dnsexpert-coredns.rules.yaml"));
        var alerts = rules.Select(l => l.Trim()).Where(l => l.StartsWith("- alert: ", StringComparison.Ordinal)).Select(l => l["- alert: ".Length..]).ToList();

        Assert.NotEmpty(alerts);
        Assert.All(alerts, a => Assert.Contains(a, AlertOptions.DefaultNames));
    }

    [Theory]
    [InlineData("coredns-5d78c9869d-x7k2p:9153", "coredns-5d78c9869d-x7k2p")]
    [InlineData("10.244.0.12:9153", null)]
    [InlineData("[fd00::12]:9153", null)]
    public void A_pod_comes_from_the_pod_label_or_an_instance_that_names_one(string instance, string? pod)
    {
        var alert = new AlertmanagerAlert { Status = "firing", Labels = new() { ["alertname"] = "CoreDNSDown", ["namespace"] = "kube-system", ["instance"] = instance } };

        Assert.Equal(pod, AlertRequests.Target([alert])?.Pod);
        alert.Labels["pod"] = "coredns-abc";
        Assert.Equal("coredns-abc", AlertRequests.Target([alert])?.Pod);
        var other = new AlertmanagerAlert { Status = "firing", Labels = new() { ["alertname"] = "CoreDNSDown", ["namespace"] = "kube-system", ["pod"] = "coredns-def" } };
        Assert.Null(AlertRequests.Target([alert, other]));
    }

    [Fact]
    public void The_alerts_text_stays_within_the_error_message_limit_on_one_line_per_field()
    {
        var alerts = Enumerable.Range(0, 50).Select(i => new AlertmanagerAlert
        {
            Status = "firing",
            Labels = new() { ["alertname"] = "CoreDNSDown", ["pod"] = $"coredns-{i}" },
            Annotations = new() { ["summary"] = new string('x', 400) + "\nsecond line\u0007" },
        }).ToList();

        var text = AlertRequests.Describe(new AlertmanagerNotification { Receiver = "dnsexpert", TruncatedAlerts = 3 }, alerts, 2_000);

        Assert.Equal(2_000, text.Length);
        Assert.StartsWith("Alertmanager notification (dnsexpert): 50 firing DNS alert(s), 3 more left out by max_alerts\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\u0007", text, StringComparison.Ordinal);
        Assert.Contains("summary: " + new string('x', 400) + " second line ", text, StringComparison.Ordinal);
    }
}
