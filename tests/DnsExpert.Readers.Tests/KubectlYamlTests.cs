using System.Text.Json;
using DnsExpert.Contract;
using DnsExpert.Facts;
using DnsExpert.Readers.Building;
using DnsExpert.Readers.Parsing;
using DnsExpert.Testing;

namespace DnsExpert.Readers.Tests;

/// <summary>
/// Pasted <c>kubectl get -o yaml</c> (tests/fixtures/kubectl-yaml, real outputs) is read as the JSON <c>-o json</c>
/// prints: same types, same objects, same facts; what kubectl never prints is refused with the line.
/// </summary>
public sealed class KubectlYamlTests
{
    private static string Fixture(string name) => File.ReadAllText(Path.Combine(RepoPaths.Root, "tests", "fixtures", "kubectl-yaml", name));

    private static JsonElement Read(string yaml)
    {
        var (json, problem) = KubectlYaml.ToJson(yaml);
        Assert.True(json is not null, problem);
        return JsonDocument.Parse(json!).RootElement.Clone();
    }

    [Fact]
    public void A_pasted_coredns_configmap_keeps_its_corefile_and_string_metadata()
    {
        var map = Read(Fixture("coredns-configmap-minikube.yaml"));

        Assert.Equal("ConfigMap", map.GetProperty("kind").GetString());
        var corefile = map.GetProperty("data").GetProperty("Corefile").GetString()!;
        Assert.StartsWith(".:53 {\n    log\n    errors\n", corefile, StringComparison.Ordinal);
        Assert.EndsWith("    loadbalance\n}\n", corefile, StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.String, map.GetProperty("metadata").GetProperty("resourceVersion").ValueKind);
        Assert.Equal("2026-10-07T16:10:45Z", map.GetProperty("metadata").GetProperty("creationTimestamp").GetString());
    }

    [Fact]
    public void A_pasted_pod_list_has_the_types_json_would_have()
    {
        var list = Read(Fixture("coredns-pods-minikube.yaml"));

        Assert.Equal("List", list.GetProperty("kind").GetString());
        var pod = Assert.Single(list.GetProperty("items").EnumerateArray());
        var container = pod.GetProperty("spec").GetProperty("containers")[0];
        Assert.Equal(53, container.GetProperty("ports")[0].GetProperty("containerPort").GetInt32());
        Assert.Equal(["-conf", "/etc/coredns/Corefile"], container.GetProperty("args").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal(JsonValueKind.Object, pod.GetProperty("spec").GetProperty("securityContext").ValueKind);
        var condition = pod.GetProperty("status").GetProperty("conditions")[1];
        Assert.Equal("True", condition.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, condition.GetProperty("lastProbeTime").ValueKind);
        Assert.True(pod.GetProperty("status").GetProperty("containerStatuses")[0].GetProperty("ready").GetBoolean());
        Assert.Equal(2000000000, pod.GetProperty("spec").GetProperty("priority").GetInt64());
    }

    [Fact]
    public void Pasted_yaml_gives_the_facts_pasted_json_gives()
    {
        FactSet Facts(string command, string text) => SnapshotFactBuilder.Build(new DiagnosisRequest
        {
            Snapshot = new Snapshot { Outputs = [new CommandOutput { Command = command, Text = text }] },
        });

        var yaml = Fixture("coredns-configmap-minikube.yaml") + "---\n" + Fixture("coredns-pods-minikube.yaml");
        var json = KubectlYaml.ToJson(yaml).Json!;
        var fromYaml = Facts("kubectl -n kube-system get cm,pods -o yaml", yaml);
        var fromJson = Facts("kubectl -n kube-system get cm,pods -o json", json);

        Assert.Contains(fromYaml.Collection, c => c.Detail == "read as Kubernetes objects (from YAML)");
        static string[] Described(FactSet set) => [.. set.Facts.OfType<CorefilePlugin>().Select(p => $"{p.Name} {string.Join(' ', p.Arguments)}")
            .Concat(set.Facts.OfType<CoreDnsPod>().Select(p => $"pod {p.Namespace}/{p.Name} {p.Node} {p.Ip} ready={p.Ready}")).Order(StringComparer.Ordinal)];
        Assert.Contains("log ", Described(fromYaml));
        Assert.Contains("pod kube-system/coredns-5d78c9869d-hn7kp minikube 10.244.0.2 ready=True", Described(fromYaml));
        Assert.Equal(Described(fromJson), Described(fromYaml));
    }

    [Theory]
    [InlineData("a: &x [1, 2]\nb: *x\n", "YAML alias *x at line 2")]
    [InlineData("a: &a [\"lol\",\"lol\"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n", "YAML alias *a")]
    [InlineData("? [a, b]\n: c\n", "used as a key at line 1")]
    [InlineData("kind: Pod\nmetadata:\n  name: [unclosed\n", "not readable as YAML at line")]
    [InlineData("", "no YAML document")]
    [InlineData("---\n---\n", "no YAML document")]
    public void What_kubectl_never_prints_is_refused_with_the_reason(string yaml, string reason)
    {
        var (json, problem) = KubectlYaml.ToJson(yaml);

        Assert.Null(json);
        Assert.Contains(reason, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Nesting_past_the_json_readers_depth_is_refused_before_it_is_built()
    {
        var (json, problem) = KubectlYaml.ToJson(new string('[', 10_000) + new string(']', 10_000));

        Assert.Null(json);
        Assert.Contains("nested deeper than 64 levels at line 1", problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("v: 0755", "755")]
    [InlineData("v: 1.5", "1.5")]
    [InlineData("v: -3", "-3")]
    [InlineData("v: 1e3", "1000")]
    [InlineData("v: +012345678901234567890", "12345678901234567890")]
    [InlineData("v: .inf", "\".inf\"")]
    [InlineData("v: yes", "\"yes\"")]
    [InlineData("v: 'true'", "\"true\"")]
    [InlineData("v: !!str 42", "\"42\"")]
    [InlineData("v: ~", "null")]
    [InlineData("v:", "null")]
    [InlineData("v: 10.96.0.10", "\"10.96.0.10\"")]
    [InlineData("v: 53/UDP", "\"53/UDP\"")]
    [InlineData("\"a b\": {x: [1, \"2\"]}", "{\"x\":[1,\"2\"]}")]
    public void Plain_scalars_are_typed_as_the_core_schema_types_them(string yaml, string value)
    {
        var element = Read(yaml);
        var property = element.EnumerateObject().Single();

        Assert.Equal(value, JsonSerializer.Serialize(property.Value).Replace("1E3", "1000", StringComparison.Ordinal));
    }

    [Fact]
    public void Several_documents_are_a_list()
    {
        var list = Read("kind: A\n---\nkind: B\n");

        Assert.Equal("List", list.GetProperty("kind").GetString());
        Assert.Equal(["A", "B"], list.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("kind").GetString()));
    }

    [Theory]
    [InlineData("kubectl get cm coredns -n kube-system -o yaml", "YAML")]
    [InlineData("kubectl get cm coredns -oyaml", "YAML")]
    [InlineData("kubectl get cm coredns -o=yaml", "YAML")]
    [InlineData("kubectl get cm coredns --output yaml", "YAML")]
    [InlineData("kubectl get cm coredns --output=json", "JSON")]
    [InlineData("kubectl get cm coredns -o jsonpath={.data}", null)]
    [InlineData("kubectl get cm yaml", null)]
    public void The_reader_and_the_history_read_one_output_flag_the_same_way(string command, string? format)
    {
        Assert.Equal(format, PastedOutputs.ObjectsFormat("kubectl", command.Split(' '), "apiVersion: v1\nkind: ConfigMap\n"));
    }
}
