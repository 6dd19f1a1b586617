using NRules.RuleModel;

namespace DnsExpert.Engine.Compilation;

/// <summary>The one action every compiled rule has: record that it matched, with the facts that matched.</summary>
public static class RuleActions
{
    internal static readonly System.Reflection.MethodInfo RecordMethod =
        typeof(RuleActions).GetMethod(nameof(Record), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!;

    internal static void Record(IContext context, CompiledRule rule, CompiledCase matchedCase, object[] facts) =>
        context.Insert(new FindingFact(rule, matchedCase, facts));
}
