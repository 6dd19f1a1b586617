namespace DnsExpert.Readers.Parsing;

/// <summary>A zone a plugin of a server block answers every name of (NXDOMAIN included), and the line saying so.</summary>
public sealed record AnsweredZone(string Zone, string Plugin, int Line);

/// <summary>A zone of a server block whose names no plugin answers: they reach the end of the plugin chain.</summary>
public sealed record UnansweredZone(string Zone, IReadOnlyList<AnsweredZone> AnsweredBelow);

/// <summary>
/// Which names of a server block some plugin answers. A query no plugin answers reaches the end of the chain: CoreDNS
/// logs <c>plugin/X: no next plugin found</c> and answers SERVFAIL. Answering plugins: <c>forward</c>, <c>proxy</c>,
/// <c>grpc</c> (their FROM zone), <c>kubernetes</c>, <c>file</c>, <c>auto</c>, <c>hosts</c>, <c>etcd</c>,
/// <c>secondary</c>, <c>route53</c>, <c>azure</c>, <c>clouddns</c> (their zones, else the block's), <c>template</c>
/// only for every class and type, <c>erratic</c> and <c>whoami</c>; any of them not for the zones of its
/// <c>fallthrough</c>. <c>chaos</c> answers only class CH, so only its own pseudo-zones (<c>version.bind</c>,
/// <c>hostname.bind</c>, ...: names asked in class CH alone, as OpenShift's <c>hostname.bind:5353 { chaos }</c> block
/// serves them), and <c>k8s_external</c> passes on what it does not know, so it answers no zone.
/// </summary>
public static class CorefileCoverage
{
    public static IReadOnlyList<UnansweredZone> Unanswered(CorefileServerBlock server)
    {
        var serverZones = server.Zones.Select(z => z.Name).Distinct(StringComparer.Ordinal).ToList();
        var answered = server.Directives.SelectMany(d => Answers(d, serverZones)).ToList();
        return serverZones
            .Where(zone => !answered.Any(a => IsWithin(zone, a.Zone)))
            .Select(zone => new UnansweredZone(zone, answered.Where(a => IsWithin(a.Zone, zone)).ToList()))
            .ToList();
    }

    /// <summary>
    /// The zones of a server block CoreDNS answers from its own data, NXDOMAIN included: every answering plugin's but
    /// those that ask another server (<c>forward</c>, <c>proxy</c>, <c>grpc</c>) or make answers up (<c>erratic</c>,
    /// <c>whoami</c>, <c>chaos</c>). A name under one of them never reaches an upstream.
    /// </summary>
    public static IReadOnlyList<AnsweredZone> Own(CorefileServerBlock server)
    {
        var serverZones = server.Zones.Select(z => z.Name).Distinct(StringComparer.Ordinal).ToList();
        return server.Directives
            .Where(d => d.Name is not ("forward" or "proxy" or "grpc" or "erratic" or "whoami" or "chaos"))
            .SelectMany(d => Answers(d, serverZones))
            .Select(a => a with { Zone = Normalize(a.Zone) })
            .Where(a => a.Zone != ".")
            .ToList();
    }

    private static IEnumerable<AnsweredZone> Answers(CorefileDirective d, IReadOnlyList<string> serverZones)
    {
        if (ZonesNamed(d) is not { } named)
        {
            yield break;
        }

        var fallthrough = d.Block.FirstOrDefault(b => b.Name == "fallthrough");
        foreach (var zone in named.Count == 0 ? serverZones : named.Select(Normalize))
        {
            // `fallthrough` alone passes every zone on; with zones, those (and what is below them) only.
            if (fallthrough is null || (fallthrough.Arguments.Count > 0 && !fallthrough.Arguments.Any(f => IsWithin(zone, Normalize(f)))))
            {
                yield return new AnsweredZone(zone, d.Name, d.Line);
            }
        }
    }

    /// <summary>The zones an answering plugin names (none: the block's zones); null for a plugin that answers nothing by itself.</summary>
    private static IReadOnlyList<string>? ZonesNamed(CorefileDirective d)
    {
        var args = d.Arguments;
        return d.Name switch
        {
            "forward" or "proxy" or "grpc" => args.Count >= 2 ? [args[0]] : null,
            "kubernetes" or "auto" or "etcd" or "secondary" => args,
            "file" or "hosts" => args.Skip(1).ToList(),
            "route53" or "azure" or "clouddns" => args.Select(a => a.Split(':')[0]).ToList(),
            "template" => args.Count >= 2 && args[0] is "IN" or "ANY" && args[1] == "ANY" ? args.Skip(2).ToList() : null,
            "erratic" or "whoami" => [],
            "chaos" => ChaosZones,
            _ => null,
        };
    }

    /// <summary>The names the <c>chaos</c> plugin answers (TXT in class CH), which no client asks in class IN.</summary>
    private static readonly string[] ChaosZones = ["version.bind", "version.server", "authors.bind", "hostname.bind", "id.server"];

    /// <summary><c>Cluster.Local</c> → <c>cluster.local.</c>, <c>.</c> stays; a <c>dns://</c> prefix and a port are dropped.</summary>
    internal static string Normalize(string zone)
    {
        var z = zone.StartsWith("dns://", StringComparison.OrdinalIgnoreCase) ? zone[6..] : zone;
        var colon = z.LastIndexOf(':');
        if (colon > 0 && z[(colon + 1)..].All(char.IsAsciiDigit))
        {
            z = z[..colon];
        }

        z = z.Trim().TrimEnd('.').ToLowerInvariant();
        return z.Length == 0 ? "." : z + ".";
    }

    /// <summary>Is <paramref name="zone"/> the zone <paramref name="ancestor"/> or below it?</summary>
    internal static bool IsWithin(string zone, string ancestor) =>
        ancestor == "." || zone == ancestor || zone.EndsWith("." + ancestor, StringComparison.Ordinal);
}
