using System.Linq.Dynamic.Core;
using System.Linq.Dynamic.Core.Exceptions;
using System.Linq.Expressions;
using System.Reflection;
using DnsExpert.Engine.Commands;
using DnsExpert.Engine.Compilation;

namespace DnsExpert.Engine.Tests;

/// <summary>
/// Template holes that only read a member path are built without Dynamic LINQ's parser; what they build must be what
/// Dynamic LINQ builds, for every fact type's members, and anything else must be left to Dynamic LINQ.
/// </summary>
public sealed class MemberPathTests
{
    private static readonly ParsingConfig Config = new() { DisallowNewKeyword = true, DisableMemberAccessToIndexAccessorFallback = true };

    public static TheoryData<string> FactTypeNames() => [.. FactTypes.All.Keys.Order(StringComparer.Ordinal)];

    [Theory]
    [MemberData(nameof(FactTypeNames))]
    public void Every_member_path_of_a_fact_type_is_built_as_Dynamic_LINQ_builds_it(string factType)
    {
        var type = FactTypes.All[factType];
        var scope = new[] { Expression.Parameter(typeof(KnownValues), "known"), Expression.Parameter(type, "fact") };
        var paths = Paths(type, "fact", depth: 2).Concat(Paths(typeof(KnownValues), "known", depth: 1)).ToList();
        Assert.NotEmpty(paths);
        foreach (var (path, throughInterface) in paths)
        {
            // A member of an interface is left to Dynamic LINQ (it searches inherited interfaces); the rest is built.
            AssertSameAsDynamicLinq(path, scope, mustBuild: !throughInterface);
        }
    }

    [Theory]
    [InlineData("fact.name")] // members are found whatever their case, as Dynamic LINQ finds them
    [InlineData("FACT.Name")]
    [InlineData("  fact.Name  ")]
    [InlineData("fact.Name.Length")]
    public void Case_and_spacing_are_read_as_Dynamic_LINQ_reads_them(string path)
    {
        var scope = new[] { Expression.Parameter(typeof(Sample), "fact") };
        AssertSameAsDynamicLinq(path, scope);
    }

    [Theory]
    [InlineData("fact.Missing")] // Dynamic LINQ's error names the member
    [InlineData("fact.Name.ToUpper()")]
    [InlineData("fact.Count + 1")]
    [InlineData("fact.Items[0]")]
    [InlineData("other.Name")]
    [InlineData("fact")]
    [InlineData("fact..Name")]
    [InlineData("fact.Name ?? \"<name>\"")]
    [InlineData("fact.1x")]
    public void Anything_but_a_member_path_is_left_to_Dynamic_LINQ(string expression)
    {
        var scope = new[] { Expression.Parameter(typeof(Sample), "fact") };
        Assert.False(MemberPaths.TryBuild(expression, scope, Config, out _));
    }

    [Theory]
    [InlineData("string")]
    [InlineData("Math")]
    [InlineData("it")]
    [InlineData("np")]
    [InlineData("Int32")]
    public void An_alias_named_like_a_keyword_or_type_is_read_as_Dynamic_LINQ_reads_it(string alias)
    {
        var scope = new[] { Expression.Parameter(typeof(Sample), alias) };
        AssertSameAsDynamicLinq(alias + ".Name", scope);
    }

    [Fact]
    public void Members_of_a_base_type_and_fields_are_found_as_Dynamic_LINQ_finds_them()
    {
        var scope = new[] { Expression.Parameter(typeof(DerivedSample), "fact") };
        AssertSameAsDynamicLinq("fact.Name", scope);
        AssertSameAsDynamicLinq("fact.Field", scope);
        AssertSameAsDynamicLinq("fact.Extra", scope);
    }

    private static void AssertSameAsDynamicLinq(string path, ParameterExpression[] scope, bool mustBuild = true)
    {
        LambdaExpression expected;
        try
        {
            expected = DynamicExpressionParser.ParseLambda(Config, scope, typeof(object), path);
        }
        catch (ParseException)
        {
            Assert.False(MemberPaths.TryBuild(path, scope, Config, out _), path);
            return;
        }

        if (!MemberPaths.TryBuild(path, scope, Config, out var built))
        {
            Assert.False(mustBuild, path);
            return;
        }

        Assert.Equal(expected.ToString(), built.ToString());
        Assert.Equal(expected.ReturnType, built.ReturnType);
        Assert.Equal(Shape(expected.Body), Shape(built.Body));
    }

    /// <summary>Each node of a member path: its kind, its type and the member it reads.</summary>
    private static List<string> Shape(Expression body)
    {
        var nodes = new List<string>();
        for (var e = body; e is not null;)
        {
            nodes.Add($"{e.NodeType} {e.Type} {(e as MemberExpression)?.Member.DeclaringType}.{(e as MemberExpression)?.Member.Name}");
            e = e switch
            {
                UnaryExpression u => u.Operand,
                MemberExpression m => m.Expression,
                _ => null,
            };
        }

        return nodes;
    }

    private static IEnumerable<(string Path, bool ThroughInterface)> Paths(Type type, string prefix, int depth)
    {
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetIndexParameters().Length == 0))
        {
            var path = prefix + "." + property.Name;
            yield return (path, type.IsInterface);
            if (depth > 1 && !property.PropertyType.IsPrimitive && property.PropertyType != typeof(object))
            {
                foreach (var (deeper, throughInterface) in Paths(property.PropertyType, path, depth - 1))
                {
                    yield return (deeper, throughInterface || type.IsInterface);
                }
            }
        }
    }

    public class Sample
    {
        public string Name { get; init; } = "";

        public int Count { get; init; }

        public IReadOnlyList<string> Items { get; init; } = [];
    }

    public sealed class DerivedSample : Sample
    {
#pragma warning disable CA1051 // a public field is what this test is about
        public string Field = "";
#pragma warning restore CA1051

        public string? Extra { get; init; }
    }
}
