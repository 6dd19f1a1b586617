using System.Globalization;
using System.Text.Json;

namespace DnsExpert.Readers.Parsing;

/// <summary>
/// What DNS needs from a <c>KubeProxyConfiguration</c> (kubeproxy.config.k8s.io), the file a kube-proxy ConfigMap
/// holds under any key and any name (<c>kube-proxy</c> / <c>config.conf</c> from kubeadm, <c>kube-proxy-worker</c> on
/// ACK): the proxy mode and the IPVS UDP timeout.
/// </summary>
public sealed record KubeProxyConfig(string Mode, string? UdpTimeout, double? UdpTimeoutSeconds)
{
    private const string Kind = "KubeProxyConfiguration";

    /// <summary>The configuration in <paramref name="text"/> (YAML or JSON), or null when it is not a KubeProxyConfiguration.</summary>
    public static KubeProxyConfig? TryParse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text) || !text.Contains(Kind, StringComparison.Ordinal))
        {
            return null;
        }

        return text.TrimStart().StartsWith('{') ? FromJson(text) : FromYaml(text);
    }

    /// <summary>An empty mode is iptables on Linux (kube-proxy's default).</summary>
    private static KubeProxyConfig Make(string? mode, string? udpTimeout)
    {
        mode = string.IsNullOrWhiteSpace(mode) ? "iptables" : mode;
        udpTimeout = string.IsNullOrWhiteSpace(udpTimeout) ? null : udpTimeout;
        return new KubeProxyConfig(mode, udpTimeout, GoDuration.TryParseSeconds(udpTimeout));
    }

    /// <summary>Top-level <c>kind</c> and <c>mode</c>, and <c>udpTimeout</c> inside the top-level <c>ipvs</c> block.</summary>
    private static KubeProxyConfig? FromYaml(string text)
    {
        string? kind = null, mode = null, udpTimeout = null;
        var inIpvs = false;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            var content = line.Split('#')[0];
            if (content.Trim().Length == 0)
            {
                continue;
            }

            var topLevel = !char.IsWhiteSpace(content[0]);
            if (topLevel)
            {
                inIpvs = Key(content) == "ipvs";
                switch (Key(content))
                {
                    case "kind": kind = Value(content); break;
                    case "mode": mode = Value(content); break;
                }
            }
            else if (inIpvs && Key(content.TrimStart()) == "udpTimeout")
            {
                udpTimeout = Value(content.TrimStart());
            }
        }

        return kind == Kind ? Make(mode, udpTimeout) : null;
    }

    private static string Key(string line)
    {
        var colon = line.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? line.Trim() : line[..colon].Trim();
    }

    private static string Value(string line)
    {
        var colon = line.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? "" : line[(colon + 1)..].Trim().Trim('"', '\'');
    }

    private static KubeProxyConfig? FromJson(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = 16 });
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || String(root, "kind") != Kind)
            {
                return null;
            }

            var ipvs = root.TryGetProperty("ipvs", out var i) && i.ValueKind == JsonValueKind.Object ? String(i, "udpTimeout") : null;
            return Make(String(root, "mode"), ipvs);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}

/// <summary>Go's <c>time.Duration</c> text (<c>10s</c>, <c>1m30s</c>, <c>250ms</c>), as kube-proxy's configuration writes durations.</summary>
public static class GoDuration
{
    public static double? TryParseSeconds(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var s = text.Trim();
        if (s == "0")
        {
            return 0;
        }

        double total = 0;
        var i = 0;
        while (i < s.Length)
        {
            var start = i;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.'))
            {
                i++;
            }

            if (i == start || !double.TryParse(s[start..i], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            {
                return null;
            }

            var unitStart = i;
            while (i < s.Length && !char.IsAsciiDigit(s[i]) && s[i] != '.')
            {
                i++;
            }

            double? scale = s[unitStart..i] switch
            {
                "h" => 3600,
                "m" => 60,
                "s" => 1,
                "ms" => 1e-3,
                "us" or "µs" or "μs" => 1e-6,
                "ns" => 1e-9,
                _ => null,
            };
            if (scale is null)
            {
                return null;
            }

            total += number * scale.Value;
        }

        return total;
    }
}
