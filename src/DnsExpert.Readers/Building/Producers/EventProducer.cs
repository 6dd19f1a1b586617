using DnsExpert.Contract;
using DnsExpert.Facts;

namespace DnsExpert.Readers.Building.Producers;

/// <summary>The Kubernetes Events: what each is about, why, how often and when last.</summary>
internal static class EventProducer
{
    public static ProducedFacts Produce(IReadOnlyList<ObjectEvent> events, ClusterContext cluster)
    {
        var facts = new List<Fact>();
        var aboutMisnamedObjects = 0;
        foreach (var e in events)
        {
            if (e.Regarding?.Name is not { } involved || string.IsNullOrEmpty(e.Reason))
            {
                continue;
            }

            // The object's name reaches findings and commands: only names Kubernetes would accept.
            var ns = e.Regarding.NamespaceProperty ?? e.Metadata?.NamespaceProperty ?? "default";
            if (!RequestValidator.IsDnsSubdomain(involved) || !RequestValidator.IsDnsLabel(ns))
            {
                aboutMisnamedObjects++;
                continue;
            }

            var kind = e.Regarding.Kind ?? "";
            var message = e.Message ?? "";
            facts.Add(new KubernetesEvent
            {
                Source = $"Event {e.Metadata?.NamespaceProperty ?? ns}/{e.Metadata?.Name} ({kind} {ns}/{involved})",
                ConcernsFailure = kind == "Pod" && cluster.IsTargetPod(ns, involved),
                Name = e.Metadata?.Name ?? "",
                Namespace = ns,
                InvolvedKind = kind,
                InvolvedName = involved,
                FieldPath = e.Regarding.FieldPath,
                Reason = e.Reason,
                Message = message.Trim(),
                Type = e.Type ?? "Normal",
                Count = e.Count is > 0 ? e.Count.Value : 1,
                LastTime = TicketTime.Format(e.Last is { } t ? new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc)) : null),
                Reporter = e.Reporter,
                NetworkSetupFailed = e.Reason == "FailedCreatePodSandBox"
                    && (message.Contains("failed to setup network", StringComparison.OrdinalIgnoreCase) || message.Contains("cni", StringComparison.OrdinalIgnoreCase)),
            });
        }

        IReadOnlyList<CollectionEntry> notes = aboutMisnamedObjects == 0 ? [] :
        [
            new CollectionEntry("snapshot.objects", CollectionStatus.Partial,
                $"skipped {aboutMisnamedObjects} event(s) about objects whose name or namespace Kubernetes would not accept (RFC 1123)"),
        ];
        return new ProducedFacts(facts, notes);
    }
}
