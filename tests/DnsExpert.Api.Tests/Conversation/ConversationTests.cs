using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace DnsExpert.Api.Tests.Conversation;

/// <summary>
/// The engineer on call, played against a simulated cluster: start from the application's error message alone, run the
/// first checks the answer gives (at most <see cref="ChecksPerRound"/> that the cluster can answer as given), paste their
/// output back with <c>POST /{id}/evidence</c>, and repeat; the cause must be confirmed within <see cref="MaxRounds"/>
/// rounds, with no other critical finding on the way. The rounds each conversation took are written to the test output.
/// </summary>
public sealed class ConversationTests(ApiFactory factory, ITestOutputHelper output) : IClassFixture<ApiFactory>
{
    private const int MaxRounds = 3;
    private const int ChecksPerRound = 4;

    /// <summary>
    /// The conversations that reach their cause within the bounds: the cause, and the scenario the cluster is built from
    /// (whose symptom is the application's error text). Issue 20 widens this to every rule.
    /// </summary>
    /// <remarks>
    /// Played and not yet within the bounds (issue 20's targets; the transcript is in the stop note):
    /// <c>app-to-kube-dns-unreachable</c> (fires-cluster-ip-times-out-pod-ip-answers: the dig to a CoreDNS pod IP, the
    /// comparison that decides, is never among the first four checks of a round), <c>service-name-not-found</c>
    /// (fires-misspelled-service-probe: the dig and the Service listing come in round 3 and 4), and
    /// <c>kube-dns-no-endpoints</c> (fires-all-coredns-pods-unready: its cause coredns-pod-not-running is a competing
    /// critical instead of showing it as its effect).
    /// </remarks>
    public static TheoryData<string, string> Conversations() => new()
    {
        { "coredns-pod-not-running", "coredns-pod-not-running/fires-crashloop-oomkilled.json" },
        { "networkpolicy-blocks-dns-egress", "networkpolicy-blocks-dns-egress/fires-egress-only-to-database.json" },
        { "coredns-forward-loop", "coredns-forward-loop/fires-forward-to-kube-dns-clusterip.json" },
    };

    [Theory]
    [MemberData(nameof(Conversations))]
    public async Task The_cause_is_confirmed_within_three_rounds_from_the_error_message_alone(string ruleId, string scenario)
    {
        var cluster = SimulatedCluster.FromScenario(scenario);
        var start = JsonNode.Parse(File.ReadAllText(Path.Combine(ApiFactory.RepoRoot, "tests", "scenarios", scenario)))!.AsObject();
        var request = new JsonObject { ["target"] = start["target"]!.DeepClone(), ["symptom"] = start["symptom"]!.DeepClone() };
        using var client = factory.CreateClient();

        var diagnosis = await PostAsync(client, "/api/v1/diagnoses", request);
        var asked = new HashSet<string>(StringComparer.Ordinal);
        var transcript = new StringBuilder($"{ruleId} ({cluster}): {start["symptom"]!["errorMessage"]}\n");
        for (var round = 1; round <= MaxRounds; round++)
        {
            var outputs = new JsonArray();
            foreach (var command in Checks(diagnosis).Where(asked.Add))
            {
                if (cluster.Run(command) is { } text)
                {
                    outputs.Add(new JsonObject { ["command"] = command, ["text"] = text });
                    transcript.Append($"  round {round}: {command}\n");
                    if (outputs.Count == ChecksPerRound)
                    {
                        break;
                    }
                }
            }

            Assert.True(outputs.Count > 0, $"round {round}: no check the cluster could answer as given\n{transcript}{string.Join('\n', Checks(diagnosis))}");
            diagnosis = await PostAsync(client, $"/api/v1/diagnoses/{diagnosis.GetProperty("id").GetString()}/evidence", new JsonObject { ["outputs"] = outputs });
            var findings = diagnosis.GetProperty("findings").EnumerateArray().ToList();
            var falseCriticals = findings.Where(f => f.GetProperty("severity").GetString() == "critical" && f.GetProperty("ruleId").GetString() != ruleId)
                .Select(f => f.GetProperty("ruleId").GetString()).ToList();
            Assert.True(falseCriticals.Count == 0, $"round {round}: a critical that is not the cause: {string.Join(", ", falseCriticals)}\n{transcript}");
            if (findings.Any(f => f.GetProperty("ruleId").GetString() == ruleId))
            {
                output.WriteLine($"{transcript}  confirmed in {round} round(s)");
                return;
            }
        }

        Assert.Fail($"{ruleId} not confirmed within {MaxRounds} rounds\n{transcript}");
    }

    /// <summary>The check commands of the answer, in its order, each once.</summary>
    private static IEnumerable<string> Checks(JsonElement diagnosis) =>
        diagnosis.GetProperty("hypotheses").EnumerateArray()
            .Where(h => h.GetProperty("status").GetString() == "unverified" && h.TryGetProperty("checks", out _))
            .SelectMany(h => h.GetProperty("checks").EnumerateArray().Select(c => c.GetProperty("command").GetString()!))
            .Distinct(StringComparer.Ordinal);

    private static async Task<JsonElement> PostAsync(HttpClient client, string path, JsonObject body)
    {
        using var response = await client.PostAsync(path, new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {text[..Math.Min(text.Length, 1500)]}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
