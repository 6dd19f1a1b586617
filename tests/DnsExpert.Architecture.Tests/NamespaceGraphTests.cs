namespace DnsExpert.Architecture.Tests;

public sealed class NamespaceGraphTests
{
    /// <summary>
    /// Projects whose sub-namespaces may still use each other both ways: none. (The engine's went when the values its
    /// commands name moved to <c>DnsExpert.Engine.Commands</c> and the rule file reader and loader to its compilation,
    /// leaving <c>RuleFiles</c> the rule model both read; Api's and Rendering's before.)
    /// </summary>
    private static readonly string[] CyclesLeftIn = [];

    /// <summary>The assemblies of src next to this test's own: every library and host (the CLI's is dnsexpert.dll), no test project.</summary>
    private static List<string> OurAssemblies() =>
        Directory.EnumerateFiles(AppContext.BaseDirectory, "*.dll")
            .Where(p => Path.GetFileNameWithoutExtension(p) is var name
                && (name.StartsWith("DnsExpert.", StringComparison.Ordinal) || name == "dnsexpert")
                && !name.EndsWith(".Tests", StringComparison.Ordinal) && name is not "DnsExpert.Testing" and not "DnsExpert.Benchmarks")
            .Order(StringComparer.Ordinal)
            .ToList();

    [Fact]
    public void No_namespace_of_ours_uses_one_that_uses_it_back()
    {
        var assemblies = OurAssemblies();
        Assert.Superset(
            new HashSet<string> { "DnsExpert.Text", "DnsExpert.Contract", "DnsExpert.Facts", "DnsExpert.Readers", "DnsExpert.Engine", "DnsExpert.Api", "dnsexpert" },
            assemblies.Select(Path.GetFileNameWithoutExtension).OfType<string>().ToHashSet());

        var uses = NamespaceGraph.Load(assemblies);

        var cycles = NamespaceGraph.Cycles(uses)
            .Where(cycle => !CyclesLeftIn.Any(project => cycle.All(ns => ns == project || ns.StartsWith(project + ".", StringComparison.Ordinal))))
            .Select(cycle => NamespaceGraph.Describe(uses, cycle))
            .ToList();
        Assert.True(cycles.Count == 0, string.Join("\n", cycles));
    }

    [Fact]
    public void Uses_inside_method_bodies_count()
    {
        var uses = NamespaceGraph.Load(OurAssemblies());

        // RequestValidator.IsDnsLabel calls DnsNames.IsDnsLabel: only its body names the Text namespace's type ...
        Assert.Contains("DnsExpert.Text", uses["DnsExpert.Contract"]);

        // ... and the lower rooms use nothing above them.
        Assert.Empty(uses["DnsExpert.Text"]);
        Assert.DoesNotContain(uses["DnsExpert.Facts"], ns => !ns.StartsWith("DnsExpert.Text", StringComparison.Ordinal));
        Assert.DoesNotContain(uses["DnsExpert.Contract"], ns => !ns.StartsWith("DnsExpert.Text", StringComparison.Ordinal));
    }

    /// <summary>
    /// The engine produces its own results (<c>DnsExpert.Engine.Results</c>: plain records, no JSON attribute) and the
    /// edge maps them to the wire (<c>DnsExpert.Diagnosis.WireResults</c>): no namespace of the engine uses the
    /// contract, not its results and not its requests either (the engine reads facts, never a request). The results
    /// use nothing of ours, so every room of the engine can read them without a cycle.
    /// </summary>
    [Fact]
    public void The_engine_uses_no_wire_type_and_its_results_use_nothing_of_ours()
    {
        var uses = NamespaceGraph.Load(OurAssemblies());

        var wire = uses
            .Where(p => p.Key == "DnsExpert.Engine" || p.Key.StartsWith("DnsExpert.Engine.", StringComparison.Ordinal))
            .SelectMany(p => p.Value.Where(ns => ns == "DnsExpert.Contract" || ns.StartsWith("DnsExpert.Contract.", StringComparison.Ordinal)).Select(ns => $"{p.Key} uses {ns}"))
            .Order(StringComparer.Ordinal);

        Assert.Empty(wire);
        Assert.Empty(uses["DnsExpert.Engine.Results"]);
        Assert.Contains("DnsExpert.Engine.Results", uses["DnsExpert.Diagnosis"]);
    }

    [Fact]
    public void A_cycle_is_named_once_with_a_use_of_each_namespace_in_it()
    {
        var uses = new Dictionary<string, IReadOnlySet<string>>
        {
            ["A"] = new HashSet<string> { "B" },
            ["B"] = new HashSet<string> { "C", "D" },
            ["C"] = new HashSet<string> { "A" },
            ["D"] = new HashSet<string>(),
        };

        var cycle = Assert.Single(NamespaceGraph.Cycles(uses));
        Assert.Equal(["A", "B", "C"], cycle);
        Assert.Equal("cycle: A uses B, B uses C, C uses A", NamespaceGraph.Describe(uses, cycle));
    }
}
