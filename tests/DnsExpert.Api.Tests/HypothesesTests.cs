using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DnsExpert.Api.Tests;

/// <summary>
/// The guide's procedure for a chat user: classify the error, route by frequency and name kind to the likely causes,
/// and give the checks that tell them apart; then pasted output confirms or rules them out.
/// </summary>
public sealed class HypothesesTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private async Task<JsonElement> DiagnoseAsync(string json)
    {
        var response = await factory.CreateClient().PostAsync("/api/v1/diagnoses", new StringContent(json, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Json();
    }

    private static Dictionary<string, JsonElement> ById(JsonElement diagnosis) =>
        diagnosis.GetProperty("hypotheses").EnumerateArray().ToDictionary(h => h.GetProperty("ruleId").GetString()!);

    private static List<string> Commands(JsonElement hypothesis) =>
        hypothesis.GetProperty("checks").EnumerateArray().Select(c => c.GetProperty("command").GetString()!).ToList();

    private static string Status(JsonElement hypothesis) => hypothesis.GetProperty("status").GetString()!;

    [Fact]
    public async Task An_nxdomain_rules_no_missing_service_out_before_the_names_namespace_is_listed()
    {
        // The scenario's nslookup NXDOMAIN and the kube-dns Service, without the listing of the name's namespace: the
        // absence of orders in prdo was never looked for, so the cause stays open and its check lists that namespace.
        var request = JsonNode.Parse(File.ReadAllText(Path.Combine(ApiFactory.RepoRoot, "tests", "scenarios", "service-name-not-found", "fires-namespace-without-services.json")))!;
        request["snapshot"]!["outputs"]!.AsArray().RemoveAt(1);

        var hypothesis = ById(await DiagnoseAsync(request.ToJsonString()))["service-name-not-found"];

        Assert.Equal("unverified", Status(hypothesis));
        Assert.True(Commands(hypothesis).Contains("kubectl get svc,endpointslices -n prdo -o json"), string.Join("\n", Commands(hypothesis)));
        Assert.DoesNotContain(Commands(hypothesis), c => c.Contains("nslookup", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_pods_json_alone_leaves_nodelocal_injection_open_and_asks_for_the_kube_dns_service()
    {
        // A cause that compares the pod's nameservers with the kube-dns ClusterIP is not ruled out while that ClusterIP
        // was never read: it names what it lacks and the one kubectl get that gives it.
        var diagnosis = await DiagnoseAsync("""
            {"target": {"namespace": "shop", "pod": "web-0"},
             "symptom": {"errorMessage": "dial tcp: lookup orders.shop.svc.cluster.local: i/o timeout"},
             "snapshot": {"outputs": [{"command": "kubectl get pod web-0 -n shop -o json",
               "text": "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"web-0\",\"namespace\":\"shop\"},\"spec\":{\"dnsPolicy\":\"ClusterFirst\",\"nodeName\":\"node-1\",\"containers\":[{\"name\":\"web\",\"image\":\"nginx:1.27\"}]},\"status\":{\"phase\":\"Running\",\"podIP\":\"10.0.1.5\"}}"}]}}
            """);

        var hypothesis = ById(diagnosis)["nodelocal-dnsconfig-not-injected"];

        Assert.Equal("unverified", Status(hypothesis));
        Assert.Contains("ClusterDns.KubeDnsClusterIp", hypothesis.GetProperty("missing").EnumerateArray().Select(m => m.GetString()));
        Assert.Contains("kubectl get svc -n kube-system -l 'k8s-app in (kube-dns,coredns)' -o json", Commands(hypothesis));
    }

    [Fact]
    public async Task A_listing_of_kube_systems_daemonsets_leaves_nodelocal_open_and_asks_for_every_namespaces_next()
    {
        // kubernetes/kubernetes#101362's kube-system DaemonSets (no NodeLocal there) prove nothing of the other
        // namespaces, where a chart may have installed it: the cause stays open and its next check lists them all.
        var pod = """{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web-0","namespace":"shop"},"spec":{"dnsPolicy":"ClusterFirst","nodeName":"node-1","containers":[{"name":"web","image":"nginx:1.27"}]},"status":{"phase":"Running","podIP":"10.0.1.5"}}""";
        var service = """{"apiVersion":"v1","kind":"Service","metadata":{"name":"kube-dns","namespace":"kube-system","labels":{"k8s-app":"kube-dns"}},"spec":{"clusterIP":"10.96.0.10","selector":{"k8s-app":"kube-dns"},"ports":[{"name":"dns","port":53,"protocol":"UDP"}]}}""";
        var table = File.ReadAllText(Path.Combine(ApiFactory.RepoRoot, "tests", "fixtures", "kubectl-tables", "ds-kube-system-2021.txt"));
        var request = new JsonObject
        {
            ["target"] = new JsonObject { ["namespace"] = "shop", ["pod"] = "web-0" },
            ["symptom"] = new JsonObject { ["errorMessage"] = "dial tcp: lookup orders.shop.svc.cluster.local: i/o timeout" },
            ["snapshot"] = new JsonObject
            {
                ["outputs"] = new JsonArray(
                    new JsonObject { ["command"] = "kubectl get pod web-0 -n shop -o json", ["text"] = pod },
                    new JsonObject { ["command"] = "kubectl get svc kube-dns -n kube-system -o json", ["text"] = service },
                    new JsonObject { ["command"] = "kubectl get ds -nkube-system", ["text"] = table }),
            },
        };

        var hypothesis = ById(await DiagnoseAsync(request.ToJsonString()))["nodelocal-dnsconfig-not-injected"];

        Assert.Equal("unverified", Status(hypothesis));
        Assert.Contains("ClusterDns.NodeLocalPresent", hypothesis.GetProperty("missing").EnumerateArray().Select(m => m.GetString()));
        Assert.Equal("kubectl get daemonset -A -o json", Commands(hypothesis)[0]);

        // The listing of every namespace, empty: now it is absent, and the cause is ruled out.
        request["snapshot"]!["outputs"]!.AsArray().Add(new JsonObject { ["command"] = "kubectl get daemonset -A -o json", ["text"] = """{"apiVersion":"v1","items":[],"kind":"List","metadata":{"resourceVersion":""}}""" });
        Assert.Equal("ruled-out", Status(ById(await DiagnoseAsync(request.ToJsonString()))["nodelocal-dnsconfig-not-injected"]));
    }

    [Fact]
    public async Task Symptom_only_name_not_found_for_a_cluster_name_routes_to_the_name_and_pod_checks()
    {
        var diagnosis = await DiagnoseAsync("""
            {"target": {"namespace": "shop", "pod": "web-0"}, "domain": "orders.shop.svc.cluster.local",
             "symptom": {"errorMessage": "dial tcp: lookup orders.shop.svc.cluster.local on 10.96.0.10:53: no such host", "frequency": "always"}}
            """);

        Assert.Equal("name-not-found", diagnosis.GetProperty("classification").GetProperty("class").GetString());
        var live = diagnosis.GetProperty("collection").EnumerateArray().Single(c => c.GetProperty("source").GetString() == "live");
        Assert.Equal("skipped", live.GetProperty("status").GetString());
        Assert.Contains("not configured", live.GetProperty("detail").GetString(), StringComparison.Ordinal);

        var hypotheses = ById(diagnosis);
        Assert.Subset(hypotheses.Keys.ToHashSet(), new HashSet<string> { "service-name-not-found", "pod-dnspolicy-hostnetwork", "pod-resolvconf-not-cluster-dns" });
        Assert.DoesNotContain("external-domain-upstream-error", hypotheses.Keys); // routed to external names
        Assert.DoesNotContain("app-to-kube-dns-unreachable", hypotheses.Keys); // routed to server-unreachable
        Assert.All(hypotheses.Values, h => Assert.Equal("unverified", Status(h)));
        Assert.Contains("kubectl get svc,endpointslices -n shop -o json", Commands(hypotheses["service-name-not-found"]));
        Assert.Contains("kubectl exec -n shop web-0 -- cat /etc/resolv.conf", Commands(hypotheses["pod-resolvconf-not-cluster-dns"]));
        Assert.Contains("ServiceInfo", hypotheses["service-name-not-found"].GetProperty("missing").EnumerateArray().Select(m => m.GetString()));
        Assert.Contains("snapshot.outputs", hypotheses["service-name-not-found"].GetProperty("checks")[0].GetProperty("paste").GetString(), StringComparison.Ordinal);
        Assert.Equal("packet-capture-recommended", diagnosis.GetProperty("hypotheses").EnumerateArray().Last().GetProperty("ruleId").GetString());

        // The history keeps them: a bot reading the diagnosis again gets the same checks.
        var stored = await (await factory.CreateClient().GetAsync(diagnosis.GetProperty("links").GetProperty("self").GetString())).Json();
        Assert.Equal(diagnosis.GetProperty("hypotheses").GetRawText(), stored.GetProperty("hypotheses").GetRawText());
    }

    [Fact]
    public async Task Symptom_only_intermittent_timeout_for_an_external_name_routes_to_upstream_load_and_conntrack()
    {
        var diagnosis = await DiagnoseAsync("""
            {"target": {"namespace": "shop", "pod": "web-0"}, "domain": "api.example.com",
             "symptom": {"errorMessage": "lookup api.example.com on 10.96.0.10:53: read udp 10.0.0.5:38161->10.96.0.10:53: i/o timeout", "frequency": "often"}}
            """);

        Assert.Equal("server-unreachable", diagnosis.GetProperty("classification").GetProperty("class").GetString());
        var hypotheses = ById(diagnosis);
        Assert.Subset(hypotheses.Keys.ToHashSet(), new HashSet<string> { "coredns-upstream-unreachable", "conntrack-table-full", "coredns-overloaded", "parallel-a-aaaa-race" });
        Assert.DoesNotContain("service-name-not-found", hypotheses.Keys); // routed to cluster names
        Assert.DoesNotContain("udp53-blocked", hypotheses.Keys);           // routed to failures every time
        Assert.Contains("conntrack -S", Commands(hypotheses["conntrack-table-full"]));
        // The error message names the server: the kube-dns IP of the check.
        Assert.Contains(diagnosis.GetProperty("hypotheses").EnumerateArray().SelectMany(Commands), c => c == "kubectl exec -n shop web-0 -- dig @10.96.0.10 api.example.com +tries=1");

        // The cheap kubectl and dig checks before the node commands; the packet capture last of all.
        var order = diagnosis.GetProperty("hypotheses").EnumerateArray().Select(h => h.GetProperty("ruleId").GetString()!).ToList();
        Assert.True(order.IndexOf("coredns-upstream-unreachable") < order.IndexOf("conntrack-table-full"), string.Join(", ", order));
        Assert.Equal("packet-capture-recommended", order[^1]);
    }

    [Fact]
    public async Task Symptom_only_server_unreachable_every_time_routes_to_the_path_to_coredns_with_placeholders()
    {
        var diagnosis = await DiagnoseAsync("""
            {"symptom": {"errorMessage": ";; connection timed out; no servers could be reached", "frequency": "always"}}
            """);

        Assert.Equal("server-unreachable", diagnosis.GetProperty("classification").GetProperty("class").GetString());
        var hypotheses = ById(diagnosis);
        Assert.Subset(hypotheses.Keys.ToHashSet(), new HashSet<string> { "udp53-blocked", "app-to-kube-dns-unreachable", "kube-dns-no-endpoints", "coredns-pod-not-running", "networkpolicy-blocks-dns-egress" });
        Assert.DoesNotContain("coredns-overloaded", hypotheses.Keys); // routed to peak and often
        Assert.Contains("kubectl exec -n <namespace> <pod> -- dig @<kube-dns-ip> <name> +tries=1", Commands(hypotheses["app-to-kube-dns-unreachable"]));
        Assert.Contains("kubectl get pods -n kube-system -l 'k8s-app in (kube-dns,coredns)' -o json", Commands(hypotheses["coredns-pod-not-running"]));
    }

    [Fact]
    public async Task Pasted_dig_output_confirms_the_service_path_and_rules_out_the_causes_whose_facts_were_there()
    {
        var json = File.ReadAllText(Path.Combine(ApiFactory.RepoRoot, "tests", "scenarios", "app-to-kube-dns-unreachable", "fires-pasted-dig-output.json"));

        var diagnosis = await DiagnoseAsync(json);

        var hypotheses = ById(diagnosis);
        Assert.Equal("confirmed", Status(hypotheses["app-to-kube-dns-unreachable"]));
        Assert.Equal("app-to-kube-dns-unreachable", diagnosis.GetProperty("hypotheses")[0].GetProperty("ruleId").GetString());
        var udp = hypotheses["udp53-blocked"];
        Assert.Equal("ruled-out", Status(udp));
        // What the probes showed (the digs and the pasted ping): the one that failed is the kube-dns Service over UDP, from the app pod.
        Assert.StartsWith("4 probes: 3 answered, 1 timeout (answers: 2 NOERROR); by transport: 3 udp, 1 ping; failed: timeout from app to kube-dns 172.21.0.10 over udp", udp.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Empty(udp.GetProperty("checks").EnumerateArray());
        // The pods are Ready: the cases that add events to say why one is not need none.
        var notRunning = hypotheses["coredns-pod-not-running"];
        Assert.Equal("ruled-out", Status(notRunning));
        // The rule reads the CoreDNS logs too (a start-up exit names the cause), so their summary may come first.
        Assert.Contains("2 CoreDNS pods: both Ready, 0 restarts", notRunning.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(
            "kube-dns endpoints: 2 ready addresses, 0 not ready; kube-dns Service 172.21.0.10: sessionAffinity None. None of it matches the rule's conditions",
            hypotheses["kube-dns-no-endpoints"].GetProperty("reason").GetString());
        Assert.Equal("ruled-out", Status(hypotheses["packet-capture-recommended"]));
    }

    [Fact]
    public async Task Markdown_gives_the_next_checks_after_the_findings_and_a_short_ruled_out_list()
    {
        var client = factory.CreateClient();
        var symptomOnly = await client.PostAsync("/api/v1/diagnoses?format=markdown", new StringContent("""
            {"target": {"namespace": "shop", "pod": "web-0"}, "symptom": {"errorMessage": ";; connection timed out; no servers could be reached", "frequency": "always"}}
            """, Encoding.UTF8, "application/json"));
        var markdown = await symptomOnly.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, symptomOnly.StatusCode);
        var next = markdown.IndexOf("## Next checks", StringComparison.Ordinal);
        Assert.True(next > markdown.IndexOf("**Client error:**", StringComparison.Ordinal), markdown);
        Assert.Contains("   ```sh\n   kubectl ", markdown[next..], StringComparison.Ordinal); // each command a fenced block of the list item
        Assert.DoesNotContain("## Ruled out", markdown, StringComparison.Ordinal);

        var json = File.ReadAllText(Path.Combine(ApiFactory.RepoRoot, "tests", "scenarios", "app-to-kube-dns-unreachable", "fires-pasted-dig-output.json"));
        var pasted = await (await client.PostAsync("/api/v1/diagnoses?format=markdown", new StringContent(json, Encoding.UTF8, "application/json"))).Content.ReadAsStringAsync();
        Assert.Contains("## Ruled out", pasted, StringComparison.Ordinal);
        Assert.Contains("(`udp53-blocked`): 4 probes: 3 answered, 1 timeout", pasted, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_checks_output_pasted_as_run_through_kubectl_exec_is_read_as_run_in_that_pod()
    {
        var pod = """{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web-0","namespace":"shop"},"spec":{"dnsPolicy":"ClusterFirst","containers":[{"name":"app","image":"nginx"}]},"status":{"phase":"Running","podIP":"10.0.0.7"}}""";
        var service = """{"apiVersion":"v1","kind":"Service","metadata":{"name":"kube-dns","namespace":"kube-system","labels":{"k8s-app":"kube-dns"}},"spec":{"clusterIP":"10.96.0.10","selector":{"k8s-app":"kube-dns"},"ports":[{"name":"dns","port":53,"protocol":"UDP"}]}}""";
        var request = new JsonObject
        {
            ["target"] = new JsonObject { ["namespace"] = "shop", ["pod"] = "web-0" },
            ["domain"] = "orders.shop.svc.cluster.local",
            ["symptom"] = new JsonObject { ["errorMessage"] = "dial tcp: lookup orders.shop.svc.cluster.local on 8.8.8.8:53: no such host", ["frequency"] = "always" },
            ["snapshot"] = new JsonObject
            {
                ["outputs"] = new JsonArray(
                    new JsonObject { ["command"] = "kubectl get pod web-0 -n shop -o json", ["text"] = pod },
                    new JsonObject { ["command"] = "kubectl get svc kube-dns -n kube-system -o json", ["text"] = service },
                    new JsonObject { ["command"] = "kubectl exec -n shop web-0 -- cat /etc/resolv.conf", ["text"] = "nameserver 8.8.8.8\nsearch shop.svc.cluster.local svc.cluster.local cluster.local\noptions ndots:5\n" }),
            },
        };

        var diagnosis = await DiagnoseAsync(request.ToJsonString());

        var note = diagnosis.GetProperty("collection").EnumerateArray().Single(c => c.GetProperty("source").GetString() == "snapshot.outputs[2]");
        Assert.Equal("read as /etc/resolv.conf of shop/web-0", note.GetProperty("detail").GetString());
        var hypotheses = ById(diagnosis);
        Assert.Equal("confirmed", Status(hypotheses["pod-resolvconf-not-cluster-dns"]));
        Assert.Equal("ruled-out", Status(hypotheses["pod-dnspolicy-hostnetwork"]));
        Assert.Equal(
            "pod shop/web-0: dnsPolicy ClusterFirst, nameservers 8.8.8.8, ndots 5 (from its /etc/resolv.conf). None of it matches the rule's conditions",
            hypotheses["pod-dnspolicy-hostnetwork"].GetProperty("reason").GetString());
        Assert.Equal("pod-resolvconf-not-cluster-dns", diagnosis.GetProperty("hypotheses")[0].GetProperty("ruleId").GetString());
    }
}
