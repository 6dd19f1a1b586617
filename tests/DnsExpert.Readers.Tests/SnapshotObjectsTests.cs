using System.Text.Json;
using DnsExpert.Contract;
using DnsExpert.Readers.Building;
using k8s;

namespace DnsExpert.Readers.Tests;

/// <summary>A large snapshot's objects are deserialized on every core and kept as one pass in the snapshot's order keeps them.</summary>
public sealed class SnapshotObjectsTests
{
    private static JsonElement Json(string json) => JsonDocument.Parse(json).RootElement;

    private static JsonElement Pod(string name, string version) =>
        Json($$$"""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"{{{name}}}","namespace":"app","labels":{"version":"{{{version}}}"}},"spec":{"containers":[{"name":"c","image":"busybox"}]}}""");

    /// <summary>
    /// 700 objects of every outcome, at places on both sides of the work's split: pods (the later of a name replaces the
    /// earlier), an element that is no object, one with no kind, a name Kubernetes refuses, a kind not read, a Calico
    /// policy, a pod of the wrong shape, a PodList.
    /// </summary>
    private static Snapshot Mixed()
    {
        var objects = new List<JsonElement>();
        for (var i = 0; i < 700; i++)
        {
            objects.Add(i switch
            {
                5 => Json("\"a string\""),
                333 => Json("""{"apiVersion":"v1","metadata":{"name":"x"}}"""),
                450 => Pod("Bad_Name", "1"),
                460 or 461 or 690 => Json("""{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w"}}"""),
                520 => Json("""{"apiVersion":"projectcalico.org/v3","kind":"NetworkPolicy","metadata":{"name":"deny","namespace":"app"},"spec":{}}"""),
                600 => Json("""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"broken","namespace":"app"},"spec":"not an object"}"""),
                650 => Json($$"""{"apiVersion":"v1","kind":"PodList","items":[{{Pod("listed-0", "1").GetRawText()}},{{Pod("pod-7", "list").GetRawText()}}]}"""),
                _ => Pod($"pod-{i % 400}", i < 400 ? "first" : "second"),
            });
        }

        return new Snapshot { Objects = objects };
    }

    [Fact]
    public void A_large_snapshot_read_on_every_core_is_the_one_pass_reading()
    {
        var snapshot = Mixed();

        var parallel = SnapshotObjects.Read(snapshot, parallelFrom: 1);
        var sequential = SnapshotObjects.Read(snapshot, parallelFrom: int.MaxValue);

        Assert.Equal(sequential.Notes, parallel.Notes);
        Assert.Equal(sequential.Pods.Keys, parallel.Pods.Keys);
        Assert.Equal(
            sequential.Pods.Values.Select(p => KubernetesJson.Serialize(p)),
            parallel.Pods.Values.Select(p => KubernetesJson.Serialize(p)));
        Assert.Equal(sequential.ForeignPolicies, parallel.ForeignPolicies);
    }

    [Fact]
    public void A_large_snapshots_objects_are_kept_in_its_order()
    {
        var objects = SnapshotObjects.Read(Mixed());

        // The later pod of a name replaces the earlier, the list's item included.
        Assert.Equal("second", objects.Pods["app/pod-0"].Metadata.Labels["version"]);
        Assert.Equal("list", objects.Pods["app/pod-7"].Metadata.Labels["version"]);
        Assert.Equal("first", objects.Pods["app/pod-399"].Metadata.Labels["version"]);
        Assert.True(objects.Pods.ContainsKey("app/listed-0"));
        Assert.Single(objects.ForeignPolicies);

        var notes = string.Join("\n", objects.Notes.Select(n => n.Detail ?? ""));
        Assert.Contains("Widget (3)", notes, StringComparison.Ordinal);
        Assert.Contains("skipped 1 object(s)", notes, StringComparison.Ordinal);
        Assert.Contains("snapshot.objects[450] (Pod)", notes, StringComparison.Ordinal);
        var broken = objects.Notes.Single(n => n.Detail?.StartsWith("could not read", StringComparison.Ordinal) == true).Detail!;
        Assert.StartsWith("could not read 3 object(s): snapshot.objects[5]: not a JSON object; snapshot.objects[333]: no 'kind'; snapshot.objects[600] (Pod): ", broken, StringComparison.Ordinal);
    }

    /// <summary>
    /// The readers' models carry only the fields some reader reads: a field of the wrong JSON type among those still
    /// makes the object unreadable, as it did with KubernetesClient's models (an IntOrString port of neither form
    /// included); one among the others is skipped unread.
    /// </summary>
    [Fact]
    public void A_wrong_type_in_a_field_the_readers_read_is_noted_and_one_in_any_other_field_is_skipped()
    {
        var objects = SnapshotObjects.Read(new Snapshot
        {
            Objects =
            [
                Json("""{"kind":"Pod","metadata":{"name":"labels","namespace":"app","labels":"x"}}"""),
                Json("""{"kind":"Service","metadata":{"name":"port","namespace":"app"},"spec":{"ports":[{"port":"53"}]}}"""),
                Json("""{"kind":"NetworkPolicy","metadata":{"name":"egress","namespace":"app"},"spec":{"egress":[{"ports":[{"port":true}]}]}}"""),
                Json("""{"kind":"Pod","metadata":{"name":"uid","namespace":"app","uid":5,"managedFields":"x"},"spec":{"tolerations":7}}"""),
            ],
        });

        var broken = objects.Notes.Single(n => n.Detail?.StartsWith("could not read", StringComparison.Ordinal) == true).Detail!;
        Assert.StartsWith("could not read 3 object(s): snapshot.objects[0] (Pod): ", broken, StringComparison.Ordinal);
        Assert.Contains("snapshot.objects[1] (Service): ", broken, StringComparison.Ordinal);
        Assert.Contains("snapshot.objects[2] (NetworkPolicy): ", broken, StringComparison.Ordinal);
        Assert.Equal(["app/uid"], objects.Pods.Keys);
        Assert.Empty(objects.Services);
        Assert.Empty(objects.NetworkPolicies);
    }

    [Fact]
    public void The_cluster_dns_corefile_is_parsed_once_per_snapshot_with_its_imports()
    {
        var snapshot = new Snapshot
        {
            Objects =
            [
                Json("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"coredns","namespace":"kube-system"},"data":{"Corefile":".:53 {\n    import custom/*.override\n    forward . /etc/resolv.conf\n}"}}"""),
                Json("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"coredns-custom","namespace":"kube-system"},"data":{"log.override":"log"}}"""),
            ],
        };
        var objects = SnapshotObjects.Read(snapshot);

        // The Corefile's facts and the negative cache's window read the same parse.
        var produced = Building.Producers.CorefileProducer.Produce(objects);
        var corefile = Building.Producers.CorefileProducer.Parse(objects);
        Assert.Same(corefile, Building.Producers.CorefileProducer.Parse(objects));
        Assert.Contains(corefile!.Servers[0].Directives, d => d.Name == "log");
        Assert.NotEmpty(produced.Facts);

        var none = SnapshotObjects.Read(new Snapshot { Objects = [Pod("p", "1")] });
        Assert.Null(Building.Producers.CorefileProducer.Parse(none));
        Assert.Null(Building.Producers.CorefileProducer.Parse(none));
    }
}
