namespace DnsExpert.Readers.Building;

/// <summary>A container image reference as a pod spec writes it: <c>registry.k8s.io/cpa/cluster-proportional-autoscaler:v1.8.8@sha256:...</c>.</summary>
public static class ContainerImage
{
    /// <summary>The last segment of the image's repository, without tag or digest: <c>cluster-proportional-autoscaler</c>, <c>busybox</c>.</summary>
    public static string Name(string image)
    {
        var repository = image.Split('@')[0];
        var slash = repository.LastIndexOf('/');
        var colon = repository.IndexOf(':', slash + 1);
        return colon < 0 ? repository[(slash + 1)..] : repository[(slash + 1)..colon];
    }
}
