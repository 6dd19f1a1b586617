using DnsExpert.Engine.Commands;
using DnsExpert.Facts;
using DnsExpert.Readers.Parsing;

namespace DnsExpert.Engine.Tests;

/// <summary>What the checks' commands are filled with: the upstream is the root forward's first plain DNS address.</summary>
public sealed class KnownValuesTests
{
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

        var assumed = KnownValues.From([nothingShown], "shop", "web-0", "orders.shop.svc.cluster.local", null);
        Assert.Equal(("kube-system", "k8s-app=kube-dns", "coredns"), (assumed.ClusterDnsNamespace, assumed.ClusterDnsSelector, assumed.CorefileConfigMap));

        var elsewhere = KnownValues.From([nothingShown], "shop", "web-0", "orders.shop.svc.cluster.local", null, ran: [KubeadmPods]);
        Assert.Equal(new Placeholder("<cluster-dns-namespace>"), elsewhere.ClusterDnsNamespace);
        Assert.Equal(new Placeholder("<cluster-dns-selector>"), elsewhere.ClusterDnsSelector);
        Assert.Equal(new Placeholder("<corefile-configmap>"), elsewhere.CorefileConfigMap);
        Assert.Equal(["KubeDnsService"], elsewhere.FilledFrom("kubectl get pods -n <cluster-dns-namespace> -l <cluster-dns-selector> -o json", null));

        // A CoreDNS pod read another way (a pasted table) says the kubeadm names were right after all.
        var pod = new CoreDnsPod { Source = "Pod kube-system/coredns-1", Namespace = "kube-system", Name = "coredns-1" };
        Assert.Equal("kube-system", KnownValues.From([nothingShown, pod], "shop", "web-0", "orders.shop.svc.cluster.local", null, ran: [KubeadmPods]).ClusterDnsNamespace);
    }
}
