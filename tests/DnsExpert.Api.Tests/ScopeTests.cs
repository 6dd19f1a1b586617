using System.Net;
using System.Net.Http.Json;
using System.Security.Claims;
using DnsExpert.Api.Security;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace DnsExpert.Api.Tests;

/// <summary>
/// Keys and tokens carry a scope (namespaces) and a role (read, diagnose, admin): one team's key neither lists, reads
/// nor refines another team's diagnoses, and evidence onto another caller's diagnosis is refused unless the caller is
/// an admin, so one caller's output never reaches another's chain (its links.next and callback).
/// </summary>
public sealed class ScopeTests : IDisposable
{
    private const string JwtKey = "a-test-signing-key-of-at-least-32-bytes!!";
    private static readonly (string Key, string Line) Shop = ApiKeyStore.NewKey("team-shop");
    private static readonly (string Key, string Line) Shop2 = ApiKeyStore.NewKey("team-shop-bot");
    private static readonly (string Key, string Line) Pay = ApiKeyStore.NewKey("team-pay");
    private static readonly (string Key, string Line) Auditor = ApiKeyStore.NewKey("auditor");
    private static readonly (string Key, string Line) Platform = ApiKeyStore.NewKey("platform");
    private readonly string _keysFile = Path.Combine(Path.GetTempPath(), $"dnsexpert-keys-{Guid.NewGuid():N}");
    private readonly WebApplicationFactory<Program> _factory;

    public ScopeTests()
    {
        File.WriteAllText(_keysFile, string.Join('\n', Shop.Line, Shop2.Line, Pay.Line, Auditor.Line, Platform.Line));
        _factory = new ApiFactory().WithWebHostBuilder(b => b
            .UseSetting("DnsExpert:Auth:Enabled", "true")
            .UseSetting("DnsExpert:Auth:ApiKeysFile", _keysFile)
            .UseSetting("DnsExpert:Auth:Scopes:team-shop:Namespaces:0", "shop")
            .UseSetting("DnsExpert:Auth:Scopes:team-shop-bot:Namespaces:0", "shop")
            .UseSetting("DnsExpert:Auth:Scopes:team-pay:Namespaces:0", "payments")
            .UseSetting("DnsExpert:Auth:Scopes:auditor:Role", "read")
            .UseSetting("DnsExpert:Auth:Scopes:platform:Role", "admin")
            .UseSetting("DnsExpert:Auth:Jwt:SigningKey", JwtKey)
            .UseSetting("DnsExpert:Auth:Jwt:Issuer", "https://gateway.test")
            .UseSetting("DnsExpert:Auth:Jwt:Audience", "dnsexpert"));
    }

    public void Dispose()
    {
        _factory.Dispose();
        File.Delete(_keysFile);
    }

    private HttpClient Client(string key)
    {
        var client = _factory.CreateClient();
        client.DefaultRequestHeaders.Add("X-API-Key", key);
        return client;
    }

    private static object Request(string ns) => new
    {
        target = new { @namespace = ns, pod = "web-0" },
        symptom = new { errorMessage = "dial tcp: lookup api on 10.96.0.10:53: read udp 10.0.0.5:40000->10.96.0.10:53: i/o timeout" },
    };

    private static async Task<string> CreateAsync(HttpClient client, string ns)
    {
        using var response = await client.PostAsJsonAsync("/api/v1/diagnoses", Request(ns));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Json()).GetProperty("id").GetString()!;
    }

    private static Task<HttpResponseMessage> EvidenceAsync(HttpClient client, string id) =>
        client.PostAsJsonAsync($"/api/v1/diagnoses/{id}/evidence", new { outputs = new[] { new { from = "shop/web-0", command = "cat /etc/resolv.conf", text = "nameserver 10.96.0.10\n" } } });

    [Fact]
    public async Task A_key_lists_and_reads_only_the_diagnoses_of_its_namespaces()
    {
        using var shop = Client(Shop.Key);
        using var pay = Client(Pay.Key);
        var shopId = await CreateAsync(shop, "shop");
        var payId = await CreateAsync(pay, "payments");

        var listed = (await shop.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/v1/diagnoses")).GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetString()).ToList();
        Assert.Contains(shopId, listed);
        Assert.DoesNotContain(payId, listed);

        foreach (var path in new[] { $"/api/v1/diagnoses/{payId}", $"/api/v1/diagnoses/{payId}/request", $"/api/v1/diagnoses/{payId}/ticket", $"/reports/{payId}" })
        {
            using var response = await shop.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{path}: {(int)response.StatusCode}");
        }

        using var own = await shop.GetAsync($"/api/v1/diagnoses/{shopId}/request");
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
    }

    [Fact]
    public async Task A_key_diagnoses_only_in_its_namespaces_and_a_read_key_not_at_all()
    {
        using var shop = Client(Shop.Key);
        using var outside = await shop.PostAsJsonAsync("/api/v1/diagnoses", Request("payments"));
        Assert.Equal(HttpStatusCode.Forbidden, outside.StatusCode);
        Assert.True((await outside.Json()).GetProperty("errors").TryGetProperty("target.namespace", out _));

        using var auditor = Client(Auditor.Key);
        using var refused = await auditor.PostAsJsonAsync("/api/v1/diagnoses", Request("shop"));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);

        // A read key still reads, in every namespace (it names none).
        var id = await CreateAsync(shop, "shop");
        using var read = await auditor.GetAsync($"/api/v1/diagnoses/{id}");
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
    }

    [Fact]
    public async Task Evidence_on_another_callers_diagnosis_is_refused_unless_the_caller_is_an_admin()
    {
        using var shop = Client(Shop.Key);
        using var bot = Client(Shop2.Key);
        using var pay = Client(Pay.Key);
        using var platform = Client(Platform.Key);
        var id = await CreateAsync(shop, "shop");

        using (var sameScope = await EvidenceAsync(bot, id))
        {
            Assert.Equal(HttpStatusCode.Forbidden, sameScope.StatusCode);
        }

        using (var otherScope = await EvidenceAsync(pay, id))
        {
            Assert.Equal(HttpStatusCode.NotFound, otherScope.StatusCode);
        }

        // The creator's chain is untouched: no next link to anyone else's content.
        var earlier = await shop.GetFromJsonAsync<System.Text.Json.JsonElement>($"/api/v1/diagnoses/{id}");
        Assert.False(earlier.GetProperty("links").TryGetProperty("next", out _));

        using var own = await EvidenceAsync(shop, id);
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        var refinedId = (await own.Json()).GetProperty("id").GetString()!;
        using var admin = await EvidenceAsync(platform, refinedId);
        Assert.Equal(HttpStatusCode.OK, admin.StatusCode);
    }

    [Fact]
    public async Task A_token_carries_its_role_and_namespaces_in_claims()
    {
        var token = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Subject = new ClaimsIdentity([new Claim("sub", "jira"), new Claim(CallerScope.NamespacesClaim, "payments billing")]),
            Issuer = "https://gateway.test",
            Audience = "dnsexpert",
            Expires = DateTime.UtcNow.AddMinutes(10),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(System.Text.Encoding.UTF8.GetBytes(JwtKey)), SecurityAlgorithms.HmacSha256),
        });
        using var jira = _factory.CreateClient();
        jira.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        using var shop = Client(Shop.Key);
        var shopId = await CreateAsync(shop, "shop");

        var billingId = await CreateAsync(jira, "billing");
        using var hidden = await jira.GetAsync($"/api/v1/diagnoses/{shopId}");
        Assert.Equal(HttpStatusCode.NotFound, hidden.StatusCode);
        using var outside = await jira.PostAsJsonAsync("/api/v1/diagnoses", Request("shop"));
        Assert.Equal(HttpStatusCode.Forbidden, outside.StatusCode);
        using var seen = await jira.GetAsync($"/api/v1/diagnoses/{billingId}");
        Assert.Equal(HttpStatusCode.OK, seen.StatusCode);
    }
}
