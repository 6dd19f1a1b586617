using System.Net.Http.Json;
using System.Text.Json;
using DnsExpert.Testing;
using Microsoft.AspNetCore.Mvc.Testing;

namespace DnsExpert.Api.Tests;

/// <summary>The real service in memory: the real pipeline, the repository's rule base and samples.</summary>
public sealed class ApiFactory : WebApplicationFactory<Program>
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static string RepoRoot => RepoPaths.Root;

    protected override void ConfigureWebHost(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder)
    {
        builder.UseSetting("DnsExpert:RulesDirectory", Path.Combine(RepoRoot, "rules"));
        builder.UseSetting("DnsExpert:MaxRequestBodyBytes", (32L * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("DnsExpert:History:ConnectionString", HistoryPath);

        // Suites send hundreds of requests from one (in-memory) address; rate limits are tested with per-key limits.
        builder.UseSetting("DnsExpert:Auth:RequestsPerMinute", "100000");
        builder.UseSetting("DnsExpert:Auth:RequestsPerMinutePerAddress", "100000");
    }

    /// <summary>This instance's own SQLite history file.</summary>
    public string HistoryPath { get; } = TempHistory();

    /// <summary>A new temporary directory with a copy of the repository's rule files, to change under a service.</summary>
    public static string TempRules()
    {
        var rules = Directory.CreateTempSubdirectory("dnsexpert-rules-").FullName;
        foreach (var file in Directory.EnumerateFiles(Path.Combine(RepoRoot, "rules"), "*.yaml"))
        {
            File.Copy(file, Path.Combine(rules, Path.GetFileName(file)));
        }

        return rules;
    }

    public static string TempHistory() => Path.Combine(Path.GetTempPath(), "dnsexpert-tests", Guid.NewGuid().ToString("N") + ".db");

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var suffix in new[] { "", "-wal", "-shm" })
        {
            File.Delete(HistoryPath + suffix);
        }
    }
}

internal static class HttpExtensions
{
    public static async Task<JsonElement> Json(this HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>(ApiFactory.Json))!;
}
