using System.Text.Json;
using DnsExpert.Text;

namespace DnsExpert.Testing;

/// <summary>
/// What a scenario's objects show: the cluster DNS workloads (the Deployments and DaemonSets whose name says DNS, and
/// the owners of pods whose name says DNS), the Services and pods, and the devices its nodes' counters were read on;
/// and which names of a command they refute (<see cref="Refuted"/>): a DNS workload not among those shown (or a
/// DaemonSet scaled: it has no replicas), a DNS
/// Service not among those shown, a pod's log read in a namespace it is not in, an interface not among those read.
/// Read from the raw objects, never from the product's own reading of them.
/// </summary>
public sealed record ShownObjects(
    HashSet<(string Namespace, string Kind, string Name)> Workloads, HashSet<(string Namespace, string Name)> Services,
    HashSet<(string Namespace, string Name)> Pods, HashSet<string> Devices)
{
    public static ShownObjects Of(JsonElement request)
    {
        var shown = new ShownObjects([], [], [], []);
        var snapshot = request.TryGetProperty("snapshot", out var s) ? s : default;
        foreach (var o in snapshot.ValueKind == JsonValueKind.Object && snapshot.TryGetProperty("objects", out var objects) ? objects.EnumerateArray() : default)
        {
            var kind = o.TryGetProperty("kind", out var k) ? k.GetString() : null;
            var metadata = o.TryGetProperty("metadata", out var m) ? m : default;
            var name = metadata.ValueKind == JsonValueKind.Object && metadata.TryGetProperty("name", out var n) ? n.GetString() : null;
            var ns = metadata.ValueKind == JsonValueKind.Object && metadata.TryGetProperty("namespace", out var x) ? x.GetString() ?? "default" : "default";
            if (name is null)
            {
                continue;
            }

            switch (kind)
            {
                case "Deployment" or "DaemonSet" when SaysDns(name):
                    shown.Workloads.Add((ns, kind.ToLowerInvariant(), name));
                    break;
                case "Service":
                    shown.Services.Add((ns, name));
                    break;
                case "Pod":
                    shown.Pods.Add((ns, name));
                    if (SaysDns(name) && Owner(metadata) is { } owner)
                    {
                        shown.Workloads.Add((ns, owner.Kind, owner.Name));
                    }

                    break;
            }
        }

        foreach (var f in snapshot.ValueKind == JsonValueKind.Object && snapshot.TryGetProperty("files", out var files) ? files.EnumerateArray() : default)
        {
            var words = f.TryGetProperty("command", out var c) ? ShellWords.Split(c.GetString()) : [];
            for (var i = 0; i + 2 < words.Length; i++)
            {
                if (words[i] == "ethtool" && words[i + 1] is "-S" or "--statistics")
                {
                    shown.Devices.Add(words[i + 2].TrimEnd(';'));
                }
            }
        }

        return shown;
    }

    /// <summary>A pod's controller as kubectl names its workload: a ReplicaSet's Deployment (less the pod-template-hash), a DaemonSet.</summary>
    private static (string Kind, string Name)? Owner(JsonElement metadata)
    {
        var hash = metadata.TryGetProperty("labels", out var labels) && labels.TryGetProperty("pod-template-hash", out var h) ? "-" + h.GetString() : null;
        foreach (var owner in metadata.TryGetProperty("ownerReferences", out var owners) ? owners.EnumerateArray() : default)
        {
            var (kind, name) = (owner.GetProperty("kind").GetString(), owner.GetProperty("name").GetString()!);
            if (kind == "DaemonSet")
            {
                return ("daemonset", name);
            }

            if (kind == "ReplicaSet" && hash is not null && name.EndsWith(hash, StringComparison.Ordinal))
            {
                return ("deployment", name[..^hash.Length]);
            }
        }

        return null;
    }

    public string Describe() =>
        $"workloads [{string.Join(", ", Workloads.Select(w => $"{w.Namespace}/{w.Kind}/{w.Name}"))}], devices [{string.Join(", ", Devices)}]";

    /// <summary>What in <paramref name="command"/> names a cluster DNS object these objects refute.</summary>
    public IEnumerable<string> Refuted(string command)
    {
        foreach (var segment in Segments(command))
        {
            var ns = Flag(segment, "-n") ?? Flag(segment, "--namespace") ?? "default";
            for (var i = 0; i < segment.Count; i++)
            {
                var (kind, name) = Reference(segment, i);
                if (kind == "daemonset" && segment.Contains("scale"))
                {
                    yield return $"scale of daemonset/{name}, which runs one pod per node and has no replica count";
                }

                if (kind is "deployment" or "daemonset" && SaysDns(name!) && Workloads.Count > 0 && !Workloads.Contains((ns, kind, name!)))
                {
                    yield return $"{kind}/{name} in {ns}, where the snapshot shows {string.Join(", ", Workloads.Select(w => $"{w.Kind}/{w.Name} in {w.Namespace}"))}";
                }

                if (kind == "service" && SaysDns(name!) && Services.Any(s => SaysDns(s.Name)) && !Services.Contains((ns, name!)))
                {
                    yield return $"Service {name} in {ns}, where the snapshot shows {string.Join(", ", Services.Where(s => SaysDns(s.Name)).Select(s => $"{s.Name} in {s.Namespace}"))}";
                }

                if (segment[i] == "logs" && i + 1 < segment.Count && Pods.Any(p => p.Name == segment[i + 1]) && !Pods.Contains((ns, segment[i + 1])))
                {
                    yield return $"pod {segment[i + 1]} in {ns}, where the snapshot shows it in {string.Join(", ", Pods.Where(p => p.Name == segment[i + 1]).Select(p => p.Namespace))}";
                }

                if (segment[i] is "-S" or "--statistics" && i > 0 && segment[i - 1] == "ethtool" && i + 1 < segment.Count && Devices.Count > 0
                    && !Devices.Contains(segment[i + 1]))
                {
                    yield return $"interface {segment[i + 1]}, where the snapshot's reads show {string.Join(", ", Devices)}";
                }
            }
        }
    }

    /// <summary>
    /// The simple commands of a command line, each its words: split at <c>&amp;&amp;</c>, <c>||</c>, <c>|</c>, <c>;</c>,
    /// with the scripts of <c>sh -c '...'</c> and the commands of <c>$(...)</c> in a quoted word read the same way.
    /// </summary>
    private static List<List<string>> Segments(string command)
    {
        var segments = new List<List<string>> { new() };
        foreach (var word in ShellWords.Split(command))
        {
            if (word is "&&" or "||" or "|" or ";")
            {
                segments.Add([]);
                continue;
            }

            if (word.Contains(' ', StringComparison.Ordinal))
            {
                // A script or a quoted substitution: its own commands.
                var inner = word.Contains("$(", StringComparison.Ordinal) ? word[(word.IndexOf("$(", StringComparison.Ordinal) + 2)..] : word;
                segments.AddRange(Segments(inner.Replace(";", " ; ", StringComparison.Ordinal).TrimEnd(')')));
            }

            segments[^1].Add(word.TrimEnd(';'));
            if (word.EndsWith(';'))
            {
                segments.Add([]);
            }
        }

        return segments;
    }

    private static string? Flag(List<string> words, string flag)
    {
        var at = words.IndexOf(flag);
        return at >= 0 && at + 1 < words.Count ? words[at + 1] : words.FirstOrDefault(w => w.StartsWith(flag + "=", StringComparison.Ordinal))?[(flag.Length + 1)..];
    }

    /// <summary>The object word <paramref name="i"/> names: <c>deployment/X</c>, or a kind word and the next (<c>svc X</c>).</summary>
    private static (string? Kind, string? Name) Reference(List<string> words, int i)
    {
        static string? Kind(string word) => word switch
        {
            "deployment" or "deployments" or "deploy" => "deployment",
            "daemonset" or "daemonsets" or "ds" => "daemonset",
            "svc" or "service" or "services" => "service",
            _ => null,
        };

        var slash = words[i].IndexOf('/', StringComparison.Ordinal);
        if (slash > 0 && Kind(words[i][..slash]) is { } kind)
        {
            return (kind, words[i][(slash + 1)..]);
        }

        return Kind(words[i]) is { } k && i + 1 < words.Count && !words[i + 1].StartsWith('-') && i > 0 && words[i - 1] is "get" or "scale" or "patch" or "edit" or "describe" or "restart"
            ? (k, words[i + 1])
            : (null, null);
    }

    /// <summary>A name that says it is the cluster DNS's (coredns, kube-dns, dns-default, rke2-coredns-rke2-coredns), not NodeLocal's.</summary>
    private static bool SaysDns(string name) =>
        name.Contains("dns", StringComparison.Ordinal) && !name.Contains("node-local", StringComparison.Ordinal) && !name.Contains("nodelocal", StringComparison.Ordinal)
        && !name.Contains("autoscaler", StringComparison.Ordinal) && !name.StartsWith('<');
}
