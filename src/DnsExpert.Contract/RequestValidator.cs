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
            CheckTarget(target, Add);
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
                CheckLogs(logs, limits, Add);
            }

            if (snapshot.Files is { } files)
            {
                CheckFiles(files, limits, Add);
            }

            if (snapshot.Probes is { } probes)
            {
                CheckProbes(probes, limits, Add);
            }

            if (snapshot.Outputs is { } outputs)
            {
                CheckOutputs(outputs, limits, Add);
            }
        }

        return errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);
    }

    /// <summary>The pod a request is about: Kubernetes names, and a pod whenever a namespace is given.</summary>
    private static void CheckTarget(TargetRef target, Action<string, string> add)
    {
        if (target.Namespace is { } ns && !IsDnsLabel(ns))
        {
            add("target.namespace", "must be a Kubernetes namespace name (RFC 1123 label: lower-case letters, digits and '-', at most 63 characters)");
        }

        if (target.Pod is { } pod && !IsDnsSubdomain(pod))
        {
            add("target.pod", "must be a Kubernetes pod name (RFC 1123 subdomain: lower-case letters, digits, '-' and '.', at most 253 characters)");
        }

        if (target.Pod is null && target.Namespace is not null)
        {
            add("target.pod", "is required when target.namespace is given");
        }
    }

    /// <summary>Each log belongs to a named pod; the logs' count and total size are bounded.</summary>
    private static void CheckLogs(IList<LogArtifact> logs, RequestLimits limits, Action<string, string> add)
    {
        if (logs.Count > limits.MaxLogs)
        {
            add("snapshot.logs", $"has {logs.Count} logs; at most {limits.MaxLogs} are accepted");
        }

        long total = 0;
        for (var i = 0; i < logs.Count; i++)
        {
            total += logs[i].Text?.Length ?? 0;
            if (logs[i].Pod is null)
            {
                add($"snapshot.logs[{i}].pod", "is required: a log belongs to a pod");
            }

            CheckNames($"snapshot.logs[{i}]", logs[i].Namespace, logs[i].Pod, null, add);
        }

        if (total > limits.MaxLogCharacters)
        {
            add("snapshot.logs", $"hold {total} characters of text; at most {limits.MaxLogCharacters} are accepted");
        }
    }

    /// <summary>Each file says what it is (a path or a command) and where it was read (a pod or a node).</summary>
    private static void CheckFiles(IList<FileArtifact> files, RequestLimits limits, Action<string, string> add)
    {
        if (files.Count > limits.MaxFiles)
        {
            add("snapshot.files", $"has {files.Count} files; at most {limits.MaxFiles} are accepted");
        }

        for (var i = 0; i < files.Count; i++)
        {
            var f = files[i];
            if (f.Path is null && f.Command is null)
            {
                add($"snapshot.files[{i}]", "needs a 'path' or a 'command'");
            }

            if (f.Pod is null && f.Node is null)
            {
                add($"snapshot.files[{i}]", "needs a 'pod' (with 'namespace') or a 'node'");
            }

            CheckNames($"snapshot.files[{i}]", f.Namespace, f.Pod, f.Node, add);
        }
    }

    /// <summary>Each probe result has a kind and an outcome, a port in range and an address as its unexpected reply's source.</summary>
    private static void CheckProbes(IList<ProbeArtifact> probes, RequestLimits limits, Action<string, string> add)
    {
        if (probes.Count > limits.MaxProbes)
        {
            add("snapshot.probes", $"has {probes.Count} probes; at most {limits.MaxProbes} are accepted");
        }

        for (var i = 0; i < probes.Count; i++)
        {
            var p = probes[i];
            if (p.Kind is null)
            {
                add($"snapshot.probes[{i}].kind", "is required: dns, ping or tcp");
            }

            if (p.Outcome is null)
            {
                add($"snapshot.probes[{i}].outcome", "is required: answered, timeout, refused or unreachable");
            }

            if (p.Port is < 1 or > 65535)
            {
                add($"snapshot.probes[{i}].port", "must be between 1 and 65535");
            }

            if (p.ReplyFrom is { } replyFrom && !System.Net.IPAddress.TryParse(replyFrom, out _))
            {
                add($"snapshot.probes[{i}].replyFrom", "must be an IP address (the source of the unexpected reply)");
            }
        }
    }

    /// <summary>Each pasted output has its text, a valid origin and a command of bounded length.</summary>
    private static void CheckOutputs(IList<CommandOutput> outputs, RequestLimits limits, Action<string, string> add)
    {
        if (outputs.Count > limits.MaxOutputs)
        {
            add("snapshot.outputs", $"has {outputs.Count} outputs; at most {limits.MaxOutputs} are accepted");
        }

        for (var i = 0; i < outputs.Count; i++)
        {
            var o = outputs[i];
            var at = o.Source ?? $"snapshot.outputs[{i}]";
            if (o.Text is null)
            {
                add($"{at}.text", "is required: what the command printed");
            }

            if (o.From is { } from && Origin.TryParse(from) is null)
            {
                add($"{at}.from", "must be 'namespace/pod' or 'node/NAME' with Kubernetes names (RFC 1123)");
            }

            if (o.Command is { Length: > 4096 })
            {
                add($"{at}.command", "is longer than 4096 characters");
            }
        }
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
