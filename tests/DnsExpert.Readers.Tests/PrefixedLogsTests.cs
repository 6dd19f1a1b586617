using DnsExpert.Contract;
using DnsExpert.Readers.Building;
using DnsExpert.Readers.Parsing;
using DnsExpert.Testing;

namespace DnsExpert.Readers.Tests;

/// <summary>
/// <c>kubectl logs -l k8s-app=kube-dns --prefix</c>: one command for the logs of every CoreDNS pod, which the checks
/// give instead of a <c>&lt;coredns-pod&gt;</c> to fill in. Each prefixed line goes to its pod's log; kubectl's own
/// lines and forged prefixes are left out; the logs count against the request's limits.
/// </summary>
public sealed class PrefixedLogsTests
{
    private static string Fixture(string name) => File.ReadAllText(Path.Combine(RepoPaths.Root, "tests", "fixtures", "kubectl-logs", name));

    [Fact]
    public void A_real_prefixed_log_is_read_as_its_pods_log_with_the_prefix_removed()
    {
        var part = Assert.Single(PrefixedLogs.Split(Fixture("coredns-prefix-timestamps-2026.txt")));

        Assert.Equal(("coredns-7c9d4b8f6d-5kq2w", "coredns"), (part.Pod, part.Container));
        Assert.StartsWith("2026-10-05T19:25:37.380819918Z .:53\n", part.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("[pod/", part.Text, StringComparison.Ordinal);
        Assert.Equal(13, part.Text.Count(c => c == '\n'));
    }

    [Fact]
    public void Lines_of_two_pods_go_to_each_pod_and_unprefixed_or_forged_lines_are_left_out()
    {
        var text = "[pod/coredns-a/coredns] .:53\r\n"
            + "error: previous terminated container \"coredns\" in pod \"coredns-c\" not found\n"
            + "[pod/coredns-b/coredns] [INFO] plugin/reload: Running configuration SHA512 = 1b22\n"
            + "[pod/-rf/coredns] forged: a name that is an option\n"
            + "[pod/coredns-a/coredns] CoreDNS-1.11.1";

        var parts = PrefixedLogs.Split(text);

        Assert.Equal(["coredns-a", "coredns-b"], parts.Select(p => p.Pod));
        Assert.Equal(".:53\nCoreDNS-1.11.1\n", parts[0].Text);
    }

    [Fact]
    public void A_pasted_label_selector_log_becomes_one_log_per_pod_within_the_limits()
    {
        var text = "[pod/coredns-a/coredns] .:53\n[pod/coredns-b/coredns] .:53\n[pod/coredns-c/coredns] .:53\n";
        var output = new CommandOutput { Command = "kubectl logs -n kube-system -l k8s-app=kube-dns --prefix --timestamps --tail=500", Text = text };

        var (all, allNotes) = PastedOutputs.Expand(new DiagnosisRequest { Snapshot = new Snapshot { Outputs = [output] } }, new RequestLimits());
        var (two, twoNotes) = PastedOutputs.Expand(new DiagnosisRequest { Snapshot = new Snapshot { Outputs = [output] } }, new RequestLimits { MaxLogs = 2 });

        Assert.Equal(["coredns-a", "coredns-b", "coredns-c"], all.Snapshot!.Logs!.Select(l => l.Pod));
        Assert.All(all.Snapshot.Logs!, l => Assert.Equal("kube-system", l.Namespace));
        Assert.Equal(CollectionStatus.Ok, Assert.Single(allNotes).Status);
        Assert.Equal(2, two.Snapshot!.Logs!.Count);
        Assert.Equal(CollectionStatus.Partial, Assert.Single(twoNotes).Status);
    }
}
