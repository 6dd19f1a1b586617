using System.Net;
using System.Net.Sockets;

namespace DnsExpert.Testing;

/// <summary>Ports for the servers the tests start on 127.0.0.1.</summary>
public static class LoopbackPorts
{
    /// <summary>
    /// A loopback TCP port in [<paramref name="from"/>, <paramref name="to"/>) free now. Keep the range below Linux's
    /// ephemeral range (32768+), so no outgoing connection can take it before the server binds.
    /// </summary>
    public static int FreeTcp(int from, int to)
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var port = Random.Shared.Next(from, to);
            try
            {
                var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                listener.Stop();
                return port;
            }
            catch (SocketException)
            {
            }
        }

        throw new InvalidOperationException("no free loopback port");
    }
}
