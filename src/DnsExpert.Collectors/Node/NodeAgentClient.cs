using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using DnsExpert.Collectors.Probes;

namespace DnsExpert.Collectors.Node;

/// <summary>
/// The service's client of the node agents: <c>GET /v1/node</c> and <c>POST /v1/probes</c> with the agents' bearer
/// token. A typed client from <see cref="IHttpClientFactory"/> (pooled connections, the standard resilience handler per
/// agent address, timeouts from <see cref="Kubernetes.ClusterOptions.CollectorTimeout"/>: see
/// <see cref="CollectorsServiceCollectionExtensions.AddNodeAgentClient"/>). A refusal is an
/// <see cref="HttpRequestException"/> worded as the agent words it; the collector turns it into a <c>collection</c> entry.
/// </summary>
public sealed class NodeAgentClient(HttpClient http)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The node's files (conntrack, kernel log, TCP counters, resolv.conf) from the agent at <paramref name="agent"/>.</summary>
    public async Task<NodeReport?> ReadNodeAsync(Uri agent, string token, CancellationToken cancellationToken)
    {
        using var message = new HttpRequestMessage(HttpMethod.Get, new Uri(agent, "/v1/node"));
        message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var answer = await http.SendAsync(message, cancellationToken);
        await EnsureAnsweredAsync(answer, cancellationToken);
        return await answer.Content.ReadFromJsonAsync<NodeReport>(Json, cancellationToken);
    }

    /// <summary>Runs <paramref name="plan"/> (dig and ping from the node's network) on the agent at <paramref name="agent"/>.</summary>
    public async Task<NodeProbeReport> ProbeAsync(Uri agent, string token, NodeProbePlan plan, CancellationToken cancellationToken)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, new Uri(agent, "/v1/probes")) { Content = JsonContent.Create(plan, options: Json) };
        message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var answer = await http.SendAsync(message, cancellationToken);
        await EnsureAnsweredAsync(answer, cancellationToken);
        return (await answer.Content.ReadFromJsonAsync<NodeProbeReport>(Json, cancellationToken))!;
    }

    /// <summary>A refusal as the agent words it (401: the token; 422: the field of the plan it will not run).</summary>
    private static async Task EnsureAnsweredAsync(HttpResponseMessage answer, CancellationToken cancellationToken)
    {
        if (answer.IsSuccessStatusCode)
        {
            return;
        }

        var problem = answer.Content.Headers.ContentType?.MediaType == "application/problem+json"
            ? await answer.Content.ReadFromJsonAsync<AgentProblem>(Json, cancellationToken)
            : null;
        throw new HttpRequestException($"the agent answered {(int)answer.StatusCode}: {problem?.Title}{(problem?.Detail is { } d ? $" ({d})" : "")}", null, answer.StatusCode);
    }

    private sealed record AgentProblem(string? Title, string? Detail);
}
