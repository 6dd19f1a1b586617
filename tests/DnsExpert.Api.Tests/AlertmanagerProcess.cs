using System.Diagnostics;
using System.Net;

namespace DnsExpert.Api.Tests;

/// <summary>
/// A real Alertmanager (Debian's <c>prometheus-alertmanager</c>) on a loopback port, with the configuration a test
/// gives it, clustering off and its data in a temporary directory. test.sh installs the package.
/// </summary>
public sealed class AlertmanagerProcess : IAsyncDisposable
{
    private const string Program = "/usr/bin/prometheus-alertmanager";
    private readonly Process _process;
    private readonly string _dir;
    private readonly List<string> _output = [];

    private AlertmanagerProcess(Process process, string dir, Uri address)
    {
        _process = process;
        _dir = dir;
        Address = address;
    }

    /// <summary>Where its API answers (<c>/api/v2/alerts</c>).</summary>
    public Uri Address { get; }

    /// <summary>What it logged, for a failure message.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return string.Join('\n', _output.TakeLast(40));
            }
        }
    }

    /// <summary>Starts it with <paramref name="config"/> (alertmanager.yml) and waits until <c>/-/ready</c> answers.</summary>
    public static async Task<AlertmanagerProcess> StartAsync(string config)
    {
        if (!File.Exists(Program))
        {
            throw new InvalidOperationException("Alertmanager is not installed: apt-get install -y prometheus-alertmanager (test.sh does this)");
        }

        var dir = Directory.CreateTempSubdirectory("dnsexpert-alertmanager-").FullName;
        var configFile = Path.Combine(dir, "alertmanager.yml");
        await File.WriteAllTextAsync(configFile, config);
        var port = DnsExpert.Testing.LoopbackPorts.FreeTcp(20_000, 32_000);
        var start = new ProcessStartInfo(Program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[]
        {
            $"--config.file={configFile}", $"--storage.path={Path.Combine(dir, "data")}", $"--web.listen-address=127.0.0.1:{port}",
            "--cluster.listen-address=", "--log.level=debug",
        })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        var alertmanager = new AlertmanagerProcess(process, dir, new Uri($"http://127.0.0.1:{port}"));
        process.OutputDataReceived += (_, e) => alertmanager.Record(e.Data);
        process.ErrorDataReceived += (_, e) => alertmanager.Record(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var client = new HttpClient { BaseAddress = alertmanager.Address, Timeout = TimeSpan.FromSeconds(2) };
        for (var i = 0; i < 300 && !process.HasExited; i++)
        {
            try
            {
                if ((await client.GetAsync("/-/ready")).StatusCode == HttpStatusCode.OK)
                {
                    return alertmanager;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(100);
        }

        var output = alertmanager.Output;
        await alertmanager.DisposeAsync();
        throw new InvalidOperationException("Alertmanager did not become ready:\n" + output);
    }

    private void Record(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.Add(line);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}
