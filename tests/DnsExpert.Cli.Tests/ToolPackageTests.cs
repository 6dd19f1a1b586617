using System.Diagnostics;
using System.Text.Json;
using DnsExpert.Testing;

namespace DnsExpert.Cli.Tests;

/// <summary>
/// The .NET tool package as a user installs it: <c>dotnet pack</c> of this build, <c>dotnet tool install</c> into a
/// tool path (with its own NuGet cache, so no earlier package stands in), then the installed <c>dnsexpert</c> run from a
/// directory with no rules/ above it: it must diagnose with the rule base the package carries.
/// </summary>
public sealed class ToolPackageTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("dnsexpert-tool-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    [Fact]
    public async Task The_packed_tool_installs_and_diagnoses_with_the_rules_it_carries()
    {
        var root = RepoPaths.Root;
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
        var packages = Path.Combine(_temp, "packages");
        var tools = Path.Combine(_temp, "tools");
        var work = Directory.CreateDirectory(Path.Combine(_temp, "work")).FullName;
        var cache = new Dictionary<string, string> { ["NUGET_PACKAGES"] = Path.Combine(_temp, "nuget") };

        await Run("dotnet", root, cache, "pack", Path.Combine(root, "src", "DnsExpert.Cli"), "--no-build", "-c", configuration, "-o", packages, "-nologo");
        await Run("dotnet", work, cache, "tool", "install", "DnsExpert.Cli", "--tool-path", tools, "--add-source", packages, "--version", "0.1.0");

        var dnsexpert = Path.Combine(tools, OperatingSystem.IsWindows() ? "dnsexpert.exe" : "dnsexpert");
        var (exit, stdout, stderr) = await Run(dnsexpert, work, cache, "diagnose", "--request", Path.Combine(root, "src", "DnsExpert.Api", "Samples", "sick-cluster.json"), "-o", "json");
        Assert.True(exit == DnsExpertCli.ExitCodes.CriticalFinding, stderr);
        Assert.Contains("coredns-autopath-enabled", JsonDocument.Parse(stdout).RootElement.GetProperty("findings").EnumerateArray().Select(f => f.GetProperty("ruleId").GetString()));

        var (_, listed, _) = await Run(dnsexpert, work, cache, "rules", "list");
        Assert.Equal(Directory.GetFiles(Path.Combine(root, "rules"), "*.yaml").Length, listed.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    private static async Task<(int Exit, string Out, string Err)> Run(string file, string directory, Dictionary<string, string> environment, params string[] args)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var result = (process.ExitCode, await stdout, await stderr);
        Assert.True(file != "dotnet" || result.ExitCode == 0, $"{file} {string.Join(' ', args)} exited {result.ExitCode}: {result.Item2}{result.Item3}");
        return result;
    }
}
