using DnsExpert.Contract;
using DnsExpert.Facts;
using DnsExpert.Readers.Building;

namespace DnsExpert.Readers.Tests;

/// <summary>
/// The CoreDNS pods ask the same upstreams (one Corefile): an upstream's errors are counted over every cluster DNS pod's
/// log as well as in each one (<see cref="CoreDnsLogEvent.ClusterEndpointLines"/>), so a few timeouts in each of two
/// pods' logs last as long as they do together. Lines from kubernetes/kubernetes#91518 (one pod's timeouts to
/// 119.29.29.29), spread over two pods here, with made timestamps.
/// </summary>
public sealed class UpstreamErrorsAcrossPodsTests
{
    private static LogArtifact Log(string pod, params string[] lines) =>
        new() { Namespace = "kube-system", Pod = pod, Container = "coredns", Text = string.Join('\n', lines) };

    private static List<CoreDnsLogEvent> UpstreamErrors(params LogArtifact[] logs) =>
        SnapshotFactBuilder.Build(new DiagnosisRequest { Snapshot = new Snapshot { Logs = [.. logs] } })
            .Facts.OfType<CoreDnsLogEvent>().Where(e => e.Kind == "upstream-error").ToList();

    [Fact]
    public void An_upstream_named_in_two_pods_logs_is_counted_over_both_and_each_keeps_its_own_count()
    {
        var events = UpstreamErrors(
            Log("coredns-1",
                "2020-05-28T08:21:44.000000000Z [ERROR] plugin/errors: 2 accountant-server-http-provider-6b8756994f-zzf49. A: read udp 172.30.57.16:53039->119.29.29.29:53: i/o timeout",
                "2020-05-28T08:21:50.000000000Z [ERROR] plugin/errors: 2 finance-server-dubbo-provider-c87459f9f-2fdlj. A: read udp 172.30.57.16:45224->119.29.29.29:53: i/o timeout"),
            Log("coredns-2",
                "2020-05-28T08:22:59.000000000Z [ERROR] plugin/errors: 2 datacenter-dubbo-provider-85d7f5b57-8zqm2. A: read udp 172.30.58.9:49197->119.29.29.29:53: i/o timeout",
                "2020-05-28T08:23:01.000000000Z [ERROR] plugin/errors: 2 datacenter-dubbo-provider-85d7f5b57-8zqm2. A: read udp 172.30.58.9:49198->8.8.8.8:53: i/o timeout"));

        var first = events.Where(e => e is { Pod: "coredns-1", Endpoint: "119.29.29.29:53" }).ToList();
        Assert.Equal(2, first.Count);
        Assert.All(first, e => Assert.Equal((2, (double?)6, 3, (double?)75, 2),
            (e.EndpointLines, e.EndpointSpanSeconds, e.ClusterEndpointLines, e.ClusterEndpointSpanSeconds, e.EndpointPods)));
        var second = Assert.Single(events, e => e is { Pod: "coredns-2", Endpoint: "119.29.29.29:53" });
        Assert.Equal((1, (double?)0, 3, (double?)75, 2),
            (second.EndpointLines, second.EndpointSpanSeconds, second.ClusterEndpointLines, second.ClusterEndpointSpanSeconds, second.EndpointPods));
        // Another upstream's lines are not counted with it.
        var other = Assert.Single(events, e => e.Endpoint == "8.8.8.8:53");
        Assert.Equal((1, 1, (double?)0, 1), (other.EndpointLines, other.ClusterEndpointLines, other.ClusterEndpointSpanSeconds, other.EndpointPods));
    }

    [Fact]
    public void A_log_that_is_no_cluster_dns_pods_is_not_counted()
    {
        var events = UpstreamErrors(
            Log("coredns-1", "[ERROR] plugin/errors: 2 accountant-server-http-provider-6b8756994f-zzf49. A: read udp 172.30.57.16:53039->119.29.29.29:53: i/o timeout"),
            new LogArtifact
            {
                Namespace = "default",
                Pod = "web-1",
                Container = "web",
                Text = "[ERROR] plugin/errors: 2 finance-server-dubbo-provider-c87459f9f-2fdlj. A: read udp 172.30.57.16:45224->119.29.29.29:53: i/o timeout",
            });

        var only = Assert.Single(events);
        Assert.Equal((1, 1, 1, (double?)null), (only.EndpointLines, only.ClusterEndpointLines, only.EndpointPods, only.ClusterEndpointSpanSeconds));
    }
}
