using DnsExpert.Contract;
using DnsExpert.Facts;
using DnsExpert.Readers.Parsing;
using DnsExpert.Testing;

namespace DnsExpert.Readers.Tests;

/// <summary>
/// <c>kubectl version</c> as people paste it (tests/fixtures/kubectl-version, each from the thread SOURCES.md names):
/// the client's and the API server's versions in each form kubectl has printed, and, pasted with its command, the
/// cluster's Kubernetes version when no node shows its kubelet.
/// </summary>
public sealed class KubectlVersionOutputTests
{
    private static string Fixture(string name) =>
        File.ReadAllText(Path.Combine(RepoPaths.Root, "tests", "fixtures", "kubectl-version", name));

    [Theory]
    [InlineData("text-v1.31-server-v1.32.2-k3s.txt", "v1.31.2", "v1.32.2+k3s1")]
    [InlineData("short-v1.25-server-v1.28.0.txt", "v1.25.4", "v1.28.0")]
    [InlineData("info-v1.26-server-v1.23.5-skew-warning.txt", "v1.26.2", "v1.23.5")]
    [InlineData("info-v1.6-alpha-server-v1.4.5.txt", "v1.6.0-alpha.0.636+681bd31ffefc92", "v1.4.5")]
    [InlineData("json-v1.15-server-v1.14.3.json", "v1.15.0", "v1.14.3")]
    [InlineData("json-v1.25-no-server-connection-refused.txt", "v1.25.2", null)]
    [InlineData("text-v1.28-no-server-connection-refused.txt", "v1.28.0", null)]
    public void Each_form_gives_the_client_and_the_servers_git_version(string file, string client, string? server)
    {
        var read = KubectlVersionOutput.Read(Fixture(file));
        Assert.NotNull(read);
        Assert.Equal(client, read.Value.Client?.Original);
        Assert.Equal(server, read.Value.Server?.Original);
    }

    [Theory]
    [InlineData("")]
    [InlineData("The connection to the server localhost:8080 was refused - did you specify the right host or port?")]
    [InlineData("Kustomize Version: v5.0.4-0.20230601165947-6ce0bf390ce3")]
    [InlineData("Server Version: 1 of 3 servers answered")]
    [InlineData("Server Version: version.Info{Major:\"1\", Minor:\"22\"}")]
    [InlineData("{\"serverVersion\": {\"gitVersion\": 1.22}}")]
    [InlineData("{\"serverVersion\": ")]
    public void An_output_with_no_version_is_no_kubectl_version(string text) => Assert.Null(KubectlVersionOutput.Read(text));

    [Theory]
    [InlineData("info-v1.26-server-v1.23.5-skew-warning.txt", "v1.23.5")]
    [InlineData("json-v1.15-server-v1.14.3.json", "v1.14.3")]
    [InlineData("text-v1.31-server-v1.32.2-k3s.txt", "v1.32.2+k3s1")]
    public void Pasted_without_nodes_the_servers_version_is_the_clusters(string file, string version)
    {
        var facts = SnapshotFactBuilder.Build(new DiagnosisRequest
        {
            Snapshot = new Snapshot { Outputs = [new CommandOutput { Command = "kubectl version", Text = Fixture(file) }] },
        });

        Assert.Equal(version, Assert.Single(facts.Facts.OfType<ClusterDns>()).KubernetesVersion?.Original);
        Assert.Contains(facts.Collection, c => c.Status == CollectionStatus.Ok && c.Detail?.Contains($"the API server's version, {version}", StringComparison.Ordinal) == true);
    }

    [Fact]
    public void A_kubelet_older_than_the_server_stays_the_clusters_version_and_a_client_alone_is_not_read()
    {
        var node = File.ReadAllText(Path.Combine(RepoPaths.Root, "tests", "fixtures", "kubectl-json", "node-kubeadm-v1.22.8.json"));
        var facts = SnapshotFactBuilder.Build(new DiagnosisRequest
        {
            Snapshot = new Snapshot
            {
                Outputs =
                [
                    new CommandOutput { Command = "kubectl get node -o json", Text = node },
                    new CommandOutput { Command = "kubectl version", Text = Fixture("info-v1.26-server-v1.23.5-skew-warning.txt") },
                    new CommandOutput { Command = "kubectl version -o json", Text = Fixture("json-v1.25-no-server-connection-refused.txt") },
                ],
            },
        });

        Assert.Equal("v1.22.8", Assert.Single(facts.Facts.OfType<ClusterDns>()).KubernetesVersion?.Original);
        Assert.Contains(facts.Collection, c => c.Status == CollectionStatus.Failed && c.Detail?.Contains("only the client's version", StringComparison.Ordinal) == true);
    }
}
