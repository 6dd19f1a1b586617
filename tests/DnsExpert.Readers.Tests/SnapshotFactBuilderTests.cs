using System.Text.Json;
using DnsExpert.Contract;
using DnsExpert.Facts;
using DnsExpert.Readers.Building;

namespace DnsExpert.Readers.Tests;

/// <summary>What one producer derives from another's facts reaches it: the composition hands each its inputs.</summary>
public sealed class SnapshotFactBuilderTests
{
    private static JsonElement Json(string json) => JsonDocument.Parse(json).RootElement;

    private static DiagnosisRequest ParallelQueriesFrom(string client) => new()
    {
        Target = new TargetRef { Namespace = "shop", Pod = "web-0" },
        Domain = "api.partner-example.com",
        Snapshot = new Snapshot
        {
            Objects = [Json("""{"kind":"Pod","metadata":{"name":"web-0","namespace":"shop"},"spec":{"containers":[{"name":"web","image":"alpine:3.19"}]},"status":{"podIP":"172.20.7.45"}}""")],
            Logs =
            [
                new LogArtifact
                {
                    Namespace = "kube-system", Pod = "coredns-5d78c9869d-abcde", Container = "coredns",
                    Text = $"""
                        2024-05-13T08:21:44.031882211Z [INFO] {client}:40112 - 5021 "A IN payments.shop.svc.cluster.local. udp 60 false 512" NOERROR qr,aa,rd 130 0.000201s
                        2024-05-13T08:21:44.031990114Z [INFO] {client}:40112 - 5022 "AAAA IN payments.shop.svc.cluster.local. udp 60 false 512" NOERROR qr,aa,rd 166 0.000201s
                        """,
                },
            ],
        },
    };

    [Theory]
    [InlineData("172.20.7.45", true)]
    [InlineData("172.20.7.46", false)]
    public void Parallel_queries_from_the_target_pods_address_concern_the_failure(string client, bool concerns)
    {
        var pair = Assert.Single(SnapshotFactBuilder.Build(ParallelQueriesFrom(client)).Facts.OfType<CoreDnsParallelQuery>());

        Assert.Equal(client, pair.Client);
        Assert.Equal(concerns, pair.ConcernsFailure);
    }
}
