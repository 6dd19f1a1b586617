using System.Text;
using System.Text.Json;
using DnsExpert.Facts;
using DnsExpert.Text;

namespace DnsExpert.Engine.Commands;

/// <summary>
/// A rendered <c>kubectl debug</c> command as the cluster can run it. <c>kubectl debug POD --image=I [--target=C] -- CMD</c>
/// adds an ephemeral container, which Kubernetes serves by default from 1.23 (beta; GA in 1.25) and only to whom may
/// create <c>pods/ephemeralcontainers</c>; <c>kubectl debug node/NAME</c> creates a plain pod and runs on any version.
/// On OpenShift (<see cref="Distributions.OpenShift"/>) the command is <c>oc debug</c>: <c>oc debug node/NAME -- CMD</c>
/// (a privileged pod on the node, its root under <c>/host</c>), and for a pod a copy of it with its labels stripped
/// (<c>--one-container</c>: the named container only, its image replaced by <c>--image</c>; <c>--node-name</c>: on the
/// pod's node), deleted when the command ends (openshift/oc pkg/cli/debug/debug.go). On a cluster whose nodes run a
/// kubelet before 1.23 (<see cref="KnownValues.KubernetesVersion"/>), a pod of its own asks instead: <c>kubectl run
/// --rm</c> in the pod's namespace, pinned to the pod's node with the pod's dnsPolicy, dnsConfig and hostNetwork when the
/// facts show them (CoreDNS's own <c>Default</c> for a <c>--target</c> of a cluster DNS pod). While the version is not
/// known the command stays and the note gives that fallback. The words of the command are kept as rendered (already
/// quoted); the one new value, the override, is JSON quoted as one shell word.
/// </summary>
internal static class DebugCommands
{
    /// <summary>The first release that serves ephemeral containers by default.</summary>
    private static readonly ReleaseVersion EphemeralDefault = new([1, 23], "", "1.23");

    /// <summary>The name of the pod the fallback runs (deleted when its command ends: <c>--rm</c>).</summary>
    internal const string RunPodName = "dnsexpert-debug";

    /// <summary>
    /// <paramref name="command"/> as the cluster <paramref name="known"/> describes can run it, and a note for the person
    /// (null when none): the fallback while the version is unknown, or why the command differs from the others.
    /// </summary>
    public static (string Command, string? Note) ForCluster(string command, KnownValues known)
    {
        const string prefix = "kubectl debug ";
        if (!command.StartsWith(prefix, StringComparison.Ordinal) || Separator(command) is not (>= 0 and var cut))
        {
            return (command, null);
        }

        var tail = command[(cut + 4)..];
        string? target = null, ns = null, image = null, container = null;
        var words = RawWords(command[prefix.Length..cut]);
        for (var i = 0; i < words.Count; i++)
        {
            var word = words[i];
            if (word is "-i" or "-it" or "-ti" or "-t" or "--stdin" or "--tty")
            {
                continue;
            }

            if (word is "-n" or "--namespace" && i + 1 < words.Count)
            {
                ns = words[++i];
            }
            else if (word.StartsWith("--image=", StringComparison.Ordinal))
            {
                image = word["--image=".Length..];
            }
            else if (word.StartsWith("--target=", StringComparison.Ordinal))
            {
                container = word["--target=".Length..];
            }
            else if (!word.StartsWith('-') && target is null)
            {
                target = word;
            }
            else
            {
                // A form this class does not know stays as written.
                return (command, null);
            }
        }

        if (target is null || image is null)
        {
            return (command, null);
        }

        var openShift = known.Distribution == Distributions.OpenShift;
        if (target.StartsWith("node/", StringComparison.Ordinal))
        {
            // A node's debug pod is a plain pod: every version runs it; OpenShift's users have oc (which has no -i).
            return openShift ? ($"oc debug {Oc(target)} --image={image} -- {tail}", null) : (command, null);
        }

        var pod = Plain(target) is { } name ? known.DebugPods.GetValueOrDefault($"{Plain(ns ?? "default")}/{name}") : null;
        var node = pod?.Node is { } n && CommandValue.Fits(n, CommandValueKind.ObjectName) ? n : null;
        if (openShift)
        {
            var nsPart = ns is null ? "" : $"-n {Oc(ns)} ";
            var containerPart = container is null ? "" : $"-c {container} ";
            var nodePart = node is null ? "" : $" --node-name={ShellWords.Quote(node)}";
            return ($"oc debug {nsPart}pod/{Oc(target)} {containerPart}--one-container --image={image}{nodePart} -- {tail}", null);
        }

        var run = $"kubectl run {RunPodName} {(ns is null ? "" : $"-n {ns} ")}-i --rm --restart=Never --image={image}"
            + $" --overrides={ShellWords.Quote(Overrides(node, container is not null ? new DebugPod(node, "Default") : pod))} -- {tail}";
        var place = node is null ? "in the pod's namespace" : "on the pod's node, in its namespace,";
        if (known.KubernetesVersion is { } version)
        {
            return version.CompareTo(EphemeralDefault) >= 0 ? (command, null)
                : (run, $"the nodes run Kubernetes {version.Original}, before 1.23: no ephemeral container for kubectl debug, so a pod of its own asks {place} with the pod's DNS settings");
        }

        return (command, $"before Kubernetes 1.23 (or without the right to create pods/ephemeralcontainers) kubectl debug refuses; a pod of its own asks {place} instead: {run}");
    }

    /// <summary>The pod spec a fallback pod overrides: the node, and the DNS settings of the pod it stands for.</summary>
    private static string Overrides(string? node, DebugPod? pod)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            json.WriteString("apiVersion", "v1");
            json.WriteStartObject("spec");
            if (node is not null)
            {
                json.WriteString("nodeName", node);
            }

            if (pod?.HostNetwork == true)
            {
                json.WriteBoolean("hostNetwork", true);
            }

            if (pod?.DnsPolicy is { } policy && OneOfAttribute.ValuesOf(typeof(DnsPolicies)).Contains(policy, StringComparer.Ordinal))
            {
                json.WriteString("dnsPolicy", policy);
            }

            if (pod?.DnsConfig is { } config)
            {
                json.WriteStartObject("dnsConfig");
                WriteList(json, "nameservers", config.Nameservers);
                WriteList(json, "searches", config.Searches);
                json.WriteStartArray("options");
                foreach (var option in config.Options)
                {
                    json.WriteStartObject();
                    var colon = option.IndexOf(':', StringComparison.Ordinal);
                    json.WriteString("name", colon < 0 ? option : option[..colon]);
                    if (colon >= 0)
                    {
                        json.WriteString("value", option[(colon + 1)..]);
                    }

                    json.WriteEndObject();
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void WriteList(Utf8JsonWriter json, string name, IReadOnlyList<string> values)
    {
        json.WriteStartArray(name);
        foreach (var value in values)
        {
            json.WriteStringValue(value);
        }

        json.WriteEndArray();
    }

    /// <summary>A word's own text when it is one plain word (no quote, substitution or placeholder), else null.</summary>
    private static string? Plain(string word) =>
        word.Length > 0 && word.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_') ? word : null;

    /// <summary>A word with its command substitution's kubectl as oc (<c>$(kubectl -n ... get pod ...)</c>), what OpenShift's users run.</summary>
    private static string Oc(string word) => word.Replace("$(kubectl ", "$(oc ", StringComparison.Ordinal);

    /// <summary>The index of the first <c> -- </c> outside quotes and command substitutions, or -1.</summary>
    private static int Separator(string command)
    {
        var words = 0;
        foreach (var (start, end) in Spans(command))
        {
            if (end - start == 2 && command[start] == '-' && command[start + 1] == '-' && words > 0 && end < command.Length
                && command[start - 1] == ' ' && command[end] == ' ')
            {
                return start - 1;
            }

            words++;
        }

        return -1;
    }

    /// <summary>The words of <paramref name="text"/> as written (quotes kept; a <c>$(...)</c> with its blanks is part of its word).</summary>
    private static List<string> RawWords(string text) => Spans(text).Select(s => text[s.Start..s.End]).ToList();

    private static IEnumerable<(int Start, int End)> Spans(string text)
    {
        var start = -1;
        var depth = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (depth == 0 && c is ' ' or '\t')
            {
                if (start >= 0)
                {
                    yield return (start, i);
                    start = -1;
                }

                continue;
            }

            start = start < 0 ? i : start;
            if (c == '\'')
            {
                var close = text.IndexOf('\'', i + 1);
                i = close < 0 ? text.Length - 1 : close;
            }
            else if (c == '"')
            {
                for (i++; i < text.Length && text[i] != '"'; i++)
                {
                    i += text[i] == '\\' ? 1 : 0;
                }
            }
            else if (c == '\\')
            {
                i++;
            }
            else if (c == '$' && i + 1 < text.Length && text[i + 1] == '(')
            {
                depth++;
                i++;
            }
            else if (c == ')' && depth > 0)
            {
                depth--;
            }
        }

        if (start >= 0)
        {
            yield return (start, text.Length);
        }
    }
}

/// <summary>What a debug fallback copies of a pod (<see cref="PodDns"/>, <see cref="CoreDnsPod"/>): its node and DNS settings.</summary>
internal sealed record DebugPod(string? Node, string? DnsPolicy, bool HostNetwork = false, DebugDnsConfig? DnsConfig = null);

/// <summary>A pod's <c>dnsConfig</c>, options as <c>name</c> or <c>name:value</c>.</summary>
internal sealed record DebugDnsConfig(IReadOnlyList<string> Nameservers, IReadOnlyList<string> Searches, IReadOnlyList<string> Options);
