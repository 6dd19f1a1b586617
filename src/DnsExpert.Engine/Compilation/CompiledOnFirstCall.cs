using System.Linq.Expressions;

namespace DnsExpert.Engine.Compilation;

/// <summary>
/// A delegate compiled to IL on its first call, not at load: compiling (and jitting) each of the rule base's ~1,000
/// template holes and single-fact tests took half of a warm rule base compile, and NRules' ~1,000 conditions and actions
/// most of the rest, while a diagnosis calls only those of the facts it has and the findings it renders. Once compiled,
/// a call is a compiled call (no interpretation, no allocation per call). Two threads calling a delegate for the first
/// time at once may both compile it; each gets a correct delegate.
/// </summary>
internal static class CompiledOnFirstCall
{
    [ThreadStatic]
    private static bool t_eager;

    /// <summary>
    /// Runs <paramref name="compile"/> with every delegate made on this thread compiled at once, so an expression that
    /// builds but does not compile fails there, where the rule compiler names its file and line (<c>rules lint</c>).
    /// </summary>
    public static T Eagerly<T>(Func<T> compile)
    {
        var was = t_eager;
        t_eager = true;
        try
        {
            return compile();
        }
        finally
        {
            t_eager = was;
        }
    }

    /// <summary><paramref name="expression"/> as a delegate that compiles it on first call; any other delegate shape than <c>Func</c> of 1-2 arguments and <c>Action</c> of 2 or 4 is compiled now.</summary>
    public static TDelegate Of<TDelegate>(Expression<TDelegate> expression) where TDelegate : Delegate
    {
        var type = typeof(TDelegate);
        var shape = type.IsGenericType ? type.GetGenericTypeDefinition() : null;
        var holder = shape == typeof(Func<,>) ? typeof(Func1<,>)
            : shape == typeof(Func<,,>) ? typeof(Func2<,,>)
            : shape == typeof(Action<,>) ? typeof(Action2<,>)
            : shape == typeof(Action<,,,>) ? typeof(Action4<,,,>)
            : null;
        if (holder is null || t_eager)
        {
            return Compile(expression);
        }

        var target = Activator.CreateInstance(holder.MakeGenericType(type.GetGenericArguments()), expression)!;
        return (TDelegate)Delegate.CreateDelegate(type, target, "Invoke");
    }

    /// <summary><paramref name="expression"/> compiled, its <c>Any</c> predicates as loops (<see cref="InlinedPredicates"/>).</summary>
    private static TDelegate Compile<TDelegate>(Expression<TDelegate> expression) where TDelegate : Delegate => InlinedPredicates.Of(expression).Compile();

    /// <summary>NRules' <see cref="NRules.Extensibility.IExpressionCompiler"/>: its conditions and actions compiled on first call.</summary>
    internal sealed class ForNRules : NRules.Extensibility.IExpressionCompiler
    {
        public TDelegate Compile<TDelegate>(Expression<TDelegate> expression) where TDelegate : Delegate => Of(expression);
    }

    private sealed class Func1<T, TResult>(Expression<Func<T, TResult>> expression)
    {
        private Func<T, TResult>? _compiled;

        public TResult Invoke(T a) => (_compiled ??= Compile(expression))(a);
    }

    private sealed class Func2<T1, T2, TResult>(Expression<Func<T1, T2, TResult>> expression)
    {
        private Func<T1, T2, TResult>? _compiled;

        public TResult Invoke(T1 a, T2 b) => (_compiled ??= Compile(expression))(a, b);
    }

    private sealed class Action2<T1, T2>(Expression<Action<T1, T2>> expression)
    {
        private Action<T1, T2>? _compiled;

        public void Invoke(T1 a, T2 b) => (_compiled ??= Compile(expression))(a, b);
    }

    private sealed class Action4<T1, T2, T3, T4>(Expression<Action<T1, T2, T3, T4>> expression)
    {
        private Action<T1, T2, T3, T4>? _compiled;

        public void Invoke(T1 a, T2 b, T3 c, T4 d) => (_compiled ??= Compile(expression))(a, b, c, d);
    }
}
