using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DnsExpert.Api.Tests;

/// <summary>
/// Pasted kubectl tables (<c>get pods -o wide</c>, <c>top pods</c>) over HTTP: read into the objects the JSON form
/// gives, so the same rules confirm the same causes; a table that cannot say something leaves its cause unverified.
/// </summary>
public sealed class PastedTableTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private const string Timeout = "dial udp 10.96.0.10:53: i/o timeout";

    private static string Fixture(string name) => File.ReadAllText(Path.Combine(ApiFactory.RepoRoot, "tests", "fixtures", "kubectl-tables", name));

    private async Task<JsonElement> DiagnoseAsync(JsonObject request)
    {
        var response = await factory.CreateClient().PostAsync("/api/v1/diagnoses", new StringContent(request.ToJsonString(), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Json();
    }

    private static JsonObject Request(string frequency, params (string Command, string Text)[] outputs) => new()
    {
        ["symptom"] = new JsonObject { ["errorMessage"] = Timeout, ["frequency"] = frequency },
        ["snapshot"] = new JsonObject
        {
            ["outputs"] = new JsonArray(outputs.Select(o => (JsonNode)new JsonObject { ["command"] = o.Command, ["text"] = o.Text }).ToArray()),
        },
    };

    private static JsonElement Hypothesis(JsonElement diagnosis, string rule) =>
        diagnosis.GetProperty("hypotheses").EnumerateArray().Single(h => h.GetProperty("ruleId").GetString() == rule);

    private static string Note(JsonElement diagnosis, int output) =>
        diagnosis.GetProperty("collection").EnumerateArray().Single(c => c.GetProperty("source").GetString() == $"snapshot.outputs[{output}]").GetProperty("detail").GetString()!;

    [Fact]
    public async Task A_pasted_wide_listing_of_the_CoreDNS_pods_with_one_in_CrashLoopBackOff_confirms_coredns_pod_not_running()
    {
        // kubernetes/kubeadm#1688: one CoreDNS pod crash-looping on its node, the other Running.
        var diagnosis = await DiagnoseAsync(Request("always", ("kubectl -n kube-system get pods -l k8s-app=kube-dns -o wide", Fixture("pods-get-all-wide-2019.txt"))));

        var finding = diagnosis.GetProperty("findings").EnumerateArray().Single(f => f.GetProperty("ruleId").GetString() == "coredns-pod-not-running");
        Assert.Contains("coredns-8476d449d8-d9whc", finding.GetProperty("cause").GetString(), StringComparison.Ordinal);
        Assert.Contains("CrashLoopBackOff", finding.GetProperty("cause").GetString(), StringComparison.Ordinal);
        Assert.Equal("confirmed", Hypothesis(diagnosis, "coredns-pod-not-running").GetProperty("status").GetString());
        Assert.StartsWith("read 2 pod(s) from a kubectl get pods table", Note(diagnosis, 0), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pasted_top_pods_with_the_pods_json_near_the_limit_confirms_coredns_overloaded_and_without_it_the_cause_stays_unverified()
    {
        const string top = "NAME                       CPU(cores)   MEMORY(bytes)\ncoredns-5d78c9869d-6x2lq   92m          41Mi\ncoredns-5d78c9869d-t8kgh   31m          22Mi\n";
        var pods = CoreDnsPodsJson("coredns-5d78c9869d-6x2lq", "coredns-5d78c9869d-t8kgh");

        // The pods alone: the limits are known, the use is not; the hypothesis names the check that measures it.
        var before = await DiagnoseAsync(Request("peak", ("kubectl get pods -n kube-system -l k8s-app=kube-dns -o json", pods)));
        var unverified = Hypothesis(before, "coredns-overloaded");
        Assert.Equal("unverified", unverified.GetProperty("status").GetString());
        Assert.Contains("CoreDnsPodMetrics", unverified.GetProperty("missing").EnumerateArray().Select(m => m.GetString()));
        Assert.Contains(unverified.GetProperty("checks").EnumerateArray(), c => c.GetProperty("command").GetString() == "kubectl top pods -n kube-system -l k8s-app=kube-dns");

        var after = await DiagnoseAsync(Request("peak",
            ("kubectl get pods -n kube-system -l k8s-app=kube-dns -o json", pods), ("kubectl top pods -n kube-system -l k8s-app=kube-dns", top)));

        var finding = after.GetProperty("findings").EnumerateArray().Single(f => f.GetProperty("ruleId").GetString() == "coredns-overloaded");
        Assert.Contains("coredns-5d78c9869d-6x2lq uses 92m of its 100m CPU limit", finding.GetProperty("cause").GetString(), StringComparison.Ordinal);
        Assert.Equal("confirmed", Hypothesis(after, "coredns-overloaded").GetProperty("status").GetString());
        Assert.Contains("read the usage of 2 pod(s) from a kubectl top pods table (namespace kube-system)", Note(after, 1), StringComparison.Ordinal);

        // The same pods well under their limits: measured, and ruled out.
        var calm = await DiagnoseAsync(Request("peak",
            ("kubectl get pods -n kube-system -l k8s-app=kube-dns -o json", pods), ("kubectl top pods -n kube-system -l k8s-app=kube-dns", top.Replace("92m", "12m", StringComparison.Ordinal))));
        Assert.Equal("ruled-out", Hypothesis(calm, "coredns-overloaded").GetProperty("status").GetString());
    }

    [Fact]
    public async Task The_kernel_from_a_pasted_nodes_o_wide_table_fires_ipvs_udp_stale_backend_as_the_node_json_does()
    {
        // The scenario's Node objects replaced by the table kubectl get nodes -o wide prints for them.
        var request = JsonNode.Parse(File.ReadAllText(Path.Combine(ApiFactory.RepoRoot, "tests", "scenarios", "ipvs-udp-stale-backend", "fires-ipvs-kernel-4.19.91-24.1.al7.json")))!.AsObject();
        var objects = request["snapshot"]!["objects"]!.AsArray();
        foreach (var node in objects.Where(o => (string?)o!["kind"] == "Node").ToList())
        {
            objects.Remove(node);
        }

        const string nodes = """
            NAME                        STATUS   ROLES    AGE   VERSION            INTERNAL-IP     EXTERNAL-IP   OS-IMAGE                                                        KERNEL-VERSION            CONTAINER-RUNTIME
            cn-hangzhou.192.168.0.198   Ready    <none>   3d    v1.24.6-aliyun.1   192.168.0.198   <none>        Alibaba Cloud Linux (Aliyun Linux) 2.1903 LTS (Hunting Beagle)   4.19.91-24.1.al7.x86_64   containerd://1.6.28
            cn-hangzhou.192.168.0.199   Ready    <none>   3d    v1.24.6-aliyun.1   192.168.0.199   <none>        Alibaba Cloud Linux (Aliyun Linux) 2.1903 LTS (Hunting Beagle)   4.19.91-24.1.al7.x86_64   containerd://1.6.28
            cn-hangzhou.192.168.0.200   Ready    <none>   3d    v1.24.6-aliyun.1   192.168.0.200   <none>        Alibaba Cloud Linux (Aliyun Linux) 2.1903 LTS (Hunting Beagle)   4.19.91-24.1.al7.x86_64   containerd://1.6.28
            """;
        request["snapshot"]!["outputs"] = new JsonArray(new JsonObject { ["command"] = "kubectl get nodes -o wide", ["text"] = nodes });

        var diagnosis = await DiagnoseAsync(request);

        var finding = diagnosis.GetProperty("findings").EnumerateArray().Single(f => f.GetProperty("ruleId").GetString() == "ipvs-udp-stale-backend");
        Assert.Contains("4.19.91-24.1.al7", finding.GetProperty("cause").GetString(), StringComparison.Ordinal);
        Assert.Equal("read 3 node(s) from a kubectl get nodes table; a table has no architecture, provider id, capacity or labels other than roles", Note(diagnosis, 0));
    }

    /// <summary>
    /// A table has no image, so no CoreDNS version: the CoreDNS-before-1.7 cause of a headless name stays unverified
    /// (it used to be ruled out by pods whose version nobody knew), naming the property and the JSON that gives it.
    /// </summary>
    [Fact]
    public async Task CoreDNS_pods_from_a_table_leave_a_version_cause_unverified_and_their_json_decides_it()
    {
        var table = ("kubectl -n kube-system get pods -l k8s-app=kube-dns -o wide", Fixture("pods-kube-dns-label-2019.txt"));
        var service = """{"apiVersion": "v1", "kind": "Service", "metadata": {"name": "kafka", "namespace": "data"}, "spec": {"clusterIP": "None", "selector": {"app": "kafka"}}}""";
        JsonObject Headless(params (string Command, string Text)[] outputs)
        {
            var request = Request("always", outputs);
            request["domain"] = "kafka.data.svc.cluster.local";
            request["symptom"]!["errorMessage"] = "dial tcp: lookup kafka.data.svc.cluster.local on 10.96.0.10:53: no such host";
            request["snapshot"]!["objects"] = new JsonArray(JsonNode.Parse(service));
            return request;
        }

        var fromTable = Hypothesis(await DiagnoseAsync(Headless(table)), "headless-coredns-before-1.7");
        Assert.Equal("unverified", fromTable.GetProperty("status").GetString());
        Assert.Equal(["CoreDnsPod.Version"], fromTable.GetProperty("missing").EnumerateArray().Select(m => m.GetString()));
        Assert.Contains("CoreDnsPod.Version unknown", fromTable.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(["kubectl get pods -n kube-system -l k8s-app=kube-dns -o json"], fromTable.GetProperty("checks").EnumerateArray().Select(c => c.GetProperty("command").GetString()));

        var fromJson = Hypothesis(await DiagnoseAsync(Headless(("kubectl get pods -n kube-system -l k8s-app=kube-dns -o json", CoreDnsPodsJson("coredns-a")))), "headless-coredns-before-1.7");
        Assert.Equal("ruled-out", fromJson.GetProperty("status").GetString());
    }

    [Theory]
    [InlineData("0/1", true)]
    [InlineData("1/1", false)]
    public async Task Three_still_waiting_lines_from_a_CoreDNS_pod_the_pasted_table_shows_not_Ready_prove_the_API_server_wait(string ready, bool fires)
    {
        // saschagrunert/kubernix#144 (CoreDNS 1.6.5): a 0/1 Running pod and three ready-plugin lines, as users paste
        // them; the same lines from a 1/1 pod are a start-up transient.
        const string waiting = "[INFO] plugin/ready: Still waiting on: \"kubernetes\"\n";
        var logs = waiting + ".:53\n[INFO] plugin/reload: Running configuration MD5 = 85e038b57e0b532efd30fe2c72ab76b8\nCoreDNS-1.6.5\nlinux/amd64, go1.13.4, c2fd1b2\n" + waiting + waiting;
        var table = $"NAME                       READY   STATUS    RESTARTS   AGE\ncoredns-5996f6bb7c-855dn   {ready}     Running   0          163m\n";

        var diagnosis = await DiagnoseAsync(Request("always",
            ("kubectl -n kube-system get pods -l k8s-app=kube-dns", table),
            ("kubectl logs -n kube-system coredns-5996f6bb7c-855dn", logs)));

        var finding = diagnosis.GetProperty("findings").EnumerateArray().SingleOrDefault(f => f.GetProperty("ruleId").GetString() == "coredns-apiserver-unreachable");
        Assert.Equal(fires, finding.ValueKind != JsonValueKind.Undefined);
        if (fires)
        {
            Assert.Contains("3 such line(s)", finding.GetProperty("cause").GetString(), StringComparison.Ordinal);
            Assert.Contains("still not Ready", finding.GetProperty("cause").GetString(), StringComparison.Ordinal);
        }
    }

    private static string CoreDnsPodsJson(params string[] names) => new JsonObject
    {
        ["apiVersion"] = "v1",
        ["kind"] = "List",
        ["items"] = new JsonArray(names.Select((name, i) => (JsonNode)JsonNode.Parse("""
            {"apiVersion": "v1", "kind": "Pod",
             "metadata": {"name": "NAME", "namespace": "kube-system", "labels": {"k8s-app": "kube-dns"}},
             "spec": {"nodeName": "node-I", "containers": [{"name": "coredns", "image": "registry.k8s.io/coredns/coredns:v1.10.1",
               "resources": {"limits": {"cpu": "100m", "memory": "170Mi"}, "requests": {"cpu": "100m", "memory": "70Mi"}}}]},
             "status": {"phase": "Running", "podIP": "10.244.I.2", "conditions": [{"type": "Ready", "status": "True"}],
               "containerStatuses": [{"name": "coredns", "ready": true, "restartCount": 0}]}}
            """.Replace("NAME", name, StringComparison.Ordinal).Replace("-I\"", $"-{i}\"", StringComparison.Ordinal).Replace(".I.", $".{i}.", StringComparison.Ordinal))!).ToArray()),
    }.ToJsonString();
}
