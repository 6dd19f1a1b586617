namespace DnsExpert.Api.Hosting;

/// <summary>Finds the rule base when it is not configured: the nearest <c>rules/</c> directory with rule files.</summary>
public static class RulesDirectoryLocator
{
    public static string Locate(string? configured, params string[] startingPoints)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return Path.GetFullPath(configured);
        }

        foreach (var start in startingPoints.Where(s => !string.IsNullOrEmpty(s)))
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "rules");
                if (Directory.Exists(candidate) && Directory.EnumerateFiles(candidate, "*.yaml").Any())
                {
                    return candidate;
                }
            }
        }

        throw new DirectoryNotFoundException(
            "No rules/ directory found above " + string.Join(" or ", startingPoints) + ". Set DnsExpert:RulesDirectory (env DnsExpert__RulesDirectory).");
    }
}
