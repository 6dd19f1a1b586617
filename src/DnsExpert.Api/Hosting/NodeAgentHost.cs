using DnsExpert.Collectors.Node;

namespace DnsExpert.Api.Hosting;

/// <summary>
/// <c>dnsexpert agent</c>: runs on every node (a DaemonSet with the host's /proc, /etc and /var/log mounted read-only
/// under <c>--root</c>) and serves the facts only a node can see to the DnsExpert service.
/// </summary>
public static class NodeAgentHost
{
    public static WebApplication Build(string[] args, string root, string node)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        builder.Services.AddSingleton(new NodeFactsReader(root));
        var app = builder.Build();
        app.MapGet("/healthz", () => TypedResults.Ok(new { status = "ok", node }));
        app.MapGet("/v1/node", async (NodeFactsReader reader, CancellationToken cancellationToken) =>
            TypedResults.Ok(await reader.ReadAsync(node, cancellationToken)));
        return app;
    }
}
