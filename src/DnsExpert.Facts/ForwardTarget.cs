using System.Net;

namespace DnsExpert.Facts;

/// <summary>
/// One upstream of a <c>forward</c> (or <c>proxy</c>, <c>grpc</c>) line as CoreDNS reads it: a plain DNS address and
/// port (<c>100.100.2.136</c>, <c>10.0.0.2:5353</c>, <c>dns://8.8.8.8</c>, <c>[::1]:53</c>), a resolv.conf-style file
/// whose nameservers become the upstreams (<c>/etc/resolv.conf</c>), or another transport (<c>tls://9.9.9.9</c>).
/// </summary>
public sealed record ForwardTarget(string Text, string? Address, int Port, string? File)
{
    public static ForwardTarget Parse(string argument)
    {
        if (argument.StartsWith('/'))
        {
            return new ForwardTarget(argument, null, 53, argument);
        }

        var value = argument.StartsWith("dns://", StringComparison.OrdinalIgnoreCase) ? argument["dns://".Length..] : argument;
        if (!value.Contains("://", StringComparison.Ordinal) && IPEndPoint.TryParse(value, out var endpoint))
        {
            return new ForwardTarget(argument, endpoint.Address.ToString(), endpoint.Port == 0 ? 53 : endpoint.Port, null);
        }

        return new ForwardTarget(argument, null, 53, null);
    }

    /// <summary>127.0.0.0/8 or ::1: the CoreDNS pod itself (its own network namespace).</summary>
    public bool IsLoopback => Address is not null && IPAddress.TryParse(Address, out var ip) && IPAddress.IsLoopback(ip);
}
