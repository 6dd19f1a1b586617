namespace DnsExpert.Contract;

/// <summary>
/// More evidence for an earlier diagnosis (<c>POST /api/v1/diagnoses/{id}/evidence</c>): the output of the commands it
/// suggested, as pasted, and any further snapshot parts. Appended to the earlier request, it is diagnosed again.
/// </summary>
public sealed class EvidenceRequest
{
    /// <summary>Command output as people paste it, appended to <c>snapshot.outputs</c> (same shape and reading).</summary>
    public IList<CommandOutput>? Outputs { get; set; }

    /// <summary>Further objects, logs, files, probes (and outputs) appended to the earlier snapshot's lists.</summary>
    public Snapshot? Snapshot { get; set; }

    /// <summary>
    /// The earlier request with this evidence appended to its snapshot (a request without one gets one). The earlier
    /// request is not changed.
    /// </summary>
    /// <param name="earlier">The request the evidence is added to.</param>
    /// <param name="earlierOutput">How its outputs are named in collection entries and errors, by index (default:
    /// <c>snapshot.outputs[i] of the earlier request</c>).</param>
    /// <param name="addedOutput">How <see cref="Outputs"/> are named, by index (default: <c>outputs[i]</c>, as this body names them).</param>
    public DiagnosisRequest AppendTo(DiagnosisRequest earlier, Func<int, string>? earlierOutput = null, Func<int, string>? addedOutput = null)
    {
        var before = earlier.Snapshot;
        var added = Snapshot;
        return new DiagnosisRequest
        {
            Target = earlier.Target, Domain = earlier.Domain, Symptom = earlier.Symptom, Options = earlier.Options, CallbackUrl = earlier.CallbackUrl,
            Snapshot = new Snapshot
            {
                Objects = Concat(before?.Objects, added?.Objects),
                Logs = Concat(before?.Logs, added?.Logs),
                Files = Concat(before?.Files, added?.Files),
                Probes = Concat(before?.Probes, added?.Probes),
                // Named as the caller sent them: this round's outputs by the index in its body, not in the merged list.
                Outputs = Concat(Concat(Named(before?.Outputs, earlierOutput ?? (i => $"snapshot.outputs[{i}] of the earlier request")), Named(added?.Outputs, i => $"snapshot.outputs[{i}]")),
                    Named(Outputs, addedOutput ?? (i => $"outputs[{i}]"))),
            },
        };
    }

    private static List<CommandOutput>? Named(IList<CommandOutput>? outputs, Func<int, string> source) =>
        outputs?.Select((o, i) => o is null ? o! : o.Named(source(i))).ToList();

    private static List<T>? Concat<T>(IList<T>? first, IList<T>? second) =>
        first is null && second is null ? null : [.. first ?? [], .. second ?? []];
}
