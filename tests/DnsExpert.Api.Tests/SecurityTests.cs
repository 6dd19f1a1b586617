using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text;
using DnsExpert.Api.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace DnsExpert.Api.Tests;

/// <summary>API keys, JWT bearer tokens and per-caller rate limits, through the real pipeline; and no secret in any log.</summary>
public sealed class SecurityTests : IDisposable
{
    private const string JwtKey = "a-test-signing-key-of-at-least-32-bytes!!";
    private static readonly (string Key, string Line) Bot = ApiKeyStore.NewKey("chatops-bot");
    private static readonly (string Key, string Line) Tiny = ApiKeyStore.NewKey("tiny");
    private readonly string _keysFile = Path.Combine(Path.GetTempPath(), $"dnsexpert-keys-{Guid.NewGuid():N}");
    private readonly CapturingLoggerProvider _logs = new();
    private readonly WebApplicationFactory<Program> _factory;

    public SecurityTests()
    {
        File.WriteAllText(_keysFile, $"# keys for tests\n{Bot.Line}\n{Tiny.Line}\n");
        _factory = new ApiFactory().WithWebHostBuilder(b => b
            .UseSetting("DnsExpert:Auth:Enabled", "true")
            .UseSetting("DnsExpert:Auth:ApiKeysFile", _keysFile)
            .UseSetting("DnsExpert:Auth:RequestsPerMinuteByKey:tiny", "2")
            .UseSetting("DnsExpert:Auth:Jwt:SigningKey", JwtKey)
            .UseSetting("DnsExpert:Auth:Jwt:Issuer", "https://gateway.test")
            .UseSetting("DnsExpert:Auth:Jwt:Audience", "dnsexpert")
            .UseSetting("Logging:LogLevel:Default", "Trace")
            .ConfigureLogging(l => l.AddProvider(_logs)));
    }

    public void Dispose()
    {
        _factory.Dispose();
        File.Delete(_keysFile);
    }

    private HttpClient Client(string? key = null, string? bearer = null)
    {
        var client = _factory.CreateClient();
        if (key is not null)
        {
            client.DefaultRequestHeaders.Add("X-API-Key", key);
        }

        if (bearer is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        return client;
    }

    private static string Token(string issuer = "https://gateway.test", string key = JwtKey, DateTime? expires = null, string? subject = "jira-integration") =>
        new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Subject = subject is null ? null : new ClaimsIdentity([new Claim("sub", subject)]),
            Issuer = issuer,
            Audience = "dnsexpert",
            NotBefore = DateTime.UtcNow.AddMinutes(-30),
            Expires = expires ?? DateTime.UtcNow.AddMinutes(10),
            IssuedAt = DateTime.UtcNow.AddMinutes(-30),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(key)), SecurityAlgorithms.HmacSha256),
        });

    [Fact]
    public async Task Without_credentials_the_api_is_a_401_problem_but_health_and_metrics_are_open()
    {
        using var client = Client();
        var response = await client.GetAsync("/api/v1/rules");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "ApiKey");
        Assert.Equal("Credentials are required", (await response.Json()).GetProperty("title").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.PostAsync("/api/v1/samples/sick-cluster/diagnose", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/reports/0123456789abcdef0123456789abcdef")).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/readyz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/metrics")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/swagger/v1/swagger.json")).StatusCode);
    }

    [Fact]
    public async Task A_valid_api_key_or_bearer_token_is_accepted_and_a_wrong_one_is_not()
    {
        using (var bot = Client(Bot.Key))
        {
            Assert.Equal(HttpStatusCode.OK, (await bot.PostAsync("/api/v1/samples/autopath-wrong-answers/diagnose", null)).StatusCode);
        }

        using (var apiKeyScheme = _factory.CreateClient())
        {
            apiKeyScheme.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("ApiKey", Bot.Key);
            Assert.Equal(HttpStatusCode.OK, (await apiKeyScheme.GetAsync("/api/v1/rules")).StatusCode);
        }

        // What Alertmanager's http_config.authorization (type Bearer, its default) and most webhook senders send.
        using (var bearerKey = Client(bearer: Bot.Key))
        {
            Assert.Equal(HttpStatusCode.OK, (await bearerKey.GetAsync("/api/v1/rules")).StatusCode);
        }

        using (var bearerWrongKey = Client(bearer: Bot.Key + "x"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await bearerWrongKey.GetAsync("/api/v1/rules")).StatusCode);
        }

        using (var wrong = Client(Bot.Key + "x"))
        {
            var response = await wrong.GetAsync("/api/v1/rules");
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("The credentials are not valid", (await response.Json()).GetProperty("title").GetString());
        }

        using (var jwt = Client(bearer: Token()))
        {
            Assert.Equal(HttpStatusCode.OK, (await jwt.GetAsync("/api/v1/rules")).StatusCode);
        }

        foreach (var bad in new[] { Token(issuer: "https://evil.test"), Token(key: "another-key-that-is-also-32-bytes-long!!"), Token(expires: DateTime.UtcNow.AddMinutes(-10)) })
        {
            using var jwt = Client(bearer: bad);
            Assert.Equal(HttpStatusCode.Unauthorized, (await jwt.GetAsync("/api/v1/rules")).StatusCode);
        }
    }

    [Fact]
    public async Task Each_key_has_its_own_rate_limit_with_retry_after()
    {
        using var tiny = Client(Tiny.Key);
        Assert.Equal(HttpStatusCode.OK, (await tiny.GetAsync("/api/v1/rules")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await tiny.GetAsync("/api/v1/rules")).StatusCode);

        var limited = await tiny.GetAsync("/api/v1/rules");
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.True(limited.Headers.RetryAfter!.Delta!.Value.TotalSeconds >= 1);
        Assert.Equal("application/problem+json", limited.Content.Headers.ContentType!.MediaType);

        using var bot = Client(Bot.Key);
        Assert.Equal(HttpStatusCode.OK, (await bot.GetAsync("/api/v1/rules")).StatusCode);
    }

    [Fact]
    public async Task No_key_or_token_ever_reaches_a_log()
    {
        var token = Token();
        using (var bot = Client(Bot.Key))
        {
            await bot.PostAsync("/api/v1/samples/sick-cluster/diagnose", null);
        }

        using (var wrong = Client("dx_wrong-key-that-must-not-be-logged"))
        {
            await wrong.GetAsync("/api/v1/rules");
        }

        using (var jwt = Client(bearer: token))
        {
            await jwt.GetAsync("/api/v1/rules");
        }

        Assert.NotEmpty(_logs.Lines);
        Assert.DoesNotContain(_logs.Lines, l => l.Contains(Bot.Key, StringComparison.Ordinal));
        Assert.DoesNotContain(_logs.Lines, l => l.Contains("dx_wrong-key-that-must-not-be-logged", StringComparison.Ordinal));
        Assert.DoesNotContain(_logs.Lines, l => l.Contains(token, StringComparison.Ordinal) || l.Contains(token.Split('.')[2], StringComparison.Ordinal));
    }

    /// <summary>A factory with these settings, whose requests come from the address in <c>X-Test-Client</c>.</summary>
    private WebApplicationFactory<Program> With(params (string Key, string Value)[] settings) =>
        _factory.WithWebHostBuilder(b =>
        {
            foreach (var (key, value) in settings)
            {
                b.UseSetting(key, value);
            }

            b.ConfigureServices(s => s.AddSingleton<IStartupFilter, ClientAddressFromHeader>());
        });

    private static HttpRequestMessage From(string address, string path, string? key = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add(ClientAddressFromHeader.Header, address);
        if (key is not null)
        {
            request.Headers.Add("X-API-Key", key);
        }

        return request;
    }

    private static async Task<List<HttpStatusCode>> Send(HttpClient client, int count, Func<int, HttpRequestMessage> request)
    {
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < count; i++)
        {
            using var response = await client.SendAsync(request(i));
            statuses.Add(response.StatusCode);
        }

        return statuses;
    }

    [Fact]
    public async Task Health_endpoints_are_never_rate_limited()
    {
        using var factory = With(("DnsExpert:Auth:RequestsPerMinute", "5"), ("DnsExpert:Auth:RequestsPerMinutePerAddress", "5"));
        using var client = factory.CreateClient();

        var health = await Send(client, 200, i => From("10.0.0.7", i % 2 == 0 ? "/healthz" : "/readyz"));

        Assert.All(health, s => Assert.Equal(HttpStatusCode.OK, s));
        Assert.Contains(HttpStatusCode.TooManyRequests, await Send(client, 10, _ => From("10.0.0.7", "/api/v1/rules", Bot.Key)));
    }

    [Fact]
    public async Task Unauthenticated_requests_are_limited_per_client_address_before_authentication()
    {
        using var factory = With(("DnsExpert:Auth:RequestsPerMinutePerAddress", "10"), ("DnsExpert:Auth:FailureLogInterval", "01:00:00"));
        using var client = factory.CreateClient();

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 15; i++)
        {
            using var response = await client.SendAsync(From("192.0.2.1", "/api/v1/rules", i % 2 == 0 ? "dx_guess" : null));
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                Assert.True(response.Headers.RetryAfter!.Delta!.Value.TotalSeconds >= 1);
                Assert.Contains("client address", (await response.Json()).GetProperty("detail").GetString(), StringComparison.Ordinal);
            }
        }

        Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.Unauthorized, 10), .. Enumerable.Repeat(HttpStatusCode.TooManyRequests, 5)], statuses);
        using (var other = await client.SendAsync(From("192.0.2.2", "/api/v1/rules", "dx_guess")))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, other.StatusCode);
        }

        // Limited requests never reached authentication: 10 + 1 failures were counted.
        factory.Services.GetRequiredService<AuthFailureLog>().Flush();
        Assert.Single(_logs.Lines, l => l.Contains("11 request(s) failed authentication", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Authentication_failures_are_logged_once_per_interval_with_counts_not_once_per_request()
    {
        using var factory = With(("DnsExpert:Auth:FailureLogInterval", "01:00:00"));
        using var client = factory.CreateClient();
        var statuses = await Send(client, 30, i => From(i % 3 == 0 ? "198.51.100.1" : "198.51.100.2", "/api/v1/rules", i % 2 == 0 ? "dx_wrong-key-that-must-not-be-logged" : null));

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.Unauthorized, s));
        Assert.DoesNotContain(_logs.Lines, l => l.Contains("was not authenticated", StringComparison.Ordinal));
        Assert.DoesNotContain(_logs.Lines, l => l.Contains("AuthFailureLog", StringComparison.Ordinal));

        factory.Services.GetRequiredService<AuthFailureLog>().Flush();
        factory.Services.GetRequiredService<AuthFailureLog>().Flush();

        var line = Assert.Single(_logs.Lines, l => l.Contains("failed authentication", StringComparison.Ordinal));
        Assert.Contains("AuthFailureLog Warning: 30 request(s) failed authentication in the last 01:00:00 (15 with wrong credentials, the rest with none) from 2 client address(es)", line, StringComparison.Ordinal);
        Assert.DoesNotContain(_logs.Lines, l => l.Contains("dx_wrong-key-that-must-not-be-logged", StringComparison.Ordinal) || l.Contains("198.51.100.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_token_expired_longer_ago_than_the_clock_skew_is_refused_and_the_skew_is_configurable()
    {
        var fourMinutesAgo = Token(expires: DateTime.UtcNow.AddMinutes(-4));
        using (var jwt = Client(bearer: fourMinutesAgo))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await jwt.GetAsync("/api/v1/rules")).StatusCode);
        }

        using (var jwt = Client(bearer: Token(expires: DateTime.UtcNow.AddSeconds(-5))))
        {
            Assert.Equal(HttpStatusCode.OK, (await jwt.GetAsync("/api/v1/rules")).StatusCode);
        }

        using var lenient = _factory.WithWebHostBuilder(b => b.UseSetting("DnsExpert:Auth:Jwt:ClockSkew", "00:05:00"));
        using var client = lenient.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", fourMinutesAgo);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/rules")).StatusCode);
    }

    [Fact]
    public async Task A_token_without_a_subject_is_refused()
    {
        using var jwt = Client(bearer: Token(subject: null));

        Assert.Equal(HttpStatusCode.Unauthorized, (await jwt.GetAsync("/api/v1/rules")).StatusCode);
    }

    [Fact]
    public void A_signing_key_without_an_issuer_stops_start_up()
    {
        using var factory = new ApiFactory().WithWebHostBuilder(b => b
            .UseSetting("DnsExpert:Auth:Enabled", "true")
            .UseSetting("DnsExpert:Auth:Jwt:SigningKey", JwtKey));

        var error = Assert.ThrowsAny<Exception>(() => factory.CreateClient());
        Assert.Contains("Jwt:SigningKey is set without DnsExpert:Auth:Jwt:Issuer", error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(JwtKey, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_signing_key_without_an_audience_stops_start_up()
    {
        using var factory = new ApiFactory().WithWebHostBuilder(b => b
            .UseSetting("DnsExpert:Auth:Enabled", "true")
            .UseSetting("DnsExpert:Auth:Jwt:SigningKey", JwtKey)
            .UseSetting("DnsExpert:Auth:Jwt:Issuer", "https://gateway.example.com"));

        var error = Assert.ThrowsAny<Exception>(() => factory.CreateClient());
        Assert.Contains("Jwt:SigningKey is set without DnsExpert:Auth:Jwt:Audience", error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(JwtKey, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_key_file_line_stops_start_up_naming_file_and_line_without_echoing_it()
    {
        var file = Path.Combine(Path.GetTempPath(), $"dnsexpert-badkeys-{Guid.NewGuid():N}");
        File.WriteAllText(file, $"{Bot.Line}\n{Bot.Key}\n");
        try
        {
            using var factory = new ApiFactory().WithWebHostBuilder(b => b
                .UseSetting("DnsExpert:Auth:Enabled", "true")
                .UseSetting("DnsExpert:Auth:ApiKeysFile", file));
            var error = Assert.ThrowsAny<Exception>(() => factory.CreateClient());
            var message = error.ToString();
            Assert.Contains($"{file}:2:", message, StringComparison.Ordinal);
            Assert.DoesNotContain(Bot.Key, message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }
}

/// <summary>Every log line and its structured state, as text.</summary>
internal sealed class CapturingLoggerProvider : ILoggerProvider
{
    public ConcurrentQueue<string> Lines { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull
        {
            owner.Lines.Enqueue($"{category} scope: {Describe(state)}");
            return null;
        }

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Lines.Enqueue($"{category} {logLevel}: {formatter(state, exception)} {Describe(state)} {exception}");

        private static string Describe<TState>(TState state) =>
            state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join("; ", pairs.Select(p => $"{p.Key}={p.Value}")) : $"{state}";
    }
}

/// <summary>Lets a test choose each request's client address (TestServer has none).</summary>
internal sealed class ClientAddressFromHeader : IStartupFilter
{
    public const string Header = "X-Test-Client";

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use((context, following) =>
        {
            if (context.Request.Headers.TryGetValue(Header, out var address))
            {
                context.Connection.RemoteIpAddress = IPAddress.Parse(address.ToString());
            }

            return following(context);
        });
        next(app);
    };
}
