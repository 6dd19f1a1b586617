using System.Text.Json;
using DnsExpert.Testing;
using DnsExpert.Text;

namespace DnsExpert.Engine.Tests;

/// <summary>
/// No rule's command (a remediation's, a collect check's, its <c>otherwise</c>) writes a cluster DNS name as text where
/// the snapshot knows the cluster's own: the distributions name them otherwise (GKE's kube-dns Deployment, RKE2's
/// rke2-coredns-rke2-coredns, OpenShift's dns-default DaemonSet in openshift-dns, kubespray's coredns Service,
/// RHCOS's ens5), so every such name is a <c>{{ known.* }}</c> value (ClusterDnsNamespace, ClusterDnsWorkload,
/// ClusterDnsService, ClusterDnsSelector, CorefileConfigMap, ClusterDnsContainer, ClusterDnsServiceAccount,
/// CoreDnsNodeInterface) or a fact's. Read from every rule file's text, so a rule added later is held to it too,
/// whether or not a scenario of each distribution plays it (RemediationObjectsTests plays those that exist).
/// </summary>
public sealed class RuleCommandNamesTests
{
    /// <summary>Names written as text on purpose, per rule file and fragment, each with why it holds on every distribution.</summary>
    private static readonly Dictionary<(string Rule, string Fragment), string> Allowed = new()
    {
        [("coredns-custom-invalid", "configmap coredns-custom")] =
            "ConfigMap coredns-custom exists only where the Corefile imports it, AKS's and k3s's kube-system, and only their CoreDNS reads it: the rule fires on nothing else",
    };

    public static TheoryData<string> RuleFiles() =>
        new(Directory.EnumerateFiles(RepoPaths.Rules, "*.yaml").Select(Path.GetFileNameWithoutExtension).OfType<string>().Order(StringComparer.Ordinal));

    [Theory]
    [MemberData(nameof(RuleFiles))]
    public void No_command_writes_a_cluster_dns_name_the_snapshot_knows(string rule)
    {
        var yaml = YamlAsJson.Read(File.ReadAllText(Path.Combine(RepoPaths.Rules, rule + ".yaml")));
        var found = Commands(yaml).SelectMany(c => HardCoded(c).Select(h => (Command: c, h.Fragment, h.Why)))
            .Where(h => !Allowed.ContainsKey((rule, h.Fragment))).Select(h => $"{h.Why}: `{h.Fragment}` in `{h.Command}`").ToList();

        Assert.True(found.Count == 0, $"rules/{rule}.yaml:\n{string.Join('\n', found)}");
    }

    /// <summary>
    /// No rule's command holds a placeholder for the user to fill in (<c>&lt;node&gt;</c>, <c>--replicas=&lt;n&gt;</c>,
    /// <c>nsenter -t &lt;coredns pid&gt;</c>, a <c>PROMETHEUS</c> URL): every command pastes as given, a value the answer
    /// lacks is found by the command itself (<c>$(kubectl get ...)</c>) or the step says in words what to run. A value
    /// <see cref="Commands.KnownValues"/> does not know yet is its own placeholder, written by DnsExpert where a check is
    /// left to fill (never in the rule's text). Both the literal text and a hole's own fallback (<c>x ?? "&lt;node&gt;"</c>) count.
    /// </summary>
    [Theory]
    [MemberData(nameof(RuleFiles))]
    public void No_command_holds_a_placeholder_for_the_user_to_fill(string rule)
    {
        var yaml = YamlAsJson.Read(File.ReadAllText(Path.Combine(RepoPaths.Rules, rule + ".yaml")));
        var found = Commands(yaml).Where(c => Placeholder(c) is not null).Select(c => $"`{Placeholder(c)}` in `{c}`").ToList();

        Assert.True(found.Count == 0, $"rules/{rule}.yaml:\n{string.Join('\n', found)}");
    }

    [Theory]
    [InlineData("kubectl -n {{ known.ClusterDnsNamespace }} scale {{ known.ClusterDnsWorkload }} --replicas=<n>", "<n")]
    [InlineData("nsenter -t <coredns pid> -n -- dig x", "<c")]
    [InlineData("kubectl get pods --field-selector spec.nodeName={{ upstream.Node ?? \"<node>\" }}", "<n")]
    [InlineData("curl -sG PROMETHEUS/api/v1/query --data-urlencode 'query=up'", "PROMETHEUS")]
    [InlineData("kubectl exec -it <client pod> -- nslookup x", "<c")]
    public void A_placeholder_in_a_command_is_found(string command, string placeholder) => Assert.Equal(placeholder, Placeholder(command));

    [Theory]
    [InlineData("dig {{ log.Endpoint.IndexOf(\":\") < 0 ? log.Endpoint : \"x\" }}")]
    [InlineData("kubectl get --raw /metrics < /dev/null | grep -c x")]
    [InlineData("kubectl -n {{ known.ClusterDnsNamespace }} scale {{ known.ClusterDnsWorkload }} {{ known.ClusterDnsScaleArguments }}")]
    public void A_command_without_a_placeholder_passes(string command) => Assert.Null(Placeholder(command));

    /// <summary>The first placeholder of <paramref name="command"/>: a <c>&lt;</c> followed by a letter, or <c>PROMETHEUS</c>; null without one.</summary>
    private static string? Placeholder(string command)
    {
        for (var i = 0; i + 1 < command.Length; i++)
        {
            if (command[i] == '<' && char.IsAsciiLetter(command[i + 1]))
            {
                return command.Substring(i, 2);
            }
        }

        return command.Contains("PROMETHEUS", StringComparison.Ordinal) ? "PROMETHEUS" : null;
    }

    /// <summary>The test itself: the commands the last review found (and their kin) are refused, their known forms pass.</summary>
    [Theory]
    [InlineData("kubectl -n {{ dnspod.Namespace }} scale deployment/{{ dnspod.Deployment }} --replicas=4", "a workload named by a pod's name")]
    [InlineData("kubectl -n kube-system set image deployment/coredns coredns=registry.k8s.io/coredns/coredns:v1.11.3", "a cluster DNS workload")]
    [InlineData("kubectl -n {{ dnspod.Namespace }} get svc kube-dns -o jsonpath='{.spec.clusterIP}'", "a cluster DNS Service")]
    [InlineData("kubectl -n kube-system patch service kube-dns --type merge -p x", "a cluster DNS Service")]
    [InlineData("kubectl -n kube-system logs {{ log.Pod }} --tail=50", "the cluster DNS namespace")]
    [InlineData("kubectl logs -n kube-system -l k8s-app=kube-dns", "the cluster DNS pods' labels")]
    [InlineData("sh -c 'ethtool -S eth0; sleep 60; ethtool -S eth0'", "an interface")]
    [InlineData("kubectl -n kube-system edit configmap coredns", "the Corefile ConfigMap")]
    [InlineData("kubectl auth can-i list services --as=system:serviceaccount:kube-system:coredns", "the cluster DNS service account")]
    public void A_hard_coded_cluster_dns_name_is_found(string command, string why)
    {
        Assert.Contains(HardCoded(command), h => h.Why == why);
    }

    [Theory]
    [InlineData("kubectl -n {{ known.ClusterDnsNamespace }} scale {{ known.ClusterDnsWorkload }} --replicas=4")]
    [InlineData("kubectl -n {{ known.ClusterDnsNamespace }} get svc {{ known.ClusterDnsService }} -o jsonpath='{.spec.clusterIP}'")]
    [InlineData("kubectl -n {{ known.ClusterDnsNamespace }} logs {{ log.Pod }} --tail=50")]
    [InlineData("sh -c 'ethtool -S {{ known.CoreDnsNodeInterface }}; sleep 60; ethtool -S {{ known.CoreDnsNodeInterface }}'")]
    [InlineData("kubectl -n kube-system logs -l k8s-app=node-local-dns --prefix --tail=200")]
    [InlineData("kubectl -n kube-system get pod -l k8s-app=kube-proxy -o wide")]
    [InlineData("kubectl get daemonset -n kube-system -o json")]
    public void A_known_name_or_another_components_passes(string command)
    {
        Assert.Empty(HardCoded(command));
    }

    /// <summary>Every command of a rule file: remediation steps', collect checks' and their <c>otherwise</c>.</summary>
    private static IEnumerable<string> Commands(JsonElement node)
    {
        switch (node.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in node.EnumerateObject())
                {
                    if (property.Name is "command" or "otherwise" && property.Value.ValueKind == JsonValueKind.String)
                    {
                        yield return property.Value.GetString()!;
                    }
                    else
                    {
                        foreach (var command in Commands(property.Value))
                        {
                            yield return command;
                        }
                    }
                }

                break;
            case JsonValueKind.Array:
                foreach (var item in node.EnumerateArray())
                {
                    foreach (var command in Commands(item))
                    {
                        yield return command;
                    }
                }

                break;
        }
    }

    /// <summary>
    /// The cluster DNS names <paramref name="command"/> writes as text (its holes are values, not text): a workload, a
    /// Service, the pods' labels, the namespace with a CoreDNS pod's log, the Corefile ConfigMap, the service account,
    /// an interface.
    /// </summary>
    private static IEnumerable<(string Fragment, string Why)> HardCoded(string command)
    {
        var words = Words(WithoutHoles(command));
        for (var i = 0; i < words.Length; i++)
        {
            var (word, next) = (words[i], i + 1 < words.Length ? words[i + 1] : "");
            var slash = word.IndexOf('/', StringComparison.Ordinal);
            if (slash > 0 && word[..slash] is "deployment" or "deploy" or "daemonset" or "ds")
            {
                var name = word[(slash + 1)..];
                if (name == Hole)
                {
                    yield return (word, "a workload named by a pod's name");
                }
                else if (SaysDns(name))
                {
                    yield return (word, "a cluster DNS workload");
                }
            }

            if (word is "deployment" or "daemonset" && SaysDns(next) && i > 0 && words[i - 1] is "get" or "scale" or "patch" or "edit" or "restart" or "describe")
            {
                yield return ($"{word} {next}", "a cluster DNS workload");
            }

            if (word is "svc" or "service" && SaysDns(next))
            {
                yield return ($"{word} {next}", "a cluster DNS Service");
            }

            if (word is "configmap" or "cm" && next is "coredns" or "coredns-custom" or "dns-default" or "kube-dns" or "rke2-coredns-rke2-coredns")
            {
                yield return ($"{word} {next}", "the Corefile ConfigMap");
            }

            if (word.Contains("k8s-app=kube-dns", StringComparison.Ordinal) || word.Contains("k8s-app=coredns", StringComparison.Ordinal))
            {
                yield return (word, "the cluster DNS pods' labels");
            }

            if (word.StartsWith("--as=system:serviceaccount:", StringComparison.Ordinal) && !word.Contains(Hole, StringComparison.Ordinal))
            {
                yield return (word, "the cluster DNS service account");
            }

            if (word == "ethtool" && next is "-S" or "--statistics" && i + 2 < words.Length && words[i + 2] != Hole)
            {
                yield return ($"ethtool {next} {words[i + 2]}", "an interface");
            }

            if (word == "logs" && next == Hole && Segment(words, i).Contains("kube-system"))
            {
                yield return ("-n kube-system ... logs", "the cluster DNS namespace");
            }
        }
    }

    /// <summary>The words of a command line, a quoted script's (<c>sh -c '...'</c>, <c>"...$(...)..."</c>) in place of it.</summary>
    private static string[] Words(string text) =>
        [.. ShellWords.Split(text.Replace(";", " ; ", StringComparison.Ordinal).Replace("$(", " ", StringComparison.Ordinal))
            .SelectMany(w => w.Contains(' ', StringComparison.Ordinal) ? Words(w) : [w])];

    /// <summary>What a hole is written as once its expression is taken out.</summary>
    private const string Hole = "HOLE";

    private static string WithoutHoles(string command)
    {
        var text = command;
        for (var open = text.IndexOf("{{", StringComparison.Ordinal); open >= 0; open = text.IndexOf("{{", StringComparison.Ordinal))
        {
            var close = text.IndexOf("}}", open, StringComparison.Ordinal);
            text = text[..open] + Hole + (close < 0 ? "" : text[(close + 2)..]);
        }

        return text;
    }

    /// <summary>The words of the simple command word <paramref name="at"/> is in (between <c>&amp;&amp;</c>, <c>|</c>, <c>;</c>).</summary>
    private static List<string> Segment(string[] words, int at)
    {
        var start = Array.FindLastIndex(words, at, w => w is "&&" or "||" or "|" or ";") + 1;
        var end = Array.FindIndex(words, at, w => w is "&&" or "||" or "|" or ";");
        return [.. words[start..(end < 0 ? words.Length : end)]];
    }

    /// <summary>A name that says it is the cluster DNS's (coredns, kube-dns, dns-default, rke2-coredns-rke2-coredns), not NodeLocal's nor an autoscaler's.</summary>
    private static bool SaysDns(string name) =>
        name.Contains("dns", StringComparison.Ordinal) && !name.Contains("node-local", StringComparison.Ordinal) && !name.Contains("nodelocal", StringComparison.Ordinal)
        && !name.Contains("autoscaler", StringComparison.Ordinal) && !name.Contains(Hole, StringComparison.Ordinal);
}
