using DnsExpert.Contract;
using DnsExpert.Diagnosis.Composition;
using DnsExpert.Diagnosis;
using DnsExpert.Engine.RuleBases;
using DnsExpert.Engine.Sessions;
using DnsExpert.Testing;

namespace DnsExpert.Diagnosis.Tests;

/// <summary>
/// What a round of evidence leaves open, and what to run next: a dig is one measurement, so the kube-dns ClusterIP
/// timing out leaves the CoreDNS pod IP dig to be done (and first), while the ClusterIP answering rules the Service-path
/// cause out; a command already pasted is not asked for again; the CoreDNS logs come as one command without a pod to
/// fill in.
/// </summary>
public sealed class CheckOrderTests
{
    private static readonly IDiagnosisService Service = new DnsExpertComposition(new CompositionInputs(RepoPaths.Rules)).Diagnoses;
    private const string Dump = "tests/fixtures/cluster-info-dump/kube-system";
    private const string Name = "orders.default.svc.cluster.local";
    private const string Dig = $"kubectl exec -n default web-0 -- dig @172.21.0.10 {Name} +tries=1";

    private static string Read(string path) => File.ReadAllText(Path.Combine(RepoPaths.Root, path));

    /// <summary>BIND 9.18's dig timing out (tests/fixtures/dns-tools/dig-timeout.txt), asked of the dump's kube-dns ClusterIP.</summary>
    private static string DigTimeout() => Read("tests/fixtures/dns-tools/dig-timeout.txt")
        .Replace("127.0.0.1#15355", "172.21.0.10#53", StringComparison.Ordinal)
        .Replace("@127.0.0.1 -p 15355 www.test A +tries=1 +time=1", $"@172.21.0.10 {Name} +tries=1", StringComparison.Ordinal);

    /// <summary>BIND 9.18's dig answered NOERROR (tests/fixtures/dns-tools/dig-cluster-service-noerror.txt), from the dump's ClusterIP.</summary>
    private static string DigAnswered() => Read("tests/fixtures/dns-tools/dig-cluster-service-noerror.txt").Replace("10.96.0.10", "172.21.0.10", StringComparison.Ordinal);

    private static Task<DiagnosisResponse> DiagnoseAsync(string digOutput) => Service.DiagnoseAsync(new DiagnosisRequest
    {
        Target = new TargetRef { Namespace = "default", Pod = "web-0" },
        Symptom = new Symptom { ErrorMessage = $"dial tcp: lookup {Name} on 172.21.0.10:53: read udp 10.0.0.5:38161->172.21.0.10:53: i/o timeout" },
        Snapshot = new Snapshot
        {
            Outputs =
            [
                new CommandOutput { Command = "kubectl get pods -n kube-system -l k8s-app=kube-dns -o json", Text = Read($"{Dump}/pods.json") },
                new CommandOutput { Command = "kubectl get svc kube-dns -n kube-system -o json", Text = Read($"{Dump}/services.json") },
                new CommandOutput { Command = Dig, Text = digOutput },
            ],
        },
    }, CancellationToken.None);

    [Fact]
    public async Task The_cluster_ip_timing_out_leaves_the_pod_ip_dig_to_do_and_puts_it_first()
    {
        var response = await DiagnoseAsync(DigTimeout());

        var hypothesis = Assert.Single(response.Hypotheses, h => h.RuleId == "app-to-kube-dns-unreachable");
        Assert.Equal(HypothesisStatus.Unverified, hypothesis.Status);
        Assert.Contains("ProbeResult", hypothesis.Missing);
        Assert.Contains("of what it asks about", hypothesis.Reason, StringComparison.Ordinal);
        var first = response.NextChecks[0];
        var listing = string.Join('\n', response.NextChecks.Select(c => c.Command + "  <- " + string.Join(",", c.RuleIds))) + "\nfindings: " + string.Join(",", response.Findings.Select(f => f.RuleId));
        Assert.True(first.Command.Contains("@172.20.6.53", StringComparison.Ordinal), listing);
        Assert.Contains("app-to-kube-dns-unreachable", first.RuleIds);
        Assert.DoesNotContain(response.NextChecks, c => c.Command == Dig);
    }

    [Fact]
    public async Task The_check_that_fills_in_the_pod_ip_comes_first_when_the_pod_ip_dig_follows_from_the_evidence()
    {
        // The ClusterIP timed out, but no CoreDNS pod was read: the dig of a pod IP, which would finish the comparison,
        // still has <coredns-pod-ip> to fill in; the CoreDNS pods give it, and rank as that dig.
        var response = await Service.DiagnoseAsync(new DiagnosisRequest
        {
            Target = new TargetRef { Namespace = "default", Pod = "web-0" },
            Symptom = new Symptom { ErrorMessage = $"dial tcp: lookup {Name} on 172.21.0.10:53: read udp 10.0.0.5:38161->172.21.0.10:53: i/o timeout" },
            Snapshot = new Snapshot { Outputs = [new CommandOutput { Command = Dig, Text = DigTimeout() }] },
        }, CancellationToken.None);

        var listing = string.Join('\n', response.NextChecks.Select(c => c.Command + "  <- " + string.Join(",", c.RuleIds)));
        Assert.Contains(response.NextChecks, c => c.Command.Contains("<coredns-pod-ip>", StringComparison.Ordinal));
        var first = response.NextChecks[0];
        Assert.True(first.Command == "kubectl get pods -n kube-system -l 'k8s-app in (kube-dns,coredns)' -o json", listing);
        Assert.Contains("app-to-kube-dns-unreachable", first.RuleIds);
    }

    [Fact]
    public async Task The_daemonset_check_finishes_the_case_an_alpine_pod_points_at_and_comes_first()
    {
        // The pod's JSON says Alpine and names a link-local nameserver; whether that is NodeLocal DNSCache only the
        // DaemonSets say: that check finishes the case, before the node checks of causes the guide lists for peaks.
        const string Scenario = "tests/scenarios/nodelocal-alpine-parallel-nameservers/fires-alpine-image-with-nodelocal.json";
        var pod = System.Text.Json.Nodes.JsonNode.Parse(Read(Scenario))!["snapshot"]!["objects"]!.AsArray()
            .Single(o => (string?)o!["kind"] == "Pod" && (string?)o["metadata"]!["name"] == "web-7d4b9c-x2k4q")!;
        var response = await Service.DiagnoseAsync(new DiagnosisRequest
        {
            Target = new TargetRef { Namespace = "default", Pod = "web-7d4b9c-x2k4q" },
            Symptom = new Symptom { ErrorMessage = $"dial tcp: lookup {Name} on 172.21.0.10:53: read udp 10.0.0.5:38161->172.21.0.10:53: i/o timeout", Frequency = Frequency.Peak },
            Snapshot = new Snapshot { Outputs = [new CommandOutput { Command = "kubectl get pod web-7d4b9c-x2k4q -n default -o json", Text = pod.ToJsonString() }] },
        }, CancellationToken.None);

        var listing = string.Join('\n', response.NextChecks.Select(c => c.Command + "  <- " + string.Join(",", c.RuleIds)));
        Assert.True(response.NextChecks[0].Command == "kubectl get daemonset -A -o json", listing);
        Assert.Contains("nodelocal-alpine-parallel-nameservers", response.NextChecks[0].RuleIds);
    }

    [Fact]
    public async Task The_cluster_ip_answering_rules_the_service_path_out()
    {
        var response = await DiagnoseAsync(DigAnswered());

        var hypothesis = Assert.Single(response.Hypotheses, h => h.RuleId == "app-to-kube-dns-unreachable");
        Assert.True(hypothesis.Status == HypothesisStatus.RuledOut, $"{hypothesis.Status}: {hypothesis.Reason}; {string.Join(", ", response.Collection.Select(c => c.Source + " " + c.Status + " " + c.Detail))}");
    }

    [Fact]
    public async Task Every_next_check_is_once_and_the_coredns_logs_need_no_pod_name()
    {
        var response = await Service.DiagnoseAsync(new DiagnosisRequest
        {
            Target = new TargetRef { Namespace = "default", Pod = "web-0" },
            Symptom = new Symptom { ErrorMessage = $"dial tcp: lookup {Name} on 172.21.0.10:53: read udp 10.0.0.5:38161->172.21.0.10:53: i/o timeout" },
        }, CancellationToken.None);

        Assert.Equal(response.NextChecks.Count, response.NextChecks.Select(c => c.Command).Distinct(StringComparer.Ordinal).Count());
        Assert.Contains(response.NextChecks, c => c.Command == "kubectl logs -n kube-system -l 'k8s-app in (kube-dns,coredns)' --prefix --timestamps --tail=500");
        Assert.DoesNotContain(response.NextChecks, c => !c.Check.Pasted);
        // Commands a person can paste as given come before any with a value to fill in.
        var firstPlaceholder = response.NextChecks.ToList().FindIndex(c => c.Command.Contains('<', StringComparison.Ordinal));
        Assert.True(firstPlaceholder < 0 || response.NextChecks.Skip(firstPlaceholder).All(c => c.Command.Contains('<', StringComparison.Ordinal) || !c.Command.StartsWith("kubectl", StringComparison.Ordinal)),
            string.Join('\n', response.NextChecks.Select(c => c.Command)));
    }
    [Fact]
    public async Task Once_the_pod_is_known_to_ask_nodelocal_the_service_listing_that_gives_its_upstream_ranks_with_the_node_side_dig()
    {
        // kubespray: the error names NodeLocal's 169.254.25.10 and the pod's JSON names its node, so the dig from that node
        // to NodeLocal's upstream (kubespray's coredns Service) is given, but its address is not known: the Service listing
        // gives it, and follows from the evidence as the dig does, before the checks of causes nothing read points at.
        const string Scenario = "tests/scenarios/app-to-kube-dns-unreachable/fires-kubespray-new-node-nodelocaldns-cannot-reach-coredns-service.json";
        const string Pod = "web-5c8d7f9b6-m2x4r";
        var pod = System.Text.Json.Nodes.JsonNode.Parse(Read(Scenario))!["snapshot"]!["objects"]!.AsArray()
            .Single(o => (string?)o!["kind"] == "Pod" && (string?)o["metadata"]!["name"] == Pod)!;
        var response = await Service.DiagnoseAsync(new DiagnosisRequest
        {
            Target = new TargetRef { Namespace = "default", Pod = Pod },
            Symptom = new Symptom { ErrorMessage = "dial tcp: lookup orders.shop.svc.cluster.local on 169.254.25.10:53: read udp 10.233.67.18:50123->169.254.25.10:53: i/o timeout" },
            Snapshot = new Snapshot { Outputs = [new CommandOutput { Command = $"kubectl get pod {Pod} -n default -o json", Text = pod.ToJsonString() }] },
        }, CancellationToken.None);

        var commands = response.NextChecks.Select(c => c.Command).ToList();
        var listing = string.Join('\n', response.NextChecks.Select(c => c.Command + "  <- " + string.Join(",", c.RuleIds)));
        var dig = commands.FindIndex(c => c.StartsWith("kubectl debug node/node4 ", StringComparison.Ordinal) && c.Contains("dig @<nodelocal-upstream-ip> ", StringComparison.Ordinal));
        var services = commands.IndexOf("kubectl get svc -n kube-system -l 'k8s-app in (kube-dns,coredns)' -o json");
        Assert.True(dig >= 0 && services >= 0, listing);
        Assert.Contains("app-to-kube-dns-unreachable", response.NextChecks[services].RuleIds);
        Assert.True(services < commands.IndexOf("kubectl get events -n kube-system -o json"), listing);
    }
    [Fact]
    public async Task Nodelocals_own_configmap_binding_the_cluster_ip_the_pod_asks_is_the_premise_and_the_daemonset_and_services_rank_with_the_dig()
    {
        // GKE: the error names the kube-dns ClusterIP; NodeLocal's ConfigMap (read with all of kube-system's) binds it, so
        // the pod asks NodeLocal. Its Corefile leaves the upstream to -upstreamsvc: the DaemonSet names that Service and
        // the Services' listing gives its ClusterIP, both ranked with the node-side dig they fill in.
        const string Scenario = "tests/scenarios/app-to-kube-dns-unreachable/fires-gke-node-local-dns-cannot-reach-kube-dns-upstream.json";
        const string Pod = "web-6c9f8d7b4-qz2lp";
        var objects = System.Text.Json.Nodes.JsonNode.Parse(Read(Scenario))!["snapshot"]!["objects"]!.AsArray();
        var pod = objects.Single(o => (string?)o!["kind"] == "Pod" && (string?)o["metadata"]!["name"] == Pod)!;
        var configMaps = new System.Text.Json.Nodes.JsonObject
        {
            ["kind"] = "List",
            ["items"] = new System.Text.Json.Nodes.JsonArray([.. objects.Where(o => (string?)o!["kind"] == "ConfigMap").Select(o => o!.DeepClone())]),
        };
        var response = await Service.DiagnoseAsync(new DiagnosisRequest
        {
            Target = new TargetRef { Namespace = "default", Pod = Pod },
            Symptom = new Symptom { ErrorMessage = "dial tcp: lookup orders.shop.svc.cluster.local on 10.8.0.10:53: read udp 10.8.1.23:41622->10.8.0.10:53: i/o timeout" },
            Snapshot = new Snapshot
            {
                Outputs =
                [
                    new CommandOutput { Command = $"kubectl get pod {Pod} -n default -o json", Text = pod.ToJsonString() },
                    new CommandOutput { Command = "kubectl get configmap -n kube-system -o json", Text = configMaps.ToJsonString() },
                ],
            },
        }, CancellationToken.None);

        var commands = response.NextChecks.Select(c => c.Command).ToList();
        var listing = string.Join('\n', response.NextChecks.Select(c => c.Command + "  <- " + string.Join(",", c.RuleIds)));
        Assert.Contains(commands, c => c.StartsWith("kubectl debug node/gke-prod-default-pool-3f2a1c9e-x7k2 ", StringComparison.Ordinal) && c.Contains("dig @<nodelocal-upstream-ip> ", StringComparison.Ordinal));
        var events = commands.IndexOf("kubectl get events -n kube-system -o json");
        Assert.True(commands.IndexOf("kubectl get daemonset -A -o json") is var daemonSets && daemonSets >= 0 && daemonSets < events, listing);
        Assert.True(commands.IndexOf("kubectl get svc -n kube-system -l 'k8s-app in (kube-dns,coredns)' -o json") is var services && services >= 0 && services < events, listing);
    }
    [Fact]
    public async Task The_counter_check_reads_twice_in_one_command_and_its_one_paste_is_the_rise_that_proves_the_packet_limit()
    {
        // coredns/coredns#4662 on EKS: the CoreDNS log's timeouts to the VPC resolver (round 1) give the warning case;
        // its first step, on the CoreDNS pods' node, reads ethtool -S eth0 twice a minute apart, and its one paste
        // (the scenario's two reads, one block each) is the rise that makes the critical case and demotes its effect.
        const string Scenario = "tests/scenarios/cloud-resolver-packet-limit/fires-eks-vpc-resolver-timeouts-with-linklocal-rising.json";
        const string Node = "ip-10-28-17-45.eu-west-3.compute.internal";
        var snapshot = System.Text.Json.Nodes.JsonNode.Parse(Read(Scenario))!["snapshot"]!;
        var objects = snapshot["objects"]!.AsArray().Select(o => System.Text.Json.JsonDocument.Parse(o!.ToJsonString()).RootElement).ToList();
        var logs = snapshot["logs"]!.AsArray().Select(l => new LogArtifact
        {
            Namespace = (string?)l!["namespace"], Pod = (string?)l["pod"], Container = (string?)l["container"], Text = (string?)l["text"],
        }).ToList();
        var reads = string.Concat(snapshot["files"]!.AsArray().Where(f => (string?)f!["command"] == "ethtool -S eth0").Select(f => (string)f!["text"]!));
        DiagnosisRequest Request(IList<CommandOutput> outputs) => new()
        {
            Target = new TargetRef { Namespace = "default", Pod = "web-7d4b9c-x2k4q" },
            Symptom = new Symptom { ErrorMessage = "dial tcp: lookup xxxxxxxxxxxxxx.eu-west-3.rds.amazonaws.com on 172.20.0.10:53: read udp 10.28.33.70:41820->172.20.0.10:53: i/o timeout" },
            Snapshot = new Snapshot { Objects = objects, Logs = logs, Outputs = outputs },
        };
        const string Check = $"kubectl debug node/{Node} -it --image=busybox -- chroot /host sh -c 'ethtool -S eth0; sleep 60; ethtool -S eth0'";

        // Round 1: four timeouts without timestamps do not show the upstream failure lasting, so the effect is a warning
        // as the cause's case without a counter read is, and that case's first step is the check (a fired cause offers
        // no next checks of its own).
        var first = await Service.DiagnoseAsync(Request([]), CancellationToken.None);
        Assert.Equal(Severity.Warning, Assert.Single(first.Findings, f => f.RuleId == "coredns-upstream-unreachable").Severity);
        Assert.Equal(Check, Assert.Single(first.Findings, f => f.RuleId == "cloud-resolver-packet-limit").Remediation[0].Command);

        var second = await Service.DiagnoseAsync(Request([new CommandOutput { Command = Check, Text = reads }]), CancellationToken.None);

        var cause = Assert.Single(second.Findings, f => f.RuleId == "cloud-resolver-packet-limit");
        var findings = string.Join('\n', second.Findings.Select(f => $"{f.RuleId} {f.Severity}: {f.Cause}"));
        Assert.True(cause.Severity == Severity.Critical, findings);
        Assert.Contains("between two reads 60 s apart", cause.Cause, StringComparison.Ordinal);
        Assert.DoesNotContain(second.Findings, f => f.RuleId != "cloud-resolver-packet-limit" && f.Severity == Severity.Critical);
    }
}
