using System.Text.Json;
using System.Text.Json.Nodes;
using DnsExpert.Contract;
using DnsExpert.Readers.Building;
using DnsExpert.Testing;

namespace DnsExpert.Readers.Tests;

/// <summary>
/// Walks the evidence registry (<see cref="EvidenceSources.All"/>): every entry carries a reader and has a real fixture
/// below, and that fixture, pasted under the entry's command from where the entry runs, is read by the entry's reader
/// into facts of the types the entry says it yields (facts the same request without it does not hold). A new entry
/// without a fixture here fails <see cref="Every_registered_source_has_a_reader_and_a_fixture"/>.
/// </summary>
public sealed class EvidenceReaderRegistryTests
{
    private const string Node = "node/cn-hangzhou.192.168.0.199";
    private const string Pod = "default/web-7d4b9c-x2k4q";

    /// <summary>One fixture per source (<see cref="Fixture"/>), by the source's name.</summary>
    private static readonly Dictionary<string, Fixture> Fixtures = new(StringComparer.Ordinal)
    {
        ["DNS lookups"] = new("fixtures/dns-tools/dig-nx.txt", "dig @10.96.0.10 nosuch.default.svc.cluster.local", Pod),
        ["ping"] = new("fixtures/ping/issue-coredns-3645-iputils-timeout.txt", "ping -c 3 10.96.0.10", Pod),
        ["TCP connections"] = new("fixtures/nc/busybox-zvv-open.txt", "nc -zvv -w 2 10.96.0.10 53", Pod),
        ["pods"] = new("fixtures/cluster-info-dump/kube-system/pods.json", "kubectl get pods -n kube-system -o json"),
        ["services"] = new("fixtures/cluster-info-dump/kube-system/services.json", "kubectl get svc -n kube-system -o json"),
        ["endpoints"] = new("fixtures/cluster-info-dump/kube-system/endpoints.json", "kubectl get endpoints -n kube-system -o json"),
        ["nodes"] = new("fixtures/cluster-info-dump/nodes.json", "kubectl get nodes -o json"),
        ["daemonsets"] = new("fixtures/nodelocal/kubespray-nodelocaldns.json", "kubectl get daemonset -n kube-system -o json"),
        ["configmaps"] = new("fixtures/kubectl-yaml/coredns-configmap-minikube.yaml", "kubectl get configmap coredns -n kube-system -o yaml"),
        ["network policies"] = new("scenarios/networkpolicy-blocks-dns-egress/fires-endport-range-starts-above-53.json", "kubectl get netpol -A -o json", Kinds: ["NetworkPolicy"]),
        ["statefulsets"] = new("scenarios/statefulset-servicename-mismatch/near-miss-servicename-matches-headless-service.json", "kubectl get sts -A -o json", Kinds: ["StatefulSet"]),
        ["events"] = new("scenarios/container-network-error/fires-sandbox-cni-failure-on-target-pod.json", "kubectl get events -A -o json", Kinds: ["Event"]),
        // A CoreDNS pod's usage needs that pod: the thread's pod stands for the dump's first CoreDNS pod (as in CollectPromiseTests).
        ["pod metrics"] = new("fixtures/kubectl-tables/top-pods-containers-coredns-2024.txt", "kubectl top pods -n kube-system --containers",
            Rename: ("coredns-58bfd8f658-k72qt", "coredns-5d78c9869d-abcde"), Before: ("fixtures/cluster-info-dump/kube-system/pods.json", "kubectl get pods -n kube-system -o json")),
        ["node metrics"] = new("fixtures/kubectl-tables/top-nodes-2023.txt", "kubectl top nodes"),
        ["pod logs"] = new("fixtures/kubectl-logs/previous/coredns-1.5.0-loop-fatal.txt", "kubectl logs -n kube-system coredns-5d78c9869d-abcde --previous"),
        ["pod resolv.conf"] = new("fixtures/node-root/etc/resolv.conf", "cat /etc/resolv.conf", Pod),
        ["node resolv.conf"] = new("fixtures/node-root/etc/resolv.conf", "cat /etc/resolv.conf", Node),
        ["pod C library"] = new("fixtures/ldd/debian-12-glibc-2.36.txt", "ldd --version", Pod),
        ["conntrack count"] = new("fixtures/node-root/proc/sys/net/netfilter/nf_conntrack_count", "cat /proc/sys/net/netfilter/nf_conntrack_count", Node),
        ["conntrack max"] = new("fixtures/node-root/proc/sys/net/netfilter/nf_conntrack_max", "cat /proc/sys/net/netfilter/nf_conntrack_max", Node),
        ["TCP counters"] = new("fixtures/node-root/proc/net/snmp", "cat /proc/net/snmp", Node),
        ["bridge netfilter"] = new("fixtures/bridge-netfilter/sysctl-cannot-stat-br-netfilter-not-loaded.txt", "sysctl net.bridge.bridge-nf-call-iptables", Node),
        ["offload features"] = new("fixtures/vxlan/ethtool-k-flannel.1-on.txt", "ethtool -k flannel.1", Node),
        ["interface statistics"] = new("fixtures/ena/ethtool-S-eth0-ec2-user-guide.txt", "ethtool -S eth0", Node),
        ["conntrack statistics"] = new("fixtures/dns-tools/conntrack-S-insert-failed.txt", "conntrack -S", Node),
        ["kernel log"] = new("fixtures/vxlan/dmesg-flannel-1279-bad-checksum.txt", "dmesg", Node),
        ["kubectl version"] = new("fixtures/kubectl-version/info-v1.26-server-v1.23.5-skew-warning.txt", "kubectl version"),
        ["CoreDNS metrics"] = new("fixtures/metrics/coredns-1.11.1-panics-scrape2.txt",
            "kubectl get --raw /api/v1/namespaces/kube-system/pods/coredns-5d78c9869d-abcde:9153/proxy/metrics"),
    };

    public static TheoryData<string> Sources() => [.. EvidenceSources.All.Select(s => s.Name)];

    [Fact]
    public void Every_registered_source_has_a_reader_and_a_fixture()
    {
        foreach (var source in EvidenceSources.All)
        {
            Assert.NotNull(source.Reader);
            if (source.Reader == EvidenceReader.NotRead)
            {
                Assert.Empty(source.Yields);
                continue;
            }

            Assert.True(Fixtures.TryGetValue(source.Name, out var fixture), $"'{source.Name}' has no fixture in {nameof(Fixtures)}");
            Assert.True(File.Exists(Path.Combine(RepoPaths.Root, "tests", fixture.File)), $"'{source.Name}': {fixture.File} does not exist");
        }

        Assert.Empty(Fixtures.Keys.Except(EvidenceSources.All.Select(s => s.Name)));
    }

    [Theory]
    [MemberData(nameof(Sources))]
    public void Each_sources_fixture_is_read_by_its_reader_into_what_it_yields(string name)
    {
        var source = EvidenceSources.All.Single(s => s.Name == name);
        if (!Fixtures.TryGetValue(name, out var fixture))
        {
            Assert.Equal(EvidenceReader.NotRead, source.Reader);
            return;
        }

        Assert.Same(source, EvidenceSources.Of(fixture.Command, fixture.From));
        var text = File.ReadAllText(Path.Combine(RepoPaths.Root, "tests", fixture.File));
        var target = new TargetRef { Namespace = "default", Pod = "web-7d4b9c-x2k4q" };
        if (fixture.Kinds is { } kinds)
        {
            // A scenario's objects are about its own target (an Event about the pod that failed).
            var named = JsonNode.Parse(text)!["target"]!;
            target = new TargetRef { Namespace = (string?)named["namespace"], Pod = (string?)named["pod"] };
            text = ObjectsOf(text, kinds);
        }

        if (fixture.Rename is var (from, to))
        {
            text = text.Replace(from, to, StringComparison.Ordinal);
        }

        List<CommandOutput> before = fixture.Before is var (file, command)
            ? [new CommandOutput { Command = command, Text = File.ReadAllText(Path.Combine(RepoPaths.Root, "tests", file)) }]
            : [];
        var without = Yielded(SnapshotFactBuilder.Build(new DiagnosisRequest { Target = target, Snapshot = new Snapshot { Outputs = before } }), source);
        var with = SnapshotFactBuilder.Build(new DiagnosisRequest
        {
            Target = target,
            Snapshot = new Snapshot { Outputs = [.. before, new CommandOutput { Command = fixture.Command, From = fixture.From, Text = text }] },
        });

        var added = Yielded(with, source).Except(without).ToList();
        Assert.True(added.Count > 0, $"'{name}' ({source.Reader}): {fixture.File} gave none of {string.Join(", ", source.Yields)}; notes: "
            + string.Join(" | ", with.Collection.Select(c => $"{c.Source}: {c.Status} {c.Detail}")));
    }

    /// <summary>The facts of the types <paramref name="source"/> yields, each as its JSON.</summary>
    private static HashSet<string> Yielded(FactSet facts, EvidenceSource source) =>
        [.. facts.Facts.Where(f => source.Yields.Contains(f.GetType().Name)).Select(f => f.GetType().Name + JsonSerializer.Serialize(f, f.GetType()))];

    /// <summary>A scenario's objects of <paramref name="kinds"/> (a List's items among them), as <c>kubectl get -o json</c> prints a list of them.</summary>
    private static string ObjectsOf(string scenario, string[] kinds)
    {
        var objects = JsonNode.Parse(scenario)!["snapshot"]!["objects"]!.AsArray()
            .SelectMany(o => o!["items"] is JsonArray items ? [.. items] : new JsonNode?[] { o })
            .Where(o => kinds.Contains((string?)o!["kind"])).Select(o => o!.DeepClone()).ToArray();
        return new JsonObject { ["apiVersion"] = "v1", ["kind"] = "List", ["items"] = new JsonArray(objects) }.ToJsonString();
    }

    /// <summary>
    /// A source's fixture: the file (under tests/), the command it is pasted under and where it ran; for a scenario
    /// (tests/scenarios) the object kinds taken from its snapshot as a <c>kubectl get -o json</c> List; a name it is
    /// read under instead of its own; and an output pasted before it, that its reading needs (both runs have that one).
    /// </summary>
    private sealed record Fixture(string File, string Command, string? From = null, string[]? Kinds = null,
        (string From, string To)? Rename = null, (string File, string Command)? Before = null);
}
