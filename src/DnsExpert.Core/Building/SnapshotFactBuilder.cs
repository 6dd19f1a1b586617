using DnsExpert.Core.Contract;

namespace DnsExpert.Core.Building;

/// <summary>Turns a request's snapshot into typed facts, once per diagnosis.</summary>
public static partial class SnapshotFactBuilder
{
    public static FactSet Build(DiagnosisRequest request)
    {
        var (expanded, pasted) = PastedOutputs.Expand(request);
        var context = new BuildContext(expanded);
        context.Run();
        return new FactSet(context.Facts, [.. context.Collection, .. pasted]);
    }
}
