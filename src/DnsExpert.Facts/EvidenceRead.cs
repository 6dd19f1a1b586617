namespace DnsExpert.Facts;

/// <summary>
/// The request carried evidence to read: how many objects, logs, files and probe results its snapshot held (pasted
/// command outputs counted as what they became). Absent when a request has a symptom and nothing else, so that a
/// rule can tell "nothing found" from "nothing looked at".
/// </summary>
[FactDescription("The snapshot's evidence (Objects, Logs, Files, Probes; pasted outputs counted as what they became); absent for a symptom alone.")]
public sealed class EvidenceRead : Fact
{
    public required int Objects { get; init; }
    public required int Logs { get; init; }
    public required int Files { get; init; }
    public required int Probes { get; init; }
}
