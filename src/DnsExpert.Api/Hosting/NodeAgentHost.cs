using System.Security.Cryptography;
using System.Text;
using DnsExpert.Collectors.Node;
using DnsExpert.Collectors.Probes;
using DnsExpert.Core.Contract;

namespace DnsExpert.Api.Hosting;

/// <summary>
/// <c>dnsexpert agent</c>: runs on every node (a DaemonSet with the host's /proc, /etc and /var/log mounted read-only
/// under <c>--root</c>) and serves the facts only a node can see to the DnsExpert service. With a token it also runs the
/// service's node probes (dig and ping from the node's network): only callers holding the token may ask, the plan is
/// bounded and checked (IP addresses, DNS names, A/AAAA), so the agent is no open proxy for scanning.
/// </summary>
public static class NodeAgentHost
{
    public static WebApplication Build(string[] args, string root, string node, string? token = null, ProbeOptions? probes = null)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        builder.Services.AddSingleton(new NodeFactsReader(root));
        builder.Services.AddProblemDetails();
        var probeOptions = probes ?? new ProbeOptions();
        builder.Services.AddSingleton(new DnsProber(probeOptions, TimeProvider.System));
        builder.Services.AddSingleton(new Pinger(probeOptions, TimeProvider.System));
        builder.WebHost.ConfigureKestrel(o => o.Limits.MaxRequestBodySize = 64 * 1024);
        var app = builder.Build();
        app.MapGet("/healthz", () => TypedResults.Ok(new { status = "ok", node, probes = token is not null }));
        app.MapGet("/v1/node", async (NodeFactsReader reader, CancellationToken cancellationToken) =>
            TypedResults.Ok(await reader.ReadAsync(node, cancellationToken)));
        app.MapPost("/v1/probes", async (HttpRequest http, NodeProbePlan? plan, DnsProber prober, Pinger pinger, CancellationToken cancellationToken) =>
        {
            if (token is null)
            {
                return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Probing is off on this agent",
                    detail: "Start the agent with --token-file to let the DnsExpert service run probes from this node.");
            }

            if (!Authorized(http, token))
            {
                http.HttpContext.Response.Headers.WWWAuthenticate = "Bearer";
                return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "A valid agent token is required");
            }

            if (plan?.Refuse() is { } reason || plan is null)
            {
                return Results.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "The probe plan is not acceptable", detail: plan is null ? "no plan" : plan.Refuse());
            }

            var notes = new List<string>();
            var dns = prober.RunAsync(plan.Dns.Select(p => p with { From = $"node/{node}" }).ToList(), [], cancellationToken);
            IReadOnlyList<ProbeArtifact> pings = [];
            try
            {
                pings = await pinger.PingAllAsync($"node/{node}", plan.Ping, cancellationToken);
            }
            catch (UnauthorizedAccessException ex)
            {
                notes.Add("ping not run: " + ex.Message);
            }

            return Results.Ok(new NodeProbeReport(node, [.. await dns, .. pings], notes));
        });
        return app;
    }

    private static bool Authorized(HttpRequest http, string token)
    {
        var header = http.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            return false;
        }

        var presented = SHA256.HashData(Encoding.UTF8.GetBytes(header["Bearer ".Length..].Trim()));
        return CryptographicOperations.FixedTimeEquals(presented, SHA256.HashData(Encoding.UTF8.GetBytes(token)));
    }
}
