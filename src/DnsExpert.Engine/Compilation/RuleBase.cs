using NRules;

namespace DnsExpert.Engine.Compilation;

/// <summary>The compiled knowledge base: one per process (or per reload), shared by every diagnosis.</summary>
public sealed class RuleBase
{
    internal RuleBase(ISessionFactory factory, IReadOnlyList<CompiledRule> rules)
    {
        SessionFactory = factory;
        Rules = rules;
    }

    /// <summary>Thread-safe; each diagnosis creates its own session from it.</summary>
    public ISessionFactory SessionFactory { get; }

    public IReadOnlyList<CompiledRule> Rules { get; }

    /// <summary>The rules by id, made on first use and then shared by every diagnosis (read only).</summary>
    internal IReadOnlyDictionary<string, CompiledRule> ById => _byId ??= Rules.ToDictionary(r => r.Id, StringComparer.Ordinal);

    private Dictionary<string, CompiledRule>? _byId;
}
