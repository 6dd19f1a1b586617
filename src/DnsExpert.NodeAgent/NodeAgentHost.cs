using System.Security.Cryptography;
using System.Text;
using DnsExpert.Collectors;
using DnsExpert.Collectors.Node;
using DnsExpert.Collectors.Probes;
using DnsExpert.Contract;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace DnsExpert.NodeAgent;

/// <summary>
/// <c>dnsexpert agent</c>: runs on every node (a DaemonSet with the host's /proc, /etc and /var/log mounted read-only
/// under <c>--root</c>) and serves the facts only a node can see to the DnsExpert service, and runs its node probes (dig
/// and ping from the node's network). Everything but <c>/healthz</c> needs the token; a plan is bounded and must stay
/// inside <see cref="AgentScope"/> (DNS port, the cluster's ranges), so the agent is no port scanner for the token's holder.
/// </summary>
public static class NodeAgentHost
{
    public const string Liveness = "/healthz";

    /// <summary>
    /// The agent from its command line alone (the DnsExpert.Agent host): <c>--root</c> (default /host), <c>--node</c>,
    /// <c>--token-file</c> and <c>--urls</c> as for <c>dnsexpert agent</c>; the ranges and ports from <c>DnsExpert:Agent</c>.
    /// </summary>
    public static WebApplication Build(string[] args)
    {
        var settings = new ConfigurationBuilder().AddCommandLine(args).Build();
        var tokenFile = settings["token-file"];
        return Build(args, settings["root"] ?? "/host", NodeName(settings["node"]), tokenFile is null ? "" : ReadToken(tokenFile));
    }

    /// <summary>The node's name: as given, else <c>$NODE_NAME</c> (the downward API), else the host name.</summary>
    public static string NodeName(string? configured) =>
        configured ?? Environment.GetEnvironmentVariable("NODE_NAME") ?? Environment.MachineName;

    /// <summary>The token in a file (a mounted Secret), without the line break; empty when the file is missing or blank.</summary>
    public static string ReadToken(string path) => File.Exists(path) ? File.ReadAllText(path).Trim() : "";

    public static WebApplication Build(string[] args, string root, string node, string token, ProbeOptions? probes = null, AgentOptions? scope = null)
    {
        if (string.IsNullOrWhiteSpace(token))
        {
            throw new ArgumentException("The agent needs a token (--token-file): every endpoint but /healthz requires it.", nameof(token));
        }

        var builder = WebApplication.CreateSlimBuilder(args);
        builder.Services.AddDnsExpertNodeAgent(root, scope, probes);
        builder.Services.AddProblemDetails();
        builder.WebHost.ConfigureKestrel(o => o.Limits.MaxRequestBodySize = 64 * 1024);
        var app = builder.Build();
        var allowed = app.Services.GetRequiredService<AgentScope>(); // a bad range or port stops here, named (OptionsValidationException)
        app.Use(async (context, next) =>
        {
            if (context.Request.Path.Equals(Liveness, StringComparison.Ordinal) || Authorized(context.Request, token))
            {
                await next(context);
                return;
            }

            context.Response.Headers.WWWAuthenticate = "Bearer";
            await Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "A valid agent token is required").ExecuteAsync(context);
        });
        app.MapGet(Liveness, () => TypedResults.Ok(new { status = "ok", node }));
        app.MapGet("/v1/node", async (NodeFactsReader reader, CancellationToken cancellationToken) =>
            TypedResults.Ok(await reader.ReadAsync(node, cancellationToken)));
        app.MapPost("/v1/probes", async (NodeProbePlan? plan, DnsProber prober, Pinger pinger, CancellationToken cancellationToken) =>
        {
            if (allowed.Refuse(plan) is { } reason)
            {
                return Results.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "The probe plan is not acceptable", detail: reason);
            }

            var notes = new List<string>();
            var dns = prober.RunAsync(plan!.Dns.Select(p => p with { From = $"node/{node}" }).ToList(), [], cancellationToken);
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

    private static bool Authorized(HttpRequest request, string token)
    {
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            return false;
        }

        var presented = SHA256.HashData(Encoding.UTF8.GetBytes(header["Bearer ".Length..].Trim()));
        return CryptographicOperations.FixedTimeEquals(presented, SHA256.HashData(Encoding.UTF8.GetBytes(token)));
    }
}
