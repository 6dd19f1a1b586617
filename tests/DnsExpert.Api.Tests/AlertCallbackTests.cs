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

    private WebApplicationFactory<Program> Api(string callbackUrl) => new ApiFactory().WithWebHostBuilder(b => b
        .UseSetting("DnsExpert:History:ConnectionString", _history)
        .UseSetting("DnsExpert:Callbacks:AllowedHosts:0", "127.0.0.1")
        .UseSetting("DnsExpert:Callbacks:AllowHttp", "true")
        .UseSetting("DnsExpert:Alerts:CallbackUrl", callbackUrl));

    [Fact]
    public async Task An_alert_groups_diagnosis_is_delivered_to_the_configured_callback_when_it_ends()
    {
        using var api = Api($"{_receiver.Urls.First()}/alerts");
        using var client = api.CreateClient();

        var response = await client.PostAsync("/api/v1/alerts/alertmanager",
            new StringContent(AlertmanagerWebhookTests.Documented().ToJsonString(), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = (await response.Json()).GetProperty("diagnosisId").GetString();

        await _delivered.Task.WaitAsync(TimeSpan.FromSeconds(60));
        using var delivered = JsonDocument.Parse(_received.Single());
        Assert.Equal(id, delivered.RootElement.GetProperty("id").GetString());
        Assert.Equal("completed", delivered.RootElement.GetProperty("status").GetString());
        Assert.Equal("coredns-5d78c9869d-x7k2p", delivered.RootElement.GetProperty("target").GetProperty("pod").GetString());
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
