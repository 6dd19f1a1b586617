using DnsExpert.Contract;
using DnsExpert.Facts;
using DnsExpert.Readers.Classification;
using DnsExpert.Readers.Parsing;
using k8s.Models;

namespace DnsExpert.Readers.Building;

/// <summary>
/// What several producers need to know about the cluster and the request, computed once before any of them runs:
/// the cluster domain (from the Corefile), the kube-dns and NodeLocal addresses, the target pod, the failing name,
/// and the search suffixes the snapshot's resolvers append.
/// </summary>
internal sealed record ClusterContext
{
    public const string DefaultClusterDomain = "cluster.local";
    public const string DefaultNodeLocalIp = ClusterDns.DefaultNodeLocalIp;

    /// <summary>The zone of the Corefile's <c>kubernetes</c> line, else <c>cluster.local</c>.</summary>
    public string ClusterDomain { get; init; } = DefaultClusterDomain;

    /// <summary>The kube-system/kube-dns Service's ClusterIP, when the Service is in the snapshot.</summary>
    public string? KubeDnsClusterIp { get; init; }

    /// <summary>
    /// Without the kube-dns Service: the address the target pod asks as its cluster DNS, from its resolv.conf's first
    /// nameserver or the error message (<c>lookup NAME on 172.21.0.10:53</c>); null when the Service is known or neither says.
    /// </summary>
    public string? KubeDnsIpSeenByPod { get; init; }

    /// <summary>NodeLocal DNSCache as its DaemonSet sets it up, when the DaemonSet is in the snapshot.</summary>
    public NodeLocalSetup? NodeLocal { get; init; }

    /// <summary>NodeLocal DNSCache's own Corefile ConfigMap as read, with or without its DaemonSet; null when not read.</summary>
    public NodeLocalConfig? NodeLocalConfig { get; init; }

    /// <summary>NodeLocal DNSCache's link-local address as its DaemonSet says; null without the DaemonSet or when it says none.</summary>
    public string? NodeLocalIp => NodeLocal?.LocalIp;

    /// <summary>NodeLocal DNSCache answers on the kube-dns ClusterIP too (kube-proxy iptables mode, GKE): pods asking it use the cache.</summary>
    public bool NodeLocalInterceptsClusterIp => NodeLocal?.Intercepts(KubeDnsClusterIp) == true;

    /// <summary>
    /// Whether NodeLocal DNSCache's presence is known: its DaemonSet is in the snapshot, or the DaemonSets of every
    /// namespace were listed (<c>kubectl get ds -A</c>, even empty, or only others), or those of the namespace its own
    /// Corefile ConfigMap was read in (<see cref="NodeLocalConfig"/>). It may run in any namespace (the community charts
    /// install it in their release's), so a listing of kube-system alone says only that it is not there: its absence
    /// stays unknown, not a fact.
    /// </summary>
    public bool NodeLocalKnown { get; init; }

    /// <summary>The namespace of the request's target pod (<c>default</c> when not given); null without a target pod.</summary>
    public string? TargetNamespace { get; init; }

    public string? TargetPod { get; init; }

    /// <summary>The failing name as asked, lower-case, without a trailing dot; null when the request names none.</summary>
    public string? FailingName { get; init; }

    /// <summary>Every search suffix of the snapshot's <c>/etc/resolv.conf</c> files (pods' and nodes'), lower-case, without a trailing dot.</summary>
    public IReadOnlyList<string> SearchSuffixes { get; init; } = [];

    /// <summary>Is <paramref name="name"/> the failing name, or the failing name with a search suffix appended?</summary>
    public bool IsFailingName(string? name)
    {
        if (FailingName is null || string.IsNullOrEmpty(name))
        {
            return false;
        }

        var n = name.TrimEnd('.').ToLowerInvariant();
        return n == FailingName || n.StartsWith(FailingName + ".", StringComparison.Ordinal);
    }

    public bool IsTargetPod(string? ns, string? pod) => TargetPod is not null && pod == TargetPod && (ns ?? "default") == TargetNamespace;

    /// <summary>
    /// The first step of a build: read from the request (its error message classified once), the objects, the Corefile's
    /// plugin lines and the files; <c>asSent</c> is the snapshot as sent, whose pasted outputs' commands say what was listed.
    /// </summary>
    public static ClusterContext Create(
        DiagnosisRequest request, Snapshot? asSent, ClassificationResult classification, SnapshotObjects objects, IEnumerable<CorefilePlugin> corefile, IList<FileArtifact> files)
    {
        var nodeLocal = NodeLocalSetup.Find(objects.DaemonSets.Values);
        var nodeLocalConfig = NodeLocalSetup.ConfigOf(nodeLocal, objects.ConfigMaps);
        // Only the listings the commands say: DaemonSet objects of a namespace are no listing of all of its.
        var daemonSetListings = ServiceListings.Of(asSent, [], ServiceListings.IsDaemonSetResource);
        var kubeDns = objects.ClusterDns.Service?.Spec?.ClusterIP;
        var targetNamespace = request.Target?.Pod is null ? null : request.Target.Namespace ?? "default";
        return new ClusterContext
        {
            ClusterDomain = ClusterDomainOf(corefile) ?? DefaultClusterDomain,
            KubeDnsClusterIp = kubeDns,
            KubeDnsIpSeenByPod = kubeDns is null ? PodClusterDns(request, classification, files, targetNamespace) : null,
            NodeLocal = nodeLocal is null ? null : NodeLocalSetup.Read(nodeLocal, objects.ConfigMaps),
            NodeLocalConfig = nodeLocalConfig,
            NodeLocalKnown = nodeLocal is not null || daemonSetListings.AllNamespaces
                || (nodeLocalConfig?.Namespace is { } configNamespace && daemonSetListings.Covers(configNamespace)),
            TargetNamespace = targetNamespace,
            TargetPod = request.Target?.Pod,
            FailingName = string.IsNullOrWhiteSpace(request.Domain) ? null : request.Domain.Trim().TrimEnd('.').ToLowerInvariant(),
            SearchSuffixes = files.Where(f => f.Path == "/etc/resolv.conf" && f.Text is not null)
                .SelectMany(f => ResolvConfParser.Parse(f.Text!).Searches)
                .Select(s => s.TrimEnd('.').ToLowerInvariant())
                .ToList(),
        };
    }

    /// <summary>The target pod's first resolv.conf nameserver, else the DNS server its error message names (<c>lookup NAME on 172.21.0.10:53</c>).</summary>
    private static string? PodClusterDns(DiagnosisRequest request, ClassificationResult classification, IList<FileArtifact> files, string? targetNamespace)
    {
        var own = files.FirstOrDefault(f => f.Path == "/etc/resolv.conf" && f.Text is not null && f.Pod is not null
            && f.Pod == request.Target?.Pod && (f.Namespace ?? "default") == targetNamespace);
        if (own is not null && ResolvConfParser.Parse(own.Text!).Nameservers is [var first, ..])
        {
            return first;
        }

        var server = classification.Server?.Trim('[', ']');
        return server is not null && System.Net.IPAddress.TryParse(server, out _) ? server : null;
    }

    /// <summary><c>kubernetes cluster.local in-addr.arpa ip6.arpa</c>: the first forward zone of the last such line is the cluster domain.</summary>
    private static string? ClusterDomainOf(IEnumerable<CorefilePlugin> plugins)
    {
        string? domain = null;
        foreach (var plugin in plugins.Where(p => p.Name == "kubernetes" && p.Arguments.Count > 0))
        {
            var zone = plugin.Arguments.FirstOrDefault(a => !a.EndsWith(".arpa", StringComparison.OrdinalIgnoreCase) && !a.EndsWith(".arpa.", StringComparison.OrdinalIgnoreCase));
            if (zone is not null && zone != ".")
            {
                domain = zone.TrimEnd('.').ToLowerInvariant();
            }
        }

        return domain;
    }
}
