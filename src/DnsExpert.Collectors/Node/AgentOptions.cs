namespace DnsExpert.Collectors.Node;

/// <summary>
/// What a node agent may probe (configuration section <c>DnsExpert:Agent</c>, or <c>dnsexpert agent --allow-cidr</c> and
/// <c>--dns-port</c>): the cluster's Service, pod and node ranges, and the DNS port.
/// </summary>
public sealed class AgentOptions
{
    public const string Section = "DnsExpert:Agent";

    /// <summary>Private ranges, where Service, pod and node CIDRs live: not the internet, loopback or link-local (cloud metadata).</summary>
    public static readonly IReadOnlyList<string> DefaultCidrs = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7"];

    /// <summary>The ranges probes may go to; empty means <see cref="DefaultCidrs"/>. Set the cluster's own ranges.</summary>
    public List<string> AllowedCidrs { get; set; } = [];

    /// <summary>The ports DNS probes may use; empty means 53. Add a port only where CoreDNS pods listen elsewhere.</summary>
    public List<int> DnsPorts { get; set; } = [];
}
