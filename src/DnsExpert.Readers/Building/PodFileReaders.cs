using DnsExpert.Facts;
using DnsExpert.Readers.Parsing;

namespace DnsExpert.Readers.Building;

/// <summary>The readers of command outputs collected in pods, each registered with its source in <see cref="EvidenceSources"/>.</summary>
internal static class PodFileReaders
{
    /// <summary><c>ldd --version</c>: the pod's C library, musl or glibc, and its version.</summary>
    public static void Libc(EvidenceFile file, FileReadings readings)
    {
        var (ns, pod) = (file.Artifact.Namespace ?? "default", file.Artifact.Pod ?? "");
        var libc = LibcInfo.FromLddOutput(file.Text);
        readings.Facts.Add(new PodLibc
        {
            Source = $"Pod {ns}/{pod} `{file.Artifact.Command}`",
            ConcernsFailure = file.Cluster.IsTargetPod(ns, pod),
            Namespace = ns,
            Pod = pod,
            Kind = libc.Kind.ToString().ToLowerInvariant(),
            Version = libc.Version,
            VersionText = libc.Version?.Original,
        });
    }
}
