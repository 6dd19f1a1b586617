using Microsoft.AspNetCore.Hosting;
using DnsExpert.Api.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DnsExpert.Api.Tests;

public sealed class StartupTests : IDisposable
{
    private readonly string _rules = Directory.CreateTempSubdirectory("dnsexpert-rules-").FullName;

    public void Dispose() => Directory.Delete(_rules, recursive: true);

    [Fact]
    public async Task A_broken_rule_file_stops_start_up_naming_file_line_and_reason()
    {
        await File.WriteAllTextAsync(Path.Combine(_rules, "broken.yaml"), "id: broken\ntitle: t\nseverity: severe\ndescription: d\nwhen: []\nfinding: {}\n");
        using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b => b.UseSetting("DnsExpert:RulesDirectory", _rules).UseSetting("DnsExpert:History:Provider", "none"));

        var ex = Assert.ThrowsAny<Exception>(() => factory.CreateClient());
        var message = ex.ToString();
        Assert.Contains("broken.yaml:3:", message, StringComparison.Ordinal);
        Assert.Contains("severity 'severe'", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new string[0], "Warning")]
    [InlineData(new[] { "--Logging:LogLevel:Microsoft.AspNetCore=Debug" }, "Debug")]
    public async Task Every_host_starts_from_the_same_log_levels_and_configuration_still_decides(string[] extra, string aspNetCore)
    {
        // A content root with no appsettings.json: dnsexpert serve run from any directory.
        await using var app = DnsExpertHost.Build(["--contentRoot", _rules, "--DnsExpert:History:Provider=none", .. extra]);
        var configuration = app.Services.GetRequiredService<IConfiguration>();

        Assert.Equal(aspNetCore, configuration["Logging:LogLevel:Microsoft.AspNetCore"]);
        Assert.Equal("Information", configuration["Logging:LogLevel:Microsoft.Hosting.Lifetime"]);
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Microsoft.AspNetCore.Hosting.Diagnostics");
        Assert.Equal(aspNetCore == "Debug", logger.IsEnabled(LogLevel.Information));
        Assert.True(app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("DnsExpert.Api.History.HistoryMaintenance").IsEnabled(LogLevel.Information));
    }
}
