using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace DnsExpert.Testing;

/// <summary>
/// Real DNS servers from Debian on loopback ports, started for the tests: dnsmasq answering <c>*.test</c> (one name with
/// 40 A records, too many for 512 bytes of UDP), a dnsmasq with no upstream (REFUSED), unbound forwarding a zone to that
/// refuser (SERVFAIL), a UDP socket that never answers (timeout), and a port nothing listens on.
/// </summary>
public sealed class DnsServers : IAsyncLifetime, IDisposable
{
    private readonly List<Process> _processes = [];
    private readonly string _dir = Directory.CreateTempSubdirectory("dnsexpert-dns-").FullName;
    private readonly HashSet<int> _taken = [];
    private UdpClient? _silent;
    private UdpClient? _garbage;
    private readonly CancellationTokenSource _stop = new();

    public int Answering { get; private set; }
    public int Refusing { get; private set; }
    public int Failing { get; private set; }
    public int Silent { get; private set; }
    public int Closed { get; private set; }

    /// <summary>A UDP socket that answers every datagram with random bytes.</summary>
    public int Garbage { get; private set; }

    /// <summary>The name with 40 A records.</summary>
    public const string BigName = "big.test";

    public async Task InitializeAsync()
    {
        Answering = FreePort();
        Refusing = FreePort();
        Failing = FreePort();
        Closed = FreePort();

        var hosts = Path.Combine(_dir, "hosts");
        var lines = new StringBuilder();
        for (var i = 1; i <= 40; i++)
        {
            lines.Append("10.0.1.").Append(i).Append(' ').AppendLine(BigName);
        }

        lines.AppendLine("10.0.0.5 ok.test").AppendLine("10.0.0.6 kubernetes.default.svc.cluster.local");
        await File.WriteAllTextAsync(hosts, lines.ToString());

        Start("dnsmasq", $"--keep-in-foreground --log-facility=- --no-resolv --no-hosts --addn-hosts={hosts} --listen-address=127.0.0.1,127.0.0.2 --port={Answering} --bind-interfaces --local=/test/ --local=/cluster.local/ --user=root --pid-file={Path.Combine(_dir, "a.pid")}");
        Start("dnsmasq", $"--keep-in-foreground --log-facility=- --no-resolv --no-hosts --listen-address=127.0.0.1 --port={Refusing} --bind-interfaces --user=root --pid-file={Path.Combine(_dir, "r.pid")}");
        var unbound = Path.Combine(_dir, "unbound.conf");
        await File.WriteAllTextAsync(unbound, $"""
            server:
              interface: 127.0.0.1
              port: {Failing}
              do-ip6: no
              username: ""
              chroot: ""
              directory: "{_dir}"
              pidfile: ""
              use-syslog: no
              verbosity: 0
              access-control: 127.0.0.0/8 allow
              do-not-query-localhost: no
              module-config: "iterator"
            forward-zone:
              name: "fail.example.com."
              forward-addr: 127.0.0.1@{Refusing}
            """);
        Start("unbound", $"-d -c {unbound}");

        _silent = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        Silent = ((IPEndPoint)_silent.Client.LocalEndPoint!).Port;
        _garbage = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        Garbage = ((IPEndPoint)_garbage.Client.LocalEndPoint!).Port;
        _ = Task.Run(async () =>
        {
            var random = new Random(1);
            try
            {
                while (true)
                {
                    var datagram = await _garbage.ReceiveAsync(_stop.Token);
                    var reply = new byte[random.Next(1, 64)];
                    random.NextBytes(reply);
                    if (reply.Length > 2 && datagram.Buffer.Length > 2)
                    {
                        // Sometimes keep the query id, so the client has to parse the rest.
                        reply[0] = datagram.Buffer[0];
                        reply[1] = datagram.Buffer[1];
                    }

                    await _garbage.SendAsync(reply, datagram.RemoteEndPoint, _stop.Token);
                }
            }
            catch (OperationCanceledException)
            {
            }
            catch (ObjectDisposedException)
            {
            }
        });

        foreach (var port in new[] { Answering, Refusing, Failing })
        {
            await WaitAnswering(port);
        }
    }

    public Task DisposeAsync()
    {
        foreach (var process in _processes)
        {
            try
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(2000);
            }
            catch (InvalidOperationException)
            {
            }

            process.Dispose();
        }

        _stop.Cancel();
        _silent?.Dispose();
        _garbage?.Dispose();
        _stop.Dispose();
        Directory.Delete(_dir, recursive: true);
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _silent?.Dispose();
        _garbage?.Dispose();
    }

    private void Start(string program, string arguments)
    {
        var path = new[] { "/usr/sbin/", "/usr/bin/", "/sbin/" }.Select(d => d + program).FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException($"{program} is not installed: apt-get install -y dnsmasq-base unbound (.ci/run does this)");
        var process = Process.Start(new ProcessStartInfo(path, arguments) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false })!;
        process.ErrorDataReceived += (_, _) => { };
        process.OutputDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        _processes.Add(process);
    }

    /// <summary>Ready means answering a UDP query (any response code), not just listening.</summary>
    private static async Task WaitAnswering(int port)
    {
        var client = new DnsClient.LookupClient(new DnsClient.LookupClientOptions(new DnsClient.NameServer(IPAddress.Loopback, port))
        {
            UseCache = false, Retries = 0, Timeout = TimeSpan.FromMilliseconds(200), UseTcpFallback = false, ThrowDnsErrors = false,
        });
        for (var i = 0; i < 100; i++)
        {
            try
            {
                await client.QueryAsync("ready.test", DnsClient.QueryType.A);
                return;
            }
            catch (DnsClient.DnsResponseException)
            {
                await Task.Delay(50);
            }
        }

        throw new InvalidOperationException($"DNS server on 127.0.0.1:{port} did not answer");
    }

    /// <summary>
    /// A port free for both UDP and TCP, below Linux's ephemeral range (32768+) so that no outgoing connection of a test
    /// running in parallel can take it between this check and the server's start.
    /// </summary>
    private int FreePort()
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var port = Random.Shared.Next(20_000, 32_000);
            if (!_taken.Add(port))
            {
                continue;
            }

            try
            {
                using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                udp.Bind(new IPEndPoint(IPAddress.Loopback, port));
                var tcp = new TcpListener(IPAddress.Loopback, port);
                tcp.Start();
                tcp.Stop();
                return port;
            }
            catch (SocketException)
            {
            }
        }

        throw new InvalidOperationException("no free loopback port");
    }
}
