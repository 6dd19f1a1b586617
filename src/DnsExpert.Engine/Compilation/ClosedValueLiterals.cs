using System.Linq.Expressions;
using System.Reflection;
using DnsExpert.Facts;

namespace DnsExpert.Engine.Compilation;

/// <summary>
/// Literals a rule compares with a fact property that holds a closed set of values (<see cref="OneOfAttribute"/>).
/// <c>Kind == "forward_loop"</c> loads and never fires, so the compiler (and with it the loader and <c>dnsexpert rules
/// lint</c>) refuses a literal that is none of the property's values. Read from the parsed expression tree, in every
/// form Dynamic LINQ gives a comparison: <c>==</c>, <c>!=</c>, <c>Equals</c> (with a <see cref="StringComparison"/>
/// or not), <c>in (...)</c>, <c>StartsWith</c>, <c>EndsWith</c>, <c>Contains</c>, through <c>np()</c>, <c>??</c>,
/// <c>iif</c> and <c>?:</c>.
/// </summary>
internal static class ClosedValueLiterals
{
    /// <summary>Every literal in <paramref name="expression"/> that its property can never hold.</summary>
    /// <param name="expression">A parsed condition.</param>
    /// <param name="ruleIds">The ids of the rule base: <c>Finding.RuleId</c> (a rule matching another's finding) is one of them.</param>
    public static IReadOnlyList<LiteralMismatch> Find(Expression expression, IReadOnlySet<string>? ruleIds = null)
    {
        var finder = new Finder(ruleIds);
        finder.Visit(expression);
        return finder.Found;
    }

    private sealed class Finder(IReadOnlySet<string>? ruleIds) : ExpressionVisitor
    {
        public List<LiteralMismatch> Found { get; } = [];

        protected override Expression VisitBinary(BinaryExpression node)
        {
            if (node.NodeType is ExpressionType.Equal or ExpressionType.NotEqual)
            {
                Compare(node.Left, node.Right, LiteralComparison.Equals, StringComparison.Ordinal);
                Compare(node.Right, node.Left, LiteralComparison.Equals, StringComparison.Ordinal);
            }

            return base.VisitBinary(node);
        }

        /// <summary>The <see cref="StringComparison"/> literal among a call's arguments (a loop: LINQ over the enum was jitted in every process).</summary>
        private static StringComparison ComparisonOf(IReadOnlyList<Expression> arguments)
        {
            foreach (var argument in arguments)
            {
                if (Literal(argument) is StringComparison comparison)
                {
                    return comparison;
                }
            }

            return StringComparison.Ordinal;
        }

        protected override Expression VisitMethodCall(MethodCallExpression node)
        {
            var method = node.Method;
            if (method.DeclaringType == typeof(string))
            {
                var comparison = ComparisonOf(node.Arguments);
                var how = method.Name switch
                {
                    nameof(string.Equals) => LiteralComparison.Equals,
                    nameof(string.StartsWith) => LiteralComparison.StartsWith,
                    nameof(string.EndsWith) => LiteralComparison.EndsWith,
                    nameof(string.Contains) => LiteralComparison.Contains,
                    _ => (LiteralComparison?)null,
                };
                if (how is { } h && node.Object is { } instance && node.Arguments.Count > 0)
                {
                    Compare(instance, node.Arguments[0], h, comparison);
                }
                else if (how == LiteralComparison.Equals && node.Object is null && node.Arguments.Count >= 2)
                {
                    Compare(node.Arguments[0], node.Arguments[1], LiteralComparison.Equals, comparison);
                    Compare(node.Arguments[1], node.Arguments[0], LiteralComparison.Equals, comparison);
                }
            }
            else if (method.DeclaringType == typeof(Enumerable) && method.Name == nameof(Enumerable.Contains)
                && node.Arguments is [NewArrayExpression { NodeType: ExpressionType.NewArrayInit } values, var item])
            {
                // `Kind in ("dns", "ping")`
                foreach (var value in values.Expressions)
                {
                    Compare(item, value, LiteralComparison.Equals, StringComparison.Ordinal);
                }
            }

            return base.VisitMethodCall(node);
        }

        /// <summary>When <paramref name="side"/> reads a closed property and <paramref name="other"/> is a string literal it can never match, records it.</summary>
        private void Compare(Expression side, Expression other, LiteralComparison how, StringComparison comparison)
        {
            if (Literal(other) is not string literal || Property(side, out var fallbacks) is not { } member)
            {
                return;
            }

            var property = (PropertyInfo)member.Member;
            var allowed = property.DeclaringType == typeof(FindingFact) && property.Name == nameof(FindingFact.RuleId) && ruleIds is not null
                ? ruleIds.Order(StringComparer.Ordinal).ToList()
                : OneOfAttribute.AllowedFor(property);
            if (allowed is null)
            {
                return;
            }

            var values = allowed.Concat(fallbacks).ToList();
            if (!values.Any(v => Matches(v, literal, how, comparison)))
            {
                var type = member.Expression?.Type ?? property.DeclaringType!;
                Found.Add(new LiteralMismatch(type == typeof(FindingFact) ? FindingFact.FactTypeName : type.Name, property.Name, literal, allowed, how));
            }
        }

        private static bool Matches(string value, string literal, LiteralComparison how, StringComparison comparison) => how switch
        {
            LiteralComparison.StartsWith => value.StartsWith(literal, comparison),
            LiteralComparison.EndsWith => value.EndsWith(literal, comparison),
            LiteralComparison.Contains => value.Contains(literal, comparison),
            _ => string.Equals(value, literal, comparison),
        };

        /// <summary>
        /// The property <paramref name="expression"/> reads, seen through conversions, <c>np()</c> (a conditional whose
        /// other branch is null) and <c>??</c> (whose literal fallbacks are values it can have too).
        /// </summary>
        private static MemberExpression? Property(Expression expression, out List<string> fallbacks)
        {
            fallbacks = [];
            while (true)
            {
                switch (expression)
                {
                    case UnaryExpression { NodeType: ExpressionType.Convert or ExpressionType.ConvertChecked } convert:
                        expression = convert.Operand;
                        continue;
                    case ConditionalExpression conditional when Literal(conditional.IfFalse) is null && conditional.IfFalse is ConstantExpression:
                        expression = conditional.IfTrue;
                        continue;
                    case BinaryExpression { NodeType: ExpressionType.Coalesce } coalesce:
                        if (Literal(coalesce.Right) is string fallback)
                        {
                            fallbacks.Add(fallback);
                        }

                        expression = coalesce.Left;
                        continue;
                    case MemberExpression { Member: PropertyInfo } member:
                        return member;
                    default:
                        return null;
                }
            }
        }

        private static object? Literal(Expression expression) => expression switch
        {
            ConstantExpression constant => constant.Value,
            UnaryExpression { NodeType: ExpressionType.Convert } convert => Literal(convert.Operand),
            _ => null,
        };
    }
}

/// <summary>How a literal is compared with a property.</summary>
internal enum LiteralComparison
{
    Equals,
    StartsWith,
    EndsWith,
    Contains,
}

/// <summary>A literal that a property of a closed value set can never match, with the values it can.</summary>
internal sealed record LiteralMismatch(string FactType, string Property, string Literal, IReadOnlyList<string> Allowed, LiteralComparison How)
{
    /// <summary>For a rule file error: what is wrong, the nearest value when it is a near miss, and every allowed value.</summary>
    public string Reason
    {
        get
        {
            var subject = $"{FactType}.{Property}";
            var what = How switch
            {
                LiteralComparison.StartsWith => $"no value of {subject} starts with \"{Literal}\"",
                LiteralComparison.EndsWith => $"no value of {subject} ends with \"{Literal}\"",
                LiteralComparison.Contains => $"no value of {subject} contains \"{Literal}\"",
                _ => $"{subject} is never \"{Literal}\"",
            };
            var hint = How == LiteralComparison.Equals && NearMiss.Nearest(Literal, Allowed) is { } near ? $" (did you mean \"{near}\"?)" : "";
            return $"{what}{hint}; it is one of: {string.Join(", ", Allowed)}";
        }
    }
}
