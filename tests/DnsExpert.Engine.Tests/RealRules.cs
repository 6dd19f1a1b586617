using DnsExpert.Contract;
using DnsExpert.Engine.Compilation;
using DnsExpert.Engine.Results;
using DnsExpert.Engine.Sessions;
using DnsExpert.Readers;
using DnsExpert.Readers.Building;
using DnsExpert.Testing;

namespace DnsExpert.Engine.Tests;

/// <summary>A request through the fact builder and the rule base of <c>rules/</c>, as the service runs it.</summary>
internal static class RealRules
{
    private static readonly Lazy<Compilation.RuleBase> Base = new(() => RuleBaseLoader.Load(RepoPaths.Rules));

    public static IReadOnlyList<RuleFinding> Diagnose(FactSet facts) => RuleSessionRunner.Run(Base.Value, facts.Facts).Findings;

    public static IReadOnlyList<RuleFinding> Diagnose(DiagnosisRequest request) => Diagnose(SnapshotFactBuilder.Build(request));
}
