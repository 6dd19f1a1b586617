using DnsExpert.Contract;
using DnsExpert.Facts;

namespace DnsExpert.Readers.Building.Producers;

/// <summary>The active probes: each with where it ran from and the role of what it reached (kube-dns, a CoreDNS pod, NodeLocal, the apiserver, an upstream).</summary>
internal static class ProbeProducer
{
    /// <summary>One <see cref="ProbeResult"/> per probe; a probe to an address of a Corefile forward line reaches an upstream.</summary>
    public static ProducedFacts Produce(IList<ProbeArtifact> probes, SnapshotObjects objects, ClusterContext cluster, IEnumerable<Fact> corefile)
    {
        var facts = new List<Fact>();
        var coreDnsIps = objects.CoreDnsPods.Select(p => p.Status?.PodIP).Where(ip => ip is not null).ToHashSet(StringComparer.Ordinal);
        var apiserver = objects.Service("default", "kubernetes")?.Spec?.ClusterIP;
        // NodeLocal's upstream Service (-upstreamsvc: kube-dns-upstream, kubespray's coredns) selects the kube-dns pods:
        // a probe to it from a node's NodeLocal tests that node's path to the kube-dns Service. node-cache reads it from its
        // own pod's Service environment (KUBE_DNS_UPSTREAM_SERVICE_HOST): a Service of its DaemonSet's namespace.
        var nodeLocalUpstream = cluster.NodeLocal is { UpstreamService: { } upstreamService } setup
            ? objects.Service(setup.Namespace, upstreamService)?.Spec?.ClusterIP
            : null;
        var upstreams = corefile.OfType<CorefilePlugin>().Where(p => p.Name == "forward").SelectMany(p => p.Arguments.Skip(1))
            .Select(a => a.Split(':')[0]).ToHashSet(StringComparer.Ordinal);

        for (var i = 0; i < probes.Count; i++)
        {
            var p = probes[i];
            if (p.Kind is not { } kind || p.Outcome is not { } outcome)
            {
                continue;
            }

            var target = (kind == ProbeKind.Dns ? p.Server ?? p.Target : p.Target ?? p.Server) ?? "";
            var (fromRole, fromNode) = ProbeOrigin(p.From, objects);
            // Without the kube-dns Service, the address the pod itself asks (its resolv.conf, its error message) is kube-dns
            // for a probe from an application pod: `dig @<that IP>` from the pod tests the app-to-kube-dns path.
            var targetRole = target == cluster.KubeDnsClusterIp || (nodeLocalUpstream is not null && target == nodeLocalUpstream)
                || (cluster.KubeDnsIpSeenByPod is { } seen && target == seen && fromRole != "coredns" && !coreDnsIps.Contains(target)
                    && target != cluster.NodeLocalIp && target != ClusterContext.DefaultNodeLocalIp) ? "kube-dns"
                : coreDnsIps.Contains(target) ? "coredns-pod"
                : target == cluster.NodeLocalIp || target == ClusterContext.DefaultNodeLocalIp ? "nodelocal"
                : target == apiserver || (kind == ProbeKind.Tcp && p.Port is 443 or 6443) ? "apiserver"
                : upstreams.Contains(target) || kind == ProbeKind.Dns ? "upstream"
                : "other";
            var kindName = kind.ToString().ToLowerInvariant();
            var transport = p.Transport?.ToString().ToLowerInvariant();
            facts.Add(new ProbeResult
            {
                Source = $"snapshot.probes[{i}]",
                Index = i,
                From = p.From ?? "dnsexpert",
                FromRole = fromRole,
                FromNode = fromNode,
                Kind = kindName,
                Target = target,
                TargetRole = targetRole,
                Port = p.Port,
                Name = p.Name,
                Type = p.Type,
                Transport = transport,
                Outcome = outcome.ToString().ToLowerInvariant(),
                Rcode = p.Rcode,
                Truncated = p.Truncated ?? false,
                ReplyFrom = p.ReplyFrom is { } from && from != target ? from : null,
                AnswerCount = p.AnswerCount,
                LatencyMs = p.LatencyMs,
                ConcernsFailure = cluster.IsTargetPod(p.From?.Split('/')[0], p.From?.Split('/').LastOrDefault()) || cluster.IsFailingName(p.Name),
                Description = kind switch
                {
                    ProbeKind.Dns => $"dig {p.Name} {p.Type ?? "A"} @{target}{(p.Port is { } port and not 53 ? $" -p {port}" : "")} ({transport ?? "udp"}) from {p.From ?? "dnsexpert"}"
                        + (p.ReplyFrom is { } replyFrom && replyFrom != target ? $"; the reply came from {replyFrom}, not {target}" : ""),
                    ProbeKind.Ping => $"ping {target} from {p.From ?? "dnsexpert"}{PingCounts(p)}",
                    _ => $"tcp connect {target}:{p.Port} from {p.From ?? "dnsexpert"}",
                },
            });
        }

        return new ProducedFacts(facts);
    }

    /// <summary>A ping's replies when it says them: <c> (2 of 60 answered, 97 % lost)</c>, so a partial loss shows in the description.</summary>
    private static string PingCounts(ProbeArtifact p) => p switch
    {
        { Sent: > 0 and var sent, Received: { } received } when received >= 0 && received <= sent =>
            $" ({received} of {sent} answered, {Math.Round((sent - received) * 100.0 / sent).ToString(System.Globalization.CultureInfo.InvariantCulture)} % lost)",
        _ => "",
    };

    /// <summary>The role and node of a probe's origin: <c>ns/pod</c>, <c>node/NAME</c> or <c>dnsexpert</c>.</summary>
    private static (string Role, string? Node) ProbeOrigin(string? from, SnapshotObjects objects)
    {
        if (string.IsNullOrEmpty(from) || from == "dnsexpert")
        {
            return ("dnsexpert", null);
        }

        if (from.StartsWith("node/", StringComparison.Ordinal))
        {
            return ("node", from["node/".Length..]);
        }

        var slash = from.IndexOf('/', StringComparison.Ordinal);
        var (ns, name) = slash < 0 ? ("default", from) : (from[..slash], from[(slash + 1)..]);
        var pod = objects.Pod(ns, name);
        var isCoreDns = objects.ClusterDns.IsDnsPod(ns, name);
        return (isCoreDns ? "coredns" : "app", pod?.Spec?.NodeName);
    }
}
