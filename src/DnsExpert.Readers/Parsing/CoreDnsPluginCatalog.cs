using DnsExpert.Facts;
using YamlDotNet.RepresentationModel;

namespace DnsExpert.Readers.Parsing;

/// <summary>When a plugin or option is part of CoreDNS: <see cref="Since"/> through <see cref="Last"/> (null: still is).</summary>
public sealed record CoreDnsRelease(ReleaseVersion Since, ReleaseVersion? Last, string? ReplacedBy);

/// <summary>
/// What a Corefile word the running CoreDNS refused is: <c>newer</c> (in-tree, from a later release than the running one),
/// <c>removed</c> (in-tree until an earlier release), <c>in-this-version</c> (the release has it: a custom build without
/// it, or the log is from another image), <c>external</c> (an out-of-tree plugin: no release has it),
/// <c>not-a-plugin</c> (a Corefile syntax error), or <c>unknown</c> (in none of the tables: a typo or an external plugin).
/// </summary>
public sealed record CorefileWordVerdict(string Kind, CoreDnsRelease? Release);

/// <summary>
/// The in-tree plugins and options of each CoreDNS release, the known external plugins and the words that are no plugin,
/// from <c>rules/data/coredns-plugins.yaml</c> (compiled in).
/// </summary>
public sealed class CoreDnsPluginCatalog
{
    private readonly Dictionary<string, CoreDnsRelease> _plugins;
    private readonly Dictionary<(string Plugin, string Option), CoreDnsRelease> _options;
    private readonly HashSet<string> _external;
    private readonly HashSet<string> _notPlugins;

    private CoreDnsPluginCatalog(ReleaseVersion checkedThrough, Dictionary<string, CoreDnsRelease> plugins,
        Dictionary<(string, string), CoreDnsRelease> options, HashSet<string> external, HashSet<string> notPlugins)
    {
        CheckedThrough = checkedThrough;
        _plugins = plugins;
        _options = options;
        _external = external;
        _notPlugins = notPlugins;
    }

    /// <summary>The table shipped with DnsExpert.</summary>
    public static CoreDnsPluginCatalog Default { get; } = LoadEmbedded();

    /// <summary>The newest release the table was checked against.</summary>
    public ReleaseVersion CheckedThrough { get; }

    public CoreDnsRelease? Plugin(string name) => _plugins.GetValueOrDefault(name);

    /// <summary>What the directive <paramref name="name"/> is for a CoreDNS of <paramref name="running"/> (null: unknown version).</summary>
    public CorefileWordVerdict Directive(string name, ReleaseVersion? running)
    {
        if (_plugins.TryGetValue(name, out var release))
        {
            return new(Place(release, running), release);
        }

        if (_external.Contains(name))
        {
            return new(CorefileWordVerdicts.External, null);
        }

        // A zone (".", "example.org:53"), a brace or an option written outside its plugin's block.
        return _notPlugins.Contains(name) || name.Length == 0 || name.AsSpan().ContainsAny(".:{}/")
            ? new(CorefileWordVerdicts.NotAPlugin, null)
            : new(CorefileWordVerdicts.Unknown, null);
    }

    /// <summary>What the option <paramref name="option"/> of <paramref name="plugin"/> is for a CoreDNS of <paramref name="running"/>.</summary>
    public CorefileWordVerdict Option(string? plugin, string option, ReleaseVersion? running)
    {
        if (plugin is not null && _options.TryGetValue((plugin, option), out var release))
        {
            return new(Place(release, running), release);
        }

        return new(CorefileWordVerdicts.Unknown, null);
    }

    private static string Place(CoreDnsRelease release, ReleaseVersion? running)
    {
        if (running is null)
        {
            return release.Last is null ? CorefileWordVerdicts.Newer : CorefileWordVerdicts.Removed;
        }

        // A vendor build (1.9.3.10-aliyun) has its upstream release's plugins: compare major.minor.patch only.
        var upstream = new ReleaseVersion(running.Numbers.Take(3).ToList(), "", running.Original);
        return upstream < release.Since ? CorefileWordVerdicts.Newer
            : release.Last is { } last && upstream > last ? CorefileWordVerdicts.Removed
            : CorefileWordVerdicts.InThisVersion;
    }

    private static CoreDnsPluginCatalog LoadEmbedded()
    {
        using var stream = typeof(CoreDnsPluginCatalog).Assembly.GetManifestResourceStream("coredns-plugins.yaml")
            ?? throw new InvalidOperationException("coredns-plugins.yaml is not compiled in");
        using var reader = new StreamReader(stream);
        return Parse(reader);
    }

    /// <summary>Reads the table; a malformed one throws (it ships with the code, so a test reads it).</summary>
    public static CoreDnsPluginCatalog Parse(TextReader text)
    {
        var yaml = new YamlStream();
        yaml.Load(text);
        var root = (YamlMappingNode)yaml.Documents[0].RootNode;
        var plugins = new Dictionary<string, CoreDnsRelease>(StringComparer.Ordinal);
        foreach (var (name, value) in (YamlMappingNode)root["plugins"])
        {
            plugins[Scalar(name)] = Release((YamlMappingNode)value);
        }

        var options = new Dictionary<(string, string), CoreDnsRelease>();
        foreach (var (plugin, list) in (YamlMappingNode)root["options"])
        {
            foreach (var (option, value) in (YamlMappingNode)list)
            {
                options[(Scalar(plugin), Scalar(option))] = Release((YamlMappingNode)value);
            }
        }

        return new CoreDnsPluginCatalog(
            ReleaseVersion.Parse(Scalar(root["checkedThrough"])),
            plugins,
            options,
            Words(root["external"]),
            Words(root["notPlugins"]));

        static CoreDnsRelease Release(YamlMappingNode map) => new(
            ReleaseVersion.Parse(Scalar(map["since"])),
            map.Children.TryGetValue("last", out var last) ? ReleaseVersion.Parse(Scalar(last)) : null,
            map.Children.TryGetValue("replacedBy", out var by) ? Scalar(by) : null);

        static HashSet<string> Words(YamlNode node) => ((YamlSequenceNode)node).Select(Scalar).ToHashSet(StringComparer.Ordinal);

        static string Scalar(YamlNode node) => ((YamlScalarNode)node).Value ?? "";
    }
}
