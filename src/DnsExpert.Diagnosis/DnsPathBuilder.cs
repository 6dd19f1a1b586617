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
        var drawing = new Drawing(facts);
        if (!drawing.KnowsAnything)
        {
            return null;
        }

        drawing.DrawHops(target);
        drawing.MarkProbes();
        drawing.MarkFindings(findings);
        return drawing.Path();
    }

    /// <summary>One path being drawn: the hops in order, then what probes and findings say about each.</summary>
    private sealed class Drawing
    {
        private readonly IReadOnlyList<object> _facts;
        private readonly PodDns? _pod;
        private readonly ClusterDns? _clusterDns;
        private readonly KubeDnsService? _service;
        private readonly NodeLocalDnsCache? _nodeLocal;
        private readonly List<ProbeResult> _probes;
        private readonly ProbeResult? _kubeDnsProbe;
        private readonly string _kubeDnsObject;
        private readonly List<Hop> _path = [];
        private readonly Dictionary<string, Hop> _coreDnsHops = new(StringComparer.Ordinal);
        private List<CoreDnsPod> _coreDnsPods;
        private List<CorefileUpstream> _upstreams;
        private Hop _podHop = null!;
        private Hop? _nodeLocalHop;
        private Hop? _kubeDnsHop;

        public Drawing(IReadOnlyList<object> facts)
        {
            _facts = facts;
            _pod = facts.OfType<PodDns>().FirstOrDefault();
            _clusterDns = facts.OfType<ClusterDns>().FirstOrDefault();
            _service = facts.OfType<KubeDnsService>().FirstOrDefault();
            _nodeLocal = facts.OfType<NodeLocalDnsCache>().FirstOrDefault();
            _coreDnsPods = facts.OfType<CoreDnsPod>().ToList();
            _probes = facts.OfType<ProbeResult>().ToList();
            var rootServers = facts.OfType<CorefileServer>().Where(s => s.ServesRoot).Select(s => s.Index).ToHashSet();
            _upstreams = facts.OfType<CorefileUpstream>().Where(u => u.From == "." && rootServers.Contains(u.ServerIndex)).ToList();
            // Without the Service or its ClusterIP, a probe of the address the pod itself asks (its resolv.conf, its error
            // message) is kube-dns's (ProbeProducer): a pasted `dig @CLUSTER-IP` is enough to draw the path it tested.
            _kubeDnsProbe = _probes.FirstOrDefault(p => p.TargetRole == ProbeTargetRoles.KubeDns);
            _kubeDnsObject = _service is null ? KubeDnsObject : $"{_service.Namespace}/{_service.Name}";
        }

        public bool KnowsAnything =>
            _pod is not null || _service is not null || _clusterDns?.KubeDnsClusterIp is not null || _coreDnsPods.Count > 0 || _upstreams.Count > 0 || _kubeDnsProbe is not null;

        /// <summary>The hops in the order a query takes them, each healthy where its own object says so.</summary>
        public void DrawHops(TargetRef? target)
        {
            // Without the pod's object, the request names it (validated names): better than "the failing pod" in a chat.
            _podHop = Add(_path, HopKinds.Pod, _pod is not null ? $"{_pod.Namespace}/{_pod.Name}" : target?.Pod is { } named ? $"{target.Namespace ?? "default"}/{named}" : "the failing pod", _pod?.Ip);
            if (_pod?.Phase == PodPhases.Running)
            {
                _podHop.Healthy(new HopReason(null, null, "the pod is Running"));
            }

            if (_pod?.UsesNodeLocal == true)
            {
                _nodeLocalHop = Add(_path, HopKinds.NodeLocal, _nodeLocal?.Name ?? "NodeLocal DNSCache", _nodeLocal?.LocalIp ?? _clusterDns?.NodeLocalIp);
                if (_nodeLocal is { DesiredPods: > 0 } && _nodeLocal.ReadyPods == _nodeLocal.DesiredPods)
                {
                    _nodeLocalHop.Healthy(new HopReason(null, null, $"{_nodeLocal.ReadyPods}/{_nodeLocal.DesiredPods} pods Ready"));
                }
            }

            // A pod on its node's resolver (dnsPolicy Default, or hostNetwork with ClusterFirst, which kubelet treats as
            // Default) never reaches kube-dns or CoreDNS: its path is the node's nameservers, whatever the cluster DNS does.
            if (_pod is not null && (_pod.DnsPolicy == DnsPolicies.Default || (_pod.HostNetwork && _pod.DnsPolicy == DnsPolicies.ClusterFirst)))
            {
                DrawNodeResolver(_pod);
            }
            else
            {
                _kubeDnsHop = Add(_path, HopKinds.KubeDns, _kubeDnsObject, _service?.ClusterIp ?? _clusterDns?.KubeDnsClusterIp ?? _kubeDnsProbe?.Target);
            }

            foreach (var p in _coreDnsPods)
            {
                var hop = Add(_path, HopKinds.CoreDns, $"{p.Namespace}/{p.Name}", p.Ip);
                _coreDnsHops.TryAdd(p.Name, hop);
                if (p.Phase == PodPhases.Running && p.Ready)
                {
                    hop.Healthy(new HopReason(null, null, $"Running and Ready, {p.Restarts} restarts"));
                }
            }

            foreach (var u in _upstreams)
            {
                if (Upstream(_path, u.Address ?? u.Target) is null)
                {
                    Add(_path, HopKinds.Upstream, u.Target, u.Address);
                }
            }
        }

        /// <summary>The node's nameservers in place of kube-dns, CoreDNS and its upstreams.</summary>
        private void DrawNodeResolver(PodDns pod)
        {
            var clusterIp = _service?.ClusterIp ?? _clusterDns?.KubeDnsClusterIp;
            var nameservers = pod.EffectiveNameservers.Where(n => n != clusterIp).ToList();
            foreach (var nameserver in nameservers)
            {
                Add(_path, HopKinds.Upstream, pod.Node is { } node ? $"node {node}'s resolver" : "the node's resolver", nameserver);
            }

            if (nameservers.Count == 0)
            {
                Add(_path, HopKinds.Upstream, pod.Node is { } node ? $"node {node}'s resolv.conf" : "the node's resolv.conf", null);
            }

            _coreDnsPods = [];
            _upstreams = [];
        }

        /// <summary>What each probe says about its target, cited by a finding or not.</summary>
        public void MarkProbes()
        {
            foreach (var probe in _probes)
            {
                Mark(ProbeHop(probe), probe, ruleId: null);
            }
        }

        /// <summary>
        /// Each finding's evidence in turn: a probe it cites marks that probe's hop with the finding's rule, and the hops
        /// the evidence names through the facts it cites fail.
        /// </summary>
        public void MarkFindings(IReadOnlyList<Finding> findings)
        {
            foreach (var finding in findings.Where(f => f.Severity != Severity.Info))
            {
                foreach (var evidence in finding.Evidence)
                {
                    foreach (var probe in _probes.Where(p => p.Source == evidence.Source))
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
        }

        public List<DnsPathHop> Path()
        {
            // `forward . /etc/resolv.conf` names a file; the addresses probes and logs found are the nameservers it lists,
            // so once they are on the path the file itself says nothing more.
            if (_path.Any(h => h.Kind == HopKinds.Upstream && h.Address is not null))
            {
                _path.RemoveAll(h => h.Kind == HopKinds.Upstream && h.Address is null && h.Status == HopStatus.Unverified);
            }

            return _path.Select(h => h.ToContract()).ToList();
        }

        private static void Mark(Hop? hop, ProbeResult probe, string? ruleId)
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

        private Hop? ProbeHop(ProbeResult probe) => probe.TargetRole switch
        {
            ProbeTargetRoles.KubeDns => _kubeDnsHop,
            ProbeTargetRoles.NodeLocal => _nodeLocalHop,
            ProbeTargetRoles.CoreDnsPod => _path.FirstOrDefault(h => h.Kind == HopKinds.CoreDns && h.Address == probe.Target),
            // Only CoreDNS (or its node) forwards to upstreams: an app's probe of another server is not on this path.
            ProbeTargetRoles.Upstream => Upstream(_path, probe.Target)
                ?? (probe.FromRole is ProbeOrigins.CoreDns or ProbeOrigins.Node ? Add(_path, HopKinds.Upstream, probe.Target, probe.Target) : null),
            _ => null,
        };

        private IEnumerable<Hop> EvidenceHops(Evidence evidence)
        {
            if (_kubeDnsHop is not null && evidence.Source.EndsWith(_kubeDnsObject, StringComparison.Ordinal))
            {
                yield return _kubeDnsHop;
            }

            foreach (var fact in _facts.OfType<Fact>().Where(f => f.Source == evidence.Source))
            {
                if (FactHop(fact, evidence) is { } hop)
                {
                    yield return hop;
                }
            }
        }

        /// <summary>The hop a fact cited by a finding's evidence stands for, if any.</summary>
        private Hop? FactHop(Fact fact, Evidence evidence) => fact switch
        {
            PodDns or PodResolvConf => _podHop,
            NodeLocalDnsCache when _nodeLocalHop is not null => _nodeLocalHop,
            CoreDnsPod p when _coreDnsHops.TryGetValue(p.Name, out var hop) => hop,
            KubernetesEvent { InvolvedKind: "Pod" } e when _coreDnsHops.TryGetValue(e.InvolvedName, out var hop) => hop,
            KubernetesEvent { InvolvedKind: "Pod" } e when e.InvolvedName == _pod?.Name && e.Namespace == _pod.Namespace => _podHop,
            CoreDnsLogEvent log when evidence.Detail.Contains(log.Text, StringComparison.Ordinal) => LogHop(log),
            CorefileUpstream u when evidence.Detail.Contains(u.Text, StringComparison.Ordinal) => Upstream(_path, u.Address ?? u.Target),
            _ => null,
        };

        /// <summary>A log line's hop: the upstream (or kube-dns) an upstream error names, else the CoreDNS pod that logged it.</summary>
        private Hop? LogHop(CoreDnsLogEvent log)
        {
            if (log.Kind == CoreDnsLogEventKinds.UpstreamError && log.Endpoint is { } endpoint)
            {
                var address = HostOf(endpoint);
                return log.UpstreamIsClusterDns ? _kubeDnsHop : Upstream(_path, address) ?? Add(_path, HopKinds.Upstream, address, address);
            }

            return _coreDnsHops.GetValueOrDefault(log.Pod);
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
