using System.Text.Json;
using DnsExpert.Contract;

namespace DnsExpert.History.Tests;

/// <summary>What the history keeps of values people put secrets in: what the rules read, and nothing else.</summary>
public sealed class StoredRequestTests
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static JsonElement Object(string json) => JsonDocument.Parse(json).RootElement;

    private static string Store(params string[] objects) =>
        StoredRequest.Serialize(new DiagnosisRequest { Snapshot = new Snapshot { Objects = objects.Select(Object).ToList() } }, Json);

    [Fact]
    public void Container_env_values_are_redacted_in_pods_and_in_every_template_and_their_names_stay()
    {
        var stored = Store(
            """{"kind":"Pod","metadata":{"name":"web-0","namespace":"shop"},"spec":{"containers":[{"name":"app","env":[{"name":"DB_PASSWORD","value":"hunter2"},{"name":"TOKEN","valueFrom":{"secretKeyRef":{"name":"t","key":"k"}}}]}],"initContainers":[{"name":"init","env":[{"name":"API_KEY","value":"sk-live-123"}]}]}}""",
            """{"kind":"Deployment","metadata":{"name":"web","namespace":"shop","annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{\"env\":\"hunter3\"}"}},"spec":{"template":{"spec":{"containers":[{"name":"app","env":[{"name":"PASS","value":"hunter4"}]}]}}}}""",
            """{"kind":"List","items":[{"kind":"CronJob","metadata":{"name":"c"},"spec":{"jobTemplate":{"spec":{"template":{"spec":{"containers":[{"name":"x","env":[{"name":"S","value":"hunter5"}]}]}}}}}}]}""");

        foreach (var secret in new[] { "hunter2", "sk-live-123", "hunter3", "hunter4", "hunter5" })
        {
            Assert.DoesNotContain(secret, stored, StringComparison.Ordinal);
        }

        Assert.Contains("DB_PASSWORD", stored, StringComparison.Ordinal);
        Assert.Contains("secretKeyRef", stored, StringComparison.Ordinal);
    }

    [Fact]
    public void ConfigMaps_keep_the_dns_configuration_the_rules_read_and_only_the_keys_of_the_rest()
    {
        var stored = Store(
            """{"kind":"ConfigMap","metadata":{"name":"coredns","namespace":"kube-system"},"data":{"Corefile":".:53 {\n    forward . /etc/resolv.conf\n}"}}""",
            """{"kind":"ConfigMap","metadata":{"name":"coredns-custom","namespace":"kube-system"},"data":{"corp.server":"corp.local:53 { forward . 10.0.0.2 }"}}""",
            """{"kind":"ConfigMap","metadata":{"name":"kube-proxy-worker","namespace":"kube-system"},"data":{"config.conf":"apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\nmode: ipvs"}}""",
            """{"kind":"ConfigMap","metadata":{"name":"app-settings","namespace":"shop"},"data":{"DATABASE_URL":"postgres://u:hunter6@db/shop"},"binaryData":{"cert":"AAEC"}}""",
            """{"kind":"ConfigMap","metadata":{"name":"coredns","namespace":"shop"},"data":{"Corefile":"hunter7"}}""");

        Assert.Contains("forward . /etc/resolv.conf", stored, StringComparison.Ordinal);
        Assert.Contains("forward . 10.0.0.2", stored, StringComparison.Ordinal);
        Assert.Contains("mode: ipvs", stored, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter6", stored, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter7", stored, StringComparison.Ordinal);
        Assert.DoesNotContain("AAEC", stored, StringComparison.Ordinal);
        Assert.Contains("DATABASE_URL", stored, StringComparison.Ordinal);
    }

    [Fact]
    public void An_object_with_nothing_to_redact_is_stored_as_sent_and_names_in_any_case_still_redact()
    {
        const string pod = """{"kind":"Pod","metadata":{"name":"web-0","namespace":"shop","annotations":{"note":"caf\u00e9 <b>"}},"spec":{"containers":[{"name":"app","image":"nginx:1.27","args":["--port=8080"]}]},"status":{"phase":"Running","podIP":"10.0.0.7","n":1.50e3}}""";
        var written = new MemoryStream();
        using (var writer = new Utf8JsonWriter(written, new JsonWriterOptions { Encoder = Json.Encoder }))
        {
            Object(pod).WriteTo(writer);
        }

        Assert.Contains(System.Text.Encoding.UTF8.GetString(written.ToArray()), Store(pod), StringComparison.Ordinal);

        // The stored options compare names ignoring case, so the redaction reads "Kind", "Data", "METADATA" and
        // "Annotations" too: an object is only stored as read when none of them asks for a redaction.
        var stored = Store(
            """{"Kind":"Secret","Data":{"password":"hunter10"}}""",
            """{"kind":"Pod","METADATA":{"Annotations":{"kubectl.kubernetes.io/last-applied-configuration":"hunter11"}}}""",
            """{"kind":"Pod","Spec":{"containers":[{"name":"app","env":[{"name":"PASS","value":"hunter12"}]}]}}""",
            """{"kind":"ConfigMapList","items":[{"kind":"ConfigMap","metadata":{"name":"app"},"data":{"k":"hunter13"}}]}""");
        foreach (var secret in new[] { "hunter10", "hunter11", "hunter12", "hunter13" })
        {
            Assert.DoesNotContain(secret, stored, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("""{"kind":"Pod","spec":{"containers":[]}}""", true)]
    [InlineData("""{"kind":"Pod","spec":{},"Spec":{}}""", false)]
    [InlineData("""{"kind":"Pod","spec":{},"\u0053PEC":{}}""", false)]
    [InlineData("""{"\u006Bind":"Secret","data":{"p":"x"}}""", false)]
    [InlineData("""{"KIND":"ConfigMap"}""", false)]
    [InlineData("""{"kind":"Pod","metadata":{"annotations":{"KUBECTL.kubernetes.io/last-applied-configuration":"{}"}}}""", false)]
    [InlineData("""{"kind":"Pod","metadata":{"annotations":{"note":"a","NOTE":"b"}}}""", false)]
    [InlineData("""{"kind":"Pod","spec":{"containers":[{"name":"a","\u0045nv":[]}]}}""", false)]
    [InlineData("""{"kind":"Pod","metadata":{"annotations":{"caf\u00e9":"a","CAF\u00c9":"b"}}}""", false)]
    [InlineData("""{"kind":"Pod","metadata":{"annotations":{"caf\u00e9":"a","cafe":"b"}}}""", true)]
    public void An_object_is_stored_as_sent_only_when_the_redaction_would_neither_change_nor_refuse_it(string json, bool untouched) =>
        Assert.Equal(untouched, StoredRequest.Untouched(Object(json)));

    [Theory]
    [InlineData(8)]
    [InlineData(32)]
    [InlineData(33)]
    [InlineData(100)]
    public void Names_twice_ignoring_case_are_found_among_many(int count)
    {
        // Up to 32 names are compared pair by pair as sent, more through a set: both find the one repeated name.
        var names = Enumerable.Range(0, count).Select(i => $"\"label-{i}\":\"v\"").ToList();
        var distinct = """{"kind":"Pod","spec":{"nodeSelector":{""" + string.Join(",", names) + "}}}";
        names[count - 1] = $"\"LABEL-{count / 2}\":\"v\"";
        var repeated = """{"kind":"Pod","spec":{"nodeSelector":{""" + string.Join(",", names) + "}}}";
        Assert.True(StoredRequest.Untouched(Object(distinct)));
        Assert.False(StoredRequest.Untouched(Object(repeated)));
    }

    [Fact]
    public void Keeping_a_request_keeps_every_part_of_its_snapshot()
    {
        // A pasted output that loses something makes Keep copy the snapshot: every part must come along (metrics did not).
        var snapshot = new Snapshot();
        foreach (var property in typeof(Snapshot).GetProperties())
        {
            var type = property.PropertyType.GetGenericArguments().Single();
            var list = (System.Collections.IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(type))!;
            list.Add(type == typeof(JsonElement) ? Object("""{"kind":"Pod"}""") : Activator.CreateInstance(type));
            property.SetValue(snapshot, list);
        }

        snapshot.Outputs = [new CommandOutput { Command = "kubectl logs -n kube-system coredns-abc", Text = "Authorization: Bearer abcdefghijklmnopqrstuvwxyz0123456789" }];
        var kept = StoredRequest.Keep(new DiagnosisRequest { Snapshot = snapshot });

        Assert.NotEmpty(kept.Notes);
        foreach (var property in typeof(Snapshot).GetProperties())
        {
            Assert.True(property.GetValue(kept.Request.Snapshot) is System.Collections.ICollection { Count: 1 }, $"snapshot.{property.Name} was not kept");
        }
    }
}
