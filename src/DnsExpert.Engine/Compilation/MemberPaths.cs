using System.Collections.Concurrent;
using System.Linq.Dynamic.Core;
using System.Linq.Expressions;
using System.Reflection;

namespace DnsExpert.Engine.Compilation;

/// <summary>
/// The template holes that only read a member path (<c>{{ pod.Name }}</c>, <c>{{ known.ClusterDnsSelector }}</c>: 1,446
/// of the rule base's 1,574 holes), built as the expression Dynamic LINQ would build, without its parser: each parse
/// builds the parser's keyword table and method finder again, and that was the largest part of a rule base compile.
/// Anything else (a call, an operator, an alias Dynamic LINQ reads otherwise, a member it would not find exactly once)
/// returns false and goes to Dynamic LINQ, which also gives the error message a bad path deserves.
/// </summary>
internal static class MemberPaths
{
    /// <summary>Whether Dynamic LINQ reads an alias as its parameter (not as a keyword or type name), per alias and type.</summary>
    /// <remarks>Keyed and valued by reference types: a value-tuple key or a bool value makes an instantiation of the
    /// dictionary that no ReadyToRun image holds, jitted in every process.</remarks>
    private static readonly ConcurrentDictionary<Alias, string> ReadAsParameter = new();

    private const string Parameter = "parameter", NotParameter = "keyword or type";

    private sealed record Alias(string Name, Type Type);

    /// <summary>
    /// Builds <c>(scope...) =&gt; (object)alias.A.B</c> for an <paramref name="expression"/> that is a dotted member path
    /// starting at one of <paramref name="scope"/>'s parameters; false for anything else.
    /// </summary>
    public static bool TryBuild(string expression, ParameterExpression[] scope, ParsingConfig config, out LambdaExpression lambda)
    {
        lambda = null!;
        var path = expression.AsSpan().Trim();
        var dot = path.IndexOf('.');
        if (dot <= 0 || !IsIdentifier(path[..dot]))
        {
            return false;
        }

        var alias = path[..dot].ToString();
        var named = scope.Where(p => string.Equals(p.Name, alias, StringComparison.OrdinalIgnoreCase)).Take(2).ToList();
        if (named is not [var parameter] || !ReadsAsParameter(parameter, config))
        {
            return false;
        }

        Expression body = parameter;
        var rest = path[(dot + 1)..];
        while (true)
        {
            var next = rest.IndexOf('.');
            var name = next < 0 ? rest : rest[..next];
            if (!IsIdentifier(name) || Member(body.Type, name.ToString()) is not { } member)
            {
                return false;
            }

            body = Expression.MakeMemberAccess(body, member);
            if (next < 0)
            {
                break;
            }

            rest = rest[(next + 1)..];
        }

        lambda = Expression.Lambda(body.Type == typeof(object) ? body : Expression.Convert(body, typeof(object)), scope);
        return true;
    }

    /// <summary>
    /// The public instance property or field Dynamic LINQ's member lookup finds (case-insensitive, the type first, then
    /// its base types); null when there is none or more than one on the same type, so Dynamic LINQ decides those.
    /// </summary>
    private static MemberInfo? Member(Type type, string name)
    {
        if (type.IsInterface || type.IsGenericParameter)
        {
            return null;
        }

        for (var t = type; t is not null; t = t.BaseType)
        {
            var found = t.FindMembers(MemberTypes.Property | MemberTypes.Field,
                BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly, Type.FilterNameIgnoreCase, name);
            if (found.Length > 1 || (found is [PropertyInfo property] && property.GetIndexParameters().Length > 0))
            {
                return null;
            }

            if (found.Length == 1)
            {
                return found[0];
            }
        }

        return null;
    }

    /// <summary>Asked of Dynamic LINQ once per alias and type: an alias named like a keyword or a type is not a parameter to it.</summary>
    private static bool ReadsAsParameter(ParameterExpression parameter, ParsingConfig config) =>
        ReadAsParameter.GetOrAdd(new Alias(parameter.Name!, parameter.Type), key =>
        {
            try
            {
                var probe = Expression.Parameter(key.Type, key.Name);
                var parsed = DynamicExpressionParser.ParseLambda(config, [probe], null, key.Name);
                return parsed.Body == probe ? Parameter : NotParameter;
            }
            catch (Exception ex) when (ex is System.Linq.Dynamic.Core.Exceptions.ParseException or InvalidOperationException or ArgumentException)
            {
                return NotParameter;
            }
        }) == Parameter;

    private static bool IsIdentifier(ReadOnlySpan<char> name)
    {
        if (name.IsEmpty || !(char.IsAsciiLetter(name[0]) || name[0] == '_'))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_'))
            {
                return false;
            }
        }

        return true;
    }
}
