using System.Text.Json;
using System.Text.Json.Nodes;
using DnsExpert.Core.Contract;

namespace DnsExpert.History;

/// <summary>The request as the history keeps it: Secrets pasted into a snapshot keep their name, never their data.</summary>
public static class StoredRequest
{
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

        var kind = obj["kind"] is JsonValue k && k.TryGetValue<string>(out var s) ? s : null;
        if (string.Equals(kind, "Secret", StringComparison.Ordinal))
        {
            foreach (var key in new[] { "data", "stringData" })
            {
                if (obj[key] is JsonObject data)
                {
                    foreach (var field in data.Select(p => p.Key).ToList())
                    {
                        data[field] = "<redacted>";
                    }
                }
            }

            if (obj["metadata"] is JsonObject metadata && metadata["annotations"] is JsonObject annotations)
            {
                annotations.Remove("kubectl.kubernetes.io/last-applied-configuration");
            }
        }
        else if (kind is not null && kind.EndsWith("List", StringComparison.Ordinal) && obj["items"] is JsonArray items)
        {
            foreach (var item in items)
            {
                Redact(item, depth + 1);
            }
        }
    }
}
