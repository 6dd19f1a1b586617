using System.Linq.Expressions;
using System.Reflection;
using DnsExpert.Facts;

namespace DnsExpert.Engine.Compilation;

/// <summary>
/// The single-fact tests of a pattern's condition (<see cref="CompiledPattern"/>): each operand of its top-level
/// <c>&amp;&amp;</c> that reads no other pattern becomes a test of the fact alone, compiled to IL on its first call
/// (<see cref="CompiledOnFirstCall"/>; an interpreted test allocated on every call: over a 5,000-pod paste, 200 requests
/// at once ran a 384 MiB heap out of memory in MemoryBoundTests); those that read no <see cref="OutcomeAttribute"/>
/// property also say what a measurement is of. Beside each test, whether the fact leaves it undecided: null when the
/// operand reads no <see cref="UnknownWhenNullAttribute"/> property, else a test that one of those it reads is null.
/// </summary>
internal static class OwnTests
{
    public static void Add(Expression body, ParameterExpression self, List<Func<object, bool>> tests, List<Func<object, bool>> identity, List<Func<object, bool>?> unknown)
    {
        foreach (var operand in Operands(body))
        {
            var reads = Reads.Of(operand, self);
            if (reads.OtherPatterns)
            {
                continue;
            }

            var fact = Expression.Parameter(typeof(object), "fact");
            var test = CompiledOnFirstCall.Of(Expression.Lambda<Func<object, bool>>(
                Expression.Invoke(Expression.Lambda(operand, self), Expression.Convert(fact, self.Type)), fact));
            tests.Add(test);
            unknown.Add(Unknown(operand, self, fact));
            if (!reads.Outcome)
            {
                identity.Add(test);
            }
        }
    }

    /// <summary>A test that one of the <see cref="UnknownWhenNullAttribute"/> properties <paramref name="operand"/> reads is null; null when it reads none.</summary>
    private static Func<object, bool>? Unknown(Expression operand, ParameterExpression self, ParameterExpression fact)
    {
        var typed = Expression.Convert(fact, self.Type);
        var nulls = UnknownWhenNullReads.Of(operand, self).Distinct(StringComparer.Ordinal)
            .Select(p => Expression.Property(typed, p))
            .Where(p => !p.Type.IsValueType || Nullable.GetUnderlyingType(p.Type) is not null)
            .Select(p => (Expression)Expression.Equal(p, Expression.Constant(null, p.Type)))
            .ToList();
        return nulls.Count == 0 ? null : CompiledOnFirstCall.Of(Expression.Lambda<Func<object, bool>>(nulls.Aggregate(Expression.OrElse), fact));
    }

    /// <summary>The operands of a chain of <c>&amp;&amp;</c>, left to right (iterative: a long chain is no deep recursion).</summary>
    private static List<Expression> Operands(Expression body)
    {
        var operands = new List<Expression>();
        var pending = new Stack<Expression>();
        pending.Push(body);
        while (pending.Count > 0)
        {
            var next = pending.Pop();
            if (next.NodeType == ExpressionType.AndAlso && next is BinaryExpression and)
            {
                pending.Push(and.Right);
                pending.Push(and.Left);
            }
            else
            {
                operands.Add(next);
            }
        }

        return operands;
    }

    private sealed class Reads(ParameterExpression self) : ExpressionVisitor
    {
        public bool OtherPatterns { get; private set; }
        public bool Outcome { get; private set; }

        public static Reads Of(Expression operand, ParameterExpression self)
        {
            var reads = new Reads(self);
            reads.Visit(operand);
            return reads;
        }

        private readonly HashSet<ParameterExpression> _declared = [];

        protected override Expression VisitLambda<T>(Expression<T> node)
        {
            // A lambda inside the condition (Any(x => ...)) declares its own parameters: no other pattern.
            _declared.UnionWith(node.Parameters);
            return base.VisitLambda(node);
        }

        protected override Expression VisitParameter(ParameterExpression node)
        {
            OtherPatterns |= node != self && !_declared.Contains(node);
            return base.VisitParameter(node);
        }

        protected override Expression VisitMember(MemberExpression node)
        {
            Outcome |= node.Expression == self && node.Member is PropertyInfo property && property.IsDefined(typeof(OutcomeAttribute), inherit: true);
            return base.VisitMember(node);
        }
    }
}
