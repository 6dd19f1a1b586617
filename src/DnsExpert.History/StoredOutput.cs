using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DnsExpert.Readers.Building;
using DnsExpert.Readers.Parsing;

namespace DnsExpert.History;

/// <summary>
/// What the history keeps of one pasted output's text, told apart as <see cref="PastedOutputs"/> reads it (the command
/// inside <c>kubectl exec</c>/<c>debug</c>, then its tool): <c>kubectl get -o json</c> keeps its objects with the
/// redaction of <c>snapshot.objects</c>, and no text when it is not JSON the rules could read; kubectl formats no rule
/// reads (<c>-o yaml</c>, <c>jsonpath</c>, <c>config view</c>) and files under a credentials path keep no text;
/// <c>env</c> keeps the variables' names; everything else (dig, ping, logs, tables, resolv.conf, node commands) is
/// kept with credential-looking values masked (<see cref="CredentialText"/>).
/// </summary>
internal static class StoredOutput
{
    /// <summary>The text to keep, and what was left out of it (null when nothing was).</summary>
    public static (string Text, string? Redacted) Keep(string? command, string text)
    {
        if (text.Length == 0)
        {
            return (text, null);
        }

        var words = (command ?? "").Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        if (PastedOutputs.ExecTarget(words) is { } exec)
        {
            words = exec.Command;
        }

        var tool = words.FirstOrDefault()?.Split('/').Last();
        var kubectlJson = (tool == "kubectl" && words.Contains("get") && (words.Contains("json") || words.Contains("-ojson") || words.Contains("--output=json")))
                          || (tool is null && text.TrimStart().StartsWith('{') && text.Contains("\"kind\"", StringComparison.Ordinal));
        if (kubectlJson || text.AsSpan().TrimStart() is ['{' or '[', ..])
        {
            if (RedactJson(text) is { } json)
            {
                return json;
            }

            if (kubectlJson)
            {
                return ("", "not kept: it is not JSON the rules could read");
            }
        }

        // -o yaml is read as the JSON it stands for (PastedOutputs), so it is redacted as pasted JSON is: with nothing to
        // redact it is kept as pasted; otherwise as the redacted JSON, which a later round reads back (JSON is YAML).
        // No Secret value survives in the history in either form.
        if ((tool is null || (tool == "kubectl" && words.Contains("get"))) && PastedOutputs.ObjectsFormat(tool, words, text) == "YAML")
        {
            return text.Length > PastedOutputs.MaxJsonCharacters || KubectlYaml.ToJson(text).Json is not { } converted || RedactJson(converted) is not { } kept
                ? ("", "not kept: it is not YAML the rules could read")
                : kept.Redacted is null ? (text, null) : kept;
        }

        if (tool == "kubectl" && UnreadKubectlFormat(words) is { } format)
        {
            return ("", $"not kept: kubectl {format} is not read (paste -o json)");
        }

        if (tool is not ("kubectl" or "dig" or "nslookup" or "ping" or "ping6") && words.FirstOrDefault(IsCredentialPath) is { } path)
        {
            return ("", $"not kept: {path} holds credentials");
        }

        if (tool is "env" or "printenv" or "export" or "declare" or "set")
        {
            return EnvNames(text);
        }

        var (masked, count) = CredentialText.Mask(text);
        return (masked, count > 0 ? $"{count} credential-looking value(s) masked" : null);
    }

    /// <summary>Pasted kubectl JSON with the object redaction applied; null when it is not JSON or too large to be read.</summary>
    private static (string Text, string? Redacted)? RedactJson(string text)
    {
        if (text.Length > PastedOutputs.MaxJsonCharacters)
        {
            return null;
        }

        JsonNode? root;
        try
        {
            root = JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException)
        {
            return null;
        }

        var redacted = new SortedSet<string>(StringComparer.Ordinal);
        IEnumerable<JsonNode?> items = root is JsonArray array ? array : [root];
        foreach (var item in items)
        {
            StoredRequest.RedactObject(item, redacted);
        }

        return redacted.Count == 0 ? (text, null) : (root!.ToJsonString(), string.Join(", ", redacted));
    }

    /// <summary>The output formats of <c>kubectl get</c> that print values without the object redaction could apply (YAML unless read as objects, templates), and <c>kubectl config view</c>.</summary>
    private static string? UnreadKubectlFormat(string[] words)
    {
        if (words.Contains("config") && words.Contains("view"))
        {
            return "config view";
        }

        return KubectlArgs.Output(words) is { } format
               && format is "yaml" or "jsonpath" or "jsonpath-file" or "jsonpath-as-json" or "go-template" or "go-template-file" or "template" or "templatefile"
            ? $"-o {format}"
            : null;
    }

    /// <summary>A path whose file holds credentials: mounted Secrets and service-account tokens, keys, kubeconfigs, a process' environment.</summary>
    private static bool IsCredentialPath(string word)
    {
        if (!word.Contains('/', StringComparison.Ordinal))
        {
            return false;
        }

        var path = word.ToLowerInvariant();
        return CredentialPathParts.Any(p => path.Contains(p, StringComparison.Ordinal))
               || CredentialFileEndings.Any(e => path.EndsWith(e, StringComparison.Ordinal))
               || (path.StartsWith("/etc/kubernetes/", StringComparison.Ordinal) && path.EndsWith(".conf", StringComparison.Ordinal));
    }

    private static readonly string[] CredentialPathParts =
    [
        "secret", "token", "/.kube/", "kubeconfig", "/pki/", "/.ssh/", "id_rsa", "id_ecdsa", "id_ed25519", "/environ", "shadow",
        ".netrc", ".pgpass", ".git-credentials", ".docker/config", "credentials", "password",
    ];

    private static readonly string[] CredentialFileEndings = [".key", ".pem", ".p12", ".pfx", ".jks", ".keystore"];

    /// <summary><c>env</c> output: each <c>NAME=</c> keeps its name, every value (and a line that is only a value) goes.</summary>
    private static (string Text, string? Redacted) EnvNames(string text)
    {
        var kept = new StringBuilder(text.Length / 2);
        var values = 0;
        foreach (var line in text.AsSpan().EnumerateLines())
        {
            if (kept.Length > 0)
            {
                kept.Append('\n');
            }

            var equals = line.IndexOf('=');
            if (line.Trim().IsEmpty || line.EndsWith(StoredRequest.Redacted, StringComparison.Ordinal))
            {
                kept.Append(line);
                continue;
            }

            kept.Append(equals < 0 ? [] : line[..(equals + 1)]).Append(StoredRequest.Redacted);
            values++;
        }

        return values == 0 ? (text, null) : (kept.ToString(), $"the values of {values} environment variable line(s)");
    }
}
