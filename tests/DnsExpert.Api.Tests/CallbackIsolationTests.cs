using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;

namespace DnsExpert.Api.Tests;

/// <summary>
/// Hostile callback receivers on 127.0.0.1 (one that never answers, one that asks to retry in an hour) against a
/// service with one diagnosis worker and one delivery worker: diagnoses never wait for a receiver, deliveries end within
/// their bounds, and each diagnosis says where its delivery stands.
/// </summary>
public sealed class CallbackIsolationTests : IAsyncLifetime
{
    private readonly string _history = ApiFactory.TempHistory();
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _busyCalls;
    private int _hangingCalls;
    private int _slowDelivered;
    private WebApplication _receiver = null!;
    private string _base = "";
    private WebApplicationFactory<Program> _factory = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _receiver = builder.Build();
        _receiver.MapPost("/hang", async (CancellationToken aborted) =>
        {
            Interlocked.Increment(ref _hangingCalls);
            await _release.Task.WaitAsync(aborted);
            return Results.NoContent();
        });
        _receiver.MapPost("/busy", (HttpResponse response) =>
        {
            Interlocked.Increment(ref _busyCalls);
            response.Headers.RetryAfter = "3600";
            return Results.StatusCode(503);
        });
        _receiver.MapPost("/ok", () => Results.NoContent());
        _receiver.MapPost("/slow", async () =>
        {
            await Task.Delay(500);
            Interlocked.Increment(ref _slowDelivered);
            return Results.NoContent();
        });
        await _receiver.StartAsync();
        _base = _receiver.Urls.First();

        _factory = new ApiFactory().WithWebHostBuilder(b => b
            .UseSetting("DnsExpert:History:ConnectionString", _history)
            .UseSetting("DnsExpert:Async:Workers", "1")
            .UseSetting("DnsExpert:Callbacks:Workers", "1")
            .UseSetting("DnsExpert:Callbacks:AllowedHosts:0", "127.0.0.1")
            .UseSetting("DnsExpert:Callbacks:AllowHttp", "true")
            .UseSetting("DnsExpert:Callbacks:MaxAttempts", "3")
            .UseSetting("DnsExpert:Callbacks:RetryDelay", "00:00:00.050")
            .UseSetting("DnsExpert:Callbacks:MaxRetryAfter", "00:00:00.200")
            .UseSetting("DnsExpert:Callbacks:AttemptTimeout", "00:01:00")
            .UseSetting("DnsExpert:Callbacks:MaxDeliveryTime", "00:00:03"));
        _client = _factory.CreateClient();
    }

    public async Task DisposeAsync()
    {
        _release.TrySetResult();
        await _factory.DisposeAsync();
        await _receiver.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var suffix in new[] { "", "-wal", "-shm" })
        {
            File.Delete(_history + suffix);
        }
    }

    private static string Sample(string name) => File.ReadAllText(Path.Combine(ApiFactory.RepoRoot, "src", "DnsExpert.Api", "Samples", name + ".json"));

    private static StringContent Body(string json) => new(json, Encoding.UTF8, "application/json");

    private static StringContent WithCallback(string url)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(Sample("autopath-wrong-answers"))!;
        node["callbackUrl"] = url;
        return Body(node.ToJsonString());
    }

    private async Task<string> PostAsync(HttpContent body)
    {
        var response = await _client.PostAsync("/api/v1/diagnoses?wait=false", body);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Json()).GetProperty("id").GetString()!;
    }

    private Task<JsonElement> WaitForAsync(string id, Func<JsonElement, bool> done, TimeSpan within) => WaitForAsync(_client, id, done, within);

    private static async Task<JsonElement> WaitForAsync(HttpClient client, string id, Func<JsonElement, bool> done, TimeSpan within)
    {
        var until = DateTime.UtcNow + within;
        JsonElement json;
        do
        {
            json = await (await client.GetAsync($"/api/v1/diagnoses/{id}")).Json();
            if (done(json))
            {
                return json;
            }

            await Task.Delay(50);
        }
        while (DateTime.UtcNow < until);

        throw new TimeoutException($"diagnosis {id} did not get there in {within}: {json}");
    }

    private static string? CallbackState(JsonElement diagnosis) =>
        diagnosis.TryGetProperty("callback", out var callback) ? callback.GetProperty("state").GetString() : null;

    [Fact]
    public async Task A_receiver_that_never_answers_holds_no_diagnosis_worker_and_is_given_up_in_time()
    {
        var stuck = await PostAsync(WithCallback(_base + "/hang"));
        await WaitForAsync(stuck, d => d.GetProperty("status").GetString() == "completed", TimeSpan.FromSeconds(30));
        for (var i = 0; i < 100 && Volatile.Read(ref _hangingCalls) == 0; i++)
        {
            await Task.Delay(50);
        }

        Assert.Equal(1, Volatile.Read(ref _hangingCalls));

        // The only delivery worker is held by the silent receiver; the only diagnosis worker is free.
        var others = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            others.Add(await PostAsync(Body(Sample("sick-cluster"))));
        }

        foreach (var id in others)
        {
            var done = await WaitForAsync(id, d => d.GetProperty("status").GetString() != "running", TimeSpan.FromSeconds(20));
            Assert.Equal("completed", done.GetProperty("status").GetString());
        }

        Assert.Equal("pending", CallbackState(await (await _client.GetAsync($"/api/v1/diagnoses/{stuck}")).Json()));

        // MaxDeliveryTime (3 s) ends the delivery however long the receiver would hold it.
        var given = await WaitForAsync(stuck, d => CallbackState(d) == "failed", TimeSpan.FromSeconds(20));
        var callback = given.GetProperty("callback");
        Assert.Contains("gave up after 3 s", callback.GetProperty("lastError").GetString()!, StringComparison.Ordinal);
        Assert.Equal("completed", given.GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_receiver_that_never_answers_delays_only_its_own_callbacks()
    {
        // A second receiver, healthy, on a port of its own: another receiver for the delivery queues.
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var healthy = builder.Build();
        healthy.MapPost("/ok", () => Results.NoContent());
        await healthy.StartAsync();
        await using var factory = new ApiFactory().WithWebHostBuilder(b => b
            .UseSetting("DnsExpert:Callbacks:AllowedHosts:0", "127.0.0.1")
            .UseSetting("DnsExpert:Callbacks:AllowHttp", "true")
            .UseSetting("DnsExpert:Callbacks:Workers", "4")
            .UseSetting("DnsExpert:Callbacks:MaxDeliveriesPerReceiver", "2")
            .UseSetting("DnsExpert:Callbacks:ReceiverQueueCapacity", "10")
            .UseSetting("DnsExpert:Callbacks:MaxAttempts", "1")
            .UseSetting("DnsExpert:Callbacks:AttemptTimeout", "00:05:00")
            .UseSetting("DnsExpert:Callbacks:MaxDeliveryTime", "00:05:00"));
        using var client = factory.CreateClient();
        var silent = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            var answer = await client.PostAsync("/api/v1/diagnoses", WithCallback(_base + "/hang"));
            silent.Add((await answer.Json()).GetProperty("id").GetString()!);
        }

        var response = await client.PostAsync("/api/v1/diagnoses", WithCallback(healthy.Urls.First() + "/ok"));
        var id = (await response.Json()).GetProperty("id").GetString()!;

        // Queued behind 20 callbacks to a receiver that holds each delivery for 5 minutes, and delivered all the same.
        var delivered = await WaitForAsync(client, id, d => CallbackState(d) != "pending", TimeSpan.FromSeconds(60));
        Assert.Equal("delivered", CallbackState(delivered));

        // Meanwhile the silent receiver has at most 2 deliveries out and a full queue: its callbacks are pending, or
        // refused at once once its queue held 10.
        var states = new List<JsonElement>();
        foreach (var stuck in silent)
        {
            states.Add((await (await client.GetAsync($"/api/v1/diagnoses/{stuck}")).Json()).GetProperty("callback"));
        }

        Assert.InRange(Volatile.Read(ref _hangingCalls), 0, 2);
        Assert.All(states, c => Assert.NotEqual("delivered", c.GetProperty("state").GetString()));
        var refused = states.Where(c => c.GetProperty("state").GetString() == "failed").ToList();
        Assert.InRange(refused.Count, 8, 10);
        Assert.All(refused, c => Assert.Contains("(DnsExpert:Callbacks:ReceiverQueueCapacity)", c.GetProperty("lastError").GetString()!, StringComparison.Ordinal));

        _release.TrySetResult();
    }

    [Fact]
    public async Task Retry_after_an_hour_is_cut_to_the_cap_and_the_failure_is_recorded_with_its_last_error()
    {
        var id = await PostAsync(WithCallback(_base + "/busy"));

        var failed = await WaitForAsync(id, d => CallbackState(d) == "failed", TimeSpan.FromSeconds(15));

        var callback = failed.GetProperty("callback");
        Assert.Equal(3, callback.GetProperty("attempts").GetInt32());
        Assert.Equal("HTTP 503", callback.GetProperty("lastError").GetString());
        Assert.Equal(3, Volatile.Read(ref _busyCalls));
    }

    [Fact]
    public async Task A_delivered_callback_says_so_and_a_synchronous_answer_says_it_is_pending()
    {
        var response = await _client.PostAsync("/api/v1/diagnoses", WithCallback(_base + "/ok"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = await response.Json();
        Assert.Equal("pending", CallbackState(answer));

        var delivered = await WaitForAsync(answer.GetProperty("id").GetString()!, d => CallbackState(d) == "delivered", TimeSpan.FromSeconds(15));

        Assert.Equal(1, delivered.GetProperty("callback").GetProperty("attempts").GetInt32());
        Assert.False(delivered.GetProperty("callback").TryGetProperty("lastError", out _));
    }

    [Theory]
    [InlineData(null, "failed")]
    [InlineData("127.0.0.0/8", "delivered")]
    public async Task An_allowed_name_that_resolves_to_loopback_is_refused_at_connect_time_unless_its_range_is_allowed(string? allowedCidr, string expected)
    {
        var port = new Uri(_base).Port;
        await using var factory = new ApiFactory().WithWebHostBuilder(b =>
        {
            b.UseSetting("DnsExpert:History:ConnectionString", ApiFactory.TempHistory())
                .UseSetting("DnsExpert:Callbacks:AllowedHosts:0", "localhost")
                .UseSetting("DnsExpert:Callbacks:AllowHttp", "true")
                .UseSetting("DnsExpert:Callbacks:MaxAttempts", "1");
            if (allowedCidr is not null)
            {
                b.UseSetting("DnsExpert:Callbacks:AllowedCidrs:0", allowedCidr);
            }
        });
        using var client = factory.CreateClient();

        var answer = await (await client.PostAsync("/api/v1/diagnoses", WithCallback($"http://localhost:{port}/ok"))).Json();
        var id = answer.GetProperty("id").GetString()!;
        JsonElement diagnosis = default;
        for (var i = 0; i < 200; i++)
        {
            diagnosis = await (await client.GetAsync($"/api/v1/diagnoses/{id}")).Json();
            if (CallbackState(diagnosis) != "pending")
            {
                break;
            }

            await Task.Delay(50);
        }

        Assert.Equal(expected, CallbackState(diagnosis));
        if (expected == "failed")
        {
            Assert.Contains("loopback", diagnosis.GetProperty("callback").GetProperty("lastError").GetString()!, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Stopping_the_service_delivers_the_callbacks_already_queued()
    {
        await using var factory = new ApiFactory().WithWebHostBuilder(b => b
            .UseSetting("DnsExpert:History:Provider", "none")
            .UseSetting("DnsExpert:Callbacks:AllowedHosts:0", "127.0.0.1")
            .UseSetting("DnsExpert:Callbacks:AllowHttp", "true")
            .UseSetting("DnsExpert:Callbacks:Workers", "1"));
        using var client = factory.CreateClient();
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/api/v1/diagnoses", WithCallback(_base + "/slow"))).StatusCode);
        }

        await factory.DisposeAsync();

        Assert.Equal(3, Volatile.Read(ref _slowDelivered));
    }
}
