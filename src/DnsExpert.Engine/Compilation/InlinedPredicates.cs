using System.Linq.Expressions;
using System.Reflection;

namespace DnsExpert.Engine.Compilation;

/// <summary>
/// An expression whose <c>Enumerable.Any(source, it =&gt; ...)</c> calls are loops in the expression itself. Compiled,
/// a lambda inside a lambda is a method of its own whose delegate is made on every call of the outer one (a
/// <c>DynamicMethod.CreateDelegate</c> and a closure each time: <c>!BlockLines.Any(it.StartsWith("lameduck"))</c> over
/// every Corefile plugin of every diagnosis); the loop makes none. Same answers and the same exception for a null
/// source (<see cref="ArgumentNullException"/> naming <c>source</c>), elements read in the same order and no further
/// than the first that matches, the enumerator disposed.
/// </summary>
internal sealed class InlinedPredicates : ExpressionVisitor
{
    private static readonly InlinedPredicates Instance = new();

    private static readonly ConstructorInfo NullSource = typeof(ArgumentNullException).GetConstructor([typeof(string)])!;
    private static readonly MethodInfo MoveNext = typeof(System.Collections.IEnumerator).GetMethod(nameof(System.Collections.IEnumerator.MoveNext))!;
    private static readonly MethodInfo Dispose = typeof(IDisposable).GetMethod(nameof(IDisposable.Dispose))!;

    /// <summary><paramref name="expression"/> with its <c>Any</c> predicates inlined (itself when it has none).</summary>
    public static Expression<TDelegate> Of<TDelegate>(Expression<TDelegate> expression) => (Expression<TDelegate>)Instance.Visit(expression);

    protected override Expression VisitMethodCall(MethodCallExpression node)
    {
        var visited = base.VisitMethodCall(node);
        return visited is MethodCallExpression { Method: { Name: nameof(Enumerable.Any), IsGenericMethod: true } method, Arguments: [var source, LambdaExpression { Parameters: [var it] } predicate] }
            && method.DeclaringType == typeof(Enumerable)
            ? Loop(source, it, predicate.Body)
            : visited;
    }

    /// <summary>
    /// <c>{ var s = source ?? throw; var e = s.GetEnumerator(); try { loop { if (!e.MoveNext()) break false; it = e.Current; if (body) break true; } } finally { e.Dispose(); } }</c>
    /// </summary>
    private static BlockExpression Loop(Expression source, ParameterExpression it, Expression body)
    {
        var sequence = typeof(IEnumerable<>).MakeGenericType(it.Type);
        var enumeratorType = typeof(IEnumerator<>).MakeGenericType(it.Type);
        var items = Expression.Variable(sequence, "source");
        var enumerator = Expression.Variable(enumeratorType, "enumerator");
        var done = Expression.Label(typeof(bool), "done");
        return Expression.Block(
            typeof(bool),
            [items, enumerator],
            Expression.Assign(items, Expression.Convert(source, sequence)),
            Expression.IfThen(Expression.Equal(items, Expression.Constant(null, sequence)), Expression.Throw(Expression.New(NullSource, Expression.Constant("source")))),
            Expression.Assign(enumerator, Expression.Call(items, sequence.GetMethod(nameof(IEnumerable<object>.GetEnumerator))!)),
            Expression.TryFinally(
                Expression.Loop(
                    Expression.Block(
                        [it],
                        Expression.IfThen(Expression.Not(Expression.Call(enumerator, MoveNext)), Expression.Break(done, Expression.Constant(false))),
                        Expression.Assign(it, Expression.Property(enumerator, enumeratorType.GetProperty(nameof(IEnumerator<object>.Current))!)),
                        Expression.IfThen(body, Expression.Break(done, Expression.Constant(true)))),
                    done),
                Expression.Call(enumerator, Dispose)));
    }
}
