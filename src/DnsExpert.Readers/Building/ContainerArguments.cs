namespace DnsExpert.Readers.Building;

/// <summary>The command line of a container as its pod spec writes it (<c>command</c> then <c>args</c>), with the flag forms Go programs take.</summary>
internal static class ContainerArguments
{
    /// <summary>A flag's value at its first occurrence: <c>-name value</c>, <c>--name value</c>, <c>-name=value</c> or <c>--name=value</c>; <c>true</c> for a flag alone.</summary>
    public static string? Flag(IReadOnlyList<string> args, string name)
    {
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i].TrimStart('-');
            if (args[i].StartsWith('-') && arg == name)
            {
                return i + 1 < args.Count && !args[i + 1].StartsWith('-') ? args[i + 1] : "true";
            }

            if (args[i].StartsWith('-') && arg.StartsWith(name + "=", StringComparison.Ordinal))
            {
                return arg[(name.Length + 1)..];
            }
        }

        return null;
    }
}
