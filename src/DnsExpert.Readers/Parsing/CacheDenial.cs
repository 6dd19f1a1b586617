using System.Globalization;

namespace DnsExpert.Readers.Parsing;

/// <summary>
/// What a server block's <c>cache</c> plugin does with an NXDOMAIN: the longest it keeps one (<see cref="Cap"/>, the
/// <c>cache TTL</c> or <c>denial CAPACITY TTL</c>), the shortest (<see cref="MinTtl"/>, <c>denial ... MINTTL</c>), and
/// whether it keeps denials at all (<c>denial 0</c>, <c>disable denial</c>, or the cache's zones leave the name out).
/// </summary>
/// <param name="Cap">The denial TTL cap in seconds.</param>
/// <param name="MinTtl">The denial minimum TTL in seconds.</param>
/// <param name="Keeps">False when this cache keeps no denial of the zone.</param>
/// <param name="Text">The cache line with its denial line, as written: <c>cache 30</c>, <c>cache { denial 9984 1 }</c>.</param>
/// <param name="Line">The cache line's number.</param>
public sealed record CacheDenialSettings(int Cap, int MinTtl, bool Keeps, string Text, int Line);

/// <summary>
/// How long CoreDNS's <c>cache</c> plugin keeps an NXDOMAIN, as CoreDNS computes it (coredns/coredns
/// <c>plugin/cache/cache.go</c> <c>computeTTL</c> and <c>setup.go</c>, <c>plugin/backend_lookup.go</c> <c>SOA</c>;
/// read at its master of 2026-08): the answer's TTL is its SOA's, raised to the denial MINTTL and capped at the denial
/// TTL, <c>min(max(SOA TTL, MINTTL), CAP)</c>. The kubernetes plugin answers an NXDOMAIN with an SOA whose TTL is its
/// <c>ttl</c> (default 5) up to 300. So kubeadm's <c>cache 30</c> with <c>ttl 30</c> keeps a denial 30 s, the
/// default <c>ttl 5</c> 5 s, and <c>ttl 0</c> still 5 s (the MINTTL). Not modelled: before coredns/coredns#2446
/// (merged 2019-01-08, answering coredns/coredns#2434) the kubernetes plugin's negative answers did not follow its
/// <c>ttl</c> (an SOA of TTL 300, MINIMUM 30: coredns/coredns#2294), so a CoreDNS of 2018 kept a denial up to the
/// cache's cap (30 s under <c>cache 30</c>, as #2434 measured); which release first shipped the change is not pinned here.
/// </summary>
public static class CacheDenial
{
    /// <summary>The kubernetes plugin's <c>ttl</c> when the Corefile sets none.</summary>
    public const int DefaultKubernetesTtl = 5;

    /// <summary>The SOA TTL of a kubernetes answer is its <c>ttl</c> up to this (backend_lookup.go: <c>min(ttl, 300)</c>).</summary>
    public const int MaxSoaTtl = 300;

    /// <summary>The cache plugin's denial TTL cap without a TTL argument (<c>maxNTTL</c>: half an hour).</summary>
    public const int DefaultCap = 1800;

    /// <summary>The cache plugin's denial MINTTL without one (<c>minNTTL</c>).</summary>
    public const int DefaultMinTtl = 5;

    /// <summary>The seconds a cache keeps a denial whose SOA says <paramref name="soaTtl"/>: <c>min(max(soaTtl, minTtl), cap)</c>.</summary>
    public static int Window(int soaTtl, int minTtl, int cap) => Math.Min(Math.Max(soaTtl, minTtl), cap);

    /// <summary>The TTL of the SOA the kubernetes plugin answers an NXDOMAIN with, for its <c>ttl</c>.</summary>
    public static int SoaTtl(int kubernetesTtl) => Math.Min(Math.Max(kubernetesTtl, 0), MaxSoaTtl);

    /// <summary>The server block of <paramref name="corefile"/> that serves <paramref name="name"/>: the longest zone it is under.</summary>
    public static CorefileServerBlock? ServerFor(Corefile corefile, string name)
    {
        var zone = CorefileCoverage.Normalize(name);
        var serving = corefile.Servers
            .Select(s => (Server: s, Zone: s.Zones.Select(z => CorefileCoverage.Normalize(z.Name)).Where(z => CorefileCoverage.IsWithin(zone, z)).MaxBy(z => z.Length)))
            .Where(s => s.Zone is not null)
            .ToList();
        return serving.Count == 0 ? null : serving.MaxBy(s => s.Zone!.Length).Server;
    }

    /// <summary>
    /// The <c>ttl</c> of the block's kubernetes plugin line for the names it answers, and the line that says it
    /// (<c>kubernetes ttl 30</c>, or <c>kubernetes ttl 5 by default</c>); null when the block has no kubernetes line.
    /// </summary>
    public static (int Ttl, string Text)? KubernetesTtl(CorefileServerBlock server)
    {
        if (server.Directives.FirstOrDefault(d => d.Name == "kubernetes") is not { } kubernetes)
        {
            return null;
        }

        var ttl = kubernetes.Block.FirstOrDefault(b => b.Name == "ttl");
        return ttl is { Arguments: [var value, ..] } && int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            ? (seconds, $"kubernetes ttl {seconds}")
            : (DefaultKubernetesTtl, $"kubernetes ttl {DefaultKubernetesTtl} by default");
    }

    /// <summary>
    /// The block's cache plugin as it treats denials of <paramref name="name"/>: <c>cache [TTL] [ZONES...]</c> and its
    /// <c>denial CAPACITY [TTL [MINTTL]]</c> and <c>disable denial [ZONES...]</c> lines. Null when the block has no
    /// cache; <see cref="CacheDenialSettings.Keeps"/> false when its zones leave the name out, its denial capacity is 0
    /// (coredns/coredns#2586: the way to turn the negative cache off) or it disables denials for the name's zone.
    /// </summary>
    public static CacheDenialSettings? Settings(CorefileServerBlock server, string name)
    {
        if (server.Directives.FirstOrDefault(d => d.Name == "cache") is not { } cache)
        {
            return null;
        }

        var (cap, minTtl, keeps) = (DefaultCap, DefaultMinTtl, true);
        var zones = cache.Arguments;
        if (zones.Count > 0 && Seconds(zones[0]) is { } ttl)
        {
            cap = ttl;
            zones = [.. zones.Skip(1)];
        }

        var zone = CorefileCoverage.Normalize(name);
        keeps &= zones.Count == 0 || zones.Any(z => CorefileCoverage.IsWithin(zone, CorefileCoverage.Normalize(z)));
        var text = cache.Text;
        if (cache.Block.LastOrDefault(b => b.Name == "denial") is { } denial)
        {
            text += $" {{ {denial.Text} }}";
            keeps &= denial.Arguments.Count == 0 || Seconds(denial.Arguments[0]) is not 0;
            (cap, minTtl) = denial.Arguments.Count switch
            {
                > 2 => (Seconds(denial.Arguments[1]) ?? cap, Seconds(denial.Arguments[2]) ?? minTtl),
                2 => (Seconds(denial.Arguments[1]) ?? cap, minTtl),
                _ => (cap, minTtl),
            };
        }

        if (cache.Block.FirstOrDefault(b => b.Name == "disable" && b.Arguments.Count > 0 && b.Arguments[0] == "denial") is { } disable)
        {
            text += $" {{ {disable.Text} }}";
            keeps &= !(disable.Arguments.Count == 1 || disable.Arguments.Skip(1).Any(z => CorefileCoverage.IsWithin(zone, CorefileCoverage.Normalize(z))));
        }

        return new CacheDenialSettings(cap, minTtl, keeps, text, cache.Line);
    }

    private static int? Seconds(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) ? seconds : null;
}
