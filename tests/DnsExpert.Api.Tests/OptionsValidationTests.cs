using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace DnsExpert.Api.Tests;

/// <summary>Every options class is validated on start: a bad value stops start-up with an error naming its configuration key.</summary>
public sealed class OptionsValidationTests
{
    private static WebApplicationFactory<Program> Service(IReadOnlyDictionary<string, string> settings) =>
        new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseSetting("DnsExpert:RulesDirectory", Path.Combine(ApiFactory.RepoRoot, "rules"));
            b.UseSetting("DnsExpert:History:Provider", "none");
            foreach (var (key, value) in settings)
            {
                b.UseSetting(key, value);
            }
        });

    [Fact]
    public async Task The_defaults_start()
    {
        await using var factory = Service(new Dictionary<string, string>());
        using var client = factory.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
    }

    [Theory]
    [InlineData("DnsExpertOptions", "DnsExpert:MaxJsonDepth", "4")]
    [InlineData("DnsExpertOptions", "DnsExpert:AdmissionWait", "01:00:00")]
    [InlineData("DnsExpertOptions", "DnsExpert:PublicBaseUrl", "ops.example.com/dnsexpert")]
    [InlineData("DnsExpertOptions", "DnsExpert:PublicBaseUrl", "ftp://ops.example.com/")]
    [InlineData("DnsExpertOptions", "DnsExpert:PublicBaseUrl", "https://ops.example.com/?x=1")]
    [InlineData("ForwardedHeadersSettings", "DnsExpert:ForwardedHeaders:KnownProxies:0", "proxy.example.com")]
    [InlineData("ForwardedHeadersSettings", "DnsExpert:ForwardedHeaders:KnownNetworks:0", "10.0.0.0/33")]
    [InlineData("RequestLimits", "DnsExpert:Limits:MaxObjects", "0")]
    [InlineData("RuleReloadOptions", "DnsExpert:RuleReload:Interval", "00:00:00")]
    [InlineData("CallbackOptions", "DnsExpert:Callbacks:MaxAttempts", "0")]
    [InlineData("CallbackOptions", "DnsExpert:Callbacks:MaxDeliveriesPerReceiver", "0")]
    [InlineData("CallbackOptions", "DnsExpert:Callbacks:ReceiverQueueCapacity", "0")]
    [InlineData("CallbackOptions", "DnsExpert:Callbacks:BlockedCidrs:0", "10.0.0.0/33")]
    [InlineData("CallbackOptions", "DnsExpert:Callbacks:AllowedCidrs:0", "loopback")]
    [InlineData("AsyncOptions", "DnsExpert:Async:Workers", "0")]
    [InlineData("AlertOptions", "DnsExpert:Alerts:GroupLifetime", "00:00:10")]
    [InlineData("AlertOptions", "DnsExpert:Alerts:Names:0", " ")]
    [InlineData("AuthOptions", "DnsExpert:Auth:RequestsPerMinute", "0")]
    [InlineData("AuthOptions", "DnsExpert:Auth:EvidenceBytesPerPermit", "0")]
    [InlineData("AuthOptions", "DnsExpert:Auth:EvidenceTimePerPermit", "00:00:00")]
    [InlineData("JwtOptions", "DnsExpert:Auth:Jwt:ClockSkew", "01:00:00")]
    [InlineData("HistoryOptions", "DnsExpert:History:MaxCount", "0")]
    [InlineData("ProbeOptions", "DnsExpert:Probes:Timeout", "00:01:00")]
    [InlineData("ClusterOptions", "DnsExpert:Cluster:LogTailLines", "0")]
    [InlineData("PrometheusOptions", "DnsExpert:Prometheus:Url", "ftp://prometheus:9090/")]
    [InlineData("PrometheusOptions", "DnsExpert:Prometheus:Timeout", "00:10:00")]
    [InlineData("JiraOptions", "DnsExpert:Jira:BaseUrl", "http://jira.example.com")]
    [InlineData("JiraOptions", "DnsExpert:Jira:BaseUrl", "https://user:pass@jira.example.com")]
    [InlineData("JiraOptions", "DnsExpert:Jira:ProjectKey", "dns ops")]
    [InlineData("JiraOptions", "DnsExpert:Jira:ApiTokenFile", "/nonexistent/jira-token")]
    [InlineData("JiraOptions", "DnsExpert:Jira:Timeout", "00:10:00")]
    public void A_bad_value_stops_start_up_naming_its_key(string options, string key, string value)
    {
        using var factory = Service(new Dictionary<string, string> { [key] = value });

        var error = Assert.ThrowsAny<Exception>(() => factory.CreateClient()).ToString();

        // The key as an operator writes it (DnsExpert__Probes__Timeout in the environment); list items by their list.
        var named = key.EndsWith(":0", StringComparison.Ordinal) ? key[..^2] : key;
        Assert.True(error.Contains(named, StringComparison.Ordinal), $"{options}: '{named}' is not named in: {error}");
    }

    [Fact]
    public void Postgres_without_a_connection_string_stops_start_up_naming_it()
    {
        using var factory = Service(new Dictionary<string, string> { ["DnsExpert:History:Provider"] = "postgres" });

        var error = Assert.ThrowsAny<Exception>(() => factory.CreateClient()).ToString();

        Assert.Contains("DnsExpert:History:ConnectionString is required", error, StringComparison.Ordinal);
    }
}
