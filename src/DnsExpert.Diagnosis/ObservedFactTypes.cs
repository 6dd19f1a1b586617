using System.Text.Json;
using DnsExpert.Contract;
using DnsExpert.Facts;
using DnsExpert.Readers.Building;

namespace DnsExpert.Diagnosis;

/// <summary>
/// Fact types that record what was seen (a CoreDNS log line of a kind, a Kubernetes event, a kernel log line): their
/// absence rules a cause out only when their source was read. This says which sources a snapshot has, so that a
/// hypothesis over a clean CoreDNS log is ruled out rather than left unverified.
/// </summary>
public static class ObservedFactTypes
{
    /// <summary>
    /// What <see cref="Of(Snapshot?, IReadOnlyList{object})"/> says of the snapshot and its facts, and the fact types
    /// whose source a producer read (<see cref="FactSet.Observed"/>: a clean NodeLocal DNSCache log).
    /// </summary>
    public static IReadOnlySet<string> Of(Snapshot? snapshot, FactSet facts)
    {
        var observed = new HashSet<string>(Of(snapshot, facts.Facts), StringComparer.Ordinal);
        observed.UnionWith(facts.Observed);
        return observed;
    }

    /// <summary>
    /// The sources the snapshot has, and what its <paramref name="facts"/> show was read: a Corefile that was read
    /// (its server blocks) and has no zone left unanswered gives no <c>CorefileUnansweredZone</c>, yet was checked; the
    /// failing name answered NOERROR by the cluster DNS gives no <c>ServiceNameNxdomain</c>, yet was asked.
    /// </summary>
    public static IReadOnlySet<string> Of(Snapshot? snapshot, IReadOnlyList<object> facts)
    {
        var observed = Sources(snapshot);
        if (facts.OfType<CorefileServer>().Any())
        {
            observed.Add(nameof(CorefileUnansweredZone));
        }

        // The nearest names come from the Service lists read: when every namespace a Service name was asked in was
        // listed (even empty), they were looked for (an empty namespace gives no near name, yet was checked).
        var listings = ServiceListings.Of(snapshot, facts.OfType<ServiceInfo>().Select(s => s.Namespace));
        if (listings.Any && facts.OfType<ServiceNameNxdomain>().All(l => listings.Covers(l.Namespace)))
        {
            observed.Add(nameof(NearestServiceNames));
        }

        var failing = facts.OfType<QueriedName>().FirstOrDefault()?.Name.TrimEnd('.');
        if (failing is not null && facts.OfType<ProbeResult>().Any(p => p.Kind == "dns" && p.Rcode == "NOERROR"
                && p.TargetRole is "kube-dns" or "coredns-pod" or "nodelocal" && string.Equals(p.Name?.TrimEnd('.'), failing, StringComparison.OrdinalIgnoreCase)))
        {
            observed.UnionWith([nameof(ServiceNameNxdomain), nameof(NearestServiceNames)]);
        }

        return observed;
    }

    /// <summary>
    /// Fact types some facts of which were read, but not from the source a rule about the failing name needs: the
    /// Services of the name's namespace were not listed (the kube-dns Service alone says nothing of
    /// <c>orders.shop</c>'s). A hypothesis keeps them missing, and its check for them, until that source is read. So
    /// with an NXDOMAIN of the query log set against its object's creation (<see cref="NxdomainNearCreation"/>): a
    /// headless Service's name, or a pod's, exists from its pod's creation, so until the pods of the name's namespace
    /// were listed the query log and the Corefile do not decide it.
    /// </summary>
    public static IReadOnlySet<string> Unread(Snapshot? snapshot, IReadOnlyList<object> facts)
    {
        var unread = new HashSet<string>(StringComparer.Ordinal);
        var services = facts.OfType<ServiceInfo>().Select(s => s.Namespace).ToList();
        if (facts.OfType<QueriedName>().FirstOrDefault()?.ServiceNamespace is not { } ns)
        {
            return unread;
        }

        if (!ServiceListings.Of(snapshot, services).Covers(ns) && !services.Contains(ns, StringComparer.Ordinal))
        {
            unread.Add(nameof(ServiceInfo));
        }

        if (facts.OfType<CoreDnsQueryLog>().Any(q => q.Rcode == DnsRcodes.NxDomain && q.IsClusterName)
            && !ServiceListings.Of(snapshot, PodNamespaces(snapshot), IsPodResource).Covers(ns))
        {
            unread.Add(nameof(NxdomainNearCreation));
        }

        return unread;
    }

    /// <summary><c>pods</c>, <c>pod</c>, <c>po</c>, alone or first of a list; <c>pod/NAME</c> is not a listing.</summary>
    private static bool IsPodResource(string word) =>
        word.Split(',')[0] is "pods" or "pod" or "po" && !word.Contains('/', StringComparison.Ordinal);

    /// <summary>The namespaces of the Pod objects the snapshot holds as objects (a collection's, not a paste's).</summary>
    private static IEnumerable<string> PodNamespaces(Snapshot? snapshot) =>
        (snapshot?.Objects ?? []).Where(o => Kind(o) == "Pod").Select(o =>
            o.TryGetProperty("metadata", out var m) && m.ValueKind == JsonValueKind.Object && m.TryGetProperty("namespace", out var n) && n.ValueKind == JsonValueKind.String
                ? n.GetString() ?? "default" : "default");

    /// <summary>
    /// The sources the snapshot has (<see cref="EvidenceSources"/>): each pasted output and kept file or command output
    /// counts the fact types its source observes when read empty (a log, events, a kernel log), as do the structured
    /// parts that hold the same (logs, Event objects).
    /// </summary>
    private static HashSet<string> Sources(Snapshot? snapshot)
    {
        var observed = new HashSet<string>(StringComparer.Ordinal);
        if (snapshot is null)
        {
            return observed;
        }

        var sources = (snapshot.Outputs ?? []).Select(o => EvidenceSources.Of(o.Command, o.From)).Concat((snapshot.Files ?? []).Select(EvidenceSources.Of));
        foreach (var source in sources.OfType<EvidenceSource>())
        {
            observed.UnionWith(source.ObservedWhenEmpty);
        }

        if (snapshot.Logs is { Count: > 0 })
        {
            observed.UnionWith(EvidenceSources.PodLogs.ObservedWhenEmpty);
        }

        if ((snapshot.Objects ?? []).Any(o => Kind(o) is "Event" or "EventList"))
        {
            observed.UnionWith(EvidenceSources.Events.ObservedWhenEmpty);
        }

        return observed;
    }

    private static string? Kind(JsonElement element) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty("kind", out var kind) && kind.ValueKind == JsonValueKind.String ? kind.GetString() : null;
}
