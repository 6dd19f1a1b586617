using System.Text.Json;
using DnsExpert.Contract;
using DnsExpert.Diagnosis.Composition;
using DnsExpert.Engine.RuleBases;
using DnsExpert.Engine.Sessions;
using DnsExpert.Facts;
using DnsExpert.Testing;

namespace DnsExpert.Diagnosis.Tests;

/// <summary>The failing pod's DNS path, from the scenarios' facts and findings: which hop the evidence blames.</summary>
public sealed class DnsPathBuilderTests
{
    private static readonly JsonSerializerOptions WebJson = new(JsonSerializerDefaults.Web);
    private static readonly IDiagnosisService Service = new DnsExpertComposition(new CompositionInputs(RepoPaths.Rules)).Diagnoses;

    private static async Task<IReadOnlyList<DnsPathHop>> PathOf(string scenario)
    {
        var request = JsonSerializer.Deserialize<DiagnosisRequest>(await File.ReadAllTextAsync(Path.Combine(RepoPaths.Root, "tests", "scenarios", scenario)), WebJson)!;
        var response = await Service.DiagnoseAsync(request, CancellationToken.None);
        Assert.NotNull(response.DnsPath);
        return response.DnsPath;
    }

    private static DnsPathHop Hop(IReadOnlyList<DnsPathHop> path, string kind, string name) => Assert.Single(path, h => h.Kind == kind && h.Name == name);

    [Theory]
    [InlineData("pod-dnspolicy-hostnetwork/fires-hostnetwork-dnspolicy-not-set.json")]
    [InlineData("pod-dnspolicy-hostnetwork/fires-ingress-hostnetwork-clusterfirst.json")]
    public async Task A_hostnetwork_pod_with_clusterfirst_is_drawn_on_its_nodes_resolver_not_through_the_cluster_dns(string scenario)
    {
        var path = await PathOf(scenario);

        Assert.DoesNotContain(path, h => h.Kind is HopKinds.KubeDns or HopKinds.CoreDns);
        Assert.Equal(HopKinds.Pod, path[0].Kind);
        Assert.All(path.Skip(1), h => Assert.Equal(HopKinds.Upstream, h.Kind));
        Assert.Contains(path, h => h.Name.Contains("resolv", StringComparison.Ordinal));
    }

    [Fact]
    public async Task With_clusterfirstwithhostnet_the_hostnetwork_pod_goes_through_the_cluster_dns()
    {
        var path = await PathOf("pod-dnspolicy-hostnetwork/near-miss-hostnetwork-clusterfirstwithhostnet.json");

        Assert.Contains(path, h => h.Kind == HopKinds.KubeDns);
    }

    [Fact]
    public async Task A_pasted_dig_of_the_cluster_ip_that_timed_out_fails_the_kube_dns_hop_without_any_object()
    {
        var dig = File.ReadAllText(Path.Combine(RepoPaths.Root, "tests", "fixtures", "dns-tools", "dig-timeout.txt"))
            .Replace("@127.0.0.1 -p 15355", "@10.96.0.10", StringComparison.Ordinal).Replace("127.0.0.1#15355", "10.96.0.10#53", StringComparison.Ordinal);
        var request = new DiagnosisRequest
        {
            Target = new TargetRef { Namespace = "shop", Pod = "web-0" },
            Symptom = new Symptom { ErrorMessage = "dial tcp: lookup orders.shop.svc.cluster.local on 10.96.0.10:53: read udp 10.244.1.5:38161->10.96.0.10:53: i/o timeout" },
            Snapshot = new Snapshot { Outputs = [new CommandOutput { From = "shop/web-0", Command = "dig @10.96.0.10 orders.shop.svc.cluster.local", Text = dig }] },
        };

        var path = (await Service.DiagnoseAsync(request, CancellationToken.None)).DnsPath;

        Assert.NotNull(path);
        Assert.Equal([HopKinds.Pod, HopKinds.KubeDns], path.Select(h => h.Kind));
        var kubeDns = path[1];
        Assert.Equal(("10.96.0.10", HopStatus.Failed), (kubeDns.Address, kubeDns.Status));
        Assert.Contains(kubeDns.Because, b => b.Detail.EndsWith(": timeout", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Kube_dns_unreachable_fails_the_service_hop_and_the_answering_coredns_pods_are_healthy()
    {
        var path = await PathOf("app-to-kube-dns-unreachable/fires-cluster-ip-times-out-pod-ip-answers.json");

        Assert.Equal([HopKinds.Pod, HopKinds.KubeDns, HopKinds.CoreDns, HopKinds.CoreDns, HopKinds.Upstream], path.Select(h => h.Kind));
        var service = Hop(path, HopKinds.KubeDns, "kube-system/kube-dns");
        Assert.Equal(("172.21.0.10", HopStatus.Failed), (service.Address, service.Status));
        Assert.Contains(service.Because, b => b.RuleId == "app-to-kube-dns-unreachable" && b.Probe == "snapshot.probes[0]" && b.Detail.EndsWith(": timeout", StringComparison.Ordinal));
        var coreDns = Hop(path, HopKinds.CoreDns, "kube-system/coredns-5d78c9869d-abcde");
        Assert.Equal(HopStatus.Healthy, coreDns.Status);
        Assert.Contains(coreDns.Because, b => b.Probe == "snapshot.probes[1]" && b.Detail.EndsWith("answered NOERROR", StringComparison.Ordinal));
        Assert.Equal(HopStatus.Unverified, Hop(path, HopKinds.Upstream, "/etc/resolv.conf").Status);
    }

    [Theory]
    [InlineData("coredns-upstream-unreachable/fires-dig-from-coredns-to-upstream-times-out.json", "100.100.2.136", "snapshot.probes[0]")]
    [InlineData("coredns-upstream-unreachable/fires-forward-i-o-timeout.json", "100.79.1.250", null)]
    public async Task Upstream_unreachable_fails_the_upstream_and_leaves_coredns_healthy(string scenario, string address, string? probe)
    {
        var path = await PathOf(scenario);

        var upstream = Hop(path, HopKinds.Upstream, address);
        Assert.Equal(HopStatus.Failed, upstream.Status);
        Assert.Contains(upstream.Because, b => b.RuleId == "coredns-upstream-unreachable" && b.Probe == probe);
        Assert.All(path.Where(h => h.Kind == HopKinds.CoreDns), h => Assert.Equal(HopStatus.Healthy, h.Status));
        Assert.Equal(2, path.Count(h => h.Kind == HopKinds.CoreDns));
        Assert.NotEqual(HopStatus.Failed, Hop(path, HopKinds.KubeDns, "kube-system/kube-dns").Status);
        // The resolv.conf CoreDNS forwards to is represented by the addresses found behind it.
        Assert.DoesNotContain(path, h => h.Name == "/etc/resolv.conf");
    }

    [Fact]
    public async Task A_pod_using_nodelocal_has_the_nodelocal_hop_between_the_pod_and_kube_dns()
    {
        var path = await PathOf("nodelocal-alpine-parallel-nameservers/fires-alpine-image-with-nodelocal.json");

        Assert.Equal([HopKinds.Pod, HopKinds.NodeLocal, HopKinds.KubeDns], path.Take(3).Select(h => h.Kind));
        var nodeLocal = path[1];
        Assert.Equal(("169.254.20.10", HopStatus.Healthy), (nodeLocal.Address, nodeLocal.Status));
        Assert.Contains(path[0].Because, b => b.RuleId == "nodelocal-alpine-parallel-nameservers");
    }

    [Fact]
    public async Task A_pod_not_using_nodelocal_has_no_nodelocal_hop()
    {
        var path = await PathOf("nodelocal-alpine-parallel-nameservers/near-miss-alpine-pod-without-nodelocal.json");

        Assert.DoesNotContain(path, h => h.Kind == HopKinds.NodeLocal);
    }

    [Fact]
    public async Task Unready_coredns_pods_and_a_service_without_endpoints_are_failed_by_their_findings()
    {
        var path = await PathOf("kube-dns-no-endpoints/fires-all-coredns-pods-unready.json");

        Assert.Contains(Hop(path, HopKinds.KubeDns, "kube-system/kube-dns").Because, b => b.RuleId == "kube-dns-no-endpoints");
        Assert.All(path.Where(h => h.Kind == HopKinds.CoreDns), h =>
        {
            Assert.Equal(HopStatus.Failed, h.Status);
            Assert.Contains(h.Because, b => b.RuleId == "coredns-pod-not-running");
        });
    }

    [Fact]
    public void Hostile_names_stay_data_and_a_snapshot_without_cluster_dns_has_no_path()
    {
        var hostile = "<svg onload=alert(1)>\u001b[2J";
        var facts = new object[]
        {
            new PodDns { Source = $"Pod default/{hostile}", Namespace = "default", Name = hostile, DnsPolicy = "ClusterFirst" },
            new CoreDnsPod { Source = $"Pod kube-system/{hostile}", Namespace = "kube-system", Name = hostile, Ip = hostile, Phase = PodPhases.Running, Ready = true },
        };

        var path = DnsPathBuilder.Build(facts, [])!;

        Assert.Equal($"default/{hostile}", path[0].Name);
        Assert.Equal(($"kube-system/{hostile}", hostile, HopStatus.Healthy), (path[2].Name, path[2].Address, path[2].Status));
        Assert.Null(DnsPathBuilder.Build([], []));
    }

    [Fact]
    public void Without_the_pod_object_the_first_hop_is_the_pod_the_request_names()
    {
        var facts = new object[] { new ClusterDns { Source = "s", ClusterDomain = "cluster.local", KubeDnsClusterIp = "10.96.0.10" } };

        Assert.Equal("shop/web-0", DnsPathBuilder.Build(facts, [], new TargetRef { Namespace = "shop", Pod = "web-0" })![0].Name);
        Assert.Equal("default/web-0", DnsPathBuilder.Build(facts, [], new TargetRef { Pod = "web-0" })![0].Name);
        Assert.Equal("the failing pod", DnsPathBuilder.Build(facts, [])![0].Name);
    }
}
