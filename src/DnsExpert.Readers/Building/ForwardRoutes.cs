using DnsExpert.Facts;

namespace DnsExpert.Readers.Building;

/// <summary>Where CoreDNS forwards a name: the server block serving it, its forward line, and the addresses behind it.</summary>
internal sealed record ForwardRoute(string ServerKey, string? ForwardText, int? ForwardLine, IReadOnlyList<string> Addresses, string Upstream);

/// <summary>
/// The routes of the Corefile, read once before the logs are scanned: per name, the server block on port 53 with the
/// longest matching zone, and in it the forward line with the longest matching <c>from</c> zone.
/// </summary>
internal sealed class ForwardRoutes
{
    private readonly List<CorefileServer> _port53;
    private readonly List<CorefileUpstream> _upstreams;
    private readonly List<string> _nodeResolvers;

    private ForwardRoutes(List<CorefileServer> port53, List<CorefileUpstream> upstreams, List<string> nodeResolvers)
    {
        (_port53, _upstreams, _nodeResolvers) = (port53, upstreams, nodeResolvers);
    }

    /// <param name="corefile">The Corefile's facts (server blocks and forward upstreams).</param>
    /// <param name="nodeResolvConfs">The nodes' resolv.conf: a forward to a file reads that file in the CoreDNS pod, with dnsPolicy Default its node's.</param>
    /// <param name="coreDnsNodes">The nodes the CoreDNS pods run on.</param>
    public static ForwardRoutes From(IEnumerable<Fact> corefile, IEnumerable<NodeResolvConf> nodeResolvConfs, IEnumerable<string> coreDnsNodes)
    {
        var servers = corefile.OfType<CorefileServer>().ToList();
        var nodes = coreDnsNodes.ToHashSet(StringComparer.Ordinal);
        var nodeResolvers = nodeResolvConfs.Where(r => r.UsedByKubelet && nodes.Contains(r.Node)).SelectMany(r => r.Nameservers).Distinct(StringComparer.Ordinal).ToList();
        var port53 = servers.Where(s => s.Port == 53).ToList();
        return new ForwardRoutes(port53.Count == 0 ? servers : port53, corefile.OfType<CorefileUpstream>().ToList(), nodeResolvers);
    }

    /// <summary>The route of <paramref name="name"/> (lower-case, no trailing dot); null without a Corefile or a block serving it.</summary>
    public ForwardRoute? For(string name)
    {
        var server = ServerFor(name);
        if (server is null)
        {
            return null;
        }

        var forward = _upstreams.Where(u => u.ServerIndex == server.Index && Covers(Zone(u.From), name))
            .GroupBy(u => u.Line).OrderByDescending(g => Zone(g.First().From).Length).FirstOrDefault()?.ToList();
        if (forward is null)
        {
            return new ForwardRoute(server.Key, null, null, [], $"nothing: server block {server.Key} has no forward line for this name");
        }

        var addresses = new List<string>();
        var parts = new List<string>();
        foreach (var u in forward)
        {
            if (u.Address is { } address)
            {
                var shown = u.Port == 53 ? address : $"{address}:{u.Port}";
                addresses.Add(shown);
                parts.Add(shown);
            }
            else if (u.File is { } file && _nodeResolvers.Count > 0)
            {
                addresses.AddRange(_nodeResolvers);
                parts.Add($"{string.Join(", ", _nodeResolvers)} (the nameservers of {file} on the CoreDNS nodes)");
            }
            else
            {
                parts.Add(u.File is { } f ? $"the nameservers of {f} on the CoreDNS nodes (not in the snapshot)" : u.Target);
            }
        }

        return new ForwardRoute(server.Key, forward[0].Text, forward[0].Line, addresses.Distinct(StringComparer.Ordinal).ToList(), string.Join(", ", parts));
    }

    /// <summary>The server block on port 53 with the longest zone covering <paramref name="name"/>.</summary>
    private CorefileServer? ServerFor(string name) =>
        _port53.Select(s => (Server: s, Zone: s.Zones.Select(Zone).Where(z => Covers(z, name)).DefaultIfEmpty(null).Max(z => z?.Length ?? -1)))
            .Where(x => x.Zone >= 0).OrderByDescending(x => x.Zone).Select(x => x.Server).FirstOrDefault();

    /// <summary>
    /// The zone CoreDNS answers <paramref name="name"/> from itself, as <c>cluster.local. (kubernetes, line 7)</c>: the
    /// longest own zone of the block serving it; null when it forwards the name, or without a Corefile.
    /// </summary>
    public string? OwnZone(string name)
    {
        var server = ServerFor(name);
        return server?.OwnZones
            .Select(z => (Text: z, Zone: Zone(z[..z.IndexOf(' ')])))
            .Where(z => z.Zone.Length > 0 && Covers(z.Zone, name))
            .OrderByDescending(z => z.Zone.Length)
            .Select(z => z.Text)
            .FirstOrDefault();
    }

    private static string Zone(string zone) => zone == "." ? "" : zone.TrimEnd('.').ToLowerInvariant();

    private static bool Covers(string zone, string name) => zone.Length == 0 || name == zone || name.EndsWith("." + zone, StringComparison.Ordinal);
}
