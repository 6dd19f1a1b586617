using System.Text.Json;
using DnsExpert.Core.Contract;
using DnsExpert.Core.Facts;
using DnsExpert.Core.Parsing;
using k8s;
using k8s.Models;

namespace DnsExpert.Core.Building;

internal sealed partial class BuildContext
{
    /// <summary>Events in either API's shape, read into one form.</summary>
    private readonly List<KubernetesEvent> _events = [];
    private int _eventsAboutMisnamedObjects;

    /// <summary>
    /// An Event as <c>kubectl get events -o json</c> prints it: core/v1 (<c>involvedObject</c>, <c>message</c>,
    /// <c>count</c>, <c>lastTimestamp</c>, <c>source</c>) or events.k8s.io/v1 (<c>regarding</c>, <c>note</c>,
    /// <c>series</c>, <c>deprecated*</c>). Typed lists drop the items' apiVersion, so the shape decides.
    /// </summary>
    private void ReadEvent(JsonElement json)
    {
        var eventsApi = json.TryGetProperty("regarding", out _) || json.TryGetProperty("note", out _)
            || (json.TryGetProperty("apiVersion", out var api) && api.ValueKind == JsonValueKind.String && api.GetString()!.StartsWith("events.k8s.io/", StringComparison.Ordinal));
        if (eventsApi)
        {
            var e = KubernetesJson.Deserialize<Eventsv1Event>(json);
            AddEvent(e.Metadata, e.Regarding, e.Reason, e.Note, e.Type, e.Series?.Count ?? e.DeprecatedCount,
                e.Series?.LastObservedTime ?? e.DeprecatedLastTimestamp ?? e.EventTime, e.ReportingController ?? e.DeprecatedSource?.Component);
        }
        else
        {
            var e = KubernetesJson.Deserialize<Corev1Event>(json);
            AddEvent(e.Metadata, e.InvolvedObject, e.Reason, e.Message, e.Type, e.Series?.Count ?? e.Count,
                e.Series?.LastObservedTime ?? e.LastTimestamp ?? e.EventTime, e.Source?.Component ?? e.ReportingComponent);
        }
    }

    private void AddEvent(V1ObjectMeta? metadata, V1ObjectReference? regarding, string? reason, string? message, string? type, int? count, DateTime? last, string? reporter)
    {
        if (regarding?.Name is not { } involved || string.IsNullOrEmpty(reason))
        {
            return;
        }

        // The object's name reaches findings and commands: only names Kubernetes would accept.
        var ns = regarding.NamespaceProperty ?? metadata?.NamespaceProperty ?? "default";
        if (!RequestValidator.IsDnsSubdomain(involved) || !RequestValidator.IsDnsLabel(ns))
        {
            _eventsAboutMisnamedObjects++;
            return;
        }

        var kind = regarding.Kind ?? "";
        message ??= "";
        _events.Add(new KubernetesEvent
        {
            Source = $"Event {metadata?.NamespaceProperty ?? ns}/{metadata?.Name} ({kind} {ns}/{involved})",
            ConcernsFailure = kind == "Pod" && IsTargetPod(ns, involved),
            Name = metadata?.Name ?? "",
            Namespace = ns,
            InvolvedKind = kind,
            InvolvedName = involved,
            FieldPath = regarding.FieldPath,
            Reason = reason,
            Message = message.Trim(),
            Type = type ?? "Normal",
            Count = count is > 0 ? count.Value : 1,
            LastTime = FormatTime(last is { } t ? new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc)) : null),
            Reporter = reporter,
            NetworkSetupFailed = reason == "FailedCreatePodSandBox"
                && (message.Contains("failed to setup network", StringComparison.OrdinalIgnoreCase) || message.Contains("cni", StringComparison.OrdinalIgnoreCase)),
        });
    }

    private void BuildEvents()
    {
        Facts.AddRange(_events);
        if (_eventsAboutMisnamedObjects > 0)
        {
            Collection.Add(new CollectionEntry("snapshot.objects", CollectionStatus.Partial,
                $"skipped {_eventsAboutMisnamedObjects} event(s) about objects whose name or namespace Kubernetes would not accept (RFC 1123)"));
        }
    }

    /// <summary>The node's resolv.conf, as kubelet reads it for pods (its <c>--resolv-conf</c>, usually one of these).</summary>
    private static readonly string[] NodeResolvConfPaths = ["/etc/resolv.conf", "/run/systemd/resolve/resolv.conf"];

    /// <summary>The target pod's search line as kubelet composes it (pkg/kubelet/network/dns), before its limits cut it.</summary>
    private void BuildSearchLine()
    {
        if (Facts.OfType<PodDns>().FirstOrDefault() is not { Node: { } node } pod)
        {
            return;
        }

        var nodeFile = (_snapshot.Files ?? []).FirstOrDefault(f => f.Node == node && f.Pod is null && f.Text is not null && NodeResolvConfPaths.Contains(f.Path));
        if (nodeFile is null)
        {
            return;
        }

        var hostSearch = ResolvConfParser.Parse(nodeFile.Text!).Searches.Select(s => s.TrimEnd('.')).ToList();
        var clusterFirst = pod.DnsPolicy == "ClusterFirstWithHostNet" || (pod.DnsPolicy == "ClusterFirst" && !pod.HostNetwork);
        string[] cluster = clusterFirst ? [$"{pod.Namespace}.svc.{ClusterDomain}", $"svc.{ClusterDomain}", ClusterDomain] : [];
        IEnumerable<string> fromNode = pod.DnsPolicy == "None" ? [] : hostSearch;
        var domains = cluster.Concat(fromNode).Concat(pod.DnsConfigSearches).Distinct(StringComparer.Ordinal).ToList();
        Facts.Add(new PodSearchLine
        {
            Source = $"Node {node} {nodeFile.Path}",
            ConcernsFailure = true,
            Namespace = pod.Namespace,
            Pod = pod.Name,
            Node = node,
            Domains = domains,
            Characters = string.Join(' ', domains).Length,
            NodeDomains = pod.DnsPolicy == "None" ? 0 : hostSearch.Count,
            Composition = $"{cluster.Length} cluster suffixes + {(pod.DnsPolicy == "None" ? 0 : hostSearch.Count)} from the node + {pod.DnsConfigSearches.Count} from dnsConfig",
        });
    }
}
