namespace DnsExpert.Testing;

/// <summary>Finds the repository's folders from the test's output directory.</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();
    public static string Rules => Path.Combine(Root, "rules");

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "DnsExpert.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("DnsExpert.sln not found above " + AppContext.BaseDirectory);
    }
}
