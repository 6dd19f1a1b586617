using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

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
}
