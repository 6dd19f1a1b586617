using System.Net;
using DnsExpert.Contract;
using DnsExpert.Facts;
using DnsExpert.Readers;
using DnsExpert.Readers.Building;
using DnsExpert.Readers.Parsing;
using k8s.Models;

namespace DnsExpert.Collectors.Probes;

/// <summary>The probes to run for one diagnosis.</summary>
public sealed record ProbePlan(IReadOnlyList<DnsProbe> Dns, IReadOnlyList<TcpProbe> Tcp);

/// <summary>The probes one node agent runs: DNS questions and pings (addresses only; the agent checks them with <see cref="Node.AgentScope"/>).</summary>
public sealed record NodeProbePlan(IReadOnlyList<DnsProbe> Dns, IReadOnlyList<string> Ping)
{
    public const int MaxDns = 32;
    public const int MaxPing = 16;
}

/// <summary>
/// Plans the guide's dig and telnet checks from the cluster's own objects only: the kube-dns ClusterIP and DNS port,
/// each CoreDNS pod IP and DNS container port, the NodeLocal DNSCache address, the IP upstreams of the Corefile's
/// <c>forward</c>, and the API server's ClusterIP. Request text only chooses the name asked, never where packets go,
/// so the service cannot be used to scan arbitrary addresses.
/// </summary>
public static class ProbePlanner
{
    public const string From = "dnsexpert";

    /// <summary>At most this many probes per diagnosis.</summary>
    public const int MaxProbes = 64;

    public static ProbePlan Plan(Snapshot snapshot, TargetRef? target, string? domain)
    {
        var facts = SnapshotFactBuilder.Build(new DiagnosisRequest { Snapshot = snapshot, Target = target, Domain = domain }).Facts;
        var objects = PodsAndServices(snapshot);
        var dns = facts.OfType<ClusterDns>().FirstOrDefault();
        var clusterDomain = dns?.ClusterDomain ?? "cluster.local";
        var failing = facts.OfType<QueriedName>().FirstOrDefault();

        var internalNames = new List<string> { $"kubernetes.default.svc.{clusterDomain}" };
        if (failing is { IsInternal: true } && !internalNames.Contains(failing.Name))
        {
            internalNames.Add(failing.Name);
        }

        var externalNames = failing is { IsInternal: false } ? new List<string> { failing.Name } : [];
        var allNames = internalNames.Concat(externalNames).ToList();

        var servers = new List<(string Address, int Port, IReadOnlyList<string> Names)>();
        if (dns?.KubeDnsClusterIp is { } clusterIp && IsAddress(clusterIp))
        {
            servers.Add((clusterIp, ServicePort(objects.KubeDns) ?? 53, allNames));
        }

        foreach (var pod in objects.CoreDns)
        {
            if (pod.Status?.PodIP is { } ip && IsAddress(ip))
            {
                servers.Add((ip, ContainerPort(pod) ?? 53, allNames));
            }
        }

        if (dns is { NodeLocalPresent: true, NodeLocalIp: { } local } && IsAddress(local))
        {
            servers.Add((local, 53, allNames));
        }

        foreach (var forward in facts.OfType<CorefilePlugin>().Where(p => p.Name == "forward"))
        {
            foreach (var upstream in forward.Arguments.Skip(1))
            {
                if (Upstream(upstream) is { } endpoint && externalNames.Count > 0)
                {
                    servers.Add((endpoint.Address, endpoint.Port, externalNames));
                }
            }
        }

        var probes = new List<DnsProbe>();
        foreach (var (address, port, names) in servers.Distinct())
        {
            foreach (var name in names)
            {
                foreach (var type in new[] { "A", "AAAA" })
                {
                    probes.Add(new DnsProbe(From, address, port, name, type, ProbeTransport.Udp));
                    probes.Add(new DnsProbe(From, address, port, name, type, ProbeTransport.Tcp));
                }
            }
        }

        var tcp = new List<TcpProbe>();
        if (objects.Apiserver?.Spec?.ClusterIP is { } apiserver && IsAddress(apiserver))
        {
            tcp.Add(new TcpProbe(From, apiserver, objects.Apiserver.Spec.Ports?.FirstOrDefault(p => p.Name == "https")?.Port ?? 443));
        }

        return new ProbePlan(probes.Take(MaxProbes).ToList(), tcp);
    }

    /// <summary>
    /// What a node agent runs from the node's network: the guide's dig (UDP, A) to the kube-dns ClusterIP and to each
    /// CoreDNS pod, and a ping to each CoreDNS pod. Targets come from the cluster's objects only.
    /// </summary>
    public static NodeProbePlan PlanNode(Snapshot snapshot, TargetRef? target, string? domain, string node)
    {
        var objects = PodsAndServices(snapshot);
        var coreDnsIps = objects.CoreDns.Select(p => p.Status?.PodIP).OfType<string>().Where(IsAddress).Distinct(StringComparer.Ordinal).ToList();
        var kubeDns = objects.KubeDns?.Spec?.ClusterIP is { } ip && IsAddress(ip) ? ip : null;
        var dns = Plan(snapshot, target, domain).Dns
            .Where(p => p.Transport == ProbeTransport.Udp && p.Type == "A" && (p.Server == kubeDns || coreDnsIps.Contains(p.Server)))
            .Select(p => p with { From = $"node/{node}" })
            .Take(NodeProbePlan.MaxDns)
            .ToList();
        return new NodeProbePlan(dns, coreDnsIps.Take(NodeProbePlan.MaxPing).ToList());
    }

    private static bool IsAddress(string value) => IPAddress.TryParse(value, out _) && value != "None";

    /// <summary>A plain DNS upstream of a forward line; not <c>/etc/resolv.conf</c> or <c>tls://</c>.</summary>
    private static (string Address, int Port)? Upstream(string argument) =>
        ForwardTarget.Parse(argument) is { Address: { } address } target ? (address, target.Port) : null;

    private static int? ServicePort(Readers.Objects.Service? service) =>
        service?.Spec?.Ports?.FirstOrDefault(p => p.Protocol is null or "UDP" && p.Name is "dns" or null)?.Port;

    private static int? ContainerPort(Readers.Objects.Pod pod) =>
        pod.Spec?.Containers?.SelectMany(c => c.Ports ?? []).FirstOrDefault(p => p.Name == "dns" || (p.Protocol == "UDP" && p.ContainerPort is 53))?.ContainerPort;

    private sealed record Objects(Readers.Objects.Service? KubeDns, V1Service? Apiserver, List<Readers.Objects.Pod> CoreDns);

    /// <summary>The cluster DNS Service and pods whatever the distribution names them (<see cref="ClusterDnsObjects"/>), and the API server's Service.</summary>
    private static Objects PodsAndServices(Snapshot snapshot)
    {
        V1Service? apiserver = null;
        foreach (var (element, listKind) in Flatten(snapshot.Objects ?? []))
        {
            var kind = element.TryGetProperty("kind", out var k) ? k.GetString() : listKind;
            try
            {
                if (kind == "Service" && k8s.KubernetesJson.Deserialize<V1Service>(element.GetRawText()) is { Metadata: { NamespaceProperty: "default", Name: "kubernetes" } } service)
                {
                    apiserver = service;
                }
            }
            catch (System.Text.Json.JsonException)
            {
                // The fact builder reports unreadable objects; the planner simply does not probe them.
            }
        }

        var (kubeDns, coreDns) = ClusterDnsObjects.Of(snapshot);
        return new Objects(kubeDns, apiserver, [.. coreDns]);
    }

    /// <summary>Objects and the items of (typed) Lists; a PodList's items carry no kind of their own.</summary>
    private static IEnumerable<(System.Text.Json.JsonElement Element, string? ListKind)> Flatten(IEnumerable<System.Text.Json.JsonElement> elements)
    {
        foreach (var e in elements)
        {
            if (e.ValueKind == System.Text.Json.JsonValueKind.Object && e.TryGetProperty("items", out var items) && items.ValueKind == System.Text.Json.JsonValueKind.Array)
            {
                var kind = e.TryGetProperty("kind", out var k) ? k.GetString() : null;
                var itemKind = kind is { Length: > 4 } && kind != "List" && kind.EndsWith("List", StringComparison.Ordinal) ? kind[..^4] : null;
                foreach (var item in items.EnumerateArray())
                {
                    yield return (item, itemKind);
                }
            }
            else if (e.ValueKind == System.Text.Json.JsonValueKind.Object)
            {
                yield return (e, null);
            }
        }
    }
}
