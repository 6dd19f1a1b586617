using DnsExpert.Contract;
using DnsExpert.Readers.Building;
using DnsExpert.Testing;

namespace DnsExpert.Readers.Tests;

/// <summary>
/// <see cref="PastedOutputs.Expand"/> is order-sensitive where an output could be read two ways: the order is the
/// registry's, explicit (<see cref="EvidenceReader"/>'s paste steps, <see cref="EvidenceSources.PastedWithoutCommand"/>),
/// and these pin it with real output (tests/fixtures) that two readers would each take.
/// </summary>
public sealed class PasteReadingOrderTests
{
    private static string Fixture(string path) => File.ReadAllText(Path.Combine(RepoPaths.Root, "tests", "fixtures", path));

    private static CollectionEntry Read(string? command, string text, string? from = null) =>
        Assert.Single(PastedOutputs.Expand(new DiagnosisRequest { Snapshot = new Snapshot { Outputs = [new CommandOutput { Command = command, From = from, Text = text }] } }).Notes);

    [Fact]
    public void Kubectl_objects_are_tried_as_json_or_yaml_then_a_table_then_none_found_then_noted_unread() =>
        Assert.Equal(
            [PastedOutputs.Steps.JsonOrYamlObjects, PastedOutputs.Steps.TableObjects, PastedOutputs.Steps.NoResourcesFound, PastedOutputs.Steps.ObjectsNotRead],
            EvidenceReader.KubernetesObjects.Pasted);

    [Fact]
    public void Kubectl_top_is_a_table_or_none_found_never_json() =>
        Assert.Equal([PastedOutputs.Steps.TableObjects, PastedOutputs.Steps.NoResourcesFound, PastedOutputs.Steps.ObjectsNotRead], EvidenceReader.KubectlTop.Pasted);

    [Fact]
    public void Without_its_command_dig_output_is_read_before_ping_and_ping_before_nc()
    {
        Assert.Equal([EvidenceReader.DnsLookups, EvidenceReader.Ping, EvidenceReader.TcpConnections], EvidenceSources.PastedWithoutCommand);

        // One paste of a lookup then a ping (each looks like its tool): the lookups reader takes it.
        var dig = Fixture("dns-tools/dig-nx.txt");
        var ping = Fixture("ping/issue-coredns-3645-iputils-timeout.txt");
        var nc = Fixture("nc/busybox-zvv-open.txt");
        Assert.Contains("DNS lookup(s) read from dig output", Read(null, ping + "\n" + dig).Detail, StringComparison.Ordinal);
        var pinged = Read(null, nc + "\n" + ping).Detail!;
        Assert.DoesNotContain("TCP connection", pinged, StringComparison.Ordinal);
        Assert.DoesNotContain("no ping run found", pinged, StringComparison.Ordinal);
        Assert.Contains("TCP connection(s) read from nc output", Read(null, nc).Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_kubectl_output_with_its_json_form_named_is_read_as_json_before_anything_else()
    {
        // -o json names the form: kubectl's "No resources found" there is not a list, and the note says why it was not read.
        var none = Read("kubectl get pods -n kube-system -o json", "No resources found in kube-system namespace.");
        Assert.Equal(CollectionStatus.Failed, none.Status);
        Assert.StartsWith("not valid JSON", none.Detail, StringComparison.Ordinal);
        Assert.Equal("kubectl found no such objects", Read("kubectl get pods -n kube-system", "No resources found in kube-system namespace.").Detail);
    }

    [Fact]
    public void Kubectl_output_no_step_reads_is_noted_unread_unless_it_says_where_it_ran_then_kept_as_that_commands_output()
    {
        var unread = Read("kubectl get pods -n kube-system", "error: You must be logged in to the server (Unauthorized)");
        Assert.Equal(CollectionStatus.Failed, unread.Status);
        Assert.StartsWith("not read: neither kubectl's -o json nor a table", unread.Detail, StringComparison.Ordinal);

        var kept = Read("kubectl get pods -n kube-system", "error: You must be logged in to the server (Unauthorized)", "node/cn-hangzhou.192.168.0.199");
        Assert.Equal("kept as the output of a command run on node/cn-hangzhou.192.168.0.199", kept.Detail);
    }

    [Fact]
    public void A_table_is_read_before_the_json_a_paste_also_sent_and_the_json_wins()
    {
        // Table objects go before the snapshot's own, so that the JSON form of the same object, when also sent, wins.
        var pods = Fixture("cluster-info-dump/kube-system/pods.json");
        var table = Fixture("kubectl-tables/pods-A-crashloop-2020.txt");
        var (request, _) = PastedOutputs.Expand(new DiagnosisRequest
        {
            Snapshot = new Snapshot
            {
                Outputs =
                [
                    new CommandOutput { Command = "kubectl get pods -n kube-system -o json", Text = pods },
                    new CommandOutput { Command = "kubectl get pods -A", Text = table },
                ],
            },
        });
        var objects = request.Snapshot!.Objects!;
        Assert.True(objects.Count >= 2);
        Assert.Equal("PodList", objects[^1].GetProperty("kind").GetString());
        Assert.Equal("Pod", objects[0].GetProperty("kind").GetString());
    }
}
