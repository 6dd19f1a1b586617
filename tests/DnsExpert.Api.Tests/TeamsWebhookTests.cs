using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DnsExpert.Api.Chat;
using DnsExpert.Contract;
using DnsExpert.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DnsExpert.Api.Tests;

/// <summary>
/// <c>POST /api/v1/chat/teams/messages</c> as a Teams outgoing webhook calls it: Microsoft's published inbound message
/// (<c>tests/fixtures/teams</c>) and copies of it with a command, signed with the example security token of the same
/// documentation, the HMAC computed here independently of the service; answered with an Adaptive Card in the thread.
/// </summary>
public sealed class TeamsWebhookTests(Xunit.Abstractions.ITestOutputHelper output) : IAsyncLifetime, IDisposable
{
    // The example security token of Microsoft's outgoing-webhook documentation (its C# AuthProvider sample).
    private const string DocToken = "vqF0En+Z0ucuRTM/01o2GuhMH3hKKk/N2bOmlM31zaA=";
    private const string Path = "/api/v1/chat/teams/messages";
    private static readonly DateTimeOffset DocTime = DateTimeOffset.Parse("2017-02-01T21:10:07.437Z", System.Globalization.CultureInfo.InvariantCulture);

    private readonly string _temp = Directory.CreateTempSubdirectory("dnsexpert-teams-").FullName;
    private readonly CapturingLoggerProvider _logs = new();
    private string _tokenFile = "";
    private string _published = "";

    public async Task InitializeAsync()
    {
        _tokenFile = System.IO.Path.Combine(_temp, "token");
        await File.WriteAllTextAsync(_tokenFile, DocToken + "\n");
        _published = await File.ReadAllTextAsync(System.IO.Path.Combine(ApiFactory.RepoRoot, "tests", "fixtures", "teams", "outgoing-webhook-inbound.json"));
    }

    public Task DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_temp, recursive: true);
        return Task.CompletedTask;
    }

    public void Dispose() => _logs.Dispose();

    private WebApplicationFactory<Program> Service(TimeProvider? time = null, Action<IWebHostBuilder>? configure = null) => new ApiFactory().WithWebHostBuilder(b =>
    {
        b.UseSetting("DnsExpert:Teams:OutgoingWebhookTokenFile", _tokenFile)
            .ConfigureLogging(l => l.AddProvider(_logs));
        if (time is not null)
        {
            b.ConfigureTestServices(s => s.AddSingleton(time));
        }

        configure?.Invoke(b);
    });

    /// <summary>The published message with another text, id and time (now unless said).</summary>
    private string Message(string text, string? id = null, DateTimeOffset? at = null)
    {
        var message = JsonNode.Parse(_published)!.AsObject();
        message["text"] = text;
        message["id"] = id ?? Guid.NewGuid().ToString("N");
        message["timestamp"] = (at ?? DateTimeOffset.UtcNow).ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        return message.ToJsonString();
    }

    /// <summary>Signs as Teams does, computed here independently of the service's own code.</summary>
    private static string TeamsSign(string token, string body) =>
        "HMAC " + Convert.ToBase64String(HMACSHA256.HashData(Convert.FromBase64String(token), Encoding.UTF8.GetBytes(body)));

    private static async Task<HttpResponseMessage> PostAsync(HttpClient client, string body, string? authorization = null)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, Path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        message.Headers.TryAddWithoutValidation("Authorization", authorization ?? TeamsSign(DocToken, body));
        return await client.SendAsync(message);
    }

    /// <summary>The card of an answer, after checking the message envelope Teams takes.</summary>
    private static async Task<JsonElement> CardAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = await response.Json();
        Assert.Equal("message", json.GetProperty("type").GetString());
        var attachment = Assert.Single(json.GetProperty("attachments").EnumerateArray().ToList());
        Assert.Equal("application/vnd.microsoft.card.adaptive", attachment.GetProperty("contentType").GetString());
        var card = attachment.GetProperty("content");
        Assert.Equal("1.5", card.GetProperty("version").GetString());
        return card;
    }

    /// <summary>The text of a card, a line per block (nested ones too), in order.</summary>
    private static string Text(JsonElement card) => string.Join("\n", Blocks(card.GetProperty("body")));

    private static IEnumerable<string> Blocks(JsonElement elements) => elements.EnumerateArray().SelectMany(block =>
        block.TryGetProperty("inlines", out var inlines) ? [string.Concat(inlines.EnumerateArray().Select(r => r.GetProperty("text").GetString()))]
        : block.TryGetProperty("items", out var items) ? Blocks(items)
        : block.TryGetProperty("text", out var text) ? [text.GetString() ?? ""]
        : []);

    [Fact]
    public void The_signature_is_the_HMAC_of_the_body_keyed_with_the_decoded_token_and_nothing_else_passes()
    {
        var signature = new TeamsSignature(DocToken);
        var body = Encoding.UTF8.GetBytes(_published);
        var sent = TeamsSign(DocToken, _published);

        Assert.Equal(sent, signature.Sign(body));
        Assert.Null(signature.Refuse(sent, body));
        Assert.Contains("does not match", signature.Refuse(sent, Encoding.UTF8.GetBytes(_published.Replace("Hello", "Hallo", StringComparison.Ordinal))));
        Assert.Contains("does not match", signature.Refuse(TeamsSign("QgyNSToQjf4p6+YzDpjKks1/tXeJQ7FhVHqRwTnugVI=", _published), body));
        Assert.Contains("not 'HMAC <signature>'", signature.Refuse(sent.Replace("HMAC", "hmac", StringComparison.Ordinal), body));
        Assert.Contains("not 'HMAC <signature>'", signature.Refuse(null, body));
        Assert.Contains("not 'HMAC <signature>'", signature.Refuse("Bearer x", body));
        Assert.Contains("not a base64", signature.Refuse("HMAC !!!", body));
        Assert.Contains("not a base64", signature.Refuse("HMAC " + Convert.ToBase64String(new byte[16]), body));
        Assert.Throws<FormatException>(() => new TeamsSignature("not base64!"));
    }

    [Theory]
    [InlineData("<at>MyCustomBot</at> Hello <at>Larry Brown</at>", "Hello Larry Brown")]
    [InlineData("<at>DnsExpert</at> shop/web-0 orders.shop i/o timeout", "shop/web-0 orders.shop i/o timeout")]
    [InlineData("<at>DnsExpert</at>&nbsp;shop/web-0&nbsp;orders.shop&nbsp;dial tcp: lookup orders.shop on 10.96.0.10:53: no such host", "shop/web-0 orders.shop dial tcp: lookup orders.shop on 10.96.0.10:53: no such host")]
    [InlineData("<p><at>DnsExpert</at> shop/web-0 a.example</p><p>x &lt;b&gt; &amp; y</p>", "shop/web-0 a.example x <b> & y")]
    [InlineData("please <at>MyWebHook</at> help", "please help")]
    [InlineData("1 < 2 and 3 <4", "1 < 2 and 3 <4")]
    [InlineData("<at>DnsExpert</at>\u00a0\tshop/web-0\r\nname", "shop/web-0 name")]
    [InlineData("<at>unclosed shop/web-0 name", "unclosed shop/web-0 name")]
    [InlineData("", "")]
    public void A_messages_text_becomes_the_command_without_the_webhooks_mention_or_markup(string text, string command) =>
        Assert.Equal(command, TeamsActivity.CommandText(text, new HashSet<string>(["<at>MyWebHook</at>"], StringComparer.OrdinalIgnoreCase)));

    [Fact]
    public void Text_made_of_unclosed_tags_is_read_in_one_pass()
    {
        // Each '<a' and '<at>' without its end: a scan that searched for the end again at each would be quadratic.
        var text = string.Concat(Enumerable.Repeat("<at>x <a ", 20_000));
        var command = TeamsActivity.CommandText(text, []);
        Assert.StartsWith("x x x", command, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Answered_ids_are_forgotten_once_out_of_the_window_and_past_the_limit_the_oldest_half_only()
    {
        var teams = new TeamsMessages(Microsoft.Extensions.Options.Options.Create(new TeamsOptions { ReplayWindow = TimeSpan.FromMinutes(5) }));
        TeamsActivity At(string id, DateTimeOffset time) => new("message", id, time, "tenant", "sender", "help");

        // A full memory, every id answered in the same second: the next new message forgets half, the newer ids by id order.
        for (var i = 0; i < TeamsMessages.MaxRemembered; i++)
        {
            Assert.Null(await teams.RefuseAsync(At($"m{i:D5}", DocTime), DocTime, CancellationToken.None));
        }

        Assert.Null(await teams.RefuseAsync(At("new", DocTime), DocTime, CancellationToken.None));
        Assert.Null(await teams.RefuseAsync(At("m00000", DocTime), DocTime, CancellationToken.None));                       // among the oldest half: forgotten
        Assert.Contains("answered already", await teams.RefuseAsync(At("m09999", DocTime), DocTime, CancellationToken.None)); // the newest half: still refused
        Assert.Contains("answered already", await teams.RefuseAsync(At("new", DocTime), DocTime, CancellationToken.None));

        // Out of the window, an id is refused for its time before its memory matters.
        Assert.Contains("minutes from now", await teams.RefuseAsync(At("m09999", DocTime), DocTime.AddMinutes(6), CancellationToken.None));
    }

    [Fact]
    public async Task Microsofts_published_message_is_answered_at_its_time_once_and_refused_as_a_replay_now()
    {
        await using var then = Service(new FixedTime(DocTime.AddSeconds(30)));
        var client = then.CreateClient();
        var answer = Text(await CardAsync(await PostAsync(client, _published)));
        Assert.Contains("\u201cHello\u201d is not <namespace>/<pod>", answer, StringComparison.Ordinal);
        Assert.Contains("Usage: @DnsExpert <namespace>/<pod> <name> [error text]", answer, StringComparison.Ordinal);

        var again = await PostAsync(client, _published);
        Assert.Equal(HttpStatusCode.Unauthorized, again.StatusCode);
        Assert.Contains("answered already", (await again.Json()).GetProperty("detail").GetString(), StringComparison.Ordinal);

        await using var now = Service();
        var late = await PostAsync(now.CreateClient(), _published);
        Assert.Equal(HttpStatusCode.Unauthorized, late.StatusCode);
        Assert.Contains("minutes from now", (await late.Json()).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_message_one_replica_answered_is_a_replay_to_another_that_shares_the_history()
    {
        var history = ApiFactory.TempHistory();
        await using var first = Service(configure: b => b.UseSetting("DnsExpert:History:ConnectionString", history));
        await using var second = Service(configure: b => b.UseSetting("DnsExpert:History:ConnectionString", history));
        var firstClient = first.CreateClient();
        var secondClient = second.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await firstClient.GetAsync(new Uri("/readyz", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await secondClient.GetAsync(new Uri("/readyz", UriKind.Relative))).StatusCode);

        var body = Message("<at>DnsExpert</at> help");
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(firstClient, body)).StatusCode);
        var replay = await PostAsync(secondClient, body);
        Assert.Equal(HttpStatusCode.Unauthorized, replay.StatusCode);
        Assert.Contains("answered already", (await replay.Json()).GetProperty("detail").GetString(), StringComparison.Ordinal);

        // Another message is new to both.
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(secondClient, Message("<at>DnsExpert</at> help"))).StatusCode);
    }

    [Fact]
    public async Task Unsigned_wrongly_signed_oversized_and_non_message_bodies_are_refused_before_anything_runs()
    {
        await using var service = Service();
        var client = service.CreateClient();
        var body = Message("<at>DnsExpert</at> shop/web-0 orders.shop i/o timeout");
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostAsync(client, body, TeamsSign("QgyNSToQjf4p6+YzDpjKks1/tXeJQ7FhVHqRwTnugVI=", body))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostAsync(client, body, "")).StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await PostAsync(client, Message(new string('x', 70_000)))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await PostAsync(client, "[1,2]")).StatusCode);
        var update = JsonNode.Parse(Message("x"))!.AsObject();
        update["type"] = "conversationUpdate";
        Assert.Equal(HttpStatusCode.BadRequest, (await PostAsync(client, update.ToJsonString())).StatusCode);
        var undated = JsonNode.Parse(Message("<at>DnsExpert</at> help"))!.AsObject();
        undated.Remove("timestamp");
        var refused = await PostAsync(client, undated.ToJsonString());
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Contains("no timestamp", (await refused.Json()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains(_logs.Lines, l => l.Contains("Teams message refused", StringComparison.Ordinal));
        Assert.DoesNotContain(_logs.Lines, l => l.Contains(DocToken, StringComparison.Ordinal));

        await using var off = new ApiFactory();
        Assert.Equal(HttpStatusCode.NotFound, (await PostAsync(off.CreateClient(), body)).StatusCode);
    }

    [Fact]
    public async Task Help_and_bad_arguments_answer_with_the_usage_in_plain_runs_that_no_mention_or_markup_escapes()
    {
        await using var service = Service();
        var client = service.CreateClient();
        Assert.Contains("Usage: ", Text(await CardAsync(await PostAsync(client, Message("<at>DnsExpert</at> help")))), StringComparison.Ordinal);
        Assert.Contains("Usage: ", Text(await CardAsync(await PostAsync(client, Message("<at>DnsExpert</at>")))), StringComparison.Ordinal);

        var card = await CardAsync(await PostAsync(client, Message("<at>DnsExpert</at> Shop/web_1 exa$mple.com [x](https://evil.example) **bold**")));
        var text = Text(card);
        Assert.Contains("the namespace \u201cShop\u201d must be a Kubernetes namespace name", text, StringComparison.Ordinal);
        Assert.Contains("the pod \u201cweb_1\u201d must be a Kubernetes pod name", text, StringComparison.Ordinal);
        Assert.Contains("the name \u201cexa$mple.com\u201d must be a DNS name", text, StringComparison.Ordinal);
        // Typed text stands only in TextRuns (never Markdown), and the card names no one.
        Assert.All(card.GetProperty("body").EnumerateArray(), b => Assert.Equal("RichTextBlock", b.GetProperty("type").GetString()));
        Assert.False(card.TryGetProperty("msteams", out _));

        var missing = Text(await CardAsync(await PostAsync(client, Message("<at>DnsExpert</at> shop/web-0"))));
        Assert.Contains("the DNS name to diagnose is missing", missing, StringComparison.Ordinal);
        var noCluster = Text(await CardAsync(await PostAsync(client, Message("<at>DnsExpert</at> shop/web-0 orders.shop"))));
        Assert.Contains("needs the error text", noCluster, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_command_is_answered_in_the_thread_with_its_diagnosis_and_status_shows_it_again_to_the_same_tenant_only()
    {
        await using var service = Service();
        var client = service.CreateClient();
        await PostAsync(client, Message("<at>DnsExpert</at> help")); // the service started: what follows is the command alone
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var card = await CardAsync(await PostAsync(client, Message(
            "<at>DnsExpert</at> shop/web-0 api.example.com dial tcp: lookup api.example.com on 10.96.0.10:53: no such host")));
        output.WriteLine($"answered after {clock.Elapsed.TotalMilliseconds:0} ms");
        var text = Text(card);
        var id = await DiagnosisIdAsync(service);
        if (text.Contains("takes longer than Teams waits", StringComparison.Ordinal))
        {
            // A loaded machine: the diagnosis outlived Teams' wait, and status shows it once it has ended.
            output.WriteLine("the diagnosis outlived AnswerWithin: read through status");
            text = await StatusTextAsync(client, id);
        }

        output.WriteLine(text);

        Assert.Contains("DNS diagnosis: ", text, StringComparison.Ordinal);
        Assert.Contains("Client error: ", text, StringComparison.Ordinal);
        Assert.Contains("Client error: name-not-found", text, StringComparison.Ordinal);

        Assert.Equal(text, await StatusTextAsync(client, id));
        var other = JsonNode.Parse(Message($"<at>DnsExpert</at> status {id}"))!.AsObject();
        other["channelData"] = new JsonObject { ["tenant"] = new JsonObject { ["id"] = "another-tenant" } };
        var refused = Text(await CardAsync(await PostAsync(client, other.ToJsonString())));
        Assert.Contains("was started from this Teams tenant", refused, StringComparison.Ordinal);
        Assert.DoesNotContain("DNS diagnosis: ", refused, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_diagnosis_that_outlives_Teams_wait_is_acknowledged_with_its_id_and_report_and_shown_later_by_status()
    {
        var scenario = JsonSerializer.Deserialize<DiagnosisRequest>(
            await File.ReadAllTextAsync(System.IO.Path.Combine(ApiFactory.RepoRoot, "src", "DnsExpert.Api", "Samples", "sick-cluster.json")), ApiFactory.Json)!;
        await using var cluster = await FixtureApiServer.StartAsync(scenario.Snapshot!);
        cluster.SlowDelay = TimeSpan.FromSeconds(30);
        cluster.Faults["/apis/networking.k8s.io"] = Fault.Slow; // the NetworkPolicy read stalls past Teams' wait
        await using var service = Service(configure: b => b
            .UseSetting("DnsExpert:Cluster:Enabled", "true")
            .UseSetting("DnsExpert:Cluster:Kubeconfig", cluster.WriteKubeconfig(_temp))
            .UseSetting("DnsExpert:Cluster:CollectorTimeout", "00:00:06")
            .UseSetting("DnsExpert:Probes:Enabled", "false")
            .UseSetting("DnsExpert:PublicBaseUrl", "https://dnsexpert.example.com/")
            .UseSetting("DnsExpert:Teams:AnswerWithin", "00:00:01"));
        var client = service.CreateClient();
        var target = scenario.Target!;
        var card = await CardAsync(await PostAsync(client, Message($"<at>DnsExpert</at> {target.Namespace}/{target.Pod} {scenario.Domain}")));
        var text = Text(card);
        output.WriteLine(text);
        Assert.Contains($"Diagnosing why {target.Namespace}/{target.Pod} cannot resolve {scenario.Domain}", text, StringComparison.Ordinal);
        var id = await DiagnosisIdAsync(service);
        Assert.Contains($"status {id}", text, StringComparison.Ordinal);
        var button = Assert.Single(card.GetProperty("actions").EnumerateArray().ToList());
        Assert.Equal("Action.OpenUrl", button.GetProperty("type").GetString());
        Assert.Equal($"https://dnsexpert.example.com/reports/{id}", button.GetProperty("url").GetString());

        var report = await StatusTextAsync(client, id);
        output.WriteLine(report);
        Assert.Contains("coredns-autopath-enabled", report, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("\n")]
    [InlineData("not base64!")]
    public async Task A_missing_empty_or_non_base64_token_file_stops_start_up(string? content)
    {
        var file = System.IO.Path.Combine(_temp, "bad-token");
        if (content is not null)
        {
            await File.WriteAllTextAsync(file, content);
        }

        await using var service = new ApiFactory().WithWebHostBuilder(b => b.UseSetting("DnsExpert:Teams:OutgoingWebhookTokenFile", file));
        var error = Assert.ThrowsAny<Exception>(() => service.CreateClient()).ToString();
        Assert.Contains("DnsExpert:Teams:OutgoingWebhookTokenFile", error, StringComparison.Ordinal);
        Assert.DoesNotContain("not base64!", error, StringComparison.Ordinal);
    }

    /// <summary>The one diagnosis the service keeps (its history's list).</summary>
    private static async Task<string> DiagnosisIdAsync(WebApplicationFactory<Program> service)
    {
        var list = await (await service.CreateClient().GetAsync("/api/v1/diagnoses")).Json();
        return Assert.Single(list.GetProperty("items").EnumerateArray().ToList()).GetProperty("id").GetString()!;
    }

    /// <summary>The card <c>status ID</c> answers once the diagnosis has ended (polled while it runs).</summary>
    private async Task<string> StatusTextAsync(HttpClient client, string id)
    {
        for (var attempt = 0; ; attempt++)
        {
            var text = Text(await CardAsync(await PostAsync(client, Message($"<at>DnsExpert</at> status {id}"))));
            if (!text.Contains("is still running", StringComparison.Ordinal) || attempt == 600)
            {
                return text;
            }

            await Task.Delay(100);
        }
    }

    /// <summary>A clock stopped at <paramref name="now"/> (timers stay real).</summary>
    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
