using System.Globalization;
using DnsExpert.Core.Contract;
using DnsExpert.Core.Facts;
using DnsExpert.Core.Parsing;
using k8s.Models;

namespace DnsExpert.Core.Building;

internal sealed partial class BuildContext
{
    private readonly List<string> _searchSuffixes = [];

    /// <summary>The Corefile first (it sets the cluster domain), then resolv.conf files, then logs.</summary>
    private void BuildParsedFacts()
    {
        BuildCorefile();
        BuildResolvConfs();
        BuildLibc();
        BuildLogs();
    }

    private void BuildLibc()
    {
        foreach (var file in (_snapshot.Files ?? []).Where(f => f.Pod is not null && f.Text is not null && f.Command?.Trim() is "ldd --version" or "ldd --version 2>&1"))
        {
            var ns = file.Namespace ?? "default";
            var libc = LibcInfo.FromLddOutput(file.Text);
            Facts.Add(new PodLibc
            {
                Source = $"Pod {ns}/{file.Pod} `{file.Command}`",
                ConcernsFailure = IsTargetPod(ns, file.Pod),
                Namespace = ns,
                Pod = file.Pod!,
                Kind = libc.Kind.ToString().ToLowerInvariant(),
                Version = libc.Version,
                VersionText = libc.Version?.Original,
            });
        }
    }

    private void BuildCorefile()
    {
        if (!ConfigMaps.TryGetValue(Key(KubeSystem, "coredns"), out var configMap))
        {
            Collection.Add(new CollectionEntry("ConfigMap kube-system/coredns", CollectionStatus.Skipped,
                "not in the snapshot: Corefile checks (autopath, log, forward) were not run"));
            return;
        }

        var source = "ConfigMap kube-system/coredns";
        if (configMap.Data is null || !configMap.Data.TryGetValue("Corefile", out var text))
        {
            Collection.Add(new CollectionEntry(source, CollectionStatus.Partial, "has no 'Corefile' key"));
            return;
        }

        // AKS mounts the coredns-custom ConfigMap at /etc/coredns/custom, next to the Corefile: `import custom/*.override`.
        var custom = ConfigMaps.GetValueOrDefault(Key(KubeSystem, "coredns-custom"))?.Data;
        var corefile = CorefileParser.Parse(text, custom is null ? null : pattern => CustomImports(pattern, custom));
        if (corefile.Diagnostics.Count > 0)
        {
            Collection.Add(new CollectionEntry(source, CollectionStatus.Partial,
                "Corefile: " + string.Join("; ", corefile.Diagnostics.Take(5).Select(d => $"line {d.Line}: {d.Message}"))));
        }

        for (var i = 0; i < corefile.Servers.Count; i++)
        {
            var server = corefile.Servers[i];
            var key = string.Join(" ", server.Zones.Select(z => $"{z.Name}:{z.Port}"));
            Facts.Add(new CorefileServer
            {
                Source = FileSource(source, server.File),
                Index = i,
                Line = server.Line,
                Zones = server.Zones.Select(z => z.Name).ToList(),
                Port = server.Zones.Count > 0 ? server.Zones[0].Port : 53,
                Plugins = server.Directives.Select(d => d.Name).Distinct(StringComparer.Ordinal).ToList(),
                ServesRoot = server.Zones.Any(z => z.Name == "."),
                Key = key,
            });

            Facts.AddRange(CorefileCoverage.Unanswered(server).Select(gap => new CorefileUnansweredZone
            {
                Source = source,
                ServerIndex = i,
                Zone = gap.Zone,
                AnsweredBelow = gap.AnsweredBelow.Select(a => $"{a.Zone} ({a.Plugin}, line {a.Line})").ToList(),
            }));

            foreach (var directive in server.Directives)
            {
                var plugin = new CorefilePlugin
                {
                    Source = FileSource(source, directive.File),
                    ServerIndex = i,
                    ServerKey = key,
                    Name = directive.Name,
                    Arguments = directive.Arguments,
                    Line = directive.Line,
                    Text = directive.Text,
                    BlockLines = directive.Block.Select(b => b.Text).ToList(),
                };
                Facts.Add(plugin);
                if (directive.Name is "forward" or "proxy" or "grpc" && directive.Arguments.Count > 1)
                {
                    Facts.AddRange(directive.Arguments.Skip(1).Select(a => new CorefileUpstream(plugin, ForwardTarget.Parse(a))));
                }

                if (directive.Name == "kubernetes" && directive.Arguments.Count > 0)
                {
                    // `kubernetes cluster.local in-addr.arpa ip6.arpa`: the first forward zone is the cluster domain.
                    var zone = directive.Arguments.FirstOrDefault(a => !a.EndsWith(".arpa", StringComparison.OrdinalIgnoreCase) && !a.EndsWith(".arpa.", StringComparison.OrdinalIgnoreCase));
                    if (zone is not null && zone != ".")
                    {
                        ClusterDomain = zone.TrimEnd('.').ToLowerInvariant();
                    }
                }
            }
        }
    }

    private static string FileSource(string corefile, string? file) => file is null ? corefile : $"ConfigMap kube-system/coredns-custom ({file})";

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

    private void BuildResolvConfs()
    {
        foreach (var file in _snapshot.Files ?? [])
        {
            if (file.Path != "/etc/resolv.conf" || file.Text is null)
            {
                continue;
            }

            var resolv = ResolvConfParser.Parse(file.Text);
            _searchSuffixes.AddRange(resolv.Searches.Select(s => s.TrimEnd('.').ToLowerInvariant()));
            if (file.Pod is null)
            {
                if (file.Node is { } node)
                {
                    Facts.Add(new NodeResolvConf
                    {
                        Source = $"Node {node} /etc/resolv.conf",
                        Node = node,
                        Nameservers = resolv.Nameservers,
                        LoopbackNameserver = resolv.Nameservers.FirstOrDefault(n => ForwardTarget.Parse(n).IsLoopback),
                    });
                }

                continue;
            }

            var ns = file.Namespace ?? "default";
            Facts.Add(new PodResolvConf
            {
                Source = $"Pod {ns}/{file.Pod} /etc/resolv.conf",
                ConcernsFailure = IsTargetPod(ns, file.Pod),
                Namespace = ns,
                Pod = file.Pod,
                Nameservers = resolv.Nameservers,
                Searches = resolv.Searches,
                Options = resolv.Options.Select(o => o.Value is null ? o.Name : $"{o.Name}:{o.Value}").ToList(),
                Ndots = resolv.Ndots,
                SearchCharacters = resolv.SearchCharacters,
                Text = file.Text,
            });
        }
    }

    private bool IsCoreDnsLog(LogArtifact log) =>
        log.Container == "coredns"
        || (log.Namespace ?? KubeSystem) == KubeSystem && log.Pod is { } pod
            && (pod.StartsWith("coredns", StringComparison.Ordinal) || CoreDnsPods().Any(p => p.Metadata?.Name == pod));

    /// <summary>
    /// CoreDNS logs are the bulk of a large snapshot: each log is scanned on its own thread (streamed line by line), and
    /// the results are added in the order of the snapshot, so the facts do not depend on scheduling.
    /// </summary>
    private void BuildLogs()
    {
        var logs = _snapshot.Logs ?? [];
        var results = new (List<Fact> Facts, CollectionEntry? Entry)[logs.Count];
        var toRead = new List<int>();
        for (var i = 0; i < logs.Count; i++)
        {
            var log = logs[i];
            if (log.Text is null || log.Pod is null)
            {
                results[i] = ([], null);
            }
            else if (!IsCoreDnsLog(log))
            {
                results[i] = ([], new CollectionEntry($"Pod {log.Namespace ?? KubeSystem}/{log.Pod} log", CollectionStatus.Skipped, "not a CoreDNS log: not read"));
            }
            else
            {
                toRead.Add(i);
            }
        }

        Services.TryGetValue(Key(KubeSystem, "kube-dns"), out var kubeDns);
        var context = new LogContext(
            Facts.OfType<PodDns>().Select(p => p.Ip).OfType<string>().ToHashSet(StringComparer.Ordinal),
            CoreDnsVersions(),
            kubeDns?.Spec?.ClusterIP is { Length: > 0 } ip ? ip + ":53" : null,
            ForwardRoutes());
        Parallel.ForEach(toRead, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, Environment.ProcessorCount) }, i => results[i] = ReadLog(logs[i], context));
        foreach (var (facts, entry) in results)
        {
            Facts.AddRange(facts);
            if (entry is not null)
            {
                Collection.Add(entry);
            }
        }
    }

    /// <summary>
    /// The CoreDNS version of each CoreDNS pod (its image tag); under the empty name the oldest of them, else the
    /// kube-system/coredns Deployment's, for a log whose pod is not in the snapshot.
    /// </summary>
    private Dictionary<string, ReleaseVersion> CoreDnsVersions()
    {
        var versions = new Dictionary<string, ReleaseVersion>(StringComparer.Ordinal);
        foreach (var pod in CoreDnsPods())
        {
            if (pod.Metadata?.Name is { } name && ReleaseVersion.FromImage(CoreDnsImage(pod.Spec?.Containers)) is { } v)
            {
                versions[name] = v;
            }
        }

        Deployments.TryGetValue(Key(KubeSystem, "coredns"), out var deployment);
        if ((versions.Count > 0 ? versions.Values.Min() : ReleaseVersion.FromImage(CoreDnsImage(deployment?.Spec?.Template?.Spec?.Containers))) is { } oldest)
        {
            versions[""] = oldest;
        }

        return versions;
    }

    private static string? CoreDnsImage(IList<V1Container>? containers) =>
        (containers?.FirstOrDefault(c => c.Name == "coredns") ?? containers?.FirstOrDefault())?.Image;

    /// <summary>What reading a CoreDNS log needs from the rest of the snapshot.</summary>
    /// <param name="PodIps">The pods' addresses, to tell a client pod in the log.</param>
    /// <param name="Versions">CoreDNS versions by pod (<see cref="CoreDnsVersions"/>).</param>
    /// <param name="ClusterDns">The kube-dns Service as an upstream would be logged (<c>10.96.0.10:53</c>).</param>
    /// <param name="Routes">The Corefile's route for an external name: the server block serving it and its forward line.</param>
    private sealed record LogContext(HashSet<string> PodIps, Dictionary<string, ReleaseVersion> Versions, string? ClusterDns, Func<string, ForwardRoute?> Routes);

    private (List<Fact> Facts, CollectionEntry Entry) ReadLog(LogArtifact log, LogContext context)
    {
        var version = context.Versions.GetValueOrDefault(log.Pod!) ?? context.Versions.GetValueOrDefault("");
        var facts = new List<Fact>();
        var ns = log.Namespace ?? KubeSystem;
        var source = $"Pod {ns}/{log.Pod} log";
        var scan = log.Text!.Scan();
        foreach (var group in scan.FailedQueries)
        {
            var record = group.First;
            var q = record.Query!;
            var name = q.Name.TrimEnd('.').ToLowerInvariant();
            var isCluster = name == ClusterDomain || name.EndsWith("." + ClusterDomain, StringComparison.Ordinal);
            var route = isCluster ? null : context.Routes(name);
            facts.Add(new CoreDnsQueryLog
            {
                ServerKey = route?.ServerKey,
                ForwardText = route?.ForwardText,
                ForwardLine = route?.ForwardLine,
                UpstreamAddresses = route?.Addresses ?? [],
                Upstream = route?.Upstream ?? "the upstream of the Corefile's forward line (the Corefile is not in the snapshot)",
                Source = source,
                Pod = log.Pod!,
                Namespace = ns,
                LineNumber = record.LineNumber,
                Timestamp = record.Timestamp,
                Time = FormatTime(record.Timestamp),
                Occurrences = group.Occurrences,
                LastTime = FormatTime(group.LastTimestamp),
                LastLineNumber = group.LastLineNumber,
                SpanSeconds = (group.LastTimestamp - record.Timestamp)?.TotalSeconds,
                Answers = group.Answers?.Count ?? group.Occurrences,
                FailedAnswers = group.Answers?.Failed ?? group.Occurrences,
                LastAnswerRcode = group.Answers?.LastRcode ?? q.Rcode,
                LastAnswerTime = FormatTime(group.Answers is { } a ? a.LastTimestamp : group.LastTimestamp),
                LastAnswerLine = group.Answers?.LastLineNumber ?? group.LastLineNumber,
                Client = q.Client,
                ClientPort = q.ClientPort,
                Id = q.Id,
                Type = q.Type,
                Name = q.Name,
                NameWithoutDot = name,
                Transport = q.Transport,
                Rcode = q.Rcode,
                Flags = q.Flags,
                DurationSeconds = q.DurationSeconds,
                Text = record.Text,
                IsClusterName = isCluster,
                IsSearchExpansion = !isCluster && IsSearchExpansion(name),
                ConcernsFailure = IsFailingName(name),
            });
        }

        foreach (var group in scan.Events)
        {
            var record = group.First;
            var verdict = record switch
            {
                { Kind: CoreDnsLogKind.UnknownDirective, Directive: { } directive } => CoreDnsPluginCatalog.Default.Directive(directive, version),
                { Kind: CoreDnsLogKind.UnknownDirective, Property: { } property } => CoreDnsPluginCatalog.Default.Option(record.Plugin, property, version),
                _ => null,
            };
            facts.Add(new CoreDnsLogEvent
            {
                Source = source,
                Pod = log.Pod!,
                Namespace = ns,
                Kind = EventKind(record.Kind)!,
                LineNumber = record.LineNumber,
                Timestamp = record.Timestamp,
                Time = FormatTime(record.Timestamp),
                Occurrences = group.Occurrences,
                LastTime = FormatTime(group.LastTimestamp),
                LastLineNumber = group.LastLineNumber,
                Text = record.Text,
                Directive = record.Directive,
                CorefileLine = record.CorefileLine,
                Endpoint = record.Endpoint,
                Resource = record.Resource,
                Error = record.Error,
                QueryName = record.QueryName,
                QueryType = record.QueryType,
                Zone = record.Zone,
                Cause = record.Cause,
                Subject = record.Subject,
                Plugin = record.Plugin,
                Property = record.Property,
                OnReload = record.OnReload,
                UpstreamIsClusterDns = record.Kind == CoreDnsLogKind.UpstreamError && record.Endpoint is { } upstream && upstream == context.ClusterDns,
                SpanSeconds = record.Timestamp is { } first && group.LastTimestamp is { } last ? (last - first).TotalSeconds : null,
                CoreDnsVersion = version?.Original,
                Verdict = verdict?.Kind,
                Since = verdict?.Release?.Since.Original,
                Last = verdict?.Release?.Last?.Original,
                ReplacedBy = verdict?.Release?.ReplacedBy,
                ConcernsFailure = IsFailingName(record.QueryName),
            });
        }

        foreach (var pair in scan.ParallelPairs)
        {
            facts.Add(new CoreDnsParallelQuery
            {
                Source = source,
                Pod = log.Pod!,
                Client = pair.Client,
                ClientPort = pair.Port,
                Name = pair.Name,
                Time = FormatTime(pair.Timestamp),
                LineNumber = pair.LineNumber,
                Occurrences = pair.Occurrences,
                ConcernsFailure = IsFailingName(pair.Name) || context.PodIps.Contains(pair.Client),
            });
        }

        var read = scan.Lines == 1 ? "1 line" : $"{scan.Lines} lines";
        if (log.Text.Value is null)
        {
            read += $" ({scan.Characters / 1e6:0.0} MB, scanned as the request was read; its text is not kept with the diagnosis)";
        }

        return (facts, new CollectionEntry(source, scan.DroppedLines > 0 ? CollectionStatus.Partial : CollectionStatus.Ok,
            scan.DroppedLines > 0
                ? $"{read}; kept the first {CoreDnsLogScanner.MaxGroups} distinct failures, {scan.DroppedLines} more line(s) not examined"
                : read));
    }

    /// <summary>A name that is a search-list suffix appended to another name (the resolver walking the search list).</summary>
    private bool IsSearchExpansion(string name)
    {
        foreach (var suffix in _searchSuffixes)
        {
            if (suffix.Length > 0 && name.Length > suffix.Length + 1 && name.EndsWith("." + suffix, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static string? EventKind(CoreDnsLogKind kind) => kind switch
    {
        CoreDnsLogKind.UnknownDirective => "unknown-directive",
        CoreDnsLogKind.ApiserverUnreachable => "apiserver-unreachable",
        CoreDnsLogKind.UpstreamError => "upstream-error",
        CoreDnsLogKind.ForwardLoop => "forward-loop",
        CoreDnsLogKind.Reload => "reload",
        CoreDnsLogKind.Panic => "panic",
        CoreDnsLogKind.NoNextPlugin => "no-next-plugin",
        _ => null,
    };

    /// <summary>To the second, as a support ticket asks: <c>2024-05-13 08:21:44 UTC</c>.</summary>
    internal static string FormatTime(DateTimeOffset? timestamp)
    {
        if (timestamp is not { } t)
        {
            return LogPosition.NoTimestamp;
        }

        var zone = t.Offset == TimeSpan.Zero ? "UTC" : t.ToString("zzz", CultureInfo.InvariantCulture);
        return t.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " " + zone;
    }
}
