using System.Text.Json;
using DnsExpert.Core.Building;
using DnsExpert.Core.Contract;
using DnsExpert.Core.Facts;

namespace DnsExpert.Core.Tests;

/// <summary>
/// Workload objects become one fact each; what relates two of them through a computation (label selectors, CIDR
/// membership) becomes a derived fact the rules join by key.
/// </summary>
public sealed class WorkloadFactTests
{
    private const string TargetPod = """{"kind":"Pod","metadata":{"name":"web-0","namespace":"shop","labels":{"app":"web"}},"status":{"podIP":"172.20.7.45"}}""";
    private const string KubeDns = """{"kind":"Service","metadata":{"name":"kube-dns","namespace":"kube-system"},"spec":{"clusterIP":"172.21.0.10","selector":{"k8s-app":"kube-dns"}}}""";

    private static IReadOnlyList<object> Facts(params string[] objects) => SnapshotFactBuilder.Build(new DiagnosisRequest
    {
        Target = new TargetRef { Namespace = "shop", Pod = "web-0" },
        Snapshot = new Snapshot { Objects = [.. objects.Select(o => JsonDocument.Parse(o).RootElement)] },
    }).Facts;

    private static string Policy(string ns, string name, string egress) =>
        $$$"""{"kind":"NetworkPolicy","metadata":{"name":"{{{name}}}","namespace":"{{{ns}}}"},"spec":{"podSelector":{},"policyTypes":["Egress"],"egress":{{{egress}}}}}""";

    [Fact]
    public void Every_policy_is_a_fact_and_only_those_of_the_target_pods_namespace_select_it()
    {
        var facts = Facts(TargetPod, Policy("shop", "egress", "[]"), Policy("billing", "egress", "[]"));

        Assert.Equal(["shop/egress", "billing/egress"], facts.OfType<NetworkPolicyInfo>().Select(p => $"{p.Namespace}/{p.Name}"));
        var selects = Assert.Single(facts.OfType<PolicySelectsPod>());
        Assert.Equal(("shop", "egress", "web-0"), (selects.Namespace, selects.Policy, selects.Pod));
        Assert.Empty(facts.OfType<EgressAllowsDns>());
    }

    [Theory]
    [InlineData("""{"cidr":"172.21.0.0/16"}""", true)]
    [InlineData("""{"cidr":"172.21.0.0/16","except":["172.21.0.10/32"]}""", false)]
    [InlineData("""{"cidr":"10.0.0.0/8"}""", false)]
    public void An_ip_block_allows_dns_when_it_holds_the_kube_dns_address(string ipBlock, bool allowed)
    {
        var facts = Facts(TargetPod, KubeDns, Policy("shop", "egress", $$"""[{"to":[{"ipBlock":{{ipBlock}}}],"ports":[{"protocol":"UDP","port":53}]}]"""));

        Assert.Equal(allowed ? ["UDP"] : [], facts.OfType<EgressAllowsDns>().Select(e => e.Protocol));
    }

    [Fact]
    public void A_policy_that_restricts_only_ingress_allows_no_dns_egress_even_with_egress_rules()
    {
        var ingressOnly = """{"kind":"NetworkPolicy","metadata":{"name":"in","namespace":"shop"},"spec":{"podSelector":{},"policyTypes":["Ingress"],"egress":[{}]}}""";

        var facts = Facts(TargetPod, ingressOnly);

        Assert.False(Assert.Single(facts.OfType<NetworkPolicyInfo>()).RestrictsEgress);
        Assert.Single(facts.OfType<PolicySelectsPod>());
        Assert.Empty(facts.OfType<EgressAllowsDns>());
    }

    [Fact]
    public void A_services_selector_selects_a_statefulsets_pods_only_in_its_own_namespace()
    {
        const string set = """{"kind":"StatefulSet","metadata":{"name":"kafka","namespace":"mq"},"spec":{"serviceName":"kafka","template":{"metadata":{"labels":{"app":"kafka","tier":"data"}}}}}""";
        static string Service(string ns, string name, string clusterIp, string selector) =>
            $$$"""{"kind":"Service","metadata":{"name":"{{{name}}}","namespace":"{{{ns}}}"},"spec":{"clusterIP":"{{{clusterIp}}}","selector":{{{selector}}}}}""";

        var facts = Facts(
            set,
            Service("mq", "kafka-headless", "None", """{"app":"kafka"}"""),
            Service("mq", "kafka-client", "172.21.3.4", """{"app":"kafka","tier":"data"}"""),
            Service("mq", "zookeeper", "None", """{"app":"zookeeper"}"""),
            Service("mq-staging", "kafka", "None", """{"app":"kafka"}"""));

        Assert.Equal("kafka", Assert.Single(facts.OfType<StatefulSetInfo>()).ServiceName);
        Assert.Equal(["kafka-headless", "kafka-client"], facts.OfType<ServiceSelectsStatefulSet>().Where(s => s.StatefulSet == "kafka" && s.Namespace == "mq").Select(s => s.Service));
        Assert.Equal(2, facts.OfType<ServiceSelectsStatefulSet>().Count());
        Assert.Equal(["kafka-headless"], Assert.Single(facts.OfType<StatefulSetHeadlessServices>()).Names);
    }
}
