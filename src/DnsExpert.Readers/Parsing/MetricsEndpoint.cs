using System.Globalization;

namespace DnsExpert.Readers.Parsing;

/// <summary>
/// Whose <c>/metrics</c> a command scraped: <c>kubectl get --raw /api/v1/namespaces/NS/pods/POD:9153/proxy/metrics</c>
/// (through the API server's pod proxy; <c>pods/http:POD:9153</c> too) names the pod; <c>curl -s http://HOST:9153/metrics</c>
/// names an address (a pod IP, or localhost: the pod the command ran in).
/// </summary>
/// <param name="Namespace">The pod's namespace, from the proxy path.</param>
/// <param name="Pod">The pod, from the proxy path.</param>
/// <param name="Host">The host of a curl URL (an IP, or <c>localhost</c>).</param>
/// <param name="Port">The port (9153: CoreDNS; 9353: NodeLocal DNSCache), when given.</param>
public sealed record MetricsEndpoint(string? Namespace, string? Pod, string? Host, int? Port)
{
    /// <summary>The metrics port of NodeLocal DNSCache (CoreDNS's is 9153).</summary>
    public const int NodeLocalPort = 9353;

    /// <summary>The host is the machine the command ran on.</summary>
    public bool IsLocal => Host is "localhost" or "127.0.0.1" or "::1" or "[::1]";

    /// <summary>The endpoint of <paramref name="words"/>, or null when it names none.</summary>
    public static MetricsEndpoint? Of(string[] words)
    {
        foreach (var raw in words)
        {
            var word = raw.Trim('\'', '"');
            if (word.StartsWith("/api/v1/namespaces/", StringComparison.Ordinal) && word.EndsWith("/proxy/metrics", StringComparison.Ordinal))
            {
                var parts = word.Split('/');
                // "", api, v1, namespaces, NS, pods, [scheme:]POD[:PORT], proxy, metrics
                if (parts.Length != 9 || parts[5] != "pods")
                {
                    return null;
                }

                var pod = parts[6].Split(':');
                var (name, port) = pod.Length switch
                {
                    1 => (pod[0], (int?)null),
                    2 when pod[0] is "http" or "https" => (pod[1], null),
                    2 => (pod[0], ParsePort(pod[1])),
                    3 => (pod[1], ParsePort(pod[2])),
                    _ => ("", null),
                };
                return name.Length == 0 ? null : new MetricsEndpoint(parts[4], name, null, port);
            }

            // curl takes a URL without its scheme too: 10.244.0.5:9153/metrics.
            var url = word.EndsWith("/metrics", StringComparison.Ordinal) && !word.Contains("://", StringComparison.Ordinal) && !word.StartsWith('/') ? "http://" + word : word;
            if (Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.AbsolutePath == "/metrics")
            {
                return new MetricsEndpoint(null, null, uri.Host, uri.IsDefaultPort ? null : uri.Port);
            }
        }

        return null;
    }

    private static int? ParsePort(string text) => int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and < 65536 ? port : null;
}
