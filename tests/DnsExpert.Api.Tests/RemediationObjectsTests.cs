using System.Text;
using System.Text.Json;
using DnsExpert.Text;

namespace DnsExpert.Api.Tests;

/// <summary>
/// The commands a diagnosis gives (every finding's remediation, every hypothesis's checks, the next checks) paste as
/// given on the distribution the scenario's objects show: none names a cluster DNS object that the snapshot shows does
/// not exist. Played through the real HTTP pipeline over every scenario (each distribution family has some: GKE's
/// kube-dns Deployment, k3s and RKE2, OpenShift's dns-default DaemonSet in openshift-dns, kubespray's coredns Service
/// and nodelocaldns, AKS, EKS). What the snapshot shows is read from its raw objects, never from the product's reading:
/// <list type="bullet">
/// <item>a <c>deployment/X</c>, <c>daemonset/X</c> (or <c>deployment X</c>) whose name says DNS (<c>dns</c> in it, not
/// NodeLocal's nor an autoscaler's) in namespace N, while the snapshot shows DNS workloads (their objects, or the
/// owners of pods whose name says DNS), must be one of them there (<c>scale deployment/coredns</c> on OpenShift,
/// <c>deployment/dns</c> made from a pod's name, fail);</item>
/// <item>a <c>svc X</c> or <c>service X</c> whose name says DNS in N, while the snapshot holds Services whose name says
/// DNS, must be one of those there (<c>get svc kube-dns</c> on OpenShift fails);</item>
/// <item><c>logs POD</c> in N, while the snapshot holds that pod in another namespace only, fails;</item>
/// <item><c>ethtool -S DEVICE</c>, while the snapshot holds reads of the nodes' counters, must name a device read
/// (<c>eth0</c> where RHCOS's nodes were read as <c>ens5</c> fails).</item>
/// </list>
/// </summary>
public sealed class RemediationObjectsTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private static readonly string ScenarioRoot = Path.Combine(ApiFactory.RepoRoot, "tests", "scenarios");
    private readonly HttpClient _client = factory.CreateClient();

    public static TheoryData<string> Scenarios() => new(
        Directory.EnumerateFiles(ScenarioRoot, "*.json", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(ScenarioRoot, f))
            .Where(f => !f.StartsWith('_') && !f.EndsWith(".expect.json", StringComparison.Ordinal)
                && (Path.GetFileName(f).StartsWith("fires-", StringComparison.Ordinal) || Path.GetFileName(f).StartsWith("near-miss-", StringComparison.Ordinal)))
            .Order(StringComparer.Ordinal));

    [Theory]
    [MemberData(nameof(Scenarios))]
    public async Task No_command_names_a_cluster_dns_object_the_snapshot_shows_does_not_exist(string scenario)
    {
        var body = await File.ReadAllTextAsync(Path.Combine(ScenarioRoot, scenario));
        var response = await _client.PostAsync("/api/v1/diagnoses", new StringContent(body, Encoding.UTF8, "application/json"));
        var json = await response.Json();
        Assert.True(response.IsSuccessStatusCode, json.ToString());

        var shown = Shown.Of(JsonDocument.Parse(body).RootElement);
        var wrong = Commands(json).SelectMany(c => Wrong(c.Command, shown).Select(w => $"{c.From}: {w} in `{c.Command}`")).Distinct().ToList();
        Assert.True(wrong.Count == 0, $"{scenario} ({shown.Describe()}):\n{string.Join('\n', wrong)}");
    }

    /// <summary>The test itself: each kind of wrong name is found, and the right one passes.</summary>
    [Fact]
    public void Each_kind_of_name_the_snapshot_refutes_is_found()
    {
        var openShift = new Shown(
            Workloads: [("openshift-dns", "daemonset", "dns-default")], Services: [("openshift-dns", "dns-default")],
            Pods: [("openshift-dns", "dns-default-ltznw")], Devices: ["ens5"]);

        Assert.NotEmpty(Wrong("kubectl -n openshift-dns scale deployment/dns --replicas=4", openShift));
        Assert.NotEmpty(Wrong("kubectl -n openshift-dns patch deployment dns-default -p x", openShift));
        Assert.NotEmpty(Wrong("sed \"s/X/$(kubectl -n openshift-dns get svc kube-dns -o jsonpath='{.spec.clusterIP}')/g\" f", openShift));
        Assert.NotEmpty(Wrong("kubectl -n kube-system logs dns-default-ltznw --tail=50", openShift));
        Assert.NotEmpty(Wrong("kubectl debug node/n -it --image=busybox -- chroot /host sh -c 'ethtool -S eth0; sleep 60; ethtool -S eth0'", openShift));

        Assert.Empty(Wrong("kubectl -n openshift-dns rollout restart daemonset/dns-default && kubectl -n openshift-dns get svc dns-default", openShift));
        Assert.Empty(Wrong("kubectl -n openshift-dns logs dns-default-ltznw --tail=50", openShift));
        Assert.Empty(Wrong("kubectl debug node/n -it --image=busybox -- chroot /host sh -c 'ethtool -S ens5; sleep 60; ethtool -S ens5'", openShift));
        // NodeLocal DNSCache's objects are not the cluster DNS's; a snapshot that shows no DNS workload refutes none.
        Assert.Empty(Wrong("kubectl -n kube-system rollout restart daemonset/node-local-dns", openShift));
        Assert.Empty(Wrong("kubectl -n kube-system scale deployment/coredns --replicas=2", new Shown([], [], [], [])));
    }

    /// <summary>Every command of the response, with where it was given.</summary>
    private static IEnumerable<(string From, string Command)> Commands(JsonElement json)
    {
        foreach (var finding in json.GetProperty("findings").EnumerateArray())
        {
            foreach (var step in finding.GetProperty("remediation").EnumerateArray())
            {
                if (step.TryGetProperty("command", out var command) && command.GetString() is { } text)
                {
                    yield return ($"{finding.GetProperty("ruleId").GetString()} remediation", text);
                }
            }
        }

        foreach (var hypothesis in json.TryGetProperty("hypotheses", out var hs) ? hs.EnumerateArray() : default)
        {
            foreach (var check in hypothesis.TryGetProperty("checks", out var cs) ? cs.EnumerateArray() : default)
            {
                if (check.TryGetProperty("command", out var command) && command.GetString() is { } text)
                {
                    yield return ($"{hypothesis.GetProperty("ruleId").GetString()} check", text);
                }
            }
        }

        foreach (var check in json.TryGetProperty("nextChecks", out var next) ? next.EnumerateArray() : default)
        {
            yield return ("next check", check.GetProperty("command").GetString()!);
        }
    }

    /// <summary>What in <paramref name="command"/> names a cluster DNS object <paramref name="shown"/> refutes.</summary>
    private static IEnumerable<string> Wrong(string command, Shown shown)
    {
        foreach (var segment in Segments(command))
        {
            var ns = Flag(segment, "-n") ?? Flag(segment, "--namespace") ?? "default";
            for (var i = 0; i < segment.Count; i++)
            {
                var (kind, name) = Reference(segment, i);
                if (kind is "deployment" or "daemonset" && SaysDns(name!) && shown.Workloads.Count > 0 && !shown.Workloads.Contains((ns, kind, name!)))
                {
                    yield return $"{kind}/{name} in {ns}, where the snapshot shows {string.Join(", ", shown.Workloads.Select(w => $"{w.Kind}/{w.Name} in {w.Namespace}"))}";
                }

                if (kind == "service" && SaysDns(name!) && shown.Services.Any(s => SaysDns(s.Name)) && !shown.Services.Contains((ns, name!)))
                {
                    yield return $"Service {name} in {ns}, where the snapshot shows {string.Join(", ", shown.Services.Where(s => SaysDns(s.Name)).Select(s => $"{s.Name} in {s.Namespace}"))}";
                }

                if (segment[i] == "logs" && i + 1 < segment.Count && shown.Pods.Any(p => p.Name == segment[i + 1]) && !shown.Pods.Contains((ns, segment[i + 1])))
                {
                    yield return $"pod {segment[i + 1]} in {ns}, where the snapshot shows it in {string.Join(", ", shown.Pods.Where(p => p.Name == segment[i + 1]).Select(p => p.Namespace))}";
                }

                if (segment[i] is "-S" or "--statistics" && i > 0 && segment[i - 1] == "ethtool" && i + 1 < segment.Count && shown.Devices.Count > 0
                    && !shown.Devices.Contains(segment[i + 1]))
                {
                    yield return $"interface {segment[i + 1]}, where the snapshot's reads show {string.Join(", ", shown.Devices)}";
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

    /// <summary>
    /// What a scenario's objects show: the cluster DNS workloads (the Deployments and DaemonSets whose name says DNS, and
    /// the owners of pods whose name says DNS), the Services and pods, and the devices its nodes' counters were read on.
    /// </summary>
    private sealed record Shown(
        HashSet<(string Namespace, string Kind, string Name)> Workloads, HashSet<(string Namespace, string Name)> Services,
        HashSet<(string Namespace, string Name)> Pods, HashSet<string> Devices)
    {
        public static Shown Of(JsonElement request)
        {
            var shown = new Shown([], [], [], []);
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
    }
}
