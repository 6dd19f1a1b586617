using System.Collections.Concurrent;
using System.Globalization;
using System.Linq.Dynamic.Core;
using System.Linq.Expressions;
using System.Text;

namespace DnsExpert.Engine.Compilation;

/// <summary>
/// Dynamic LINQ's parse of an expression, kept for the process: the same text over parameters and external names of the
/// same names and types (the same threshold values) parses to the same tree, which is then only rebound to the new
/// parameters. Rules repeat conditions (<c>Kind == "plugin-used-twice"</c>), and a reload of the rule base parses every
/// unchanged condition again; parsing (the parser's construction, its operator overload search by reflection) was the
/// largest part of a warm compile. Only successful parses are kept, so errors are still found and reported per rule.
/// </summary>
internal sealed class ParsedExpressions(ParsingConfig config)
{
    /// <summary>Entries kept at most; a rule base holds about 1,200 distinct expressions, reloads with edits add some.</summary>
    private const int Bound = 8192;

    private readonly ConcurrentDictionary<string, Entry> _parsed = new(StringComparer.Ordinal);

    /// <summary>
    /// <see cref="DynamicExpressionParser.ParseLambda(ParsingConfig, ParameterExpression[], Type, string, object[])"/> of
    /// <paramref name="text"/>, with <paramref name="externals"/> (earlier patterns' parameters, threshold constants) as
    /// its symbols.
    /// </summary>
    public LambdaExpression Parse(ParameterExpression[] parameters, Type resultType, string text, Dictionary<string, object> externals)
    {
        var key = Key(parameters, resultType, text, externals);
        if (key is not null && _parsed.TryGetValue(key, out var entry))
        {
            return entry.RebindTo(parameters, externals);
        }

        var parsed = DynamicExpressionParser.ParseLambda(config, parameters, resultType, text, externals);
        if (key is not null)
        {
            if (_parsed.Count >= Bound)
            {
                _parsed.Clear();
            }

            _parsed.TryAdd(key, new Entry(parsed, externals.Values.OfType<ParameterExpression>().ToArray()));
        }

        return parsed;
    }

    /// <summary>What the parse depends on besides the configuration; null when an external is neither a parameter nor a number.</summary>
    private static string? Key(ParameterExpression[] parameters, Type resultType, string text, Dictionary<string, object> externals)
    {
        var key = new StringBuilder(text.Length + 64).Append(text).Append('\0').Append(resultType.AssemblyQualifiedName);
        foreach (var p in parameters)
        {
            key.Append('\0').Append(p.Name).Append(':').Append(p.Type.AssemblyQualifiedName);
        }

        // The externals in their insertion order, as the rule compiler adds them (earlier patterns, then thresholds).
        foreach (var (name, value) in externals)
        {
            key.Append('\0').Append(name).Append('=');
            switch (value)
            {
                case ParameterExpression p:
                    key.Append("p:").Append(p.Type.AssemblyQualifiedName);
                    break;
                case int or double:
                    key.Append(value.GetType().Name).Append(':').Append(Convert.ToString(value, CultureInfo.InvariantCulture));
                    break;
                default:
                    return null;
            }
        }

        return key.ToString();
    }

    private sealed record Entry(LambdaExpression Lambda, ParameterExpression[] Externals)
    {
        /// <summary>The parsed tree over <paramref name="parameters"/> and the parameters among <paramref name="externals"/>, in place of the first parse's.</summary>
        public LambdaExpression RebindTo(ParameterExpression[] parameters, Dictionary<string, object> externals)
        {
            var map = new Dictionary<ParameterExpression, ParameterExpression>();
            for (var i = 0; i < parameters.Length; i++)
            {
                map[Lambda.Parameters[i]] = parameters[i];
            }

            var now = externals.Values.OfType<ParameterExpression>().ToArray();
            for (var i = 0; i < Externals.Length; i++)
            {
                map[Externals[i]] = now[i];
            }

            return Expression.Lambda(Lambda.Type, new Rebinder(map).Visit(Lambda.Body), parameters);
        }
    }

    private sealed class Rebinder(Dictionary<ParameterExpression, ParameterExpression> map) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => map.TryGetValue(node, out var to) ? to : node;
    }
}
