using DnsExpert.Collectors.Dump;

namespace DnsExpert.Collectors.Tests;

/// <summary>The reader of <c>kubectl cluster-info dump --output-directory</c>, on files written as kubectl writes them.</summary>
public sealed class ClusterInfoDumpTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("dnsexpert-dump-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    // kubectl/pkg/cmd/clusterinfo/clusterinfo_dump.go: printContainer writes the START marker, the raw log, then
    // (deferred) the END marker, one section per container into <namespace>/<pod>/logs.txt.
    private void WriteLogs(string ns, string pod, string text)
    {
        Directory.CreateDirectory(Path.Combine(_dir, ns, pod));
        File.WriteAllText(Path.Combine(_dir, ns, pod, "logs.txt"), text);
    }

    [Fact]
    public void Each_container_log_is_read_once_the_last_one_too()
    {
        WriteLogs("kube-system", "coredns-5d78c9869d-abcde", """
            ==== START logs for container coredns of pod kube-system/coredns-5d78c9869d-abcde ====
            [INFO] plugin/reload: Running configuration SHA512 = 8b10fbd1d5ecf4c14dffdd3c1f3c0a3d
            [ERROR] plugin/errors: 2 api.partner-example.com. A: read udp 172.20.6.10:41573->100.100.2.136:53: i/o timeout
            ==== END logs for container coredns of pod kube-system/coredns-5d78c9869d-abcde ====
            ==== START logs for container log-sidecar of pod kube-system/coredns-5d78c9869d-abcde ====
            sidecar started
            ==== END logs for container log-sidecar of pod kube-system/coredns-5d78c9869d-abcde ====

            """);

        var logs = ClusterInfoDump.Read(_dir).Snapshot.Logs!;

        Assert.Equal(["coredns", "log-sidecar"], logs.Select(l => l.Container));
        Assert.Equal("sidecar started" + Environment.NewLine, logs[1].Text!.Value);
        var coredns = logs[0].Text!.Value!;
        Assert.Single(coredns.Split('\n'), l => l.Contains("i/o timeout", StringComparison.Ordinal));
        Assert.DoesNotContain("====", coredns, StringComparison.Ordinal);
    }

    [Fact]
    public void A_log_without_a_final_newline_ends_where_the_end_marker_begins()
    {
        WriteLogs("kube-system", "coredns-5d78c9869d-k2m9p",
            "==== START logs for container coredns of pod kube-system/coredns-5d78c9869d-k2m9p ====\n"
            + "CoreDNS-1.11.3==== END logs for container coredns of pod kube-system/coredns-5d78c9869d-k2m9p ====\n"
            + "Request log error: the server rejected our request\n");

        var log = Assert.Single(ClusterInfoDump.Read(_dir).Snapshot.Logs!);

        Assert.Equal("CoreDNS-1.11.3" + Environment.NewLine, log.Text!.Value);
    }

    [Fact]
    public void A_section_cut_short_is_kept_once()
    {
        WriteLogs("kube-system", "coredns-5d78c9869d-k2m9p",
            "==== START logs for container coredns of pod kube-system/coredns-5d78c9869d-k2m9p ====\n.:53\nCoreDNS-1.11.3\n");

        var log = Assert.Single(ClusterInfoDump.Read(_dir).Snapshot.Logs!);

        Assert.Equal("coredns", log.Container);
        Assert.Equal(2, log.Text!.Value!.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public void Events_json_is_read_and_secrets_json_is_not()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "default"));
        File.WriteAllText(Path.Combine(_dir, "default", "events.json"), """
            {"kind": "EventList", "apiVersion": "v1", "metadata": {"resourceVersion": "4521400"}, "items": [
              {"metadata": {"name": "web-7d4b9c-x2k4q.17cf0a5e3b1c2d4f", "namespace": "default"},
               "involvedObject": {"kind": "Pod", "namespace": "default", "name": "web-7d4b9c-x2k4q", "apiVersion": "v1"},
               "reason": "DNSConfigForming", "type": "Warning", "count": 9, "source": {"component": "kubelet"},
               "message": "Nameserver limits were exceeded, some nameservers have been omitted, the applied nameserver line is: 172.21.0.10 100.100.2.136 100.100.2.138"}]}
            """);
        File.WriteAllText(Path.Combine(_dir, "default", "secrets.json"), """{"kind": "SecretList", "apiVersion": "v1", "items": []}""");

        var objects = ClusterInfoDump.Read(_dir).Snapshot.Objects!;

        var list = Assert.Single(objects);
        Assert.Equal("EventList", list.GetProperty("kind").GetString());
    }
}
