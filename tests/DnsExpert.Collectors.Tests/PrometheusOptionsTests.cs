using DnsExpert.Collectors.Prometheus;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace DnsExpert.Collectors.Tests;

/// <summary><c>DnsExpert:Prometheus</c> is checked on start, and the reader is there only when a server is configured.</summary>
public sealed class PrometheusOptionsTests
{
    [Theory]
    [InlineData("Url", "ftp://prometheus:9090/", "must be an absolute http or https URL")]
    [InlineData("Url", "prometheus:9090", "must be an absolute http or https URL")]
    [InlineData("Window", "00:15:30", "must be whole minutes")]
    [InlineData("Window", "00:00:30", "Window")]
    [InlineData("Timeout", "00:10:00", "Timeout")]
    [InlineData("BearerTokenFile", "/nonexistent/dnsexpert-token", "names no file")]
    public void A_setting_that_cannot_work_stops_start_up_named(string key, string value, string message)
    {
        using var services = Services(new() { ["DnsExpert:Prometheus:Url"] = "http://127.0.0.1:9090/", [$"DnsExpert:Prometheus:{key}"] = value });

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<PrometheusOptions>>().Value);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_reader_is_registered_only_with_a_url()
    {
        using var with = Services(new() { ["DnsExpert:Prometheus:Url"] = "https://prometheus.example:9090/prefix" });
        using var without = Services([]);

        Assert.NotNull(with.GetService<PrometheusMetricsReader>());
        Assert.Equal(TimeSpan.FromMinutes(15), with.GetRequiredService<IOptions<PrometheusOptions>>().Value.Window);
        Assert.Null(without.GetService<PrometheusMetricsReader>());
    }

    private static ServiceProvider Services(Dictionary<string, string?> settings)
    {
        settings["DnsExpert:Cluster:Enabled"] = "true";
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddDnsExpertCollectors(configuration).BuildServiceProvider();
    }
}
