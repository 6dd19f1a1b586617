using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DnsExpert.Api.Tests;

/// <summary>
/// The checks of the hypotheses are commands a person can paste as given (issue 20): the values the request holds
/// fill their placeholders (always through the value-kind check), node commands run through <c>kubectl debug
/// node/NAME</c> when the pod's node is known, lookups use the tool the pod's image has, and the packet capture is a
/// file to share, not an output to paste.
/// </summary>
public sealed class RunnableChecksTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private const string Timeout = ";; connection timed out; no servers could be reached";
    private const string ResolvConf = "search shop.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n";

    private async Task<JsonElement> DiagnoseAsync(JsonObject body)
    {
        var response = await factory.CreateClient().PostAsync("/api/v1/diagnoses", new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Json();
    }

    private static List<string> Commands(JsonElement diagnosis) =>
        diagnosis.GetProperty("hypotheses").EnumerateArray().SelectMany(h => h.GetProperty("checks").EnumerateArray())
            .Select(c => c.GetProperty("command").GetString()!).Distinct(StringComparer.Ordinal).ToList();

    private static JsonObject Output(string command, string text, string? from = null)
    {
        var output = new JsonObject { ["command"] = command, ["text"] = text };
        if (from is not null)
        {
            output["from"] = from;
        }

        return output;
    }

    private static JsonObject Request(string? ns, string? pod, string domain, string error, string frequency, params JsonObject[] outputs)
    {
        var body = new JsonObject
        {
            ["domain"] = domain,
            ["symptom"] = new JsonObject { ["errorMessage"] = error, ["frequency"] = frequency },
            ["snapshot"] = new JsonObject { ["outputs"] = new JsonArray([.. outputs]) },
        };
        if (pod is not null)
        {
            body["target"] = new JsonObject { ["namespace"] = ns, ["pod"] = pod };
        }

        return body;
    }

    private static string PodJson(string image, string node = "node-a") => new JsonObject
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Pod",
        ["metadata"] = new JsonObject { ["name"] = "web-0", ["namespace"] = "shop" },
        ["spec"] = new JsonObject { ["nodeName"] = node, ["containers"] = new JsonArray(new JsonObject { ["name"] = "app", ["image"] = image }) },
        ["status"] = new JsonObject { ["phase"] = "Running", ["podIP"] = "10.244.1.5" },
    }.ToJsonString();

    [Fact]
    public async Task The_kube_dns_ip_comes_from_the_pods_resolv_conf_under_ClusterFirst()
    {
        var diagnosis = await DiagnoseAsync(Request("shop", "web-0", "orders.shop.svc.cluster.local", Timeout, "often",
            Output("kubectl exec -n shop web-0 -- cat /etc/resolv.conf", ResolvConf)));

        var commands = Commands(diagnosis);
        Assert.Contains("kubectl exec -n shop web-0 -- dig @10.96.0.10 orders.shop.svc.cluster.local +tries=1", commands);
        Assert.DoesNotContain(commands, c => c.Contains("<kube-dns-ip>", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_NodeLocal_nameserver_in_resolv_conf_is_not_taken_for_the_kube_dns_ip()
    {
        var diagnosis = await DiagnoseAsync(Request("shop", "web-0", "orders.shop.svc.cluster.local", Timeout, "often",
            Output("kubectl exec -n shop web-0 -- cat /etc/resolv.conf", ResolvConf.Replace("10.96.0.10", "169.254.20.10", StringComparison.Ordinal))));

        Assert.DoesNotContain(Commands(diagnosis), c => c.Contains("@169.254.20.10", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_pod_an_output_ran_in_fills_pod_and_namespace_when_the_request_names_no_target()
    {
        var diagnosis = await DiagnoseAsync(Request(null, null, "orders.shop.svc.cluster.local", Timeout, "often",
            Output("cat /etc/resolv.conf", ResolvConf, from: "shop/web-0")));

        var commands = Commands(diagnosis);
        Assert.Contains("kubectl get pod web-0 -n shop -o json", commands);
        Assert.DoesNotContain(commands, c => c.Contains("<pod>", StringComparison.Ordinal) || c.Contains("<namespace>", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_CoreDNS_pod_debugged_is_not_taken_for_the_failing_pod()
    {
        var diagnosis = await DiagnoseAsync(Request(null, null, "orders.shop.svc.cluster.local", Timeout, "often",
            Output("kubectl debug -n kube-system coredns-abc -i --image=busybox:1.36 --target=coredns -- nslookup example.com 8.8.8.8", "Server:\t\t8.8.8.8\nAddress:\t8.8.8.8:53\n\nNon-authoritative answer:\nName:\texample.com\nAddress: 93.184.215.14\n")));

        Assert.DoesNotContain(Commands(diagnosis), c => c.Contains("coredns-abc -o json", StringComparison.Ordinal) || c.Contains("exec -n kube-system", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("orders.prod.svc.cluster.local")]
    [InlineData("orders.prod")]
    public async Task The_namespace_the_failing_name_says_fills_the_Service_checks(string name)
    {
        var diagnosis = await DiagnoseAsync(Request(null, null, name, $"dial tcp: lookup {name}: no such host", "always"));

        var commands = Commands(diagnosis);
        Assert.Contains(commands, c => c.Contains(" -n prod ", StringComparison.Ordinal));
        Assert.DoesNotContain(commands, c => c.Contains("<namespace>", StringComparison.Ordinal));
        if (name.EndsWith(".svc.cluster.local", StringComparison.Ordinal))
        {
            Assert.Contains("kubectl get svc,endpointslices -n prod -o json", commands);
        }
    }

    [Fact]
    public async Task A_namespace_from_the_name_that_is_no_namespace_name_stays_a_placeholder()
    {
        var name = "orders.Prod_1.svc.cluster.local";
        var diagnosis = await DiagnoseAsync(Request(null, null, name, $"dial tcp: lookup {name}: no such host", "always"));

        Assert.DoesNotContain(Commands(diagnosis), c => c.Contains("Prod_1", StringComparison.Ordinal) && c.StartsWith("kubectl get svc", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Node_commands_come_through_kubectl_debug_on_the_pods_node_from_its_JSON()
    {
        var diagnosis = await DiagnoseAsync(Request("shop", "web-0", "api.example.com", "dial udp: lookup api.example.com: i/o timeout", "peak",
            Output("kubectl get pod web-0 -n shop -o json", PodJson("nginx:1.27"))));

        var commands = Commands(diagnosis);
        Assert.Contains("kubectl debug node/node-a -it --image=busybox -- chroot /host conntrack -S", commands);
        Assert.Contains("kubectl debug node/node-a -it --image=busybox -- chroot /host cat /proc/sys/net/netfilter/nf_conntrack_count", commands);
        Assert.Contains("kubectl debug node/node-a -it --image=busybox -- chroot /host dmesg -T", commands);
        Assert.DoesNotContain("conntrack -S", commands);
    }

    [Fact]
    public async Task Without_a_known_node_a_node_command_stays_as_it_is()
    {
        var diagnosis = await DiagnoseAsync(Request("shop", "web-0", "api.example.com", "dial udp: lookup api.example.com: i/o timeout", "peak"));

        var commands = Commands(diagnosis);
        Assert.Contains("conntrack -S", commands);
        Assert.DoesNotContain(commands, c => c.StartsWith("kubectl debug node/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_output_of_a_node_command_given_through_kubectl_debug_is_read_as_the_nodes()
    {
        const string command = "kubectl debug node/node-a -it --image=busybox -- chroot /host conntrack -S";
        var text = await File.ReadAllTextAsync(Path.Combine(ApiFactory.RepoRoot, "tests/fixtures/dns-tools/conntrack-S-insert-failed.txt"));
        var diagnosis = await DiagnoseAsync(Request("shop", "web-0", "api.example.com", "dial udp: lookup api.example.com: i/o timeout", "peak",
            Output("kubectl get pod web-0 -n shop -o json", PodJson("nginx:1.27")), Output(command, text)));

        Assert.DoesNotContain(command, Commands(diagnosis));
        var note = diagnosis.GetProperty("collection").EnumerateArray().Single(c => c.GetProperty("source").GetString() == "snapshot.outputs[1]");
        Assert.Equal("ok", note.GetProperty("status").GetString());
    }

    [Theory]
    [InlineData("busybox:1.28")]
    [InlineData("docker.io/library/alpine:3.20")]
    public async Task A_pod_whose_image_has_no_dig_is_asked_for_nslookup(string image)
    {
        var diagnosis = await DiagnoseAsync(Request("shop", "web-0", "orders.shop.svc.cluster.local",
            "lookup orders.shop.svc.cluster.local on 10.96.0.10:53: read udp 10.244.1.5:40000->10.96.0.10:53: i/o timeout", "always",
            Output("kubectl get pod web-0 -n shop -o json", PodJson(image))));

        var commands = Commands(diagnosis);
        Assert.Contains("kubectl exec -n shop web-0 -- nslookup orders.shop.svc.cluster.local 10.96.0.10", commands);
        Assert.DoesNotContain(commands, c => c.StartsWith("kubectl exec", StringComparison.Ordinal) && c.Contains("-- dig ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_pod_whose_image_is_unknown_keeps_dig()
    {
        var diagnosis = await DiagnoseAsync(Request("shop", "web-0", "orders.shop.svc.cluster.local",
            "lookup orders.shop.svc.cluster.local on 10.96.0.10:53: read udp 10.244.1.5:40000->10.96.0.10:53: i/o timeout", "always",
            Output("kubectl get pod web-0 -n shop -o json", PodJson("registry.example.com/shop/web:2.1"))));

        Assert.Contains("kubectl exec -n shop web-0 -- dig @10.96.0.10 orders.shop.svc.cluster.local +tries=1", Commands(diagnosis));
    }

    [Fact]
    public async Task The_packet_capture_is_a_file_to_share_never_an_output_to_paste()
    {
        var body = Request("shop", "web-0", "api.example.com", "dial udp: lookup api.example.com: i/o timeout", "peak");
        var diagnosis = await DiagnoseAsync(body);

        var capture = diagnosis.GetProperty("hypotheses").EnumerateArray().Single(h => h.GetProperty("ruleId").GetString() == "packet-capture-recommended")
            .GetProperty("checks").EnumerateArray().Single();
        var paste = capture.GetProperty("paste").GetString()!;
        Assert.DoesNotContain("snapshot.outputs", paste, StringComparison.Ordinal);
        Assert.Contains("kubectl cp", paste, StringComparison.Ordinal);

        // The first answer shows the next checks only; the capture comes with all of them, after every other check.
        var markdown = await factory.CreateClient().GetStringAsync($"/api/v1/diagnoses/{diagnosis.GetProperty("id").GetString()}?format=markdown&checks=all");
        var next = markdown.IndexOf("## Next checks", StringComparison.Ordinal);
        var last = markdown.IndexOf("## Last resort", StringComparison.Ordinal);
        Assert.True(next >= 0 && last > next, markdown);
        Assert.DoesNotContain("tcpdump", markdown[next..last], StringComparison.Ordinal);
        Assert.Contains("tcpdump -i any port 53", markdown[last..], StringComparison.Ordinal);
        Assert.Contains("kubectl cp", markdown[last..], StringComparison.Ordinal);
    }
}
