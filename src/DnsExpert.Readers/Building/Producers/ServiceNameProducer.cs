using DnsExpert.Facts;

namespace DnsExpert.Readers.Building.Producers;

/// <summary>
/// Service-shaped cluster names answered NXDOMAIN with authority (query log lines flagged <c>aa</c>; probes to the
/// cluster's own DNS, which is authoritative for the cluster domain), and for each Service name asked the existing
/// Services nearest to it. Whether the Service exists is left to the rules (a join on <see cref="ServiceInfo"/>).
/// </summary>
internal static class ServiceNameProducer
{
    /// <summary>Close spellings: at most this many edits, and fewer than half the name (so <c>db</c> does not suggest <c>web</c>).</summary>
    private const int MaxEdits = 2;

    /// <summary>
    /// From the facts of <see cref="CoreDnsLogProducer"/> and <see cref="ProbeProducer"/>, and the Services of the
    /// snapshot; <paramref name="listings"/> says whose Services were listed: a name's nearest names are known where its
    /// namespace was, or where a Service read is near it.
    /// </summary>
    public static ProducedFacts Produce(IEnumerable<Fact> logs, IEnumerable<Fact> probes, SnapshotObjects objects, ClusterContext cluster, ServiceListings listings)
    {
        var lookups = new List<ServiceNameNxdomain>();
        foreach (var q in logs.OfType<CoreDnsQueryLog>().Where(q => q.Rcode == "NXDOMAIN" && q.Flags.Contains("aa") && q.IsClusterName))
        {
            Add(q.NameWithoutDot, q.Source, $"line {q.LineNumber} ({q.Time}{q.Repeats}): {q.Text}", q.ConcernsFailure);
        }

        // A name the same server resolved (another type's query answered with addresses) exists, whatever an NXDOMAIN
        // for its AAAA says: some resolvers answer one type NXDOMAIN while the other resolves.
        var resolved = probes.OfType<ProbeResult>().Where(p => p.Kind == "dns" && p.Rcode == "NOERROR" && p.AnswerCount > 0 && p.Name is not null)
            .Select(p => (Name: p.Name!.TrimEnd('.').ToLowerInvariant(), p.Target)).ToHashSet();
        foreach (var p in probes.OfType<ProbeResult>().Where(p => p.Kind == "dns" && p.Rcode == "NXDOMAIN" && p.Name is not null
                     && p.TargetRole is "kube-dns" or "coredns-pod" or "nodelocal"
                     && !resolved.Contains((p.Name!.TrimEnd('.').ToLowerInvariant(), p.Target))))
        {
            Add(p.Name!.TrimEnd('.').ToLowerInvariant(), p.Source, $"{p.Description}: NXDOMAIN", p.ConcernsFailure);
        }

        var facts = new List<Fact>(lookups);

        // Where the name's namespace was never listed and no Service read is near it, nothing is known about which
        // names exist there: no nearest names, so the cause stays open (with its kubectl get svc check) instead of being
        // ruled out by an absence nobody looked for.
        foreach (var (ns, service) in lookups.Select(l => (l.Namespace, l.Service)).Distinct())
        {
            var names = Nearest(objects, ns, service);
            if (names.Count == 0 && !listings.Covers(ns))
            {
                continue;
            }

            facts.Add(new NearestServiceNames
            {
                Source = "Services in the snapshot",
                Namespace = ns,
                Service = service,
                Names = names,
                NamespaceListed = listings.Covers(ns),
                ServicesInNamespace = objects.Services.Values.Count(s => (s.Metadata?.NamespaceProperty ?? "default") == ns),
            });
        }

        return new ProducedFacts(facts);

        void Add(string name, string source, string detail, bool concernsFailure)
        {
            // <svc>.<ns>.svc.<domain>, or <pod>.<svc>.<ns>.svc.<domain> for a StatefulSet pod (<set>-<ordinal>): a
            // qualified name the search list expanded (example.com.default.svc...) has neither shape.
            var suffix = ".svc." + cluster.ClusterDomain;
            var labels = name.EndsWith(suffix, StringComparison.Ordinal) ? name[..^suffix.Length].Split('.') : [];
            if (labels.All(l => l.Length > 0) && (labels.Length == 2 || (labels.Length == 3 && IsStatefulSetPodName(labels[0]))))
            {
                lookups.Add(new ServiceNameNxdomain
                {
                    Source = source,
                    ConcernsFailure = concernsFailure || cluster.IsFailingName(name),
                    Name = name,
                    Namespace = labels[^1],
                    Service = labels[^2],
                    Pod = labels.Length == 3 ? labels[0] : null,
                    Detail = detail,
                });
            }
        }
    }

    private static bool IsStatefulSetPodName(string label)
    {
        var dash = label.LastIndexOf('-');
        return dash > 0 && dash < label.Length - 1 && label[(dash + 1)..].All(char.IsAsciiDigit);
    }

    /// <summary>The same name in other namespaces, then close spellings in the namespace, then in closely spelled namespaces.</summary>
    private static List<string> Nearest(SnapshotObjects objects, string ns, string service)
    {
        var candidates = new List<(int Rank, int Edits, string Text)>();
        foreach (var s in objects.Services.Values)
        {
            var (sns, name) = (s.Metadata?.NamespaceProperty ?? "default", s.Metadata?.Name ?? "");
            if (sns == ns && name == service)
            {
                continue;
            }

            int edits;
            if (name == service)
            {
                candidates.Add((0, Close(sns, ns), $"{name}.{sns} (same name, namespace {sns})"));
            }
            else if ((edits = Close(name, service)) <= MaxEdits && (sns == ns || Close(sns, ns) <= MaxEdits))
            {
                candidates.Add((sns == ns ? 1 : 2, edits, $"{name}.{sns} (spelled {name}{(sns == ns ? "" : $", namespace {sns}")})"));
            }
        }

        return candidates.OrderBy(c => c.Rank).ThenBy(c => c.Edits).ThenBy(c => c.Text, StringComparer.Ordinal).Take(5).Select(c => c.Text).ToList();
    }

    /// <summary>The edit distance when it is a close spelling (see <see cref="MaxEdits"/>), else <c>int.MaxValue</c>.</summary>
    private static int Close(string a, string b)
    {
        var d = EditDistance(a, b);
        return d <= MaxEdits && d * 2 < Math.Max(a.Length, b.Length) ? d : int.MaxValue;
    }

    /// <summary>Levenshtein distance (insertions, deletions, substitutions), two rows.</summary>
    internal static int EditDistance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1], previous[j]) + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
