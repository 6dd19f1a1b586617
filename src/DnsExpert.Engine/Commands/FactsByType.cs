namespace DnsExpert.Engine.Commands;

/// <summary>
/// A diagnosis's facts read by type: <see cref="OfType{T}"/> gives what <c>Enumerable.OfType</c> gives over the same
/// list, in the same order, from one pass over the facts instead of one per question (the known values ask some forty).
/// </summary>
public sealed class FactsByType
{
    private readonly IReadOnlyList<object> _facts;
    private readonly Dictionary<Type, List<object>> _byType;
    private readonly Dictionary<Type, object> _typed = [];

    public FactsByType(IReadOnlyList<object> facts)
    {
        _facts = facts;
        _byType = Group(facts, static type => type, null);
    }

    /// <summary>The facts grouped by <paramref name="key"/> of their runtime type, each group in the facts' order.</summary>
    internal static Dictionary<TKey, List<object>> Group<TKey>(IReadOnlyList<object> facts, Func<Type, TKey> key, IEqualityComparer<TKey>? comparer)
        where TKey : notnull
    {
        var groups = new Dictionary<TKey, List<object>>(comparer);
        Type? lastType = null;
        List<object>? last = null;
        foreach (var fact in facts)
        {
            var type = fact.GetType();
            if (type != lastType)
            {
                lastType = type;
                var k = key(type);
                if (!groups.TryGetValue(k, out last))
                {
                    groups[k] = last = [];
                }
            }

            last!.Add(fact);
        }

        return groups;
    }

    /// <summary>The facts, as given.</summary>
    public IReadOnlyList<object> All => _facts;

    /// <summary>The facts that are <typeparamref name="T"/>, in the facts' order.</summary>
    public IEnumerable<T> OfType<T>()
    {
        if (_typed.TryGetValue(typeof(T), out var typed))
        {
            return (IEnumerable<T>)typed;
        }

        List<object>? only = null;
        var kinds = 0;
        foreach (var (type, list) in _byType)
        {
            if (typeof(T).IsAssignableFrom(type))
            {
                only = list;
                kinds++;
            }
        }

        // Facts of one runtime type keep their order in its list; several runtime types (a base class asked) are read
        // from the facts themselves, as they are ordered there.
        List<T> result = kinds switch
        {
            0 => [],
            1 => only!.ConvertAll(f => (T)f),
            _ => Enumerable.OfType<T>(_facts).ToList(),
        };
        _typed[typeof(T)] = result;
        return result;
    }
}
