using System.Text.Json;
using System.Text.Json.Nodes;
using DnsExpert.Contract;

namespace DnsExpert.Testing;

/// <summary>A healthy cluster whose DNS addresses are moved onto loopback test servers (<see cref="DnsServers"/>).</summary>
public static class LoopbackCluster
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>kube-dns on 127.0.0.1:<paramref name="kubeDnsPort"/>, the CoreDNS pods on 127.0.0.2:<paramref name="coreDnsPort"/>, the API server's Service on a closed port.</summary>
    public static DiagnosisRequest Create(DnsServers servers, int kubeDnsPort, int coreDnsPort)
    {
        var request = JsonNode.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "tests", "scenarios", "packet-capture-recommended", "fires-intermittent-timeout-healthy-cluster.json")))!;
        foreach (var obj in request["snapshot"]!["objects"]!.AsArray())
        {
            var kind = obj!["kind"]!.GetValue<string>();
            var meta = obj["metadata"]!;
            if (kind == "Service" && meta["name"]!.GetValue<string>() == "kube-dns")
            {
                obj["spec"]!["clusterIP"] = "127.0.0.1";
                obj["spec"]!["clusterIPs"] = new JsonArray("127.0.0.1");
                obj["spec"]!["ports"] = new JsonArray(new JsonObject { ["name"] = "dns", ["port"] = kubeDnsPort, ["protocol"] = "UDP", ["targetPort"] = coreDnsPort });
            }
            else if (kind == "Service" && meta["name"]!.GetValue<string>() == "kubernetes")
            {
                obj["spec"]!["clusterIP"] = "127.0.0.1";
                obj["spec"]!["ports"] = new JsonArray(new JsonObject { ["name"] = "https", ["port"] = servers.Closed, ["protocol"] = "TCP" });
            }
            else if (kind == "Pod" && meta["namespace"]!.GetValue<string>() == "kube-system")
            {
                obj["status"]!["podIP"] = "127.0.0.2";
                obj["spec"]!["containers"]![0]!["ports"] = new JsonArray(new JsonObject { ["containerPort"] = coreDnsPort, ["name"] = "dns", ["protocol"] = "UDP" });
            }
            else if (kind == "Endpoints")
            {
                foreach (var address in obj["subsets"]![0]!["addresses"]!.AsArray())
                {
                    address!["ip"] = "127.0.0.2";
                }
            }
        }

        return request.Deserialize<DiagnosisRequest>(Json)!;
    }
}
