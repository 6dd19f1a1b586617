using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace DnsExpert.Api.Tests;

/// <summary>
/// Absolute links: under <c>DnsExpert:PublicBaseUrl</c> in every output (JSON, Markdown, Slack, the report page, tickets,
/// callbacks); without it, under what a known proxy forwarded, and never under what anyone else claims.
/// </summary>
public sealed class PublicLinksTests : IAsyncLifetime
{
    private const string PublicBase = "https://ops.example.com/dnsexpert/";
    private readonly ConcurrentQueue<string> _callbacks = new();
    private readonly TaskCompletionSource _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private WebApplication _receiver = null!;
    private string _callbackUrl = "";

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _receiver = builder.Build();
        _receiver.MapPost("/hook", async (HttpRequest request) =>
        {
            using var reader = new StreamReader(request.Body);
            _callbacks.Enqueue(await reader.ReadToEndAsync());
            _arrived.TrySetResult();
            return Results.NoContent();
        });
        await _receiver.StartAsync();
        _callbackUrl = _receiver.Urls.First() + "/hook";
    }

    public async Task DisposeAsync() => await _receiver.DisposeAsync();

    private static WebApplicationFactory<Program> Service(params (string Key, string Value)[] settings) => new ApiFactory().WithWebHostBuilder(b =>
    {
        b.UseSetting("DnsExpert:Callbacks:AllowedHosts:0", "127.0.0.1").UseSetting("DnsExpert:Callbacks:AllowHttp", "true");
        foreach (var (key, value) in settings)
        {
            b.UseSetting(key, value);
        }

        b.ConfigureServices(s => s.AddSingleton<IStartupFilter, ClientAddressFromHeader>());
    });

    private static HttpRequestMessage Post(string path, string? from = null, params (string Name, string Value)[] headers)
    {
        var message = new HttpRequestMessage(HttpMethod.Post, path);
        if (from is not null)
        {
            message.Headers.Add(ClientAddressFromHeader.Header, from);
        }

        foreach (var (name, value) in headers)
        {
            message.Headers.Add(name, value);
        }

        return message;
    }

    private static async Task<JsonElement> DiagnoseSampleAsync(HttpClient client, string? from = null, params (string Name, string Value)[] headers)
    {
        var response = await client.SendAsync(Post("/api/v1/samples/external-upstream-nxdomain/diagnose", from, headers));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Json();
    }

    private static Dictionary<string, string> Links(JsonElement diagnosis) =>
        diagnosis.GetProperty("links").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);

    [Fact]
    public async Task Under_PublicBaseUrl_every_output_links_absolutely_under_its_path_prefix()
    {
        // Written without the trailing slash: the prefix is kept all the same.
        await using var factory = Service(("DnsExpert:PublicBaseUrl", "https://ops.example.com/dnsexpert"));
        using var client = factory.CreateClient();

        var diagnosis = await DiagnoseSampleAsync(client);
        var id = diagnosis.GetProperty("id").GetString()!;
        var links = Links(diagnosis);
        Assert.Equal($"{PublicBase}reports/{id}", links["report"]);
        Assert.Equal($"{PublicBase}api/v1/diagnoses/{id}", links["self"]);
        Assert.Equal($"{PublicBase}api/v1/diagnoses/{id}?format=markdown&checks=all", links["checks"]);
        Assert.All(links.Values, l => Assert.StartsWith(PublicBase, l, StringComparison.Ordinal));

        // Read back, listed, as Markdown, as a ticket and as the report page.
        Assert.Equal(links, Links(await (await client.GetAsync($"/api/v1/diagnoses/{id}")).Json()));
        var listed = (await (await client.GetAsync("/api/v1/diagnoses?limit=1")).Json()).GetProperty("items")[0];
        Assert.Equal($"{PublicBase}reports/{id}", listed.GetProperty("links").GetProperty("report").GetString());
        var markdown = await client.GetStringAsync($"/api/v1/diagnoses/{id}?format=markdown");
        Assert.Contains($"**Report:** <{PublicBase}reports/{id}>", markdown, StringComparison.Ordinal);
        var ticket = await (await client.GetAsync($"/api/v1/diagnoses/{id}/ticket")).Json();
        Assert.Equal($"{PublicBase}reports/{id}", ticket.GetProperty("reportUrl").GetString());
        Assert.NotEmpty(ticket.GetProperty("findings").EnumerateArray());
        Assert.Contains($"<{PublicBase}reports/{id}>", await client.GetStringAsync($"/api/v1/diagnoses/{id}/ticket?format=markdown"), StringComparison.Ordinal);
        Assert.Contains($"href=\"{PublicBase}api/v1/diagnoses/{id}\"", await client.GetStringAsync($"/reports/{id}"), StringComparison.Ordinal);

        // Slack: the report, its next checks and (a finding is routed to a support ticket) the ticket text as buttons.
        string[] urls = [$"{PublicBase}reports/{id}", $"{PublicBase}reports/{id}#next-checks", $"{PublicBase}api/v1/diagnoses/{id}/ticket?format=markdown"];
        var slack = await (await client.GetAsync($"/api/v1/diagnoses/{id}?format=slack")).Json();
        var buttons = slack.GetProperty("blocks").EnumerateArray().Single(b => b.GetProperty("type").GetString() == "actions").GetProperty("elements").EnumerateArray().ToList();
        Assert.Equal(["Open report", "Next checks", "Support ticket"], buttons.Select(b => b.GetProperty("text").GetProperty("text").GetString()!));
        Assert.Equal(urls, buttons.Select(b => b.GetProperty("url").GetString()!));

        // Teams: the same as Action.OpenUrl.
        var teams = await (await client.GetAsync($"/api/v1/diagnoses/{id}?format=teams")).Json();
        var actions = teams.GetProperty("attachments")[0].GetProperty("content").GetProperty("actions").EnumerateArray().ToList();
        Assert.All(actions, a => Assert.Equal("Action.OpenUrl", a.GetProperty("type").GetString()));
        Assert.Equal(urls, actions.Select(a => a.GetProperty("url").GetString()!));

        // Jira: the report as the only link marks of the issue's description.
        var jira = await client.GetStringAsync($"/api/v1/diagnoses/{id}?format=jira");
        var hrefs = JsonNode.Parse(jira)!["fields"]!["description"]!.DescendantsOf("href").Distinct().ToList();
        Assert.Equal([$"{PublicBase}reports/{id}"], hrefs);

        // Queued: the 202's Location and the result's callback.
        var body = JsonNode.Parse(await client.GetStringAsync("/api/v1/samples/external-upstream-nxdomain"))!;
        body["callbackUrl"] = _callbackUrl;
        var accepted = await client.PostAsync("/api/v1/diagnoses?wait=false", new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var queuedId = (await accepted.Json()).GetProperty("id").GetString()!;
        Assert.Equal($"{PublicBase}api/v1/diagnoses/{queuedId}", accepted.Headers.Location!.ToString());
        await _arrived.Task.WaitAsync(TimeSpan.FromSeconds(60));
        var delivered = JsonDocument.Parse(Assert.Single(_callbacks)).RootElement;
        Assert.Equal($"{PublicBase}reports/{queuedId}", delivered.GetProperty("links").GetProperty("report").GetString());
    }

    [Fact]
    public async Task Without_a_base_links_stay_paths_and_Slack_has_no_dead_buttons()
    {
        await using var factory = Service();
        using var client = factory.CreateClient();

        var diagnosis = await DiagnoseSampleAsync(client, "203.0.113.9", ("X-Forwarded-Proto", "https"), ("X-Forwarded-Host", "evil.example"));
        var id = diagnosis.GetProperty("id").GetString()!;
        Assert.Equal($"/reports/{id}", Links(diagnosis)["report"]);
        var slack = await client.GetStringAsync($"/api/v1/diagnoses/{id}?format=slack");
        Assert.DoesNotContain("\"actions\"", slack, StringComparison.Ordinal);
        Assert.DoesNotContain("\"actions\"", await client.GetStringAsync($"/api/v1/diagnoses/{id}?format=teams"), StringComparison.Ordinal);
        Assert.DoesNotContain("\"link\"", await client.GetStringAsync($"/api/v1/diagnoses/{id}?format=jira"), StringComparison.Ordinal);
        Assert.DoesNotContain("evil.example", slack, StringComparison.Ordinal);
        Assert.Contains($"**Report:** `/reports/{id}`", await client.GetStringAsync($"/api/v1/diagnoses/{id}?format=markdown"), StringComparison.Ordinal);

        // TestServer gives no client address, which ASP.NET Core's middleware would trust: no proxy, no trust at all.
        var anonymous = await DiagnoseSampleAsync(client, from: null, ("X-Forwarded-Host", "evil.example"));
        Assert.Equal($"/reports/{anonymous.GetProperty("id").GetString()}", Links(anonymous)["report"]);
    }

    [Fact]
    public async Task Forwarded_headers_count_only_from_a_known_proxy()
    {
        await using var factory = Service(("DnsExpert:ForwardedHeaders:KnownProxies:0", "10.0.0.7"), ("DnsExpert:ForwardedHeaders:KnownNetworks:0", "10.244.0.0/16"));
        using var client = factory.CreateClient();
        (string, string)[] forwarded = [("X-Forwarded-Proto", "https"), ("X-Forwarded-Host", "dns.example.org"), ("X-Forwarded-Prefix", "/tools"), ("X-Forwarded-For", "198.51.100.4")];

        foreach (var proxy in new[] { "10.0.0.7", "10.244.3.9" })
        {
            var viaProxy = await DiagnoseSampleAsync(client, proxy, forwarded);
            Assert.Equal($"https://dns.example.org/tools/reports/{viaProxy.GetProperty("id").GetString()}", Links(viaProxy)["report"]);
        }

        // The same headers from anyone else, with or without a forged X-Original-Host, are ignored: the links stay paths.
        foreach (var stranger in new[] { "203.0.113.9", "127.0.0.1" })
        {
            var forged = await DiagnoseSampleAsync(client, stranger, [.. forwarded, ("X-Original-Host", "localhost")]);
            var id = forged.GetProperty("id").GetString()!;
            Assert.Equal($"/reports/{id}", Links(forged)["report"]);
            Assert.DoesNotContain("dns.example.org", await client.GetStringAsync($"/api/v1/diagnoses/{id}?format=slack"), StringComparison.Ordinal);
        }

        // A proxy that forwards no scheme or host (X-Forwarded-For alone) gives no base either.
        var forOnly = await DiagnoseSampleAsync(client, "10.0.0.7", ("X-Forwarded-For", "198.51.100.4"));
        Assert.StartsWith("/reports/", Links(forOnly)["report"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task PublicBaseUrl_wins_over_forwarded_headers()
    {
        await using var factory = Service(("DnsExpert:PublicBaseUrl", PublicBase), ("DnsExpert:ForwardedHeaders:KnownProxies:0", "10.0.0.7"));
        using var client = factory.CreateClient();

        var diagnosis = await DiagnoseSampleAsync(client, "10.0.0.7", ("X-Forwarded-Proto", "http"), ("X-Forwarded-Host", "internal.example"));
        Assert.Equal($"{PublicBase}reports/{diagnosis.GetProperty("id").GetString()}", Links(diagnosis)["report"]);
    }
}
