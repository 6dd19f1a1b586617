using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DnsExpert.Contract;
using DnsExpert.Readers.Building;
using DnsExpert.Readers.Parsing;

namespace DnsExpert.Api.Tests.Conversation;

/// <summary>
/// The simulated cluster answers as the real tools print: what it prints is read by the product's own readers exactly as
/// the real output kept under <c>tests/fixtures</c> is, it answers from the scenario's truth, and where the scenario does
/// not say, it either answers as a healthy cluster does or not at all (never the failure, never a success the error
/// message contradicts).
/// </summary>
public sealed class SimulatedClusterTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private const string Client = "kubectl exec -n default web-7d4b9c-x2k4q -- ";

    private static string Fixture(string path) => File.ReadAllText(Path.Combine(ApiFactory.RepoRoot, "tests", "fixtures", path));

    private static ProbeArtifact Lookup(string text, string command) => Assert.Single(DnsToolOutput.Parse(text, command)).Probe;

    /// <summary>
    /// <c>--field-selector</c> filters as the API server does (Services by <c>spec.clusterIP</c> since Kubernetes 1.31):
    /// the cluster DNS Service of every namespace by the address the error names, OpenShift's openshift-dns/dns-default.
    /// </summary>
    [Fact]
    public void A_field_selector_on_the_ClusterIP_finds_the_cluster_DNS_Service_in_any_namespace()
    {
        var cluster = SimulatedCluster.FromScenario("coredns-pod-not-running/fires-openshift-dns-default-crashloop.json");

        var list = JsonNode.Parse(cluster.Run("kubectl get svc -A --field-selector=spec.clusterIP=172.30.0.10 -o json")!)!;
        var service = Assert.Single(list["items"]!.AsArray())!;
        Assert.Equal(("openshift-dns", "dns-default"), ((string?)service["metadata"]!["namespace"], (string?)service["metadata"]!["name"]));
        Assert.Empty(JsonNode.Parse(cluster.Run("kubectl get svc -A --field-selector=spec.clusterIP=10.96.0.10 -o json")!)!["items"]!.AsArray());
    }

    /// <summary>
    /// The pre-1.23 form of a check in a CoreDNS pod (<c>kubectl run dnsexpert-debug -n NS -i --rm ... --overrides=SPEC --
    /// CMD</c>, as DebugCommands writes it) is answered as the pod of that namespace on SPEC's node with SPEC's dnsPolicy
    /// asks: the same nc timeout as <c>kubectl debug</c> into that CoreDNS pod. A spec no pod matches (another node, the
    /// cluster's dnsPolicy in kube-system) and a run without <c>-i</c> (nothing printed) are not answered.
    /// </summary>
    [Fact]
    public void A_pod_of_its_own_on_a_coredns_pods_node_with_its_dns_policy_answers_as_that_pod()
    {
        var cluster = SimulatedCluster.FromScenario("coredns-apiserver-unreachable/fires-tcp-probe-from-coredns-times-out.json");
        const string Inside = " -- sh -c 'nc -zvv -w 3 $KUBERNETES_SERVICE_HOST $KUBERNETES_SERVICE_PORT'";
        static string Run(string spec, string stdin = "-i ") =>
            $"kubectl run dnsexpert-debug -n kube-system {stdin}--rm --restart=Never --image=busybox:1.36 --overrides='{{\"apiVersion\":\"v1\",\"spec\":{spec}}}'{Inside}";

        var debug = cluster.Run("kubectl debug -n kube-system coredns-5d78c9869d-abcde -i --image=busybox:1.36 --target=coredns" + Inside);
        Assert.NotNull(debug);
        Assert.Contains("timed out", debug, StringComparison.Ordinal);
        Assert.Equal(debug, cluster.Run(Run("{\"nodeName\":\"cn-hangzhou.192.168.0.198\",\"dnsPolicy\":\"Default\"}")));
        Assert.Null(cluster.Run(Run("{\"nodeName\":\"cn-hangzhou.192.168.0.199\",\"dnsPolicy\":\"Default\"}")));
        Assert.Null(cluster.Run(Run("{\"nodeName\":\"cn-hangzhou.192.168.0.198\"}")));
        Assert.Null(cluster.Run(Run("{\"nodeName\":\"cn-hangzhou.192.168.0.198\",\"dnsPolicy\":\"Default\"}", stdin: "")));
    }

    /// <summary>
    /// A script that reads a counter twice (<c>sh -c 'ethtool -S eth0; sleep 60; ethtool -S eth0'</c>) is answered with the
    /// scenario's two reads of that node, in order, and read by the product as the rise between them; a scenario holding
    /// fewer reads than the script makes does not answer it (no read it does not hold is invented).
    /// </summary>
    [Fact]
    public void A_script_reading_the_counter_twice_is_answered_with_the_scenarios_two_reads_or_not_at_all()
    {
        const string Command = "kubectl debug node/ip-10-28-17-45.eu-west-3.compute.internal -it --image=busybox -- chroot /host sh -c 'ethtool -S eth0; sleep 60; ethtool -S eth0'";
        var rising = SimulatedCluster.FromScenario("cloud-resolver-packet-limit/fires-eks-vpc-resolver-timeouts-with-linklocal-rising.json");

        var text = rising.Run(Command)!;

        Assert.Equal(2, text.Split("NIC statistics:").Length - 1);
        var request = new DiagnosisRequest { Snapshot = new Snapshot { Outputs = [new CommandOutput { Command = Command, Text = text }] } };
        var allowance = Assert.Single(DnsExpert.Readers.SnapshotFactBuilder.Build(request).Facts.OfType<DnsExpert.Facts.NodeNicAllowance>());
        Assert.Equal("eth0: linklocal_allowance_exceeded rose by 11,306 between two reads 60 s apart; pps_allowance_exceeded rose by 0", allowance.Describe);
        Assert.Null(SimulatedCluster.FromScenario("cloud-resolver-packet-limit/fires-eks-vpc-resolver-timeouts-no-counter-read.json").Run(Command));
    }

    /// <summary>
    /// A set-based selector (<c>-l 'k8s-app in (kube-dns,coredns)'</c>, quoted as one shell word) selects as the API
    /// server does: kubespray's k8s-app=coredns pods and Service.
    /// </summary>
    [Fact]
    public void A_set_based_selector_lists_kubesprays_coredns_pods_and_service()
    {
        var cluster = SimulatedCluster.FromScenario("negative-cache-stale/fires-kubespray-headless-pod-restarted-behind-nodelocaldns.json");

        var pods = JsonNode.Parse(cluster.Run("kubectl get pods -n kube-system -l 'k8s-app in (kube-dns,coredns)' -o json")!)!["items"]!.AsArray();
        var services = JsonNode.Parse(cluster.Run("kubectl get svc -n kube-system -l 'k8s-app in (kube-dns,coredns)' -o json")!)!["items"]!.AsArray();

        Assert.Equal(["coredns-776bb9db5d-4kzvn", "coredns-776bb9db5d-q8wxl"], pods.Select(p => (string)p!["metadata"]!["name"]!));
        Assert.Equal("coredns", (string?)Assert.Single(services)!["metadata"]!["name"]);
        Assert.Empty(JsonNode.Parse(cluster.Run("kubectl get pods -n kube-system -l k8s-app=kube-dns -o json")!)!["items"]!.AsArray());
    }

    /// <summary>
    /// A debug pod's own dig on a node (<c>kubectl debug node/NAME</c>, no chroot) runs in the node's host network, as
    /// the hostNetwork NodeLocal DNSCache pod there: it gets what that pod's probes got, and reads as the node's probe.
    /// </summary>
    [Fact]
    public void A_dig_from_a_node_gets_what_its_NodeLocal_pods_probes_got()
    {
        var cluster = SimulatedCluster.FromScenario("app-to-kube-dns-unreachable/fires-kubespray-new-node-nodelocaldns-cannot-reach-coredns-service.json");
        const string Debug = "kubectl debug node/node4 -it --image=registry.k8s.io/e2e-test-images/jessie-dnsutils:1.3 -- ";

        var service = Lookup(cluster.Run(Debug + "dig @10.233.0.3 kubernetes.default.svc.cluster.local +tcp +tries=1")!, "dig @10.233.0.3 kubernetes.default.svc.cluster.local +tcp +tries=1");
        var pod = Lookup(cluster.Run(Debug + "dig @10.233.64.3 kubernetes.default.svc.cluster.local +tcp +tries=1")!, "dig @10.233.64.3 kubernetes.default.svc.cluster.local +tcp +tries=1");

        Assert.Equal((ProbeOutcome.Timeout, ProbeOutcome.Answered), (service.Outcome, pod.Outcome));
        Assert.Null(cluster.Run("kubectl debug node/node1 -it --image=registry.k8s.io/e2e-test-images/jessie-dnsutils:1.3 -- dig @10.233.0.3 kubernetes.default.svc.cluster.local +tcp +tries=1"));
        var (words, site) = EvidenceSources.Locate(Debug + "dig @10.233.0.3 kubernetes.default.svc.cluster.local +tcp +tries=1", null);
        Assert.Equal((EvidenceSite.Node, "dig"), (site, words[0]));
    }

    [Fact]
    public void A_dig_that_times_out_reads_as_the_real_dig_timeout()
    {
        var cluster = SimulatedCluster.FromScenario("udp53-blocked/fires-udp-times-out-tcp-and-ping-work.json");
        var text = cluster.Run(Client + "dig @172.21.0.10 orders.shop.svc.cluster.local +tries=1")!;

        var simulated = Lookup(text, "dig @172.21.0.10 orders.shop.svc.cluster.local +tries=1");
        var real = Lookup(Fixture("dns-tools/dig-timeout.txt"), "dig @127.0.0.1 -p 15355 www.test A +tries=1 +time=1");
        Assert.Equal((real.Outcome, real.Transport), (simulated.Outcome, simulated.Transport));
        Assert.Equal(ProbeOutcome.Timeout, simulated.Outcome);
        Assert.Equal("172.21.0.10", simulated.Server);
    }

    [Fact]
    public void A_dig_over_tcp_answers_where_the_probe_over_tcp_did()
    {
        var cluster = SimulatedCluster.FromScenario("udp53-blocked/fires-udp-times-out-tcp-and-ping-work.json");

        var udp = Lookup(cluster.Run(Client + "dig @172.20.6.53 kubernetes.default.svc.cluster.local +tries=1")!, "dig @172.20.6.53 kubernetes.default.svc.cluster.local +tries=1");
        var tcp = Lookup(cluster.Run(Client + "dig @172.20.6.53 kubernetes.default.svc.cluster.local +tcp +tries=1")!, "dig @172.20.6.53 kubernetes.default.svc.cluster.local +tcp +tries=1");
        Assert.Equal((ProbeOutcome.Timeout, ProbeTransport.Udp), (udp.Outcome, udp.Transport));
        Assert.Equal((ProbeOutcome.Answered, ProbeTransport.Tcp, "NOERROR"), (tcp.Outcome, tcp.Transport, tcp.Rcode));
    }

    [Fact]
    public void An_nxdomain_reads_as_the_real_dig_and_busybox_nslookup_nxdomain()
    {
        var cluster = SimulatedCluster.FromScenario("service-name-not-found/fires-misspelled-service-probe.json");

        var dig = Lookup(cluster.Run(Client + "dig @172.21.0.10 ordres.shop.svc.cluster.local +tries=1")!, "dig @172.21.0.10 ordres.shop.svc.cluster.local +tries=1");
        var realDig = Lookup(Fixture("dns-tools/dig-nx.txt"), "dig @127.0.0.1 -p 15353 nope.test A +tries=1 +time=2");
        Assert.Equal((realDig.Outcome, realDig.Rcode, realDig.AnswerCount), (dig.Outcome, dig.Rcode, dig.AnswerCount));

        var nslookup = DnsToolOutput.Parse(cluster.Run(Client + "nslookup ordres.shop.svc.cluster.local 172.21.0.10")!, "nslookup ordres.shop.svc.cluster.local 172.21.0.10");
        var realNslookup = DnsToolOutput.Parse(Fixture("dns-tools/nslookup-busybox-nxdomain-a-and-aaaa.txt"), "nslookup ordres.shop.svc.cluster.local 127.0.0.1:15399");
        Assert.Equal(realNslookup.Select(l => (l.Probe.Outcome, l.Probe.Rcode, l.Probe.Name)), nslookup.Select(l => (l.Probe.Outcome, l.Probe.Rcode, l.Probe.Name)));
    }

    [Fact]
    public void A_ping_reads_as_iputils_ping_with_the_probe_outcome()
    {
        var answered = SimulatedCluster.FromScenario("udp53-blocked/fires-udp-times-out-tcp-and-ping-work.json").Run(Client + "ping -c 3 172.20.6.53")!;
        var silent = SimulatedCluster.FromScenario("container-network-error/fires-ping-to-coredns-pod-times-out.json").Run(Client + "ping -c 3 172.20.6.53")!;

        Assert.Equal(ProbeOutcome.Answered, Assert.Single(PingOutput.Parse(answered, "ping -c 3 172.20.6.53")).Probe!.Outcome);
        Assert.Equal(ProbeOutcome.Timeout, Assert.Single(PingOutput.Parse(silent, "ping -c 3 172.20.6.53")).Probe!.Outcome);
    }

    [Fact]
    public void A_node_answers_from_its_scenario_files_and_otherwise_as_a_healthy_node()
    {
        const string Node = "kubectl debug node/cn-hangzhou.192.168.0.199 -it --image=busybox -- chroot /host ";
        var full = SimulatedCluster.FromScenario("conntrack-table-full/fires-count-at-99-percent-of-max.json");
        Assert.Equal("260112\n", full.Run(Node + "cat /proc/sys/net/netfilter/nf_conntrack_count"));

        var healthy = SimulatedCluster.FromScenario("packet-capture-recommended/fires-intermittent-timeout-healthy-cluster.json");
        var count = NodeFileParsers.ParseCounter(healthy.Run(Node + "cat /proc/sys/net/netfilter/nf_conntrack_count"))!.Value;
        var max = NodeFileParsers.ParseCounter(healthy.Run(Node + "cat /proc/sys/net/netfilter/nf_conntrack_max"))!.Value;
        Assert.True(count * 10 < max, $"{count} of {max}");
        var tcp = NodeFileParsers.ParseSnmpTcp(healthy.Run(Node + "cat /proc/net/snmp"))!;
        Assert.True(tcp.RetransSegs * 100 < tcp.OutSegs, $"{tcp.RetransSegs} of {tcp.OutSegs} segments retransmitted");
        var conntrack = ConntrackStatistics.Parse(healthy.Run(Node + "conntrack -S"))!;
        Assert.Equal((0L, 0L, 0L), (conntrack.InsertFailed, conntrack.Drop, conntrack.EarlyDrop));
        Assert.Empty(NodeFileParsers.FindConntrackFull(healthy.Run(Node + "dmesg -T")));
        Assert.Null(healthy.Run(Node + "tcpdump -i any port 53 -C 20 -W 200 -w /tmp/client_dns.pcap"));
    }

    [Fact]
    public void Commands_a_person_cannot_run_as_given_are_not_answered()
    {
        var cluster = SimulatedCluster.FromScenario("conntrack-table-full/fires-count-at-99-percent-of-max.json");

        Assert.Null(cluster.Run("kubectl logs -n kube-system <coredns-pod> --tail=500 --timestamps"));
        Assert.Null(cluster.Run("kubectl get pods -A -o json | grep coredns"));
        Assert.Null(cluster.Run("cat /proc/sys/net/netfilter/nf_conntrack_count")); // on which node?
    }

    [Fact]
    public void A_lookup_without_truth_is_answered_only_where_the_scenario_says_kube_dns_works()
    {
        // An intermittent failure on a healthy cluster: the Service's address, as CoreDNS answers it.
        var healthy = SimulatedCluster.FromScenario("packet-capture-recommended/fires-intermittent-timeout-healthy-cluster.json");
        var answer = healthy.Run(Client + "dig @172.21.0.10 kubernetes.default.svc.cluster.local +tries=1")!;
        Assert.Equal(("NOERROR", 1), Lookup(answer, "dig @172.21.0.10 kubernetes.default.svc.cluster.local +tries=1") is var p ? (p.Rcode, p.AnswerCount) : default);

        // A pod whose lookups always time out: no probe says how, so a healthy answer would contradict its error.
        var blocked = SimulatedCluster.FromScenario("networkpolicy-blocks-dns-egress/fires-egress-only-to-database.json");
        Assert.Null(blocked.Run("kubectl exec -n shop order-worker-6b8f9d7c5-m2n4p -- dig @172.21.0.10 payments.shop.svc.cluster.local +tries=1"));
    }

    [Fact]
    public void Logs_of_a_selector_carry_kubectls_prefix_and_its_default_ten_lines()
    {
        var cluster = SimulatedCluster.FromScenario("coredns-upstream-unreachable/fires-forward-i-o-timeout.json");

        var lines = cluster.Run("kubectl logs -n kube-system -l k8s-app=kube-dns --prefix")!.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.All(lines, l => Assert.Matches(@"^\[pod/coredns-[a-z0-9-]+/coredns\] ", l));
        Assert.InRange(lines.Length, 1, 10 * lines.Select(l => l[..l.IndexOf(']', StringComparison.Ordinal)]).Distinct().Count());
    }

    [Fact]
    public async Task Kubectl_top_tables_are_read_by_the_product_as_metrics()
    {
        var nodes = SimulatedCluster.FromScenario("client-node-overloaded/fires-node-cpu-92-percent.json").Run("kubectl top nodes")!;
        var pods = SimulatedCluster.FromScenario("coredns-overloaded/fires-cpu-870m-of-1-core.json").Run("kubectl top pods -n kube-system -l k8s-app=kube-dns")!;
        var request = new JsonObject
        {
            ["symptom"] = new JsonObject { ["errorMessage"] = "dial tcp: lookup orders.shop.svc.cluster.local on 172.21.0.10:53: read udp 172.20.7.45:38161->172.21.0.10:53: i/o timeout" },
            ["snapshot"] = new JsonObject
            {
                ["outputs"] = new JsonArray(
                    new JsonObject { ["command"] = "kubectl top nodes", ["text"] = nodes },
                    new JsonObject { ["command"] = "kubectl top pods -n kube-system -l k8s-app=kube-dns", ["text"] = pods }),
            },
        };

        using var client = factory.CreateClient();
        using var response = await client.PostAsync("/api/v1/diagnoses", new StringContent(request.ToJsonString(), Encoding.UTF8, "application/json"));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        var notes = JsonDocument.Parse(body).RootElement.GetProperty("collection").EnumerateArray()
            .Where(c => c.GetProperty("source").GetString()!.StartsWith("snapshot.outputs", StringComparison.Ordinal))
            .Select(c => c.GetProperty("detail").GetString()).ToList();
        Assert.Contains(notes, n => n!.Contains("from a kubectl top nodes table", StringComparison.Ordinal));
        Assert.Contains(notes, n => n!.Contains("from a kubectl top pods table", StringComparison.Ordinal));
    }

    [Fact]
    public void The_tcp_check_from_a_coredns_pod_reads_as_the_scenarios_tcp_probe_from_coredns_to_the_apiserver()
    {
        var cluster = SimulatedCluster.FromScenario("coredns-apiserver-unreachable/fires-tcp-probe-from-coredns-times-out.json");
        const string Command = "kubectl debug -n kube-system coredns-5d78c9869d-abcde -i --image=busybox:1.36 --target=coredns -- sh -c 'nc -zvv -w 3 $KUBERNETES_SERVICE_HOST $KUBERNETES_SERVICE_PORT'";

        var text = cluster.Run(Command)!;

        var (_, simulated) = Assert.Single(NcOutput.Read(text));
        var (_, real) = Assert.Single(NcOutput.Read(Fixture("nc/busybox-zvv-timed-out.txt")));
        Assert.Equal((real.Kind, real.Outcome, real.Port), (simulated.Kind, simulated.Outcome, simulated.Port));
        Assert.Equal("172.21.0.1", simulated.Target); // the kubernetes Service's ClusterIP, as kubelet hands it to the container
        var pasted = PastedOutputs.Expand(new DiagnosisRequest { Snapshot = new Snapshot { Outputs = [new CommandOutput { Command = Command, Text = text }] } }).Request;
        Assert.Equal("kube-system/coredns-5d78c9869d-abcde", Assert.Single(pasted.Snapshot!.Probes!).From);
    }

    [Fact]
    public void A_dig_in_a_debug_container_of_a_pod_answers_as_the_dig_in_the_pod_and_is_read_as_the_pods()
    {
        var cluster = SimulatedCluster.FromScenario("headless-response-truncated/fires-dig-answer-with-tc-flag.json");
        const string Dig = "dig @172.21.0.10 es-data-headless.search.svc.cluster.local +tries=1 +ignore";
        const string Debug = "kubectl debug -n shop order-worker-6b8f9d7c5-m2n4p -i --image=registry.k8s.io/e2e-test-images/jessie-dnsutils:1.3 -- " + Dig;

        var text = cluster.Run(Debug)!;

        Assert.Equal(cluster.Run("kubectl exec -n shop order-worker-6b8f9d7c5-m2n4p -- " + Dig), text);
        var pasted = PastedOutputs.Expand(new DiagnosisRequest { Snapshot = new Snapshot { Outputs = [new CommandOutput { Command = Debug, Text = text }] } }).Request;
        var probe = Assert.Single(pasted.Snapshot!.Probes!);
        Assert.Equal(("shop/order-worker-6b8f9d7c5-m2n4p", true), (probe.From, probe.Truncated));
    }
}
