using DnsExpert.Contract;
using DnsExpert.Facts;
using DnsExpert.Readers.Objects;
using DnsExpert.Readers.Parsing;

namespace DnsExpert.Readers.Building.Producers;

/// <summary>
/// NodeLocal DNSCache's logs: node-cache is CoreDNS, so its lines have CoreDNS's shape, and the errors plugin's network
/// errors forwarding (<c>dial tcp 10.233.0.3:53: i/o timeout</c>) say that the cache on that node cannot reach an
/// upstream: the cluster DNS Service it forwards cluster names to, or the node's resolvers for the rest. One fact per
/// pod and upstream; one <c>collection</c> note per log.
/// </summary>
internal static class NodeLocalLogProducer
{
    /// <summary>Is the log NodeLocal DNSCache's (<see cref="NodeLocalSetup.IsPod"/>)?</summary>
    public static bool IsNodeLocalLog(LogArtifact log, SnapshotObjects objects, ClusterContext cluster)
    {
        var ns = log.Namespace ?? SnapshotObjects.KubeSystem;
        return log.Pod is { } pod && NodeLocalSetup.IsPod(ns, pod, log.Container, objects.Pods.GetValueOrDefault(SnapshotObjects.Key(ns, pod)), cluster.NodeLocal);
    }

    public static ProducedFacts Produce(IList<LogArtifact> logs, SnapshotObjects objects, ClusterContext cluster, IEnumerable<NodeResolvConf> nodeResolvers)
    {
        var resolvers = nodeResolvers.ToList();
        var read = new List<(string Pod, List<UpstreamErrors> Errors)>();
        var setup = new List<NodeLocalSetupErrors>();
        var notes = new List<CollectionEntry>();
        foreach (var log in logs.Where(l => l.Text is not null && l.Pod is not null && !CoreDnsLogProducer.IsCoreDnsLog(l, objects) && IsNodeLocalLog(l, objects, cluster)))
        {
            var ns = log.Namespace ?? SnapshotObjects.KubeSystem;
            var pod = objects.Pods.GetValueOrDefault(SnapshotObjects.Key(ns, log.Pod));
            var scan = log.Text!.Scan();
            var source = $"Pod {ns}/{log.Pod} log";
            var target = cluster.TargetPod is { } t ? objects.Pods.GetValueOrDefault(SnapshotObjects.Key(cluster.TargetNamespace, t))?.Spec?.NodeName : null;
            var errors = Errors(scan, source, ns, log.Pod!, pod, objects, cluster, resolvers, target).ToList();
            read.Add((log.Pod!, errors));
            var setupErrors = SetupErrors(scan, source, ns, log.Pod!, pod).ToList();
            setup.AddRange(setupErrors);
            notes.Add(new CollectionEntry(source, CollectionStatus.Ok,
                $"NodeLocal DNSCache's log: {(scan.Lines == 1 ? "1 line" : $"{scan.Lines} lines")}, {(errors.Count == 0 ? "no error reaching an upstream" : string.Join(", ", errors.Select(e => $"{e.Lines} error(s) reaching {e.Endpoint}")))}"
                + string.Concat(setupErrors.Select(e => $", {e.Count} {e.ErrorType} set-up error line(s)"))));
        }

        // How many other NodeLocal pods' logs show no error to an upstream of the same kind: the failure is that node's.
        var facts = read.SelectMany(r => r.Errors.Select(e => (Fact)e.Make(read.Count(o => o.Pod != r.Pod && o.Errors.All(x => x.Kind != e.Kind))))).ToList();
        facts.AddRange(setup);
        return new ProducedFacts(facts, notes) { Observed = read.Count > 0 ? [nameof(NodeLocalUpstreamError)] : [] };
    }

    /// <summary>
    /// node-cache's set-up failures in its log, one fact per thing it sets up (its lines counted together, the first as
    /// evidence): the failures <c>coredns_nodecache_setup_errors_total</c> counts, read where no scrape was taken. Its
    /// dummy interface's two errortypes are one failure seen twice (a check that cannot read the interface, then cannot
    /// add it: deliveryhero/helm-charts#663), so they count together, named <c>interface_check/interface_add</c>.
    /// </summary>
    private static IEnumerable<NodeLocalSetupErrors> SetupErrors(CoreDnsLogScan scan, string source, string ns, string podName, Pod? pod)
    {
        static string Family(string errorType) => errorType.StartsWith("interface_", StringComparison.Ordinal) ? "interface" : errorType;
        var node = pod?.Spec?.NodeName;
        var (failing, state) = PodState(pod);
        foreach (var family in scan.Events.Where(g => g.First is { Kind: CoreDnsLogKind.NodeLocalSetupError or CoreDnsLogKind.StartupFailure, Cause: not null })
            .GroupBy(g => Family(SetupErrorType(g.First)), StringComparer.Ordinal))
        {
            var startupExit = family.First().First.Kind == CoreDnsLogKind.StartupFailure;
            var groups = family.ToList();
            var first = groups.MinBy(g => g.First.LineNumber)!;
            var last = groups.MaxBy(g => g.LastLineNumber)!;
            var firstTime = groups.Select(g => g.First.Timestamp).Min();
            var lastTime = groups.Select(g => g.LastTimestamp).Max();
            var lines = groups.Sum(g => g.Occurrences);
            yield return new NodeLocalSetupErrors
            {
                Source = source,
                Namespace = ns,
                Pod = podName,
                Node = node,
                ErrorType = string.Join('/', groups.OrderBy(g => g.First.LineNumber).Select(g => SetupErrorType(g.First)).Distinct(StringComparer.Ordinal)),
                Count = lines,
                FromLog = true,
                StartupExit = startupExit,
                PodFailing = failing,
                PodState = state,
                Window = firstTime is { } a && lastTime is { } b && b > a
                    ? $"in its log from {TicketTime.Format(a)} to {TicketTime.Format(b)}"
                    : firstTime is { } at ? $"in its log at {TicketTime.Format(at)}" : "in its log",
                Error = first.First.Error,
                Text = first.First.Text,
                LineNumber = first.First.LineNumber,
                LastLineNumber = last.LastLineNumber,
                Time = TicketTime.Format(firstTime),
                LastTime = TicketTime.Format(lastTime),
                SpanSeconds = firstTime is { } f && lastTime is { } l ? (l - f).TotalSeconds : null,
            };
        }
    }

    /// <summary>
    /// The errortype of a set-up line: node-cache's own (the counter's), or for a start-up exit <c>listen</c> (its
    /// listener's bind refused: <c>listen udp 169.254.20.10:53: bind: address already in use</c>) or
    /// <c>no_nameservers</c> (<c>plugin/forward: no nameservers found</c>: the node's resolv.conf lists none).
    /// </summary>
    private static string SetupErrorType(CoreDnsLogRecord record) => record.Kind != CoreDnsLogKind.StartupFailure ? record.Cause!
        : record.Cause == CoreDnsLogEventCauses.NoNameservers ? "no_nameservers" : "listen";

    /// <summary>
    /// Does the pod fail now (not Running, not Ready, waiting such as in CrashLoopBackOff, or 5 restarts and more), and
    /// its status in words; null when the snapshot holds no status for it.
    /// </summary>
    private static (bool? Failing, string State) PodState(Pod? pod)
    {
        if (pod?.Status is not { } status || (status.Phase is null && status.ContainerStatuses is null))
        {
            return (null, "status not in the snapshot");
        }

        var container = status.ContainerStatuses?.OrderByDescending(c => c.State?.Waiting is not null).ThenByDescending(c => c.RestartCount).FirstOrDefault();
        var ready = CoreDnsProducer.PodReady(pod);
        var restarts = container?.RestartCount ?? 0;
        var waiting = container?.State?.Waiting?.Reason;
        var failing = status.Phase != "Running" || !ready || waiting is not null || restarts >= 5;
        return (failing, $"status.phase {status.Phase ?? "-"}; Ready {ready}; restartCount {restarts}; waiting {waiting ?? "-"}; lastState.terminated {container?.LastState?.Terminated?.Reason ?? "-"}");
    }

    /// <summary>One upstream's errors in one log; <see cref="Make"/> gives the fact once the other logs' count is known.</summary>
    private sealed record UpstreamErrors(string Kind, string Endpoint, int Lines, Func<int, NodeLocalUpstreamError> Make);

    /// <summary>The log's network errors to each upstream, every line to one upstream counted together.</summary>
    private static IEnumerable<UpstreamErrors> Errors(
        CoreDnsLogScan scan, string source, string ns, string podName, Pod? pod, SnapshotObjects objects, ClusterContext cluster, List<NodeResolvConf> resolvers, string? targetNode)
    {
        var node = pod?.Spec?.NodeName;
        var (joinedAfter, joinedText) = Joined(node, objects, cluster);
        foreach (var upstream in scan.Events.Where(g => g.First is { Kind: CoreDnsLogKind.UpstreamError, Endpoint: not null }).GroupBy(g => g.First.Endpoint!, StringComparer.Ordinal))
        {
            var groups = upstream.ToList();
            var first = groups.MinBy(g => g.First.LineNumber)!;
            var last = groups.MaxBy(g => g.LastLineNumber)!;
            var address = Address(upstream.Key);
            var names = groups.Select(g => g.First.QueryName?.TrimEnd('.').ToLowerInvariant()).OfType<string>().ToList();
            var (kind, what) = Kind(address, names, node, objects, cluster, resolvers);
            var firstTime = groups.Select(g => g.First.Timestamp).Min();
            var lastTime = groups.Select(g => g.LastTimestamp).Max();
            var lines = groups.Sum(g => g.Occurrences);
            yield return new UpstreamErrors(kind, upstream.Key, lines, cleanElsewhere => new NodeLocalUpstreamError
            {
                Source = source,
                Pod = podName,
                Namespace = ns,
                Node = node,
                Endpoint = upstream.Key,
                Address = address,
                Transport = first.First.Text.Contains(" tcp ", StringComparison.Ordinal) ? "tcp" : "udp",
                UpstreamKind = kind,
                UpstreamIs = what,
                Error = first.First.Error ?? "error",
                Lines = lines,
                Names = groups.Select(g => $"{g.First.QueryName}|{g.First.QueryType}").Distinct(StringComparer.OrdinalIgnoreCase).Count(),
                LineNumber = first.First.LineNumber,
                LastLineNumber = last.LastLineNumber,
                Time = TicketTime.Format(firstTime),
                LastTime = TicketTime.Format(lastTime),
                SpanSeconds = firstTime is { } a && lastTime is { } b ? (b - a).TotalSeconds : null,
                Text = first.First.Text,
                ProbeName = kind == NodeLocalUpstreamKinds.ClusterDns ? $"kubernetes.default.svc.{cluster.ClusterDomain}"
                    : names.FirstOrDefault(n => !IsClusterZone(n, cluster.ClusterDomain)) ?? "www.example.com",
                NodeJoinedAfterNodeLocal = joinedAfter,
                JoinedText = joinedText,
                ConcernsFailure = names.Any(cluster.IsFailingName) || (node is not null && node == targetNode),
                CleanLogsElsewhere = cleanElsewhere,
            });
        }
    }

    /// <summary>
    /// Which upstream the address is: the cluster DNS (the kube-dns ClusterIP, NodeLocal's <c>-upstreamsvc</c> Service,
    /// a Service selecting the cluster DNS pods, or where its Corefile forwards cluster names), an external resolver (the
    /// node's resolv.conf, or where its Corefile forwards the rest); else what the names forwarded say, NodeLocal's
    /// Corefile sending the cluster domain and the reverse zones to the cluster DNS and every other name to the node's resolvers.
    /// </summary>
    private static (string Kind, string What) Kind(string address, List<string> names, string? node, SnapshotObjects objects, ClusterContext cluster, List<NodeResolvConf> resolvers)
    {
        var nodeLocal = cluster.NodeLocal;
        var service = objects.Services.Values.FirstOrDefault(s => s.Spec?.ClusterIP == address);
        var serviceName = service?.Metadata is { } m ? $"the {m.Name} Service ({address})" : null;
        if (address == cluster.KubeDnsClusterIp)
        {
            // Where NodeLocal binds the kube-dns ClusterIP itself, forwarding to it asks NodeLocal again, not CoreDNS.
            return (NodeLocalUpstreamKinds.ClusterDns, $"{serviceName ?? $"the kube-dns Service ({address})"}, the cluster DNS"
                + (cluster.NodeLocalInterceptsClusterIp ? $", an address NodeLocal binds itself on its node ({nodeLocal!.AddressesFrom}): forwarding there asks NodeLocal again; its upstream must be a Service of its own (-upstreamsvc, kube-dns-upstream)" : ""));
        }

        if (service is not null && (service.Metadata?.Name == nodeLocal?.UpstreamService || SelectsClusterDns(service, objects)))
        {
            return (NodeLocalUpstreamKinds.ClusterDns, service.Metadata?.Name == nodeLocal?.UpstreamService
                ? $"{serviceName}, the upstream Service NodeLocal forwards cluster names to (-upstreamsvc {nodeLocal!.UpstreamService}), which selects the cluster DNS pods"
                : $"{serviceName}, which selects the cluster DNS pods");
        }

        if (nodeLocal?.ClusterForwards.Contains(address) == true)
        {
            return (NodeLocalUpstreamKinds.ClusterDns, $"{serviceName ?? address}, where NodeLocal's Corefile forwards the cluster domain");
        }

        if (resolvers.FirstOrDefault(r => (node is null || r.Node == node) && r.Nameservers.Contains(address)) is { } resolver)
        {
            return (NodeLocalUpstreamKinds.External, $"{address}, a nameserver of node {resolver.Node}'s {resolver.Path}, where NodeLocal forwards names outside the cluster domain");
        }

        if (nodeLocal?.ExternalForwards.Contains(address) == true)
        {
            return (NodeLocalUpstreamKinds.External, $"{address}, where NodeLocal's Corefile forwards names outside the cluster domain");
        }

        var clusterName = names.FirstOrDefault(n => IsClusterZone(n, cluster.ClusterDomain));
        if (clusterName is not null)
        {
            return (NodeLocalUpstreamKinds.ClusterDns, $"{serviceName ?? address}, the cluster DNS NodeLocal forwards {clusterName} to (a name of the cluster domain or a reverse zone)");
        }

        return names.Count > 0
            ? (NodeLocalUpstreamKinds.External, $"{serviceName ?? address}, the resolver of the node's /etc/resolv.conf NodeLocal forwards {names[0]} to (outside the cluster domain)")
            : (NodeLocalUpstreamKinds.Unknown, $"{serviceName ?? address} (the lines name no query, and the snapshot does not say which upstream it is)");
    }

    private static bool SelectsClusterDns(Service service, SnapshotObjects objects) =>
        service.Spec?.Selector is { Count: > 0 } selector && objects.CoreDnsPods.Any(p => p.Metadata?.NamespaceProperty == service.Metadata?.NamespaceProperty
            && p.Metadata?.Labels is { } labels && selector.All(kv => labels.TryGetValue(kv.Key, out var v) && v == kv.Value));

    /// <summary>The cluster domain and the reverse zones: what NodeLocal's Corefile forwards to the cluster DNS.</summary>
    private static bool IsClusterZone(string name, string clusterDomain) =>
        name == clusterDomain || name.EndsWith("." + clusterDomain, StringComparison.Ordinal)
        || name.EndsWith(".in-addr.arpa", StringComparison.Ordinal) || name.EndsWith(".ip6.arpa", StringComparison.Ordinal);

    /// <summary>Did the node join after NodeLocal's DaemonSet was created: a node added later.</summary>
    private static (bool? After, string Text) Joined(string? node, SnapshotObjects objects, ClusterContext cluster)
    {
        var created = objects.Nodes.GetValueOrDefault(node ?? "")?.Metadata?.CreationTimestamp;
        var setUp = cluster.NodeLocal?.DaemonSet.Metadata?.CreationTimestamp;
        if (created is not { } c || setUp is not { } s)
        {
            return (null, "");
        }

        var (joined, since) = (TicketTime.Format(TicketTime.Utc(c)), TicketTime.Format(TicketTime.Utc(s)));
        return c > s
            ? (true, $"node {node} joined the cluster at {joined}, after NodeLocal DNSCache's DaemonSet {cluster.NodeLocal!.Name} was created ({since})")
            : (false, $"node {node} was in the cluster ({joined}) before NodeLocal DNSCache's DaemonSet {cluster.NodeLocal!.Name} was created ({since})");
    }

    /// <summary><c>10.233.0.3</c> of <c>10.233.0.3:53</c>, <c>fd00::a</c> of <c>[fd00::a]:53</c>.</summary>
    private static string Address(string endpoint) =>
        System.Net.IPEndPoint.TryParse(endpoint, out var ip) ? ip.Address.ToString() : endpoint;
}
