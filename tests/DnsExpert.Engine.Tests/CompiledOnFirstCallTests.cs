using DnsExpert.Engine.Compilation;

namespace DnsExpert.Engine.Tests;

/// <summary>
/// The delegates the rule base compiles on their first call (template holes, single-fact tests, NRules' conditions and
/// actions) give what the expression gives, in every delegate shape NRules compiles and in one it does not.
/// </summary>
public sealed class CompiledOnFirstCallTests
{
    [Fact]
    public void Funcs_give_the_expressions_value_on_every_call()
    {
        var square = CompiledOnFirstCall.Of<Func<int, int>>(x => x * x);
        var concat = CompiledOnFirstCall.Of<Func<string, int, string>>((s, n) => s + n);

        Assert.Equal(9, square(3));
        Assert.Equal(16, square(4));
        Assert.Equal("a1", concat("a", 1));
        Assert.Equal("b2", concat("b", 2));
    }

    [Fact]
    public void Actions_run_the_expression_on_every_call()
    {
        var seen = new List<string>();
        var two = CompiledOnFirstCall.Of<Action<List<string>, string>>((list, s) => list.Add(s));
        var four = CompiledOnFirstCall.Of<Action<List<string>, string, string, string>>((list, a, b, c) => list.Add(a + b + c));

        two(seen, "x");
        two(seen, "y");
        four(seen, "a", "b", "c");

        Assert.Equal(["x", "y", "abc"], seen);
    }

    [Fact]
    public void Another_shape_is_compiled_at_once_and_works_the_same()
    {
        var sum = CompiledOnFirstCall.Of<Func<int, int, int, int>>((a, b, c) => a + b + c);

        Assert.Equal(6, sum(1, 2, 3));
    }

    [Fact]
    public void An_expression_that_throws_throws_from_each_call()
    {
        var divide = CompiledOnFirstCall.Of<Func<int, int>>(x => 10 / x);

        Assert.Throws<DivideByZeroException>(() => divide(0));
        Assert.Equal(5, divide(2));
    }

    /// <summary>
    /// An expression that builds but cannot compile (a variable no scope defines) fails on its first call, and at once
    /// under <c>Eagerly</c>, which <c>rules lint</c> uses so such an expression is reported with its file and line.
    /// </summary>
    [Fact]
    public void Eagerly_compiles_at_once_what_otherwise_fails_on_first_call()
    {
        var unbound = System.Linq.Expressions.Expression.Lambda<Func<int, int>>(
            System.Linq.Expressions.Expression.Parameter(typeof(int), "unbound"), System.Linq.Expressions.Expression.Parameter(typeof(int), "x"));

        var lazy = CompiledOnFirstCall.Of(unbound);
        Assert.Throws<InvalidOperationException>(() => lazy(1));
        Assert.Throws<InvalidOperationException>(() => CompiledOnFirstCall.Eagerly(() => CompiledOnFirstCall.Of(unbound)));
    }
}
