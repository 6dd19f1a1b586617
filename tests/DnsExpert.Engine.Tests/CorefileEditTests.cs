using System.Text.Json;
using DnsExpert.Contract;
using DnsExpert.Engine.Commands;
using DnsExpert.Engine.Compilation;
using DnsExpert.Engine.Sessions;
using DnsExpert.Facts;
using DnsExpert.Readers;
using DnsExpert.Testing;

namespace DnsExpert.Engine.Tests;

/// <summary>
/// Where a Corefile change lasts on each distribution (issue 21): the command a remediation gives to open it
/// (<c>known.CorefileEditCommand</c>) and the sentence that says why there (<c>known.CorefileEditNote</c>), built from
/// checked values only, so a hostile namespace or ConfigMap name is never a word of it.
/// </summary>
public sealed class CorefileEditTests
{
    private static readonly RuleBase Rules = RuleBaseLoader.Load(RepoPaths.Rules);
    private static readonly JsonSerializerOptions WebJson = new(JsonSerializerDefaults.Web);

    private static ClusterDns Dns(string? distribution, string ns = "kube-system", string configMap = "coredns", string workload = "deployment/coredns", bool kubeDns = false) => new()
    {
        Source = $"Service {ns}/kube-dns", ClusterDomain = "cluster.local", PodsNamespace = ns, PodsSelector = "k8s-app=kube-dns",
        CorefileConfigMap = configMap, Workload = workload, Distribution = distribution, KubeDns = kubeDns,
        DistributionEvidence = distribution is null ? null : "node n1: label x",
    };

    private static KnownValues Known(ClusterDns dns) => KnownValues.From([dns], "shop", "web-0", "orders.shop.svc.cluster.local", null);

    [Theory]
    [InlineData(null, "kubectl -n kube-system edit configmap coredns", "")]
    [InlineData(Distributions.Kubespray, "kubectl -n kube-system edit configmap coredns", "coredns_external_zones")]
    [InlineData(Distributions.Eks, "kubectl -n kube-system edit configmap coredns", "aws eks update-addon --cluster-name <cluster> --addon-name coredns --configuration-values")]
    [InlineData(Distributions.Gke, "kubectl -n kube-system edit configmap coredns", "")]
    [InlineData(Distributions.OpenShift, "oc edit dns.operator/default", "spec.upstreamResolvers")]
    [InlineData(Distributions.Rke2, "kubectl -n kube-system get helmchartconfig rke2-coredns >/dev/null 2>&1 || printf '%s\\n' 'apiVersion: helm.cattle.io/v1' 'kind: HelmChartConfig' 'metadata:' '  name: rke2-coredns' '  namespace: kube-system' 'spec:' '  valuesContent: \"\"' | kubectl apply -f -; kubectl -n kube-system edit helmchartconfig rke2-coredns", "spec.valuesContent")]
    [InlineData(Distributions.Aks, "kubectl -n kube-system get configmap coredns-custom >/dev/null 2>&1 || kubectl -n kube-system create configmap coredns-custom; kubectl -n kube-system edit configmap coredns-custom && kubectl -n kube-system rollout restart deployment/coredns", "addon manager reconciles")]
    [InlineData(Distributions.K3s, "kubectl -n kube-system get configmap coredns-custom >/dev/null 2>&1 || kubectl -n kube-system create configmap coredns-custom; kubectl -n kube-system edit configmap coredns-custom && kubectl -n kube-system rollout restart deployment/coredns", "coredns.yaml.skip")]
    public void Each_distribution_opens_the_configuration_it_keeps(string? distribution, string command, string note)
    {
        var known = Known(Dns(distribution));

        Assert.Equal(command, known.CorefileEditCommand.ToString());
        if (note.Length == 0)
        {
            Assert.Equal("", known.CorefileEditNote);
        }
        else
        {
            Assert.Contains(note, known.CorefileEditNote, StringComparison.Ordinal);
            Assert.Contains("(node n1: label x)", known.CorefileEditNote, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Kube_dns_has_no_Corefile_its_own_ConfigMap_holds_the_upstreams_and_stub_domains()
    {
        var known = Known(Dns(Distributions.Gke, configMap: "kube-dns", workload: "deployment/kube-dns", kubeDns: true));

        Assert.Equal("kubectl -n kube-system edit configmap kube-dns", known.CorefileEditCommand.ToString());
        Assert.Contains("upstreamNameservers", known.CorefileEditNote, StringComparison.Ordinal);
        Assert.Contains("stubDomains", known.CorefileEditNote, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_any_cluster_DNS_fact_it_is_kubeadms_ConfigMap() =>
        Assert.Equal("kubectl -n kube-system edit configmap coredns", new KnownValues().CorefileEditCommand.ToString());

    [Theory]
    [InlineData(null, "kubectl -n <known-cluster-dns-namespace> edit configmap <known-corefile-config-map>")]
    [InlineData(Distributions.Rke2, "kubectl -n <known-cluster-dns-namespace> get helmchartconfig rke2-coredns >/dev/null 2>&1 || printf '%s\\n' 'apiVersion: helm.cattle.io/v1' 'kind: HelmChartConfig' 'metadata:' '  name: rke2-coredns' '  namespace: <known-cluster-dns-namespace>' 'spec:' '  valuesContent: \"\"' | kubectl apply -f -; kubectl -n <known-cluster-dns-namespace> edit helmchartconfig rke2-coredns")]
    [InlineData(Distributions.Aks, "kubectl -n <known-cluster-dns-namespace> get configmap coredns-custom >/dev/null 2>&1 || kubectl -n <known-cluster-dns-namespace> create configmap coredns-custom; kubectl -n <known-cluster-dns-namespace> edit configmap coredns-custom && kubectl -n <known-cluster-dns-namespace> rollout restart <known-cluster-dns-workload>")]
    public void A_hostile_namespace_ConfigMap_or_workload_is_a_placeholder_never_a_word_of_the_command(string? distribution, string command)
    {
        var known = Known(Dns(distribution, ns: "kube-system; rm -rf /", configMap: "$(reboot)", workload: "deployment/--kubeconfig=/tmp/x"));

        Assert.Equal(command, known.CorefileEditCommand.ToString());
        Assert.Contains("<known-cluster-dns-namespace> is left to fill in: the value found there is not a Kubernetes namespace name",
            Assert.IsType<ShellCommand>(known.CorefileEditCommand).Refused ?? [], StringComparer.Ordinal);
    }

    [Fact]
    public void A_finding_says_why_a_placeholder_stands_in_the_built_command()
    {
        var autopath = new CorefilePlugin
        {
            Source = "ConfigMap kube-system/coredns", ServerIndex = 0, ServerKey = ".:53", Line = 4, Text = "autopath @kubernetes", Name = "autopath", Arguments = ["@kubernetes"],
        };
        var hostile = Dns(null, configMap: "$(reboot)");

        var finding = Assert.Single(RuleSessionRunner.Run(Rules, [autopath, hostile], Known(hostile)).Findings, f => f.RuleId == "coredns-autopath-enabled");

        Assert.Equal("kubectl -n kube-system edit configmap <known-corefile-config-map>", finding.Remediation[0].Command);
        Assert.EndsWith("(note: <known-corefile-config-map> is left to fill in: the value found there is not a Kubernetes object name)", finding.Remediation[0].Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void A_finding_writes_the_built_command_as_it_is_and_the_note_after_its_summary()
    {
        var autopath = new CorefilePlugin
        {
            Source = "ConfigMap openshift-dns/dns-default", ServerIndex = 0, ServerKey = ".:5353", Line = 4, Text = "autopath @kubernetes", Name = "autopath", Arguments = ["@kubernetes"],
        };
        var openShift = Dns(Distributions.OpenShift, ns: "openshift-dns", configMap: "dns-default", workload: "daemonset/dns-default");
        var onOpenShift = Assert.Single(RuleSessionRunner.Run(Rules, [autopath, openShift], Known(openShift)).Findings, f => f.RuleId == "coredns-autopath-enabled");
        var onKubeadm = Assert.Single(RuleSessionRunner.Run(Rules, [autopath], Known(Dns(null))).Findings, f => f.RuleId == "coredns-autopath-enabled");

        Assert.Equal("oc edit dns.operator/default", onOpenShift.Remediation[0].Command);
        Assert.EndsWith("a Corefile change the operator does not offer cannot be made to last.", onOpenShift.Remediation[0].Summary, StringComparison.Ordinal);
        Assert.Equal("kubectl -n kube-system edit configmap coredns", onKubeadm.Remediation[0].Command);
        Assert.EndsWith("CoreDNS reloads the Corefile by itself.", onKubeadm.Remediation[0].Summary, StringComparison.Ordinal);
    }

    /// <summary>From a snapshot to the command: GKE's kube-dns Deployment (no Corefile) edits its own ConfigMap.</summary>
    [Theory]
    [InlineData("coredns-pod-not-running/fires-gke-kube-dns-dnsmasq-crashloop.json")]
    [InlineData("coredns-pod-not-running/near-miss-gke-kube-dns-healthy-autoscaler-restarting.json")]
    public void A_kube_dns_snapshot_edits_the_kube_dns_ConfigMap(string scenario)
    {
        var request = JsonSerializer.Deserialize<DiagnosisRequest>(
            File.ReadAllText(Path.Combine(RepoPaths.Root, "tests", "scenarios", scenario)), WebJson)!;
        var facts = SnapshotFactBuilder.Build(request).Facts;

        var known = KnownValues.From(facts, request.Target?.Namespace, request.Target?.Pod, request.Domain, null);

        Assert.Equal("kubectl -n kube-system edit configmap kube-dns", known.CorefileEditCommand.ToString());
        Assert.StartsWith("This cluster's DNS is kube-dns, which has no Corefile", known.CorefileEditNote, StringComparison.Ordinal);
    }
}
