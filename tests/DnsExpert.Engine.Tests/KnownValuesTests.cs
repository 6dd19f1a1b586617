using DnsExpert.Engine.Commands;
using DnsExpert.Engine.Compilation;
using DnsExpert.Engine.Hypotheses;
using DnsExpert.Engine.RuleFiles;
using DnsExpert.Facts;
using DnsExpert.Readers.Parsing;
using DnsExpert.Testing;

namespace DnsExpert.Engine.Tests;

/// <summary>What the checks' commands are filled with: the upstream is the root forward's first plain DNS address.</summary>
public sealed class KnownValuesTests
{
    private static readonly RuleBase Rules = RuleBaseLoader.Load(RepoPaths.Rules);

    private static CorefileUpstream Upstream(string zone, params string[] targets)
    {
        var forward = new CorefilePlugin
        {
            Source = "ConfigMap kube-system/coredns", ServerIndex = 0, ServerKey = zone + ":53", Line = 9,
            Text = $"forward {zone} {string.Join(' ', targets)}", Name = "forward", Arguments = [zone, .. targets],
        };
        return new CorefileUpstream(forward, ForwardTarget.Parse(targets[0]));
    }

    [Fact]
    public void The_upstream_is_the_root_forwards_first_plain_address_never_a_file_CoreDNS_itself_or_another_zone()
    {
        KnownValues Known(params object[] facts) => KnownValues.From(facts, "shop", "web-0", "api.example.com", null);

        Assert.Equal("100.100.2.136", Known(Upstream("consul.local", "10.0.0.9"), Upstream(".", "/etc/resolv.conf"), Upstream(".", "127.0.0.1"), Upstream(".", "100.100.2.136"), Upstream(".", "100.100.2.138")).Upstream);
        Assert.Equal("10.0.0.2", Known(Upstream(".", "dns://10.0.0.2:5353")).Upstream);
        Assert.Equal(new Placeholder("<upstream>"), Known(Upstream(".", "/etc/resolv.conf"), Upstream("consul.local", "10.0.0.9")).Upstream);
    }

    [Fact]
    public void With_forward_to_a_file_the_upstream_is_the_first_nameserver_of_the_file_kubelet_hands_CoreDNS_once_read()
    {
        KnownValues Known(params object[] facts) => KnownValues.From(facts, "shop", "web-0", "api.example.com", null);
        var stub = new NodeResolvConf { Source = "node n1 /etc/resolv.conf", Node = "n1", Nameservers = ["127.0.0.53"], LoopbackNameserver = "127.0.0.53", KubeletResolvConf = "/run/systemd/resolve/resolv.conf" };
        var uplink = new NodeResolvConf { Source = "node n1 /run/systemd/resolve/resolv.conf", Node = "n1", Path = "/run/systemd/resolve/resolv.conf", Nameservers = ["10.0.0.2", "10.0.0.3"], KubeletResolvConf = "/run/systemd/resolve/resolv.conf" };

        Assert.Equal("10.0.0.2", Known(Upstream(".", "/etc/resolv.conf"), stub, uplink).Upstream);
        Assert.Equal(new Placeholder("<upstream>"), Known(Upstream(".", "/etc/resolv.conf"), stub).Upstream);
        Assert.Equal("100.100.2.136", Known(Upstream(".", "100.100.2.136"), uplink).Upstream);
    }

    /// <summary>The DNS container is the pods' (OpenShift's dns), else the distribution's, else kubeadm's coredns.</summary>
    [Fact]
    public void The_dns_container_is_the_pods_else_the_distributions_else_coredns()
    {
        KnownValues Known(params object[] facts) => KnownValues.From(facts, "shop", "web-0", "api.example.com", null);
        var pod = new CoreDnsPod { Source = "Pod openshift-dns/dns-default-ltznw", Namespace = "openshift-dns", Name = "dns-default-ltznw", Container = "dns" };
        var openShift = new ClusterDns { Source = "Service openshift-dns/dns-default", ClusterDomain = "cluster.local", PodsNamespace = "openshift-dns", Distribution = Distributions.OpenShift };
        var kubeDns = new ClusterDns { Source = "Service kube-system/kube-dns", ClusterDomain = "cluster.local", PodsNamespace = "kube-system", KubeDns = true };

        Assert.Equal("dns", Known(pod).ClusterDnsContainer);
        Assert.Equal("dns", Known(openShift).ClusterDnsContainer);
        Assert.Equal("kubedns", Known(kubeDns).ClusterDnsContainer);
        Assert.Equal("coredns", Known().ClusterDnsContainer);
        Assert.Equal("coredns", Known(new CoreDnsPod { Source = "Pod kube-system/coredns-0", Namespace = "kube-system", Name = "coredns-0", Container = "coredns" }, openShift).ClusterDnsContainer);
    }

    /// <summary>
    /// The pod whose dnsmasq container's log is read is a kube-dns pod (its DNS container kubedns), a Ready one first,
    /// then by name; with CoreDNS pods only (no dnsmasq container) it stays withheld: no check naming it is given.
    /// </summary>
    [Fact]
    public void The_kube_dns_pod_for_its_dnsmasq_log_is_a_ready_kubedns_pod_else_withheld()
    {
        KnownValues Known(params object[] facts) => KnownValues.From(facts, "shop", "web-0", "api.example.com", null);
        CoreDnsPod Pod(string name, string container, bool ready) =>
            new() { Source = $"Pod kube-system/{name}", Namespace = "kube-system", Name = name, Container = container, Ready = ready };

        Assert.Equal("kube-dns-7d4c8f6b5d-t2v9r", Known(Pod("kube-dns-7d4c8f6b5d-8xkq2", "kubedns", false), Pod("kube-dns-7d4c8f6b5d-t2v9r", "kubedns", true)).KubeDnsPod);
        Assert.Equal("kube-dns-7d4c8f6b5d-8xkq2", Known(Pod("kube-dns-7d4c8f6b5d-t2v9r", "kubedns", true), Pod("kube-dns-7d4c8f6b5d-8xkq2", "kubedns", true)).KubeDnsPod);
        var withheld = Known(Pod("coredns-5d78c9869d-abcde", "coredns", true)).KubeDnsPod;
        Assert.Equal(new Placeholder("<kube-dns-pod>", Withheld: true), withheld);
        Assert.Contains("<kube-dns-pod>", Known().Withheld);
    }

    /// <summary>
    /// The name a split check asks is the kubernetes Service's under the cluster domain the Corefile names, kubeadm's
    /// cluster.local while unread; a domain that is no DNS name (from a hostile Corefile) leaves the placeholder.
    /// </summary>
    [Fact]
    public void The_name_every_cluster_dns_answers_is_under_the_corefiles_cluster_domain()
    {
        KnownValues Known(params object[] facts) => KnownValues.From(facts, "shop", "web-0", "orders.shop", null);
        var corp = new ClusterDns { Source = "Service kube-system/kube-dns", ClusterDomain = "corp.internal" };

        Assert.Equal("kubernetes.default.svc.cluster.local", Known().KubernetesServiceName);
        Assert.Equal("kubernetes.default.svc.corp.internal", Known(corp).KubernetesServiceName);
        Assert.Equal(("cluster.local", "corp.internal"), (Known().ClusterDomain, Known(corp).ClusterDomain));
        var vxlan = Rules.Rules.Single(r => r.Id == "vxlan-checksum-offload").Checks.Single(c => c.Facts.Contains("ProbeResult"));
        var pod = new CoreDnsPod { Source = "Pod kube-system/coredns-0", Namespace = "kube-system", Name = "coredns-0", Ip = "10.244.2.3", Ready = true };
        Assert.Equal("kubectl exec -n shop web-0 -- dig @10.244.2.3 kubernetes.default.svc.corp.internal +tries=1",
            HypothesisBuilder.CheckOf(vxlan, Known(corp, pod)).Command);
        var nodeLocal = Rules.Rules.Single(r => r.Id == "app-to-kube-dns-unreachable").Checks.Where(c => c.On is null && c.Cost == 2)
            .Select(c => HypothesisBuilder.CheckOf(c, Known(corp, pod)).Command).Where(c => c.StartsWith("kubectl debug node/", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, nodeLocal.Count);
        Assert.All(nodeLocal, c => Assert.Contains(" kubernetes.default.svc.corp.internal +tcp +tries=1", c, StringComparison.Ordinal));
        Assert.Contains("dig @10.244.2.3 <known-kubernetes-service-name> +tries=1",
            HypothesisBuilder.CheckOf(vxlan, Known(new ClusterDns { Source = "x", ClusterDomain = "-x $(id)" }, pod)).Command, StringComparison.Ordinal);
    }

    /// <summary>
    /// The checks name the cluster DNS where the snapshot shows it (OpenShift's openshift-dns), kubeadm's names while it
    /// shows none; once kubeadm's pods were listed and none was there, the namespace, selector and Corefile ConfigMap
    /// are left to fill in from the cluster DNS Service, so the check that reads it comes first.
    /// </summary>
    [Fact]
    public void The_cluster_dns_names_are_the_snapshots_else_kubeadms_until_its_pods_are_not_there()
    {
        const string KubeadmPods = "kubectl get pods -n kube-system -l k8s-app=kube-dns -o json";
        var openShift = new ClusterDns
        {
            Source = "Service openshift-dns/dns-default", ClusterDomain = "cluster.local",
            PodsNamespace = "openshift-dns", PodsSelector = "dns.operator.openshift.io/daemonset-dns=default", CorefileConfigMap = "dns-default",
        };
        var nothingShown = new ClusterDns { Source = "snapshot", ClusterDomain = "cluster.local" };

        var known = KnownValues.From([openShift], "shop", "web-0", "orders.shop.svc.cluster.local", null, ran: [KubeadmPods]);
        Assert.Equal(("openshift-dns", "dns.operator.openshift.io/daemonset-dns=default", "dns-default"), (known.ClusterDnsNamespace, known.ClusterDnsSelector, known.CorefileConfigMap));

        // While the snapshot shows none: kube-system, and a selector that every layout labelling its pods by k8s-app
        // answers (kubespray's older CoreDNS carries k8s-app=coredns).
        var assumed = KnownValues.From([nothingShown], "shop", "web-0", "orders.shop.svc.cluster.local", null);
        Assert.Equal(("kube-system", "k8s-app in (kube-dns,coredns)", "coredns"), (assumed.ClusterDnsNamespace, assumed.ClusterDnsSelector, assumed.CorefileConfigMap));

        // Listed by that selector (as the check quotes it) or by kubeadm's, and none there: left to fill in from the Service.
        foreach (var listed in new[] { KubeadmPods, "kubectl get pods -n kube-system -l 'k8s-app in (kube-dns,coredns)' -o json" })
        {
            var elsewhere = KnownValues.From([nothingShown], "shop", "web-0", "orders.shop.svc.cluster.local", null, ran: [listed]);
            Assert.Equal(new Placeholder("<cluster-dns-namespace>"), elsewhere.ClusterDnsNamespace);
            Assert.Equal(new Placeholder("<cluster-dns-selector>"), elsewhere.ClusterDnsSelector);
            Assert.Equal(new Placeholder("<corefile-configmap>"), elsewhere.CorefileConfigMap);
            Assert.Equal(["KubeDnsService"], elsewhere.FilledFrom("kubectl get pods -n <cluster-dns-namespace> -l <cluster-dns-selector> -o json", null));
        }

        // A CoreDNS pod read another way (a pasted table) says the kubeadm names were right after all.
        var pod = new CoreDnsPod { Source = "Pod kube-system/coredns-1", Namespace = "kube-system", Name = "coredns-1" };
        Assert.Equal("kube-system", KnownValues.From([nothingShown, pod], "shop", "web-0", "orders.shop.svc.cluster.local", null, ran: [KubeadmPods]).ClusterDnsNamespace);
    }

    /// <summary>
    /// The names a remediation needs besides the namespace and the workload: the Service's (the one read, else the
    /// distribution's layout's, kubeadm's while unknown), the workload's kind for a step's <c>when:</c> (no scaling of
    /// OpenShift's DaemonSet), the distribution, and the pods' service account.
    /// </summary>
    [Fact]
    public void The_service_the_workload_kind_and_the_service_account_are_the_snapshots_else_the_layouts()
    {
        ClusterDns Dns(string? distribution, string ns, string configMap, string workload, bool kubeDns = false) => new()
        {
            Source = "snapshot", ClusterDomain = "cluster.local", Distribution = distribution, PodsNamespace = ns, PodsSelector = "k8s-app=kube-dns",
            CorefileConfigMap = configMap, Workload = workload, KubeDns = kubeDns,
        };
        KnownValues Known(params object[] facts) => KnownValues.From(facts, "shop", "web-0", null, null);

        var openShift = Known(Dns(Distributions.OpenShift, "openshift-dns", "dns-default", "daemonset/dns-default"));
        Assert.Equal(("dns-default", "daemonset", "openshift", "dns"), (openShift.ClusterDnsService, openShift.ClusterDnsWorkloadKind, openShift.Distribution, openShift.ClusterDnsServiceAccount));
        var rke2 = Known(Dns(Distributions.Rke2, "kube-system", "rke2-coredns-rke2-coredns", "deployment/rke2-coredns-rke2-coredns"));
        Assert.Equal(("rke2-coredns-rke2-coredns", "deployment", "rke2-coredns-rke2-coredns"), (rke2.ClusterDnsService, rke2.ClusterDnsWorkloadKind, rke2.ClusterDnsServiceAccount));
        Assert.Equal("coredns", Known(Dns(Distributions.Kubespray, "kube-system", "coredns", "deployment/coredns")).ClusterDnsService);
        var gke = Known(Dns(Distributions.Gke, "kube-system", "kube-dns", "deployment/kube-dns", kubeDns: true));
        Assert.Equal(("kube-dns", "kube-dns"), (gke.ClusterDnsService, gke.ClusterDnsServiceAccount));
        Assert.Equal(("kube-dns", "deployment", "", "coredns"), (Known().ClusterDnsService, Known().ClusterDnsWorkloadKind, Known().Distribution, Known().ClusterDnsServiceAccount));

        // The Service read and the pods' own service account win over the layout's.
        var service = new KubeDnsService { Source = "Service openshift-dns/dns-custom", Namespace = "openshift-dns", Name = "dns-custom", ClusterIp = "172.30.0.10" };
        var pod = new CoreDnsPod { Source = "Pod openshift-dns/dns-default-x", Namespace = "openshift-dns", Name = "dns-default-x", ServiceAccount = "dns-own" };
        var read = Known(Dns(Distributions.OpenShift, "openshift-dns", "dns-default", "daemonset/dns-default"), service, pod);
        Assert.Equal(("dns-custom", "dns-own"), (read.ClusterDnsService, read.ClusterDnsServiceAccount));

        // Once kubeadm's pods were listed and none was there: the Service is left to fill in, and so is the kind.
        var elsewhere = KnownValues.From([new ClusterDns { Source = "snapshot", ClusterDomain = "cluster.local" }], "shop", "web-0", null, null,
            ran: ["kubectl get pods -n kube-system -l k8s-app=kube-dns -o json"]);
        Assert.Equal((new Placeholder("<cluster-dns-service>"), ""), (elsewhere.ClusterDnsService, elsewhere.ClusterDnsWorkloadKind));
    }

    /// <summary>
    /// What a NetworkPolicy snippet allows: the DNS pods' label as the snapshot's selector says it, and their port, 5353
    /// on OpenShift (dns-default's pods behind the Service's 53), else 53; kubeadm's label while unknown, and a selector
    /// that is no label requirement (cluster text) never reaches the snippet.
    /// </summary>
    [Fact]
    public void The_dns_pods_label_and_port_for_a_network_policy_are_the_snapshots()
    {
        static KnownValues Known(string? distribution, string? selector) => KnownValues.From(
            [new ClusterDns { Source = "snapshot", ClusterDomain = "cluster.local", Distribution = distribution, PodsNamespace = "ns", PodsSelector = selector }],
            "shop", "web-0", null, null);

        var openShift = Known(Distributions.OpenShift, "dns.operator.openshift.io/daemonset-dns=default");
        Assert.Equal(("dns.operator.openshift.io/daemonset-dns: default", "5353"), (openShift.ClusterDnsPodLabel, openShift.ClusterDnsPodPort));
        var rke2 = Known(Distributions.Rke2, "app.kubernetes.io/instance=rke2-coredns,app.kubernetes.io/name=rke2-coredns,k8s-app=kube-dns");
        Assert.Equal(("app.kubernetes.io/instance: rke2-coredns", "53"), (rke2.ClusterDnsPodLabel, rke2.ClusterDnsPodPort));
        Assert.Equal("k8s-app: coredns", Known(Distributions.Kubespray, "k8s-app=coredns").ClusterDnsPodLabel);
        Assert.Equal("k8s-app: kube-dns", Known(null, "k8s-app in (kube-dns,coredns)").ClusterDnsPodLabel);
        Assert.Equal("k8s-app: kube-dns", Known(null, "k8s-app=kube-dns\n  evil: x").ClusterDnsPodLabel);
        Assert.Equal("k8s-app: kube-dns", Known(null, "a: b=c").ClusterDnsPodLabel);
    }

    /// <summary>
    /// The interface ethtool reads on a CoreDNS node: the one a read of its counters named; else, on EC2, the name the
    /// node's OS gives the ENA interface (ens5 on RHCOS, Amazon Linux 2023, Ubuntu); else eth0 (Amazon Linux 2, RHEL 7,
    /// Azure's Ubuntu). A device that is no plain interface name is never taken.
    /// </summary>
    [Fact]
    public void The_node_interface_is_the_one_read_else_the_one_the_ec2_nodes_os_names()
    {
        static ClusterNode Node(string name, string os, string provider = "aws:///eu-west-3a/i-0c5d1e7a2b3f40a01") =>
            new() { Source = "Node " + name, Name = name, OsImage = os, ProviderId = provider, HostsCoreDns = true };
        static NodeNicAllowance Read(string node, string device) => new() { Source = "Node " + node, Node = node, Device = device, LinkLocalExceeded = 1 };
        static object Known(params object[] facts) => KnownValues.From(facts, "shop", "web-0", null, null).CoreDnsNodeInterface;

        Assert.Equal("ens5", Known(Node("n1", "Red Hat Enterprise Linux CoreOS 416.94.202407081958-0 (Plow)")));
        Assert.Equal("ens5", Known(Node("n1", "Amazon Linux 2023.5.20240805")));
        Assert.Equal("ens5", Known(Node("n1", "Ubuntu 22.04.4 LTS")));
        Assert.Equal("eth0", Known(Node("n1", "Amazon Linux 2")));
        Assert.Equal("eth0", Known(Node("n1", "Red Hat Enterprise Linux Server 7.6 (Maipo)")));
        Assert.Equal("eth0", Known(Node("n1", "Ubuntu 22.04.4 LTS", "azure:///subscriptions/x/resourceGroups/y/providers/Microsoft.Compute/virtualMachineScaleSets/z/virtualMachines/0")));
        Assert.Equal("eth0", Known());

        Assert.Equal("eth1", Known(Node("n1", "Red Hat Enterprise Linux CoreOS 416"), Read("n1", "eth1")));
        Assert.Equal("eth0", Known(Node("n1", "Amazon Linux 2"), Read("n1", "the interface"), Read("n1", "$(reboot)"), Read("n1", "-all"), Read("n1", "averyveryverylongname")));
    }

    /// <summary>
    /// The cluster DNS Service is listed by its labels, whatever its name: the k8s-app label of every layout but
    /// OpenShift's, whose dns-default carries the operator's own (tests/fixtures/distributions/openshift-dns-default.json).
    /// </summary>
    [Fact]
    public void The_cluster_dns_service_is_listed_by_the_labels_of_its_layout()
    {
        var openShift = new ClusterDns { Source = "Service openshift-dns/dns-default", ClusterDomain = "cluster.local", Distribution = Distributions.OpenShift, PodsNamespace = "openshift-dns" };
        var unknown = new ClusterDns { Source = "snapshot", ClusterDomain = "cluster.local" };

        Assert.Equal("dns.operator.openshift.io/owning-dns=default", KnownValues.From([openShift], "shop", "web-0", null, null).ClusterDnsServiceSelector);
        Assert.Equal("k8s-app in (kube-dns,coredns)", KnownValues.From([unknown], "shop", "web-0", null, null).ClusterDnsServiceSelector);
    }

    /// <summary>
    /// A selector read from the cluster (a Service's, a pod's labels) that is no selector of label keys and values
    /// never reaches a command: the check that lists the pods names a placeholder instead, with the note saying why.
    /// </summary>
    [Theory]
    [InlineData("k8s-app in (a,$(reboot))")]
    [InlineData("k8s-app in (kube-dns) ; id")]
    [InlineData("k8s-app in (kube-dns),--all-namespaces=x")]
    [InlineData("k8s-app=kube-dns' -A '")]
    public void A_hostile_cluster_dns_selector_is_a_placeholder_in_the_checks(string selector)
    {
        var symptom = new ReportedSymptom { Source = "request.symptom", Class = SymptomClasses.ServerUnreachable, Frequency = SymptomFrequencies.Always };
        var clusterDns = new ClusterDns { Source = "Service kube-system/coredns", ClusterDomain = "cluster.local", PodsNamespace = "kube-system", PodsSelector = selector, CorefileConfigMap = "coredns" };
        var known = KnownValues.From([symptom, clusterDns], "default", "web-1", "orders.shop.svc.cluster.local", null);

        var check = HypothesisBuilder.Build(Rules, [symptom, clusterDns], [], known).SelectMany(h => h.Checks)
            .First(c => c.Command.StartsWith("kubectl get pods -n kube-system -l ", StringComparison.Ordinal));

        Assert.Equal("kubectl get pods -n kube-system -l <known-cluster-dns-selector> -o json", check.Command);
        Assert.Contains("is left to fill in", check.Why, StringComparison.Ordinal);
    }

    /// <summary>
    /// The lookups from the failing pod's node, where its NodeLocal DNSCache runs, are given only once the pod is known
    /// to ask NodeLocal (a link-local server in its error or resolv.conf, or NodeLocal's DaemonSet read); they ask
    /// NodeLocal's upstream: the Service of its -upstreamsvc, else (kubespray's nodelocaldns) the cluster DNS Service.
    /// </summary>
    [Fact]
    public void The_node_lookups_wait_for_NodeLocal_and_ask_its_upstream()
    {
        var pod = new PodDns { Source = "Pod default/web-0", Namespace = "default", Name = "web-0", DnsPolicy = DnsPolicies.ClusterFirst, Node = "node4" };
        var service = new KubeDnsService { Source = "Service kube-system/coredns", Namespace = "kube-system", Name = "coredns", ClusterIp = "10.233.0.3" };
        var gke = new NodeLocalDnsCache { Source = "DaemonSet kube-system/node-local-dns", Name = "node-local-dns", UpstreamService = "kube-dns-upstream", UpstreamIp = "10.8.4.94" };

        var noNodeLocal = KnownValues.From([pod, service], "default", "web-0", null, "10.233.0.3:53");
        Assert.Contains("<nodelocal-node>", noNodeLocal.Withheld);

        var kubespray = KnownValues.From([pod, service], "default", "web-0", null, "169.254.25.10:53");
        Assert.Equal(("node4", "10.233.0.3"), (kubespray.NodeLocalNode, kubespray.NodeLocalUpstreamIp));

        var withDaemonSet = KnownValues.From([pod, service, gke], "default", "web-0", null, "10.8.0.10:53");
        Assert.Equal(("node4", "10.8.4.94"), (withDaemonSet.NodeLocalNode, withDaemonSet.NodeLocalUpstreamIp));
    }

    /// <summary>An upstream address read from the cluster that is no IP address never reaches the node's lookup: a placeholder stands there.</summary>
    [Theory]
    [InlineData("10.8.4.94 ; reboot")]
    [InlineData("-f/etc/shadow")]
    [InlineData("+tcp")]
    public void A_hostile_nodelocal_upstream_is_a_placeholder_in_the_node_lookup(string upstream)
    {
        var symptom = new ReportedSymptom { Source = "request.symptom", Class = SymptomClasses.ServerUnreachable, Frequency = SymptomFrequencies.Always };
        var pod = new PodDns { Source = "Pod default/web-0", Namespace = "default", Name = "web-0", DnsPolicy = DnsPolicies.ClusterFirst, Node = "node4" };
        var nodeLocal = new NodeLocalDnsCache { Source = "DaemonSet kube-system/node-local-dns", Name = "node-local-dns", UpstreamService = "kube-dns-upstream", UpstreamIp = upstream };
        var known = KnownValues.From([symptom, pod, nodeLocal], "default", "web-0", "orders.shop.svc.cluster.local", null);

        var check = HypothesisBuilder.Build(Rules, [symptom, pod, nodeLocal], [], known).SelectMany(h => h.Checks)
            .First(c => c.Command.StartsWith("kubectl debug node/node4 -it --image=registry.k8s.io/e2e-test-images/jessie-dnsutils:1.3 -- dig @<", StringComparison.Ordinal));

        Assert.Equal("kubectl debug node/node4 -it --image=registry.k8s.io/e2e-test-images/jessie-dnsutils:1.3 -- dig @<nodelocal-upstream-ip> kubernetes.default.svc.cluster.local +tcp +tries=1", check.Command);
        Assert.Contains("is left to fill in", check.Why, StringComparison.Ordinal);
    }

    /// <summary>
    /// NodeLocal DNSCache's log is read where its DaemonSet is, by its pods' own labels (a chart's release namespace,
    /// its app.kubernetes.io labels); while its DaemonSet is not read, where upstream's, kubespray's, RKE2's and GKE's are.
    /// </summary>
    [Theory]
    [InlineData("node-local-dns", "app.kubernetes.io/name=node-local-dns,app.kubernetes.io/instance=node-local-dns",
        "kubectl logs -n node-local-dns -l app.kubernetes.io/name=node-local-dns,app.kubernetes.io/instance=node-local-dns --prefix --timestamps --tail=500")]
    [InlineData(null, null, "kubectl logs -n kube-system -l k8s-app=node-local-dns --prefix --timestamps --tail=500")]
    public void The_nodelocal_log_is_read_where_its_daemonset_is(string? ns, string? selector, string expected)
    {
        var symptom = new ReportedSymptom { Source = "request.symptom", Class = SymptomClasses.ServerUnreachable, Frequency = SymptomFrequencies.Always };
        var pod = new PodDns { Source = "Pod default/web-0", Namespace = "default", Name = "web-0", DnsPolicy = DnsPolicies.ClusterFirst, Node = "node4" };
        List<object> facts = [symptom, pod];
        if (ns is not null)
        {
            facts.Add(new NodeLocalDnsCache { Source = $"DaemonSet {ns}/node-local-dns", Name = "node-local-dns", Namespace = ns, PodSelector = selector, LocalIp = "169.254.20.11" });
        }

        var known = KnownValues.From(facts, "default", "web-0", "orders.shop.svc.cluster.local", "169.254.20.11:53");
        var commands = HypothesisBuilder.Build(Rules, facts, [], known).SelectMany(h => h.Checks).Select(c => c.Command).ToList();

        Assert.Contains(expected, commands);
    }

    /// <summary>A namespace or selector read from the cluster that is no such thing never reaches the log command as an option or a second command: a placeholder stands there.</summary>
    [Theory]
    [InlineData("-A", "k8s-app=node-local-dns")]
    [InlineData("dns; reboot", "k8s-app=node-local-dns")]
    [InlineData("node-local-dns", "x=y --all-containers; reboot")]
    public void A_hostile_nodelocal_namespace_or_selector_does_not_reach_the_command(string ns, string selector)
    {
        var symptom = new ReportedSymptom { Source = "request.symptom", Class = SymptomClasses.ServerUnreachable, Frequency = SymptomFrequencies.Always };
        var nodeLocal = new NodeLocalDnsCache { Source = "DaemonSet x/node-local-dns", Name = "node-local-dns", Namespace = ns, PodSelector = selector, LocalIp = "169.254.20.11" };
        var known = KnownValues.From([symptom, nodeLocal], "default", "web-0", "orders.shop.svc.cluster.local", "169.254.20.11:53");

        var commands = HypothesisBuilder.Build(Rules, [symptom, nodeLocal], [], known).SelectMany(h => h.Checks).Select(c => c.Command).ToList();

        Assert.Contains(commands, c => c.EndsWith(" --prefix --timestamps --tail=500", StringComparison.Ordinal) && c.Contains("node-local", StringComparison.Ordinal));
        Assert.DoesNotContain(commands, c => c.Contains("reboot", StringComparison.Ordinal));
        Assert.DoesNotContain(commands, c => c.Contains("-n -A", StringComparison.Ordinal));
    }
}
