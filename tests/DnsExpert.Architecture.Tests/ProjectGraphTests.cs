using System.Xml.Linq;
using DnsExpert.Testing;

namespace DnsExpert.Architecture.Tests;

public sealed class ProjectGraphTests
{
    private static ProjectNode Project(string name, string sdk, string? outputType, string[] references, params string[] packages) =>
        ProjectNode.Parse(name, XDocument.Parse($"""
            <Project Sdk="{sdk}">
              <PropertyGroup>{(outputType is null ? "" : $"<OutputType>{outputType}</OutputType>")}</PropertyGroup>
              <ItemGroup>{string.Concat(references.Select(r => $"""<ProjectReference Include="..\{r}\{r}.csproj" />"""))}</ItemGroup>
              <ItemGroup>{string.Concat(packages.Select(p => $"""<PackageReference Include="{p}" />"""))}</ItemGroup>
            </Project>
            """));

    private static Dictionary<string, ProjectNode> Graph(params ProjectNode[] projects) => projects.ToDictionary(p => p.Name, StringComparer.Ordinal);

    [Fact]
    public void The_projects_under_src_flow_one_way_from_hosts_to_libraries()
    {
        var projects = ProjectGraph.Load(Path.Combine(RepoPaths.Root, "src"));

        Assert.Empty(ProjectGraph.Violations(projects));
        Assert.Equal(["DnsExpert.Agent", "DnsExpert.Cli", "DnsExpert.Server"], projects.Values.Where(p => p.IsHost).Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Contains("DnsExpert.Api", projects["DnsExpert.Cli"].References);
        Assert.Contains("DnsExpert.NodeAgent", projects["DnsExpert.Cli"].References);
        Assert.Contains("DnsExpert.Rendering", projects["DnsExpert.Cli"].References);
        Assert.Superset(ProjectGraph.Beneath.Keys.ToHashSet(), projects.Keys.ToHashSet());
    }

    [Fact]
    public void The_libraries_beneath_reference_only_those_below_them()
    {
        var graph = Graph(
            Project("DnsExpert.Text", "Microsoft.NET.Sdk", null, ["DnsExpert.Facts"]),
            Project("DnsExpert.Facts", "Microsoft.NET.Sdk", null, ["DnsExpert.Contract"]),
            Project("DnsExpert.Contract", "Microsoft.NET.Sdk", null, []),
            Project("DnsExpert.Readers", "Microsoft.NET.Sdk", null, ["DnsExpert.Contract", "DnsExpert.Facts", "DnsExpert.Engine"]),
            Project("DnsExpert.Engine", "Microsoft.NET.Sdk", null, ["DnsExpert.Readers"]));

        Assert.Equal(
            [
                "DnsExpert.Facts references DnsExpert.Contract; it may reference only DnsExpert.Text",
                "DnsExpert.Readers references DnsExpert.Engine; it may reference only DnsExpert.Contract, DnsExpert.Facts, DnsExpert.Text",
                "DnsExpert.Text references DnsExpert.Facts; it may reference none of ours",
                "cycle: DnsExpert.Engine -> DnsExpert.Readers -> DnsExpert.Engine",
            ],
            ProjectGraph.Violations(graph));
    }

    [Fact]
    public void A_project_referencing_a_host_is_named_with_the_host()
    {
        var graph = Graph(
            Project("Cli", "Microsoft.NET.Sdk", "Exe", ["Server", "Core"]),
            Project("Server", "Microsoft.NET.Sdk.Web", null, ["Core"]),
            Project("Tool", "Microsoft.NET.Sdk", "Exe", []),
            Project("Core", "Microsoft.NET.Sdk", null, ["Tool"]));

        var violations = ProjectGraph.Violations(graph);

        Assert.Equal(2, violations.Count);
        Assert.Contains(violations, v => v.StartsWith("Cli references Server, a host", StringComparison.Ordinal));
        Assert.Contains(violations, v => v.StartsWith("Core references Tool, a host", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Microsoft.NET.Sdk", null, false)]
    [InlineData("Microsoft.NET.Sdk", "Library", false)]
    [InlineData("Microsoft.NET.Sdk", "Exe", true)]
    [InlineData("Microsoft.NET.Sdk.Web", null, true)]
    [InlineData("Microsoft.NET.Sdk.Web", "Exe", true)]
    [InlineData("Microsoft.NET.Sdk.Web", "Library", false)]
    public void A_host_is_an_exe_or_a_web_project_not_declared_a_library(string sdk, string? outputType, bool host)
    {
        Assert.Equal(host, Project("P", sdk, outputType, []).IsHost);
    }

    [Fact]
    public void A_cycle_is_named_once_through_every_project_in_it()
    {
        var graph = Graph(
            Project("A", "Microsoft.NET.Sdk", null, ["B"]),
            Project("B", "Microsoft.NET.Sdk", null, ["C"]),
            Project("C", "Microsoft.NET.Sdk", null, ["A", "D"]),
            Project("D", "Microsoft.NET.Sdk", null, []));

        Assert.Equal(["cycle: A -> B -> C -> A"], ProjectGraph.Violations(graph));
    }

    [Fact]
    public void A_library_may_not_reference_a_package_for_hosts_only()
    {
        var graph = Graph(
            Project("Cli", "Microsoft.NET.Sdk", "Exe", ["Agent"], "System.CommandLine"),
            Project("Agent", "Microsoft.NET.Sdk", null, [], "System.CommandLine", "KubernetesClient"));

        Assert.Equal(["Agent is a library and references System.CommandLine, a package for hosts only"], ProjectGraph.Violations(graph));
    }

    [Fact]
    public void A_reference_outside_the_tree_is_named()
    {
        var graph = Graph(Project("Api", "Microsoft.NET.Sdk", null, ["Helpers"]));

        Assert.Equal(["Api references Helpers, which is not a project of this tree"], ProjectGraph.Violations(graph));
    }
}
