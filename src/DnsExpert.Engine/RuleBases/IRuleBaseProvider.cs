using DnsExpert.Engine.Compilation;

namespace DnsExpert.Engine.RuleBases;

/// <summary>Hands out the current compiled rule base.</summary>
public interface IRuleBaseProvider
{
    RuleBase Current { get; }
}
