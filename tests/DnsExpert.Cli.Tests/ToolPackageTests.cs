using System.Diagnostics;
using System.Reflection.PortableExecutable;
using System.Runtime.InteropServices;
using System.Text.Json;
using DnsExpert.Testing;

namespace DnsExpert.Cli.Tests;

/// <summary>
/// The .NET tool package as a user installs it: <c>dotnet pack</c> of this build, <c>dotnet tool install</c> into a
/// tool path (with its own NuGet cache, so no earlier package stands in), then the installed <c>dnsexpert</c> run from a
/// directory with no rules/ above it: it must diagnose with the rule base the package carries. The package is the
/// RID-specific one for this platform, its code ReadyToRun-compiled; only this platform's is packed here (the project
/// packs linux-x64, linux-arm64, osx-arm64, win-x64 and the JIT-compiled any), as ReadyToRun-compiling takes a while.
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

        var rid = HostRuntimeIdentifier();

        // Not --no-build: the RID-specific package builds and publishes the project for its platform. The pack restores
        // from the usual NuGet cache; the install has its own.
        await Run("dotnet", root, new(), "pack", Path.Combine(root, "src", "DnsExpert.Cli"), "-c", configuration, "-o", packages, "-nologo", $"-p:ToolPackageRuntimeIdentifiers={rid}");
        await Run("dotnet", work, cache, "tool", "install", "DnsExpert.Cli", "--tool-path", tools, "--add-source", packages, "--version", "0.1.0");

        var installed = Path.Combine(tools, ".store", "dnsexpert.cli", "0.1.0", $"dnsexpert.cli.{rid}", "0.1.0", "tools", "net10.0", rid);
        Assert.True(Directory.Exists(installed), $"the {rid} package is not what was installed");
        foreach (var assembly in Directory.GetFiles(installed, "dnsexpert.dll").Concat(Directory.GetFiles(installed, "DnsExpert.*.dll")))
        {
            Assert.True(IsReadyToRun(assembly), $"{Path.GetFileName(assembly)} carries no ReadyToRun code");
        }

        var dnsexpert = Path.Combine(tools, OperatingSystem.IsWindows() ? "dnsexpert.exe" : "dnsexpert");
        var (exit, stdout, stderr) = await Run(dnsexpert, work, cache, "diagnose", "--request", Path.Combine(root, "src", "DnsExpert.Api", "Samples", "sick-cluster.json"), "-o", "json");
        Assert.True(exit == DnsExpertCli.ExitCodes.CriticalFinding, stderr);
        Assert.Contains("coredns-autopath-enabled", JsonDocument.Parse(stdout).RootElement.GetProperty("findings").EnumerateArray().Select(f => f.GetProperty("ruleId").GetString()));

        var (_, listed, _) = await Run(dnsexpert, work, cache, "rules", "list");
        Assert.Equal(Directory.GetFiles(Path.Combine(root, "rules"), "*.yaml").Length, listed.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    /// <summary>The portable runtime identifier of this machine (linux-x64, osx-arm64, win-x64...), as the project packs for.</summary>
    private static string HostRuntimeIdentifier()
    {
        var os = OperatingSystem.IsWindows() ? "win" : OperatingSystem.IsMacOS() ? "osx" : "linux";
        return $"{os}-{RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant()}";
    }

    /// <summary>Whether an assembly carries precompiled native code: ReadyToRun images have a managed native header.</summary>
    private static bool IsReadyToRun(string assembly)
    {
        using var pe = new PEReader(File.OpenRead(assembly));
        return pe.PEHeaders.CorHeader is { ManagedNativeHeaderDirectory.Size: > 0 };
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
