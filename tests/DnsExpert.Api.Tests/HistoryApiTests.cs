using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;

namespace DnsExpert.Api.Tests;

/// <summary>
/// History, async diagnoses and callbacks through the real service: every diagnosis lands in a real SQLite file, and
/// callbacks go over real HTTP to a receiver on 127.0.0.1.
/// </summary>
public sealed class HistoryApiTests : IAsyncLifetime
{
    private const string SigningKey = "test-signing-key";
    private readonly ConcurrentQueue<(string Body, string? Signature, string? Id)> _received = new();
    private int _failuresLeft;
    private WebApplication _receiver = null!;
    private string _receiverUrl = "";
    private WebApplicationFactory<Program> _factory = null!;
    private HttpClient _client = null!;
    private readonly string _history = ApiFactory.TempHistory();

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _receiver = builder.Build();
        _receiver.MapPost("/hook", async (HttpRequest request) =>
        {
            if (Interlocked.Decrement(ref _failuresLeft) >= 0)
            {
                return Results.StatusCode(503);
            }

            using var reader = new StreamReader(request.Body);
            _received.Enqueue((await reader.ReadToEndAsync(), request.Headers["X-DnsExpert-Signature"], request.Headers["X-DnsExpert-Diagnosis"]));
            return Results.NoContent();
        });
        await _receiver.StartAsync();
        _receiverUrl = _receiver.Urls.First() + "/hook";

        _factory = new ApiFactory().WithWebHostBuilder(b => b
            .UseSetting("DnsExpert:History:ConnectionString", _history)
            .UseSetting("DnsExpert:Callbacks:AllowedHosts:0", "127.0.0.1")
            .UseSetting("DnsExpert:Callbacks:AllowHttp", "true")
            .UseSetting("DnsExpert:Callbacks:RetryDelay", "00:00:00.050")
            .UseSetting("DnsExpert:Callbacks:SigningKey", SigningKey));
        _client = _factory.CreateClient();
    }

    public async Task DisposeAsync()
    {
        await _factory.DisposeAsync();
        await _receiver.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var suffix in new[] { "", "-wal", "-shm" })
        {
            File.Delete(_history + suffix);
        }
    }

    private static StringContent Body(string json) => new(json, Encoding.UTF8, "application/json");

    private static string Sample(string name) => File.ReadAllText(Path.Combine(ApiFactory.RepoRoot, "src", "DnsExpert.Api", "Samples", name + ".json"));

    private static string WithField(string json, string field, string value)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(json)!;
        node[field] = value;
        return node.ToJsonString();
    }

    private static List<string> RuleIds(JsonElement json) => json.GetProperty("findings").EnumerateArray().Select(f => f.GetProperty("ruleId").GetString()!).ToList();

    private async Task<JsonElement> PollAsync(string location)
    {
        for (var i = 0; i < 200; i++)
        {
            var json = await (await _client.GetAsync(location)).Json();
            if (json.GetProperty("status").GetString() != "running")
            {
                return json;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException("the diagnosis kept running");
    }

    [Fact]
    public async Task A_diagnosis_is_kept_and_read_back_days_later_by_its_link()
    {
        var posted = await (await _client.PostAsync("/api/v1/diagnoses", Body(Sample("autopath-wrong-answers")))).Json();
        var id = posted.GetProperty("id").GetString()!;
        Assert.Equal("completed", posted.GetProperty("status").GetString());
        Assert.Equal($"/api/v1/diagnoses/{id}", posted.GetProperty("links").GetProperty("self").GetString());
        Assert.Equal($"/reports/{id}", posted.GetProperty("links").GetProperty("report").GetString());

        var response = await _client.GetAsync($"/api/v1/diagnoses/{id}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var read = await response.Json();
        Assert.Equal(RuleIds(posted), RuleIds(read));
        Assert.Equal("completed", read.GetProperty("status").GetString());
        Assert.Equal(posted.GetProperty("findings").GetRawText(), read.GetProperty("findings").GetRawText());
        Assert.Equal("web-7d4b9c-x2k4q", read.GetProperty("target").GetProperty("pod").GetString());
        Assert.True(read.GetProperty("durationMs").GetDouble() >= 0);

        var markdown = await _client.GetStringAsync($"/api/v1/diagnoses/{id}?format=markdown");
        Assert.Contains("coredns-autopath-enabled", markdown, StringComparison.Ordinal);
        Assert.Contains($"/reports/{id}", markdown, StringComparison.Ordinal);

        // The stored request replays to the same findings.
        var stored = await _client.GetStringAsync($"/api/v1/diagnoses/{id}/request");
        var replayed = await (await _client.PostAsync("/api/v1/diagnoses", Body(stored))).Json();
        Assert.Equal(RuleIds(posted), RuleIds(replayed));
        Assert.NotEqual(id, replayed.GetProperty("id").GetString());
    }

    [Fact]
    public async Task The_list_filters_by_pod_rule_and_time_and_pages()
    {
        foreach (var sample in new[] { "autopath-wrong-answers", "external-upstream-nxdomain", "sick-cluster", "autopath-wrong-answers" })
        {
            Assert.Equal(HttpStatusCode.OK, (await _client.PostAsync("/api/v1/diagnoses", Body(Sample(sample)))).StatusCode);
        }

        var all = await (await _client.GetAsync("/api/v1/diagnoses?limit=200")).Json();
        var items = all.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(4, items.Count);
        var created = items.Select(i => i.GetProperty("createdAt").GetDateTimeOffset()).ToList();
        Assert.Equal(created.OrderByDescending(c => c), created);

        var autopath = await (await _client.GetAsync("/api/v1/diagnoses?ruleId=coredns-autopath-enabled")).Json();
        Assert.All(autopath.GetProperty("items").EnumerateArray(), i => Assert.Contains("coredns-autopath-enabled", i.GetProperty("ruleIds").EnumerateArray().Select(r => r.GetString())));
        Assert.True(autopath.GetProperty("items").GetArrayLength() >= 2);

        var page1 = await (await _client.GetAsync("/api/v1/diagnoses?limit=3")).Json();
        Assert.Equal(3, page1.GetProperty("items").GetArrayLength());
        var cursor = page1.GetProperty("nextCursor").GetString();
        var page2 = await (await _client.GetAsync($"/api/v1/diagnoses?limit=3&cursor={cursor}")).Json();
        Assert.Equal(1, page2.GetProperty("items").GetArrayLength());
        Assert.False(page2.TryGetProperty("nextCursor", out _));

        var future = await (await _client.GetAsync("/api/v1/diagnoses?since=2099-01-01T00:00:00Z")).Json();
        Assert.Equal(0, future.GetProperty("items").GetArrayLength());
        var recent = await (await _client.GetAsync("/api/v1/diagnoses?since=1h&namespace=default")).Json();
        var inDefault = items.Where(i => i.GetProperty("target").GetProperty("namespace").GetString() == "default").Select(i => i.GetProperty("id").GetString()).ToList();
        Assert.InRange(inDefault.Count, 1, 3);                    // sick-cluster's pod lives elsewhere
        Assert.Equal(inDefault, recent.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetString()));
    }

    [Theory]
    [InlineData("since=yesterday", "since")]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=5000", "limit")]
    [InlineData("cursor=not-a-cursor!", "cursor")]
    [InlineData("namespace=Bad%0D%0AName", "namespace")]
    [InlineData("ruleId=%3Bcat%20/etc/passwd", "ruleId")]
    public async Task A_bad_list_query_is_a_422_naming_the_parameter(string query, string field)
    {
        var response = await _client.GetAsync($"/api/v1/diagnoses?{query}");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        Assert.True((await response.Json()).GetProperty("errors").TryGetProperty(field, out _));
    }

    [Theory]
    [InlineData("0123456789abcdef0123456789abcdef")]
    [InlineData("..%2F..%2Fetc%2Fpasswd")]
    [InlineData("x")]
    public async Task An_unknown_id_is_a_404_problem(string id)
    {
        foreach (var path in new[] { $"/api/v1/diagnoses/{id}", $"/api/v1/diagnoses/{id}/ticket", $"/api/v1/diagnoses/{id}/request" })
        {
            var response = await _client.GetAsync(path);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        }
    }

    [Fact]
    public async Task Wait_false_answers_202_with_a_location_then_the_result()
    {
        var response = await _client.PostAsync("/api/v1/diagnoses?wait=false", Body(Sample("sick-cluster")));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var location = response.Headers.Location!.ToString();
        Assert.Matches("^/api/v1/diagnoses/[0-9a-f]{32}$", location);
        Assert.NotNull(response.Headers.RetryAfter);
        var accepted = await response.Json();
        Assert.Contains(accepted.GetProperty("status").GetString(), new[] { "running", "completed" });

        var done = await PollAsync(location);
        Assert.Equal("completed", done.GetProperty("status").GetString());
        var sync = await (await _client.PostAsync("/api/v1/diagnoses", Body(Sample("sick-cluster")))).Json();
        Assert.Equal(RuleIds(sync), RuleIds(done));
    }

    [Fact]
    public async Task Wait_must_be_a_boolean()
    {
        // A bound query parameter: a value that does not bind is a 400 naming it, like ?limit=ten.
        var response = await _client.PostAsync("/api/v1/diagnoses?wait=later", Body(Sample("sick-cluster")));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.Json()).GetProperty("errors").TryGetProperty("wait", out _));
    }

    [Theory]
    [InlineData("http://169.254.169.254/latest/meta-data/")]
    [InlineData("http://evil.example.com/hook")]
    [InlineData("http://127.0.0.1.evil.example.com/hook")]
    [InlineData("file:///etc/passwd")]
    [InlineData("http://user:pass@127.0.0.1/hook")]
    [InlineData("not a url")]
    public async Task A_callback_outside_the_allow_list_is_refused_before_anything_runs(string url)
    {
        var response = await _client.PostAsync("/api/v1/diagnoses?wait=false", Body(WithField(Sample("sick-cluster"), "callbackUrl", url)));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.True((await response.Json()).GetProperty("errors").TryGetProperty("callbackUrl", out _));
        var list = await (await _client.GetAsync("/api/v1/diagnoses")).Json();
        Assert.Equal(0, list.GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task The_callback_gets_the_signed_result_after_retrying_a_failing_receiver()
    {
        _failuresLeft = 2;
        var response = await _client.PostAsync("/api/v1/diagnoses?wait=false", Body(WithField(Sample("external-upstream-nxdomain"), "callbackUrl", _receiverUrl)));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = (await response.Json()).GetProperty("id").GetString();

        for (var i = 0; i < 200 && _received.IsEmpty; i++)
        {
            await Task.Delay(50);
        }

        var (body, signature, header) = Assert.Single(_received);
        Assert.Equal(id, header);
        var expected = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(SigningKey), Encoding.UTF8.GetBytes(body)));
        Assert.Equal(expected, signature);
        var result = JsonDocument.Parse(body).RootElement;
        Assert.Equal("completed", result.GetProperty("status").GetString());
        Assert.Contains("external-domain-upstream-error", RuleIds(result));
        Assert.Equal(-1, _failuresLeft);                          // two 503s, then delivered
    }

    [Fact]
    public async Task The_ticket_view_carries_what_support_asks_for()
    {
        var posted = await (await _client.PostAsync("/api/v1/diagnoses", Body(Sample("external-upstream-nxdomain")))).Json();
        var id = posted.GetProperty("id").GetString();

        var ticket = await (await _client.GetAsync($"/api/v1/diagnoses/{id}/ticket")).Json();
        Assert.Equal(id, ticket.GetProperty("diagnosisId").GetString());
        var finding = ticket.GetProperty("findings").EnumerateArray().Single();
        Assert.Equal("external-domain-upstream-error", finding.GetProperty("ruleId").GetString());
        var entries = finding.GetProperty("ticket").GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("time").GetString()).ToList();
        Assert.Contains("2024-05-13 08:21:44 UTC", entries);

        var text = await _client.GetStringAsync($"/api/v1/diagnoses/{id}/ticket?format=markdown");
        Assert.Contains("| api.partner-example.com | NXDOMAIN | 2024-05-13 08:21:44 UTC |", text, StringComparison.Ordinal);

        var none = await (await _client.PostAsync("/api/v1/diagnoses", Body(Sample("autopath-wrong-answers")))).Json();
        var empty = await (await _client.GetAsync($"/api/v1/diagnoses/{none.GetProperty("id").GetString()}/ticket")).Json();
        Assert.Equal(0, empty.GetProperty("findings").GetArrayLength());
    }

    [Fact]
    public async Task Readiness_includes_the_store()
    {
        var ready = await (await _client.GetAsync("/readyz")).Json();
        Assert.Equal("ready", ready.GetProperty("status").GetString());
        Assert.Equal("sqlite: ok", ready.GetProperty("history").GetString());
    }
}

/// <summary>A history database that cannot be reached: readiness says so, synchronous diagnoses still answer.</summary>
public sealed class UnreachableHistoryTests
{
    [Fact]
    public async Task An_unreachable_store_is_not_ready_but_loses_no_synchronous_answer()
    {
        await using var factory = new ApiFactory().WithWebHostBuilder(b => b
            .UseSetting("DnsExpert:History:Provider", "postgres")
            .UseSetting("DnsExpert:History:ConnectionString", "Host=127.0.0.1;Port=1;Username=dnsexpert;Password=s3cret-in-config;Timeout=1"));
        using var client = factory.CreateClient();

        var ready = await client.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        var readyJson = await ready.Json();
        Assert.StartsWith("postgres: ", readyJson.GetProperty("history").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", readyJson.GetRawText(), StringComparison.Ordinal);

        var sample = File.ReadAllText(Path.Combine(ApiFactory.RepoRoot, "src", "DnsExpert.Api", "Samples", "autopath-wrong-answers.json"));
        var sync = await client.PostAsync("/api/v1/diagnoses", new StringContent(sample, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, sync.StatusCode);
        var json = await sync.Json();
        Assert.Contains("coredns-autopath-enabled", json.GetProperty("findings").EnumerateArray().Select(f => f.GetProperty("ruleId").GetString()));
        var history = json.GetProperty("collection").EnumerateArray().Single(c => c.GetProperty("source").GetString() == "history");
        Assert.Equal("failed", history.GetProperty("status").GetString());

        var async = await client.PostAsync("/api/v1/diagnoses?wait=false", new StringContent(sample, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, async.StatusCode);
        Assert.NotNull(async.Headers.RetryAfter);
    }
}
