using DnsExpert.Engine.Commands;
using DnsExpert.Engine.Hypotheses;
using DnsExpert.Engine.RuleBases;
using DnsExpert.Text.Telemetry;

namespace DnsExpert.Engine.Sessions;

/// <summary>
/// What the engine offers the rest of DnsExpert: run a fact set against the current rule base. The base is read once
/// per run, so a hot reload never falls between the session and what is reported about it.
/// </summary>
public sealed class RuleEngine(IRuleBaseProvider rules)
{
    public RuleSessionResult Run(IReadOnlyList<object> facts, CancellationToken cancellationToken) => Run(facts, null, cancellationToken);

    /// <summary>
    /// The findings and, given <paramref name="known"/>, the hypotheses of the same rule base, with the rules'
    /// <c>collect:</c> commands filled from it.
    /// </summary>
    public RuleSessionResult Run(IReadOnlyList<object> facts, KnownValues? known, CancellationToken cancellationToken)
    {
        var ruleBase = rules.Current;
        using var activity = Tracing.Source.StartActivity("rules");
        var result = RuleSessionRunner.Run(ruleBase, facts, known, cancellationToken);
        activity?.SetTag("dnsexpert.facts", facts.Count);
        activity?.SetTag("dnsexpert.rules", ruleBase.Rules.Count);
        if (known is null)
        {
            return result;
        }

        var plan = HypothesisBuilder.Plan(ruleBase, facts, result.Findings, known);
        return result with { Hypotheses = plan.Hypotheses, NextChecks = plan.NextChecks };
    }
}
