using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;

namespace DnsExpert.Api.Tests;

/// <summary>
/// <c>DnsExpert:Alerts:CallbackUrl</c>: each alert group's diagnosis is delivered, when it ends, to a receiver on
/// 127.0.0.1 (allow-listed as any callback must be); a URL the callback rules refuse stops start-up naming the key.
/// </summary>
public sealed class AlertCallbackTests : IAsyncLifetime
{
    private readonly ConcurrentQueue<string> _received = new();
    private readonly TaskCompletionSource _delivered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly string _history = Path.Combine(Path.GetTempPath(), $"dnsexpert-alert-callback-{Guid.NewGuid():N}.db");
    private WebApplication _receiver = null!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _receiver = builder.Build();
        _receiver.MapPost("/alerts", async (HttpRequest request) =>
        {
            using var reader = new StreamReader(request.Body, Encoding.UTF8);
            _received.Enqueue(await reader.ReadToEndAsync());
            _delivered.TrySetResult();
            return Results.NoContent();
        });
        await _receiver.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _receiver.DisposeAsync();
        File.Delete(_history);
    }

    private WebApplicationFactory<Program> Api(string callbackUrl, string format = "json") => new ApiFactory().WithWebHostBuilder(b => b
        .UseSetting("DnsExpert:History:ConnectionString", _history)
        .UseSetting("DnsExpert:Callbacks:AllowedHosts:0", "127.0.0.1")
        .UseSetting("DnsExpert:Callbacks:AllowHttp", "true")
        .UseSetting("DnsExpert:Alerts:CallbackUrl", callbackUrl)
        .UseSetting("DnsExpert:Alerts:CallbackFormat", format));

    private async Task<(string Id, JsonElement Delivered, HttpClient Client)> Alert(WebApplicationFactory<Program> api)
    {
        var client = api.CreateClient();
        var response = await client.PostAsync("/api/v1/alerts/alertmanager",
            new StringContent(AlertmanagerWebhookTests.Documented().ToJsonString(), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = (await response.Json()).GetProperty("diagnosisId").GetString()!;
        await _delivered.Task.WaitAsync(TimeSpan.FromSeconds(60));
        return (id, JsonDocument.Parse(_received.Single()).RootElement, client);
    }

    [Fact]
    public async Task An_alert_groups_diagnosis_is_delivered_to_the_configured_callback_when_it_ends()
    {
        using var api = Api($"{_receiver.Urls.First()}/alerts");
        var (id, delivered, client) = await Alert(api);
        using (client)
        {
            Assert.Equal(id, delivered.GetProperty("id").GetString());
            Assert.Equal("completed", delivered.GetProperty("status").GetString());
            Assert.Equal("coredns-5d78c9869d-x7k2p", delivered.GetProperty("target").GetProperty("pod").GetString());
        }
    }

    [Theory]
    [InlineData("slack")]
    [InlineData("teams")]
    public async Task A_chat_webhook_receives_the_diagnosis_as_its_message_and_the_delivery_is_recorded(string format)
    {
        using var api = Api($"{_receiver.Urls.First()}/alerts", format);
        var (id, delivered, client) = await Alert(api);
        using (client)
        {
            if (format == "slack")
            {
                Assert.True(delivered.GetProperty("blocks").GetArrayLength() > 0);
                Assert.Contains(id, delivered.GetProperty("text").GetString() + delivered.GetProperty("blocks").ToString(), StringComparison.Ordinal);
            }
            else
            {
                Assert.Equal("message", delivered.GetProperty("type").GetString());
                Assert.Equal("application/vnd.microsoft.card.adaptive", delivered.GetProperty("attachments")[0].GetProperty("contentType").GetString());
            }

            // The delivery is recorded on the diagnosis as a callback's is.
            JsonElement callback = default;
            for (var i = 0; i < 100 && callback.ValueKind != JsonValueKind.Object; i++)
            {
                var stored = await (await client.GetAsync($"/api/v1/diagnoses/{id}")).Json();
                if (stored.TryGetProperty("callback", out var c) && c.ValueKind == JsonValueKind.Object && c.GetProperty("state").GetString() == "delivered")
                {
                    callback = c;
                }
                else
                {
                    await Task.Delay(100);
                }
            }

            Assert.Equal("delivered", callback.GetProperty("state").GetString());
        }
    }

    [Fact]
    public void A_format_other_than_json_slack_or_teams_stops_start_up_naming_the_key()
    {
        using var api = Api("http://127.0.0.1/alerts", "markdown");
        var error = Assert.ThrowsAny<Exception>(() => api.CreateClient());
        Assert.Contains("DnsExpert:Alerts:CallbackFormat must be json, slack or teams", error.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ftp://127.0.0.1/alerts")]
    [InlineData("http://user:secret@127.0.0.1/alerts")]
    [InlineData("https://hooks.example.com/alerts")]   // not in AllowedHosts
    public void A_callback_url_the_callback_rules_refuse_stops_start_up_naming_the_key(string url)
    {
        using var api = Api(url);
        var error = Assert.ThrowsAny<Exception>(() => api.CreateClient());
        Assert.Contains("DnsExpert:Alerts:CallbackUrl", error.ToString(), StringComparison.Ordinal);
    }
}
