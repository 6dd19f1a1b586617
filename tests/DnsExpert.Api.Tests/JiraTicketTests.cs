using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using DnsExpert.Api.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging;

namespace DnsExpert.Api.Tests;

/// <summary>
/// <c>POST /api/v1/diagnoses/{id}/ticket/jira</c> against a Jira stand-in on 127.0.0.1 that checks what Jira Cloud's
/// create-issue call requires (project key, issue type, an ADF document of version 1, the basic or bearer credential)
/// and answers as Jira does: <c>201 {"id","key","self"}</c>, <c>400 {"errorMessages","errors"}</c>, or a redirect.
/// </summary>
public sealed class JiraTicketTests : IAsyncLifetime, IDisposable
{
    private const string Token = "ATATT3xFfGF0-secret-token-7f3a";
    private const string Email = "ops@example.com";

    private readonly string _temp = Directory.CreateTempSubdirectory("dnsexpert-jira-").FullName;
    private readonly ConcurrentQueue<(string? Authorization, JsonElement Body)> _created = new();
    private readonly CapturingLoggerProvider _logs = new();
    private readonly List<WebApplicationFactory<Program>> _services = [];
    private WebApplication _jira = null!;
    private string _site = "";
    private string _tokenFile = "";
    private int _issues;

    /// <summary>What the stand-in answers a well-formed create with, when not 201.</summary>
    private (int Status, string Body)? _refusal;

    /// <summary>The project's create screen has no priority: Jira refuses a create that sets it.</summary>
    private bool _screenWithoutPriority;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _jira = builder.Build();
        _jira.MapPost("/rest/api/3/issue", async (HttpRequest request) =>
        {
            using var body = await JsonDocument.ParseAsync(request.Body);
            var fields = body.RootElement.GetProperty("fields");
            var description = fields.GetProperty("description");
            // Jira's own checks: a project, an issue type, a summary and an ADF document.
            if (fields.GetProperty("project").GetProperty("key").GetString() != "DNS" || fields.GetProperty("issuetype").GetProperty("name").GetString() != "Bug"
                || fields.GetProperty("summary").GetString() is not { Length: > 0 } || description.GetProperty("type").GetString() != "doc"
                || description.GetProperty("version").GetInt32() != 1 || description.GetProperty("content").GetArrayLength() == 0)
            {
                return Results.Json(new { errorMessages = new[] { "malformed create" } }, statusCode: 400);
            }

            _created.Enqueue((request.Headers.Authorization.ToString(), body.RootElement.Clone()));
            if (_screenWithoutPriority && fields.TryGetProperty("priority", out _))
            {
                // Jira Cloud's answer (a team-managed project, or a create screen without the field).
                return Results.Json(new { errorMessages = Array.Empty<string>(), errors = new { priority = "Field 'priority' cannot be set. It is not on the appropriate screen, or unknown." } }, statusCode: 400);
            }

            if (_refusal is { } refusal)
            {
                return Results.Text(refusal.Body, "application/json", statusCode: refusal.Status);
            }

            var n = Interlocked.Increment(ref _issues);
            return Results.Json(new { id = (10000 + n).ToString(System.Globalization.CultureInfo.InvariantCulture), key = $"DNS-{n}", self = $"{_site}/rest/api/3/issue/{10000 + n}" }, statusCode: 201);
        });
        _jira.MapPost("/moved/rest/api/3/issue", () => Results.Redirect("/rest/api/3/issue", permanent: true, preserveMethod: true));
        _jira.MapPost("/slow/rest/api/3/issue", async (HttpContext context) =>
        {
            await Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
            return Results.StatusCode(201);
        });
        await _jira.StartAsync();
        _site = _jira.Urls.First();
        _tokenFile = Path.Combine(_temp, "jira-token");
        await File.WriteAllTextAsync(_tokenFile, Token + "\n");
    }

    public async Task DisposeAsync()
    {
        foreach (var service in _services)
        {
            await service.DisposeAsync();
        }

        await _jira.DisposeAsync();
        Directory.Delete(_temp, recursive: true);
    }

    public void Dispose() => _logs.Dispose();

    private WebApplicationFactory<Program> Service(Dictionary<string, string>? jira = null, Dictionary<string, string>? more = null)
    {
        var service = new ApiFactory().WithWebHostBuilder(b =>
        {
            foreach (var (key, value) in more ?? [])
            {
                b.UseSetting(key, value);
            }

            foreach (var (key, value) in jira ?? new Dictionary<string, string>
            {
                ["BaseUrl"] = _site + "/", ["ProjectKey"] = "DNS", ["IssueType"] = "Bug", ["Email"] = Email, ["ApiTokenFile"] = _tokenFile,
            })
            {
                b.UseSetting("DnsExpert:Jira:" + key, value);
            }

            b.ConfigureLogging(l => l.AddProvider(_logs));
        });
        _services.Add(service);
        return service;
    }

    private static async Task<string> DiagnoseAsync(HttpClient client)
    {
        var sample = await File.ReadAllTextAsync(Path.Combine(ApiFactory.RepoRoot, "src", "DnsExpert.Api", "Samples", "sick-cluster.json"));
        var created = await client.PostAsync("/api/v1/diagnoses", new StringContent(sample, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        return (await created.Json()).GetProperty("id").GetString()!;
    }

    private static Task<HttpResponseMessage> CreateIssueAsync(HttpClient client, string id) => client.PostAsync($"/api/v1/diagnoses/{id}/ticket/jira", null);

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return await response.Json();
    }

    private void AssertTokenNowhere(params string[] answers)
    {
        Assert.DoesNotContain(_logs.Lines, line => line.Contains(Token, StringComparison.Ordinal));
        Assert.All(answers, answer => Assert.DoesNotContain(Token, answer, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_issue_is_created_once_with_the_diagnosis_body_and_kept_with_the_diagnosis()
    {
        var client = Service().CreateClient();
        var id = await DiagnoseAsync(client);

        var answer = await CreateIssueAsync(client, id);
        var answerText = await answer.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.Created, answer.StatusCode);
        var created = await answer.Json();
        Assert.Equal("DNS-1", created.GetProperty("key").GetString());
        Assert.Equal($"{_site}/browse/DNS-1", created.GetProperty("url").GetString());
        Assert.Equal(new Uri($"{_site}/browse/DNS-1"), answer.Headers.Location);

        // What Jira received: the ?format=jira body with the project and issue type, and Cloud's basic credential.
        var (authorization, body) = Assert.Single(_created);
        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Email}:{Token}")), authorization);
        var rendered = await (await client.GetAsync($"/api/v1/diagnoses/{id}?format=jira")).Json();
        Assert.Equal(rendered.GetProperty("fields").GetProperty("summary").GetString(), body.GetProperty("fields").GetProperty("summary").GetString());
        Assert.Equal(rendered.GetProperty("fields").GetProperty("description").GetRawText(), body.GetProperty("fields").GetProperty("description").GetRawText());
        Assert.Contains("dnsexpert", body.GetProperty("fields").GetProperty("labels").EnumerateArray().Select(l => l.GetString()));

        // Kept: the diagnosis lists it; the earlier fields are all still there.
        var diagnosis = await (await client.GetAsync($"/api/v1/diagnoses/{id}")).Json();
        var issue = Assert.Single(diagnosis.GetProperty("issues").EnumerateArray().ToList());
        Assert.Equal(("jira", "DNS-1", $"{_site}/browse/DNS-1"), (issue.GetProperty("tracker").GetString(), issue.GetProperty("key").GetString(), issue.GetProperty("url").GetString()));
        Assert.True(diagnosis.GetProperty("findings").GetArrayLength() > 0);
        Assert.Equal($"/api/v1/diagnoses/{id}", diagnosis.GetProperty("links").GetProperty("self").GetString());

        // The Markdown report and the report page name it too.
        Assert.Contains($"**Issue:** `DNS-1` <{_site}/browse/DNS-1>", await client.GetStringAsync($"/api/v1/diagnoses/{id}?format=markdown"), StringComparison.Ordinal);
        Assert.Contains($"Issue: <a href=\"{_site}/browse/DNS-1\">DNS-1</a>", await client.GetStringAsync($"/reports/{id}"), StringComparison.Ordinal);

        // A second request is a conflict naming the issue; Jira is not called again.
        var again = await ProblemAsync(await CreateIssueAsync(client, id), HttpStatusCode.Conflict);
        Assert.Equal("DNS-1", again.GetProperty("key").GetString());
        Assert.Equal($"{_site}/browse/DNS-1", again.GetProperty("url").GetString());
        Assert.Single(_created);

        AssertTokenNowhere(answerText, again.GetRawText(), diagnosis.GetRawText());
    }

    [Fact]
    public async Task Jiras_refusal_is_a_502_quoting_its_reasons_and_the_issue_can_be_created_once_it_is_fixed()
    {
        var client = Service().CreateClient();
        var id = await DiagnoseAsync(client);
        _refusal = (400, $$$"""{"errorMessages":["Field 'priority' cannot be set.\u0007 It is not on the appropriate screen"],"errors":{"labels":"<b>bad</b> label","echo":"Basic {{{Token}}}"}}""");

        var refused = await ProblemAsync(await CreateIssueAsync(client, id), HttpStatusCode.BadGateway);
        var detail = refused.GetProperty("detail").GetString()!;
        Assert.StartsWith("Jira answered HTTP 400: Field 'priority' cannot be set.", detail, StringComparison.Ordinal);
        Assert.Contains("labels: <b>bad</b> label", detail, StringComparison.Ordinal); // quoted as text; the JSON answer escapes it
        Assert.DoesNotContain('\a', detail);
        Assert.Equal(400, refused.GetProperty("jiraStatus").GetInt32());
        Assert.False((await (await client.GetAsync($"/api/v1/diagnoses/{id}")).Json()).TryGetProperty("issues", out _));

        // A 5xx with a body that is not Jira's JSON: bounded, still a 502 and not a 500.
        _refusal = (503, new string('x', 200_000));
        var unavailable = await ProblemAsync(await CreateIssueAsync(client, id), HttpStatusCode.BadGateway);
        Assert.True(unavailable.GetProperty("detail").GetString()!.Length < 1100);

        // The token's Secret unmounted since start: a 502 naming the setting, not a 500.
        File.Move(_tokenFile, _tokenFile + ".gone");
        var unreadable = await ProblemAsync(await CreateIssueAsync(client, id), HttpStatusCode.BadGateway);
        Assert.Contains("DnsExpert:Jira:ApiTokenFile", unreadable.GetProperty("detail").GetString(), StringComparison.Ordinal);
        File.Move(_tokenFile + ".gone", _tokenFile);

        // The refusals released the diagnosis: fixed, the issue is created.
        _refusal = null;
        Assert.Equal(HttpStatusCode.Created, (await CreateIssueAsync(client, id)).StatusCode);
        AssertTokenNowhere(refused.GetRawText(), unavailable.GetRawText());
    }

    [Fact]
    public async Task A_project_without_priority_on_its_create_screen_gets_the_issue_without_it()
    {
        var client = Service().CreateClient();
        var id = await DiagnoseAsync(client);
        _screenWithoutPriority = true;

        var created = await CreateIssueAsync(client, id);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("DNS-1", (await created.Json()).GetProperty("key").GetString());
        var sent = _created.Select(c => c.Body.GetProperty("fields")).ToList();
        Assert.Equal(2, sent.Count);
        Assert.True(sent[0].TryGetProperty("priority", out _));
        Assert.False(sent[1].TryGetProperty("priority", out _));
        Assert.Equal(sent[0].GetProperty("summary").GetString(), sent[1].GetProperty("summary").GetString());

        // Any other refusal is not sent again: a 400 naming another field is a 502 after one call.
        var other = await DiagnoseAsync(client);
        _screenWithoutPriority = false;
        _refusal = (400, """{"errorMessages":[],"errors":{"labels":"Field 'labels' cannot be set."}}""");
        await ProblemAsync(await CreateIssueAsync(client, other), HttpStatusCode.BadGateway);
        Assert.Equal(3, _created.Count);
    }

    [Fact]
    public async Task A_redirect_is_not_followed()
    {
        var client = Service(new()
        {
            ["BaseUrl"] = _site + "/moved", ["ProjectKey"] = "DNS", ["IssueType"] = "Bug", ["Email"] = Email, ["ApiTokenFile"] = _tokenFile,
        }).CreateClient();
        var id = await DiagnoseAsync(client);

        var problem = await ProblemAsync(await CreateIssueAsync(client, id), HttpStatusCode.BadGateway);

        Assert.Contains("HTTP 308, a redirect, which is not followed", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Empty(_created);
    }

    [Fact]
    public async Task A_jira_that_does_not_answer_is_given_up_after_the_timeout()
    {
        var client = Service(new()
        {
            ["BaseUrl"] = _site + "/slow", ["ProjectKey"] = "DNS", ["IssueType"] = "Bug", ["Email"] = Email, ["ApiTokenFile"] = _tokenFile, ["Timeout"] = "00:00:01",
        }).CreateClient();
        var id = await DiagnoseAsync(client);

        var problem = await ProblemAsync(await CreateIssueAsync(client, id), HttpStatusCode.BadGateway);

        Assert.Contains("did not answer within 1 s (DnsExpert:Jira:Timeout)", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_data_center_token_is_sent_as_a_bearer_token()
    {
        var client = Service(new() { ["BaseUrl"] = _site, ["ProjectKey"] = "DNS", ["IssueType"] = "Bug", ["BearerTokenFile"] = _tokenFile }).CreateClient();
        var id = await DiagnoseAsync(client);

        Assert.Equal(HttpStatusCode.Created, (await CreateIssueAsync(client, id)).StatusCode);

        Assert.Equal("Bearer " + Token, Assert.Single(_created).Authorization);
        AssertTokenNowhere();
    }

    [Fact]
    public async Task Only_a_key_that_may_diagnose_and_see_the_diagnosis_creates_its_issue()
    {
        var shop = ApiKeyStore.NewKey("team-shop");
        var pay = ApiKeyStore.NewKey("team-pay");
        var auditor = ApiKeyStore.NewKey("auditor");
        var keys = Path.Combine(_temp, "keys");
        await File.WriteAllTextAsync(keys, string.Join('\n', shop.Line, pay.Line, auditor.Line));
        var service = Service(more: new()
        {
            ["DnsExpert:Auth:Enabled"] = "true", ["DnsExpert:Auth:ApiKeysFile"] = keys,
            ["DnsExpert:Auth:Scopes:team-shop:Namespaces:0"] = "shop", ["DnsExpert:Auth:Scopes:team-pay:Namespaces:0"] = "payments",
            ["DnsExpert:Auth:Scopes:auditor:Role"] = "read",
        });
        HttpClient Client(string key)
        {
            var client = service.CreateClient();
            client.DefaultRequestHeaders.Add("X-API-Key", key);
            return client;
        }

        var created = await Client(shop.Key).PostAsJsonAsync("/api/v1/diagnoses",
            new { target = new { @namespace = "shop", pod = "web-0" }, symptom = new { errorMessage = "dial tcp: lookup api on 10.96.0.10:53: i/o timeout" } });
        var id = (await created.Json()).GetProperty("id").GetString()!;

        await ProblemAsync(await CreateIssueAsync(service.CreateClient(), id), HttpStatusCode.Unauthorized);
        await ProblemAsync(await CreateIssueAsync(Client(auditor.Key), id), HttpStatusCode.Forbidden);
        await ProblemAsync(await CreateIssueAsync(Client(pay.Key), id), HttpStatusCode.NotFound); // another namespace's: not told it exists
        Assert.Empty(_created);

        Assert.Equal(HttpStatusCode.Created, (await CreateIssueAsync(Client(shop.Key), id)).StatusCode);
        Assert.Single(_created);
    }

    [Fact]
    public async Task Without_jira_settings_the_answer_names_them_and_an_unknown_id_is_a_404()
    {
        var client = Service([]).CreateClient();
        var id = await DiagnoseAsync(client);

        var off = await ProblemAsync(await CreateIssueAsync(client, id), HttpStatusCode.NotImplemented);
        Assert.Contains("DnsExpert:Jira:BaseUrl", off.GetProperty("detail").GetString(), StringComparison.Ordinal);

        var configured = Service().CreateClient();
        await ProblemAsync(await CreateIssueAsync(configured, "0123456789abcdef0123456789abcdef"), HttpStatusCode.NotFound);
        await ProblemAsync(await CreateIssueAsync(configured, "not-an-id"), HttpStatusCode.NotFound);
        Assert.Empty(_created);
    }
}
