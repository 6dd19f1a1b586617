using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DnsExpert.Api.Tests;

/// <summary>
/// The guide's routing for a symptom alone (KNOWLEDGE.md, "Routing"): a server-unreachable error is routed by how often
/// it fails, a name-not-found error by the kind of name. Each combination gives the causes the guide names for it as
/// unverified hypotheses with a check each, and not the causes it sends elsewhere; the packet capture is always last.
/// </summary>
public sealed class GuideRoutingTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private const string Timeout = "dial tcp: lookup api.partner-example.com on 10.96.0.10:53: read udp 172.20.1.9:41234->10.96.0.10:53: i/o timeout";

    public static TheoryData<string, string, string, string[], string[]> Routes => new()
    {
        // server-unreachable, by frequency: every time -> the path to CoreDNS is broken.
        { Timeout, "always", "api.partner-example.com", ["kube-dns-no-endpoints", "networkpolicy-blocks-dns-egress", "udp53-blocked", "app-to-kube-dns-unreachable", "coredns-pod-not-running"], ["conntrack-table-full", "ipvs-udp-stale-backend", "parallel-a-aaaa-race"] },
        // only at peak -> load: conntrack, CoreDNS and the client's node.
        { Timeout, "peak", "api.partner-example.com", ["conntrack-table-full", "coredns-overloaded", "client-node-overloaded"], ["udp53-blocked", "kube-dns-no-endpoints", "ipvs-udp-stale-backend"] },
        // often -> the A/AAAA race, load, unbalanced CoreDNS.
        { Timeout, "often", "api.partner-example.com", ["parallel-a-aaaa-race", "conntrack-table-full", "coredns-load-unbalanced"], ["ipvs-udp-stale-backend", "udp53-blocked"] },
        // rarely -> the race and the client's node, not a broken path.
        { Timeout, "rarely", "api.partner-example.com", ["parallel-a-aaaa-race", "client-node-overloaded"], ["conntrack-table-full", "kube-dns-no-endpoints", "networkpolicy-blocks-dns-egress"] },
        // only while nodes or CoreDNS scale -> IPVS keeps sending UDP to removed backends.
        { Timeout, "scaling", "api.partner-example.com", ["ipvs-udp-stale-backend"], ["conntrack-table-full", "udp53-blocked", "kube-dns-no-endpoints"] },
        // name-not-found, by the name's kind: a headless Service's pod name -> the headless cases.
        { "dial tcp: lookup mysql-0.mysql.db.svc.cluster.local on 10.96.0.10:53: no such host", "always", "mysql-0.mysql.db.svc.cluster.local", ["statefulset-servicename-mismatch", "headless-tolerate-unready-annotation", "service-name-not-found"], ["external-domain-upstream-error", "privatezone-prefer-udp-missing", "app-to-kube-dns-unreachable"] },
        // an external name -> the upstream's answer, not the cluster's Services.
        { "dial tcp: lookup api.partner-example.com on 10.96.0.10:53: no such host", "always", "api.partner-example.com", ["external-domain-upstream-error"], ["service-name-not-found", "statefulset-servicename-mismatch", "headless-response-truncated"] },
        // a PrivateZone (vpc-proxy) name -> prefer_udp in the forward block, and the upstream's answer.
        { "dial tcp: lookup rm-abc.mysql.vpc-proxy.rds.aliyuncs.com on 10.96.0.10:53: no such host", "always", "rm-abc.mysql.vpc-proxy.rds.aliyuncs.com", ["privatezone-prefer-udp-missing", "external-domain-upstream-error"], ["service-name-not-found", "headless-coredns-before-1.7", "statefulset-servicename-mismatch"] },
        // ambiguous (curl cannot tell NXDOMAIN from a timeout) -> the causes of both classes for that frequency and name.
        { "curl: (6) Could not resolve host: api.partner-example.com", "always", "api.partner-example.com", ["external-domain-upstream-error", "udp53-blocked", "kube-dns-no-endpoints", "networkpolicy-blocks-dns-egress"], ["service-name-not-found", "ipvs-udp-stale-backend", "conntrack-table-full", "headless-response-truncated"] },
        { "ping: orders.shop.svc.cluster.local: Name or service not known", "rarely", "orders.shop.svc.cluster.local", ["service-name-not-found", "parallel-a-aaaa-race", "client-node-overloaded"], ["external-domain-upstream-error", "privatezone-prefer-udp-missing", "kube-dns-no-endpoints"] },
    };

    /// <summary>
    /// The guide's symptom table first: among the unverified hypotheses, those its row for the reported frequency or
    /// name kind lists (<c>routing.listedUnder</c>) come before every other, the cheapest check first among them.
    /// </summary>
    public static TheoryData<string, string, string, string[]> Rows => new()
    {
        { Timeout, "always", "api.partner-example.com", ["container-network-error", "pod-dnspolicy-none-without-nameservers", "udp53-blocked"] },
        { Timeout, "peak", "api.partner-example.com", ["client-node-overloaded", "conntrack-table-full", "coredns-overloaded"] },
        { Timeout, "often", "api.partner-example.com", ["coredns-load-unbalanced", "coredns-overloaded", "coredns-pod-not-running"] },
        { Timeout, "rarely", "api.partner-example.com", ["client-node-overloaded", "parallel-a-aaaa-race"] },
        { Timeout, "scaling", "api.partner-example.com", ["ipvs-udp-stale-backend"] },
        { "dial tcp: lookup rm-abc.mysql.vpc-proxy.rds.aliyuncs.com on 10.96.0.10:53: no such host", "always", "rm-abc.mysql.vpc-proxy.rds.aliyuncs.com", ["privatezone-prefer-udp-missing"] },
        { "dial tcp: lookup mysql-0.mysql.db.svc.cluster.local on 10.96.0.10:53: no such host", "often", "mysql-0.mysql.db.svc.cluster.local", ["statefulset-servicename-mismatch"] },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public async Task The_causes_the_guide_lists_under_the_reported_row_come_first(string error, string frequency, string name, string[] listed)
    {
        var diagnosis = await Diagnose(new JsonObject
        {
            ["target"] = new JsonObject { ["namespace"] = "shop", ["pod"] = "web-0" },
            ["domain"] = name,
            ["symptom"] = new JsonObject { ["errorMessage"] = error, ["frequency"] = frequency },
        });

        var unverified = diagnosis.GetProperty("hypotheses").EnumerateArray()
            .Where(h => h.GetProperty("status").GetString() == "unverified")
            .Select(h => h.GetProperty("ruleId").GetString()!).ToList();
        Assert.Equal(listed.Order(StringComparer.Ordinal), unverified.Take(listed.Length).Order(StringComparer.Ordinal));
        Assert.True(unverified.Count > listed.Length, "the row's causes come first, not alone");
    }

    /// <summary>
    /// A headless Service's name (the Service is known: a symptom alone cannot tell a headless Service from another):
    /// the guide's headless causes come first, checked before the cluster-wide ones.
    /// </summary>
    [Fact]
    public async Task A_headless_Service_name_is_routed_to_the_headless_causes_first()
    {
        var service = JsonNode.Parse("""
            {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "kafka", "namespace": "data"},
             "spec": {"clusterIP": "None", "selector": {"app": "kafka"}, "ports": [{"port": 9092}]}}
            """)!;
        var diagnosis = await Diagnose(new JsonObject
        {
            ["target"] = new JsonObject { ["namespace"] = "shop", ["pod"] = "web-0" },
            ["domain"] = "kafka.data.svc.cluster.local",
            ["symptom"] = new JsonObject { ["errorMessage"] = "dial tcp: lookup kafka.data.svc.cluster.local on 10.96.0.10:53: no such host", ["frequency"] = "often" },
            ["snapshot"] = new JsonObject { ["objects"] = new JsonArray(service) },
        });

        var hypotheses = diagnosis.GetProperty("hypotheses").EnumerateArray().ToList();
        var unverified = hypotheses.Where(h => h.GetProperty("status").GetString() == "unverified").Select(h => h.GetProperty("ruleId").GetString()!).ToList();
        // The Service was read and has no tolerate-unready annotation: that cause is out, whatever the versions.
        var headless = new[] { "headless-coredns-before-1.7", "headless-response-truncated" };
        Assert.Equal(headless.Order(StringComparer.Ordinal), unverified.Take(2).Order(StringComparer.Ordinal));
        Assert.Equal("ruled-out", hypotheses.Single(h => h.GetProperty("ruleId").GetString() == "headless-tolerate-unready-annotation").GetProperty("status").GetString());
        Assert.DoesNotContain("external-domain-upstream-error", hypotheses.Select(h => h.GetProperty("ruleId").GetString()));
        Assert.DoesNotContain("privatezone-prefer-udp-missing", hypotheses.Select(h => h.GetProperty("ruleId").GetString()));
    }

    /// <summary>
    /// No error message, only a name and how often it fails: the name's kind routes (the causes the guide lists for that
    /// kind of name first, the one listed under its row before the others), the frequency orders within, and the
    /// classification, still <c>unknown</c>, says what was inferred from the name.
    /// </summary>
    public static TheoryData<string, string, string, string[], string[], string> NameRoutes => new()
    {
        // A StatefulSet pod's name: the Service's serviceName, then the headless causes and whether the name exists,
        // before the race and the client's node that "rarely" alone routes to.
        { "web-0.nginx.ns.svc.cluster.local", "rarely", "statefulset-servicename-mismatch",
            ["headless-tolerate-unready-annotation", "headless-response-truncated", "headless-coredns-before-1.7", "service-name-not-found"],
            ["parallel-a-aaaa-race", "client-node-overloaded", "coredns-load-unbalanced"], "a StatefulSet pod's name (the pod web-0 under the headless Service nginx in namespace ns)" },
        { "kafka-0.kafka.data.svc.cluster.local", "scaling", "statefulset-servicename-mismatch",
            ["headless-tolerate-unready-annotation", "service-name-not-found"], ["ipvs-udp-stale-backend", "coredns-no-lameduck"], "the reported frequency (scaling)" },
        // An external name: the upstream's answer, before the load causes of "peak".
        { "api.partner-example.com", "peak", "external-domain-upstream-error",
            ["coredns-upstream-unreachable"], ["conntrack-table-full", "coredns-overloaded", "client-node-overloaded"], "an external name" },
        // Absolute, and "rarely": autopath (listed under external names, routed by "rarely" too) first.
        { "api.partner-example.com.", "rarely", "coredns-autopath-enabled",
            ["external-domain-upstream-error", "coredns-upstream-unreachable"], ["parallel-a-aaaa-race", "client-node-overloaded"], "an absolute external name" },
        // A Service's name: autopath ("often" routes there too), whether the name exists and CoreDNS's view of the
        // Services, before the load causes of "often".
        { "orders.shop.svc.cluster.local", "often", "coredns-autopath-enabled",
            ["service-name-not-found", "coredns-apiserver-unreachable"], ["coredns-load-unbalanced", "coredns-overloaded", "parallel-a-aaaa-race"], "the Service orders in namespace shop" },
    };

    [Theory]
    [MemberData(nameof(NameRoutes))]
    public async Task A_name_and_a_frequency_without_an_error_message_route_by_the_names_kind(
        string name, string frequency, string first, string[] before, string[] after, string inferred)
    {
        var diagnosis = await Diagnose(new JsonObject
        {
            ["target"] = new JsonObject { ["namespace"] = "shop", ["pod"] = "web-0" },
            ["domain"] = name,
            ["symptom"] = new JsonObject { ["frequency"] = frequency },
        });

        var unverified = diagnosis.GetProperty("hypotheses").EnumerateArray()
            .Where(h => h.GetProperty("status").GetString() == "unverified")
            .Select(h => h.GetProperty("ruleId").GetString()!).ToList();
        var order = string.Join(", ", unverified);
        Assert.True(unverified[0] == first, order);
        foreach (var (early, late) in before.SelectMany(b => after.Select(a => (b, a))))
        {
            Assert.True(unverified.IndexOf(early) is var e && e >= 0 && unverified.IndexOf(late) is var l && (l < 0 || e < l), $"{early} before {late}: {order}");
        }

        var classification = diagnosis.GetProperty("classification");
        Assert.Equal("unknown", classification.GetProperty("class").GetString());
        var explanation = classification.GetProperty("explanation").GetString()!;
        Assert.StartsWith("Inferred from the name's form, no error message: ", explanation, StringComparison.Ordinal);
        Assert.Contains(inferred, explanation, StringComparison.Ordinal);
        // The first check serves a cause of the name's kind, not one the frequency alone routes to.
        var checkedFirst = diagnosis.GetProperty("nextChecks")[0].GetProperty("ruleIds").EnumerateArray().Select(r => r.GetString()!).ToList();
        Assert.True(checkedFirst.Intersect([first, .. before]).Any(), string.Join(", ", checkedFirst));
    }

    private async Task<JsonElement> Diagnose(JsonObject request)
    {
        var response = await factory.CreateClient().PostAsync("/api/v1/diagnoses", new StringContent(request.ToJsonString(), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Json();
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task A_symptom_alone_is_routed_as_the_guide_routes_it(string error, string frequency, string name, string[] routed, string[] elsewhere)
    {
        var diagnosis = await Diagnose(new JsonObject
        {
            ["target"] = new JsonObject { ["namespace"] = "shop", ["pod"] = "web-0" },
            ["domain"] = name,
            ["symptom"] = new JsonObject { ["errorMessage"] = error, ["frequency"] = frequency },
        });

        var hypotheses = diagnosis.GetProperty("hypotheses").EnumerateArray().ToList();
        var ids = hypotheses.Select(h => h.GetProperty("ruleId").GetString()!).ToList();
        Assert.Empty(diagnosis.GetProperty("findings").EnumerateArray()); // nothing was read: nothing is claimed
        Assert.Subset(ids.ToHashSet(), routed.ToHashSet());
        Assert.Empty(ids.Intersect(elsewhere));
        Assert.Equal("packet-capture-recommended", ids[^1]);
        foreach (var id in routed)
        {
            var hypothesis = hypotheses.Single(h => h.GetProperty("ruleId").GetString() == id);
            Assert.Equal("unverified", hypothesis.GetProperty("status").GetString());
            Assert.NotEmpty(hypothesis.GetProperty("checks").EnumerateArray());
        }
    }
}
