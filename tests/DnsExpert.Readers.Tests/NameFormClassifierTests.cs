using DnsExpert.Facts;
using DnsExpert.Readers.Classification;

namespace DnsExpert.Readers.Tests;

/// <summary>A name's form from its labels alone, in the cluster's own zone (not always cluster.local).</summary>
public sealed class NameFormClassifierTests
{
    private static readonly HashSet<string> Namespaces = ["default", "shop"];

    private static NameShape Classify(string name, string zone = "cluster.local", string? ns = "shop") =>
        NameFormClassifier.Classify(name, zone, ns, Namespaces.Contains);

    [Theory]
    [InlineData("orders.shop.svc.cluster.local", NameForms.Service, "shop", "orders", null)]
    [InlineData("web-0.nginx.ns.svc.cluster.local", NameForms.ServicePod, "ns", "nginx", "web-0")]
    [InlineData("web-0.nginx.ns.svc.cluster.local.", NameForms.ServicePod, "ns", "nginx", "web-0")]
    [InlineData("_http._tcp.nginx.ns.svc.cluster.local", NameForms.Service, "ns", "nginx", null)] // SRV: the Service's
    [InlineData("a.b.web-0.nginx.ns.svc.cluster.local", NameForms.ClusterOther, "ns", "nginx", null)]
    [InlineData("10-244-1-5.shop.pod.cluster.local", NameForms.PodIp, null, null, null)]
    [InlineData("fd00-10-244--5.shop.pod.cluster.local", NameForms.PodIp, null, null, null)]
    [InlineData("web-0.shop.pod.cluster.local", NameForms.ClusterOther, null, null, null)] // not an address
    [InlineData("cluster.local", NameForms.ClusterOther, null, null, null)]
    [InlineData("shop.svc.cluster.local", NameForms.ClusterOther, null, null, null)]
    [InlineData("orders", NameForms.ShortName, "shop", "orders", null)]
    [InlineData("orders.shop", NameForms.Service, "shop", "orders", null)]              // a namespace the request knows
    [InlineData("kafka-0.kafka.data.svc", NameForms.ServicePod, "data", "kafka", "kafka-0")]
    [InlineData("10-244-1-5.shop.pod", NameForms.PodIp, null, null, null)]
    [InlineData("orders.example", NameForms.External, null, null, null)]                // not a namespace it knows
    [InlineData("api.partner-example.com", NameForms.External, null, null, null)]
    [InlineData("api.partner-example.com.", NameForms.ExternalRooted, null, null, null)]
    [InlineData("orders.shop.", NameForms.ExternalRooted, null, null, null)]            // absolute: no search list
    public void The_labels_tell_the_form(string name, string form, string? ns, string? service, string? host)
    {
        var shape = Classify(name);

        Assert.Equal((form, ns, service, host), (shape.Form, shape.ServiceNamespace, shape.ServiceName, shape.Hostname));
        Assert.Equal(name.EndsWith('.'), shape.IsFullyQualified);
    }

    [Fact]
    public void The_zone_is_the_clusters_domain()
    {
        Assert.Equal(NameForms.ServicePod, Classify("web-0.nginx.ns.svc.corp.internal", "corp.internal").Form);
        Assert.Equal(NameForms.External, Classify("web-0.nginx.ns.svc.cluster.local", "corp.internal").Form);
        Assert.Equal(NameForms.Service, Classify("Orders.Shop.SVC.Corp.Internal.", "corp.internal.").Form);
    }

    [Fact]
    public void A_short_name_without_the_pods_namespace_names_no_service()
    {
        var shape = Classify("orders", ns: null);

        Assert.Equal((NameForms.ShortName, null, null), (shape.Form, shape.ServiceNamespace, shape.ServiceName));
        Assert.True(shape.InCluster);
    }

    [Fact]
    public void A_name_of_many_long_labels_is_one_split_and_one_suffix_test()
    {
        // 60 labels of 60 characters under svc: not a name Kubernetes serves, whatever its Service-like tail.
        var name = string.Join('.', Enumerable.Repeat(new string('a', 60), 60)) + ".svc.cluster.local";

        Assert.Equal(NameForms.ClusterOther, Classify(name).Form);
    }
}
