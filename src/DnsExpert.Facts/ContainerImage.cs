namespace DnsExpert.Facts;

/// <summary>
/// A container image reference as a pod spec writes it: <c>[registry[:port]/]path/name[:tag][@digest]</c>
/// (<c>registry.k8s.io/cpa/cluster-proportional-autoscaler:v1.8.8@sha256:...</c>, <c>localhost:5001/hello-app:1.0</c>).
/// A registry's port is no tag: the tag is after the last <c>/</c>, and the digest after <c>@</c> is neither.
/// </summary>
public static class ContainerImage
{
    /// <summary>The last segment of the image's repository, without tag or digest: <c>cluster-proportional-autoscaler</c>, <c>busybox</c>.</summary>
    public static string Name(string image) => Split(image).Name;

    /// <summary>
    /// The image's tag: <c>1.11.1</c> of <c>registry:5000/coredns:1.11.1</c> and of <c>coredns:1.11.1@sha256:...</c>;
    /// null without one (<c>coredns</c>, <c>coredns@sha256:...</c>, <c>registry:5000/coredns</c>), or when empty (<c>coredns:</c>).
    /// </summary>
    public static string? Tag(string image) => Split(image).Tag;

    private static (string Name, string? Tag) Split(string image)
    {
        var repository = image.Split('@')[0];
        var slash = repository.LastIndexOf('/');
        var colon = repository.IndexOf(':', slash + 1);
        return colon < 0 ? (repository[(slash + 1)..], null)
            : (repository[(slash + 1)..colon], colon + 1 < repository.Length ? repository[(colon + 1)..] : null);
    }
}
