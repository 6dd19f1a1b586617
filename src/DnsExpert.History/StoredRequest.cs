using System.Text.Json;
using System.Text.Json.Nodes;
using DnsExpert.Core.Contract;

namespace DnsExpert.History;

/// <summary>
/// The request as the history keeps it: only what the rules read of values people keep secrets in. Secrets keep their
/// keys, never their data; container <c>env</c> values are redacted (names and <c>valueFrom</c> references stay);
/// ConfigMaps keep the data of the DNS configuration the rules read (CoreDNS's Corefile and its imports, NodeLocal
/// DNSCache, kube-dns stub domains, a KubeProxyConfiguration wherever it is) and only the keys of everything else; the
/// <c>last-applied-configuration</c> annotation, a copy of all of it, is dropped.
/// </summary>
public static class StoredRequest
{
    public const string Redacted = "<redacted>";

    /// <summary>ConfigMaps in kube-system whose whole data is DNS configuration.</summary>
    private static readonly HashSet<string> DnsConfigMaps = new(StringComparer.Ordinal) { "coredns", "coredns-custom", "node-local-dns", "kube-dns" };

    public static string Serialize(DiagnosisRequest request, JsonSerializerOptions json)
    {
        var node = JsonSerializer.SerializeToNode(request, json)!;
        if (node["snapshot"]?["objects"] is JsonArray objects)
        {
            foreach (var item in objects)
            {
                Redact(item, 0);
            }
        }

        return node.ToJsonString(json);
    }

    private static void Redact(JsonNode? node, int depth)
    {
        if (node is not JsonObject obj || depth > 4)
        {
            return;
        }

        var kind = Text(obj["kind"]);
        if (kind is not null && kind.EndsWith("List", StringComparison.Ordinal) && obj["items"] is JsonArray items)
        {
            foreach (var item in items)
            {
                Redact(item, depth + 1);
            }

            return;
        }

        if (obj["metadata"] is JsonObject metadata && metadata["annotations"] is JsonObject annotations)
        {
            annotations.Remove("kubectl.kubernetes.io/last-applied-configuration");
        }

        switch (kind)
        {
            case "Secret":
                RedactValues(obj["data"]);
                RedactValues(obj["stringData"]);
                break;
            case "ConfigMap":
                var name = Text(obj["metadata"]?["name"]);
                var ns = Text(obj["metadata"]?["namespace"]) ?? "default";
                if (!(ns == "kube-system" && name is not null && DnsConfigMaps.Contains(name)) && obj["data"] is JsonObject data)
                {
                    foreach (var (key, value) in data.ToList())
                    {
                        if (Text(value) is not { } text || !text.Contains("KubeProxyConfiguration", StringComparison.Ordinal))
                        {
                            data[key] = Redacted;
                        }
                    }
                }

                RedactValues(obj["binaryData"]);
                break;
            default:
                RedactEnv(obj["spec"], 0);
                break;
        }
    }

    /// <summary>Every <c>env[].value</c> under a workload's spec (pods, templates, job templates).</summary>
    private static void RedactEnv(JsonNode? node, int depth)
    {
        if (depth > 12)
        {
            return;
        }

        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, child) in obj.ToList())
                {
                    if (key == "env" && child is JsonArray env)
                    {
                        foreach (var variable in env.OfType<JsonObject>().Where(v => v.ContainsKey("value")))
                        {
                            variable["value"] = Redacted;
                        }
                    }
                    else
                    {
                        RedactEnv(child, depth + 1);
                    }
                }

                break;
            case JsonArray array:
                foreach (var child in array)
                {
                    RedactEnv(child, depth + 1);
                }

                break;
        }
    }

    private static void RedactValues(JsonNode? node)
    {
        if (node is JsonObject values)
        {
            foreach (var key in values.Select(p => p.Key).ToList())
            {
                values[key] = Redacted;
            }
        }
    }

    private static string? Text(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}
