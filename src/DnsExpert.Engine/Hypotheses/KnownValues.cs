using DnsExpert.Core.Facts;
using DnsExpert.Core.Text;

namespace DnsExpert.Engine.Hypotheses;

/// <summary>
/// What a <c>collect:</c> command of a rule file can name (<c>{{ known.Pod }}</c>): the request's target and failing
/// name and what the facts say about kube-dns and CoreDNS. An unknown value is a <see cref="Placeholder"/> the user
/// replaces (<c>&lt;pod&gt;</c>); a known one becomes one shell word when it is a value of its
/// <see cref="CommandValueAttribute"/> kind, else the placeholder again (a failing name <c>-f/etc/shadow</c> from an
/// error message is no name, and would be an option to <c>dig</c>).
/// </summary>
public sealed class KnownValues
{
    [CommandValue(CommandValueKind.Namespace)]
    public object Namespace { get; init; } = new Placeholder("<namespace>");
    [CommandValue(CommandValueKind.ObjectName)]
    public object Pod { get; init; } = new Placeholder("<pod>");

    /// <summary>
    /// The namespace of the Service the failing name names (<c>orders.prdo.svc.cluster.local</c>: <c>prdo</c>), where its
    /// Services are listed; the target's namespace when the name names none.
    /// </summary>
    [CommandValue(CommandValueKind.Namespace)]
    public object ServiceNamespace { get; init; } = new Placeholder("<namespace>");
    [CommandValue(CommandValueKind.DnsName)]
    public object Name { get; init; } = new Placeholder("<name>");
    [CommandValue(CommandValueKind.IpAddress)]
    public object KubeDnsIp { get; init; } = new Placeholder("<kube-dns-ip>");
    [CommandValue(CommandValueKind.ObjectName)]
    public object CoreDnsPod { get; init; } = new Placeholder("<coredns-pod>");
    [CommandValue(CommandValueKind.IpAddress)]
    public object CoreDnsPodIp { get; init; } = new Placeholder("<coredns-pod-ip>");
    [CommandValue(CommandValueKind.ObjectName)]
    public object CoreDnsNode { get; init; } = new Placeholder("<coredns-node>");

    /// <summary>The first plain DNS address the Corefile's root <c>forward</c> names (not a file, not CoreDNS itself).</summary>
    [CommandValue(CommandValueKind.NameOrAddress)]
    public object Upstream { get; init; } = new Placeholder("<upstream>");

    /// <summary>
    /// Fact types that record what was seen (a CoreDNS log line of a kind) whose source was read: none of them is not
    /// a missing fact but a clean source.
    /// </summary>
    public IReadOnlySet<string> Observed { get; init; } = new HashSet<string>();

    /// <summary>
    /// From the request (<paramref name="targetNamespace"/>, <paramref name="pod"/>, the failing <paramref name="name"/>,
    /// the DNS <paramref name="server"/> the error message names) and the facts (kube-dns Service, CoreDNS pods).
    /// </summary>
    public static KnownValues From(IReadOnlyList<object> facts, string? targetNamespace, string? pod, string? name, string? server, IReadOnlySet<string>? observed = null)
    {
        var kubeDns = facts.OfType<KubeDnsService>().FirstOrDefault(s => !string.IsNullOrEmpty(s.ClusterIp));
        var coreDns = facts.OfType<CoreDnsPod>().OrderBy(p => p.Ready).ThenBy(p => p.Name, StringComparer.Ordinal).FirstOrDefault();
        var queried = facts.OfType<QueriedName>().FirstOrDefault();
        var unknown = new KnownValues();
        var ns = (object?)NullIfEmpty(targetNamespace) ?? (pod is null ? unknown.Namespace : "default");
        return new KnownValues
        {
            Namespace = ns,
            ServiceNamespace = (object?)NullIfEmpty(queried?.ServiceNamespace) ?? ns,
            Pod = (object?)NullIfEmpty(pod) ?? unknown.Pod,
            Name = (object?)NullIfEmpty(name) ?? (object?)queried?.Name ?? unknown.Name,
            KubeDnsIp = (object?)kubeDns?.ClusterIp ?? (object?)HostOf(server) ?? unknown.KubeDnsIp,
            CoreDnsPod = (object?)coreDns?.Name ?? unknown.CoreDnsPod,
            CoreDnsPodIp = (object?)NullIfEmpty(coreDns?.Ip) ?? unknown.CoreDnsPodIp,
            CoreDnsNode = (object?)NullIfEmpty(coreDns?.Node) ?? unknown.CoreDnsNode,
            Upstream = (object?)facts.OfType<CorefileUpstream>().Where(u => u.From == "." && u.Address is not null && !u.IsLoopback)
                .Select(u => u.Address).FirstOrDefault() ?? unknown.Upstream,
            Observed = observed ?? unknown.Observed,
        };
    }

    private static string? NullIfEmpty(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;

    /// <summary>The address of <c>10.96.0.10:53</c> or <c>[fd00::a]:53</c>, as an error message names its server.</summary>
    private static string? HostOf(string? server)
    {
        if (string.IsNullOrWhiteSpace(server))
        {
            return null;
        }

        if (server.StartsWith('['))
        {
            var end = server.IndexOf(']', StringComparison.Ordinal);
            return end > 1 ? server[1..end] : null;
        }

        var colon = server.LastIndexOf(':');
        return colon > 0 && server.IndexOf(':', StringComparison.Ordinal) == colon ? server[..colon] : server;
    }
}

/// <summary>A value the user fills in (<c>&lt;pod&gt;</c>): written into a command as it is, never from a request.</summary>
public sealed record Placeholder(string Text)
{
    public override string ToString() => Text;
}
