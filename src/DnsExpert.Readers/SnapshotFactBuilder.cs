using DnsExpert.Contract;
using DnsExpert.Facts;
using DnsExpert.Readers.Building;
using DnsExpert.Readers.Building.Producers;
using DnsExpert.Readers.Classification;

namespace DnsExpert.Readers;

/// <summary>
/// Turns a request's snapshot into typed facts, once per diagnosis: the one place that composes the evidence readers
/// (Building.Producers) over the shared reading of the snapshot (Building), above both. Each producer reads one source
/// and gets what it reads as parameters; the only state they share is what this method hands them.
/// </summary>
public static class SnapshotFactBuilder
{
    /// <param name="request">The request; its pasted outputs are read into the snapshot first.</param>
    /// <param name="limits">What the pasted outputs may add (<see cref="PastedOutputs.Expand"/>); the defaults when null.</param>
    public static FactSet Build(DiagnosisRequest request, RequestLimits? limits = null)
    {
        var (expanded, pasted) = PastedOutputs.Expand(request, limits);
        var snapshot = expanded.Snapshot ?? new Snapshot();
        IList<FileArtifact> files = snapshot.Files ?? [];

        // First what several producers read: the objects by kind, the Corefile (its kubernetes line names the cluster
        // domain), and the cluster context computed from them.
        var objects = SnapshotObjects.Read(snapshot);
        var corefile = CorefileProducer.Produce(objects);
        // The error message is classified once: the symptom's class and the DNS server it names.
        var classification = SymptomClassifier.Classify(request.Symptom?.ErrorMessage);
        var cluster = ClusterContext.Create(expanded, request.Snapshot, classification, objects, corefile.Facts.OfType<CorefilePlugin>(), files);

        var resolvers = PodResolverProducer.Produce(files, objects, cluster);
        var routes = ForwardRoutes.From(corefile.Facts, resolvers.Facts.OfType<NodeResolvConf>(), objects.CoreDnsPods.Select(p => p.Spec?.NodeName).OfType<string>());
        var logs = CoreDnsLogProducer.Produce(snapshot.Logs ?? [], objects, cluster, routes, resolvers.Facts.OfType<PodDns>().FirstOrDefault()?.Ip);
        var nodeLocalLogs = NodeLocalLogProducer.Produce(snapshot.Logs ?? [], objects, cluster, resolvers.Facts.OfType<NodeResolvConf>());
        var coreDns = CoreDnsProducer.Produce(objects, cluster, snapshot.Logs ?? [], logs.Facts, files);
        var probes = ProbeProducer.Produce(snapshot.Probes ?? [], objects, cluster, corefile.Facts);
        var events = EventProducer.Produce(objects.Events, cluster);

        // Every producer's facts and notes, in the order the session receives them and `collection` lists them.
        ProducedFacts[] produced =
        [
            ReportedSymptomProducer.Produce(expanded, classification),
            corefile,
            logs,
            nodeLocalLogs,
            resolvers,
            coreDns,
            NodeProducer.Produce(objects, cluster),
            CloudProducer.Produce(objects),
            CoreDnsPlacementProducer.Produce(coreDns.Facts, objects.ClusterDns.PodsSource),
            WorkloadProducer.Produce(objects, cluster, resolvers.Facts.OfType<PodDns>().FirstOrDefault()?.EffectiveNameservers ?? []),
            KubeProxyProducer.Produce(objects),
            probes,
            EvidenceFileProducer.Produce(files, cluster),
            CoreDnsMetricsProducer.Produce(files, objects, snapshot.Metrics ?? []),
            events,
            QueriedNameProducer.Produce(expanded, classification, objects, cluster),
            ServiceNameProducer.Produce(logs.Facts, probes.Facts, objects, cluster, ServiceListings.Of(request.Snapshot, objects.Services.Values.Select(s => s.Metadata?.NamespaceProperty ?? "default"))),
            NegativeCacheProducer.Produce(logs.Facts, objects, cluster),
        ];

        // Whether anything was read at all: a rule such as the packet capture must tell "nothing found" from "nothing looked at".
        var (objectCount, logCount, fileCount, probeCount) = (snapshot.Objects?.Count ?? 0, snapshot.Logs?.Count ?? 0, files.Count, snapshot.Probes?.Count ?? 0);
        Fact[] read = objectCount + logCount + fileCount + probeCount == 0
            ? []
            : [new EvidenceRead { Source = "request.snapshot", Objects = objectCount, Logs = logCount, Files = fileCount, Probes = probeCount }];

        return new FactSet(
            [.. produced.SelectMany(p => p.Facts), .. read],
            [objects.Summary(snapshot, events.Facts.Count), .. objects.Notes, .. produced.SelectMany(p => p.Notes), .. pasted])
        {
            Observed = produced.SelectMany(p => p.Observed).ToHashSet(StringComparer.Ordinal),
            Classification = classification,
        };
    }
}
