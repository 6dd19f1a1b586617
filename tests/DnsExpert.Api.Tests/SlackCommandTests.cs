using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using DnsExpert.Api.Chat;
using DnsExpert.Contract;
using DnsExpert.Rendering;
using DnsExpert.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DnsExpert.Api.Tests;

/// <summary>
/// <c>POST /api/v1/chat/slack/commands</c> as Slack calls it: form bodies signed with the app's signing secret, checked
/// against Slack's own published example; the command answered at once and its diagnosis (live, against the fixture
/// API server) posted as Block Kit to a response_url that a receiver on 127.0.0.1 stands in for.
/// </summary>
public sealed class SlackCommandTests(Xunit.Abstractions.ITestOutputHelper output) : IAsyncLifetime, IDisposable
{
    // Slack's worked example, "Verifying requests from Slack" (api.slack.com/authentication/verifying-requests-from-slack,
    // now docs.slack.dev/authentication/verifying-requests-from-slack): the signing secret, the timestamp, the body of a
    // slash command and the signature Slack sent for it.
    private const string DocSecret = "8f742231b10e8888abcd99yyyzzz85a5";
    private const string DocTimestamp = "1531420618";
    private const string DocBody =
        "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
    private const string DocSignature = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";

    private const string Path = "/api/v1/chat/slack/commands";
    private readonly string _temp = Directory.CreateTempSubdirectory("dnsexpert-slack-").FullName;
    private readonly ConcurrentQueue<(string ContentType, string Body)> _posted = new();
    private readonly TaskCompletionSource _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private DiagnosisRequest _scenario = null!;
    private FixtureApiServer _cluster = null!;
    private WebApplication _slack = null!;
    private string _responseUrl = "";
    private string _secretFile = "";
    private readonly CapturingLoggerProvider _logs = new();
    private WebApplicationFactory<Program> _factory = null!;

    public async Task InitializeAsync()
    {
        _scenario = JsonSerializer.Deserialize<DiagnosisRequest>(
            await File.ReadAllTextAsync(System.IO.Path.Combine(ApiFactory.RepoRoot, "src", "DnsExpert.Api", "Samples", "sick-cluster.json")), ApiFactory.Json)!;
        _cluster = await FixtureApiServer.StartAsync(_scenario.Snapshot!);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _slack = builder.Build();
        _slack.MapPost("/commands/T1DC2JH3J/1/abc", async (HttpRequest request) =>
        {
            using var reader = new StreamReader(request.Body);
            _posted.Enqueue((request.ContentType ?? "", await reader.ReadToEndAsync()));
            _arrived.TrySetResult();
            return Results.Ok();
        });
        await _slack.StartAsync();
        _responseUrl = _slack.Urls.First() + "/commands/T1DC2JH3J/1/abc";
        _secretFile = System.IO.Path.Combine(_temp, "signing-secret");
        await File.WriteAllTextAsync(_secretFile, DocSecret + "\n");
        _factory = Service();
    }

    public async Task DisposeAsync()
    {
        await _factory.DisposeAsync();
        await _slack.DisposeAsync();
        await _cluster.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_temp, recursive: true);
    }

    public void Dispose() => _logs.Dispose();

    private WebApplicationFactory<Program> Service(TimeProvider? time = null) => new ApiFactory().WithWebHostBuilder(b =>
    {
        b.UseSetting("DnsExpert:Slack:SigningSecretFile", _secretFile)
            .UseSetting("DnsExpert:Slack:AllowedHosts:0", "127.0.0.1")
            .UseSetting("DnsExpert:Slack:AllowHttp", "true")
            .UseSetting("DnsExpert:Cluster:Enabled", "true")
            .UseSetting("DnsExpert:Cluster:Kubeconfig", _cluster.WriteKubeconfig(_temp))
            .UseSetting("DnsExpert:Cluster:CollectorTimeout", "00:00:10")
            .UseSetting("DnsExpert:Probes:Enabled", "false")
            .ConfigureLogging(l => l.AddProvider(_logs));
        if (time is not null)
        {
            b.ConfigureTestServices(s => s.AddSingleton(time));
        }
    });

    /// <summary>A command body as Slack sends it, form-encoded.</summary>
    private string Form(string text, string? responseUrl = null) =>
        $"token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fdns&text={Uri.EscapeDataString(text)}&response_url={Uri.EscapeDataString(responseUrl ?? _responseUrl)}&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";

    /// <summary>Signs as Slack does, computed here independently of the service's own code.</summary>
    private static string SlackSign(string secret, string timestamp, string body) =>
        "v0=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"v0:{timestamp}:{body}")));

    private static async Task<HttpResponseMessage> PostAsync(HttpClient client, string body, string? timestamp = null, string? signature = null, string secret = DocSecret)
    {
        timestamp ??= DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        using var message = new HttpRequestMessage(HttpMethod.Post, Path) { Content = new StringContent(body, Encoding.UTF8, "application/x-www-form-urlencoded") };
        message.Headers.Add("X-Slack-Request-Timestamp", timestamp);
        message.Headers.Add("X-Slack-Signature", signature ?? SlackSign(secret, timestamp, body));
        return await client.SendAsync(message);
    }

    private async Task<JsonElement> EphemeralAsync(string text, string? responseUrl = null)
    {
        var response = await PostAsync(_factory.CreateClient(), Form(text, responseUrl));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = await response.Json();
        Assert.Equal("ephemeral", json.GetProperty("response_type").GetString());
        return json;
    }

    [Fact]
    public void Slacks_published_example_verifies_and_a_changed_byte_or_a_late_arrival_does_not()
    {
        var signature = new SlackSignature(Encoding.UTF8.GetBytes(DocSecret));
        var body = Encoding.UTF8.GetBytes(DocBody);
        var sent = DateTimeOffset.FromUnixTimeSeconds(long.Parse(DocTimestamp, CultureInfo.InvariantCulture));
        var window = TimeSpan.FromMinutes(5);

        Assert.Equal(DocSignature, signature.Sign(DocTimestamp, body));
        Assert.Null(signature.Refuse(DocTimestamp, DocSignature, body, sent.AddSeconds(299), window));
        Assert.Null(signature.Refuse(DocTimestamp, DocSignature, body, sent.AddSeconds(-299), window));
        Assert.Contains("does not match", signature.Refuse(DocTimestamp, DocSignature, Encoding.UTF8.GetBytes(DocBody.Replace("text=&", "text=x&", StringComparison.Ordinal)), sent, window));
        Assert.Contains("does not match", signature.Refuse(DocTimestamp, DocSignature[..^1] + "a", body, sent, window));
        Assert.Contains("does not match", signature.Refuse(DocTimestamp, DocSignature.ToUpperInvariant(), body, sent, window));
        Assert.Contains("does not match", signature.Refuse("1531420619", DocSignature, body, sent, window));
        Assert.Contains("minutes from now", signature.Refuse(DocTimestamp, DocSignature, body, sent.AddSeconds(301), window));
        Assert.Contains("is missing", signature.Refuse(DocTimestamp, null, body, sent, window));
        Assert.Contains("not a Unix time", signature.Refuse("-1531420618", DocSignature, body, sent, window));
        Assert.Contains("not a Unix time", signature.Refuse(null, DocSignature, body, sent, window));
    }

    [Fact]
    public async Task Slacks_example_request_is_accepted_at_its_time_and_refused_as_a_replay_now()
    {
        await using var then = Service(new FixedTime(DateTimeOffset.FromUnixTimeSeconds(1531420618 + 60)));
        var accepted = await PostAsync(then.CreateClient(), DocBody, DocTimestamp, DocSignature);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        var help = await accepted.Json();
        Assert.Equal("ephemeral", help.GetProperty("response_type").GetString());
        Assert.Contains("/webhook-collect <namespace>/<pod> <name>", help.GetProperty("text").GetString(), StringComparison.Ordinal);

        var replayed = await PostAsync(_factory.CreateClient(), DocBody, DocTimestamp, DocSignature);
        Assert.Equal(HttpStatusCode.Unauthorized, replayed.StatusCode);
        Assert.Contains("minutes from now", (await replayed.Json()).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unsigned_wrongly_signed_and_oversized_commands_are_refused_before_anything_runs()
    {
        var client = _factory.CreateClient();
        var body = Form("kube-system/web-1 example.com");
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostAsync(client, body, secret: "another-apps-secret")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostAsync(client, body, signature: "")).StatusCode);
        using (var unsigned = new StringContent(body, Encoding.UTF8, "application/x-www-form-urlencoded"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.PostAsync(Path, unsigned)).StatusCode);
        }

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await PostAsync(client, Form(new string('x', 40_000)))).StatusCode);
        Assert.Empty(_posted);

        await using var off = new ApiFactory();
        Assert.Equal(HttpStatusCode.NotFound, (await PostAsync(off.CreateClient(), body)).StatusCode);
    }

    [Fact]
    public async Task Help_and_bad_arguments_answer_ephemerally_with_the_usage()
    {
        var help = (await EphemeralAsync("help")).GetProperty("text").GetString()!;
        Assert.Contains("/dns <namespace>/<pod> <name> [error text]", help, StringComparison.Ordinal);
        Assert.Contains("/dns <namespace>/<pod> <name>", (await EphemeralAsync("")).GetProperty("text").GetString(), StringComparison.Ordinal);

        var noSlash = (await EphemeralAsync("web-1 example.com")).GetProperty("text").GetString()!;
        Assert.Contains("`web-1` is not `<namespace>/<pod>`", noSlash, StringComparison.Ordinal);
        Assert.Contains("*Usage:*", noSlash, StringComparison.Ordinal);
        Assert.Contains("the DNS name to diagnose is missing", (await EphemeralAsync("shop/web-1")).GetProperty("text").GetString(), StringComparison.Ordinal);
        var bad = (await EphemeralAsync("Shop/web_1 exa$mple.com")).GetProperty("text").GetString()!;
        Assert.Contains("the namespace `Shop` must be a Kubernetes namespace name", bad, StringComparison.Ordinal);
        Assert.Contains("the pod `web_1` must be a Kubernetes pod name", bad, StringComparison.Ordinal);
        Assert.Contains("the name `exa$mple.com` must be a DNS name", bad, StringComparison.Ordinal);
        var mention = (await EphemeralAsync("<!channel>/x example.com")).GetProperty("text").GetString()!;
        Assert.DoesNotContain("<!channel>", mention, StringComparison.Ordinal);
        Assert.Empty(_posted);
    }

    [Fact]
    public async Task A_response_url_outside_the_allow_list_is_refused_and_nothing_starts()
    {
        var text = (await EphemeralAsync("shop/web-1 example.com", "https://evil.example.com/commands/1")).GetProperty("text").GetString()!;
        Assert.Contains("Not started", text, StringComparison.Ordinal);
        Assert.Contains("not in the callback allow-list", text, StringComparison.Ordinal);

        await using var slackOnly = new ApiFactory().WithWebHostBuilder(b => b.UseSetting("DnsExpert:Slack:SigningSecretFile", _secretFile));
        var response = await PostAsync(slackOnly.CreateClient(), Form("shop/web-1 example.com no such host"));
        var https = (await response.Json()).GetProperty("text").GetString()!;
        Assert.Contains("must be an https URL", https, StringComparison.Ordinal);
        Assert.Empty(_posted);
    }

    [Fact]
    public async Task A_command_is_acknowledged_at_once_and_its_diagnosis_posted_to_response_url_as_Block_Kit()
    {
        var target = _scenario.Target!;
        var text = $"{target.Namespace}/{target.Pod} {_scenario.Domain} {_scenario.Symptom!.ErrorMessage}";
        await EphemeralAsync("help"); // the service started: what follows is the command alone
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var ack = (await EphemeralAsync(text)).GetProperty("text").GetString()!;
        var acknowledged = clock.Elapsed;
        Assert.Contains($"`{target.Namespace}/{target.Pod}` cannot resolve `{_scenario.Domain}`", ack, StringComparison.Ordinal);
        Assert.Contains("the result will be posted here", ack, StringComparison.Ordinal);
        Assert.DoesNotContain("<http", ack, StringComparison.Ordinal); // no public address known: no link

        await _arrived.Task.WaitAsync(TimeSpan.FromSeconds(60));
        output.WriteLine($"acknowledged after {acknowledged.TotalMilliseconds:0} ms, result posted after {clock.Elapsed.TotalMilliseconds:0} ms");
        var (contentType, body) = Assert.Single(_posted);
        Assert.StartsWith("application/json", contentType, StringComparison.Ordinal);
        var message = JsonDocument.Parse(body).RootElement;
        Assert.Equal("in_channel", message.GetProperty("response_type").GetString());
        Assert.False(string.IsNullOrEmpty(message.GetProperty("text").GetString()));
        var blocks = message.GetProperty("blocks").EnumerateArray().ToList();
        Assert.Equal("header", blocks[0].GetProperty("type").GetString());
        Assert.InRange(blocks.Count, 3, SlackReport.MaxBlocks);
        Assert.Contains("coredns-autopath-enabled", body, StringComparison.Ordinal);

        // No public address is known (no DnsExpert:PublicBaseUrl, no proxy): no buttons that would lead nowhere.
        Assert.DoesNotContain(blocks, b => b.GetProperty("type").GetString() == "actions");

        // response_url lets anyone who has it post to the channel: it is not logged (the HTTP client's own logs included).
        Assert.NotEmpty(_logs.Lines);
        Assert.DoesNotContain(_logs.Lines, l => l.Contains("/commands/T1DC2JH3J/1/abc", StringComparison.Ordinal));
    }

    [Fact]
    public async Task With_API_keys_required_the_signature_stands_for_the_key_and_the_secret_is_never_logged()
    {
        var keys = System.IO.Path.Combine(_temp, "keys");
        await File.WriteAllTextAsync(keys, DnsExpert.Api.Security.ApiKeyStore.NewKey("ops").Line + "\n");
        using var logs = new CapturingLoggerProvider();
        await using var secured = Service().WithWebHostBuilder(b => b
            .UseSetting("DnsExpert:Auth:Enabled", "true")
            .UseSetting("DnsExpert:Auth:ApiKeysFile", keys)
            .ConfigureLogging(l => l.AddProvider(logs)));
        var client = secured.CreateClient();

        var help = await PostAsync(client, Form("help"));
        Assert.Equal(HttpStatusCode.OK, help.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostAsync(client, Form("help"), secret: "not-the-secret")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/v1/diagnoses")).StatusCode);
        Assert.Contains(logs.Lines, l => l.Contains("Slack command refused", StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Lines, l => l.Contains(DocSecret, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_missing_or_empty_signing_secret_file_stops_start_up()
    {
        await using var missing = new ApiFactory().WithWebHostBuilder(b => b.UseSetting("DnsExpert:Slack:SigningSecretFile", System.IO.Path.Combine(_temp, "nowhere")));
        Assert.Contains("DnsExpert:Slack:SigningSecretFile", Assert.ThrowsAny<Exception>(() => missing.CreateClient()).ToString(), StringComparison.Ordinal);

        var empty = System.IO.Path.Combine(_temp, "empty");
        await File.WriteAllTextAsync(empty, "\n");
        await using var blank = new ApiFactory().WithWebHostBuilder(b => b.UseSetting("DnsExpert:Slack:SigningSecretFile", empty));
        Assert.Contains("is empty", Assert.ThrowsAny<Exception>(() => blank.CreateClient()).ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_cluster_access_a_command_needs_the_error_text()
    {
        await using var noCluster = new ApiFactory().WithWebHostBuilder(b => b
            .UseSetting("DnsExpert:Slack:SigningSecretFile", _secretFile)
            .UseSetting("DnsExpert:Slack:AllowedHosts:0", "127.0.0.1")
            .UseSetting("DnsExpert:Slack:AllowHttp", "true"));
        var client = noCluster.CreateClient();

        var refused = (await (await PostAsync(client, Form("shop/web-1 api.example.com"))).Json()).GetProperty("text").GetString()!;
        Assert.Contains("needs the error text", refused, StringComparison.Ordinal);
        Assert.Empty(_posted);

        var started = (await (await PostAsync(client, Form("shop/web-1 api.example.com dial tcp: lookup api.example.com: no such host"))).Json()).GetProperty("text").GetString()!;
        Assert.Contains("the result will be posted here", started, StringComparison.Ordinal);
        await _arrived.Task.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Contains("\"blocks\"", Assert.Single(_posted).Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_command_through_a_known_proxy_is_answered_with_buttons_to_the_report_under_its_public_address()
    {
        await using var proxied = new ApiFactory().WithWebHostBuilder(b => b
            .UseSetting("DnsExpert:Slack:SigningSecretFile", _secretFile)
            .UseSetting("DnsExpert:Slack:AllowedHosts:0", "127.0.0.1")
            .UseSetting("DnsExpert:Slack:AllowHttp", "true")
            .UseSetting("DnsExpert:ForwardedHeaders:KnownProxies:0", "10.0.0.7")
            .ConfigureServices(services => services.AddSingleton<IStartupFilter, ClientAddressFromHeader>()));
        var client = proxied.CreateClient();
        var body = Form("shop/web-1 api.example.com dial tcp: lookup api.example.com: no such host");
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        using var message = new HttpRequestMessage(HttpMethod.Post, Path) { Content = new StringContent(body, Encoding.UTF8, "application/x-www-form-urlencoded") };
        message.Headers.Add("X-Slack-Request-Timestamp", timestamp);
        message.Headers.Add("X-Slack-Signature", SlackSign(DocSecret, timestamp, body));
        message.Headers.Add(ClientAddressFromHeader.Header, "10.0.0.7");
        message.Headers.Add("X-Forwarded-Proto", "https");
        message.Headers.Add("X-Forwarded-Host", "dnsexpert.example.com");
        var ack = await client.SendAsync(message);
        Assert.Equal(HttpStatusCode.OK, ack.StatusCode);
        Assert.Contains(", <https://dnsexpert.example.com/reports/", (await ack.Json()).GetProperty("text").GetString(), StringComparison.Ordinal);

        // The diagnosis ran queued, after the request ended: its links keep the address the command came in by.
        await _arrived.Task.WaitAsync(TimeSpan.FromSeconds(60));
        var blocks = JsonDocument.Parse(Assert.Single(_posted).Body).RootElement.GetProperty("blocks").EnumerateArray().ToList();
        Assert.InRange(blocks.Count, 3, SlackReport.MaxBlocks);
        var buttons = blocks.Single(b => b.GetProperty("type").GetString() == "actions").GetProperty("elements").EnumerateArray().ToList();
        Assert.Equal(["Open report", "Next checks"], buttons.Select(b => b.GetProperty("text").GetProperty("text").GetString()!));
        var report = buttons[0].GetProperty("url").GetString()!;
        Assert.StartsWith("https://dnsexpert.example.com/reports/", report, StringComparison.Ordinal);
        Assert.Equal(report + "#next-checks", buttons[1].GetProperty("url").GetString());
    }

    /// <summary>A clock stopped at <paramref name="now"/> (timers stay real).</summary>
    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
