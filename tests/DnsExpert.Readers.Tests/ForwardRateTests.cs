using DnsExpert.Contract;
using DnsExpert.Facts;
using DnsExpert.Readers.Building;

namespace DnsExpert.Readers.Tests;

/// <summary>
/// What a CoreDNS pod's <c>forward</c> sent each upstream over a Prometheus window, as a rate: the counts a window of
/// known length gives (<see cref="MetricsArtifact.ForwardRequests"/>); pasted scrapes give none, not knowing how far apart they were.
/// </summary>
public sealed class ForwardRateTests
{
    [Fact]
    public void A_prometheus_window_gives_each_pods_rate_to_each_upstream()
    {
        var request = new DiagnosisRequest
        {
            Snapshot = new Snapshot
            {
                Metrics =
                [
                    new MetricsArtifact
                    {
                        Namespace = "kube-system", Pod = "coredns-5d78c9869d-abcde", Server = "http://prometheus:9090/", WindowMinutes = 15,
                        Time = new DateTimeOffset(2021, 6, 2, 9, 40, 0, TimeSpan.Zero),
                        ForwardRequests = new Dictionary<string, long> { ["10.28.0.2:53"] = 1_382_400, ["10.28.40.10:53"] = 900 },
                    },
                ],
            },
        };
        var rates = SnapshotFactBuilder.Build(request).Facts.OfType<CoreDnsForwardRate>().OrderBy(r => r.To, StringComparer.Ordinal).ToList();
        Assert.Equal([("10.28.0.2:53", 1536.0), ("10.28.40.10:53", 1.0)], rates.Select(r => (r.To, r.PerSecond)));
        Assert.Equal("1,382,400 queries forwarded to 10.28.0.2:53 over 15 min to 2021-06-02 09:40 UTC: 1,536 a second on average", rates[0].Describe);
    }

    [Fact]
    public void Without_the_series_there_is_no_rate()
    {
        var request = new DiagnosisRequest
        {
            Snapshot = new Snapshot { Metrics = [new MetricsArtifact { Namespace = "kube-system", Pod = "coredns-5d78c9869d-abcde", WindowMinutes = 15, Requests = 4000 }] },
        };
        Assert.Empty(SnapshotFactBuilder.Build(request).Facts.OfType<CoreDnsForwardRate>());
    }
}
