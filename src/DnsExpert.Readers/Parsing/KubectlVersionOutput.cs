using System.Text;
using System.Text.Json;
using DnsExpert.Facts;

namespace DnsExpert.Readers.Parsing;

/// <summary>
/// The client's and the API server's versions in a pasted <c>kubectl version</c>, in each form kubectl has printed:
/// <c>Server Version: v1.29.3</c> (the default since 1.28, and <c>--short</c> before it); <c>Server Version:
/// version.Info{Major:"1", Minor:"22", GitVersion:"v1.22.0", ...}</c> (the default until 1.27); <c>-o json</c>'s
/// <c>serverVersion.gitVersion</c>, whatever kubectl printed after it (its "The connection to the server ... was
/// refused" line). kubectl's warnings and Kustomize's line are no version of either. A version is the
/// <c>GitVersion</c>, vendor suffix kept (<c>v1.29.3-eks-adc7111</c>, <c>v1.32.2+k3s1</c>); null where none was printed
/// (the server did not answer). Read line by line, without a pattern: linear in the text.
/// </summary>
public static class KubectlVersionOutput
{
    /// <summary>What the output says, or null when it is no <c>kubectl version</c> output (neither version in it).</summary>
    public static (ReleaseVersion? Client, ReleaseVersion? Server)? Read(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var (client, server) = text.TrimStart().StartsWith('{') ? FromJson(text.TrimStart()) : FromText(text);
        return client is null && server is null ? null : (client, server);
    }

    private static (ReleaseVersion? Client, ReleaseVersion? Server) FromText(string text)
    {
        ReleaseVersion? client = null, server = null;
        foreach (var raw in text.AsSpan().EnumerateLines())
        {
            var line = raw.Trim();
            if (line.StartsWith("Client Version:", StringComparison.Ordinal))
            {
                client ??= Version(line["Client Version:".Length..]);
            }
            else if (line.StartsWith("Server Version:", StringComparison.Ordinal))
            {
                server ??= Version(line["Server Version:".Length..]);
            }
        }

        return (client, server);
    }

    /// <summary>The version after a line's label: the word itself, or a <c>version.Info{...}</c>'s <c>GitVersion</c>.</summary>
    private static ReleaseVersion? Version(ReadOnlySpan<char> value)
    {
        value = value.Trim();
        const string Info = "version.Info{";
        if (value.StartsWith(Info, StringComparison.Ordinal))
        {
            const string Git = "GitVersion:\"";
            var at = value.IndexOf(Git, StringComparison.Ordinal);
            if (at < 0)
            {
                return null;
            }

            value = value[(at + Git.Length)..];
            var end = value.IndexOf('"');
            value = end < 0 ? [] : value[..end];
        }

        // One word, a version: "v1.29.3", never a sentence that starts with a number.
        return value.Length is > 0 and <= 128 && value.IndexOfAny(' ', '\t') < 0 && ReleaseVersion.TryParse(value.ToString(), out var version) ? version : null;
    }

    /// <summary><c>-o json</c>: the first JSON value of the text, its <c>clientVersion</c> and <c>serverVersion</c>'s <c>gitVersion</c>.</summary>
    private static (ReleaseVersion? Client, ReleaseVersion? Server) FromJson(string text)
    {
        try
        {
            var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(text), new JsonReaderOptions { MaxDepth = 8 });
            using var document = JsonDocument.ParseValue(ref reader);
            return document.RootElement.ValueKind == JsonValueKind.Object
                ? (GitVersion(document.RootElement, "clientVersion"), GitVersion(document.RootElement, "serverVersion"))
                : (null, null);
        }
        catch (JsonException)
        {
            return (null, null);
        }
    }

    private static ReleaseVersion? GitVersion(JsonElement root, string name) =>
        root.TryGetProperty(name, out var info) && info.ValueKind == JsonValueKind.Object && info.TryGetProperty("gitVersion", out var git)
        && git.ValueKind == JsonValueKind.String ? Version(git.GetString()) : null;
}
