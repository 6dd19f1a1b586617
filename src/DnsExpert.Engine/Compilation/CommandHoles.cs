using System.Collections.Concurrent;
using System.Linq.Expressions;
using System.Reflection;
using System.Text;
using DnsExpert.Text;

namespace DnsExpert.Engine.Compilation;

/// <summary>
/// The kind and placeholder of a hole in a command, read from its expression once at load: the
/// <see cref="CommandValueAttribute"/> of the property it reads (<c>known.KubeDnsIp</c> is an IP address), else a
/// name or an address; the placeholder is the one <see cref="Commands.KnownValues"/> writes for an unknown value, the
/// rule's own (<c>x ?? "&lt;node&gt;"</c>), or the pattern's and the property's name (<c>&lt;log-query-name&gt;</c>).
/// </summary>
internal static class CommandHoles
{
    private static readonly Commands.KnownValues Unknown = new();

    /// <summary>
    /// The placeholder each property of <see cref="Commands.KnownValues"/> holds while unknown (null: none), read once per
    /// property: reflection emits and jits a stub for a getter called through it a second time, one per property.
    /// </summary>
    private static readonly ConcurrentDictionary<PropertyInfo, string?> UnknownPlaceholders = new();

    public static TemplateHole Of(string expression, Expression body, Func<object[], object?> value)
    {
        body = Unwrap(body);
        string? placeholder = null;
        if (body is BinaryExpression { NodeType: ExpressionType.Coalesce } coalesce
            && Unwrap(coalesce.Right) is ConstantExpression { Value: string fallback } && fallback.StartsWith('<') && fallback.EndsWith('>'))
        {
            placeholder = fallback;
            body = Unwrap(coalesce.Left);
        }

        var member = body as MemberExpression ?? FirstMember(body);
        var property = member?.Member as PropertyInfo;
        var kind = property?.GetCustomAttribute<CommandValueAttribute>()?.Kind ?? CommandValueKind.NameOrAddress;
        placeholder ??= property is null ? "<value>"
            : property.DeclaringType == typeof(Commands.KnownValues) && UnknownPlaceholders.GetOrAdd(property, p => (p.GetValue(Unknown) as Commands.Placeholder)?.Text) is { } known ? known
            : member!.Expression is ParameterExpression fact ? $"<{Kebab(fact.Name!)}-{Kebab(property.Name)}>"
            : "<" + Kebab(property.Name) + ">";
        return new TemplateHole(expression, value, kind, placeholder);
    }

    private static Expression Unwrap(Expression e) => e is UnaryExpression { NodeType: ExpressionType.Convert or ExpressionType.ConvertChecked } u ? Unwrap(u.Operand) : e;

    /// <summary>The first property a fact is read through (<c>log.Endpoint</c> in a conditional on it).</summary>
    private static MemberExpression? FirstMember(Expression body)
    {
        var finder = new MemberFinder();
        finder.Visit(body);
        return finder.Found;
    }

    private static string Kebab(string name)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0 && !char.IsUpper(name[i - 1]))
            {
                sb.Append('-');
            }

            sb.Append(char.ToLowerInvariant(name[i]));
        }

        return sb.ToString();
    }

    private sealed class MemberFinder : ExpressionVisitor
    {
        public MemberExpression? Found { get; private set; }

        protected override Expression VisitMember(MemberExpression node)
        {
            if (Found is null && node.Expression is ParameterExpression)
            {
                Found = node;
            }

            return base.VisitMember(node);
        }
    }
}
