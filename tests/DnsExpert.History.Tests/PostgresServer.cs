using System.Diagnostics;
using DnsExpert.Testing;
using Npgsql;

namespace DnsExpert.History.Tests;

/// <summary>
/// A real PostgreSQL server from Debian's <c>postgresql</c> package, started for the tests in a temporary directory on a
/// loopback port (initdb + postgres, as the <c>postgres</c> user when the tests run as root, since PostgreSQL refuses
/// root). Each test gets its own database.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "dnsexpert-pg-" + Guid.NewGuid().ToString("N")[..8]);
    private Process? _server;
    private readonly System.Text.StringBuilder _log = new();

    public int Port { get; private set; }

    public string AdminConnectionString => $"Host=127.0.0.1;Port={Port};Username=dnsexpert;Database=postgres;Pooling=false;Timeout=5";

    public async Task InitializeAsync()
    {
        var bin = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "postgres")))
                .OrderByDescending(d => d, StringComparer.Ordinal).FirstOrDefault()
            : null;
        if (bin is null)
        {
            throw new InvalidOperationException("PostgreSQL is not installed: apt-get install -y postgresql (test.sh does this)");
        }

        Directory.CreateDirectory(_dir);
        var root = Environment.UserName == "root";
        if (root)
        {
            Run("/usr/bin/chown", ["postgres:postgres", _dir]);
        }

        var data = Path.Combine(_dir, "data");
        Run(Path.Combine(bin, "initdb"), ["-D", data, "-U", "dnsexpert", "-A", "trust", "-E", "UTF8", "--no-sync", "--locale=C"], root);

        Port = LoopbackPorts.FreeTcp(15_000, 20_000);
        var start = Command(Path.Combine(bin, "postgres"),
            ["-D", data, "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-k", _dir, "-c", "listen_addresses=127.0.0.1",
             "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off", "-c", "max_connections=60"], root);
        _server = Process.Start(start)!;
        _server.ErrorDataReceived += (_, e) => { lock (_log) { _log.AppendLine(e.Data); } };
        _server.OutputDataReceived += (_, e) => { lock (_log) { _log.AppendLine(e.Data); } };
        _server.BeginErrorReadLine();
        _server.BeginOutputReadLine();

        for (var i = 0; i < 200; i++)
        {
            try
            {
                await using var connection = new NpgsqlConnection(AdminConnectionString);
                await connection.OpenAsync();
                return;
            }
            catch (NpgsqlException)
            {
                if (_server.HasExited)
                {
                    break;
                }

                await Task.Delay(100);
            }
        }

        throw new InvalidOperationException("PostgreSQL did not start: " + _log);
    }

    /// <summary>A new, empty database; its connection string.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = "t_" + Guid.NewGuid().ToString("N")[..12];
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
        await command.ExecuteNonQueryAsync();
        return $"Host=127.0.0.1;Port={Port};Username=dnsexpert;Database={name};Timeout=5";
    }

    public Task DisposeAsync()
    {
        if (_server is { HasExited: false })
        {
            _server.Kill(entireProcessTree: true);
            _server.WaitForExit(5000);
        }

        _server?.Dispose();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }

        return Task.CompletedTask;
    }

    private static ProcessStartInfo Command(string program, string[] arguments, bool asPostgres)
    {
        var info = new ProcessStartInfo(asPostgres ? "/usr/sbin/runuser" : program) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        if (asPostgres)
        {
            foreach (var a in new[] { "-u", "postgres", "--", program })
            {
                info.ArgumentList.Add(a);
            }
        }

        foreach (var a in arguments)
        {
            info.ArgumentList.Add(a);
        }

        return info;
    }

    private static void Run(string program, string[] arguments, bool asPostgres = false)
    {
        using var process = Process.Start(Command(program, arguments, asPostgres))!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(60_000) || process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} failed: {output.Result}{error.Result}");
        }
    }
}
