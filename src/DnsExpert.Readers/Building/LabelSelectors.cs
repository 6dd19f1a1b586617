using DnsExpert.Readers.Objects;

namespace DnsExpert.Readers.Building;

/// <summary>Kubernetes label selector semantics (matchLabels and matchExpressions).</summary>
public static class LabelSelectors
{
    /// <summary>An empty selector (<c>{}</c>) selects everything; null selects nothing.</summary>
    public static bool Matches(LabelSelector? selector, IDictionary<string, string> labels)
    {
        if (selector is null)
        {
            return false;
        }

        if (selector.MatchLabels is { } matchLabels && !matchLabels.All(kv => labels.TryGetValue(kv.Key, out var v) && v == kv.Value))
        {
            return false;
        }

        foreach (var expr in selector.MatchExpressions ?? [])
        {
            var has = labels.TryGetValue(expr.Key, out var value);
            var values = expr.Values ?? [];
            var ok = expr.OperatorProperty switch
            {
                "In" => has && values.Contains(value!),
                "NotIn" => !has || !values.Contains(value!),
                "Exists" => has,
                "DoesNotExist" => !has,
                _ => false,
            };
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }
}
