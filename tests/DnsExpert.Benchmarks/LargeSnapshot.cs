using System.Globalization;
using System.Text;
using System.Text.Json;

namespace DnsExpert.Benchmarks;

/// <summary>
/// Writes a cluster-scale diagnosis request: 5,000 pods, 200 nodes, 20 CoreDNS pods with 100,000 log lines each
/// (query logs, upstream errors, an apiserver watch failure, reloads), 2,000 Services with EndpointSlices, the Corefile,
/// kube-dns, NetworkPolicies and metrics, all in kubectl's JSON shape. Deterministic (fixed seed).
/// </summary>
public static class LargeSnapshot
{
    public sealed record Size(int Pods = 5_000, int Nodes = 200, int CoreDns = 20, int LogLines = 100_000, int Services = 2_000);

    public static void Write(string path, Size size)
    {
        var random = new Random(20261125);
        using var stream = File.Create(path);
        using var json = new Utf8JsonWriter(stream);
        json.WriteStartObject();
        json.WriteStartObject("target");
        json.WriteString("namespace", "app-7");
        json.WriteString("pod", "web-7-0");
        json.WriteEndObject();
        json.WriteString("domain", "api.partner-example.com");
        json.WriteStartObject("symptom");
        json.WriteString("errorMessage", "dial tcp: lookup api.partner-example.com on 172.21.0.10:53: no such host");
        json.WriteString("frequency", "often");
        json.WriteEndObject();
        json.WriteStartObject("snapshot");
        json.WriteStartArray("objects");

        for (var n = 0; n < size.Nodes; n++)
        {
            Node(json, n);
        }

        for (var p = 0; p < size.Pods; p++)
        {
            var ns = $"app-{p % 50}";
            AppPod(json, ns, p == 7 ? "web-7-0" : $"web-{p}-0", $"node-{p % size.Nodes}", $"172.20.{p / 250}.{p % 250 + 2}");
        }

        for (var c = 0; c < size.CoreDns; c++)
        {
            CoreDnsPod(json, c, $"node-{c * 7 % size.Nodes}");
        }

        for (var s = 0; s < size.Services; s++)
        {
            Service(json, $"app-{s % 50}", $"svc-{s}", $"172.21.{s / 250 + 1}.{s % 250 + 2}", headless: s % 20 == 0);
        }

        Raw(json, """{"apiVersion":"v1","kind":"Service","metadata":{"name":"kube-dns","namespace":"kube-system","labels":{"k8s-app":"kube-dns"}},"spec":{"clusterIP":"172.21.0.10","clusterIPs":["172.21.0.10"],"ports":[{"name":"dns","port":53,"protocol":"UDP","targetPort":53},{"name":"dns-tcp","port":53,"protocol":"TCP","targetPort":53}],"selector":{"k8s-app":"kube-dns"},"type":"ClusterIP"}}""");
        Raw(json, """{"apiVersion":"v1","kind":"Service","metadata":{"name":"kubernetes","namespace":"default"},"spec":{"clusterIP":"172.21.0.1","ports":[{"name":"https","port":443,"protocol":"TCP","targetPort":6443}],"type":"ClusterIP"}}""");
        Raw(json, JsonSerializer.Serialize(new
        {
            apiVersion = "v1", kind = "ConfigMap", metadata = new { name = "coredns", @namespace = "kube-system" },
            data = new Dictionary<string, string>
            {
                ["Corefile"] = ".:53 {\n    errors\n    log\n    health {\n       lameduck 15s\n    }\n    ready\n    kubernetes cluster.local in-addr.arpa ip6.arpa {\n      pods verified\n      fallthrough in-addr.arpa ip6.arpa\n    }\n    prometheus :9153\n    forward . /etc/resolv.conf {\n      prefer_udp\n    }\n    cache 30\n    loop\n    reload\n    loadbalance\n}\n",
            },
        }));
        for (var ns = 0; ns < 50; ns += 5)
        {
            Raw(json, $$$"""{ "apiVersion":"networking.k8s.io/v1","kind":"NetworkPolicy","metadata":{ "name":"allow-dns","namespace":"app-{{{ns}}}"} ,"spec":{ "podSelector":{ } ,"policyTypes":["Egress"],"egress":[{ "ports":[{ "port":53,"protocol":"UDP"} ,{ "port":53,"protocol":"TCP"} ]} ]} } """);
        }

        json.WriteEndArray();
        json.WriteStartArray("logs");
        var text = new StringBuilder(size.LogLines * 140);
        for (var c = 0; c < size.CoreDns; c++)
        {
            text.Clear();
            LogText(text, random, size.LogLines, size.Pods);
            json.WriteStartObject();
            json.WriteString("namespace", "kube-system");
            json.WriteString("pod", $"coredns-5d78c9869d-{c:D5}");
            json.WriteString("container", "coredns");
            json.WriteString("text", text.ToString());
            json.WriteEndObject();
            json.Flush();
        }

        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteEndObject();
    }

    /// <summary>One CoreDNS log as <c>kubectl logs --timestamps</c> prints it.</summary>
    public static void LogText(StringBuilder text, Random random, int lines, int pods)
    {
        var t = new DateTime(2026, 11, 25, 8, 0, 0, DateTimeKind.Utc);
        text.Append("2026-11-25T07:59:59.000000000Z .:53\n2026-11-25T07:59:59.000000001Z [INFO] plugin/reload: Running configuration SHA512 = 8b10fbd1d5ecf4c1\n2026-11-25T07:59:59.000000002Z CoreDNS-1.11.3\n");
        string[] names = ["api.partner-example.com.", "svc-12.app-12.svc.cluster.local.", "www.example.com.", "kubernetes.default.svc.cluster.local.", "oss-cn-hangzhou.aliyuncs.com.", "mysql-0.mysql.app-3.svc.cluster.local."];
        for (var i = 0; i < lines; i++)
        {
            t = t.AddTicks(random.Next(1, 20_000));
            text.Append(t.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff", CultureInfo.InvariantCulture)).Append("00Z ");
            var roll = random.Next(1000);
            if (roll == 0)
            {
                text.Append("[ERROR] plugin/errors: 2 api.partner-example.com. A: read udp 172.20.1.9:51234->100.100.2.136:53: i/o timeout\n");
            }
            else if (roll == 1)
            {
                text.Append("[ERROR] plugin/errors: 2 api.partner-example.com. AAAA: dial udp 100.100.2.138:53: connect: network is unreachable\n");
            }
            else if (roll == 2 && i % 7 == 0)
            {
                text.Append("[INFO] plugin/reload: Running configuration SHA512 = 8b10fbd1d5ecf4c1\n");
            }
            else
            {
                var p = random.Next(pods);
                var name = names[random.Next(names.Length)];
                var nx = name.StartsWith("api.partner", StringComparison.Ordinal) ? "NXDOMAIN" : "NOERROR";
                text.Append("[INFO] 172.20.").Append(p / 250).Append('.').Append(p % 250 + 2).Append(':').Append(random.Next(30000, 60000))
                    .Append(" - ").Append(random.Next(65536)).Append(" \"").Append(random.Next(2) == 0 ? "A" : "AAAA").Append(" IN ").Append(name)
                    .Append(" udp 80 false 512\" ").Append(nx).Append(" qr,rd,ra 173 0.000").Append(random.Next(100, 999)).Append("s\n");
            }
        }
    }

    private static void Raw(Utf8JsonWriter json, string raw)
    {
        using var doc = JsonDocument.Parse(raw);
        doc.WriteTo(json);
    }

    private static void Node(Utf8JsonWriter json, int n) => Raw(json, $$$"""
        { "apiVersion":"v1","kind":"Node","metadata":{ "name":"node-{{{n}}}","labels":{ "kubernetes.io/os":"linux","kubernetes.io/arch":"amd64"} } ,
         "spec":{ "providerID":"alicloud://cn-hangzhou.i-bp1{{{n:D8}}}","podCIDR":"172.20.{{{n}}}.0/24"} ,
         "status":{ "addresses":[{ "type":"InternalIP","address":"192.168.{{{n / 250}}}.{{{n % 250 + 1}}}"} ],"conditions":[{ "type":"Ready","status":"True"} ],
           "nodeInfo":{ "architecture":"amd64","kernelVersion":"5.10.134-16.3.al8.x86_64","kubeletVersion":"v1.31.1-aliyun.1","osImage":"Alibaba Cloud Linux 3","containerRuntimeVersion":"containerd://1.6.32"} } } 
        """);

    private static void AppPod(Utf8JsonWriter json, string ns, string name, string node, string ip) => Raw(json, $$$"""
        { "apiVersion":"v1","kind":"Pod","metadata":{ "name":"{{{name}}}","namespace":"{{{ns}}}","labels":{ "app":"web"} } ,
         "spec":{ "nodeName":"{{{node}}}","dnsPolicy":"ClusterFirst","containers":[{ "name":"web","image":"registry.example.com/web:1.4.2","resources":{ "limits":{ "cpu":"500m","memory":"256Mi"} } } ]} ,
         "status":{ "phase":"Running","podIP":"{{{ip}}}","containerStatuses":[{ "name":"web","ready":true,"restartCount":0} ]} } 
        """);

    private static void CoreDnsPod(Utf8JsonWriter json, int c, string node) => Raw(json, $$$"""
        { "apiVersion":"v1","kind":"Pod","metadata":{ "name":"coredns-5d78c9869d-{{{c:D5}}}","namespace":"kube-system","labels":{ "k8s-app":"kube-dns"} } ,
         "spec":{ "nodeName":"{{{node}}}","dnsPolicy":"Default","containers":[{ "name":"coredns","image":"registry-cn-hangzhou-vpc.ack.aliyuncs.com/acs/coredns:v1.11.3.2-f57ea7ed6-aliyun",
           "ports":[{ "containerPort":53,"name":"dns","protocol":"UDP"} ,{ "containerPort":53,"name":"dns-tcp","protocol":"TCP"} ],"resources":{ "limits":{ "cpu":"1","memory":"2Gi"} } } ]} ,
         "status":{ "phase":"Running","podIP":"172.20.250.{{{c + 2}}}","containerStatuses":[{ "name":"coredns","ready":true,"restartCount":0} ]} } 
        """);

    private static void Service(Utf8JsonWriter json, string ns, string name, string ip, bool headless) => Raw(json, $$$"""
        { "apiVersion":"v1","kind":"Service","metadata":{ "name":"{{{name}}}","namespace":"{{{ns}}}"} ,
         "spec":{ "clusterIP":"{{{(headless ? "None" : ip)}}}","ports":[{ "name":"http","port":80,"protocol":"TCP","targetPort":8080} ],"selector":{ "app":"{{{name}}}"} ,"type":"ClusterIP"} } 
        """);
}
