using System.Text.Json;
using DnsExpert.Contract;
using DnsExpert.Facts;
using DnsExpert.Readers.Building;
using DnsExpert.Readers.Objects;
using DnsExpert.Readers.Parsing;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using k8s;

namespace DnsExpert.Readers.Tests;

/// <summary>kubectl tables as people paste them (tests/fixtures/kubectl-tables, each with its source), read into objects and facts.</summary>
public sealed class KubectlTableTests
{
    private static string Fixture(string name) =>
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "fixtures", "kubectl-tables", name));

    private static FactSet Facts(params (string? Command, string Text)[] outputs) =>
        SnapshotFactBuilder.Build(new DiagnosisRequest
        {
            Snapshot = new Snapshot { Outputs = outputs.Select(o => new CommandOutput { Command = o.Command, Text = o.Text }).ToList() },
        });

    private static CollectionEntry Note(FactSet facts, int output = 0) =>
        facts.Collection.Single(c => c.Source == $"snapshot.outputs[{output}]");

    private static List<T> Objects<T>(string command, string text) =>
        PastedTables.Read(command.Split(' '), text)!.Value.Objects.Select(o => JsonSerializer.Deserialize<T>(o, ModelJson.Options)!).ToList();

    [Theory]
    [InlineData("pods-A-crashloop-2020.txt", 6, 10)]
    [InlineData("pods-all-namespaces-wide-2018.txt", 8, 3)]
    [InlineData("pods-wide-nominated-2018.txt", 8, 7)]
    [InlineData("pods-get-all-wide-2019.txt", 10, 2)]
    [InlineData("pods-kube-dns-label-2019.txt", 5, 2)]
    [InlineData("pods-A-restarts-ago-2024.txt", 6, 8)]
    [InlineData("pods-restarts-ago-2022.txt", 5, 10)]
    [InlineData("nodes-wide-k3s-2024.txt", 10, 3)]
    [InlineData("nodes-wide-windows-2021.txt", 10, 2)]
    [InlineData("svc-kube-dns-selector-2017.txt", 6, 1)]
    [InlineData("svc-2017.txt", 6, 2)]
    [InlineData("endpoints-kube-dns-2017.txt", 3, 1)]
    [InlineData("endpoints-A-more-2024.txt", 4, 2)]
    [InlineData("top-pods-2021.txt", 3, 5)]
    [InlineData("top-pods-containers-coredns-2024.txt", 6, 1)]
    public void Real_tables_are_read_column_by_column(string file, int columns, int rows)
    {
        var table = KubectlTable.Parse(Fixture(file));

        Assert.NotNull(table);
        Assert.Equal(columns, table.Columns.Count);
        Assert.Equal(rows, table.Rows.Count);
        Assert.Equal(0, table.Unreadable);
        Assert.All(table.Rows, r => Assert.All(table.Columns, c => Assert.False(string.IsNullOrEmpty(r[c]), $"{c} empty")));
    }

    [Fact]
    public void Columns_and_values_with_spaces_are_kept_whole()
    {
        var wide = KubectlTable.Parse(Fixture("pods-get-all-wide-2019.txt"))!;
        var nodes = KubectlTable.Parse(Fixture("nodes-wide-k3s-2024.txt"))!;
        var restarts = KubectlTable.Parse(Fixture("pods-A-restarts-ago-2024.txt"))!;
        var endpoints = KubectlTable.Parse(Fixture("endpoints-A-more-2024.txt"))!;

        Assert.Equal(["NAMESPACE", "NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP", "NODE", "NOMINATED NODE", "READINESS GATES"], wide.Columns);
        Assert.Null(KubectlTable.Value(wide.Rows[0], "NOMINATED NODE"));
        Assert.Equal("Debian GNU/Linux 11 (bullseye)", nodes.Rows[0]["OS-IMAGE"]);
        Assert.Equal("9 (3m10s ago)", restarts.Rows[^1]["RESTARTS"]);
        Assert.Equal("10.244.0.2:53,10.244.0.4:53,10.244.0.2:53 + 3 more...", endpoints.Rows[1]["ENDPOINTS"]);
    }

    [Fact]
    public void A_row_whose_alignment_was_lost_is_split_at_wide_gaps_and_one_that_cannot_be_is_counted()
    {
        const string text = "NAME                       READY   STATUS             RESTARTS   AGE\n"
            + "coredns-85794f695d-pzscd\t0/1\tCrashLoopBackOff\t9 (2d ago)\t27m\n"
            + "coredns-85794f695d-tzzh4 0/1 CrashLoopBackOff 9 27m\n";

        var table = KubectlTable.Parse(text)!;

        Assert.Equal("9 (2d ago)", Assert.Single(table.Rows)["RESTARTS"]);
        Assert.Equal(1, table.Unreadable);
    }

    [Fact]
    public void A_row_cut_short_is_not_read_as_empty_values()
    {
        const string text = "NAME                       READY   STATUS             RESTARTS   AGE\n"
            + "coredns-85794f695d-pzscd   0/1\n"
            + "coredns-85794f695d-tzzh4   1/1     Running            0          27m\n";

        var table = KubectlTable.Parse(text)!;

        Assert.Equal("coredns-85794f695d-tzzh4", Assert.Single(table.Rows)["NAME"]);
        Assert.Equal(1, table.Unreadable);
    }

    [Fact]
    public void A_header_of_more_columns_than_kubectl_prints_is_no_table() =>
        Assert.Null(KubectlTable.Parse("NAME  " + string.Join("  ", Enumerable.Range(0, KubectlTable.MaxColumns).Select(i => $"C{i}")) + "\nx  1\n"));

    [Fact]
    public void Several_commands_pasted_together_are_read_table_by_table_and_their_prompts_are_no_rows()
    {
        var tables = KubectlTable.ParseAll(Fixture("nodes-and-pods-rke2-2024.txt"));

        Assert.Equal([(5, 1, 0), (6, 6, 0)], tables.Select(t => (t.Columns.Count, t.Rows.Count, t.Unreadable)));

        var facts = Facts(("kubectl get pods -A", Fixture("nodes-and-pods-rke2-2024.txt")));
        Assert.Equal("v1.27.11+rke2r1", Assert.Single(facts.Facts.OfType<ClusterNode>()).KubeletVersion);
        var note = Note(facts);
        Assert.Equal(CollectionStatus.Ok, note.Status);
        Assert.Contains("read 1 node(s) from a kubectl get nodes table", note.Detail, StringComparison.Ordinal);
        Assert.Contains(" | read 6 pod(s) from a kubectl get pods table (namespace column)", note.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Rows_over_the_cap_are_counted_not_read()
    {
        var table = KubectlTable.Parse(Fixture("pods-A-crashloop-2020.txt"), maxRows: 4)!;

        Assert.Equal(4, table.Rows.Count);
        Assert.Equal(6, table.OverCap);
    }

    [Theory]
    [InlineData("")]
    [InlineData("No resources found in kube-system namespace.")]
    [InlineData("Error from server (NotFound): pods \"x\" not found")]
    [InlineData("name   ready\ncoredns   1/1")]
    public void Text_without_a_header_is_no_table(string text) =>
        Assert.Null(KubectlTable.Parse(text));

    [Fact]
    public void A_kube_dns_listing_with_a_crashing_pod_gives_CoreDnsPod_facts_with_ip_node_and_state()
    {
        var facts = Facts(("kubectl -n kube-system get pods -l k8s-app=kube-dns -o wide", Fixture("pods-get-all-wide-2019.txt")));

        var pods = facts.Facts.OfType<CoreDnsPod>().OrderBy(p => p.Name, StringComparer.Ordinal).ToList();
        Assert.Equal(2, pods.Count);
        Assert.Equal(("coredns-8476d449d8-d9whc", "10.244.0.8", "elastestsp1", "Running", false, 7, "CrashLoopBackOff"),
            (pods[0].Name, pods[0].Ip, pods[0].Node, pods[0].Phase, pods[0].Ready, pods[0].Restarts, pods[0].WaitingReason));
        Assert.Equal((true, 0, (string?)null), (pods[1].Ready, pods[1].Restarts, pods[1].WaitingReason));
        var note = Note(facts);
        Assert.Equal(CollectionStatus.Ok, note.Status);
        Assert.Contains("read 2 pod(s) from a kubectl get pods table (namespace column)", note.Detail, StringComparison.Ordinal);
        Assert.Contains("limits unknown", note.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void The_label_selector_of_the_command_labels_the_pods_of_a_table_without_a_namespace_column()
    {
        var facts = Facts(("kubectl get po -n kube-system -l k8s-app=kube-dns", Fixture("pods-kube-dns-label-2019.txt")));

        Assert.All(facts.Facts.OfType<CoreDnsPod>(), p => Assert.Equal(("kube-system", "CrashLoopBackOff", 9, false), (p.Namespace, p.WaitingReason, p.Restarts, p.Ready)));
        Assert.Equal(2, facts.Facts.OfType<CoreDnsPod>().Count());
        Assert.Contains("without -o wide no pod IP or node", Note(facts).Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Kube_system_pods_named_coredns_in_an_all_namespaces_listing_are_CoreDNS_and_the_note_says_so()
    {
        var facts = Facts(("kubectl get pods -A", Fixture("pods-A-crashloop-2020.txt")));

        Assert.Equal(["coredns-6955765f44-tmr65", "coredns-6955765f44-wm4vg"], facts.Facts.OfType<CoreDnsPod>().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Contains("2 pod(s) named as a distribution names its cluster DNS pods (coredns-*, kube-dns-*, dns-default-*, rke2-coredns-rke2-coredns-*) taken as the cluster DNS", Note(facts).Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Restarts_with_the_ago_suffix_of_newer_kubectl_are_counted()
    {
        var pods = Objects<Pod>("kubectl get pods -A", Fixture("pods-A-restarts-ago-2024.txt"));

        var helm = pods.Single(p => p.Metadata.Name == "helm-install-rke2-coredns-lsfg5");
        Assert.Equal((9, "CrashLoopBackOff", "kube-system"), (helm.Status.ContainerStatuses[0].RestartCount, helm.Status.ContainerStatuses[0].State.Waiting.Reason, helm.Metadata.NamespaceProperty));
        Assert.Equal(3, pods.Single(p => p.Metadata.Name == "cloud-controller-manager-server1").Status.ContainerStatuses[0].RestartCount);
        Assert.Equal("Succeeded", pods.Single(p => p.Metadata.Name == "helm-install-rke2-calico-r7vqq").Status.Phase);
        Assert.Equal("calico-system", pods[0].Metadata.NamespaceProperty);
    }

    [Fact]
    public void A_table_without_namespace_in_command_or_column_is_read_in_default_and_says_so()
    {
        var read = PastedTables.Read(["kubectl", "get", "pods"], Fixture("pods-restarts-ago-2022.txt"))!.Value;

        Assert.Equal(10, read.Objects.Count);
        Assert.Contains("namespace default: the command names none", read.Note, StringComparison.Ordinal);
    }

    [Fact]
    public void Nodes_o_wide_gives_kernel_os_kubelet_and_readiness()
    {
        var facts = Facts(("kubectl get nodes -o wide", Fixture("nodes-wide-k3s-2024.txt")), ("kubectl get nodes -o wide", Fixture("nodes-wide-windows-2021.txt")));

        var nodes = facts.Facts.OfType<ClusterNode>().ToDictionary(n => n.Name, StringComparer.Ordinal);
        var cp = nodes["sv-production-k3s-cp-0"];
        Assert.Equal(("5.10.0-32-amd64", "Debian GNU/Linux 11 (bullseye)", "v1.30.4+k3s1", true), (cp.KernelVersion, cp.OsImage, cp.KubeletVersion, cp.Ready));
        Assert.NotNull(cp.Kernel);
        Assert.Equal("5.4.0-72-generic", nodes["master"].KernelVersion);
        Assert.Equal(5, nodes.Count);

        // The runtime is no reader's: the objects are read as the API's model, which they must be.
        var node = PastedTables.Read(["kubectl", "get", "nodes", "-o", "wide"], Fixture("nodes-wide-k3s-2024.txt"))!.Value.Objects
            .Select(o => KubernetesJson.Deserialize<k8s.Models.V1Node>(o)).First();
        Assert.Equal(["InternalIP 10.67.34.141", "ExternalIP 139.178.70.53"], node.Status.Addresses.Select(a => $"{a.Type} {a.Address}"));
        Assert.True(node.Metadata.Labels.ContainsKey("node-role.kubernetes.io/control-plane"));
        Assert.Equal("containerd://1.7.20-k3s1", node.Status.NodeInfo.ContainerRuntimeVersion);
    }

    [Fact]
    public void Nodes_without_o_wide_say_the_kernel_is_unknown()
    {
        const string text = "NAME        STATUS                     ROLES    AGE   VERSION\nmaster      Ready,SchedulingDisabled   master   3h    v1.8.1\nnode1       NotReady                   <none>   3h    v1.8.1\n";

        var facts = Facts(("kubectl get nodes", text));

        Assert.Equal([("master", true), ("node1", false)], facts.Facts.OfType<ClusterNode>().OrderBy(n => n.Name, StringComparer.Ordinal).Select(n => (n.Name, n.Ready)));
        Assert.Contains("without -o wide no kernel", Note(facts).Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void The_kube_dns_service_and_its_endpoints_tables_give_the_KubeDnsService_and_KubeDnsEndpoints_facts()
    {
        var facts = Facts(("kubectl get svc -n kube-system -o wide", Fixture("svc-kube-dns-selector-2017.txt")), ("kubectl get endpoints -n kube-system", Fixture("endpoints-kube-dns-2017.txt")));

        var kubeDns = Assert.Single(facts.Facts.OfType<KubeDnsService>());
        Assert.Equal(("10.96.0.10", "None"), (kubeDns.ClusterIp, kubeDns.SessionAffinity));
        Assert.Equal(1, Assert.Single(facts.Facts.OfType<KubeDnsEndpoints>()).ReadyEndpoints);
        var service = Objects<Service>("kubectl get svc -n kube-system -o wide", Fixture("svc-kube-dns-selector-2017.txt")).Single();
        Assert.Equal(["53/UDP", "53/TCP"], service.Spec.Ports.Select(p => $"{p.Port}/{p.Protocol}"));
        Assert.Equal("kube-dns", service.Spec.Selector["name"]);
    }

    [Fact]
    public void Node_ports_are_read_and_a_service_table_without_a_selector_says_so()
    {
        var read = PastedTables.Read(["kubectl", "get", "svc"], Fixture("svc-2017.txt"))!.Value;

        // The node port is no reader's: the object is read as the API's model, which it must be.
        var service = KubernetesJson.Deserialize<k8s.Models.V1Service>(read.Objects[1]);
        Assert.Equal(("NodePort", 8080, 30373), (service.Spec.Type, service.Spec.Ports[0].Port, service.Spec.Ports[0].NodePort));
        Assert.Contains("without -o wide no selector", read.Note, StringComparison.Ordinal);
    }

    [Fact]
    public void Truncated_endpoints_are_read_as_a_lower_bound_and_the_note_says_the_table_truncates()
    {
        var facts = Facts(("kubectl get endpoints -A", Fixture("endpoints-A-more-2024.txt")), ("kubectl get svc -n kube-system", "NAME       TYPE        CLUSTER-IP   EXTERNAL-IP   PORT(S)                  AGE\nkube-dns   ClusterIP   10.96.0.10   <none>        53/UDP,53/TCP,9153/TCP   35s\n"));

        Assert.Equal(2, Assert.Single(facts.Facts.OfType<KubeDnsEndpoints>()).ReadyEndpoints);
        var note = Note(facts);
        Assert.Equal(CollectionStatus.Partial, note.Status);
        Assert.Contains("3 address:port pair(s) behind \"+ N more...\" not shown", note.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Endpoints_none_means_no_ready_address()
    {
        var facts = Facts(("kubectl get ep kube-dns -n kube-system", "NAME       ENDPOINTS   AGE\nkube-dns   <none>      3h\n"), ("kubectl get svc kube-dns -n kube-system", Fixture("svc-kube-dns-selector-2017.txt")));

        Assert.Single(facts.Facts.OfType<KubeDnsService>());
        Assert.Equal(0, Assert.Single(facts.Facts.OfType<KubeDnsEndpoints>()).ReadyEndpoints);
    }

    [Fact]
    public void Top_pods_with_containers_and_the_pods_json_give_the_use_against_the_limit()
    {
        var facts = Facts(
            ("kubectl top pod -n kube-system --containers coredns-58bfd8f658-k72qt", Fixture("top-pods-containers-coredns-2024.txt")),
            ("kubectl get pods -n kube-system -l k8s-app=kube-dns -o json", CoreDnsPodJson("coredns-58bfd8f658-k72qt", cpuLimit: "100m")));

        var pod = Assert.Single(facts.Facts.OfType<CoreDnsPod>());
        Assert.Equal((2.0, 100.0, 20.0 * 1024 * 1024, "registry.k8s.io/coredns/coredns:v1.11.1"), (pod.CpuMillicores, pod.CpuLimitMillicores, pod.MemoryBytes, pod.Image));
        Assert.Equal(2.0, Assert.Single(facts.Facts.OfType<CoreDnsPodMetrics>()).CpuMillicores);
        Assert.Contains("read the usage of 1 pod(s) from a kubectl top pods table (namespace kube-system)", Note(facts).Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Top_pods_without_containers_is_the_pod_total_read_as_its_one_container()
    {
        const string top = "NAME                       CPU(cores)   MEMORY(bytes)\ncoredns-58bfd8f658-k72qt   95m          30Mi\n";

        var facts = Facts(("kubectl top pods -n kube-system -l k8s-app=kube-dns", top), (null, CoreDnsPodJson("coredns-58bfd8f658-k72qt", cpuLimit: "100m")));

        Assert.Equal(95, Assert.Single(facts.Facts.OfType<CoreDnsPod>()).CpuPercentOfLimit);
        Assert.Contains("without --containers the pod's total is read as its one container's", Note(facts).Detail, StringComparison.Ordinal);
        Assert.Equal(5, PastedTables.Read(["kubectl", "-n", "ci", "top", "pods"], Fixture("top-pods-2021.txt"))!.Value.Objects.Count);
    }

    [Fact]
    public void Top_nodes_is_read_as_node_metrics_not_pods()
    {
        const string text = "NAME                          CPU(cores)   CPU%      MEMORY(bytes)   MEMORY%\nip-10-10-1-247.ec2.internal   38m          1%        410Mi           5%\n";

        foreach (var words in new[] { new[] { "kubectl", "top", "nodes" }, [] })
        {
            var read = PastedTables.Read(words, text)!.Value;
            Assert.Equal("NodeMetrics", Assert.Single(read.Objects).GetProperty("kind").GetString());
        }
    }

    [Fact]
    public void The_json_of_a_pod_wins_over_its_table_row()
    {
        var facts = Facts(
            ("kubectl get pods -n kube-system -l k8s-app=kube-dns -o json", CoreDnsPodJson("coredns-85794f695d-pzscd", cpuLimit: "100m")),
            ("kubectl get po -n kube-system -l k8s-app=kube-dns", Fixture("pods-kube-dns-label-2019.txt")));

        var pods = facts.Facts.OfType<CoreDnsPod>().ToDictionary(p => p.Name, StringComparer.Ordinal);
        Assert.Equal(("registry.k8s.io/coredns/coredns:v1.11.1", true), (pods["coredns-85794f695d-pzscd"].Image, pods["coredns-85794f695d-pzscd"].Ready));
        Assert.Null(pods["coredns-85794f695d-tzzh4"].Image);
    }

    [Fact]
    public void A_table_pasted_without_its_command_is_read_by_its_header()
    {
        var facts = Facts((null, Fixture("pods-all-namespaces-wide-2018.txt")));

        Assert.Equal(2, facts.Facts.OfType<CoreDnsPod>().Count(p => p.WaitingReason == "CrashLoopBackOff" && p.Node == "192-168-43-131.master"));
    }

    [Fact]
    public void Rows_with_names_Kubernetes_would_refuse_are_skipped_counted_and_not_repeated()
    {
        const string text = "NAMESPACE     NAME                      READY   STATUS    RESTARTS   AGE\n"
            + "kube-system   coredns-6955765f44-tmr65  1/1     Running   0          18m\n"
            + "kube-system   Coredns_<script>          0/1     Running   0          18m\n"
            + "Kube..System  coredns-6955765f44-wm4vg  1/1     Running   0          18m\n";

        var facts = Facts(("kubectl get pods -A", text));

        Assert.Equal("coredns-6955765f44-tmr65", Assert.Single(facts.Facts.OfType<CoreDnsPod>()).Name);
        var note = Note(facts);
        Assert.Equal(CollectionStatus.Partial, note.Status);
        Assert.Contains("2 row(s) skipped: a name Kubernetes would not accept", note.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain("script", note.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void The_target_pods_row_is_not_read_as_the_pod_whose_dns_settings_a_table_does_not_show()
    {
        var facts = SnapshotFactBuilder.Build(new DiagnosisRequest
        {
            Target = new TargetRef { Namespace = "kube-system", Pod = "calico-node-f944w" },
            Snapshot = new Snapshot { Outputs = [new CommandOutput { Command = "kubectl get pods -n kube-system -o wide", Text = Fixture("pods-wide-nominated-2018.txt") }] },
        });

        Assert.DoesNotContain(facts.Facts.OfType<PodDns>(), p => p.Name == "calico-node-f944w");
        Assert.Contains("the target pod's row is not read as the pod", Note(facts).Detail, StringComparison.Ordinal);
        Assert.Equal(2, facts.Facts.OfType<CoreDnsPod>().Count());
    }

    [Fact]
    public void An_invalid_namespace_or_selector_in_the_command_is_not_taken()
    {
        var pods = Objects<Pod>("kubectl get pods -n Bad_NS -l app=<x>", Fixture("pods-kube-dns-label-2019.txt"));

        Assert.All(pods, p => Assert.Equal(("default", (IDictionary<string, string>?)null), (p.Metadata.NamespaceProperty, p.Metadata.Labels)));
    }

    [Fact]
    public void Unknown_tables_stay_outputs_of_their_command()
    {
        const string text = "NAME      DATA   AGE\ncoredns   1      3h\n";

        var facts = SnapshotFactBuilder.Build(new DiagnosisRequest
        {
            Snapshot = new Snapshot { Outputs = [new CommandOutput { Command = "kubectl get cm -n kube-system", Text = text, From = "node/n1" }] },
        });

        Assert.Contains("kept as the output of a command", Note(facts).Detail, StringComparison.Ordinal);
    }

    /// <summary>Table-shaped text: headers and values of the kinds read, cut and joined at random.</summary>
    private static Arbitrary<string> Tableish() =>
        Gen.Elements("NAME", "NAMESPACE", "READY", "STATUS", "RESTARTS", "CPU(cores)", "MEMORY(bytes)", "ENDPOINTS", "CLUSTER-IP", "PORT(S)", "VERSION",
                "KERNEL-VERSION", "POD", "coredns-x", "kube-system", "0/1", "9/3", "CrashLoopBackOff", "Init:0/1", "3 (2d ago)", "<none>", "10.0.0.1:53",
                "+ 9 more...", "53/UDP,1:2:3/TCP", "k8s-app=kube-dns", "3m", "12Qi", "1e999", "[::1]:0", " ", "   ", "\t", "\n", "é", "-")
            .ArrayOf()
            .Select(parts => string.Concat(parts))
            .ToArbitrary();

    [Property(MaxTest = 300)]
    public Property Any_text_is_read_without_throwing_and_every_object_has_a_valid_name(string command) =>
        Prop.ForAll(Tableish(), text =>
        {
            var table = KubectlTable.Parse(text);
            var read = PastedTables.Read((command ?? "").Split(' '), text);
            return (table is null || table.Rows.All(r => r.Count == table.Columns.Count))
                && (read is null || read.Value.Objects.All(o => RequestValidator.IsDnsSubdomain(o.GetProperty("metadata").GetProperty("name").GetString()!)));
        });

    private static string CoreDnsPodJson(string name, string cpuLimit) => JsonSerializer.Serialize(new
    {
        apiVersion = "v1",
        kind = "Pod",
        metadata = new { name, @namespace = "kube-system", labels = new Dictionary<string, string> { ["k8s-app"] = "kube-dns" } },
        spec = new
        {
            nodeName = "node-1",
            containers = new[] { new { name = "coredns", image = "registry.k8s.io/coredns/coredns:v1.11.1", resources = new { limits = new { cpu = cpuLimit, memory = "170Mi" } } } },
        },
        status = new
        {
            phase = "Running",
            podIP = "10.244.0.5",
            conditions = new[] { new { type = "Ready", status = "True" } },
            containerStatuses = new[] { new { name = "coredns", ready = true, restartCount = 0 } },
        },
    });
}

/// <summary><c>kubectl top nodes</c>: NodeMetrics, so a node whose JSON is there too gets its CPU share.</summary>
public sealed class TopNodesTableTests
{
    private static string Fixture(string name) =>
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "fixtures", "kubectl-tables", name));

    private static string Node(string name, string allocatableCpu) => $$$"""
        {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "{{{name}}}"},
         "status": {"allocatable": {"cpu": "{{{allocatableCpu}}}", "memory": "8Gi"}, "conditions": [{"type": "Ready", "status": "True"}]}}
        """;

    [Fact]
    public void Top_nodes_with_the_nodes_json_give_each_node_its_cpu_share()
    {
        var facts = SnapshotFactBuilder.Build(new DiagnosisRequest
        {
            Snapshot = new Snapshot
            {
                Outputs = [new CommandOutput { Command = "kubectl top nodes", Text = Fixture("top-nodes-2023.txt") }],
                Objects = [JsonDocument.Parse(Node("ub18", "2")).RootElement.Clone(), JsonDocument.Parse(Node("ub18c1", "1")).RootElement.Clone()],
            },
        });

        var nodes = facts.Facts.OfType<ClusterNode>().ToDictionary(n => n.Name);
        Assert.Equal(17.7, nodes["ub18"].CpuPercent!.Value, precision: 1);
        Assert.Equal(18.0, nodes["ub18c1"].CpuPercent!.Value, precision: 1);
        var note = facts.Collection.Single(c => c.Source == "snapshot.outputs[0]");
        Assert.Equal(CollectionStatus.Ok, note.Status);
        Assert.Contains("read the usage of 3 node(s) from a kubectl top nodes table", note.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Top_nodes_alone_give_each_node_the_cpu_share_kubectl_printed_and_the_json_computes_it_when_read()
    {
        var facts = SnapshotFactBuilder.Build(new DiagnosisRequest
        {
            Snapshot = new Snapshot
            {
                Outputs = [new CommandOutput { Command = "kubectl top nodes", Text = Fixture("top-nodes-2023.txt") }],
                Objects = [JsonDocument.Parse(Node("ub18", "2")).RootElement.Clone()],
            },
        });

        var nodes = facts.Facts.OfType<ClusterNode>().ToDictionary(n => n.Name);
        Assert.Equal(17.7, nodes["ub18"].CpuPercent!.Value, precision: 1);   // 354m of 2 allocatable CPUs, from the JSON
        Assert.Equal(18, nodes["ub18c1"].CpuPercent);                       // kubectl's CPU% column: no JSON for it
        Assert.Equal(21, nodes["ub18c2"].CpuPercent);
        Assert.Equal("NodeMetrics ub18c2", nodes["ub18c2"].Source);

        var odd = SnapshotFactBuilder.Build(new DiagnosisRequest
        {
            Snapshot = new Snapshot
            {
                Outputs = [new CommandOutput { Command = "kubectl top nodes", Text = "NAME     CPU(cores)   CPU%   MEMORY(bytes)   MEMORY%\nnode-a   120m         6x%    1200Mi          15%\nnode-b   90m          -3%    900Mi           11%\n" }],
            },
        });
        Assert.All(odd.Facts.OfType<ClusterNode>(), n => Assert.Null(n.CpuPercent));
    }

    [Theory]
    [InlineData("kubectl top node")]
    [InlineData("kubectl top no")]
    [InlineData(null)]
    public void The_table_is_told_from_top_pods_by_its_command_or_its_header(string? command)
    {
        var read = PastedTables.Read(command?.Split(' ') ?? [], Fixture("top-nodes-2023.txt"))!.Value;

        Assert.Equal(3, read.Objects.Count);
        Assert.All(read.Objects, o => Assert.Equal("NodeMetrics", o.GetProperty("kind").GetString()));
        Assert.Equal("354m", read.Objects[0].GetProperty("usage").GetProperty("cpu").GetString());
    }

    [Fact]
    public void A_node_without_a_sample_yet_is_skipped_and_said()
    {
        var read = PastedTables.Read(["kubectl", "top", "nodes"], "NAME     CPU(cores)   CPU%      MEMORY(bytes)   MEMORY%\nnode-a   120m         6%        1200Mi          15%\nnode-b   <unknown>    <unknown> <unknown>       <unknown>\n")!.Value;

        Assert.Single(read.Objects);
        Assert.Contains("1 row(s) without a readable CPU or memory (<unknown>) skipped", read.Note, StringComparison.Ordinal);
    }
}
