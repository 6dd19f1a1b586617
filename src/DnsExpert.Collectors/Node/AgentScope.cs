using System.Globalization;
using System.Net;
using System.Net.Sockets;
using DnsExpert.Collectors.Probes;

namespace DnsExpert.Collectors.Node;

/// <summary>
/// The agent's check of a probe plan that came over the network: bounded, DNS on the allowed ports only, every target a
/// canonically written address inside the allowed ranges, DNS names only as the question. So a token holder cannot use
/// the agent to map ports or hosts outside the cluster's own DNS.
/// </summary>
public sealed class AgentScope
{
    private readonly IReadOnlyList<IPNetwork> _networks;
    private readonly IReadOnlySet<int> _ports;

    private AgentScope(IReadOnlyList<IPNetwork> networks, IReadOnlySet<int> ports)
    {
        _networks = networks;
        _ports = ports;
    }

    /// <summary>The scope of <paramref name="options"/>; a range or port that does not parse stops start-up, named.</summary>
    public static AgentScope From(AgentOptions options)
    {
        var networks = new List<IPNetwork>();
        foreach (var cidr in options.AllowedCidrs.Count > 0 ? options.AllowedCidrs : AgentOptions.DefaultCidrs)
        {
            // Written as meant: a canonical address with no bits past the prefix (10.0.0.1/8 is a typo, not 10.0.0.0/8).
            if (!IPNetwork.TryParse(cidr, out var network) || !TryParseCanonical(cidr.Split('/')[0], out var start) || !start.Equals(network.BaseAddress))
            {
                throw new ArgumentException($"{AgentOptions.Section}:AllowedCidrs: '{cidr}' is not a CIDR range such as 10.96.0.0/12", nameof(options));
            }

            networks.Add(network);
        }

        var ports = options.DnsPorts.Count > 0 ? options.DnsPorts : [53];
        if (ports.Where(p => p is < 1 or > 65535).Select(p => (int?)p).FirstOrDefault() is { } bad)
        {
            throw new ArgumentException($"{AgentOptions.Section}:DnsPorts: {bad} is not a port", nameof(options));
        }

        return new AgentScope(networks, ports.ToHashSet());
    }

    public string Describe() => $"{string.Join(", ", _networks)}; DNS port(s) {string.Join(", ", _ports.Order())}";

    /// <summary>Why the agent must refuse <paramref name="plan"/>, naming the field, or null.</summary>
    public string? Refuse(NodeProbePlan? plan)
    {
        if (plan?.Dns is null || plan.Ping is null)
        {
            return "dns, ping: a plan needs both lists";
        }

        if (plan.Dns.Count > NodeProbePlan.MaxDns || plan.Ping.Count > NodeProbePlan.MaxPing)
        {
            return $"dns, ping: at most {NodeProbePlan.MaxDns} DNS probes and {NodeProbePlan.MaxPing} pings";
        }

        for (var i = 0; i < plan.Dns.Count; i++)
        {
            var probe = plan.Dns[i];
            var field = $"dns[{i.ToString(CultureInfo.InvariantCulture)}]";
            var reason = probe is null ? $"{field}: missing"
                : RefuseTarget(probe.Server) is { } target ? $"{field}.server: {target}"
                : !_ports.Contains(probe.Port) ? $"{field}.port: only DNS port(s) {string.Join(", ", _ports.Order())}"
                : probe.Type is not ("A" or "AAAA") ? $"{field}.type: A or AAAA"
                : !Enum.IsDefined(probe.Transport) ? $"{field}.transport: udp or tcp"
                : !Contract.RequestValidator.IsDomainName(probe.Name) || IsAddress(probe.Name) ? $"{field}.name: a DNS name to ask"
                : null;
            if (reason is not null)
            {
                return reason;
            }
        }

        for (var i = 0; i < plan.Ping.Count; i++)
        {
            if (RefuseTarget(plan.Ping[i]) is { } reason)
            {
                return $"ping[{i.ToString(CultureInfo.InvariantCulture)}]: {reason}";
            }
        }

        return null;
    }

    private string? RefuseTarget(string? value)
    {
        if (!TryParseCanonical(value, out var address))
        {
            return "an IP address written as a dotted quad or standard IPv6";
        }

        return _networks.Any(n => n.Contains(address)) ? null : "outside the agent's allowed ranges";
    }

    private static bool IsAddress(string? value) => IPAddress.TryParse(value, out _);

    /// <summary>
    /// Only the usual spellings: four decimal octets without leading zeros, or IPv6 in hex groups (no zone, no embedded
    /// IPv4). Refuses what <see cref="IPAddress.TryParse(string?, out IPAddress?)"/> also accepts (<c>167772161</c>,
    /// <c>0x0a.0.0.1</c>, <c>010.0.0.1</c>, <c>10.1</c>), which would pass a text filter yet reach another address.
    /// </summary>
    public static bool TryParseCanonical(string? value, out IPAddress address)
    {
        address = IPAddress.None;
        if (string.IsNullOrEmpty(value) || value.Length > 39 || !IPAddress.TryParse(value, out var parsed))
        {
            return false;
        }

        var canonical = parsed.AddressFamily switch
        {
            AddressFamily.InterNetwork => parsed.ToString() == value,
            AddressFamily.InterNetworkV6 => value.All(c => char.IsAsciiHexDigit(c) || c == ':') && !parsed.IsIPv4MappedToIPv6,
            _ => false,
        };
        if (canonical)
        {
            address = parsed;
        }

        return canonical;
    }
}
