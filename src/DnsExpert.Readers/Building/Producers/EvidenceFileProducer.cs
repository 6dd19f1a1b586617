using DnsExpert.Contract;

namespace DnsExpert.Readers.Building.Producers;

/// <summary>
/// Files and command outputs kept in the snapshot (collected on nodes and in pods, or pasted with where they ran), each
/// read by the reader its evidence source carries in <see cref="EvidenceSources"/>: no reader is chosen here.
/// </summary>
internal static class EvidenceFileProducer
{
    public static ProducedFacts Produce(IList<FileArtifact> files, ClusterContext cluster)
    {
        var readings = new FileReadings();
        foreach (var file in files.Where(f => f.Text is not null))
        {
            // Which reader takes it is the registry's: dmesg, journalctl -k and /var/log/kern.log alike are the kernel log.
            EvidenceSources.Of(file)?.Reader.File?.Invoke(new EvidenceFile(file, cluster), readings);
        }

        readings.Facts.AddRange(NodeFileReaders.Combined(readings));
        return new ProducedFacts(readings.Facts, readings.Notes);
    }
}
