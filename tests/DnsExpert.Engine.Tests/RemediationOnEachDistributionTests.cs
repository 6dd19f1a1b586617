using System.Reflection;
using System.Text.Json;
using DnsExpert.Contract;
using DnsExpert.Engine.Commands;
using DnsExpert.Engine.Compilation;
using DnsExpert.Engine.RuleFiles;
using DnsExpert.Readers;
using DnsExpert.Testing;

namespace DnsExpert.Engine.Tests;

/// <summary>
/// Every rule's remediation, rendered on a snapshot of each distribution family, whether or not that rule fires there:
/// each case's patterns take the first fact of their type the snapshot gives (a fact of any content when it gives none),
/// <c>known</c> what the snapshot shows, and each step that its <c>when:</c> gives must name no cluster DNS object the
/// snapshot's raw objects refute (<see cref="ShownObjects"/>: a DNS workload, a Service, a pod's namespace, an
/// interface read). The snapshot of each family is the scenario that shows the most of its cluster DNS (its
/// workload or its pods' owner, its Service, its nodes); the scenarios' distributions are checked by
/// ScenarioDistributionTests. A made fact's names (<c>x</c>) are no cluster's: a command that builds a cluster DNS
/// object's name or namespace from a fact where a known value says it (a CoreDNS metrics fact's namespace and a
/// Deployment cut from its pod's name) fails here on every family, as the rule files of main before this test did
/// (measured: cloud-resolver-packet-limit, coredns-cpu-throttled, coredns-load-unbalanced, coredns-unknown-directive,
/// pod-dnspolicy-none-without-nameservers on OpenShift's snapshot).
/// </summary>
public sealed class RemediationOnEachDistributionTests
{
    private static readonly RuleBase Rules = RuleBaseLoader.Load(RepoPaths.Rules);
    private static readonly JsonSerializerOptions WebJson = new(JsonSerializerDefaults.Web);

    /// <summary>Each family's scenario (tests/scenarios), and the distribution its expect names.</summary>
    public static TheoryData<string, string> Snapshots() => new()
    {
        { "gke", "app-to-kube-dns-unreachable/fires-gke-node-local-dns-cannot-reach-kube-dns-upstream-on-gke-nodes.json" },
        { "eks", "nodelocal-upstream-timeout/fires-eks-objects-node-local-dns-times-out-to-the-vpc-resolver.json" },
        { "aks", "networkpolicy-blocks-dns-egress/fires-aks-namespace-selector-label-the-namespace-lacks.json" },
        { "openshift", "cloud-resolver-packet-limit/fires-openshift-on-aws-vpc-resolver-timeouts-with-linklocal-rising.json" },
        { "k3s", "nodelocal-setup-failed/fires-k3s-iptables-lock-errors-rise-between-two-scrapes-on-the-node.json" },
        { "rke2", "coredns-pod-not-running/fires-rke2-coredns-oomkilled.json" },
        { "kubespray", "coredns-no-lameduck/fires-kubespray-2.12-corefile-health-without-lameduck.json" },
        { "kind", "nodelocal-setup-failed/fires-kind-iptables-lock-errors-rise-between-two-scrapes-on-the-node.json" },
        { "minikube", "vxlan-checksum-offload/fires-minikube-flannel-cross-node-split-with-offload-on.json" },
        { "kubeadm", "vxlan-checksum-offload/fires-kubeadm-cross-node-split-with-offload-on.json" },
        { "ack", "coredns-custom-invalid/fires-forward-override-behind-forward-dot.json" },
    };

    [Theory]
    [MemberData(nameof(Snapshots))]
    public void Every_rules_remediation_names_only_cluster_dns_objects_the_snapshot_does_not_refute(string distribution, string scenario)
    {
        var text = File.ReadAllText(Path.Combine(RepoPaths.Root, "tests", "scenarios", scenario));
        var expect = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "tests", "scenarios", scenario[..^".json".Length] + ".expect.json"))).RootElement;
        Assert.Equal(distribution, expect.GetProperty("distribution").GetString());
        var request = JsonSerializer.Deserialize<DiagnosisRequest>(text, WebJson)!;
        var shown = ShownObjects.Of(JsonDocument.Parse(text).RootElement);
        Assert.True(shown.Workloads.Count > 0, $"{scenario} shows no cluster DNS workload: choose one that does");

        var facts = SnapshotFactBuilder.Build(request).Facts;
        var known = KnownValues.From(facts, request.Target?.Namespace, request.Target?.Pod, request.Domain, null);
        var wrong = new List<string>();
        var rendered = 0;
        foreach (var rule in Rules.Rules)
        {
            foreach (var @case in rule.Cases)
            {
                var patterns = rule.Document.Cases[@case.Index].When.Where(p => p.Mode == PatternMode.Match)
                    .Select(p => FactTypes.TryGet(p.FactType, out var t) ? t : throw new InvalidOperationException(p.FactType));
                object[] matched = [.. patterns.Select(t => facts.FirstOrDefault(f => f.GetType() == t) ?? AnyFact(t)), known];
                foreach (var step in @case.Remediation.Where(r => r.Command is not null && Given(r, matched)))
                {
                    var command = step.Command!.Render(matched);
                    rendered++;
                    wrong.AddRange(shown.Refuted(command).Select(w => $"{rule.Id} case {@case.Index}: {w} in `{command}`"));
                    if (PlaceholderIn(command) is { } placeholder && known.Placeholders.Contains(placeholder))
                    {
                        wrong.Add($"{rule.Id} case {@case.Index}: placeholder {placeholder} in `{command}`");
                    }
                }
            }
        }

        Assert.True(rendered > 100, $"{rendered} commands rendered");
        Assert.True(wrong.Count == 0, $"{scenario} ({shown.Describe()}):\n{string.Join('\n', wrong.Distinct())}");
    }

    /// <summary>
    /// The first placeholder a rendered command holds (<c>&lt;</c> and a letter, up to <c>&gt;</c>). One of a
    /// <c>known</c> value this snapshot does not show (<c>&lt;upstream&gt;</c>) fails: a remediation finds such a value
    /// itself or does without it (a check may name it: a check is given once the value is known). A fact's hole
    /// holds its placeholder here only where the made pairing of first facts breaks its case's premise (a log line
    /// without the endpoint its case requires), and the rule files' own are RuleCommandNamesTests'.
    /// </summary>
    private static string? PlaceholderIn(string command)
    {
        for (var i = 0; i + 1 < command.Length; i++)
        {
            if (command[i] == '<' && char.IsAsciiLetter(command[i + 1]))
            {
                var end = command.IndexOf('>', i);
                return end < 0 ? command[i..] : command[i..(end + 1)];
            }
        }

        return null;
    }

    /// <summary>Does the step's <c>when:</c> give it over these facts (one that cannot be read over a made fact gives it)?</summary>
    internal static bool Given(CompiledRemediation step, object[] facts)
    {
        try
        {
            return step.When?.Invoke(facts) ?? true;
        }
        catch (Exception ex) when (ex is NullReferenceException or InvalidOperationException)
        {
            return true;
        }
    }

    /// <summary>A fact of <paramref name="type"/> the snapshot does not give: every string property <c>x</c>.</summary>
    internal static object AnyFact(Type type)
    {
        var fact = type.GetConstructor(Type.EmptyTypes) is null
            ? System.Runtime.CompilerServices.RuntimeHelpers.GetUninitializedObject(type)
            : Activator.CreateInstance(type)!;
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite && p.PropertyType == typeof(string)))
        {
            property.SetValue(fact, "x");
        }

        return fact;
    }
}
