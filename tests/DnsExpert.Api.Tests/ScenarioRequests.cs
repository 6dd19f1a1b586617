using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DnsExpert.Api.Tests;

/// <summary>Requests made of a scenario's parts, posted to the API, and what the answer asks next.</summary>
internal static class ScenarioRequests
{
    /// <summary>The objects alone (no logs, no files) of a scenario, with its error message.</summary>
    public static JsonObject ObjectsOf(string scenario)
    {
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(ApiFactory.RepoRoot, "tests", "scenarios", scenario)))!.AsObject();
        return new JsonObject
        {
            ["target"] = json["target"]!.DeepClone(),
            ["symptom"] = json["symptom"]!.DeepClone(),
            ["snapshot"] = new JsonObject { ["objects"] = json["snapshot"]!["objects"]!.DeepClone() },
        };
    }

    public static async Task<JsonElement> DiagnoseAsync(ApiFactory factory, JsonObject request)
    {
        var response = await factory.CreateClient().PostAsync("/api/v1/diagnoses", new StringContent(request.ToJsonString(), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Json();
    }

    public static List<string> NextChecks(JsonElement diagnosis) =>
        diagnosis.GetProperty("nextChecks").EnumerateArray().Select(c => c.GetProperty("command").GetString()!).ToList();
}
