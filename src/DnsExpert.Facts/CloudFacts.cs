namespace DnsExpert.Facts;

/// <summary>The cloud a node runs on, read from <c>spec.providerID</c> or its well-known labels.</summary>
[FactDescription("A node's cloud: provider (alibaba, aws, gcp, azure, unknown), the instance id from spec.providerID, and what showed it.")]
public sealed class NodeCloud : Fact
{
    public required string Node { get; init; }

    /// <summary><c>alibaba</c>, <c>aws</c>, <c>gcp</c>, <c>azure</c> or <c>unknown</c>.</summary>
    [OneOf(typeof(CloudProviders))]
    public required string Provider { get; init; }

    /// <summary>ECS <c>i-bp1...</c>, EC2 <c>i-0abc...</c>, the GCE VM name, the Azure VM (or <c>scaleset_instance</c>) name.</summary>
    public string? InstanceId { get; init; }

    /// <summary>What showed the provider: <c>spec.providerID aws:///us-east-1a/i-0abc</c> or <c>label eks.amazonaws.com/nodegroup</c>.</summary>
    public required string Evidence { get; init; }
}

/// <summary>The cloud the cluster runs on: the provider most of its nodes show, for remediation and tickets.</summary>
[FactDescription("The cluster's cloud (one fact per diagnosis): provider (alibaba, aws, gcp, azure, or unknown for on-premises or not shown), its managed Kubernetes name, and which node showed it.")]
public sealed class ClusterCloud : Fact
{
    /// <summary><c>alibaba</c>, <c>aws</c>, <c>gcp</c>, <c>azure</c>, or <c>unknown</c> (on-premises, or no node in the snapshot says).</summary>
    [OneOf(typeof(CloudProviders))]
    public required string Provider { get; init; }

    /// <summary>
    /// <c>Alibaba Cloud (ACK)</c>, <c>AWS (EKS)</c>, <c>Google Cloud (GKE)</c>, <c>Azure (AKS)</c>; the cloud alone
    /// (<c>AWS</c>, ...) when the snapshot shows another distribution built the cluster there (k3s on EC2); <c>no cloud provider shown</c>.
    /// </summary>
    public required string Name { get; init; }

    /// <summary>For evidence: <c>node ip-10-0-1-23.ec2.internal: spec.providerID aws:///us-east-1a/i-0abc</c>; empty when unknown.</summary>
    public string Evidence { get; init; } = "";
}
