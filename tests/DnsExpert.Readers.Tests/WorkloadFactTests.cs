using System.Text.Json;
using DnsExpert.Contract;
using DnsExpert.Facts;
using DnsExpert.Readers.Building;

namespace DnsExpert.Readers.Tests;

/// <summary>
/// Workload objects become one fact each; what relates two of them through a computation (label selectors, CIDR
/// membership) becomes a derived fact the rules join by key.
/// </summary>
public sealed class WorkloadFactTests
{
    private const string TargetPod = """{"kind":"Pod","metadata":{"name":"web-0","namespace":"shop","labels":{"app":"web"}},"status":{"podIP":"172.20.7.45"}}""";
    private const string KubeDns = """{"kind":"Service","metadata":{"name":"kube-dns","namespace":"kube-system"},"spec":{"clusterIP":"172.21.0.10","selector":{"k8s-app":"kube-dns"}}}""";

    private const string CoreDnsPod = """{"kind":"Pod","metadata":{"name":"coredns-1","namespace":"kube-system","labels":{"k8s-app":"kube-dns"}},"spec":{"containers":[{"name":"coredns","ports":[{"containerPort":53,"name":"dns","protocol":"UDP"},{"containerPort":53,"name":"dns-tcp","protocol":"TCP"},{"containerPort":9153,"name":"metrics","protocol":"TCP"}]}]},"status":{"podIP":"172.20.6.53"}}""";
    private const string NodeLocalResolvConf = "nameserver 169.254.20.10\nsearch shop.svc.cluster.local svc.cluster.local cluster.local\noptions ndots:5\n";

    private static IReadOnlyList<object> Facts(params string[] objects) => Build(null, objects).Facts;

    private static FactSet Build(string? resolvConf, params string[] objects) => SnapshotFactBuilder.Build(new DiagnosisRequest
    {
        Target = new TargetRef { Namespace = "shop", Pod = "web-0" },
        Snapshot = new Snapshot
        {
            Objects = [.. objects.Select(o => JsonDocument.Parse(o).RootElement)],
            Files = resolvConf is null ? null : [new FileArtifact { Namespace = "shop", Pod = "web-0", Path = "/etc/resolv.conf", Text = resolvConf }],
        },
    });

    /// <summary>The protocols on which the policies selecting the target pod let it reach its DNS.</summary>
    private static List<string> Allowed(params string[] objects) => AllowedWith(null, objects);

    private static List<string> AllowedWith(string? resolvConf, params string[] objects) =>
        Build(resolvConf, objects).Facts.OfType<EgressAllowsDns>().Select(e => e.Protocol).Order(StringComparer.Ordinal).ToList();

    private static string Namespace(string name, string labels) =>
        $$$"""{"kind":"Namespace","metadata":{"name":"{{{name}}}","labels":{{{labels}}}}}""";

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

    [Theory]
    [InlineData("""[{"namespaceSelector":{"matchLabels":{"kubernetes.io/metadata.name":"kube-system"}},"podSelector":{"matchLabels":{"app":"db"}}}]""", false)]
    [InlineData("""[{"namespaceSelector":{"matchLabels":{"kubernetes.io/metadata.name":"kube-system"}}},{"podSelector":{"matchLabels":{"app":"db"}}}]""", true)]
    [InlineData("""[{"namespaceSelector":{"matchLabels":{"kubernetes.io/metadata.name":"shop"}},"podSelector":{"matchLabels":{"k8s-app":"kube-dns"}}}]""", false)]
    [InlineData("""[{"podSelector":{"matchLabels":{"k8s-app":"kube-dns"}}}]""", false)]
    [InlineData("""[{"namespaceSelector":{},"podSelector":{"matchLabels":{"k8s-app":"kube-dns"}}}]""", true)]
    public void Selectors_in_one_peer_are_anded_and_peers_are_ored(string to, bool allowed)
    {
        var policy = Policy("shop", "egress", $$"""[{"to":{{to}},"ports":[{"protocol":"UDP","port":53},{"protocol":"TCP","port":53}]}]""");

        Assert.Equal(allowed ? ["TCP", "UDP"] : [], Allowed(TargetPod, KubeDns, CoreDnsPod, policy));
    }

    [Fact]
    public void A_namespace_selector_matches_the_namespaces_labels_and_without_its_object_only_its_name_label()
    {
        var byRole = Policy("shop", "egress", """[{"to":[{"namespaceSelector":{"matchLabels":{"role":"kube-system"}},"podSelector":{"matchLabels":{"k8s-app":"kube-dns"}}}]}]""");
        var byName = Policy("shop", "egress", """[{"to":[{"namespaceSelector":{"matchLabels":{"kubernetes.io/metadata.name":"kube-system"}}}]}]""");

        Assert.Equal(["TCP", "UDP"], Allowed(TargetPod, KubeDns, CoreDnsPod, byRole, Namespace("kube-system", """{"role":"kube-system"}""")));
        Assert.Empty(Allowed(TargetPod, KubeDns, CoreDnsPod, byRole, Namespace("kube-system", """{"kubernetes.io/metadata.name":"kube-system"}""")));
        Assert.Equal(["TCP", "UDP"], Allowed(TargetPod, KubeDns, CoreDnsPod, byName));

        // Without the Namespace object only kubernetes.io/metadata.name is assumed, and the evidence says so.
        var facts = Build(null, TargetPod, KubeDns, CoreDnsPod, byRole).Facts;
        Assert.Empty(facts.OfType<EgressAllowsDns>());
        Assert.Contains("Namespace kube-system not read", Assert.Single(facts.OfType<PolicySelectsPod>()).Assumptions, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""[{"protocol":"UDP","port":"dns"},{"protocol":"TCP","port":"dns-tcp"}]""", "TCP,UDP")]
    [InlineData("""[{"protocol":"UDP","port":"dns"},{"protocol":"TCP","port":"dns"}]""", "UDP")]
    [InlineData("""[{"protocol":"UDP","port":"metrics"}]""", "")]
    [InlineData("""[{"port":53}]""", "TCP")]
    [InlineData("""[{"protocol":"UDP","port":1,"endPort":1024},{"protocol":"TCP","port":1,"endPort":1024}]""", "TCP,UDP")]
    [InlineData("""[{"protocol":"UDP","port":1024,"endPort":65535},{"protocol":"TCP","port":54,"endPort":65535}]""", "")]
    [InlineData("""[{"protocol":"UDP"}]""", "UDP")]
    [InlineData("""[]""", "TCP,UDP")]
    public void Ports_match_by_number_range_or_the_coredns_pods_port_name_and_default_to_tcp(string ports, string allowed)
    {
        var policy = Policy("shop", "egress", """[{"to":[{"namespaceSelector":{},"podSelector":{"matchLabels":{"k8s-app":"kube-dns"}}}],"ports":""" + ports + "}]");

        Assert.Equal(allowed, string.Join(',', Allowed(TargetPod, KubeDns, CoreDnsPod, policy)));
    }

    [Theory]
    [InlineData("""[{"to":[{"namespaceSelector":{},"podSelector":{"matchLabels":{"k8s-app":"kube-dns"}}}],"ports":[{"protocol":"UDP","port":53}]}]""", "")]
    [InlineData("""[{"to":[{"ipBlock":{"cidr":"169.254.20.10/32"}}],"ports":[{"protocol":"UDP","port":53}]}]""", "UDP")]
    [InlineData("""[{"to":[{"ipBlock":{"cidr":"169.254.0.0/16","except":["169.254.20.0/24"]}}],"ports":[{"protocol":"UDP","port":53}]}]""", "")]
    [InlineData("""[{"to":[{"ipBlock":{"cidr":"169.254.20.10/32"}}],"ports":[{"protocol":"UDP","port":"dns"}]}]""", "")]
    [InlineData("""[{"ports":[{"protocol":"UDP","port":53},{"protocol":"TCP","port":53}]}]""", "TCP,UDP")]
    public void NodeLocals_link_local_address_is_no_pod_and_only_an_ip_block_admits_it(string egress, string allowed)
    {
        var facts = Build(NodeLocalResolvConf, TargetPod, KubeDns, CoreDnsPod, Policy("shop", "egress", egress)).Facts;

        Assert.Equal(allowed, string.Join(',', facts.OfType<EgressAllowsDns>().Select(e => e.Protocol).Order(StringComparer.Ordinal)));
        Assert.StartsWith("NodeLocal DNSCache 169.254.20.10", Assert.Single(facts.OfType<PolicySelectsPod>()).DnsDestination, StringComparison.Ordinal);
    }

    [Fact]
    public void Another_link_local_resolver_is_no_pod_either()
    {
        var policy = Policy("shop", "egress", """[{"to":[{"namespaceSelector":{},"podSelector":{"matchLabels":{"k8s-app":"kube-dns"}}}]}]""");

        var facts = Build("nameserver 169.254.169.253\n", TargetPod, KubeDns, CoreDnsPod, policy).Facts;

        Assert.Empty(facts.OfType<EgressAllowsDns>());
        Assert.Equal("the link-local resolver 169.254.169.253 (not a pod: only an ipBlock admits it)", Assert.Single(facts.OfType<PolicySelectsPod>()).DnsDestination);
    }

    [Fact]
    public void Pod_peers_selecting_the_coredns_pods_admit_traffic_to_the_kube_dns_cluster_ip()
    {
        // kube-proxy rewrites the ClusterIP to a CoreDNS pod's address before most CNIs apply policy.
        var policy = Policy("shop", "egress", """[{"to":[{"namespaceSelector":{},"podSelector":{"matchLabels":{"k8s-app":"kube-dns"}}}],"ports":[{"protocol":"UDP","port":53}]}]""");

        Assert.Equal(["UDP"], AllowedWith("nameserver 172.21.0.10\n", TargetPod, KubeDns, CoreDnsPod, policy));
    }

    [Theory]
    [InlineData("""{"podSelector":{},"egress":[{"to":[{"ipBlock":{"cidr":"10.0.0.0/8"}}]}]}""", true)]
    [InlineData("""{"podSelector":{},"egress":[]}""", false)]
    [InlineData("""{"podSelector":{},"policyTypes":["Ingress","Egress"]}""", true)]
    [InlineData("""{"podSelector":{},"policyTypes":["Ingress"]}""", false)]
    public void Egress_is_restricted_when_policy_types_say_so_or_without_them_when_egress_rules_exist(string spec, bool restricts)
    {
        var policy = $$"""{"kind":"NetworkPolicy","metadata":{"name":"p","namespace":"shop"},"spec":{{spec}}}""";

        Assert.Equal(restricts, Assert.Single(Facts(TargetPod, policy).OfType<NetworkPolicyInfo>()).RestrictsEgress);
    }

    [Fact]
    public void Calico_and_cilium_policies_are_named_as_not_evaluated_and_never_read_as_kubernetes_ones()
    {
        var calico = """{"apiVersion":"projectcalico.org/v3","kind":"NetworkPolicy","metadata":{"name":"default.deny","namespace":"shop"},"spec":{"selector":"all()","types":["Egress"]}}""";
        var global = """{"apiVersion":"crd.projectcalico.org/v1","kind":"GlobalNetworkPolicy","metadata":{"name":"deny-egress"},"spec":{"selector":"all()"}}""";
        var cilium = """{"apiVersion":"cilium.io/v2","kind":"CiliumNetworkPolicy","metadata":{"name":"l7","namespace":"billing"},"spec":{}}""";

        var built = Build(null, TargetPod, calico, global, cilium);

        Assert.Empty(built.Facts.OfType<NetworkPolicyInfo>());
        var notes = built.Collection.Where(c => c.Detail != null && c.Detail.Contains("not evaluated", StringComparison.Ordinal)).Select(c => c.Source).ToList();
        Assert.Equal(["Calico NetworkPolicy shop/default.deny", "Calico GlobalNetworkPolicy deny-egress"], notes);
    }

    [Fact]
    public void Typed_lists_keep_their_api_group_so_calicos_network_policy_list_is_not_kubernetes_and_namespaces_are_read()
    {
        // A typed list's items carry neither kind nor apiVersion: the list's say whose they are.
        var calicoList = """{"apiVersion":"projectcalico.org/v3","kind":"NetworkPolicyList","items":[{"metadata":{"name":"allow-web","namespace":"shop"},"spec":{"selector":"app == 'web'"}}]}""";
        var namespaces = """{"apiVersion":"v1","kind":"List","items":[{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"kube-system","labels":{"kubernetes.io/metadata.name":"kube-system","role":"kube-system"}}}]}""";
        var byRole = Policy("shop", "egress", """[{"to":[{"namespaceSelector":{"matchLabels":{"role":"kube-system"}}}]}]""");

        var built = Build(null, TargetPod, KubeDns, CoreDnsPod, calicoList, namespaces, byRole);

        Assert.Equal(["egress"], built.Facts.OfType<NetworkPolicyInfo>().Select(p => p.Name));
        Assert.Equal(["TCP", "UDP"], built.Facts.OfType<EgressAllowsDns>().Select(e => e.Protocol).Order(StringComparer.Ordinal));
        Assert.Contains(built.Collection, c => c.Source == "Calico NetworkPolicy shop/allow-web");
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
