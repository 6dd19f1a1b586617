using System.Text.Json;
using System.Text.Json.Nodes;
using DnsExpert.Contract;
using DnsExpert.Engine.Commands;
using DnsExpert.Engine.Compilation;
using DnsExpert.Engine.Hypotheses;
using DnsExpert.Engine.RuleFiles;
using DnsExpert.Facts;
using DnsExpert.Readers;
using DnsExpert.Readers.Building;
using DnsExpert.Testing;
using DnsExpert.Text;

namespace DnsExpert.Engine.Tests;

/// <summary>
/// Every <c>kubectl debug</c> command of the rule base as the cluster runs it (<see cref="DebugCommands"/>): OpenShift's
/// snapshot gives <c>oc debug</c>; a snapshot whose node runs kubelet v1.22.8 (a real node,
/// tests/fixtures/kubectl-json/node-kubeadm-v1.22.8.json) gives a pod of its own for an ephemeral container; one of
/// 1.23 and later keeps the command; an unknown version keeps it with the fallback in a note. The command run inside
/// stays word for word, and no value becomes an option.
/// </summary>
public sealed class DebugCommandsTests
{
    private static readonly RuleBase Rules = RuleBaseLoader.Load(RepoPaths.Rules);
    private static readonly JsonSerializerOptions WebJson = new(JsonSerializerDefaults.Web);

    private const string OpenShiftScenario = "cloud-resolver-packet-limit/fires-openshift-on-aws-vpc-resolver-timeouts-with-linklocal-rising.json";
    private const string KubeadmScenario = "vxlan-checksum-offload/fires-kubeadm-cross-node-split-with-offload-on.json";

    [Fact]
    public void On_openshift_every_debug_command_is_oc_debug_with_the_same_command_inside()
    {
        var (facts, known) = Known(Scenario(OpenShiftScenario));
        Assert.Equal(Distributions.OpenShift, known.Distribution);
        var commands = DebugCommandsOf(facts, known);
        Assert.True(commands.Count >= 10, $"{commands.Count} kubectl debug commands rendered");
        foreach (var (rule, command, adapt) in commands)
        {
            var (adapted, note) = adapt(known);
            Assert.Null(note);
            var words = ShellSyntax.Tokenize(adapted);
            Assert.True(words is ["oc", "debug", ..], $"{rule}: {adapted}");
            // oc debug has no -i (its -I is --no-stdin): a command runs without a terminal.
            Assert.DoesNotContain(words, w => w is "-i" or "-it");
            Assert.Equal(Inside(command), Inside(adapted));
            AssertReadAsRunInside(adapted);
            if (!command.StartsWith("kubectl debug node/", StringComparison.Ordinal))
            {
                Assert.Contains("--one-container", words);
                Assert.Contains(words, w => w.StartsWith("pod/", StringComparison.Ordinal));
            }
        }
    }

    [Fact]
    public void A_cluster_whose_kubelet_is_1_22_gets_a_pod_of_its_own_on_the_pods_node_for_an_ephemeral_container()
    {
        // The scenario's nodes (v1.29.6) replaced by the real v1.22.8 node.
        var scenario = KubeadmWithoutNodes();
        scenario["snapshot"]!["objects"]!.AsArray().Add(JsonNode.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "tests", "fixtures", "kubectl-json", "node-kubeadm-v1.22.8.json"))));
        var (facts, known) = Known(scenario.Deserialize<DiagnosisRequest>(WebJson)!);
        Assert.Equal("v1.22.8", known.KubernetesVersion?.Original);

        var commands = DebugCommandsOf(facts, known);
        var pods = 0;
        foreach (var (rule, command, adapt) in commands)
        {
            var (adapted, note) = adapt(known);
            if (command.StartsWith("kubectl debug node/", StringComparison.Ordinal))
            {
                // A node's debug pod is a plain pod: it runs on 1.22.
                Assert.Equal(command, adapted);
                continue;
            }

            pods++;
            var words = ShellSyntax.Tokenize(adapted);
            Assert.True(words is ["kubectl", "run", DebugCommands.RunPodName, ..], $"{rule}: {adapted}");
            Assert.Contains("--rm", words);
            Assert.Contains("v1.22.8", note);
            // The version is the oldest of the kubelets and the API server: the note does not say every node runs it.
            Assert.DoesNotContain("the nodes run", note, StringComparison.Ordinal);
            Assert.Equal(Inside(command), Inside(adapted));
            AssertReadAsRunInside(adapted);
            var spec = Overrides(words)["spec"]!;
            if (command.Contains("--target=", StringComparison.Ordinal))
            {
                // A CoreDNS pod's place: its dnsPolicy (Default), and its node once the pod is known.
                Assert.Equal("Default", (string?)spec["dnsPolicy"]);
                if (ShellWords.Split(command).Contains("coredns-5d78c9869d-abcde"))
                {
                    Assert.Equal("k8s-worker-01", (string?)spec["nodeName"]);
                }
            }
        }

        Assert.True(pods >= 8, $"{pods} ephemeral-container commands");
    }

    [Fact]
    public void A_pasted_kubectl_version_of_a_server_before_1_23_without_nodes_gives_the_pod_of_its_own()
    {
        // The scenario's nodes removed: only the API server's version says it (kubectl version -o json of a real v1.14.3 server).
        var request = KubeadmWithoutNodes().Deserialize<DiagnosisRequest>(WebJson)!;
        Assert.Null(Known(request).Known.KubernetesVersion);
        var version = File.ReadAllText(Path.Combine(RepoPaths.Root, "tests", "fixtures", "kubectl-version", "json-v1.15-server-v1.14.3.json"));
        request.Snapshot!.Outputs = [.. request.Snapshot.Outputs ?? [], new CommandOutput { Command = "kubectl version -o json", Text = version }];
        var (facts, known) = Known(request);
        Assert.Equal("v1.14.3", known.KubernetesVersion?.Original);

        var pods = DebugCommandsOf(facts, known).Where(c => !c.Command.StartsWith("kubectl debug node/", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(pods);
        Assert.All(pods, c => Assert.StartsWith($"kubectl run {DebugCommands.RunPodName} ", c.Adapt(known).Command, StringComparison.Ordinal));
    }

    [Fact]
    public void A_cluster_of_1_23_or_later_keeps_every_command_and_an_unknown_version_adds_the_fallback()
    {
        var (facts, known) = Known(Scenario(KubeadmScenario));
        Assert.Equal("v1.29.6", known.KubernetesVersion?.Original);
        var commands = DebugCommandsOf(facts, known);
        Assert.All(commands, c => Assert.Equal((c.Command, (string?)null), c.Adapt(known)));

        var unknown = known with { KubernetesVersion = null };
        foreach (var (rule, command, adapt) in commands.Where(c => !c.Command.StartsWith("kubectl debug node/", StringComparison.Ordinal)))
        {
            var (adapted, note) = adapt(unknown);
            Assert.Equal(command, adapted);
            Assert.True(note?.Contains($"kubectl run {DebugCommands.RunPodName} ", StringComparison.Ordinal) == true, $"{rule}: {note}");
        }
    }

    [Fact]
    public void A_check_is_given_as_the_cluster_runs_it()
    {
        var (_, known) = Known(Scenario(OpenShiftScenario));
        var checks = Rules.Rules.SelectMany(r => r.Checks).Where(c => c.Command.Render([known]).StartsWith("kubectl debug -n", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(checks);
        Assert.All(checks, c => Assert.StartsWith("oc debug -n ", HypothesisBuilder.CheckOf(c, known).Command, StringComparison.Ordinal));
    }

    public static TheoryData<int> Corpus => HostileCorpus.Indexes;

    /// <summary>Hostile text in the values the fallback copies (a node name, dnsConfig) stays inside the one override word, or is left out.</summary>
    [Theory]
    [MemberData(nameof(Corpus))]
    public void A_hostile_value_in_a_pods_settings_stays_inside_the_override_word(int index)
    {
        var value = HostileCorpus.Values[index];
        var pod = new DebugPod(value, DnsPolicies.None, DnsConfig: new DebugDnsConfig([value], [value, "svc.cluster.local"], ["ndots:" + value, value]));
        var known = new KnownValues
        {
            KubernetesVersion = new ReleaseVersion([1, 21, 14], "", "v1.21.14"),
            DebugPods = new Dictionary<string, DebugPod>(StringComparer.Ordinal) { ["shop/web-0"] = pod },
        };
        const string command = "kubectl debug -n shop web-0 -i --image=registry.k8s.io/e2e-test-images/jessie-dnsutils:1.3 -- dig @10.96.0.10 kubernetes.default.svc.cluster.local +tries=1";
        var (adapted, _) = Written(command, known);
        var words = ShellSyntax.Tokenize(adapted);
        Assert.Equal(["kubectl", "run", DebugCommands.RunPodName, "-n", "shop", "-i", "--rm", "--restart=Never", "--image=registry.k8s.io/e2e-test-images/jessie-dnsutils:1.3"],
            words.Take(9));
        Assert.Equal(Inside(command), Inside(adapted));
        Assert.Single(words, w => w.StartsWith("--overrides=", StringComparison.Ordinal));
        var spec = Overrides(words)["spec"]!;
        Assert.Equal(CommandValue.Fits(value, CommandValueKind.ObjectName) ? value : null, (string?)spec["nodeName"]);
        Assert.Equal("None", (string?)spec["dnsPolicy"]);
        Assert.Equal(value, (string?)spec["dnsConfig"]!["searches"]![0]);
        Assert.Equal("ndots", (string?)spec["dnsConfig"]!["options"]![0]!["name"]);
        Assert.Equal(value, (string?)spec["dnsConfig"]!["options"]![0]!["value"]);
    }

    [Fact]
    public void A_separator_inside_a_quoted_value_is_no_separator_and_an_unknown_flag_keeps_the_command()
    {
        var known = new KnownValues { Distribution = Distributions.OpenShift };
        var (adapted, _) = Written("kubectl debug -n shop 'a -- b' -i --image=busybox:1.36 --target=coredns -- nslookup x", known);
        Assert.Equal("oc debug -n shop pod/'a -- b' -c coredns --one-container --image=busybox:1.36 -- nslookup x", adapted);
        const string copy = "kubectl debug -n shop web-0 -i --image=busybox --copy-to=x -- nslookup x";
        Assert.Equal(copy, Written(copy, known).Command);
        const string node = "kubectl debug node/$(kubectl -n shop get pod web-0 -o jsonpath='{.spec.nodeName}') -it --image=busybox -- chroot /host cat /etc/resolv.conf";
        Assert.Equal("oc debug node/$(oc -n shop get pod web-0 -o jsonpath='{.spec.nodeName}') --image=busybox -- chroot /host cat /etc/resolv.conf",
            Written(node, known).Command);
    }

    /// <summary>A paste of the command's output is read as the output of the command inside, run in the pod or on the node it names.</summary>
    private static void AssertReadAsRunInside(string adapted)
    {
        var words = ShellWords.Split(adapted);
        words = words is ["oc", ..] ? ["kubectl", .. words[1..]] : words;
        var exec = PastedOutputs.ExecTarget(words);
        Assert.True(exec is not null, adapted);
        var inside = words[(Array.IndexOf(words, "--") + 1)..];
        // On a node the node's own command runs under /host.
        Assert.Equal(inside is ["chroot", "/host", _, ..] ? inside[2..] : inside, exec.Value.Command);
        Assert.True(exec.Value.From is null || exec.Value.From.Contains('/', StringComparison.Ordinal), adapted);
    }

    /// <summary>The words after the first <c>--</c>: the command the debug container runs.</summary>
    private static List<string> Inside(string command)
    {
        var words = ShellSyntax.Tokenize(command);
        return words.Skip(words.IndexOf("--") + 1).ToList();
    }

    private static JsonNode Overrides(List<string> words) =>
        JsonNode.Parse(words.Single(w => w.StartsWith("--overrides=", StringComparison.Ordinal))["--overrides=".Length..])!;

    /// <summary>The kubeadm scenario's request without its Node objects: no kubelet shows the version.</summary>
    private static JsonNode KubeadmWithoutNodes()
    {
        var scenario = JsonNode.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "tests", "scenarios", KubeadmScenario)))!;
        var objects = scenario["snapshot"]!["objects"]!.AsArray();
        foreach (var node in objects.Where(o => (string?)o!["kind"] == "Node").ToList())
        {
            objects.Remove(node);
        }

        return scenario;
    }

    private static DiagnosisRequest Scenario(string path) =>
        JsonSerializer.Deserialize<DiagnosisRequest>(File.ReadAllText(Path.Combine(RepoPaths.Root, "tests", "scenarios", path)), WebJson)!;

    private static (IReadOnlyList<object> Facts, KnownValues Known) Known(DiagnosisRequest request)
    {
        var facts = SnapshotFactBuilder.Build(request).Facts;
        return (facts, KnownValues.From(facts, request.Target?.Namespace, request.Target?.Pod, request.Domain, null));
    }

    /// <summary>A command the rule's author wrote as it is (a template without holes), as <paramref name="known"/>'s cluster runs it.</summary>
    private static (string Command, string? Note) Written(string command, KnownValues known) =>
        new CompiledTemplate([command], HoleEncoding.ShellWord).ForCluster([known], command, known);

    /// <summary>
    /// Every check and remediation command of the rule base that starts with kubectl debug, rendered over the snapshot's
    /// facts (a made fact where it has none), with its form on a cluster (<see cref="CompiledTemplate.ForCluster"/>).
    /// </summary>
    private static List<(string Rule, string Command, Func<KnownValues, (string Command, string? Note)> Adapt)> DebugCommandsOf(IReadOnlyList<object> facts, KnownValues known)
    {
        var commands = new List<(string, string, Func<KnownValues, (string, string?)>)>();
        void Add(string rule, CompiledTemplate template, object[] matched)
        {
            var command = template.Render(matched);
            if (command.StartsWith("kubectl debug ", StringComparison.Ordinal) && !commands.Any(c => c.Item1 == rule && c.Item2 == command))
            {
                // The cluster's known values are the last of the matched facts: a cluster of another kind replaces them.
                commands.Add((rule, command, k => template.ForCluster([.. matched[..^1], k], command, k)));
            }
        }

        foreach (var rule in Rules.Rules)
        {
            foreach (var check in rule.Checks)
            {
                Add(rule.Id, check.Command, [known]);
                if (check.Otherwise is { } otherwise)
                {
                    Add(rule.Id, otherwise.Command, [known]);
                }
            }

            foreach (var @case in rule.Cases)
            {
                var patterns = rule.Document.Cases[@case.Index].When.Where(p => p.Mode == PatternMode.Match)
                    .Select(p => FactTypes.TryGet(p.FactType, out var t) ? t : throw new InvalidOperationException(p.FactType));
                object[] matched = [.. patterns.Select(t => facts.FirstOrDefault(f => f.GetType() == t) ?? RemediationOnEachDistributionTests.AnyFact(t)), known];
                foreach (var r in @case.Remediation.Where(r => r.Command is not null && RemediationOnEachDistributionTests.Given(r, matched)))
                {
                    Add(rule.Id, r.Command!, matched);
                }
            }
        }

        return commands;
    }

    [Fact]
    public void Every_debug_command_of_the_rule_base_is_read_from_its_template_words()
    {
        // A rule's kubectl debug command in a form DebugShape does not know would stay kubectl debug on every cluster.
        var templates = Rules.Rules.SelectMany(r => r.Checks.SelectMany(c => c.Otherwise is { } o ? [c.Command, o.Command] : new[] { c.Command })
                .Concat(r.Cases.SelectMany(c => c.Remediation).Select(m => m.Command).OfType<CompiledTemplate>())
                .Select(t => (Rule: r.Id, Template: t)))
            .Where(t => t.Template.Render([new KnownValues()]).StartsWith("kubectl debug ", StringComparison.Ordinal)).ToList();
        Assert.True(templates.Count >= 20, $"{templates.Count} kubectl debug templates");
        Assert.All(templates, t => Assert.True(t.Template.Debug is not null, t.Rule));
    }
}
