using System.Text.Json;
using DnsExpert.Core.Building;
using DnsExpert.Core.Contract;
using DnsExpert.Core.Facts;

namespace DnsExpert.Core.Tests;

/// <summary>The failing name's kind, which routes the hypotheses: from the Service when the snapshot has it, else from the name's shape.</summary>
public sealed class QueriedNameKindTests
{
    private static string Kind(string name, params string[] objects)
    {
        var request = new DiagnosisRequest
        {
            Domain = name,
            Snapshot = new Snapshot { Objects = [.. objects.Select(o => JsonDocument.Parse(o).RootElement.Clone())] },
        };
        return SnapshotFactBuilder.Build(request).Facts.OfType<QueriedName>().Single().Kind;
    }

    private static string Service(string ns, string name, string clusterIp) =>
        $$$"""{"apiVersion": "v1", "kind": "Service", "metadata": {"name": "{{{name}}}", "namespace": "{{{ns}}}"}, "spec": {"clusterIP": "{{{clusterIp}}}", "ports": [{"port": 3306}]}}""";

    [Theory]
    [InlineData("mysql-0.mysql.db.svc.cluster.local", "statefulset-pod")] // a pod record exists only under a headless Service
    [InlineData("mysql.db.svc.cluster.local", "internal")]                // a Service name alone says nothing of its kind
    [InlineData("api.partner-example.com", "external")]
    public void Without_the_service_the_names_shape_decides(string name, string kind) => Assert.Equal(kind, Kind(name));

    [Fact]
    public void With_the_service_its_cluster_ip_decides()
    {
        Assert.Equal("headless", Kind("mysql.db.svc.cluster.local", Service("db", "mysql", "None")));
        Assert.Equal("statefulset-pod", Kind("mysql-0.mysql.db.svc.cluster.local", Service("db", "mysql", "None")));
        Assert.Equal("internal", Kind("mysql-0.mysql.db.svc.cluster.local", Service("db", "mysql", "10.96.4.7")));
    }
}
