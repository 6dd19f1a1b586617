using System.Linq.Expressions;
using DnsExpert.Engine.Compilation;

namespace DnsExpert.Engine.Tests;

/// <summary>
/// An <c>Any(source, it =&gt; ...)</c> written as a loop in the expression (no delegate made per call) answers as
/// <c>Enumerable.Any</c>: the same value, the same exception for a null source, no element read past the first match,
/// nested and over an outer parameter.
/// </summary>
public sealed class InlinedPredicatesTests
{
    private sealed record Plugin(string Name, List<string>? BlockLines);

    [Theory]
    [InlineData("health", true)]
    [InlineData("health lameduck", false)]
    [InlineData("", true)]
    public void Any_inlined_answers_as_Enumerable_Any(string lines, bool expected)
    {
        Expression<Func<Plugin, bool>> condition = p => p.Name == "health" && !p.BlockLines!.Any(it => it.StartsWith("lameduck", StringComparison.Ordinal));
        var plugin = new Plugin("health", lines.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(l => l == "lameduck" ? "lameduck 5s" : l).ToList());

        var inlined = InlinedPredicates.Of(condition);

        Assert.NotSame(condition, inlined);
        Assert.Equal(expected, condition.Compile()(plugin));
        Assert.Equal(expected, inlined.Compile()(plugin));
        Assert.Equal(expected, CompiledOnFirstCall.Of(condition)(plugin));
    }

    [Fact]
    public void A_null_source_throws_what_Enumerable_Any_throws()
    {
        Expression<Func<Plugin, bool>> condition = p => p.BlockLines!.Any(it => it == "prefer_udp");
        var plugin = new Plugin("forward", null);

        var expected = Assert.Throws<ArgumentNullException>(() => condition.Compile()(plugin));
        var actual = Assert.Throws<ArgumentNullException>(() => InlinedPredicates.Of(condition).Compile()(plugin));

        Assert.Equal(expected.Message, actual.Message);
    }

    [Fact]
    public void Reading_stops_at_the_first_match_and_the_enumerator_is_disposed()
    {
        var read = new List<int>();
        var disposed = false;
        IEnumerable<int> Numbers()
        {
            try
            {
                foreach (var n in new[] { 1, 2, 3, 4 })
                {
                    read.Add(n);
                    yield return n;
                }
            }
            finally
            {
                disposed = true;
            }
        }

        Expression<Func<IEnumerable<int>, bool>> condition = xs => xs.Any(it => it == 2);

        Assert.True(InlinedPredicates.Of(condition).Compile()(Numbers()));
        Assert.Equal([1, 2], read);
        Assert.True(disposed);
    }

    [Fact]
    public void Nested_predicates_over_an_outer_value_are_inlined_too()
    {
        Expression<Func<string, List<List<string>>, bool>> condition = (ip, groups) => groups.Any(g => g.Any(it => it == ip));
        var groups = new List<List<string>> { new() { "10.0.0.1" }, new() { "10.96.0.10", "169.254.20.10" } };

        var inlined = InlinedPredicates.Of(condition).Compile();

        Assert.True(inlined("169.254.20.10", groups));
        Assert.False(inlined("10.0.0.2", groups));
        Assert.DoesNotContain("Any", InlinedPredicates.Of(condition).ToString(), StringComparison.Ordinal);
    }
}
