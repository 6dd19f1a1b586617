namespace DnsExpert.Readers.Building;

/// <summary>
/// Tells the names a resolver tried on its way through the search list (<c>NAME.SEARCHDOMAIN</c>, each answered
/// NXDOMAIN as it should be) from the names the client really asked for. The search domains come from the snapshot's
/// resolv.conf files when it has them; without them (a cluster-info dump, a log alone) the log shows the walk itself:
/// a ClusterFirst pod tries every name with <c>svc.CLUSTERDOMAIN</c> and <c>CLUSTERDOMAIN</c> before its node's search
/// domains, so a name seen with both is a name the client asked for, and that name with any other suffix is a try.
/// </summary>
internal sealed class SearchListWalk
{
    private readonly IReadOnlyList<string> _suffixes;
    private readonly HashSet<string> _walked;
    private readonly string? _failingName;

    private SearchListWalk(IReadOnlyList<string> suffixes, HashSet<string> walked, string? failingName)
    {
        _suffixes = suffixes;
        _walked = walked;
        _failingName = failingName;
    }

    /// <summary>
    /// From the failed names of the CoreDNS logs (lower-case, without the trailing dot), the search suffixes of the
    /// snapshot's resolv.conf files, and the failing name of the request.
    /// </summary>
    public static SearchListWalk From(IEnumerable<string> failedNames, ClusterContext cluster)
    {
        var names = failedNames.ToHashSet(StringComparer.Ordinal);
        var svc = ".svc." + cluster.ClusterDomain;
        var walked = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in names)
        {
            // NAME.svc.CLUSTERDOMAIN and NAME.CLUSTERDOMAIN both tried: NAME went through a pod's search list.
            if (name.EndsWith(svc, StringComparison.Ordinal) && name.Length > svc.Length)
            {
                var asked = name[..^svc.Length];
                if (names.Contains(asked + "." + cluster.ClusterDomain))
                {
                    walked.Add(asked);
                }
            }
        }

        return new SearchListWalk(cluster.SearchSuffixes, walked, cluster.FailingName);
    }

    /// <summary>The names seen going through the search list (each the name a client asked for).</summary>
    public IReadOnlyCollection<string> Walked => _walked;

    /// <summary>
    /// Is <paramref name="name"/> (not under the cluster domain, lower-case, no trailing dot) a try of the search list
    /// rather than a name a client asked for? The failing name itself, and a name that went through the search list of
    /// its own, never are.
    /// </summary>
    public bool IsExpansion(string name)
    {
        if (name == _failingName || _walked.Contains(name))
        {
            return false;
        }

        if (_failingName is not null && name.StartsWith(_failingName + ".", StringComparison.Ordinal))
        {
            return true;
        }

        foreach (var suffix in _suffixes)
        {
            if (suffix.Length > 0 && name.Length > suffix.Length + 1 && name.EndsWith("." + suffix, StringComparison.Ordinal))
            {
                return true;
            }
        }

        // A walked name with one more suffix: the walk reached the node's search domains.
        for (var dot = name.IndexOf('.', StringComparison.Ordinal); dot > 0; dot = name.IndexOf('.', dot + 1))
        {
            if (_walked.Contains(name[..dot]))
            {
                return true;
            }
        }

        return false;
    }
}
