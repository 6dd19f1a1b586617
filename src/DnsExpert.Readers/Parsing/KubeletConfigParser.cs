using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace DnsExpert.Readers.Parsing;

/// <summary>
/// What a KubeletConfiguration says about DNS: the file kubelet hands to pods with dnsPolicy Default (CoreDNS among
/// them) as their resolv.conf. Reads the YAML of <c>/var/lib/kubelet/config.yaml</c> and of the kubeadm
/// <c>kube-system/kubelet-config</c> ConfigMap, the JSON of EKS's <c>kubelet-config.json</c>, and the node's
/// <c>/configz</c> answer (<c>{"kubeletconfig": {...}}</c>).
/// </summary>
public static class KubeletConfigParser
{
    /// <summary>Kubelet's default when the configuration does not set <c>resolvConf</c>.</summary>
    public const string DefaultResolvConf = "/etc/resolv.conf";

    /// <summary>Longer text is not read as a kubelet configuration.</summary>
    public const int MaxLength = 64 * 1024;

    /// <summary>
    /// Is <paramref name="text"/> a KubeletConfiguration (or a configz answer), and which resolv.conf does it name?
    /// <c>Found</c> false when the text is none; <c>ResolvConf</c> is kubelet's default when the key is absent, and
    /// empty when set to "" (pods then get no nameserver from the node).
    /// </summary>
    public static (bool Found, string ResolvConf) ResolvConf(string text)
    {
        // Only what names itself is parsed: a pasted output of megabytes is no kubelet configuration (a real one is a few KB).
        if (text.Length > MaxLength || (!text.Contains("KubeletConfiguration", StringComparison.Ordinal) && !text.Contains("kubeletconfig", StringComparison.Ordinal)))
        {
            return (false, DefaultResolvConf);
        }

        YamlMappingNode? root;
        try
        {
            var yaml = new YamlStream();
            yaml.Load(new StringReader(text));
            root = yaml.Documents.Count > 0 ? yaml.Documents[0].RootNode as YamlMappingNode : null;
        }
        catch (YamlException)
        {
            return (false, DefaultResolvConf);
        }

        if (root is not null && Value(root, "kubeletconfig") is YamlMappingNode configz)
        {
            root = configz;
        }
        else if (root is null || (Value(root, "kind") as YamlScalarNode)?.Value != "KubeletConfiguration")
        {
            return (false, DefaultResolvConf);
        }

        return (true, Value(root, "resolvConf") is YamlScalarNode { Value: { } path } ? path.Trim() : DefaultResolvConf);
    }

    private static YamlNode? Value(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;
}
