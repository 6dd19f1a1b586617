using DnsExpert.Contract;
using DnsExpert.Facts;
using DnsExpert.Readers.Building;
using DnsExpert.Testing;

namespace DnsExpert.Readers.Tests;

/// <summary>
/// The Prometheus server a CoreDNS pod's counters came from is the fact's own field (<see cref="CoreDnsMetrics.PrometheusServer"/>),
/// filled from the artifact that names it (<see cref="MetricsArtifact.Server"/>), for commands to take through their checks;
/// counters of a scrape have none.
/// </summary>
public sealed class PrometheusServerFieldTests
{
    private static CoreDnsMetrics Metrics(MetricsArtifact artifact) =>
        Assert.Single(SnapshotFactBuilder.Build(new DiagnosisRequest { Snapshot = new Snapshot { Metrics = [artifact] } }).Facts.OfType<CoreDnsMetrics>());

    [Theory]
    [InlineData("http://prometheus.monitoring:9090/", "http://prometheus.monitoring:9090/")]
    [InlineData("  https://prom.example.com/prometheus  ", "https://prom.example.com/prometheus")]
    [InlineData(null, null)]
    [InlineData("", null)]
    public void The_server_the_artifact_names_is_the_facts_field(string? server, string? expected)
    {
        var metrics = Metrics(new MetricsArtifact { Namespace = "kube-system", Pod = "coredns-5d78c9869d-abcde", Server = server, WindowMinutes = 15, Requests = 4000 });

        Assert.Equal(expected, metrics.PrometheusServer);
    }

    [Fact]
    public void A_scrapes_counters_have_no_server()
    {
        // A real CoreDNS 1.11.1 scrape (tests/fixtures/metrics/SOURCES.md).
        var scrape = File.ReadAllText(Path.Combine(RepoPaths.Root, "tests", "fixtures", "metrics", "coredns-1.11.1-panics-scrape2.txt"));
        var facts = SnapshotFactBuilder.Build(new DiagnosisRequest
        {
            Snapshot = new Snapshot
            {
                Outputs = [new CommandOutput { Command = "kubectl get --raw /api/v1/namespaces/kube-system/pods/coredns-5d78c9869d-abcde:9153/proxy/metrics", Text = scrape }],
            },
        }).Facts;

        Assert.Null(Assert.Single(facts.OfType<CoreDnsMetrics>()).PrometheusServer);
    }
}
