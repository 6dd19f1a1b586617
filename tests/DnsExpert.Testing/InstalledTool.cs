using System.Diagnostics;

namespace DnsExpert.Testing;

/// <summary>
/// Runs a program that a Debian package installs (dig, promtool). A program that is not installed fails the test with
/// the package to install (test.sh installs it): CI must run these tests, never skip them.
/// </summary>
public static class InstalledTool
{
    /// <summary>Runs <paramref name="program"/> to its end: its exit code, and its standard output followed by its standard error.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string program, string package, IEnumerable<string> arguments, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (workingDirectory is not null)
        {
            start.WorkingDirectory = workingDirectory;
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException($"{program} is not installed: apt-get install -y {package} (test.sh does this)", ex);
        }

        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            return (process.ExitCode, await output + await error);
        }
    }
}
