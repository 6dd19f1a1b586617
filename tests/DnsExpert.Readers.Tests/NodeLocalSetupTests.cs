using System.Text.Json;
using System.Text.Json.Nodes;
using DnsExpert.Contract;
using DnsExpert.Facts;
using DnsExpert.Readers.Building;

namespace DnsExpert.Readers.Tests;

/// <summary>
/// NodeLocal DNSCache in every mode (issue 21, class 3): its address is what its DaemonSet says (<c>-localip</c>, else
/// its Corefile's <c>bind</c>), found under each layout's names; when it takes over the kube-dns ClusterIP a pod asking
/// the ClusterIP uses it. The manifests are the real ones of tests/fixtures/nodelocal (SOURCES.md there).
/// </summary>
public sealed class NodeLocalSetupTests
{
    private const string KubeDns = """{"kind":"Service","metadata":{"name":"kube-dns","namespace":"kube-system"},"spec":{"clusterIP":"10.96.0.10","selector":{"k8s-app":"kube-dns"}}}""";
    private const string KubesprayCoreDns = """{"kind":"Service","metadata":{"name":"coredns","namespace":"kube-system"},"spec":{"clusterIP":"10.233.0.3","selector":{"k8s-app":"coredns"}}}""";
    private const string Pod = """{"kind":"Pod","metadata":{"name":"web-0","namespace":"shop"},"spec":{"dnsPolicy":"ClusterFirst","nodeName":"node1","containers":[{"name":"web","image":"alpine:3.20"}]}}""";

    private static List<string> Items(string fixture) =>
        [.. JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "fixtures", "nodelocal", fixture)))!["items"]!.AsArray()
            .Select(i => i!.ToJsonString())];

    private static IReadOnlyList<object> Facts(string nameservers, params IEnumerable<string>[] objects) => SnapshotFactBuilder.Build(new DiagnosisRequest
    {
        Target = new TargetRef { Namespace = "shop", Pod = "web-0" },
        Snapshot = new Snapshot
        {
            Objects = [.. objects.SelectMany(o => o).Select(o => JsonDocument.Parse(o).RootElement)],
            Files = [new FileArtifact { Namespace = "shop", Pod = "web-0", Path = "/etc/resolv.conf", Text = string.Concat(nameservers.Split(',').Select(n => $"nameserver {n}\n")) }],
        },
    }).Facts;

    /// <summary>The DaemonSet's args without <c>-localip</c>: node-cache then binds what its Corefile says.</summary>
    private static List<string> WithoutLocalIp(List<string> items) =>
        [.. items.Select(i =>
        {
            var node = JsonNode.Parse(i)!;
            if (node["kind"]!.GetValue<string>() == "DaemonSet")
            {
                node["spec"]!["template"]!["spec"]!["containers"]![0]!["args"] = new JsonArray("-conf", "/etc/Corefile");
            }

            return node.ToJsonString();
        })];

    [Theory]
    [InlineData("upstream-iptables-mode.json", "node-local-dns", "169.254.20.10,10.96.0.10", true)]
    [InlineData("upstream-ipvs-mode.json", "node-local-dns", "169.254.20.10", false)]
    [InlineData("kubespray-nodelocaldns.json", "nodelocaldns", "169.254.25.10", false)]
    public void The_address_is_the_daemonsets_localip_under_each_layouts_name(string fixture, string name, string addresses, bool intercepts)
    {
        var cache = Assert.Single(Facts("10.96.0.10", [KubeDns, Pod], Items(fixture)).OfType<NodeLocalDnsCache>());

        Assert.Equal(name, cache.Name);
        Assert.Equal(addresses.Split(',')[0], cache.LocalIp);
        Assert.Equal(addresses, string.Join(',', cache.Addresses));
        Assert.StartsWith("-localip ", cache.AddressesFrom, StringComparison.Ordinal);
        Assert.Equal(intercepts, cache.InterceptsClusterIp);
    }

    [Theory]
    [InlineData("upstream-iptables-mode.json", "169.254.20.10")]
    [InlineData("kubespray-nodelocaldns.json", "169.254.25.10")]
    public void Without_localip_the_corefiles_bind_line_says_the_address(string fixture, string localIp)
    {
        var facts = Facts(localIp, [KubeDns, Pod], WithoutLocalIp(Items(fixture)));

        var cache = Assert.Single(facts.OfType<NodeLocalDnsCache>());
        Assert.Equal(localIp, cache.LocalIp);
        Assert.Contains("bind " + localIp, cache.AddressesFrom, StringComparison.Ordinal);
        Assert.Equal(localIp, Assert.Single(facts.OfType<ClusterDns>()).NodeLocalIp);
        Assert.True(Assert.Single(facts.OfType<PodDns>()).UsesNodeLocal);
    }

    [Fact]
    public void A_daemonset_that_says_no_address_is_not_given_the_default_one()
    {
        var items = WithoutLocalIp(Items("kubespray-nodelocaldns.json")).Where(i => !i.Contains("\"ConfigMap\"", StringComparison.Ordinal)).ToList();

        var facts = Facts("169.254.20.10", [KubesprayCoreDns, Pod], items);

        Assert.Null(Assert.Single(facts.OfType<NodeLocalDnsCache>()).LocalIp);
        var dns = Assert.Single(facts.OfType<ClusterDns>());
        Assert.True(dns.NodeLocalPresent);
        Assert.Null(dns.NodeLocalIp);
        Assert.Null(Assert.Single(facts.OfType<PodDns>()).UsesNodeLocal);
    }

    [Fact]
    public void A_pod_asking_the_kube_dns_cluster_ip_uses_nodelocal_when_it_intercepts_that_ip()
    {
        var pod = Assert.Single(Facts("10.96.0.10", [KubeDns, Pod], Items("upstream-iptables-mode.json")).OfType<PodDns>());

        Assert.True(pod.UsesNodeLocal);
        Assert.Empty(pod.NameserversBesideNodeLocal!);
    }

    [Theory]
    [InlineData("upstream-ipvs-mode.json", "169.254.20.10,10.96.0.10", true, "10.96.0.10")]
    [InlineData("upstream-ipvs-mode.json", "10.96.0.10", false, "10.96.0.10")]
    [InlineData("upstream-iptables-mode.json", "169.254.20.10,10.96.0.10", true, "")]
    public void Nameservers_nodelocal_does_not_answer_bypass_it(string fixture, string nameservers, bool uses, string beside)
    {
        var pod = Assert.Single(Facts(nameservers, [KubeDns, Pod], Items(fixture)).OfType<PodDns>());

        Assert.Equal(uses, pod.UsesNodeLocal);
        Assert.Equal(beside, string.Join(',', pod.NameserversBesideNodeLocal!));
    }

    [Fact]
    public void The_cluster_ip_in_localip_is_not_taken_over_without_node_caches_iptables_rules()
    {
        // ACK: -localip names the ClusterIP but -setupiptables=false leaves its packets to kube-proxy.
        var items = Items("upstream-iptables-mode.json").Select(i => i.Replace("\"-pidfile\"", "\"-setupiptables=false\",\"-pidfile\"", StringComparison.Ordinal)).ToList();

        var facts = Facts("10.96.0.10", [KubeDns, Pod], items);

        Assert.False(Assert.Single(facts.OfType<NodeLocalDnsCache>()).InterceptsClusterIp);
        Assert.False(Assert.Single(facts.OfType<PodDns>()).UsesNodeLocal);
    }

    [Fact]
    public void A_probe_to_nodelocals_upstream_service_tests_the_kube_dns_service_path()
    {
        var items = Items("upstream-iptables-mode.json");
        var request = new DiagnosisRequest
        {
            Snapshot = new Snapshot
            {
                Objects = [.. new[] { KubeDns }.Concat(items).Select(o => JsonDocument.Parse(o).RootElement)],
                Probes = [new ProbeArtifact { From = "kube-system/node-local-dns-5xq7b", Kind = ProbeKind.Dns, Server = "10.96.137.219", Name = "kubernetes.default.svc.cluster.local", Outcome = ProbeOutcome.Timeout }],
            },
        };

        Assert.Equal("kube-dns", Assert.Single(SnapshotFactBuilder.Build(request).Facts.OfType<ProbeResult>()).TargetRole);
    }
    [Theory]
    [InlineData("kubespray-nodelocaldns.json", "169.254.25.10", "10.233.0.3")]
    [InlineData("gke-node-local-dns.json", "169.254.20.10,10.8.0.10", null)]
    [InlineData("upstream-iptables-mode.json", "169.254.20.10,10.96.0.10", null)]
    [InlineData("upstream-ipvs-mode.json", "169.254.20.10", "10.96.0.10")]
    public void Its_corefile_configmap_read_without_the_daemonset_says_what_it_binds_and_the_upstream_it_names(string fixture, string binds, string? upstream)
    {
        // kubespray writes its coredns Service's ClusterIP in the Corefile; upstream's iptables mode and GKE leave
        // __PILLAR__CLUSTER__DNS__ for node-cache to fill from -upstreamsvc, which only the DaemonSet names.
        var configMaps = Items(fixture).Where(i => i.Contains("\"ConfigMap\"", StringComparison.Ordinal)).ToList();

        var dns = Assert.Single(Facts("10.96.0.10", [KubeDns, Pod], configMaps).OfType<ClusterDns>());

        Assert.Equal(binds, string.Join(',', dns.NodeLocalConfigBinds));
        Assert.Equal(upstream, dns.NodeLocalConfigUpstream);
        Assert.Null(dns.NodeLocalPresent);
        Assert.Empty(Facts("10.96.0.10", [KubeDns, Pod]).OfType<ClusterDns>().Single().NodeLocalConfigBinds);
    }

    [Theory]
    [InlineData("kubespray-nodelocaldns.json", "10.233.0.3")]
    [InlineData("gke-node-local-dns.json", "10.8.4.94")]
    [InlineData("upstream-ipvs-mode.json", "10.96.0.10")]
    public void Its_upstream_address_is_the_one_its_corefile_names_else_its_upstream_services(string fixture, string upstream)
    {
        // Every DaemonSet here says -upstreamsvc; node-cache fills in only __PILLAR__CLUSTER__DNS__ with that Service's
        // ClusterIP, so an address the Corefile names is the upstream (kubespray's, and IPVS mode's documented sed).
        var cache = Assert.Single(Facts("10.96.0.10", [KubeDns, Pod], Items(fixture)).OfType<NodeLocalDnsCache>());

        Assert.Equal(upstream, cache.UpstreamIp);
    }

    /// <summary>Every object of <paramref name="items"/> moved to namespace <paramref name="ns"/>, as a Helm release there installs it.</summary>
    private static List<string> InNamespace(string ns, List<string> items) =>
        [.. items.Select(i =>
        {
            var node = JsonNode.Parse(i)!;
            node["metadata"]!["namespace"] = ns;
            return node.ToJsonString();
        })];

    /// <summary>
    /// The community chart (lablabs, tests/fixtures/nodelocal) installs NodeLocal DNSCache in its release's namespace,
    /// labelled app.kubernetes.io/name only, its container not named node-cache: it is found there, and its namespace,
    /// pods' selector and address reach the facts the commands and the evidence name.
    /// </summary>
    [Fact]
    public void A_charts_nodelocal_in_its_releases_namespace_is_found_there()
    {
        var facts = Facts("10.96.0.10", [KubeDns, Pod], Items("lablabs-chart-own-namespace.json"));

        var cache = Assert.Single(facts.OfType<NodeLocalDnsCache>());
        Assert.Equal("node-local-dns", cache.Namespace);
        Assert.Equal("DaemonSet node-local-dns/node-local-dns", cache.Source);
        Assert.Equal("169.254.20.11", cache.LocalIp);
        Assert.Equal("app.kubernetes.io/name=node-local-dns,app.kubernetes.io/instance=node-local-dns", cache.PodSelector);
        Assert.Equal("node-local-dns", Assert.Single(facts.OfType<ClusterDns>()).NodeLocalNamespace);
    }

    /// <summary>Upstream's manifest applied in another namespace, without -localip: its bind line is read from the ConfigMap beside its DaemonSet, not from kube-system.</summary>
    [Fact]
    public void Without_localip_the_bind_line_is_read_from_the_configmap_beside_the_daemonset()
    {
        var facts = Facts("169.254.20.10", [KubeDns, Pod], InNamespace("dns-cache", WithoutLocalIp(Items("upstream-ipvs-mode.json"))));

        var cache = Assert.Single(facts.OfType<NodeLocalDnsCache>());
        Assert.Equal("dns-cache", cache.Namespace);
        Assert.Equal("169.254.20.10", cache.LocalIp);
        Assert.StartsWith("ConfigMap dns-cache/node-local-dns: bind 169.254.20.10", cache.AddressesFrom, StringComparison.Ordinal);
        Assert.True(Assert.Single(facts.OfType<PodDns>()).UsesNodeLocal);
    }

    /// <summary>Two NodeLocal DaemonSets (a chart's trial beside kube-system's): kube-system's is the one pods are given, as every distribution's.</summary>
    [Fact]
    public void Kube_systems_daemonset_comes_before_another_namespaces()
    {
        var facts = Facts("10.96.0.10", [KubeDns, Pod], Items("lablabs-chart-own-namespace.json"), Items("upstream-ipvs-mode.json"));

        var cache = Assert.Single(facts.OfType<NodeLocalDnsCache>());
        Assert.Equal("kube-system", cache.Namespace);
        Assert.Equal("169.254.20.10", cache.LocalIp);
    }

    /// <summary>kubernetes/kubernetes#101362's <c>kubectl get ds -nkube-system</c>: kube-system's DaemonSets, none of them NodeLocal's.</summary>
    private static readonly string KubeSystemDaemonSets =
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "fixtures", "kubectl-tables", "ds-kube-system-2021.txt"));

    private static ClusterDns DnsAfter(IEnumerable<string> objects, params (string Command, string Text)[] outputs) =>
        Assert.Single(SnapshotFactBuilder.Build(new DiagnosisRequest
        {
            Target = new TargetRef { Namespace = "shop", Pod = "web-0" },
            Snapshot = new Snapshot
            {
                Objects = [.. objects.Select(o => JsonDocument.Parse(o).RootElement)],
                Outputs = [.. outputs.Select(o => new CommandOutput { Command = o.Command, Text = o.Text })],
            },
        }).Facts.OfType<ClusterDns>());

    [Theory]
    [InlineData("kubectl get ds -nkube-system")]
    [InlineData("kubectl get daemonset -n kube-system")]
    [InlineData("kubectl -n kube-system get ds -o wide")]
    public void A_listing_of_kube_system_alone_leaves_nodelocal_unknown_for_it_may_run_in_any_namespace(string command)
    {
        // The community charts (lablabs/k8s-nodelocaldns-helm) install it in their release's namespace.
        var dns = DnsAfter([KubeDns, Pod], (command, KubeSystemDaemonSets));

        Assert.Null(dns.NodeLocalPresent);
    }

    [Theory]
    [InlineData("kubectl get ds -A")]
    [InlineData("kubectl get daemonsets --all-namespaces")]
    public void A_listing_of_every_namespace_without_it_says_it_is_absent(string command)
    {
        Assert.False(DnsAfter([KubeDns, Pod], (command, "No resources found")).NodeLocalPresent);
    }

    [Fact]
    public void A_listing_of_the_namespace_its_corefile_configmap_was_read_in_says_it_is_absent_there()
    {
        // Its ConfigMap read without the DaemonSet (kube-system's, where the DaemonSet mounts it from), and kube-system's
        // DaemonSets listed without it: the one place it is known to use holds no DaemonSet of it.
        var configMap = Items("upstream-iptables-mode.json").Where(i => i.Contains("\"ConfigMap\"", StringComparison.Ordinal));

        Assert.False(DnsAfter([KubeDns, Pod, .. configMap], ("kubectl get ds -nkube-system", KubeSystemDaemonSets)).NodeLocalPresent);
        Assert.Null(DnsAfter([KubeDns, Pod, .. configMap]).NodeLocalPresent);
    }
}
