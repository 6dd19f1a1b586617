using System.Text.Json;
using DnsExpert.Contract;
using DnsExpert.Facts;
using DnsExpert.Readers.Building;

namespace DnsExpert.Readers.Tests;

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

    [Theory]
    [InlineData("kubernetes.default")]        // the name of Kubernetes' own "Debugging DNS Resolution" page
    [InlineData("kubernetes.default.svc")]
    [InlineData("kube-dns.kube-system")]
    [InlineData("mysql.db.svc")]
    [InlineData("mysql")]
    public void A_relative_name_the_search_list_completes_into_the_cluster_is_internal(string name) => Assert.Equal("internal", Kind(name));

    [Fact]
    public void A_service_dot_namespace_name_is_internal_when_the_snapshot_knows_the_namespace()
    {
        Assert.Equal("internal", Kind("orders.shop", Service("shop", "orders", "10.96.4.7")));
        Assert.Equal("headless", Kind("orders.shop", Service("shop", "orders", "None")));
        Assert.Equal("external", Kind("orders.shop")); // .shop is also a public suffix: without the namespace it stays external
        Assert.Equal("external", Kind("kubernetes.default."));
        Assert.Equal("statefulset-pod", Kind("mysql-0.mysql.db.svc"));
    }

    [Fact]
    public void A_relative_cluster_name_names_its_service()
    {
        var request = new DiagnosisRequest { Domain = "kubernetes.default", Snapshot = new Snapshot() };
        var name = SnapshotFactBuilder.Build(request).Facts.OfType<QueriedName>().Single();

        Assert.Equal(("kubernetes", "default", true), (name.ServiceName, name.ServiceNamespace, name.IsInternal));
    }

    [Fact]
    public void With_the_service_its_cluster_ip_decides()
    {
        Assert.Equal("headless", Kind("mysql.db.svc.cluster.local", Service("db", "mysql", "None")));
        Assert.Equal("statefulset-pod", Kind("mysql-0.mysql.db.svc.cluster.local", Service("db", "mysql", "None")));
        Assert.Equal("internal", Kind("mysql-0.mysql.db.svc.cluster.local", Service("db", "mysql", "10.96.4.7")));
    }
}
