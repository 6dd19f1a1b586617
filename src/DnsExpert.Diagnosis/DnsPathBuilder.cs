using DnsExpert.Contract;
using DnsExpert.Facts;

namespace DnsExpert.Diagnosis;

/// <summary>
/// The failing pod's DNS path hop by hop (pod, NodeLocal DNSCache when the pod uses it, the kube-dns Service, each
/// CoreDNS pod, each upstream of the root zone's <c>forward</c>), each marked by what the evidence says: a failed probe
/// to it or a finding whose evidence names it fails it; an answered probe or a Running and Ready pod makes it healthy;
/// anything else leaves it unverified. Findings are matched to hops through the facts their evidence cites (the
/// evidence's source is the fact's source), so no rule needs to know about the path.
/// </summary>
public static class DnsPathBuilder
{
    private const string KubeDnsObject = "kube-system/kube-dns";

    /// <summary>The path, or null when the facts know nothing of it (no target pod, no cluster DNS objects, no upstream).</summary>
    public static IReadOnlyList<DnsPathHop>? Build(IReadOnlyList<object> facts, IReadOnlyList<Finding> findings, TargetRef? target = null)
    {
        var pod = facts.OfType<PodDns>().FirstOrDefault();
        var clusterDns = facts.OfType<ClusterDns>().FirstOrDefault();
        var service = facts.OfType<KubeDnsService>().FirstOrDefault();
        var nodeLocal = facts.OfType<NodeLocalDnsCache>().FirstOrDefault();
        var coreDnsPods = facts.OfType<CoreDnsPod>().ToList();
        var probes = facts.OfType<ProbeResult>().ToList();
        var logEvents = facts.OfType<CoreDnsLogEvent>().ToList();
        var rootServers = facts.OfType<CorefileServer>().Where(s => s.ServesRoot).Select(s => s.Index).ToHashSet();
        var upstreams = facts.OfType<CorefileUpstream>().Where(u => u.From == "." && rootServers.Contains(u.ServerIndex)).ToList();
        // Without the Service or its ClusterIP, a probe of the address the pod itself asks (its resolv.conf, its error
        // message) is kube-dns's (ProbeProducer): a pasted `dig @CLUSTER-IP` is enough to draw the path it tested.
        var kubeDnsProbe = probes.FirstOrDefault(p => p.TargetRole == ProbeTargetRoles.KubeDns);
        if (pod is null && service is null && clusterDns?.KubeDnsClusterIp is null && coreDnsPods.Count == 0 && upstreams.Count == 0 && kubeDnsProbe is null)
        {
            return null;
        }

        var path = new List<Hop>();
        // Without the pod's object, the request names it (validated names): better than "the failing pod" in a chat.
        var podHop = Add(path, HopKinds.Pod, pod is not null ? $"{pod.Namespace}/{pod.Name}" : target?.Pod is { } named ? $"{target.Namespace ?? "default"}/{named}" : "the failing pod", pod?.Ip);
        if (pod?.Phase == PodPhases.Running)
        {
            podHop.Healthy(new HopReason(null, null, "the pod is Running"));
        }

        Hop? nodeLocalHop = null;
        if (pod?.UsesNodeLocal == true)
        {
            nodeLocalHop = Add(path, HopKinds.NodeLocal, nodeLocal?.Name ?? "NodeLocal DNSCache", nodeLocal?.LocalIp ?? clusterDns?.NodeLocalIp);
            if (nodeLocal is { DesiredPods: > 0 } && nodeLocal.ReadyPods == nodeLocal.DesiredPods)
            {
                nodeLocalHop.Healthy(new HopReason(null, null, $"{nodeLocal.ReadyPods}/{nodeLocal.DesiredPods} pods Ready"));
            }
        }

        // A pod on its node's resolver (dnsPolicy Default, or hostNetwork with ClusterFirst, which kubelet treats as
        // Default) never reaches kube-dns or CoreDNS: its path is the node's nameservers, whatever the cluster DNS does.
        var onNodeResolver = pod is not null && (pod.DnsPolicy == DnsPolicies.Default || (pod.HostNetwork && pod.DnsPolicy == DnsPolicies.ClusterFirst));
        var kubeDnsObject = service is null ? KubeDnsObject : $"{service.Namespace}/{service.Name}";
        var kubeDnsHop = onNodeResolver ? null : Add(path, HopKinds.KubeDns, kubeDnsObject, service?.ClusterIp ?? clusterDns?.KubeDnsClusterIp ?? kubeDnsProbe?.Target);
        if (onNodeResolver)
        {
            var clusterIp = service?.ClusterIp ?? clusterDns?.KubeDnsClusterIp;
            var nameservers = pod!.EffectiveNameservers.Where(n => n != clusterIp).ToList();
            foreach (var nameserver in nameservers)
            {
                Add(path, HopKinds.Upstream, pod.Node is { } node ? $"node {node}'s resolver" : "the node's resolver", nameserver);
            }

            if (nameservers.Count == 0)
            {
                Add(path, HopKinds.Upstream, pod.Node is { } node ? $"node {node}'s resolv.conf" : "the node's resolv.conf", null);
            }

            coreDnsPods = [];
            upstreams = [];
        }

        var coreDnsHops = new Dictionary<string, Hop>(StringComparer.Ordinal);
        foreach (var p in coreDnsPods)
        {
            var hop = Add(path, HopKinds.CoreDns, $"{p.Namespace}/{p.Name}", p.Ip);
            coreDnsHops.TryAdd(p.Name, hop);
            if (p.Phase == PodPhases.Running && p.Ready)
            {
                hop.Healthy(new HopReason(null, null, $"Running and Ready, {p.Restarts} restarts"));
            }
        }

        foreach (var u in upstreams)
        {
            if (Upstream(path, u.Address ?? u.Target) is null)
            {
                Add(path, HopKinds.Upstream, u.Target, u.Address);
            }
        }

        // What a probe says about its target, cited by a finding or not.
        foreach (var probe in probes)
        {
            Mark(ProbeHop(probe), probe, ruleId: null);
        }

        foreach (var finding in findings.Where(f => f.Severity != Severity.Info))
        {
            foreach (var evidence in finding.Evidence)
            {
                foreach (var probe in probes.Where(p => p.Source == evidence.Source))
                {
                    Mark(ProbeHop(probe), probe, finding.RuleId);
                }

                var because = new HopReason(finding.RuleId, null, $"{finding.Title}: {evidence.Detail}");
                foreach (var hop in EvidenceHops(evidence).Distinct())
                {
                    hop.Failed(because);
                }
            }
        }

        // `forward . /etc/resolv.conf` names a file; the addresses probes and logs found are the nameservers it lists,
        // so once they are on the path the file itself says nothing more.
        if (path.Any(h => h.Kind == HopKinds.Upstream && h.Address is not null))
        {
            path.RemoveAll(h => h.Kind == HopKinds.Upstream && h.Address is null && h.Status == HopStatus.Unverified);
        }

        return path.Select(h => h.ToContract()).ToList();

        void Mark(Hop? hop, ProbeResult probe, string? ruleId)
        {
            var because = new HopReason(ruleId, probe.Source, $"{probe.Description}: {ProbeOutcome(probe)}");
            if (hop is null)
            {
                return;
            }

            if (probe.Failed)
            {
                hop.Failed(because);
            }
            else
            {
                hop.Healthy(because);
            }
        }

        Hop? ProbeHop(ProbeResult probe) => probe.TargetRole switch
        {
            ProbeTargetRoles.KubeDns => kubeDnsHop,
            ProbeTargetRoles.NodeLocal => nodeLocalHop,
            ProbeTargetRoles.CoreDnsPod => path.FirstOrDefault(h => h.Kind == HopKinds.CoreDns && h.Address == probe.Target),
            // Only CoreDNS (or its node) forwards to upstreams: an app's probe of another server is not on this path.
            ProbeTargetRoles.Upstream => Upstream(path, probe.Target)
                ?? (probe.FromRole is ProbeOrigins.CoreDns or ProbeOrigins.Node ? Add(path, HopKinds.Upstream, probe.Target, probe.Target) : null),
            _ => null,
        };

        IEnumerable<Hop> EvidenceHops(Evidence evidence)
        {
            if (kubeDnsHop is not null && evidence.Source.EndsWith(kubeDnsObject, StringComparison.Ordinal))
            {
                yield return kubeDnsHop;
            }

            foreach (var fact in facts.OfType<Fact>().Where(f => f.Source == evidence.Source))
            {
                switch (fact)
                {
                    case PodDns or PodResolvConf:
                        yield return podHop;
                        break;
                    case NodeLocalDnsCache when nodeLocalHop is not null:
                        yield return nodeLocalHop;
                        break;
                    case CoreDnsPod p when coreDnsHops.TryGetValue(p.Name, out var hop):
                        yield return hop;
                        break;
                    case KubernetesEvent { InvolvedKind: "Pod" } e when coreDnsHops.TryGetValue(e.InvolvedName, out var hop):
                        yield return hop;
                        break;
                    case KubernetesEvent { InvolvedKind: "Pod" } e when e.InvolvedName == pod?.Name && e.Namespace == pod.Namespace:
                        yield return podHop;
                        break;
                    case CoreDnsLogEvent log when evidence.Detail.Contains(log.Text, StringComparison.Ordinal):
                        if (log.Kind == CoreDnsLogEventKinds.UpstreamError && log.Endpoint is { } endpoint)
                        {
                            var address = HostOf(endpoint);
                            if (log.UpstreamIsClusterDns)
                            {
                                if (kubeDnsHop is not null)
                                {
                                    yield return kubeDnsHop;
                                }
                            }
                            else
                            {
                                yield return Upstream(path, address) ?? Add(path, HopKinds.Upstream, address, address);
                            }
                        }
                        else if (coreDnsHops.TryGetValue(log.Pod, out var hop))
                        {
                            yield return hop;
                        }

                        break;
                    case CorefileUpstream u when evidence.Detail.Contains(u.Text, StringComparison.Ordinal) && Upstream(path, u.Address ?? u.Target) is { } hop:
                        yield return hop;
                        break;
                }
            }
        }
    }

    private static Hop Add(List<Hop> path, string kind, string name, string? address)
    {
        var hop = new Hop(kind, name, address);
        path.Add(hop);
        return hop;
    }

    private static Hop? Upstream(List<Hop> path, string addressOrTarget) =>
        path.FirstOrDefault(h => h.Kind == HopKinds.Upstream && (h.Address == addressOrTarget || h.Name == addressOrTarget));

    private static string ProbeOutcome(ProbeResult probe) => probe.Failed ? probe.Outcome : $"answered {probe.Rcode ?? ""}".TrimEnd();

    /// <summary><c>100.100.2.136:53</c> and <c>[fd00::10]:53</c> to their address; a bare address unchanged.</summary>
    private static string HostOf(string endpoint)
    {
        if (endpoint.StartsWith('[') && endpoint.IndexOf(']', StringComparison.Ordinal) is > 0 and var close)
        {
            return endpoint[1..close];
        }

        var colon = endpoint.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 && colon == endpoint.LastIndexOf(':') ? endpoint[..colon] : endpoint;
    }

    private sealed class Hop(string kind, string name, string? address)
    {
        private readonly List<HopReason> _failed = [];
        private readonly List<HopReason> _healthy = [];

        public string Kind { get; } = kind;
        public string Name { get; } = name;
        public string? Address { get; } = address;

        public HopStatus Status => _failed.Count > 0 ? HopStatus.Failed : _healthy.Count > 0 ? HopStatus.Healthy : HopStatus.Unverified;

        public void Failed(HopReason because) => AddOnce(_failed, because);

        public void Healthy(HopReason because) => AddOnce(_healthy, because);

        public DnsPathHop ToContract() => new(Kind, Name, Address, Status, _failed.Count > 0 ? _failed : _healthy);

        private static void AddOnce(List<HopReason> reasons, HopReason because)
        {
            // A probe cited by a finding replaces the same probe without one.
            var same = reasons.FindIndex(r => r.Probe is not null && r.Probe == because.Probe && r.Detail == because.Detail);
            if (same < 0)
            {
                reasons.Add(because);
            }
            else if (reasons[same].RuleId is null)
            {
                reasons[same] = because;
            }
            else if (!reasons.Contains(because))
            {
                reasons.Add(because);
            }
        }
    }
}
