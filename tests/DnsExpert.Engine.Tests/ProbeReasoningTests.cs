using DnsExpert.Engine.Compilation;
using DnsExpert.Engine.Sessions;
using DnsExpert.Facts;
using DnsExpert.Testing;

namespace DnsExpert.Engine.Tests;

/// <summary>
/// The guide's pod-to-CoreDNS table as the rules of <c>rules/</c> read it: from one origin, the same query to the
/// ClusterIP and the pod IPs, over UDP and TCP, and ping. Service path, UDP 53 blocked and container network exclude
/// each other.
/// </summary>
public sealed class ProbeReasoningTests
{
    private const string ClusterIp = "172.21.0.10";
    private const string Pod1 = "172.20.6.53";
    private const string Pod2 = "172.20.8.21";
    private static readonly string[] Trio = ["app-to-kube-dns-unreachable", "udp53-blocked", "container-network-error"];
    private static readonly Lazy<Compilation.RuleBase> Rules = new(() => RuleBaseLoader.Load(RepoPaths.Rules));

    /// <summary>The probes a diagnosis runs from the application pod: (target, kind or transport).</summary>
    private static readonly (string Target, string Probe)[] Plan =
        [(ClusterIp, "udp"), (ClusterIp, "tcp"), (Pod1, "udp"), (Pod1, "tcp"), (Pod1, "ping"), (Pod2, "udp"), (Pod2, "ping")];

    private static ProbeResult Probe(int index, string target, string probe, string outcome) => new()
    {
        Source = "probe", Index = index, From = "default/web-7d4b9c-x2k4q", FromRole = "app", FromNode = "cn-hangzhou.192.168.0.199",
        Kind = probe == "ping" ? "ping" : "dns", Target = target, TargetRole = target == ClusterIp ? "kube-dns" : "coredns-pod",
        Transport = probe == "ping" ? null : probe, Name = probe == "ping" ? null : "kubernetes.default.svc.cluster.local",
        Type = probe == "ping" ? null : "A", Port = probe == "ping" ? null : 53, Outcome = outcome, Rcode = outcome == "answered" && probe != "ping" ? "NOERROR" : null,
        Description = $"{probe} {target}",
    };

    private static CoreDnsPod CoreDns(string ip) => new() { Source = "pod", Namespace = "kube-system", Name = "coredns-" + ip, Ip = ip, Ready = true, Phase = "Running" };

    private static List<string> Fired(IEnumerable<(string Target, string Probe, string Outcome)> probes)
    {
        List<object> facts = [CoreDns(Pod1), CoreDns(Pod2), .. probes.Select((p, i) => Probe(i, p.Target, p.Probe, p.Outcome))];
        return RuleSessionRunner.Run(Rules.Value, facts).Findings.Select(f => f.RuleId).Where(Trio.Contains).ToList();
    }

    [Fact]
    public void For_one_origin_at_most_one_of_service_path_udp53_and_container_network_fires_whatever_the_outcomes()
    {
        string?[] outcomes = ["answered", "timeout", null];
        var combinations = 0;
        foreach (var pick in Enumerable.Range(0, (int)Math.Pow(3, Plan.Length)))
        {
            var probes = new List<(string, string, string)>();
            var rest = pick;
            foreach (var (target, probe) in Plan)
            {
                if (outcomes[rest % 3] is { } outcome)
                {
                    probes.Add((target, probe, outcome));
                }

                rest /= 3;
            }

            var fired = Fired(probes);
            Assert.True(fired.Count <= 1, $"[{string.Join(", ", fired)}] from [{string.Join(", ", probes)}]");
            combinations++;
        }

        Assert.Equal(2187, combinations);
    }

    [Theory]
    // ClusterIP fails, the pod IPs answer the same query over the same transport: the Service path.
    [InlineData("app-to-kube-dns-unreachable", "udp:172.21.0.10:timeout", "udp:172.20.6.53:answered", "udp:172.20.8.21:answered")]
    // The issue's case: UDP fails everywhere, a pod answers only over TCP: UDP 53 blocked, not the Service path.
    [InlineData("udp53-blocked", "udp:172.21.0.10:timeout", "udp:172.20.6.53:timeout", "tcp:172.20.6.53:answered", "udp:172.20.8.21:timeout")]
    [InlineData("udp53-blocked", "udp:172.20.6.53:timeout", "ping:172.20.6.53:answered")]
    // UDP, TCP and ping to the same pod all fail: nothing answers, the container network.
    [InlineData("container-network-error", "udp:172.20.6.53:timeout", "tcp:172.20.6.53:timeout", "ping:172.20.6.53:timeout", "udp:172.21.0.10:timeout")]
    // UDP and TCP 53 fail with no ping run: nothing proves the target is up, so not udp53-blocked.
    [InlineData(null, "udp:172.20.6.53:timeout", "tcp:172.20.6.53:timeout")]
    // The ClusterIP fails but one pod IP fails the same query too: not the Service path.
    [InlineData(null, "udp:172.21.0.10:timeout", "udp:172.20.6.53:answered", "udp:172.20.8.21:timeout", "ping:172.20.8.21:answered")]
    public void The_guide_table_maps_each_pattern_to_one_cause(string? expected, params string[] probes)
    {
        var fired = Fired(probes.Select(p => p.Split(':')).Select(p => (p[1], p[0], p[2])));
        Assert.Equal(expected is null ? [] : [expected], fired);
    }
}
