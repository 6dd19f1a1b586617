using DnsExpert.Contract;
using DnsExpert.Facts;
using DnsExpert.Readers.Parsing;

namespace DnsExpert.Readers.Building.Producers;

/// <summary>
/// The Corefile of the cluster DNS's ConfigMap (kube-system/coredns, openshift-dns/dns-default, ...: <see cref="ClusterDnsIdentity"/>), with the coredns-custom files it imports: its server blocks,
/// plugin lines, forward upstreams and the zones no plugin answers.
/// </summary>
internal static class CorefileProducer
{
    public static ProducedFacts Produce(SnapshotObjects objects)
    {
        var (ns, name) = objects.ClusterDns.CorefileName;
        var source = $"ConfigMap {ns}/{name}";
        if (objects.ClusterDns.Corefile is not { } configMap)
        {
            return new ProducedFacts([], [new CollectionEntry(source, CollectionStatus.Skipped,
                "not in the snapshot: Corefile checks (autopath, log, forward) were not run")]);
        }

        if (configMap.Data is null || !configMap.Data.ContainsKey("Corefile"))
        {
            return new ProducedFacts([], [new CollectionEntry(source, CollectionStatus.Partial, "has no 'Corefile' key")]);
        }

        var corefile = Parse(objects)!;
        var notes = new List<CollectionEntry>();
        if (corefile.Diagnostics.Count > 0)
        {
            notes.Add(new CollectionEntry(source, CollectionStatus.Partial,
                "Corefile: " + string.Join("; ", corefile.Diagnostics.Take(5).Select(d => $"line {d.Line}: {d.Message}"))));
        }

        var facts = new List<Fact>();
        for (var i = 0; i < corefile.Servers.Count; i++)
        {
            var server = corefile.Servers[i];
            var key = string.Join(" ", server.Zones.Select(z => $"{z.Name}:{z.Port}"));
            facts.Add(new CorefileServer
            {
                Source = FileSource(source, server.File),
                Index = i,
                Line = server.Line,
                Zones = server.Zones.Select(z => z.Name).ToList(),
                Port = server.Zones.Count > 0 ? server.Zones[0].Port : 53,
                Plugins = server.Directives.Select(d => d.Name).Distinct(StringComparer.Ordinal).ToList(),
                ServesRoot = server.Zones.Any(z => z.Name == "."),
                Key = key,
                OwnZones = CorefileCoverage.Own(server).Select(z => $"{z.Zone} ({z.Plugin}, line {z.Line})").Distinct(StringComparer.Ordinal).ToList(),
            });

            facts.AddRange(CorefileCoverage.Unanswered(server).Select(gap => new CorefileUnansweredZone
            {
                Source = source,
                ServerIndex = i,
                Zone = gap.Zone,
                AnsweredBelow = gap.AnsweredBelow.Select(a => $"{a.Zone} ({a.Plugin}, line {a.Line})").ToList(),
            }));

            for (var position = 0; position < server.Directives.Count; position++)
            {
                var directive = server.Directives[position];
                var plugin = new CorefilePlugin
                {
                    Position = position,
                    FromOverride = directive.File is not null,
                    Source = FileSource(source, directive.File),
                    ServerIndex = i,
                    ServerKey = key,
                    Name = directive.Name,
                    Arguments = directive.Arguments,
                    Line = directive.Line,
                    Text = directive.Text,
                    BlockLines = directive.Block.Select(b => b.Text).ToList(),
                };
                facts.Add(plugin);
                if (directive.Name is "forward" or "proxy" or "grpc" && directive.Arguments.Count > 1)
                {
                    facts.AddRange(directive.Arguments.Skip(1).Select(a => new CorefileUpstream(plugin, ForwardTarget.Parse(a))));
                }
            }
        }

        return new ProducedFacts(facts, notes);
    }

    /// <summary>The cluster DNS's Corefile as CoreDNS reads it, with the coredns-custom files it imports; null when the snapshot has none.</summary>
    /// <remarks>Parsed once per snapshot (<see cref="SnapshotObjects.ParsedCorefile"/>): its facts and the negative cache's window both read it.</remarks>
    public static Corefile? Parse(SnapshotObjects objects)
    {
        if (objects.ParsedCorefile is (true, var kept))
        {
            return kept;
        }

        var corefile = objects.ClusterDns.Corefile?.Data is { } data && data.TryGetValue("Corefile", out var text) ? Parse(objects, text) : null;
        objects.ParsedCorefile = (true, corefile);
        return corefile;
    }

    private static Corefile Parse(SnapshotObjects objects, string text)
    {
        // AKS mounts the coredns-custom ConfigMap at /etc/coredns/custom, next to the Corefile: `import custom/*.override`.
        var custom = objects.ConfigMaps.GetValueOrDefault(SnapshotObjects.Key(SnapshotObjects.KubeSystem, "coredns-custom"))?.Data;
        return CorefileParser.Parse(text, custom is null ? null : pattern => CustomImports(pattern, custom));
    }

    private static string FileSource(string source, string? file) => file is null ? source : $"ConfigMap kube-system/coredns-custom ({file})";

    /// <summary>
    /// The keys of the coredns-custom ConfigMap an import pattern names: <c>custom/*.override</c> or
    /// <c>/etc/coredns/custom/*.server</c>, with <c>*</c> and <c>?</c> as in a shell glob.
    /// </summary>
    private static List<(string File, string Text)> CustomImports(string pattern, IDictionary<string, string> custom)
    {
        var relative = pattern.StartsWith("/etc/coredns/", StringComparison.Ordinal) ? pattern["/etc/coredns/".Length..] : pattern;
        if (!relative.StartsWith("custom/", StringComparison.Ordinal))
        {
            return [];
        }

        var glob = relative["custom/".Length..];
        return custom.Where(e => System.IO.Enumeration.FileSystemName.MatchesSimpleExpression(glob, e.Key, ignoreCase: false))
            .OrderBy(e => e.Key, StringComparer.Ordinal)
            .Select(e => ($"custom/{e.Key}", e.Value))
            .ToList();
    }
}
