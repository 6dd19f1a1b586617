using System.Text.Json;
using DnsExpert.Contract;
using DnsExpert.Facts;
using DnsExpert.Readers.Building.Producers;
using DnsExpert.Readers.Objects;

namespace DnsExpert.Readers.Tests;

/// <summary>The cloud and instance id of a node, from the <c>spec.providerID</c> forms the clouds really write, or labels.</summary>
public sealed class CloudDetectionTests
{
    private static Node Node(string? providerId, params string[] labels) => new()
    {
        Metadata = new ObjectMeta { Name = "n", Labels = labels.ToDictionary(l => l, _ => "x") },
        Spec = new NodeSpec { ProviderID = providerId },
    };

    [Theory]
    [InlineData("alicloud://cn-hangzhou.i-bp1g6zv0ce8oghu7k3a1", "alibaba", "i-bp1g6zv0ce8oghu7k3a1")]
    [InlineData("cn-hangzhou.i-bp1g6zv0ce8oghu7k3a1", "alibaba", "i-bp1g6zv0ce8oghu7k3a1")]
    [InlineData("aws:///us-east-1a/i-0a1b2c3d4e5f60718", "aws", "i-0a1b2c3d4e5f60718")]
    [InlineData("gce://my-project-123456/us-central1-a/gke-prod-default-pool-3c4f1a2b-x7kq", "gcp", "gke-prod-default-pool-3c4f1a2b-x7kq")]
    [InlineData("azure:///subscriptions/8f2a6c1e-0b3d-4e5f-9a7b-1c2d3e4f5a6b/resourceGroups/mc_rg_aks_westeurope/providers/Microsoft.Compute/virtualMachineScaleSets/aks-nodepool1-12345678-vmss/virtualMachines/0", "azure", "aks-nodepool1-12345678-vmss_0")]
    [InlineData("azure:///subscriptions/8f2a6c1e-0b3d-4e5f-9a7b-1c2d3e4f5a6b/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/k8s-agent-1", "azure", "k8s-agent-1")]
    [InlineData("kind://docker/kind/kind-control-plane", "unknown", null)]
    public void Provider_id_forms_give_the_cloud_and_the_instance(string providerId, string provider, string? instance)
    {
        var (p, i, evidence) = CloudProducer.DetectCloud(Node(providerId));
        Assert.Equal((provider, instance), (p, i));
        Assert.Contains(providerId, evidence, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("eks.amazonaws.com/nodegroup", "aws")]
    [InlineData("cloud.google.com/gke-nodepool", "gcp")]
    [InlineData("kubernetes.azure.com/agentpool", "azure")]
    [InlineData("alibabacloud.com/nodepool-id", "alibaba")]
    [InlineData("kubernetes.io/hostname", "unknown")]
    public void Without_a_provider_id_the_well_known_labels_decide(string label, string provider) =>
        Assert.Equal(provider, CloudProducer.DetectCloud(Node(null, label)).Provider);

    /// <summary>
    /// The cloud is named with its managed Kubernetes unless the nodes show another distribution built the cluster there
    /// (k3s on EC2, as <c>cloud-resolver-packet-limit/fires-k3s-vpc-resolver-timeouts-with-linklocal-rising</c>): the
    /// VPC resolver is AWS's either way, the cluster is not EKS.
    /// </summary>
    [Theory]
    [InlineData("v1.16.15-eks-ad4801", "AWS (EKS)")]
    [InlineData("v1.29.6", "AWS (EKS)")]
    [InlineData("v1.30.6+k3s1", "AWS")]
    [InlineData("v1.27.4+rke2r1", "AWS")]
    public void A_cloud_is_named_for_its_managed_kubernetes_only_when_no_other_distribution_shows(string kubelet, string name)
    {
        var node = JsonDocument.Parse(
            """{"apiVersion":"v1","kind":"Node","metadata":{"name":"ip-10-28-17-45.eu-west-3.compute.internal"},"spec":{"providerID":"aws:///eu-west-3a/i-0c5d1e7a2b3f40a01"},"status":{"nodeInfo":{"kubeletVersion":"""
            + JsonSerializer.Serialize(kubelet) + "}}}").RootElement;
        var facts = SnapshotFactBuilder.Build(new DiagnosisRequest
        {
            Target = new TargetRef { Namespace = "default", Pod = "web-0" },
            Snapshot = new Snapshot { Objects = [node] },
        }).Facts;

        var cloud = Assert.Single(facts.OfType<ClusterCloud>());
        Assert.Equal(("aws", name), (cloud.Provider, cloud.Name));
    }
}
