using System.Net;

namespace DnsExpert.Readers.Building;

/// <summary>CIDR membership for IPv4 and IPv6 (NetworkPolicy ipBlock).</summary>
public static class Cidr
{
    public static bool Contains(string? cidr, string? address)
    {
        if (cidr is null || address is null || !IPAddress.TryParse(address, out var ip))
        {
            return false;
        }

        try
        {
            return IPNetwork.TryParse(cidr, out var network) && network.Contains(ip);
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
