using DnsExpert.Text;

namespace DnsExpert.Contract;

/// <summary>
/// Semantic checks of a request that JSON binding cannot do. Each problem names the field at fault
/// with a JSON path (<c>target.pod</c>, <c>snapshot.logs[3].text</c>) so a caller can fix it.
/// </summary>
public static class RequestValidator
{
    public static IReadOnlyDictionary<string, string[]> Validate(DiagnosisRequest request, RequestLimits limits)
    {
        var errors = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        void Add(string field, string message)
        {
            if (!errors.TryGetValue(field, out var list))
            {
                errors[field] = list = [];
            }

            list.Add(message);
        }

        if (request.Target is { } target)
        {
            if (target.Namespace is { } ns && !IsDnsLabel(ns))
            {
                Add("target.namespace", "must be a Kubernetes namespace name (RFC 1123 label: lower-case letters, digits and '-', at most 63 characters)");
            }

            if (target.Pod is { } pod && !IsDnsSubdomain(pod))
            {
                Add("target.pod", "must be a Kubernetes pod name (RFC 1123 subdomain: lower-case letters, digits, '-' and '.', at most 253 characters)");
            }

            if (target.Pod is null && target.Namespace is not null)
            {
                Add("target.pod", "is required when target.namespace is given");
            }
        }

        if (request.Domain is { } domain && !IsDomainName(domain))
        {
            Add("domain", "must be a DNS name (letters, digits, '-', '_' and '.', labels of at most 63 characters, at most 253 characters)");
        }

        if (request.Symptom?.ErrorMessage is { Length: var len } && len > limits.MaxErrorMessageLength)
        {
            Add("symptom.errorMessage", $"is longer than {limits.MaxErrorMessageLength} characters");
        }

        if (request.Snapshot is { } snapshot)
        {
            if (snapshot.Objects is { Count: var objects } && objects > limits.MaxObjects)
            {
                Add("snapshot.objects", $"has {objects} objects; at most {limits.MaxObjects} are accepted");
            }

            if (snapshot.Logs is { } logs)
            {
                if (logs.Count > limits.MaxLogs)
                {
                    Add("snapshot.logs", $"has {logs.Count} logs; at most {limits.MaxLogs} are accepted");
                }

                long total = 0;
                for (var i = 0; i < logs.Count; i++)
                {
                    total += logs[i].Text?.Length ?? 0;
                    if (logs[i].Pod is null)
                    {
                        Add($"snapshot.logs[{i}].pod", "is required: a log belongs to a pod");
                    }

                    CheckNames($"snapshot.logs[{i}]", logs[i].Namespace, logs[i].Pod, null, Add);
                }

                if (total > limits.MaxLogCharacters)
                {
                    Add("snapshot.logs", $"hold {total} characters of text; at most {limits.MaxLogCharacters} are accepted");
                }
            }

            if (snapshot.Files is { } files)
            {
                if (files.Count > limits.MaxFiles)
                {
                    Add("snapshot.files", $"has {files.Count} files; at most {limits.MaxFiles} are accepted");
                }

                for (var i = 0; i < files.Count; i++)
                {
                    var f = files[i];
                    if (f.Path is null && f.Command is null)
                    {
                        Add($"snapshot.files[{i}]", "needs a 'path' or a 'command'");
                    }

                    if (f.Pod is null && f.Node is null)
                    {
                        Add($"snapshot.files[{i}]", "needs a 'pod' (with 'namespace') or a 'node'");
                    }

                    CheckNames($"snapshot.files[{i}]", f.Namespace, f.Pod, f.Node, Add);
                }
            }

            if (snapshot.Probes is { } probes)
            {
                if (probes.Count > limits.MaxProbes)
                {
                    Add("snapshot.probes", $"has {probes.Count} probes; at most {limits.MaxProbes} are accepted");
                }

                for (var i = 0; i < probes.Count; i++)
                {
                    var p = probes[i];
                    if (p.Kind is null)
                    {
                        Add($"snapshot.probes[{i}].kind", "is required: dns, ping or tcp");
                    }

                    if (p.Outcome is null)
                    {
                        Add($"snapshot.probes[{i}].outcome", "is required: answered, timeout, refused or unreachable");
                    }

                    if (p.Port is < 1 or > 65535)
                    {
                        Add($"snapshot.probes[{i}].port", "must be between 1 and 65535");
                    }

                    if (p.ReplyFrom is { } replyFrom && !System.Net.IPAddress.TryParse(replyFrom, out _))
                    {
                        Add($"snapshot.probes[{i}].replyFrom", "must be an IP address (the source of the unexpected reply)");
                    }
                }
            }

            if (snapshot.Outputs is { } outputs)
            {
                if (outputs.Count > limits.MaxOutputs)
                {
                    Add("snapshot.outputs", $"has {outputs.Count} outputs; at most {limits.MaxOutputs} are accepted");
                }

                for (var i = 0; i < outputs.Count; i++)
                {
                    var o = outputs[i];
                    var at = o.Source ?? $"snapshot.outputs[{i}]";
                    if (o.Text is null)
                    {
                        Add($"{at}.text", "is required: what the command printed");
                    }

                    if (o.From is { } from && Origin.TryParse(from) is null)
                    {
                        Add($"{at}.from", "must be 'namespace/pod' or 'node/NAME' with Kubernetes names (RFC 1123)");
                    }

                    if (o.Command is { Length: > 4096 })
                    {
                        Add($"{at}.command", "is longer than 4096 characters");
                    }
                }
            }
        }

        return errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);
    }

    /// <summary>Names of an artifact reach findings and copyable commands: they must be names Kubernetes accepts.</summary>
    private static void CheckNames(string path, string? ns, string? pod, string? node, Action<string, string> add)
    {
        if (ns is not null && !IsDnsLabel(ns))
        {
            add(path + ".namespace", "must be a Kubernetes namespace name (RFC 1123 label)");
        }

        if (pod is not null && !IsDnsSubdomain(pod))
        {
            add(path + ".pod", "must be a Kubernetes pod name (RFC 1123 subdomain)");
        }

        if (node is not null && !IsDnsSubdomain(node))
        {
            add(path + ".node", "must be a Kubernetes node name (RFC 1123 subdomain)");
        }
    }

    /// <summary>Where a pasted output ran: a pod (<c>namespace/pod</c>) or a node (<c>node/NAME</c>).</summary>
    public sealed record Origin(string? Namespace, string? Pod, string? Node)
    {
        public static Origin? TryParse(string from)
        {
            var slash = from.IndexOf('/', StringComparison.Ordinal);
            if (slash <= 0 || slash != from.LastIndexOf('/'))
            {
                return null;
            }

            var (left, right) = (from[..slash], from[(slash + 1)..]);
            return left == "node"
                ? IsDnsSubdomain(right) ? new Origin(null, null, right) : null
                : IsDnsLabel(left) && IsDnsSubdomain(right) ? new Origin(left, right, null) : null;
        }
    }

    /// <summary>An RFC 1123 label (a namespace name): <see cref="DnsNames.IsDnsLabel"/>.</summary>
    public static bool IsDnsLabel(string s) => DnsNames.IsDnsLabel(s);

    /// <summary>An RFC 1123 subdomain (a pod or node name): <see cref="DnsNames.IsDnsSubdomain"/>.</summary>
    public static bool IsDnsSubdomain(string s) => DnsNames.IsDnsSubdomain(s);

    /// <summary>A DNS name to ask for: <see cref="DnsNames.IsDomainName"/>.</summary>
    public static bool IsDomainName(string s) => DnsNames.IsDomainName(s);
}
