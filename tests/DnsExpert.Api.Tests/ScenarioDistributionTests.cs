using System.Text.Json;
using DnsExpert.Contract;
using DnsExpert.Facts;
using DnsExpert.Readers;

namespace DnsExpert.Api.Tests;

/// <summary>
/// Which distribution each scenario is shaped from, and how many distributions each real-world class is proven on
/// (issue 21: "each class has scenarios (fires and near miss) from real artifacts of at least three distributions").
/// A scenario names its distribution in <c>distribution</c> of its <c>.expect.json</c> (a near miss's
/// <c>.expect.json</c> holds only <c>origin</c> and <c>distribution</c>); the name must agree with the marks the
/// product itself reads from the scenario's objects (<c>ClusterDns.Distribution</c>: node labels, kubelet versions,
/// CoreDNS images, the cluster DNS layout), so a scenario cannot claim a distribution its objects do not show.
/// </summary>
public sealed class ScenarioDistributionTests
{
    private static readonly string ScenarioRoot = Path.Combine(ApiFactory.RepoRoot, "tests", "scenarios");
    private static readonly JsonSerializerOptions WebJson = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// Each distribution a scenario may name, and the family it counts in: the issue's list (GKE, EKS, AKS, OpenShift,
    /// k3s/RKE2, kubespray, kind/minikube) counts k3s and RKE2 as one, kind and minikube as one. <c>ack</c> (Alibaba
    /// Cloud ACK, the troubleshooting guide's base), <c>kops</c> (a self-managed cluster on EC2) and <c>kubeadm</c> are
    /// named too but count for none (null): the product reads no mark of them, and the issue does not list them.
    /// <c>unshown</c>: the scenario holds no objects (a log alone), so it shows no distribution and counts for none.
    /// </summary>
    private static readonly Dictionary<string, string?> Families = new(StringComparer.Ordinal)
    {
        ["gke"] = "gke", ["eks"] = "eks", ["aks"] = "aks", ["openshift"] = "openshift", ["k3s"] = "k3s/rke2", ["rke2"] = "k3s/rke2",
        ["kubespray"] = "kubespray", ["kind"] = "kind/minikube", ["minikube"] = "kind/minikube",
        ["ack"] = null, ["kops"] = null, ["kubeadm"] = null, [Unshown] = null,
    };

    private const string Unshown = "unshown";

    /// <summary>The real-world classes beyond the guide (issue 21, rules/CATALOGUE.md): each must be proven on several distributions.</summary>
    public static TheoryData<string> RealWorldClasses() =>
    [
        "bridge-netfilter-disabled", "vxlan-checksum-offload", "cloud-resolver-packet-limit", "udp-truncation-no-tcp-fallback",
        "coredns-no-lameduck", "search-domain-wildcard", "nameserver-limit-exceeded", "negative-cache-stale", "coredns-servfail-cached",
        "nodelocal-upstream-timeout", "coredns-custom-invalid", "coredns-forward-max-concurrent", "nodelocal-setup-failed",
    ];

    private const int FiresFamilies = 3;
    private const int NearMissFamilies = 2;

    /// <summary>
    /// The classes not yet proven on enough distributions (key: <c>RULE fires</c> or <c>RULE near misses</c>), each with
    /// why. The count is still checked: one that reaches its bound fails, which says to take it out of here.
    /// </summary>
    private static readonly Dictionary<string, string> FewerDistributions = new(StringComparer.Ordinal)
    {
        ["coredns-custom-invalid fires"] =
            "ConfigMap coredns-custom is AKS's and k3s's way to extend the Corefile, and no other distribution's Corefile imports it: the third fires family would be a cluster built to look like one of those",
    };

    [Theory]
    [MemberData(nameof(RealWorldClasses))]
    public void Each_real_world_class_has_fires_and_near_misses_from_several_distributions(string ruleId)
    {
        var scenarios = Directory.GetFiles(Path.Combine(ScenarioRoot, ruleId), "*.json")
            .Select(Path.GetFileName).OfType<string>()
            .Where(f => !f.EndsWith(".expect.json", StringComparison.Ordinal) && (f.StartsWith("fires-", StringComparison.Ordinal) || f.StartsWith("near-miss-", StringComparison.Ordinal)))
            .Order(StringComparer.Ordinal).ToList();
        var undeclared = scenarios.Where(s => Declared(ruleId, s) is null).ToList();
        Assert.True(undeclared.Count == 0, $"{ruleId}: no distribution named for {string.Join(", ", undeclared)}");

        HoldsTheBounds([.. scenarios.Select(s => (ruleId, s))], ruleId, ruleId, FewerDistributions, nameof(FewerDistributions));
    }


    /// <summary>
    /// <c>external-domain-upstream-error</c>'s near misses whose rcode CoreDNS made itself (on any distribution: a
    /// rebased one is named <c>near-miss-DISTRIBUTION-…</c> after the one it was carried from).
    /// </summary>
    private static readonly string[] RcodesCoreDnsMakes =
    [
        "-nxdomain-from-a-file-zone-of-the-corefile.json", "-refused-logged-by-forward-max-concurrent.json",
        "-refused-made-by-forward-max-concurrent.json", "-servfail-only-from-cache.json",
    ];

    /// <summary>The scenarios (<c>rule/file</c>) played from the name and frequency alone.</summary>
    private static readonly Lazy<HashSet<string>> SymptomOnly = new(() =>
        [.. Conversation.ConversationTests.SymptomOnlyConversations().Select(row => (string)row[1])]);

    /// <summary>
    /// The issue's six classes ("Classes it still gets wrong"), each named by the scenarios that prove it (a rule's
    /// folder, or the scenarios of it that show the class), held to the bounds of the real-world classes: fires from
    /// <see cref="FiresFamilies"/> distributions' families, near misses from <see cref="NearMissFamilies"/>. A
    /// scenario that names no distribution (most are built on ACK, the guide's base) counts for none.
    /// 6, symptom-only routing, is proven by the conversations <see cref="Conversation.ConversationTests.SymptomOnlyConversations"/>
    /// plays from the name and frequency alone (the rules routed by the kind of name: a StatefulSet pod's, a headless
    /// Service's, an external name): its fires scenarios are those, its near misses those of the same rules.
    /// </summary>
    private static readonly Dictionary<int, (string Name, Func<string, string, bool> Selects)> IssueClassScenarios = new()
    {
        [1] = ("the cluster DNS under other names", (rule, _) => rule == "coredns-pod-not-running"),
        [2] = ("combined weak evidence", (rule, file) => rule == "coredns-apiserver-unreachable"
            && (file.Contains("-lines-", StringComparison.Ordinal) || file.Contains("waiting", StringComparison.Ordinal) || file.Contains("-waits-", StringComparison.Ordinal))),
        [3] = ("NodeLocal DNSCache in every mode", (rule, file) => rule is "nodelocal-dnsconfig-not-injected" or "nodelocal-alpine-parallel-nameservers"
            || (rule == "app-to-kube-dns-unreachable" && (file.Contains("node-local-dns", StringComparison.Ordinal) || file.Contains("nodelocaldns", StringComparison.Ordinal)))),
        [4] = ("NetworkPolicy as the API defines it", (rule, _) => rule == "networkpolicy-blocks-dns-egress"),
        [5] = ("rcodes CoreDNS makes itself", (rule, file) => rule is "coredns-forward-max-concurrent" or "coredns-servfail-cached"
            || (rule == "external-domain-upstream-error" && file.StartsWith("near-miss-", StringComparison.Ordinal)
                && RcodesCoreDnsMakes.Any(r => file.EndsWith(r, StringComparison.Ordinal)))),
        [6] = ("symptom-only routing", (rule, file) => file.StartsWith("near-miss-", StringComparison.Ordinal)
            ? SymptomOnly.Value.Any(s => s.StartsWith(rule + "/", StringComparison.Ordinal))
            : SymptomOnly.Value.Contains($"{rule}/{file}")),
    };

    /// <summary>The issue's classes not yet proven on enough distributions (key: <c>N fires</c> or <c>N near misses</c>), each with why; checked as <see cref="FewerDistributions"/> is.</summary>
    private static readonly Dictionary<string, string> IssueClassesWithFewerDistributions = new(StringComparer.Ordinal);

    public static TheoryData<int> IssueClasses() => [.. IssueClassScenarios.Keys];

    [Theory]
    [MemberData(nameof(IssueClasses))]
    public void Each_issue_class_has_fires_and_near_misses_from_several_distributions(int issueClass)
    {
        var (name, selects) = IssueClassScenarios[issueClass];
        var scenarios = Directory.GetDirectories(ScenarioRoot).Select(Path.GetFileName).OfType<string>().Where(rule => !rule.StartsWith('_'))
            .SelectMany(rule => Directory.GetFiles(Path.Combine(ScenarioRoot, rule), "*.json").Select(Path.GetFileName).OfType<string>()
                .Where(f => !f.EndsWith(".expect.json", StringComparison.Ordinal) && selects(rule, f)).Select(f => (Rule: rule, File: f)))
            .ToList();
        HoldsTheBounds(scenarios, $"{issueClass}", $"class {issueClass} ({name})", IssueClassesWithFewerDistributions, nameof(IssueClassesWithFewerDistributions));
    }

    /// <summary>
    /// Counts the distributions' families of the fires and of the near misses among <paramref name="scenarios"/> (one
    /// that names none counts for none) against <see cref="FiresFamilies"/> and <see cref="NearMissFamilies"/>; a
    /// <c>KEY fires</c> or <c>KEY near misses</c> listed in <paramref name="fewer"/> must stay short of its bound.
    /// </summary>
    private static void HoldsTheBounds(List<(string Rule, string File)> scenarios, string key, string label, Dictionary<string, string> fewer, string fewerName)
    {
        foreach (var (kind, prefix, bound) in new[] { ("fires", "fires-", FiresFamilies), ("near misses", "near-miss-", NearMissFamilies) })
        {
            var of = scenarios.Where(s => s.File.StartsWith(prefix, StringComparison.Ordinal)).ToList();
            var families = of.Select(s => Declared(s.Rule, s.File) is { } d ? Families[d] : null).OfType<string>().Distinct().Order(StringComparer.Ordinal).ToList();
            var shown = $"{label} {kind}: {of.Count} scenario(s) from {families.Count} distribution(s) [{string.Join(", ", families)}], {bound} wanted";
            if (fewer.TryGetValue($"{key} {kind}", out var reason))
            {
                Assert.True(families.Count < bound, $"{shown}: take it out of {fewerName} (it said: {reason})");
            }
            else
            {
                Assert.True(families.Count >= bound, shown);
            }
        }
    }

    public static TheoryData<string> DeclaringScenarios() => new(
        Directory.EnumerateFiles(ScenarioRoot, "*.expect.json", SearchOption.AllDirectories)
            .Where(f => JsonDocument.Parse(File.ReadAllText(f)).RootElement.TryGetProperty("distribution", out _))
            .Select(f => Path.GetRelativePath(ScenarioRoot, f)[..^".expect.json".Length] + ".json")
            .Order(StringComparer.Ordinal));

    /// <summary>
    /// The named distribution is one of <see cref="Families"/> and the one the scenario's objects show: the product's
    /// own reading of them (<c>ClusterDns.Distribution</c>) for the distributions it knows; for ACK, kops, kubeadm, kind
    /// and minikube, which it does not tell apart, none of those and the marks of the one named.
    /// </summary>
    [Theory]
    [MemberData(nameof(DeclaringScenarios))]
    public void The_named_distribution_is_the_one_its_objects_show(string scenario)
    {
        var ruleId = Path.GetDirectoryName(scenario)!;
        var declared = Declared(ruleId, Path.GetFileName(scenario))!;
        Assert.True(Families.ContainsKey(declared), $"{scenario}: unknown distribution '{declared}' (one of {string.Join(", ", Families.Keys)})");

        var request = JsonSerializer.Deserialize<DiagnosisRequest>(File.ReadAllText(Path.Combine(ScenarioRoot, scenario)), WebJson)!;
        var detected = SnapshotFactBuilder.Build(request).Facts.OfType<ClusterDns>().SingleOrDefault()?.Distribution;
        var nodes = request.Snapshot?.Objects?.Where(o => o.TryGetProperty("kind", out var k) && k.GetString() == "Node").ToList() ?? [];
        switch (declared)
        {
            case "ack":
                Assert.True(detected is null, $"{scenario}: named ack, its objects show {detected}");
                Assert.True(nodes.Count > 0 && nodes.All(n => Kubelet(n).Contains("-aliyun", StringComparison.Ordinal)), $"{scenario}: named ack, but not every node's kubelet is ACK's (-aliyun)");
                break;
            case "kind" or "minikube":
                Assert.True(detected is null, $"{scenario}: named {declared}, its objects show {detected}");
                Assert.True(nodes.Count > 0 && nodes.All(n => declared == "kind" ? ProviderId(n).StartsWith("kind://", StringComparison.Ordinal) : HasLabel(n, "minikube.k8s.io/name")),
                    $"{scenario}: named {declared}, but its nodes lack its mark");
                break;
            case "kops":
                Assert.True(detected is null, $"{scenario}: named kops, its objects show {detected}");
                Assert.True(nodes.Count > 0 && nodes.All(n => ProviderId(n).StartsWith("aws://", StringComparison.Ordinal)), $"{scenario}: named kops, but not every node is an EC2 instance (aws://)");
                break;
            case Unshown:
                Assert.True(detected is null && nodes.Count == 0, $"{scenario}: named {Unshown}, but its objects show {detected ?? "nodes"}");
                break;
            case "kubeadm":
                Assert.True(detected is null && nodes.All(n => !Kubelet(n).Contains("-aliyun", StringComparison.Ordinal)), $"{scenario}: named kubeadm, its objects show {detected ?? "ack"}");
                break;
            default:
                Assert.True(detected == declared, $"{scenario}: named {declared}, its objects show {detected ?? "no distribution"}");
                break;
        }
    }

    private static string? Declared(string ruleId, string scenario)
    {
        var expect = Path.Combine(ScenarioRoot, ruleId, Path.ChangeExtension(scenario, null) + ".expect.json");
        return File.Exists(expect) && JsonDocument.Parse(File.ReadAllText(expect)).RootElement.TryGetProperty("distribution", out var d) ? d.GetString() : null;
    }

    private static string Kubelet(JsonElement node) =>
        node.TryGetProperty("status", out var s) && s.TryGetProperty("nodeInfo", out var i) && i.TryGetProperty("kubeletVersion", out var v) ? v.GetString() ?? "" : "";

    private static string ProviderId(JsonElement node) =>
        node.TryGetProperty("spec", out var s) && s.TryGetProperty("providerID", out var p) ? p.GetString() ?? "" : "";

    private static bool HasLabel(JsonElement node, string label) =>
        node.TryGetProperty("metadata", out var m) && m.TryGetProperty("labels", out var l) && l.TryGetProperty(label, out _);
}
