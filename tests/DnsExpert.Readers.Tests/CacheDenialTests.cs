using System.Text.Json;
using System.Text.Json.Nodes;
using DnsExpert.Contract;
using DnsExpert.Facts;
using DnsExpert.Readers.Parsing;
using DnsExpert.Testing;

namespace DnsExpert.Readers.Tests;

/// <summary>
/// How long the cluster DNS's caches keep an NXDOMAIN (negative-cache-stale, issue 21), by CoreDNS's own rule: the
/// cache plugin's <c>computeTTL</c> gives a denial <c>min(max(SOA TTL, MINTTL), CAP)</c>, the kubernetes plugin's SOA
/// TTL is its <c>ttl</c> up to 300 (coredns/coredns plugin/cache/cache.go, setup.go, plugin/backend_lookup.go).
/// </summary>
public sealed class CacheDenialTests
{
    [Theory]
    [InlineData(30, 5, 30, 30)]     // kubeadm: ttl 30, cache 30
    [InlineData(5, 5, 30, 5)]       // the kubernetes plugin's default ttl 5 under cache 30
    [InlineData(0, 5, 30, 5)]       // ttl 0 is raised to the MINTTL (coredns/coredns#7091: "dig still shows 5 seconds")
    [InlineData(60, 5, 30, 30)]     // k3s: ttl 60 capped by cache 30
    [InlineData(5, 5, 1, 1)]        // denial 9984 1 (coredns/coredns#4513's NodeLocal)
    [InlineData(5, 10, 60, 10)]     // denial CAP 60 MINTTL 10
    [InlineData(300, 5, 1800, 300)] // no cache TTL: the default cap, half an hour
    public void The_window_is_the_soa_ttl_raised_to_the_minttl_and_capped(int soaTtl, int minTtl, int cap, int window) =>
        Assert.Equal(window, CacheDenial.Window(soaTtl, minTtl, cap));

    [Theory]
    [InlineData(5, 5)]
    [InlineData(30, 30)]
    [InlineData(3600, 300)]
    public void The_kubernetes_soa_ttl_is_its_ttl_up_to_300(int ttl, int soa) => Assert.Equal(soa, CacheDenial.SoaTtl(ttl));

    /// <summary>The real Corefiles of tests/realworld/corefiles (their sources are in each file's header).</summary>
    [Theory]
    [InlineData("kubeadm", 30, 30)]
    [InlineData("aks", 30, 30)]
    [InlineData("k3s", 5, 5)]        // its ttl 60 is the hosts plugin's, not kubernetes'
    [InlineData("eks", 5, 5)]
    [InlineData("openshift", 5, 5)]
    public void Each_distributions_corefile_keeps_a_denial_as_coredns_computes_it(string name, int ttl, int window)
    {
        var corefile = CorefileParser.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "tests", "realworld", "corefiles", name + ".Corefile")));
        var server = CacheDenial.ServerFor(corefile, "cluster.local")!;
        var cache = CacheDenial.Settings(server, "cluster.local")!;

        Assert.Equal(ttl, CacheDenial.KubernetesTtl(server)!.Value.Ttl);
        Assert.True(cache.Keeps);
        Assert.Equal(window, CacheDenial.Window(CacheDenial.SoaTtl(ttl), cache.MinTtl, cache.Cap));
    }

    [Theory]
    [InlineData("cache 30", true, 30, 5)]
    [InlineData("cache", true, 1800, 5)]
    [InlineData("cache {\n denial 9984 1\n }", true, 1, 5)]
    [InlineData("cache 900 {\n denial 9984 30\n }", true, 30, 5)]
    [InlineData("cache 30 {\n denial 9984 60 10\n }", true, 60, 10)]
    [InlineData("cache 30 {\n denial 9984\n }", true, 30, 5)]
    [InlineData("cache 30 {\n denial 0\n }", false, 30, 5)]
    [InlineData("cache 30 example.org", false, 30, 5)]
    [InlineData("cache 30 cluster.local", true, 30, 5)]
    [InlineData("cache 30 {\n disable denial\n }", false, 30, 5)]
    [InlineData("cache 30 {\n disable denial cluster.local\n }", false, 30, 5)]
    [InlineData("cache 30 {\n disable denial example.org\n }", true, 30, 5)]
    public void The_cache_line_says_the_cap_the_minttl_and_whether_denials_of_the_cluster_domain_are_kept(string cache, bool keeps, int cap, int minTtl)
    {
        var server = CorefileParser.Parse($".:53 {{\n kubernetes cluster.local\n {cache}\n}}\n").Servers[0];

        var settings = CacheDenial.Settings(server, "cluster.local")!;

        Assert.Equal((keeps, cap, minTtl), (settings.Keeps, settings.Cap, settings.MinTtl));
    }

    [Fact]
    public void A_block_without_cache_keeps_no_denial_and_the_most_specific_block_serves_the_cluster_domain()
    {
        var corefile = CorefileParser.Parse(".:53 {\n forward . /etc/resolv.conf\n cache 30\n}\ncluster.local:53 {\n kubernetes cluster.local\n}\n");

        var server = CacheDenial.ServerFor(corefile, "cluster.local")!;

        Assert.Equal("cluster.local", server.Zones[0].Name.TrimEnd('.'));
        Assert.Null(CacheDenial.Settings(server, "cluster.local"));
        Assert.Equal(5, CacheDenial.KubernetesTtl(server)!.Value.Ttl);
        Assert.Null(CacheDenial.ServerFor(CorefileParser.Parse("example.org:53 {\n hosts\n}\n"), "cluster.local"));
    }

    private const string KubeadmCorefile = ".:53 {\n    kubernetes cluster.local in-addr.arpa ip6.arpa {\n        ttl 30\n    }\n    forward . /etc/resolv.conf\n    cache 30\n}\n";

    private static IReadOnlyList<object> Facts(string log, params string[] objects) => SnapshotFactBuilder.Build(new DiagnosisRequest
    {
        Snapshot = new Snapshot
        {
            Objects =
            [
                .. objects.Select(o => JsonDocument.Parse(o).RootElement),
                JsonDocument.Parse(new JsonObject
                {
                    ["kind"] = "ConfigMap",
                    ["metadata"] = new JsonObject { ["name"] = "coredns", ["namespace"] = "kube-system" },
                    ["data"] = new JsonObject { ["Corefile"] = KubeadmCorefile },
                }.ToJsonString()).RootElement,
            ],
            Logs = [new LogArtifact { Namespace = "kube-system", Pod = "coredns-5d78c9869d-abcde", Container = "coredns", Text = log }],
        },
    }).Facts;

    private const string Nginx = """{"kind":"Service","metadata":{"name":"nginx","namespace":"shop","creationTimestamp":"2024-05-13T10:00:01Z"},"spec":{"clusterIP":"None","selector":{"app":"nginx"}}}""";
    private const string Web0 = """{"kind":"Pod","metadata":{"name":"web-0","namespace":"shop","creationTimestamp":"2024-05-13T10:00:02Z","labels":{"app":"nginx"}},"spec":{"hostname":"web-0","subdomain":"nginx","containers":[{"name":"web","image":"nginx"}]}}""";

    [Theory]
    [InlineData("10:00:02.400", 0.4, true, "less than a second after")] // served from the cache
    [InlineData("10:00:03.000", 1, true, "1 s after")]
    [InlineData("10:00:31.000", 29, true, "29 s after")]                  // within kubeadm's 30 s
    [InlineData("10:00:40.000", 38, false, "38 s after")]                 // long after the window: not the cache's
    [InlineData("09:59:20.000", -42, false, "42 s before")]               // before the creation, its cached copy gone before it
    [InlineData("09:59:50.000", -12, true, "12 s before")]                // before the creation, its cached copy outliving it
    public void An_nxdomain_for_a_statefulset_pod_name_is_set_against_the_pods_creation_and_kubeadms_30_s(string time, double after, bool within, string offset)
    {
        var log = $"2024-05-13T{time}Z [INFO] 10.244.1.7:41234 - 5318 \"A IN web-0.nginx.shop.svc.cluster.local. udp 52 false 512\" NXDOMAIN qr,aa,rd 145 0.000121s\n";

        var facts = Facts(log, Nginx, Web0);

        var window = Assert.Single(facts.OfType<CacheDenialWindow>());
        Assert.Equal((30, 30, (int?)null), (window.Seconds, window.CoreDnsSeconds, window.NodeLocalSeconds));
        Assert.Contains("min(max(SOA TTL 30, MINTTL 5), CAP 30) = 30 s", window.Detail, StringComparison.Ordinal);
        var near = Assert.Single(facts.OfType<NxdomainNearCreation>());
        Assert.Equal("Pod shop/web-0", near.CreatedObject);
        Assert.Equal(after, near.SecondsAfterCreation);
        Assert.Equal(within, near.WithinWindow);
        Assert.Equal(offset, near.Offset);
    }

    [Fact]
    public void A_headless_service_name_exists_from_its_oldest_selected_pod_and_a_name_without_its_object_is_not_set_against_anything()
    {
        var log = "2024-05-13T10:00:04.000Z [INFO] 10.244.1.7:41234 - 5318 \"A IN nginx.shop.svc.cluster.local. udp 46 false 512\" NXDOMAIN qr,aa,rd 139 0.000121s\n"
            + "2024-05-13T10:00:04.000Z [INFO] 10.244.1.7:41235 - 5319 \"A IN web-1.nginx.shop.svc.cluster.local. udp 52 false 512\" NXDOMAIN qr,aa,rd 145 0.000121s\n";

        var near = Assert.Single(Facts(log, Nginx, Web0).OfType<NxdomainNearCreation>());

        Assert.Equal(("nginx.shop.svc.cluster.local", "Pod shop/web-0", 2.0), (near.Name, near.CreatedObject, near.SecondsAfterCreation));
        Assert.Equal("2024-05-13 10:00:34 UTC", near.HealsBy);
    }

    /// <summary>Kubespray's real nodelocaldns DaemonSet and ConfigMap (tests/fixtures/nodelocal/SOURCES.md): its cluster.local block's <c>cache 30</c> adds its window.</summary>
    [Fact]
    public void NodeLocal_dns_caches_own_denial_window_adds_to_coredns()
    {
        var kubespray = JsonNode.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "tests", "fixtures", "nodelocal", "kubespray-nodelocaldns.json")))!["items"]!.AsArray()
            .Select(i => i!.ToJsonString()).ToArray();
        var log = "2024-05-13T10:00:40.000Z [INFO] 10.244.1.7:41234 - 5318 \"A IN web-0.nginx.shop.svc.cluster.local. tcp 52 false 65535\" NXDOMAIN qr,aa,rd 145 0.000121s\n";

        var facts = Facts(log, [Nginx, Web0, .. kubespray]);

        var window = Assert.Single(facts.OfType<CacheDenialWindow>());
        Assert.Equal((60, 30, (int?)30), (window.Seconds, window.CoreDnsSeconds, window.NodeLocalSeconds));
        Assert.Contains("NodeLocal DNSCache (ConfigMap kube-system/nodelocaldns): cache 30 (line 3), SOA TTL 30 from CoreDNS: a denial is kept min(max(SOA TTL 30, MINTTL 5), CAP 30) = 30 s", window.Detail, StringComparison.Ordinal);
        // 38 s after web-0 was created: past CoreDNS's 30 s, within the 60 s of both caches.
        Assert.True(Assert.Single(facts.OfType<NxdomainNearCreation>()).WithinWindow);
    }
}
