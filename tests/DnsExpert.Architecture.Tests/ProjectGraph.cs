using System.Xml.Linq;

namespace DnsExpert.Architecture.Tests;

/// <summary>One project as its csproj declares it.</summary>
/// <param name="Name">The file name without <c>.csproj</c>.</param>
/// <param name="IsHost">An entry point: <c>OutputType</c> Exe, or the Web SDK without <c>OutputType</c> Library.</param>
/// <param name="References">The names of the projects it references.</param>
/// <param name="Packages">The NuGet packages it references.</param>
public sealed record ProjectNode(string Name, bool IsHost, IReadOnlyList<string> References, IReadOnlyList<string> Packages)
{
    public static ProjectNode Parse(string name, XDocument csproj)
    {
        var root = csproj.Root!;
        var outputType = root.Descendants("OutputType").Select(e => e.Value.Trim()).LastOrDefault();
        var web = string.Equals((string?)root.Attribute("Sdk"), "Microsoft.NET.Sdk.Web", StringComparison.OrdinalIgnoreCase);
        var isHost = outputType is { } type
            ? type.Equals("Exe", StringComparison.OrdinalIgnoreCase) || type.Equals("WinExe", StringComparison.OrdinalIgnoreCase)
            : web;
        var references = root.Descendants("ProjectReference")
            .Select(r => Path.GetFileNameWithoutExtension(((string)r.Attribute("Include")!).Replace('\\', '/')))
            .ToList();
        var packages = root.Descendants("PackageReference").Select(p => (string?)p.Attribute("Include")).OfType<string>().ToList();
        return new ProjectNode(name, isHost, references, packages);
    }
}

/// <summary>
/// The one-way rule of the house: hosts (the entry points) sit at the top and depend on libraries; nothing depends on a
/// host; no project reaches itself again through its references; libraries leave command lines and test harnesses to hosts.
/// </summary>
public static class ProjectGraph
{
    /// <summary>Packages for an entry point or a test run, never for a library.</summary>
    public static readonly IReadOnlySet<string> HostOnlyPackages = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "System.CommandLine",
        "Microsoft.AspNetCore.Mvc.Testing",
        "Microsoft.NET.Test.Sdk",
        "xunit",
        "BenchmarkDotNet",
    };

    /// <summary>
    /// The libraries at the bottom and the only projects each may reference: text beneath everything, the wire contract
    /// and the facts beside each other (neither knows the other), the readers that turn evidence into facts above them.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlySet<string>> Beneath = new Dictionary<string, IReadOnlySet<string>>(StringComparer.Ordinal)
    {
        ["DnsExpert.Text"] = new HashSet<string>(StringComparer.Ordinal),
        ["DnsExpert.Contract"] = new HashSet<string>(StringComparer.Ordinal) { "DnsExpert.Text" },
        ["DnsExpert.Facts"] = new HashSet<string>(StringComparer.Ordinal) { "DnsExpert.Text" },
        ["DnsExpert.Readers"] = new HashSet<string>(StringComparer.Ordinal) { "DnsExpert.Contract", "DnsExpert.Facts", "DnsExpert.Text" },
    };

    /// <summary>Every <c>*.csproj</c> below <paramref name="directory"/>, by name.</summary>
    public static IReadOnlyDictionary<string, ProjectNode> Load(string directory) =>
        Directory.EnumerateFiles(directory, "*.csproj", SearchOption.AllDirectories)
            .Select(path => ProjectNode.Parse(Path.GetFileNameWithoutExtension(path), XDocument.Load(path)))
            .ToDictionary(p => p.Name, StringComparer.Ordinal);

    /// <summary>What breaks the rule, one sentence each naming the projects (and the package) involved; empty when none.</summary>
    public static IReadOnlyList<string> Violations(IReadOnlyDictionary<string, ProjectNode> projects)
    {
        var violations = new List<string>();
        foreach (var project in projects.Values.OrderBy(p => p.Name, StringComparer.Ordinal))
        {
            foreach (var reference in project.References)
            {
                if (!projects.TryGetValue(reference, out var target))
                {
                    violations.Add($"{project.Name} references {reference}, which is not a project of this tree");
                }
                else if (target.IsHost)
                {
                    violations.Add($"{project.Name} references {reference}, a host: move what it needs into a library both can reference");
                }
                else if (Beneath.TryGetValue(project.Name, out var allowed) && !allowed.Contains(reference))
                {
                    var may = allowed.Count == 0 ? "none of ours" : "only " + string.Join(", ", allowed.Order(StringComparer.Ordinal));
                    violations.Add($"{project.Name} references {reference}; it may reference {may}");
                }
            }

            if (!project.IsHost)
            {
                violations.AddRange(project.Packages.Where(HostOnlyPackages.Contains)
                    .Select(package => $"{project.Name} is a library and references {package}, a package for hosts only"));
            }
        }

        violations.AddRange(Cycles(projects).Select(cycle => "cycle: " + string.Join(" -> ", cycle)));
        return violations;
    }

    /// <summary>Each cycle once, from its first project in name order back to it.</summary>
    private static List<IReadOnlyList<string>> Cycles(IReadOnlyDictionary<string, ProjectNode> projects)
    {
        var done = new HashSet<string>(StringComparer.Ordinal);
        var path = new List<string>();
        var cycles = new List<IReadOnlyList<string>>();
        void Visit(string name)
        {
            var at = path.IndexOf(name);
            if (at >= 0)
            {
                var cycle = path[at..];
                var start = cycle.IndexOf(cycle.Min(StringComparer.Ordinal)!);
                var rotated = cycle[start..].Concat(cycle[..start]).ToList();
                rotated.Add(rotated[0]);
                if (!cycles.Any(c => c.SequenceEqual(rotated)))
                {
                    cycles.Add(rotated);
                }

                return;
            }

            if (done.Contains(name) || !projects.TryGetValue(name, out var project))
            {
                return;
            }

            path.Add(name);
            foreach (var reference in project.References)
            {
                Visit(reference);
            }

            path.RemoveAt(path.Count - 1);
            done.Add(name);
        }

        foreach (var name in projects.Keys.Order(StringComparer.Ordinal))
        {
            Visit(name);
        }

        return cycles;
    }
}
