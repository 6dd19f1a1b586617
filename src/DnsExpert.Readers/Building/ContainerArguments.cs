namespace DnsExpert.Readers.Building;

/// <summary>The command line of a container as its pod spec writes it (<c>command</c> then <c>args</c>), with the flag forms Go programs take.</summary>
internal static class ContainerArguments
{
    /// <summary>
    /// A flag's value as Go's <c>flag</c> package sets it (node-cache's flags): <c>-name value</c>, <c>--name value</c>,
    /// <c>-name=value</c> or <c>--name=value</c>, <c>true</c> for a flag alone; the last occurrence wins (each sets it
    /// again), and nothing after <c>--</c> is a flag.
    /// </summary>
    public static string? Flag(IReadOnlyList<string> args, string name)
    {
        string? value = null;
        for (var i = 0; i < args.Count && args[i] != "--"; i++)
        {
            if (!args[i].StartsWith('-'))
            {
                continue;
            }

            var arg = args[i].TrimStart('-');
            if (arg == name)
            {
                value = i + 1 < args.Count && !args[i + 1].StartsWith('-') ? args[++i] : "true";
            }
            else if (arg.StartsWith(name + "=", StringComparison.Ordinal))
            {
                value = arg[(name.Length + 1)..];
            }
        }

        return value;
    }

    /// <summary>
    /// A long flag's value as spf13/pflag (cobra's flags: kube-proxy's, kubelet's) sets it: <c>--name=value</c> or
    /// <c>--name value</c> (the next argument, whatever it starts with), the last occurrence winning (each sets it
    /// again); <c>-name</c> is no long flag there (a single dash is shorthand letters), and nothing after <c>--</c> is a flag.
    /// </summary>
    public static string? LongFlag(IReadOnlyList<string> args, string name)
    {
        string? value = null;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg == "--")
            {
                break;
            }

            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                continue;
            }

            var rest = arg.AsSpan(2);
            if (rest.SequenceEqual(name) && i + 1 < args.Count)
            {
                value = args[++i];
            }
            else if (rest.StartsWith(name, StringComparison.Ordinal) && rest.Length > name.Length && rest[name.Length] == '=')
            {
                value = rest[(name.Length + 1)..].ToString();
            }
        }

        return value;
    }
}
