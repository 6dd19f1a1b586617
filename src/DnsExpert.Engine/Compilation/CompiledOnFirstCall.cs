using System.Linq.Expressions;

namespace DnsExpert.Engine.Compilation;

/// <summary>
/// A delegate compiled to IL on its first call, not at load: compiling (and jitting) each of the rule base's ~1,000
/// expressions took half of a warm rule base compile, and a diagnosis calls only those of the findings it renders and
/// the patterns it tests. Once compiled, a call is a compiled call (no interpretation, no allocation per call).
/// </summary>
internal static class CompiledOnFirstCall
{
    public static Func<T, TResult> Of<T, TResult>(Expression<Func<T, TResult>> expression)
    {
        var compiled = new Lazy<Func<T, TResult>>(expression.Compile, LazyThreadSafetyMode.ExecutionAndPublication);
        return argument => compiled.Value(argument);
    }
}
