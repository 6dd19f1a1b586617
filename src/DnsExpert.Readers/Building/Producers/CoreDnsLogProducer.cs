using System.Globalization;
using DnsExpert.Contract;
using DnsExpert.Facts;
using DnsExpert.Readers.Parsing;

namespace DnsExpert.Readers.Building.Producers;

/// <summary>
/// The CoreDNS logs: failed queries, events (unknown directives, upstream errors, loops, reloads, panics ...) and
/// parallel A/AAAA pairs, each with where it stands in the log; one <c>collection</c> note per log.
/// </summary>
internal static class CoreDnsLogProducer
{
    /// <summary>The logs' total size from which they are read on several cores (about 10,000 CoreDNS log lines).</summary>
    private const long ParallelFromCharacters = 1_000_000;

    /// <summary>What reading a CoreDNS log needs from the rest of the snapshot.</summary>
    /// <param name="Cluster">The cluster domain, the failing name and the search suffixes.</param>
    /// <param name="Versions">CoreDNS versions by pod (<see cref="CoreDnsVersions"/>).</param>
    /// <param name="ClusterDns">The kube-dns Service as an upstream would be logged (<c>10.96.0.10:53</c>).</param>
    /// <param name="Routes">The Corefile's route for an external name: the server block serving it and its forward line.</param>
    /// <param name="ClientPodIp">The address of the pod whose queries concern the failure, to tell it as a client in the log.</param>
    /// <param name="Walk">The search-list tries seen in all the logs (a walk's queries spread over the CoreDNS pods).</param>
    /// <param name="Upstreams">Each upstream's errors in all the cluster DNS pods' logs together (<see cref="ClusterEndpointSpans"/>).</param>
    private sealed record LogReading(ClusterContext Cluster, Dictionary<string, ReleaseVersion> Versions, string? ClusterDns, ForwardRoutes Routes, string? ClientPodIp, SearchListWalk Walk,
        Dictionary<string, ClusterEndpointSpan> Upstreams);

    /// <summary>
    /// CoreDNS logs are the bulk of a large snapshot: each log is scanned on its own thread (streamed line by line), and
    /// the results are added in the order of the snapshot, so the facts do not depend on scheduling.
    /// </summary>
    public static ProducedFacts Produce(IList<LogArtifact> logs, SnapshotObjects objects, ClusterContext cluster, ForwardRoutes routes, string? clientPodIp)
    {
        var results = new (List<Fact> Facts, CollectionEntry? Entry)[logs.Count];
        var toRead = new List<int>();
        for (var i = 0; i < logs.Count; i++)
        {
            var log = logs[i];
            if (log.Text is null || log.Pod is null)
            {
                results[i] = ([], null);
            }
            else if (!IsCoreDnsLog(log, objects) && NodeLocalLogProducer.IsNodeLocalLog(log, objects, cluster))
            {
                // NodeLocal DNSCache's log: NodeLocalLogProducer reads it and notes it.
                results[i] = ([], null);
            }
            else if (!IsCoreDnsLog(log, objects))
            {
                results[i] = ([], new CollectionEntry($"Pod {log.Namespace ?? SnapshotObjects.KubeSystem}/{log.Pod} log", CollectionStatus.Skipped, "not a CoreDNS log: not read"));
            }
            else
            {
                toRead.Add(i);
            }
        }

        // The one place a log's scan is obtained (scanned as the request was read, or now).
        var scans = new CoreDnsLogScan?[logs.Count];
        // Several cores only for logs worth it: a request's few short logs cost less than handing them to the thread pool,
        // and a service diagnosing concurrent requests has its cores busy already.
        var parallel = toRead.Sum(i => logs[i].Text!.Length) >= ParallelFromCharacters;
        void Each(Action<int> read)
        {
            if (parallel)
            {
                Parallel.ForEach(toRead, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, Environment.ProcessorCount) }, read);
            }
            else
            {
                toRead.ForEach(read);
            }
        }

        Each(i => scans[i] = logs[i].Text!.Scan());
        var walk = SearchListWalk.From(
            toRead.SelectMany(i => scans[i]!.FailedQueries).Select(g => g.First.Query!.Name.TrimEnd('.').ToLowerInvariant()),
            cluster);
        var context = new LogReading(
            cluster,
            CoreDnsVersions(objects),
            cluster.KubeDnsClusterIp is { Length: > 0 } ip ? ip + ":53" : null,
            routes,
            clientPodIp,
            walk,
            ClusterEndpointSpans(toRead.Select(i => (logs[i], scans[i]!))));
        Each(i => results[i] = Read(logs[i], scans[i]!, context));
        var facts = new List<Fact>();
        var notes = new List<CollectionEntry>();
        foreach (var (logFacts, entry) in results)
        {
            facts.AddRange(logFacts);
            if (entry is not null)
            {
                notes.Add(entry);
            }
        }

        return new ProducedFacts(facts, notes);
    }

    /// <summary>Is the log a cluster DNS pod's: its <c>coredns</c> container, or a pod of the cluster DNS.</summary>
    public static bool IsCoreDnsLog(LogArtifact log, SnapshotObjects objects) =>
        log.Container == "coredns" || objects.ClusterDns.IsDnsPod(log.Namespace ?? SnapshotObjects.KubeSystem, log.Pod);

    /// <summary>
    /// The CoreDNS version of each CoreDNS pod (its image tag); under the empty name the oldest of them, else the
    /// kube-system/coredns Deployment's, for a log whose pod is not in the snapshot.
    /// </summary>
    private static Dictionary<string, ReleaseVersion> CoreDnsVersions(SnapshotObjects objects)
    {
        var versions = new Dictionary<string, ReleaseVersion>(StringComparer.Ordinal);
        foreach (var pod in objects.CoreDnsPods)
        {
            if (pod.Metadata?.Name is { } name && ReleaseVersion.FromImage(ClusterDnsIdentity.CoreDnsImage(pod.Spec?.Containers)) is { } v)
            {
                versions[name] = v;
            }
        }

        objects.Deployments.TryGetValue(SnapshotObjects.Key(SnapshotObjects.KubeSystem, "coredns"), out var deployment);
        if ((versions.Count > 0 ? versions.Values.Min() : ReleaseVersion.FromImage(ClusterDnsIdentity.CoreDnsImage(deployment?.Spec?.Template?.Spec?.Containers))) is { } oldest)
        {
            versions[""] = oldest;
        }

        return versions;
    }

    private static (List<Fact> Facts, CollectionEntry Entry) Read(LogArtifact log, CoreDnsLogScan scan, LogReading context)
    {
        var ns = log.Namespace ?? SnapshotObjects.KubeSystem;
        var of = new LogOf(log.Pod!, ns, $"Pod {ns}/{log.Pod} log", context.Versions.GetValueOrDefault(log.Pod!) ?? context.Versions.GetValueOrDefault(""));
        var facts = new List<Fact>();
        facts.AddRange(QueryLogs(scan, context, of));
        facts.AddRange(SearchDomainAnswers(scan, context, of.Source, of.Pod, of.Namespace));
        facts.AddRange(LogEvents(scan, context, of));
        facts.AddRange(ParallelQueries(scan, context, of));
        return (facts, Entry(log, scan, of.Source));
    }

    /// <summary>Whose log a fact comes from: the pod, its namespace, the evidence source and the CoreDNS version it runs.</summary>
    private sealed record LogOf(string Pod, string Namespace, string Source, ReleaseVersion? Version);

    /// <summary>Each failed query group, with who made its rcode (the upstream, CoreDNS's own zone or cache, forward at max_concurrent).</summary>
    private static List<CoreDnsQueryLog> QueryLogs(CoreDnsLogScan scan, LogReading context, LogOf of)
    {
        var pod = of.Pod;
        var facts = new List<CoreDnsQueryLog>();
        // forward's max_concurrent: the errors plugin names each query it refused (REFUSED; SERVFAIL before coredns/coredns#4326).
        var maxConcurrent = scan.Events.Select(e => e.First)
            .Where(e => e is { Kind: CoreDnsLogKind.UpstreamError, Error: { } error } && error.StartsWith(MaxConcurrentError, StringComparison.Ordinal))
            .ToList();
        var maxConcurrentByQuery = maxConcurrent.Where(e => e.QueryName is not null)
            .GroupBy(e => $"{e.QueryName!.TrimEnd('.').ToLowerInvariant()}|{e.QueryType}", StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var takesServfail = of.Version is null ? (bool?)null
            : CoreDnsPluginCatalog.Default.Option("cache", "servfail", of.Version).Kind == CorefileWordVerdicts.InThisVersion;
        foreach (var group in scan.FailedQueries)
        {
            var record = group.First;
            var q = record.Query!;
            var name = q.Name.TrimEnd('.').ToLowerInvariant();
            var isCluster = IsUnderClusterDomain(name, context.Cluster.ClusterDomain);
            var route = isCluster ? null : context.Routes.For(name);
            var ownZone = context.Routes.OwnZone(name) ?? (isCluster ? $"{context.Cluster.ClusterDomain}. (the cluster domain: kubernetes)" : null);
            var refusedByForward = q.Rcode is DnsRcodes.Refused or DnsRcodes.ServFail && maxConcurrentByQuery.TryGetValue($"{name}|{q.Type}", out var line) ? line
                : q.Rcode == DnsRcodes.Refused ? maxConcurrent.FirstOrDefault() : null;
            var (rcodeBy, rcodeByDetail) = RcodeBy(q.Rcode, ownZone, group.Durations, refusedByForward);
            var durations = group.Durations;
            facts.Add(new CoreDnsQueryLog
            {
                RcodeBy = rcodeBy,
                RcodeByDetail = rcodeByDetail,
                RefusedAtMaxConcurrent = refusedByForward is not null,
                CachedAnswers = durations?.Fast ?? 0,
                UpstreamAnswers = durations is null ? 0 : durations.Timed - durations.Fast,
                FastestSeconds = durations?.FastestSeconds,
                SlowestSeconds = durations?.SlowestSeconds,
                CoreDnsVersion = of.Version?.Original,
                CacheTakesServfail = takesServfail,
                ServerKey = route?.ServerKey,
                ForwardText = route?.ForwardText,
                ForwardLine = route?.ForwardLine,
                UpstreamAddresses = route?.Addresses ?? [],
                Upstream = route?.Upstream ?? "the upstream of the Corefile's forward line (the Corefile is not in the snapshot)",
                Source = of.Source,
                Pod = pod,
                Namespace = of.Namespace,
                LineNumber = record.LineNumber,
                Timestamp = record.Timestamp,
                Time = TicketTime.Format(record.Timestamp),
                Occurrences = group.Occurrences,
                LastTime = TicketTime.Format(group.LastTimestamp),
                LastLineNumber = group.LastLineNumber,
                SpanSeconds = (group.LastTimestamp - record.Timestamp)?.TotalSeconds,
                Answers = group.Answers?.Count ?? group.Occurrences,
                FailedAnswers = group.Answers?.Failed ?? group.Occurrences,
                LastAnswerRcode = group.Answers?.LastRcode ?? q.Rcode,
                LastAnswerTime = TicketTime.Format(group.Answers is { } a ? a.LastTimestamp : group.LastTimestamp),
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
                IsSearchExpansion = !isCluster && context.Walk.IsExpansion(name),
                ConcernsFailure = context.Cluster.IsFailingName(name),
            });
        }

        return facts;
    }

    /// <summary>An upstream's lines in one log: how many upstream errors name it, and the first and last time they carry.</summary>
    private sealed record EndpointSpan(int Lines, DateTimeOffset? First, DateTimeOffset? Last);

    /// <summary>
    /// The upstream errors of one log by the endpoint they name: a failing upstream fails every name it is asked, one
    /// line per name, so one group holds a single line even when the upstream was down for an hour.
    /// </summary>
    private static Dictionary<string, EndpointSpan> EndpointSpans(IReadOnlyList<CoreDnsLogGroup> events)
    {
        var spans = new Dictionary<string, EndpointSpan>(StringComparer.Ordinal);
        foreach (var group in events)
        {
            if (group.First is not { Kind: CoreDnsLogKind.UpstreamError, Endpoint: { } endpoint } record)
            {
                continue;
            }

            var first = record.Timestamp;
            var last = group.LastTimestamp ?? first;
            spans[endpoint] = spans.TryGetValue(endpoint, out var seen)
                ? new EndpointSpan(seen.Lines + group.Occurrences, Earlier(seen.First, first), Later(seen.Last, last))
                : new EndpointSpan(group.Occurrences, first, last);
        }

        return spans;
    }

    /// <summary>An upstream's errors in all the cluster DNS pods' logs: lines, first and last time, and how many pods' logs name it.</summary>
    private sealed record ClusterEndpointSpan(int Lines, DateTimeOffset? First, DateTimeOffset? Last, int Pods);

    /// <summary>
    /// The upstream errors of every cluster DNS pod's log by the endpoint they name. The pods share their upstreams
    /// (one Corefile), so an upstream that fails for one fails for each pod that asks it: a few lines in each of two
    /// pods' logs are as lasting as as many lines in one. Each log read counts once.
    /// </summary>
    private static Dictionary<string, ClusterEndpointSpan> ClusterEndpointSpans(IEnumerable<(LogArtifact Log, CoreDnsLogScan Scan)> logs)
    {
        var spans = new Dictionary<string, ClusterEndpointSpan>(StringComparer.Ordinal);
        var pods = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var (log, scan) in logs)
        {
            foreach (var (endpoint, span) in EndpointSpans(scan.Events))
            {
                spans[endpoint] = spans.TryGetValue(endpoint, out var seen)
                    ? seen with { Lines = seen.Lines + span.Lines, First = Earlier(seen.First, span.First), Last = Later(seen.Last, span.Last) }
                    : new ClusterEndpointSpan(span.Lines, span.First, span.Last, 0);
                if (!pods.TryGetValue(endpoint, out var named))
                {
                    pods[endpoint] = named = new HashSet<string>(StringComparer.Ordinal);
                }

                named.Add($"{log.Namespace ?? SnapshotObjects.KubeSystem}/{log.Pod}");
            }
        }

        return spans.ToDictionary(x => x.Key, x => x.Value with { Pods = pods[x.Key].Count }, StringComparer.Ordinal);
    }

    private static DateTimeOffset? Earlier(DateTimeOffset? a, DateTimeOffset? b) => a is { } x && b is { } y ? (x <= y ? x : y) : a ?? b;

    private static DateTimeOffset? Later(DateTimeOffset? a, DateTimeOffset? b) => a is { } x && b is { } y ? (x >= y ? x : y) : a ?? b;

    /// <summary>Each event group (an unknown directive with its verdict for this version, an upstream error, a reload ...).</summary>
    private static List<CoreDnsLogEvent> LogEvents(CoreDnsLogScan scan, LogReading context, LogOf of)
    {
        var pod = of.Pod;
        var facts = new List<CoreDnsLogEvent>();
        var byEndpoint = EndpointSpans(scan.Events);
        foreach (var group in scan.Events)
        {
            var record = group.First;
            var endpointSpan = record is { Kind: CoreDnsLogKind.UpstreamError, Endpoint: { } named } ? byEndpoint[named] : null;
            var clusterSpan = record is { Kind: CoreDnsLogKind.UpstreamError, Endpoint: { } upstreamNamed } ? context.Upstreams[upstreamNamed] : null;
            if (EventKind(record.Kind) is not { } kind)
            {
                // node-cache's own set-up lines: NodeLocalLogProducer reads them from a NodeLocal DNSCache pod's log.
                continue;
            }

            var verdict = record switch
            {
                { Kind: CoreDnsLogKind.UnknownDirective, Directive: { } directive } => CoreDnsPluginCatalog.Default.Directive(directive, of.Version),
                { Kind: CoreDnsLogKind.UnknownDirective, Property: { } property } => CoreDnsPluginCatalog.Default.Option(record.Plugin, property, of.Version),
                _ => null,
            };
            facts.Add(new CoreDnsLogEvent
            {
                Source = of.Source,
                Pod = pod,
                Namespace = of.Namespace,
                Kind = kind,
                LineNumber = record.LineNumber,
                Timestamp = record.Timestamp,
                Time = TicketTime.Format(record.Timestamp),
                Occurrences = group.Occurrences,
                LastTime = TicketTime.Format(group.LastTimestamp),
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
                EndpointLines = endpointSpan?.Lines ?? group.Occurrences,
                EndpointSpanSeconds = endpointSpan is { First: { } from, Last: { } to } ? (to - from).TotalSeconds : null,
                ClusterEndpointLines = clusterSpan?.Lines ?? group.Occurrences,
                ClusterEndpointSpanSeconds = clusterSpan is { First: { } clusterFrom, Last: { } clusterTo } ? (clusterTo - clusterFrom).TotalSeconds : null,
                EndpointPods = clusterSpan?.Pods ?? 1,
                CoreDnsVersion = of.Version?.Original,
                Verdict = verdict?.Kind,
                Since = verdict?.Release?.Since.Original,
                Last = verdict?.Release?.Last?.Original,
                ReplacedBy = verdict?.Release?.ReplacedBy,
                PluginTableCheckedThrough = CoreDnsPluginCatalog.Default.CheckedThrough.Original,
                ConcernsFailure = context.Cluster.IsFailingName(record.QueryName),
            });
        }

        return facts;
    }

    /// <summary>Each client that sent the same name twice at once from one port (parallel A and AAAA over one socket).</summary>
    private static List<CoreDnsParallelQuery> ParallelQueries(CoreDnsLogScan scan, LogReading context, LogOf of)
    {
        var pod = of.Pod;
        var facts = new List<CoreDnsParallelQuery>();
        foreach (var pair in scan.ParallelPairs)
        {
            facts.Add(new CoreDnsParallelQuery
            {
                Source = of.Source,
                Pod = pod,
                Client = pair.Client,
                ClientPort = pair.Port,
                Name = pair.Name,
                Time = TicketTime.Format(pair.Timestamp),
                LineNumber = pair.LineNumber,
                Occurrences = pair.Occurrences,
                ConcernsFailure = context.Cluster.IsFailingName(pair.Name) || (context.ClientPodIp is { } ip && pair.Client == ip),
            });
        }

        return facts;
    }

    /// <summary>The log's collection entry: lines read, and how many were not examined past the scanner's bound.</summary>
    private static CollectionEntry Entry(LogArtifact log, CoreDnsLogScan scan, string source)
    {
        var read = scan.Lines == 1 ? "1 line" : $"{scan.Lines} lines";
        if (log.Text!.Value is null)
        {
            read += $" ({scan.Characters / 1e6:0.0} MB, scanned as the request was read; its text is not kept with the diagnosis)";
        }

        return new CollectionEntry(source, scan.DroppedLines > 0 ? CollectionStatus.Partial : CollectionStatus.Ok,
            scan.DroppedLines > 0
                ? $"{read}; kept the first {CoreDnsLogScanner.MaxGroups} distinct failures, {scan.DroppedLines} more line(s) not examined"
                : read);
    }

    /// <summary>
    /// The names clients asked through the search list (the failing name, and those seen walking it) that a search
    /// domain outside the cluster domain answered NOERROR: <c>NAME.SEARCHDOMAIN.</c> holds no real record, so the
    /// domain has a wildcard. A single label is left out: <c>redis.corp.example.net</c> may well be a host the search
    /// domain is there to find. Read from the log's answer counts, which keep NOERROR answers no failed-query group holds.
    /// </summary>
    private static IEnumerable<SearchDomainAnswer> SearchDomainAnswers(CoreDnsLogScan scan, LogReading context, string source, string pod, string ns)
    {
        var cluster = context.Cluster;
        var asked = context.Walk.Walked.Append(cluster.FailingName)
            .Where(n => n is not null && n.Contains('.', StringComparison.Ordinal) && !IsUnderClusterDomain(n, cluster.ClusterDomain))
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        var domains = cluster.SearchSuffixes.Where(d => d.Length > 0 && !IsUnderClusterDomain(d, cluster.ClusterDomain)).Distinct(StringComparer.Ordinal).ToList();
        foreach (var name in asked)
        {
            foreach (var domain in domains)
            {
                foreach (var type in (string[])["A", "AAAA"])
                {
                    if (scan.AnswersTo(name + "." + domain, type) is { FirstNoErrorLine: { } line } answers)
                    {
                        yield return new SearchDomainAnswer
                        {
                            Source = source,
                            Pod = pod,
                            Namespace = ns,
                            AskedName = name!,
                            SearchDomain = domain,
                            Type = type,
                            NoErrorAnswers = answers.Count - answers.Failed,
                            LineNumber = line,
                            Time = TicketTime.Format(answers.FirstNoErrorTimestamp),
                            ConcernsFailure = cluster.IsFailingName(name),
                        };
                    }
                }
            }
        }
    }

    private static bool IsUnderClusterDomain(string name, string clusterDomain) =>
        name == clusterDomain || name.EndsWith("." + clusterDomain, StringComparison.Ordinal);

    /// <summary>The error forward returns past max_concurrent, as the errors plugin logs it (<c>concurrent queries exceeded maximum 1000</c>).</summary>
    private const string MaxConcurrentError = "concurrent queries exceeded maximum";

    /// <summary>
    /// Who made a failed query's rcode, and why that is known: forward itself at max_concurrent (the errors plugin's line
    /// for that query, or a REFUSED in a log that says so), a zone CoreDNS serves, the cache (every answer faster than a
    /// round trip), else the upstream.
    /// </summary>
    private static (string By, string Detail) RcodeBy(string rcode, string? ownZone, AnswerDurations? durations, CoreDnsLogRecord? maxConcurrent)
    {
        if (maxConcurrent is not null)
        {
            return (RcodeProducers.CoreDns, $"made by CoreDNS: forward refuses queries past max_concurrent (line {maxConcurrent.LineNumber}: {maxConcurrent.Error})");
        }

        if (ownZone is not null)
        {
            return (RcodeProducers.Authoritative, $"answered by CoreDNS from its own zone {ownZone}, not by an upstream");
        }

        if (durations is null)
        {
            return (RcodeProducers.Upstream, "taken as the upstream's (the lines give no duration)");
        }

        var range = durations.Timed == 1 ? Duration(durations.SlowestSeconds) : $"{Duration(durations.FastestSeconds)} to {Duration(durations.SlowestSeconds)}";
        var below = Duration(AnswerDurations.CachedBelowSeconds);
        // The cache never keeps REFUSED (coredns/coredns#4326): one that fast was made in CoreDNS.
        if (durations.AllFast && rcode == DnsRcodes.Refused)
        {
            return (RcodeProducers.CoreDns, $"made by CoreDNS: {Count(durations.Timed, "answer")} in {range}, each under {below}, faster than any upstream, and the cache does not keep REFUSED (forward's max_concurrent, or a plugin such as acl)");
        }

        return durations.AllFast
            ? (RcodeProducers.Cache, $"served from CoreDNS's cache: {Count(durations.Timed, "answer")} in {range}, each under {below}, none went upstream in this log")
            : durations.Fast == 0
                ? (RcodeProducers.Upstream, $"answered by the upstream: {Count(durations.Timed, "answer")} in {range}")
                : (RcodeProducers.Upstream, $"answered by the upstream ({durations.Timed - durations.Fast} of {durations.Timed} answers took up to {Duration(durations.SlowestSeconds)}), "
                    + $"repeated by CoreDNS's cache ({durations.Fast} in under {below}, from {Duration(durations.FastestSeconds)})");
        static string Count(int n, string what) => n == 1 ? $"1 {what}" : $"{n} {what}s";
    }

    /// <summary><c>41 µs</c>, <c>1.87 ms</c>, <c>2.008 s</c>.</summary>
    private static string Duration(double seconds) => seconds switch
    {
        < 0.001 => string.Create(CultureInfo.InvariantCulture, $"{seconds * 1e6:0} µs"),
        < 1 => string.Create(CultureInfo.InvariantCulture, $"{seconds * 1e3:0.##} ms"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{seconds:0.###} s"),
    };

    private static string? EventKind(CoreDnsLogKind kind) => kind switch
    {
        CoreDnsLogKind.UnknownDirective => "unknown-directive",
        CoreDnsLogKind.ApiserverUnreachable => "apiserver-unreachable",
        CoreDnsLogKind.UpstreamError => "upstream-error",
        CoreDnsLogKind.ForwardLoop => "forward-loop",
        CoreDnsLogKind.Reload => "reload",
        CoreDnsLogKind.Panic => "panic",
        CoreDnsLogKind.NoNextPlugin => "no-next-plugin",
        CoreDnsLogKind.PluginUsedTwice => "plugin-used-twice",
        CoreDnsLogKind.StartupFailure => CoreDnsLogEventKinds.StartupFailure,
        CoreDnsLogKind.DnsmasqForwardMax => CoreDnsLogEventKinds.DnsmasqForwardMax,
        _ => null,
    };
}
