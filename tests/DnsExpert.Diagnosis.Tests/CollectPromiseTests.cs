using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using DnsExpert.Contract;
using DnsExpert.Engine.Commands;
using DnsExpert.Engine.Compilation;
using DnsExpert.Engine.Hypotheses;
using DnsExpert.Engine.RuleBases;
using DnsExpert.Engine.RuleFiles;
using DnsExpert.Engine.Sessions;
using DnsExpert.Facts;
using DnsExpert.Readers;
using DnsExpert.Readers.Building;
using DnsExpert.Testing;

namespace DnsExpert.Diagnosis.Tests;

/// <summary>
/// Every <c>collect:</c> entry of every rule keeps its promise: the command, rendered as a hypothesis shows it and
/// answered with a real output of that command pasted into <c>snapshot.outputs</c>, gives each fact type its
/// <c>facts:</c> names (or makes it count as read, as a clean log does), so the hypothesis stops listing it as missing.
/// </summary>
public sealed class CollectPromiseTests
{
    private static readonly DirectoryRuleBaseProvider Rules = new(RepoPaths.Rules);
    private static readonly DiagnosisService Service = new(new RuleEngine(Rules), TimeProvider.System);

    // The cluster of tests/fixtures/cluster-info-dump: the failing pod runs on .199, a CoreDNS pod on .198.
    private const string Namespace = "default";
    private const string Pod = "web-7d4b9c-x2k4q";
    private const string PodNode = "cn-hangzhou.192.168.0.199";
    private const string CoreDnsNode = "cn-hangzhou.192.168.0.198";

    internal static readonly KnownValues Known = new()
    {
        Namespace = Namespace,
        Pod = Pod,
        Name = "orders.default.svc.cluster.local",
        KubeDnsIp = "172.21.0.10",
        CoreDnsPod = "coredns-5d78c9869d-abcde",
        RestartedCoreDnsPod = "coredns-5d78c9869d-abcde",
        KubeDnsPod = "coredns-5d78c9869d-abcde",
        CoreDnsPodIp = "172.20.6.53",
        CoreDnsNode = CoreDnsNode,
        NodeLocalNode = PodNode,
        NodeLocalUpstreamIp = "172.21.0.10",
    };

    private const string Dump = "tests/fixtures/cluster-info-dump";

    /// <summary>
    /// A real output for each shape of command (the first pattern that matches the rendered command): a file under
    /// tests/fixtures or tests/scenarios, and <c>Pick</c> to take part of it: <c>Kind</c> or <c>Kind/name</c> of the
    /// objects of a list or of a scenario's snapshot (a list of them, or the one object), or <c>file:PATH</c> for the
    /// text of a scenario's file. <c>After</c>: outputs pasted first, which the promise needs (a node's resolv.conf
    /// gives the pod's search line only with the pod's JSON for its node).
    /// </summary>
    private static readonly Sample[] Samples =
    [
        new(@"-- dig @\S+ \S+ \+tries=1 \+ignore$", "tests/fixtures/dns-tools/dig-tc-ignore.txt"),
        new(@"-- dig @\S+ \S+ \+tries=1$", "tests/fixtures/dns-tools/dig-noerror.txt"),
        new(@"-- dig @\S+ \S+ \+tcp \+tries=1$", "tests/fixtures/dns-tools/dig-tcp-noerror.txt"),
        new(@"-- ping -c 3 \S+$", "tests/fixtures/ping/issue-coredns-3099-busybox-answered.txt"),
        // The NXDOMAIN is a Service name's only when the server that said it is the cluster DNS: its Service first.
        // What a busybox image has instead of dig: nslookup NAME SERVER.
        new(@"-- nslookup \S+ \S+$", "tests/fixtures/dns-tools/nslookup-busybox-timeout.txt"),
        new(@"-- nslookup \S+$", "tests/fixtures/dns-tools/nslookup-busybox-nxdomain.txt",
            After: [Before("kubectl get svc kube-dns -n kube-system", "tests/fixtures/kubectl-tables/svc-kube-dns-selector-2017.txt")]),
        new(@"-- ldd --version$", "tests/fixtures/ldd/debian-12-glibc-2.36.txt"),
        // From CoreDNS's network namespace (kubectl debug): the CoreDNS pods say which pod that is, the Corefile the upstream.
        new(@"^kubectl debug -n kube-system \S+ -i --image=\S+ --target=coredns -- nslookup \S+ \S+$", "tests/fixtures/dns-tools/nslookup-busybox-a-answered-aaaa-refused.txt",
            After: [Before("kubectl get pods -n kube-system -l k8s-app=kube-dns -o json", $"{Dump}/kube-system/pods.json")]),
        // busybox nc in a debug container sharing CoreDNS's network namespace, to the address kubelet gives it for the API server.
        new(@"^kubectl debug -n kube-system \S+ -i --image=busybox:1\.36 --target=coredns -- sh -c 'nc -zvv -w 3 \$KUBERNETES_SERVICE_HOST \$KUBERNETES_SERVICE_PORT'$",
            "tests/fixtures/nc/busybox-zvv-timed-out.txt", After: [Before("kubectl get pods -n kube-system -l k8s-app=kube-dns -o json", $"{Dump}/kube-system/pods.json")]),
        new(@"-- cat /etc/resolv\.conf$", "tests/scenarios/pod-resolvconf-not-cluster-dns/near-miss-resolv-conf-names-kube-dns.json", "file:/etc/resolv.conf"),
        new(@"^cat /etc/resolv\.conf$", "tests/fixtures/node-root/etc/resolv.conf", After: [Before("kubectl get pod {{pod}} -n {{ns}} -o json", $"{Dump}/default/pods.json", $"Pod/{Pod}")]),
        // A CoreDNS pod's /metrics through the API server's pod proxy (composed from CoreDNS 1.11 outputs: tests/fixtures/metrics/SOURCES.md),
        // pasted twice as the check says (the cache's ratio before is the first scrape's), with an upstream's health-check series.
        new(@"^kubectl get --raw /api/v1/namespaces/kube-system/pods/\S+:9153/proxy/metrics$", "tests/fixtures/metrics/coredns-1.11.1-cache-collapse-scrape2.txt",
            After: [Before("kubectl get --raw /api/v1/namespaces/kube-system/pods/coredns-5d78c9869d-abcde:9153/proxy/metrics", "tests/fixtures/metrics/coredns-1.11.1-cache-collapse-scrape1.txt")]),
        // NodeLocal DNSCache's own :9353 on the node (hostNetwork; composed from kubernetes/dns node-cache's metrics: SOURCES.md).
        new(@"^curl -s http://127\.0\.0\.1:9353/metrics$", "tests/fixtures/metrics/node-local-dns-1.22.28-iptables-lock-scrape1.txt"),
        new(@"^cat /proc/net/snmp$", "tests/fixtures/node-root/proc/net/snmp"),
        // The table's use is known once both files of the node were read: each entry's sample comes after the other.
        new(@"^cat /proc/sys/net/netfilter/nf_conntrack_count$", "tests/fixtures/node-root/proc/sys/net/netfilter/nf_conntrack_count",
            After: [Before($"{HypothesisBuilder.DebugNode}{PodNode} -it --image=busybox -- chroot /host cat /proc/sys/net/netfilter/nf_conntrack_max", "tests/fixtures/node-root/proc/sys/net/netfilter/nf_conntrack_max")]),
        new(@"^cat /proc/sys/net/netfilter/nf_conntrack_max$", "tests/fixtures/node-root/proc/sys/net/netfilter/nf_conntrack_max",
            After: [Before($"{HypothesisBuilder.DebugNode}{PodNode} -it --image=busybox -- chroot /host cat /proc/sys/net/netfilter/nf_conntrack_count", "tests/fixtures/node-root/proc/sys/net/netfilter/nf_conntrack_count")]),
        // Read on this machine (Linux 6.18, br_netfilter loaded), 2026-12-06.
        new(@"^cat /proc/sys/net/bridge/bridge-nf-call-iptables$", "tests/fixtures/node-root/proc/sys/net/bridge/bridge-nf-call-iptables"),
        // A VXLAN device as flannel makes it, read on this machine (ethtool 6.1, Linux 6.18), 2026-12-07: tests/fixtures/vxlan/SOURCES.md.
        new(@"^ethtool -k flannel\.1$", "tests/fixtures/vxlan/ethtool-k-flannel.1-on.txt"),
        // An ENA interface's statistics as the EC2 User Guide prints them (ENA troubleshooting, Statistics): tests/fixtures/ena/SOURCES.md.
        // The check reads twice a minute apart in one command; one block read is a read (EnaAllowanceTests reads two).
        new(@"^sh -c 'ethtool -S eth0; sleep 60; ethtool -S eth0'$", "tests/fixtures/ena/ethtool-S-ethN-ena-troubleshooting.txt"),
        new(@"^conntrack -S$", "tests/fixtures/dns-tools/conntrack-S-insert-failed.txt"),
        new(@"^dmesg -T$", "tests/scenarios/conntrack-table-full/fires-dmesg-table-full.json", "file:dmesg"),
        new(@"^kubectl logs -n kube-system \S+ --tail=500 --timestamps$", $"{Dump}/kube-system/coredns-5d78c9869d-abcde/logs.txt"),
        // A crash-looping pod's previous container: the loop plugin's fatal line (coredns/coredns issue 2795).
        new(@"^kubectl logs -n kube-system \S+ --previous --timestamps --tail=500$", "tests/fixtures/kubectl-logs/previous/coredns-1.5.0-loop-fatal.txt"),
        // A kube-dns pod's dnsmasq container (tests/fixtures/kubectl-logs/kube-dns-dnsmasq/SOURCES.md).
        new(@"^kubectl logs -n kube-system \S+ -c dnsmasq --timestamps --tail=500$", "tests/fixtures/kubectl-logs/kube-dns-dnsmasq/dnsmasq-nanny-1.14.6-forward-max.txt"),
        new(@"^kubectl logs -n kube-system -l 'k8s-app in \(kube-dns,coredns\)' --prefix --timestamps --tail=500$", "tests/fixtures/kubectl-logs/coredns-prefix-timestamps-2026.txt"),
        // NodeLocal DNSCache's pods, each line prefixed with its pod and its node-cache container (tests/fixtures/kubectl-logs/node-local-dns/SOURCES.md).
        new(@"^kubectl logs -n kube-system -l k8s-app=node-local-dns --prefix --timestamps --tail=500$", "tests/fixtures/kubectl-logs/node-local-dns/eks-prefix-timestamps-2024.txt"),
        new(@"^kubectl get pods -n kube-system -l 'k8s-app in \(kube-dns,coredns\)' -o json$", $"{Dump}/kube-system/pods.json"),
        // CoreDNS pods' metrics need those pods: the thread's pod stands for the dump's first CoreDNS pod.
        new(@"^kubectl top pods -n kube-system -l 'k8s-app in \(kube-dns,coredns\)'$", "tests/fixtures/kubectl-tables/top-pods-containers-coredns-2024.txt", Rename: ("coredns-58bfd8f658-k72qt", "coredns-5d78c9869d-abcde"),
            After: [Before("kubectl get pods -n kube-system -l k8s-app=kube-dns -o json", $"{Dump}/kube-system/pods.json")]),
        // The CoreDNS pods' placement takes the Service's sessionAffinity once both were read.
        // The Services of every namespace with the ClusterIP the error names: the cluster's one kube-dns Service (172.21.0.10), as a List.
        new(@"^kubectl get svc -A --field-selector=spec\.clusterIP=172\.21\.0\.10 -o json$", $"{Dump}/kube-system/services.json", "Service"),
        // The cluster DNS Service by its k8s-app label, whatever its name: kubespray's coredns (its template rendered, tests/fixtures/distributions).
        new(@"^kubectl get svc -n kube-system -l 'k8s-app in \(kube-dns,coredns\)' -o json$", "tests/fixtures/distributions/kubespray-coredns-service.json",
            After: [Before("kubectl get pods -n kube-system -l k8s-app=kube-dns -o json", $"{Dump}/kube-system/pods.json")]),
        new(@"^kubectl get endpoints -n kube-system -l .+ -o json$", $"{Dump}/kube-system/endpoints.json", "Endpoints"),
        new(@"^kubectl get svc -n \S+ -o json$", $"{Dump}/default/services.json"),
        // The Services with their ready addresses (a Service's answer size needs them).
        new(@"^kubectl get svc,endpointslices -n \S+ -o json$", "tests/fixtures/kubectl-json/svc-endpointslices-default.json"),
        new(@"^kubectl get pod \S+ -n \S+ -o json$", $"{Dump}/default/pods.json", $"Pod/{Pod}"),
        // Every pod of the failing name's namespace, with its creationTimestamp.
        new(@"^kubectl get pods -n \S+ -o json$", $"{Dump}/default/pods.json"),
        // The node a pod runs on is in the pod's JSON: its node's architecture becomes the pod's with both.
        new(@"^kubectl get nodes -o json$", $"{Dump}/nodes.json", After: [Before("kubectl get pod {{pod}} -n {{ns}} -o json", $"{Dump}/default/pods.json", $"Pod/{Pod}")]),
        // A node's CPU share needs its allocatable CPU: the thread's control-plane node stands for the failing pod's.
        new(@"^kubectl top nodes$", "tests/fixtures/kubectl-tables/top-nodes-2023.txt", Rename: ("ub18   ", PodNode + "   "),
            After: [Before("kubectl get nodes -o json", $"{Dump}/nodes.json")]),
        new(@"^kubectl get events -n kube-system -o json$", $"{Dump}/kube-system/events.json"),
        new(@"^kubectl get events -n \S+ -o json$", $"{Dump}/default/events.json"),
        // Whether the pod uses NodeLocal DNSCache needs the pod's nameservers too.
        new(@"^kubectl get daemonset -A -o json$", $"{Dump}/kube-system/daemonsets.json",
            After: [Before("kubectl get pod {{pod}} -n {{ns}} -o json", $"{Dump}/default/pods.json", $"Pod/{Pod}")]),
        new(@"^kubectl get configmap coredns -n kube-system -o json$", "tests/scenarios/coredns-no-terminal-plugin/near-miss-hosts-fallthrough-then-forward.json", "ConfigMap/coredns"),
        // Every kube-system ConfigMap: kube-proxy's is found by its KubeProxyConfiguration, whatever its name.
        new(@"^kubectl get configmap -n kube-system -o json$", "tests/scenarios/ipvs-udp-stale-backend/fires-ipvs-kernel-4.19.91-24.1.al7.json", "ConfigMap"),
        new(@"^kubectl get networkpolicy -n \S+ -o json$", "tests/scenarios/networkpolicy-blocks-dns-egress/near-miss-egress-allows-udp-and-tcp-53-to-kube-dns.json", "NetworkPolicy"),
        new(@"^kubectl get statefulsets -n \S+ -o json$", "tests/scenarios/statefulset-servicename-mismatch/near-miss-servicename-matches-headless-service.json", "StatefulSet"),
        // Not read by DnsExpert: the capture is opened with tcpdump -r or Wireshark, so the entry promises no facts.
        new(@"^tcpdump ", null),
    ];

    private static Sample Before(string command, string file, string? pick = null) =>
        new(command.Replace("{{pod}}", Pod, StringComparison.Ordinal).Replace("{{ns}}", Namespace, StringComparison.Ordinal), file, pick);

    /// <summary>A real output for commands matching <see cref="Pattern"/> (or, in <see cref="After"/>, of the command <see cref="Pattern"/>).</summary>
    private sealed record Sample(string Pattern, string? File, string? Pick = null, Sample[]? After = null, (string From, string To)? Rename = null)
    {
        public bool Matches(string command) => Regex.IsMatch(command, Pattern, RegexOptions.None, TimeSpan.FromSeconds(1));
    }

    /// <summary>
    /// The same values with the failing pod's node and image known (a busybox image, which has nslookup, not dig): node
    /// commands come as <c>kubectl debug node/NAME ... chroot /host</c>, lookups as the image can run them.
    /// </summary>
    internal static readonly KnownValues KnownWithNode = new()
    {
        Namespace = Known.Namespace, Pod = Known.Pod, Name = Known.Name, KubeDnsIp = Known.KubeDnsIp, CoreDnsPod = Known.CoreDnsPod, RestartedCoreDnsPod = Known.RestartedCoreDnsPod,
        KubeDnsPod = Known.KubeDnsPod, CoreDnsPodIp = Known.CoreDnsPodIp, CoreDnsNode = Known.CoreDnsNode, ServiceNamespace = Namespace, Node = PodNode,
        NodeLocalNode = Known.NodeLocalNode, NodeLocalUpstreamIp = Known.NodeLocalUpstreamIp,
        PodTools = new HashSet<string>(["cat", "nslookup", "ping", "sh"], StringComparer.Ordinal),
    };

    public static TheoryData<string, int, bool> Entries()
    {
        var data = new TheoryData<string, int, bool>();
        foreach (var rule in Rules.Current.Rules)
        {
            for (var i = 0; i < rule.Checks.Count; i++)
            {
                data.Add(rule.Id, i, false);
                data.Add(rule.Id, i, true);
            }
        }

        return data;
    }

    /// <summary>The command as a hypothesis shows it, over <paramref name="known"/> (through the builder, which picks the form).</summary>
    private static string Rendered(string ruleId, int index, KnownValues known)
    {
        var rule = Rules.Current.Rules.Single(r => r.Id == ruleId);
        return HypothesisBuilder.CheckOf(rule.Checks[index], known).Command;
    }

    [Fact]
    public void The_entries_cover_every_collect_entry_of_the_rule_base()
    {
        var entries = Entries().Count;
        Assert.Equal(2 * Rules.Current.Rules.Sum(r => r.Document.Collect.Count), entries);
        Assert.True(entries > 50, $"{entries} collect entries");
    }

    [Fact]
    public void Every_fact_type_a_cause_needs_is_promised_by_a_collect_entry_of_its_rule()
    {
        // What a symptom alone gives (the symptom, the failing name, the cluster DNS defaults) is never missing.
        var request = new DiagnosisRequest
        {
            Target = new TargetRef { Namespace = Namespace, Pod = Pod },
            Domain = (string)Known.Name,
            Symptom = new Symptom { ErrorMessage = "lookup orders.default.svc.cluster.local on 172.21.0.10:53: no such host" },
            Snapshot = new Snapshot(),
        };
        var given = SnapshotFactBuilder.Build(request).Facts.Select(f => f.GetType().Name).Append("Finding").ToHashSet(StringComparer.Ordinal);
        var unpromised = new List<string>();
        foreach (var rule in Rules.Current.Rules.Where(r => r.Document.ExplainsFailure))
        {
            var promised = rule.Checks.SelectMany(c => c.Facts).ToHashSet(StringComparer.Ordinal);
            // Each fact type its cases need, and each property they test that is null until read ([UnknownWhenNull]).
            var needed = rule.Document.Cases.SelectMany(c => c.When).Where(p => p.Mode != PatternMode.Not).Select(p => p.FactType)
                .Where(t => !given.Contains(t) && !IsRelation(t))
                .Concat(rule.Cases.SelectMany(c => c.UnknownWhenNull))
                .Distinct(StringComparer.Ordinal);
            unpromised.AddRange(needed.Where(t => !promised.Contains(t) && !NotPastable.Contains((rule.Id, t))).Select(t => $"{rule.Id}: {t}"));
        }

        Assert.True(unpromised.Count == 0, "a hypothesis would miss these with no check to run: " + string.Join("; ", unpromised));
    }

    /// <summary>
    /// Proofs no pasted output gives yet: a probe from a CoreDNS pod (FromRole coredns) to the API server (TCP) or to an
    /// upstream. The CoreDNS image has no shell, so the check would be kubectl debug, whose output the reader does not
    /// take for a probe; live collection runs these probes, and the log cases of the same rules are checkable. And
    /// cAdvisor's CFS counters of the coredns container: they come from a Prometheus server only (live collection with
    /// DnsExpert:Prometheus:Url, or a snapshot's metrics); a pasted CoreDNS scrape does not hold them. Nor does it hold a
    /// forward rate: two pasted scrapes do not say how far apart they were, a Prometheus window does.
    /// </summary>
    private static readonly HashSet<(string Rule, string Type)> NotPastable =
    [
        ("cloud-resolver-packet-limit", nameof(CoreDnsForwardRate)),
        ("coredns-apiserver-unreachable", nameof(ProbeResult)),
        ("coredns-cpu-throttled", nameof(CoreDnsMetrics)),
        ("coredns-cpu-throttled", $"{nameof(CoreDnsMetrics)}.{nameof(CoreDnsMetrics.CpuPeriods)}"),
        ("coredns-cpu-throttled", $"{nameof(CoreDnsMetrics)}.{nameof(CoreDnsMetrics.CpuThrottledPercent)}"),
    ];

    /// <summary>
    /// A name the cluster DNS resolved (busybox's A answer) is not a missing Service because its AAAA query came back
    /// NXDOMAIN (some resolvers answer so): no ServiceNameNxdomain from that line. The captured busybox output had the
    /// AAAA query REFUSED; here it says NXDOMAIN, as the helper saw from dnsmasq in another setup.
    /// </summary>
    [Fact]
    public async Task An_NXDOMAIN_for_the_AAAA_of_a_name_the_same_server_resolved_is_no_missing_Service()
    {
        var nslookup = (await File.ReadAllTextAsync(Path.Combine(RepoPaths.Root, "tests/fixtures/dns-tools/nslookup-busybox-a-answered-aaaa-refused.txt")))
            .Replace("127.0.0.1:15399", "10.96.0.10:53", StringComparison.Ordinal)
            .Replace("REFUSED", "NXDOMAIN", StringComparison.Ordinal)
            .Replace("orders.shop.", "orders.default.", StringComparison.Ordinal);
        var request = new DiagnosisRequest
        {
            Target = new TargetRef { Namespace = Namespace, Pod = Pod },
            Domain = "orders.default.svc.cluster.local",
            Snapshot = new Snapshot
            {
                Outputs =
                [
                    new CommandOutput { Command = "kubectl get svc kube-dns -n kube-system", Text = await File.ReadAllTextAsync(Path.Combine(RepoPaths.Root, "tests/fixtures/kubectl-tables/svc-kube-dns-selector-2017.txt")) },
                    new CommandOutput { Command = $"kubectl exec -n {Namespace} {Pod} -- nslookup orders.default.svc.cluster.local", Text = nslookup },
                ],
            },
        };

        var facts = SnapshotFactBuilder.Build(request).Facts;

        Assert.Contains(facts.OfType<ProbeResult>(), p => p.Rcode == "NXDOMAIN" && p.Type == "AAAA");
        Assert.DoesNotContain(facts, f => f is ServiceNameNxdomain);
        var response = await Service.DiagnoseAsync(request, CancellationToken.None);
        Assert.DoesNotContain(response.Findings, f => f.RuleId == "service-name-not-found");
    }

    [Theory]
    [InlineData("orders.default.svc.cluster.local", HypothesisStatus.RuledOut)]
    [InlineData("payments.default.svc.cluster.local", HypothesisStatus.Unverified)]
    public async Task The_failing_Service_name_answered_NOERROR_by_the_cluster_dns_rules_out_service_name_not_found(string failing, HypothesisStatus status)
    {
        var request = new DiagnosisRequest
        {
            Target = new TargetRef { Namespace = Namespace, Pod = Pod },
            Domain = failing,
            Snapshot = new Snapshot
            {
                Outputs =
                [
                    new CommandOutput { Command = "kubectl get svc kube-dns -n kube-system", Text = await File.ReadAllTextAsync(Path.Combine(RepoPaths.Root, "tests/fixtures/kubectl-tables/svc-kube-dns-selector-2017.txt")) },
                    new CommandOutput
                    {
                        Command = $"kubectl exec -n {Namespace} {Pod} -- dig @10.96.0.10 orders.default.svc.cluster.local +tries=1",
                        Text = await File.ReadAllTextAsync(Path.Combine(RepoPaths.Root, "tests/fixtures/dns-tools/dig-cluster-service-noerror.txt")),
                    },
                ],
            },
        };

        var response = await Service.DiagnoseAsync(request, CancellationToken.None);

        // Only an answer for the failing name itself says its Service exists.
        var hypothesis = Assert.Single(response.Hypotheses, h => h.RuleId == "service-name-not-found");
        Assert.Equal(status, hypothesis.Status);
        if (status == HypothesisStatus.RuledOut)
        {
            Assert.Contains("the cluster DNS answered the name NOERROR", hypothesis.Reason, StringComparison.Ordinal);
        }
        else
        {
            Assert.Contains("ServiceNameNxdomain", hypothesis.Missing);
        }
    }

    [Theory]
    [MemberData(nameof(Entries))]
    public async Task A_collect_entry_gives_the_facts_it_promises(string ruleId, int index, bool nodeAndImageKnown)
    {
        var rule = Rules.Current.Rules.Single(r => r.Id == ruleId);
        var check = rule.Checks[index];
        var command = Rendered(ruleId, index, nodeAndImageKnown ? KnownWithNode : Known);
        var where = $"rule {ruleId}, collect entry {index + 1} (`{command}`)";
        // A node's command given through kubectl debug: the sample is the node command's.
        var onNode = command.StartsWith(HypothesisBuilder.DebugNode, StringComparison.Ordinal) ? command[(command.IndexOf(" -- chroot /host ", StringComparison.Ordinal) + " -- chroot /host ".Length)..] : command;
        var sample = Samples.FirstOrDefault(s => s.Matches(onNode))
            ?? throw new Xunit.Sdk.XunitException($"{where}: no real output for this command: add a row to {nameof(CollectPromiseTests)}.{nameof(Samples)} mapping its shape to an output kept under tests/fixtures (with its source in that folder's README.md) or tests/scenarios");
        if (sample.File is null)
        {
            Assert.True(check.Facts.Count == 0, $"{where}: DnsExpert does not read this command's output, yet it promises {string.Join(", ", check.Facts)}");
            return;
        }

        Assert.True(check.Facts.Count > 0, $"{where}: promises no facts: name in facts: what its output gives");
        var outputs = new List<CommandOutput>();
        foreach (var before in sample.After ?? [])
        {
            outputs.Add(new CommandOutput { Command = before.Pattern, Text = await TextAsync(before) });
        }

        outputs.Add(await OutputAsync(command, sample, check.Why));
        var request = new DiagnosisRequest
        {
            Target = new TargetRef { Namespace = Namespace, Pod = Pod },
            Domain = (string)Known.Name,
            Snapshot = new Snapshot { Outputs = outputs },
        };

        var built = SnapshotFactBuilder.Build(request);
        var pasted = built.Collection.Single(c => c.Source == $"snapshot.outputs[{outputs.Count - 1}]");
        Assert.True(pasted.Status is CollectionStatus.Ok or CollectionStatus.Partial, $"{where}: the output was not read: {pasted.Status} {pasted.Detail}");
        var produced = built.Facts.Select(f => f.GetType().Name).ToHashSet(StringComparer.Ordinal);
        // Type.Property: a property null until read ([UnknownWhenNull]) that some fact of the type now has.
        produced.UnionWith(check.Facts.Where(t => t.Contains('.', StringComparison.Ordinal) && HasValue(built.Facts, t)));
        var observed = ObservedFactTypes.Of(request.Snapshot, built.Facts);
        var broken = check.Facts.Where(t => !produced.Contains(t) && !observed.Contains(t) && !IsRelation(t)).ToList();
        Assert.True(broken.Count == 0,
            $"{where} promises {string.Join(", ", broken)}, but its output ({sample.File}) gave only {string.Join(", ", produced.Order(StringComparer.Ordinal))}"
            + $"{(observed.Count > 0 ? $" and counts {string.Join(", ", observed)} as read" : "")}");

        var response = await Service.DiagnoseAsync(request, CancellationToken.None);
        var hypothesis = response.Hypotheses.FirstOrDefault(h => h.RuleId == ruleId);
        // A measurement (a dig to one server) is one of several a rule may ask for, each its own check: the promise is
        // the fact (above); the others (the CoreDNS pod IP after the ClusterIP) stay missing, as HypothesisTests show.
        var stillMissing = check.Facts.Where(t => hypothesis?.Missing.Contains(t) == true && !IsMeasurement(t)).ToList();
        Assert.True(stillMissing.Count == 0, $"{where}: after its output the hypothesis still misses {string.Join(", ", stillMissing)}");
    }

    /// <summary>
    /// The output as pasted: <c>from</c> the node when the entry's <c>why</c> says it runs on one (a node hosting CoreDNS
    /// or the failing pod's); a <c>kubectl exec</c> names its pod itself, and kubectl runs anywhere.
    /// </summary>
    private static async Task<CommandOutput> OutputAsync(string command, Sample sample, string why)
    {
        string? from = null;
        if (command.StartsWith(HypothesisBuilder.DebugNode, StringComparison.Ordinal))
        {
            // kubectl debug node/NAME names its node itself.
        }
        else if (why.Contains("run on a node hosting CoreDNS", StringComparison.Ordinal))
        {
            from = $"node/{CoreDnsNode}";
        }
        else if (why.Contains("run on the node", StringComparison.Ordinal))
        {
            from = $"node/{PodNode}";
        }
        else if (!command.StartsWith("kubectl ", StringComparison.Ordinal))
        {
            throw new Xunit.Sdk.XunitException($"`{command}`: its why does not say where it runs (\"run on the node of the failing pod\", \"run on a node hosting CoreDNS\")");
        }

        return new CommandOutput { Command = command, From = from, Text = await TextAsync(sample) };
    }

    private static async Task<string> TextAsync(Sample sample)
    {
        var text = await File.ReadAllTextAsync(Path.Combine(RepoPaths.Root, sample.File!));
        if (sample.Rename is var (from, to))
        {
            text = text.Replace(from, to, StringComparison.Ordinal);
        }

        if (sample.Pick is null)
        {
            return text;
        }

        var root = JsonNode.Parse(text)!;
        if (sample.Pick.StartsWith("file:", StringComparison.Ordinal))
        {
            var path = sample.Pick["file:".Length..];
            return root["snapshot"]!["files"]!.AsArray().Single(f => (string?)f!["path"] == path)!["text"]!.GetValue<string>();
        }

        // A list's items may leave their kind to the list's (PodList), as a cluster-info dump does.
        var objects = (root["items"] ?? root["snapshot"]!["objects"])!.AsArray();
        var listKind = ((string?)root["kind"])?.EndsWith("List", StringComparison.Ordinal) == true ? ((string)root["kind"]!)[..^4] : null;
        var (kind, name) = sample.Pick.Split('/') is [var k, var n] ? (k, n) : (sample.Pick, null);
        var picked = objects.Where(o => ((string?)o!["kind"] ?? listKind) == kind && (name is null || (string?)o!["metadata"]!["name"] == name)).Select(o => o!.DeepClone()).ToList();
        foreach (var o in picked)
        {
            o["apiVersion"] ??= "v1";
            o["kind"] ??= kind;
        }

        Assert.True(picked.Count > 0, $"no {sample.Pick} in {sample.File}");
        return name is not null
            ? picked.Single().ToJsonString(new JsonSerializerOptions { WriteIndented = true })
            : new JsonObject { ["apiVersion"] = "v1", ["kind"] = "List", ["items"] = new JsonArray([.. picked]), ["metadata"] = new JsonObject { ["resourceVersion"] = "" } }.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    private static bool HasValue(IEnumerable<object> facts, string typeAndProperty)
    {
        var (type, property) = typeAndProperty.Split('.') is [var t, var p] ? (t, p) : throw new ArgumentException(typeAndProperty);
        return facts.Where(f => f.GetType().Name == type).Any(f => f.GetType().GetProperty(property)?.GetValue(f) is not null);
    }

    private static bool IsRelation(string type) =>
        FactTypes.TryGet(type, out var t) && t.GetCustomAttributes(typeof(RelationFactAttribute), false).Length > 0;

    private static bool IsMeasurement(string type) => FactTypes.TryGet(type, out var t) && t.IsDefined(typeof(MeasurementFactAttribute), false);
}
