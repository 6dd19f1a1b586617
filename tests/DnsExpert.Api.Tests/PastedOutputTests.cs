using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DnsExpert.Api.Tests;

/// <summary><c>snapshot.outputs</c>: command output as people paste it, read into the same facts as the structured form.</summary>
public sealed class PastedOutputTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private static string Scenario(string rule, string name) => File.ReadAllText(Path.Combine(ApiFactory.RepoRoot, "tests", "scenarios", rule, name + ".json"));

    private async Task<HttpResponseMessage> PostAsync(string json) =>
        await factory.CreateClient().PostAsync("/api/v1/diagnoses", new StringContent(json, Encoding.UTF8, "application/json"));

    [Fact]
    public async Task Pasted_dig_output_fires_the_same_rule_as_the_probes_and_each_output_says_what_it_was_read_as()
    {
        var response = await PostAsync(Scenario("app-to-kube-dns-unreachable", "fires-pasted-dig-output"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var diagnosis = await response.Json();

        var finding = diagnosis.GetProperty("findings").EnumerateArray().Single(f => f.GetProperty("ruleId").GetString() == "app-to-kube-dns-unreachable");
        Assert.Contains(finding.GetProperty("evidence").EnumerateArray(), e => e.GetProperty("detail").GetString()!.Contains("172.21.0.10", StringComparison.Ordinal));
        var notes = diagnosis.GetProperty("collection").EnumerateArray()
            .Where(c => c.GetProperty("source").GetString()!.StartsWith("snapshot.outputs", StringComparison.Ordinal))
            .ToDictionary(c => c.GetProperty("source").GetString()!, c => (c.GetProperty("status").GetString(), c.GetProperty("detail").GetString()));
        Assert.Equal(("ok", "1 DNS lookup(s) read from dig output"), notes["snapshot.outputs[0]"]);
        Assert.Equal("ok", notes["snapshot.outputs[3]"].Item1);
    }

    [Fact]
    public async Task Pasted_conntrack_statistics_of_a_node_with_drops_is_a_warning_that_the_table_was_full()
    {
        // The check the conntrack-table-full hypothesis suggests, pasted back: drops since boot are a warning (they
        // say the table was full at some point, not when); real output without drops fires nothing.
        static JsonObject Request(string text) => new()
        {
            ["symptom"] = new JsonObject { ["errorMessage"] = ";; connection timed out; no servers could be reached", ["frequency"] = "peak" },
            ["snapshot"] = new JsonObject
            {
                ["outputs"] = new JsonArray(new JsonObject { ["from"] = "node/cn-hangzhou.192.168.0.199", ["command"] = "conntrack -S", ["text"] = text }),
            },
        };
        const string drops = "cpu=0 found=0 invalid=3 insert=0 insert_failed=7 drop=120 early_drop=40 error=0 search_restart=1\ncpu=1 found=0 invalid=1 insert=0 insert_failed=5 drop=80 early_drop=0 error=0 search_restart=0\n";

        var diagnosis = await (await PostAsync(Request(drops).ToJsonString())).Json();

        var finding = diagnosis.GetProperty("findings").EnumerateArray().Single(f => f.GetProperty("ruleId").GetString() == "conntrack-table-full");
        Assert.Equal("warning", finding.GetProperty("severity").GetString());
        Assert.Equal("drop 200, early_drop 40, insert_failed 12 (summed over 2 CPUs, since boot)", finding.GetProperty("evidence")[0].GetProperty("detail").GetString());

        var clean = File.ReadAllText(Path.Combine(ApiFactory.RepoRoot, "tests", "fixtures", "dns-tools", "conntrack-S-no-ignore.txt"));
        var calm = await (await PostAsync(Request(clean).ToJsonString())).Json();
        Assert.DoesNotContain(calm.GetProperty("findings").EnumerateArray(), f => f.GetProperty("ruleId").GetString() == "conntrack-table-full");
        var hypothesis = calm.GetProperty("hypotheses").EnumerateArray().Single(h => h.GetProperty("ruleId").GetString() == "conntrack-table-full");
        Assert.NotEqual("confirmed", hypothesis.GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_pasted_failed_ping_to_a_coredns_pod_and_a_timed_out_dig_confirm_container_network_error_and_an_answering_ping_rules_it_out()
    {
        // The guide's pod-to-CoreDNS check pasted back: ping COREDNS_POD_IP from the application pod (iputils, through
        // kubectl exec) and a dig to the same pod IP that timed out (dig 9.18, as captured in tests/fixtures/dns-tools).
        static JsonObject Request(string ping)
        {
            var request = JsonNode.Parse(Scenario("container-network-error", "fires-ping-to-coredns-pod-times-out"))!.AsObject();
            var snapshot = request["snapshot"]!.AsObject();
            snapshot.Remove("probes");
            snapshot["outputs"] = new JsonArray(
                new JsonObject { ["command"] = "kubectl exec -n default web-7d4b9c-x2k4q -- ping -c 3 172.20.6.53", ["text"] = ping },
                new JsonObject
                {
                    ["from"] = "default/web-7d4b9c-x2k4q",
                    ["command"] = "dig @172.20.6.53 kubernetes.default.svc.cluster.local A +tries=1 +time=2",
                    ["text"] = ";; communications error to 172.20.6.53#53: timed out\n\n; <<>> DiG 9.18.49-1~deb12u3-Debian <<>> @172.20.6.53 kubernetes.default.svc.cluster.local A +tries=1 +time=2\n; (1 server found)\n;; global options: +cmd\n;; no servers could be reached\n",
                });
            return request;
        }

        static string Ping(string received, string loss) =>
            "PING 172.20.6.53 (172.20.6.53) 56(84) bytes of data.\n"
            + string.Concat(Enumerable.Range(1, int.Parse(received, System.Globalization.CultureInfo.InvariantCulture)).Select(i => $"64 bytes from 172.20.6.53: icmp_seq={i} ttl=63 time=0.4{i} ms\n"))
            + $"\n--- 172.20.6.53 ping statistics ---\n3 packets transmitted, {received} received, {loss}% packet loss, time 2040ms\n";

        var failed = await (await PostAsync(Request(Ping("0", "100")).ToJsonString())).Json();

        var finding = failed.GetProperty("findings").EnumerateArray().Single(f => f.GetProperty("ruleId").GetString() == "container-network-error");
        Assert.Equal("ping 172.20.6.53 from default/web-7d4b9c-x2k4q (0 of 3 answered, 100 % lost): timeout", finding.GetProperty("evidence")[0].GetProperty("detail").GetString());
        var note = failed.GetProperty("collection").EnumerateArray().Single(c => c.GetProperty("source").GetString() == "snapshot.outputs[0]");
        Assert.Equal(("ok", "ping 172.20.6.53: timeout (0 of 3 echo requests answered)"), (note.GetProperty("status").GetString(), note.GetProperty("detail").GetString()));

        // Two of three replies: the pod reaches CoreDNS, the loss is said, and only UDP 53 is left (udp53-blocked).
        var answered = await (await PostAsync(Request(Ping("2", "33")).ToJsonString())).Json();

        var fired = answered.GetProperty("findings").EnumerateArray().Select(f => f.GetProperty("ruleId").GetString()).ToList();
        Assert.DoesNotContain("container-network-error", fired);
        var blocked = answered.GetProperty("findings").EnumerateArray().Single(f => f.GetProperty("ruleId").GetString() == "udp53-blocked");
        Assert.Contains("answers ping", blocked.GetProperty("cause").GetString(), StringComparison.Ordinal);
        // Not ruled out altogether: its other cases read events (a CNI failure) that were not pasted.
        var hypothesis = answered.GetProperty("hypotheses").EnumerateArray().Single(h => h.GetProperty("ruleId").GetString() == "container-network-error");
        Assert.NotEqual("confirmed", hypothesis.GetProperty("status").GetString());
    }

    [Theory]
    [InlineData("PING 172.20.6.53 (172.20.6.53): 56 data bytes\nping: permission denied (are you root?)\n", "CAP_NET_RAW")]
    [InlineData("ping: coredns-5d78c9869d-abcde: Name or service not known\n", "DNS failure of ping itself")]
    public async Task A_ping_that_tested_nothing_is_skipped_with_a_note_saying_why_and_is_no_probe(string text, string why)
    {
        var request = new JsonObject
        {
            ["snapshot"] = new JsonObject
            {
                ["outputs"] = new JsonArray(new JsonObject { ["command"] = "kubectl exec -n default web-0 -- ping -c 3 172.20.6.53", ["text"] = text }),
            },
        };

        var diagnosis = await (await PostAsync(request.ToJsonString())).Json();

        var note = diagnosis.GetProperty("collection").EnumerateArray().Single(c => c.GetProperty("source").GetString() == "snapshot.outputs[0]");
        Assert.Equal("skipped", note.GetProperty("status").GetString());
        Assert.Contains(why, note.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(diagnosis.GetProperty("findings").EnumerateArray(), f => f.GetProperty("ruleId").GetString() == "container-network-error");
    }

    [Fact]
    public async Task An_output_without_its_origin_is_skipped_with_a_note_and_a_bad_origin_is_a_422()
    {
        var request = new JsonObject
        {
            ["snapshot"] = new JsonObject
            {
                ["outputs"] = new JsonArray(new JsonObject { ["command"] = "cat /etc/resolv.conf", ["text"] = "nameserver 10.96.0.10\nsearch default.svc.cluster.local\n" }),
            },
        };
        var diagnosis = await (await PostAsync(request.ToJsonString())).Json();
        var note = diagnosis.GetProperty("collection").EnumerateArray().Single(c => c.GetProperty("source").GetString() == "snapshot.outputs[0]");
        Assert.Equal("skipped", note.GetProperty("status").GetString());

        request["snapshot"]!["outputs"]![0]!["from"] = "default/web-0\n; rm -rf /";
        var problem = await (await PostAsync(request.ToJsonString())).Json();
        Assert.True(problem.GetProperty("errors").TryGetProperty("snapshot.outputs[0].from", out _));
    }

    [Fact]
    public async Task Pasted_resolv_conf_and_kubectl_json_become_the_pods_file_and_objects()
    {
        var pod = """{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web-0","namespace":"shop"},"spec":{"dnsPolicy":"ClusterFirst","containers":[{"name":"app","image":"nginx"}]},"status":{"phase":"Running","podIP":"10.0.0.7"}}""";
        var service = """{"apiVersion":"v1","kind":"Service","metadata":{"name":"kube-dns","namespace":"kube-system","labels":{"k8s-app":"kube-dns"}},"spec":{"clusterIP":"10.96.0.10","selector":{"k8s-app":"kube-dns"},"ports":[{"name":"dns","port":53,"protocol":"UDP"}]}}""";
        var request = new JsonObject
        {
            ["target"] = new JsonObject { ["namespace"] = "shop", ["pod"] = "web-0" },
            ["snapshot"] = new JsonObject
            {
                ["outputs"] = new JsonArray(
                    new JsonObject { ["command"] = "kubectl -n shop get pod web-0 -o json", ["text"] = pod },
                    new JsonObject { ["command"] = "kubectl -n kube-system get svc kube-dns -o json", ["text"] = service },
                    new JsonObject { ["from"] = "shop/web-0", ["command"] = "cat /etc/resolv.conf", ["text"] = "nameserver 8.8.8.8\nsearch shop.svc.cluster.local svc.cluster.local cluster.local\noptions ndots:5\n" }),
            },
        };

        var diagnosis = await (await PostAsync(request.ToJsonString())).Json();

        // A ClusterFirst pod whose resolv.conf names 8.8.8.8: the pasted file and object meet in the rule.
        Assert.Contains(diagnosis.GetProperty("findings").EnumerateArray(), f => f.GetProperty("ruleId").GetString() == "pod-resolvconf-not-cluster-dns");
    }
}

/// <summary>A cause says in every format what it explains, and its effect what explains it.</summary>
public sealed class ExplainsRenderingTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Markdown_slack_and_the_report_say_what_a_finding_explains_and_what_explains_it()
    {
        var client = factory.CreateClient();
        var body = File.ReadAllText(Path.Combine(ApiFactory.RepoRoot, "tests", "scenarios", "coredns-forward-loop", "fires-systemd-resolved-stub-loop.json"));
        var diagnosis = await (await client.PostAsync("/api/v1/diagnoses", new StringContent(body, Encoding.UTF8, "application/json"))).Json();
        var id = diagnosis.GetProperty("id").GetString()!;
        var ids = diagnosis.GetProperty("findings").EnumerateArray().Select(f => f.GetProperty("ruleId").GetString()).ToList();
        Assert.True(ids.IndexOf("coredns-forward-loop") < ids.IndexOf("coredns-pod-not-running"), string.Join(", ", ids));

        var markdown = await client.GetStringAsync($"/api/v1/diagnoses/{id}?format=markdown");
        Assert.Contains("_Effects:_ `coredns-pod-not-running`", markdown, StringComparison.Ordinal);
        Assert.Contains("(`coredns-pod-not-running`) — effect of `coredns-forward-loop`", markdown, StringComparison.Ordinal);
        var slack = JsonNode.Parse(await client.GetStringAsync($"/api/v1/diagnoses/{id}?format=slack"))!.DescendantsText();
        Assert.Contains(slack, t => t.Contains("_Effects:_ `coredns-pod-not-running`", StringComparison.Ordinal));
        var page = await client.GetStringAsync($"/reports/{id}");
        Assert.Contains("Effect of: <a href=\"#coredns-forward-loop\"><code>coredns-forward-loop</code></a>", page, StringComparison.Ordinal);
        Assert.Contains("<li class=\"finding warning effect\" id=\"coredns-pod-not-running\">", page, StringComparison.Ordinal);
    }
}
