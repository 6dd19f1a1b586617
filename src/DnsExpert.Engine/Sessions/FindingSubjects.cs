using DnsExpert.Engine.Compilation;
using DnsExpert.Facts;

namespace DnsExpert.Engine.Sessions;

/// <summary>
/// The CoreDNS pods and the nodes a match concerns, read from its facts (a CoreDNS pod and its node, the pod whose log
/// line it is, the node whose resolv.conf it is): what <see cref="Explanations"/> compares before a cause absorbs an
/// effect. A loop proven in one pod's log explains that pod's crash, not another pod's; a match about the cluster as a
/// whole (the kube-dns endpoints, the Corefile alone) carries no subject and is compared with nothing.
/// </summary>
internal sealed record FindingSubjects(IReadOnlySet<string> Pods, IReadOnlySet<string> Nodes)
{
    /// <summary>The subjects of <paramref name="match"/>'s facts.</summary>
    public static FindingSubjects Of(FindingFact match)
    {
        var pods = new HashSet<string>(StringComparer.Ordinal);
        var nodes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var fact in match.Facts)
        {
            switch (fact)
            {
                case CoreDnsPod pod:
                    pods.Add($"{pod.Namespace}/{pod.Name}");
                    if (!string.IsNullOrEmpty(pod.Node))
                    {
                        nodes.Add(pod.Node);
                    }

                    break;
                case CoreDnsLogEvent log:
                    pods.Add($"{log.Namespace}/{log.Pod}");
                    break;
                case CoreDnsPodMetrics metrics:
                    pods.Add($"{metrics.Namespace}/{metrics.Name}");
                    break;
                case NodeResolvConf resolvConf:
                    nodes.Add(resolvConf.Node);
                    break;
            }
        }

        return new FindingSubjects(pods, nodes);
    }

    /// <summary>
    /// Whether <paramref name="cause"/> and <paramref name="effect"/> may concern the same thing: the same CoreDNS pod
    /// when both name pods, else the same node when both name nodes; when either names neither, nothing to compare.
    /// </summary>
    public static bool Share(FindingSubjects cause, FindingSubjects effect)
    {
        if (cause.Pods.Count > 0 && effect.Pods.Count > 0)
        {
            return cause.Pods.Overlaps(effect.Pods);
        }

        return cause.Nodes.Count == 0 || effect.Nodes.Count == 0 || cause.Nodes.Overlaps(effect.Nodes);
    }
}
