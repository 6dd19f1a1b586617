using System.Buffers;
using System.Net;
using System.Net.Sockets;

namespace DnsExpert.Text;

/// <summary>What a value put into a copyable command must be, so that it is an argument of that kind and never an option.</summary>
public enum CommandValueKind
{
    /// <summary>A DNS name, an IP address, or an IP address with a port (<c>10.0.0.10:53</c>, <c>[fd00::a]:53</c>).</summary>
    NameOrAddress,

    /// <summary>A DNS name (letters, digits, <c>-</c> and <c>_</c>; no label starts with <c>-</c>; a final dot is allowed).</summary>
    DnsName,

    /// <summary>An IPv4 or IPv6 address, nothing else.</summary>
    IpAddress,

    /// <summary>A Kubernetes namespace: an RFC 1123 label.</summary>
    Namespace,

    /// <summary>A Kubernetes object name (pod, node): an RFC 1123 subdomain.</summary>
    ObjectName,

    /// <summary>An object as kubectl names it, <c>kind/name</c> (<c>configmap/kube-proxy-worker</c>): a lower-case kind and an object name.</summary>
    ObjectReference,

    /// <summary>
    /// A label selector of equality and set requirements, <c>key=value[,key in (value,value)]</c>
    /// (<c>dns.operator.openshift.io/daemonset-dns=default</c>, <c>k8s-app in (kube-dns,coredns)</c>): each key an
    /// optional DNS-subdomain prefix and <c>/</c> and a name, each value a label value (none empty), <c>in</c> written
    /// with one space either side and its values with none.
    /// </summary>
    LabelSelector,
}

/// <summary>The kind of value a property gives to a command (<c>{{ known.KubeDnsIp }}</c>): checked where the value is filled in.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class CommandValueAttribute(CommandValueKind kind) : Attribute
{
    public CommandValueKind Kind { get; } = kind;
}

/// <summary>
/// Checks a value before it goes into a command: one that is not a name or an address of its kind (<c>-f/etc/shadow</c>,
/// <c>+tcp</c>, <c>@evil</c>, <c>--kubeconfig=x</c>) would be read as an option by <c>dig</c>, <c>kubectl</c> or
/// <c>grep</c> even when quoted, so it is never written; the template writes a placeholder instead.
/// </summary>
public static class CommandValue
{
    private static readonly SearchValues<char> AddressChars = SearchValues.Create("0123456789abcdefABCDEF:.");

    public static bool Fits(string value, CommandValueKind kind) => kind switch
    {
        CommandValueKind.DnsName => IsDnsName(value),
        CommandValueKind.IpAddress => IsIpAddress(value),
        CommandValueKind.Namespace => DnsNames.IsDnsLabel(value),
        CommandValueKind.ObjectName => DnsNames.IsDnsSubdomain(value),
        CommandValueKind.ObjectReference => value.IndexOf('/', StringComparison.Ordinal) is > 0 and var slash
            && value[..slash].All(char.IsAsciiLetterLower) && DnsNames.IsDnsSubdomain(value[(slash + 1)..]),
        CommandValueKind.LabelSelector => value.Length is > 0 and <= 1024 && Requirements(value).All(IsLabelRequirement),
        _ => IsDnsName(value) || IsIpAddress(value) || IsAddressWithPort(value),
    };

    /// <summary>What a value of <paramref name="kind"/> is, for the note that says why a placeholder stands in a command.</summary>
    public static string Describe(CommandValueKind kind) => kind switch
    {
        CommandValueKind.DnsName => "a DNS name",
        CommandValueKind.IpAddress => "an IP address",
        CommandValueKind.Namespace => "a Kubernetes namespace name",
        CommandValueKind.ObjectName => "a Kubernetes object name",
        CommandValueKind.ObjectReference => "a Kubernetes object as kind/name",
        CommandValueKind.LabelSelector => "a label selector key=value or key in (value,value)",
        _ => "a DNS name or an IP address",
    };

    /// <summary>The requirements of a selector: split at the commas outside a set's parentheses.</summary>
    private static IEnumerable<string> Requirements(string selector)
    {
        var (start, depth) = (0, 0);
        for (var i = 0; i < selector.Length; i++)
        {
            depth += selector[i] switch { '(' => 1, ')' => -1, _ => 0 };
            if (selector[i] == ',' && depth == 0)
            {
                yield return selector[start..i];
                start = i + 1;
            }
        }

        yield return selector[start..];
    }

    /// <summary>
    /// <c>[prefix/]name=value</c> or <c>[prefix/]name in (value,value)</c>: a label key (prefix a DNS subdomain, name a
    /// label name) and non-empty label values.
    /// </summary>
    private static bool IsLabelRequirement(string requirement)
    {
        var set = requirement.IndexOf(" in (", StringComparison.Ordinal);
        if (set > 0)
        {
            return IsLabelKey(requirement[..set]) && requirement.EndsWith(')')
                && requirement[(set + " in (".Length)..^1].Split(',').All(v => v.Length > 0 && IsLabelName(v));
        }

        var equals = requirement.IndexOf('=', StringComparison.Ordinal);
        if (equals <= 0)
        {
            return false;
        }

        var value = requirement[(equals + 1)..];
        return IsLabelKey(requirement[..equals]) && value.Length > 0 && IsLabelName(value);
    }

    private static bool IsLabelKey(string key)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        return (slash < 0 || DnsNames.IsDnsSubdomain(key[..slash])) && IsLabelName(key[(slash + 1)..]);
    }

    /// <summary>A label name or value: at most 63 characters, alphanumeric at both ends, <c>-</c>, <c>_</c> and <c>.</c> between.</summary>
    public static bool IsLabelName(string name) =>
        name.Length is > 0 and <= 63 && char.IsAsciiLetterOrDigit(name[0]) && char.IsAsciiLetterOrDigit(name[^1])
        && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    private static bool IsDnsName(string value) =>
        DnsNames.IsDomainName(value) && !value.StartsWith('-') && !value.Contains(".-", StringComparison.Ordinal);

    private static bool IsIpAddress(string value) =>
        value.Length is > 0 and <= 45 && !value.AsSpan().ContainsAnyExcept(AddressChars) && IPAddress.TryParse(value, out var ip)
        && (ip.AddressFamily == AddressFamily.InterNetworkV6 || value.Count(c => c == '.') == 3);

    /// <summary><c>10.0.0.10:53</c> or <c>[fd00::a]:53</c>.</summary>
    private static bool IsAddressWithPort(string value)
    {
        var colon = value.LastIndexOf(':');
        if (colon <= 0 || !ushort.TryParse(value.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _))
        {
            return false;
        }

        var host = value[..colon];
        return host.StartsWith('[') && host.EndsWith(']')
            ? IsIpAddress(host[1..^1]) && host.Contains(':', StringComparison.Ordinal)
            : IsIpAddress(host) && !host.Contains(':', StringComparison.Ordinal);
    }
}
