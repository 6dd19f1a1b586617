using System.Text.Json;
using DnsExpert.Contract;
using DnsExpert.Facts;
using DnsExpert.Readers.Building;

namespace DnsExpert.Readers.Tests;

/// <summary>
/// The cluster DNS under each distribution's names (issue 21, class 1): the real manifests of kube-dns (GKE, old
/// kubeadm), OpenShift's dns-default, RKE2's chart and kubespray's Service (tests/fixtures/distributions/SOURCES.md)
/// give the Service, pods and Corefile every producer reads.
/// </summary>
public sealed class ClusterDnsIdentityTests
{
    private static string FixturePath(string name) =>
        Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "fixtures", "distributions", name);

    private static List<JsonElement> Items(string fixture) =>
        JsonDocument.Parse(File.ReadAllText(FixturePath(fixture))).RootElement.GetProperty("items").EnumerateArray().ToList();

    /// <summary>A pod of the fixture's Deployment or DaemonSet, as the controller would create it: its template's labels and containers.</summary>
    private static JsonElement PodOf(List<JsonElement> items, string name, int restarts = 0)
    {
        var workload = items.Single(i => i.GetProperty("kind").GetString() is "Deployment" or "DaemonSet");
        var template = workload.GetProperty("spec").GetProperty("template");
        var ns = workload.GetProperty("metadata").GetProperty("namespace").GetString();
        var containers = template.GetProperty("spec").GetProperty("containers").EnumerateArray()
            .Select(c => $$"""{"name":"{{c.GetProperty("name").GetString()}}","ready":{{(restarts == 0 ? "true" : "false")}},"restartCount":{{restarts}}}""");
        var ready = restarts == 0 ? "True" : "False";
        var pod = $$"""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"{{name}}","namespace":"{{ns}}","labels":{{template.GetProperty("metadata").GetProperty("labels")}}},"spec":{{template.GetProperty("spec")}},"""
            + $$"""
            "status":{"phase":"Running","conditions":[{"type":"Ready","status":"{{ready}}"}],"containerStatuses":[{{string.Join(",", containers)}}]
            """
            + "}}";
        return JsonDocument.Parse(pod).RootElement;
    }

    private static FactSet Build(IEnumerable<JsonElement> objects, IEnumerable<CommandOutput>? outputs = null, string? nameserver = null) =>
        SnapshotFactBuilder.Build(new DiagnosisRequest
        {
            Target = new TargetRef { Namespace = "shop", Pod = "web-0" },
            Snapshot = new Snapshot
            {
                Objects = objects.ToList(),
                Outputs = outputs?.ToList(),
                Files = nameserver is null ? null : [new FileArtifact { Namespace = "shop", Pod = "web-0", Path = "/etc/resolv.conf", Text = $"nameserver {nameserver}\n" }],
            },
        });

    [Theory]
    [InlineData("gke-kube-dns.json", "kube-dns-7d4c8f6b5d-8xkq2", "kube-system", "kube-dns", "10.8.0.10", null)]
    [InlineData("openshift-dns-default.json", "dns-default-ltznw", "openshift-dns", "dns-default", "172.30.0.10", "ConfigMap openshift-dns/dns-default")]
    [InlineData("rke2-coredns.json", "rke2-coredns-rke2-coredns-6b9548f79f-5tzqh", "kube-system", "rke2-coredns-rke2-coredns", "10.43.0.10", "ConfigMap kube-system/rke2-coredns-rke2-coredns")]
    public void Each_distributions_Service_selects_its_DNS_pods_and_names_its_Corefile(string fixture, string pod, string ns, string service, string clusterIp, string? corefile)
    {
        var items = Items(fixture);
        var facts = Build([.. items, PodOf(items, pod, restarts: 6)]).Facts;

        var dnsPod = Assert.Single(facts.OfType<CoreDnsPod>());
        Assert.Equal((ns, pod, 6), (dnsPod.Namespace, dnsPod.Name, dnsPod.Restarts));
        Assert.Equal($"Pod {ns}/{pod}", dnsPod.Source);
        var kubeDns = Assert.Single(facts.OfType<KubeDnsService>());
        Assert.Equal((ns, service, clusterIp), (kubeDns.Namespace, kubeDns.Name, kubeDns.ClusterIp));
        Assert.Equal(clusterIp, Assert.Single(facts.OfType<ClusterDns>()).KubeDnsClusterIp);
        if (corefile is null)
        {
            Assert.DoesNotContain(facts.OfType<CorefileServer>(), _ => true);
        }
        else
        {
            Assert.Contains(facts.OfType<CorefileServer>(), s => s.Source == corefile && s.ServesRoot);
        }
    }

    /// <summary>
    /// What the checks name the cluster DNS by (<c>{{ known.ClusterDnsNamespace }}</c> ...): the namespace and selector
    /// of the Service the snapshot shows and its layout's Corefile ConfigMap; nothing while the snapshot shows no cluster
    /// DNS (kubeadm's names are then assumed).
    /// </summary>
    [Theory]
    [InlineData("gke-kube-dns.json", "kube-system", "k8s-app=kube-dns", "coredns", "deployment/kube-dns")]
    [InlineData("openshift-dns-default.json", "openshift-dns", "dns.operator.openshift.io/daemonset-dns=default", "dns-default", "daemonset/dns-default")]
    [InlineData("rke2-coredns.json", "kube-system", "k8s-app=kube-dns,app.kubernetes.io/name=rke2-coredns,app.kubernetes.io/instance=rke2-coredns", "rke2-coredns-rke2-coredns", "deployment/rke2-coredns-rke2-coredns")]
    [InlineData("kubespray-coredns-service.json", "kube-system", "k8s-app=coredns", "coredns", "deployment/coredns")]
    public void The_cluster_DNS_facts_name_its_pods_namespace_selector_Corefile_ConfigMap_and_workload(string fixture, string ns, string selector, string configMap, string workload)
    {
        var clusterDns = Assert.Single(Build(Items(fixture)).Facts.OfType<ClusterDns>());
        Assert.Equal((ns, selector, configMap, workload), (clusterDns.PodsNamespace, clusterDns.PodsSelector, clusterDns.CorefileConfigMap, clusterDns.Workload));

        var none = Assert.Single(Build([]).Facts.OfType<ClusterDns>());
        Assert.Equal((null, null, null, null), (none.PodsNamespace, none.PodsSelector, none.CorefileConfigMap, none.Workload));
    }

    /// <summary>
    /// Without the Service, the selector is the one the pods carry when they carry none of the layout's: kubespray's
    /// CoreDNS set up before 2019 keeps k8s-app=coredns (its Deployment's selector cannot change;
    /// prometheus-operator/kube-prometheus#216, kubernetes-sigs/kubespray#3483). A label value that is no label value
    /// (cluster text) never becomes the selector a command names.
    /// </summary>
    [Theory]
    [InlineData("coredns", "coredns", "k8s-app=coredns")]
    [InlineData("kube-dns", "kube-dns", "k8s-app=kube-dns")]
    [InlineData("coredns", "kube-dns", "k8s-app=kube-dns")]
    [InlineData("$(reboot)", "$(reboot)", "k8s-app=kube-dns")]
    [InlineData(null, null, "k8s-app=kube-dns")]
    public void Without_the_Service_the_selector_is_the_pods_own_k8s_app_label_when_they_carry_not_the_layouts(string? first, string? second, string selector)
    {
        JsonElement Pod(string name, string? app)
        {
            var labels = app is null ? "" : ",\"labels\":{\"k8s-app\":" + JsonSerializer.Serialize(app) + "}";
            return JsonDocument.Parse("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"" + name + "\",\"namespace\":\"kube-system\"" + labels + "},"
                + "\"spec\":{\"nodeName\":\"node-1\",\"containers\":[{\"name\":\"coredns\",\"image\":\"registry.k8s.io/coredns/coredns:v1.8.0\"}]},\"status\":{\"phase\":\"Running\"}}").RootElement;
        }

        var clusterDns = Assert.Single(Build([Pod("coredns-7d4c8f6b5d-8xkq2", first), Pod("coredns-7d4c8f6b5d-9zz7p", second)]).Facts.OfType<ClusterDns>());

        Assert.Equal(selector, clusterDns.PodsSelector);
        Assert.Equal(2, Build([Pod("coredns-7d4c8f6b5d-8xkq2", first), Pod("coredns-7d4c8f6b5d-9zz7p", second)]).Facts.OfType<CoreDnsPod>().Count());
    }

    /// <summary>
    /// A Corefile ConfigMap alone names the namespace and the ConfigMap, not the pods' labels: kubespray's is kubeadm's
    /// kube-system/coredns while its older pods carry k8s-app=coredns, so no selector is claimed until the Service or a pod
    /// shows one (the checks then list the pods of either label).
    /// </summary>
    [Fact]
    public void A_Corefile_ConfigMap_alone_says_no_pods_selector()
    {
        var configMap = JsonDocument.Parse("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"coredns\",\"namespace\":\"kube-system\"},"
            + "\"data\":{\"Corefile\":\".:53 {\\n    errors\\n    kubernetes cluster.local in-addr.arpa ip6.arpa\\n    forward . /etc/resolv.conf\\n}\\n\"}}").RootElement;

        var clusterDns = Assert.Single(Build([configMap]).Facts.OfType<ClusterDns>());

        Assert.Equal(("kube-system", "coredns", null), (clusterDns.PodsNamespace, clusterDns.CorefileConfigMap, clusterDns.PodsSelector));
        Assert.Equal("k8s-app=coredns", Assert.Single(Build([configMap, .. Items("kubespray-coredns-service.json")]).Facts.OfType<ClusterDns>()).PodsSelector);
    }

    /// <summary>
    /// The cluster DNS workload shown without its Service or pods (<c>kubectl get deploy coredns -o json</c> alone) names
    /// the pods' selector by its own <c>spec.selector</c>, kubespray's older <c>k8s-app=coredns</c> included; a selector
    /// that is no label selector (cluster text), or one by expressions, claims none.
    /// </summary>
    [Theory]
    [InlineData("Deployment", "kube-system", "coredns", "{\"k8s-app\":\"coredns\"}", "k8s-app=coredns", "deployment/coredns")]
    [InlineData("Deployment", "kube-system", "kube-dns", "{\"k8s-app\":\"kube-dns\"}", "k8s-app=kube-dns", "deployment/kube-dns")]
    [InlineData("DaemonSet", "openshift-dns", "dns-default", "{\"dns.operator.openshift.io/daemonset-dns\":\"default\"}", "dns.operator.openshift.io/daemonset-dns=default", "daemonset/dns-default")]
    [InlineData("Deployment", "kube-system", "coredns", "{\"k8s-app\":\"$(reboot)\"}", null, "deployment/coredns")]
    [InlineData("Deployment", "kube-system", "coredns", "{\"k8s-app\":\"coredns\",\"x\":\"a,b=c\"}", null, "deployment/coredns")]
    public void The_workload_alone_names_the_pods_selector_by_its_own(string kind, string ns, string name, string matchLabels, string? selector, string workload)
    {
        var json = "{\"apiVersion\":\"apps/v1\",\"kind\":\"" + kind + "\",\"metadata\":{\"name\":\"" + name + "\",\"namespace\":\"" + ns + "\"},"
            + "\"spec\":{\"selector\":{\"matchLabels\":" + matchLabels + "},\"template\":{\"metadata\":{\"labels\":" + matchLabels + "},"
            + "\"spec\":{\"containers\":[{\"name\":\"coredns\",\"image\":\"registry.k8s.io/coredns/coredns:v1.11.1\"}]}}}}";

        var clusterDns = Assert.Single(Build([JsonDocument.Parse(json).RootElement]).Facts.OfType<ClusterDns>());

        Assert.Equal((ns, selector, workload), (clusterDns.PodsNamespace, clusterDns.PodsSelector, clusterDns.Workload));
    }

    /// <summary>An owner reference is cluster text: a name no Kubernetes object can have never becomes the workload a command names.</summary>
    [Theory]
    [InlineData("ReplicaSet", "coredns-5d78c9869d", "5d78c9869d", "deployment/coredns")]
    [InlineData("DaemonSet", "dns-default", null, "daemonset/dns-default")]
    [InlineData("ReplicaSet", "$(reboot)-5d78c9869d", "5d78c9869d", "deployment/coredns")]
    [InlineData("DaemonSet", "x; rm -rf /", null, "deployment/coredns")]
    [InlineData("DaemonSet", "--kubeconfig=/tmp/x", null, "deployment/coredns")]
    [InlineData("ReplicaSet", "coredns-othershash", "5d78c9869d", "deployment/coredns")]
    public void The_workload_comes_from_the_pods_owner_only_when_it_is_a_kubernetes_name(string kind, string owner, string? hash, string workload)
    {
        var labels = hash is null ? "{\"k8s-app\":\"kube-dns\"}" : $"{{\"k8s-app\":\"kube-dns\",\"pod-template-hash\":\"{hash}\"}}";
        var pod = JsonDocument.Parse($$$"""
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"coredns-5d78c9869d-abcde","namespace":"kube-system","labels":{{{labels}}},
             "ownerReferences":[{"apiVersion":"apps/v1","kind":"{{{kind}}}","name":{{{JsonSerializer.Serialize(owner)}}},"controller":true,"uid":"u"}]},
             "spec":{"containers":[{"name":"coredns","image":"registry.k8s.io/coredns/coredns:v1.11.1"}]},"status":{"phase":"Running"}}
            """).RootElement;

        Assert.Equal(workload, Assert.Single(Build([pod]).Facts.OfType<ClusterDns>()).Workload);
    }

    [Fact]
    public void A_kube_dns_pods_version_is_no_CoreDNS_version()
    {
        var items = Items("gke-kube-dns.json");
        var dnsPod = Assert.Single(Build([.. items, PodOf(items, "kube-dns-7d4c8f6b5d-8xkq2")]).Facts.OfType<CoreDnsPod>());

        Assert.Null(dnsPod.Version);
        Assert.Equal("registry.k8s.io/dns/k8s-dns-kube-dns:1.22.20", dnsPod.Image);
    }

    [Fact]
    public void The_Service_whose_ClusterIP_is_the_pods_nameserver_is_the_cluster_DNS()
    {
        // kubespray names its Service coredns; a kube-dns Service left over from another install is not the one pods use.
        var leftover = JsonDocument.Parse("""
            {"apiVersion":"v1","kind":"Service","metadata":{"name":"kube-dns","namespace":"kube-system"},"spec":{"clusterIP":"10.233.0.10","selector":{"k8s-app":"kube-dns"}}}
            """).RootElement;
        var facts = Build([.. Items("kubespray-coredns-service.json"), leftover], nameserver: "10.233.0.3").Facts;

        var service = Assert.Single(facts.OfType<KubeDnsService>());
        Assert.Equal(("kube-system", "coredns", "10.233.0.3"), (service.Namespace, service.Name, service.ClusterIp));
    }

    [Theory]
    [InlineData("pods-A-wide-kube-dns-crashloop-2017.txt", "kubectl get pods -o wide --all-namespaces", "kube-system/kube-dns-1679876286-4vd2n")]
    [InlineData("pods-kube-system-kube-dns-crashloop-2018.txt", "kubectl get pods --namespace kube-system", "kube-system/kube-dns-5b9dbbdcc6-dhvl6,kube-system/kube-dns-5b9dbbdcc6-s4xn5")]
    [InlineData("openshift-dns-get-all-2019.txt", "oc -n openshift-dns get all", "openshift-dns/dns-default-ltznw,openshift-dns/dns-default-nh9jb,openshift-dns/dns-default-q4qrq")]
    [InlineData("pods-A-openshift-dns-default-crashloop.txt", "kubectl get pods -A", "openshift-dns/dns-default-ltznw,openshift-dns/dns-default-nh9jb,openshift-dns/dns-default-q4qrq")]
    public void A_pasted_table_of_kube_dns_or_dns_default_pods_gives_the_cluster_DNS_pods(string table, string command, string expected)
    {
        var facts = Build([], [new CommandOutput { Command = command, Text = File.ReadAllText(FixturePath(table)) }]).Facts;

        Assert.Equal(expected.Split(','), facts.OfType<CoreDnsPod>().Select(p => $"{p.Namespace}/{p.Name}"));
    }

    [Theory]
    [InlineData("kube-system", "coredns-autoscaler-5c9d7d8b4f-q2xkz")]
    [InlineData("kube-system", "kube-dns-autoscaler-6c8b8d4f9-h2kqv")]
    [InlineData("kube-system", "helm-install-rke2-coredns-4sn44")]
    [InlineData("kube-system", "rke2-coredns-rke2-coredns-autoscaler-7b5c8f9d6-wm2kx")]
    [InlineData("default", "coredns-5d78c9869d-abcde")]
    [InlineData("openshift-dns-operator", "dns-operator-7b6c4d9f8-k2x4q")]
    public void Autoscalers_installers_and_other_namespaces_pods_are_not_the_cluster_DNS(string ns, string pod)
    {
        Assert.Null(ClusterDnsIdentity.KnownLabels(ns, pod));
    }

    /// <summary>
    /// The distribution each fixture's cluster DNS shows (OpenShift's operator, RKE2's chart, kubespray's Service), and
    /// kube-dns without a Corefile: what decides where a Corefile change lasts (issue 21).
    /// </summary>
    [Theory]
    [InlineData("gke-kube-dns.json", null, true)]
    [InlineData("openshift-dns-default.json", Distributions.OpenShift, false)]
    [InlineData("rke2-coredns.json", Distributions.Rke2, false)]
    [InlineData("kubespray-coredns-service.json", Distributions.Kubespray, false)]
    public void The_cluster_DNS_layout_tells_OpenShift_RKE2_kubespray_and_kube_dns(string fixture, string? distribution, bool kubeDns)
    {
        var clusterDns = Assert.Single(Build(Items(fixture)).Facts.OfType<ClusterDns>());

        Assert.Equal((distribution, kubeDns), (clusterDns.Distribution, clusterDns.KubeDns));
        Assert.Equal(distribution is null, clusterDns.DistributionEvidence is null);
    }

    /// <summary>The nodes' own marks: the managed clouds' node-pool labels, k3s's and RKE2's instance type, the kubelet versions each builds.</summary>
    [Theory]
    [InlineData("kubernetes.azure.com/cluster", "MC_rg_aks_eastus", "v1.29.6", Distributions.Aks, "label kubernetes.azure.com/cluster")]
    [InlineData("eks.amazonaws.com/nodegroup", "ng-1", "v1.30.4-eks-a737599", Distributions.Eks, "label eks.amazonaws.com/nodegroup")]
    [InlineData("cloud.google.com/gke-nodepool", "default-pool", "v1.29.1-gke.1589018", Distributions.Gke, "label cloud.google.com/gke-nodepool")]
    [InlineData("node.kubernetes.io/instance-type", "k3s", "v1.30.6+k3s1", Distributions.K3s, "label node.kubernetes.io/instance-type=k3s")]
    [InlineData("kubernetes.io/os", "linux", "v1.30.6+k3s1", Distributions.K3s, "kubelet v1.30.6+k3s1")]
    [InlineData("kubernetes.io/os", "linux", "v1.27.4+rke2r1", Distributions.Rke2, "kubelet v1.27.4+rke2r1")]
    [InlineData("kubernetes.io/os", "linux", "v1.16.15-eks-ad4801", Distributions.Eks, "kubelet v1.16.15-eks-ad4801")]
    [InlineData("kubernetes.io/os", "linux", "v1.30.2", null, null)]
    [InlineData("node.kubernetes.io/instance-type", "ecs.g7.xlarge", "v1.28.3-aliyun.1", null, null)]
    public void A_nodes_labels_or_kubelet_version_tell_its_distribution(string label, string value, string kubelet, string? distribution, string? evidence)
    {
        var node = JsonDocument.Parse(
            "{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"metadata\":{\"name\":\"n1\",\"labels\":{\"" + label + "\":\"" + value + "\"}},"
            + "\"status\":{\"nodeInfo\":{\"kubeletVersion\":\"" + kubelet + "\"}}}").RootElement;

        var clusterDns = Assert.Single(Build([node]).Facts.OfType<ClusterDns>());

        Assert.Equal((distribution, evidence is null ? null : "node n1: " + evidence), (clusterDns.Distribution, clusterDns.DistributionEvidence));
    }

    /// <summary>kubespray's CoreDNS Deployment as its template makes it (k8s-app=coredns on clusters set up before 2019), with a replica count.</summary>
    private static JsonElement CoreDnsDeployment(int? replicas) => JsonDocument.Parse(
        "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"coredns\",\"namespace\":\"kube-system\"},\"spec\":{"
        + (replicas is null ? "" : $"\"replicas\":{replicas},")
        + "\"selector\":{\"matchLabels\":{\"k8s-app\":\"coredns\"}},\"template\":{\"metadata\":{\"labels\":{\"k8s-app\":\"coredns\"}},"
        + "\"spec\":{\"containers\":[{\"name\":\"coredns\",\"image\":\"registry.k8s.io/coredns/coredns:v1.11.1\"}]}}}}").RootElement;

    /// <summary>
    /// What sets the replica count a scale-out step names: the DNS Deployment's <c>spec.replicas</c> (1 when unset), and
    /// the cluster-proportional-autoscaler that owns it (kubespray's dns-autoscaler, the kube-dns-autoscaler addon: real
    /// manifests, tests/fixtures/distributions/SOURCES.md), whose ConfigMap is its <c>--configmap</c>. The same image
    /// scaling Calico's typha (<c>--target=deployment/calico-typha</c>) is not the DNS's.
    /// </summary>
    [Theory]
    [InlineData("kubespray-dns-autoscaler.json", 2, "deployment/dns-autoscaler", "dns-autoscaler")]
    [InlineData("kube-dns-autoscaler.json", 3, "deployment/kube-dns-autoscaler", "kube-dns-autoscaler")]
    [InlineData("calico-typha-autoscaler.json", 2, null, null)]
    [InlineData("calico-typha-autoscaler.json", null, null, null)]
    public void The_cluster_DNS_facts_name_its_replica_count_and_the_autoscaler_that_owns_it(string fixture, int? replicas, string? autoscaler, string? configMap)
    {
        var clusterDns = Assert.Single(Build([.. Items("kubespray-coredns-service.json"), CoreDnsDeployment(replicas), .. Items(fixture)]).Facts.OfType<ClusterDns>());

        Assert.Equal(("deployment/coredns", replicas ?? 1, autoscaler, configMap), (clusterDns.Workload, clusterDns.WorkloadReplicas, clusterDns.Autoscaler, clusterDns.AutoscalerConfigMap));
        var alone = Assert.Single(Build([.. Items(fixture)]).Facts.OfType<ClusterDns>());
        Assert.Equal((null, null), (alone.WorkloadReplicas, alone.Autoscaler));
    }

    private static readonly JsonSerializerOptions WebJson = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// GKE's kube-dns-autoscaler listed only as its pod (no arguments to read: tests/scenarios/coredns-pod-not-running's
    /// GKE near miss): its name says DNS, and its ConfigMap is named as it is.
    /// </summary>
    [Fact]
    public void An_autoscaler_pod_without_its_arguments_is_the_dns_one_by_its_name()
    {
        var scenario = Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "scenarios", "coredns-pod-not-running",
            "near-miss-gke-kube-dns-healthy-autoscaler-restarting.json");
        var request = JsonSerializer.Deserialize<DiagnosisRequest>(File.ReadAllText(scenario), WebJson)!;
        var clusterDns = Assert.Single(SnapshotFactBuilder.Build(request).Facts.OfType<ClusterDns>());

        Assert.Equal(("deployment/kube-dns-autoscaler", "kube-dns-autoscaler"), (clusterDns.Autoscaler, clusterDns.AutoscalerConfigMap));
    }
}
