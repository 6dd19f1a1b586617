using DnsExpert.Contract;
using DnsExpert.Readers.Parsing;
using DnsExpert.Testing;

namespace DnsExpert.Collectors.Tests;

/// <summary>
/// Pasted <c>dig</c> and <c>nslookup</c> output read into probe results: the real <c>dig</c> (Debian bind9-dnsutils) run
/// against the tests' real DNS servers on loopback, and kept outputs of other versions (tests/fixtures/dns-tools).
/// </summary>
public sealed class DigOutputTests(DnsServers servers) : IClassFixture<DnsServers>
{
    private static async Task<(string Command, string Output)> DigAsync(params string[] arguments) =>
        ("dig " + string.Join(' ', arguments), (await InstalledTool.RunAsync("dig", "bind9-dnsutils", arguments)).Output);

    private static string Fixture(string name) => File.ReadAllText(Path.Combine(RepoPaths.Root, "tests", "fixtures", "dns-tools", name));

    [Fact]
    public async Task Real_dig_noerror_nxdomain_servfail_and_refused_are_read_with_server_flags_and_time()
    {
        var port = servers.Answering.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var (command, output) = await DigAsync("@127.0.0.1", "-p", port, "ok.test", "A", "+tries=1", "+time=3");
        var ok = Assert.Single(DnsToolOutput.Parse(output, command));
        Assert.Equal((ProbeOutcome.Answered, "NOERROR", "127.0.0.1", servers.Answering, "ok.test", "A", ProbeTransport.Udp, 1),
            (ok.Probe.Outcome, ok.Probe.Rcode, ok.Probe.Server, ok.Probe.Port, ok.Probe.Name, ok.Probe.Type, ok.Probe.Transport, ok.Probe.AnswerCount));
        Assert.True(ok.Probe.Authoritative);
        Assert.NotNull(ok.Probe.LatencyMs);

        (command, output) = await DigAsync("@127.0.0.1", "-p", port, "missing.test", "AAAA", "+tries=1", "+time=3");
        var missing = Assert.Single(DnsToolOutput.Parse(output, command));
        Assert.Equal(("NXDOMAIN", "missing.test", "AAAA", 0), (missing.Probe.Rcode, missing.Probe.Name, missing.Probe.Type, missing.Probe.AnswerCount));

        (command, output) = await DigAsync("@127.0.0.1", "-p", servers.Failing.ToString(System.Globalization.CultureInfo.InvariantCulture), "x.fail.example.com", "+tries=1", "+time=5");
        Assert.Equal("SERVFAIL", Assert.Single(DnsToolOutput.Parse(output, command)).Probe.Rcode);

        (command, output) = await DigAsync("@127.0.0.1", "-p", servers.Refusing.ToString(System.Globalization.CultureInfo.InvariantCulture), "www.example.com", "+tries=1", "+time=3");
        Assert.Equal("REFUSED", Assert.Single(DnsToolOutput.Parse(output, command)).Probe.Rcode);
    }

    [Fact]
    public async Task Real_dig_timeouts_and_refused_connections_are_outcomes_not_answers()
    {
        var (command, output) = await DigAsync("@127.0.0.1", "-p", servers.Silent.ToString(System.Globalization.CultureInfo.InvariantCulture), "ok.test", "+tries=1", "+time=1");
        var silent = Assert.Single(DnsToolOutput.Parse(output, command));
        Assert.Equal((ProbeOutcome.Timeout, null, "127.0.0.1", servers.Silent, "ok.test"), (silent.Probe.Outcome, silent.Probe.Rcode, silent.Probe.Server, silent.Probe.Port, silent.Probe.Name));

        (command, output) = await DigAsync("@127.0.0.1", "-p", servers.Closed.ToString(System.Globalization.CultureInfo.InvariantCulture), "ok.test", "+tries=1", "+time=1");
        Assert.Equal(ProbeOutcome.Refused, Assert.Single(DnsToolOutput.Parse(output, command)).Probe.Outcome);

        var legacy = Assert.Single(DnsToolOutput.Parse(Fixture("dig-legacy-timeout.txt")));
        Assert.Equal((ProbeOutcome.Timeout, "10.96.0.10", "kubernetes.default.svc.cluster.local"), (legacy.Probe.Outcome, legacy.Probe.Server, legacy.Probe.Name));
    }

    [Fact]
    public async Task Real_dig_of_an_answer_too_big_for_udp_shows_the_truncation_and_the_tcp_retry()
    {
        var port = servers.Answering.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var (command, output) = await DigAsync("@127.0.0.1", "-p", port, DnsServers.BigName, "A", "+noedns", "+tries=1", "+time=3");
        var lookups = DnsToolOutput.Parse(output, command);

        Assert.Equal(2, lookups.Count);
        Assert.Equal((ProbeTransport.Udp, true), (lookups[0].Probe.Transport, lookups[0].Probe.Truncated));
        Assert.Equal((ProbeTransport.Tcp, false, "NOERROR", 40), (lookups[1].Probe.Transport, lookups[1].Probe.Truncated, lookups[1].Probe.Rcode, lookups[1].Probe.AnswerCount));
        Assert.All(lookups, l => Assert.Equal(DnsServers.BigName, l.Probe.Name));

        (command, output) = await DigAsync("@127.0.0.1", "-p", port, DnsServers.BigName, "A", "+noedns", "+ignore", "+tries=1", "+time=3");
        var kept = Assert.Single(DnsToolOutput.Parse(output, command));
        Assert.True(kept.Probe.Truncated);
        Assert.Equal(ProbeTransport.Udp, kept.Probe.Transport);
    }

    [Fact]
    public void Busybox_nslookup_as_pods_print_it_gives_one_result_per_name_tried()
    {
        var tried = DnsToolOutput.Parse(Fixture("nslookup-busybox-nxdomain.txt"), "nslookup shop-api");
        Assert.Equal(["shop-api.default.svc.cluster.local", "shop-api.svc.cluster.local", "shop-api.cluster.local"], tried.Select(t => t.Probe.Name));
        Assert.All(tried, t => Assert.Equal((DnsTool.Nslookup, "NXDOMAIN", "10.96.0.10", 53), (t.Tool, t.Probe.Rcode, t.Probe.Server, t.Probe.Port)));

        var old = Assert.Single(DnsToolOutput.Parse(Fixture("nslookup-busybox-old.txt")));
        Assert.Equal(("kubernetes.default", "NXDOMAIN", "10.0.0.10"), (old.Probe.Name, old.Probe.Rcode, old.Probe.Server));
    }

    /// <summary>
    /// busybox asks A and AAAA and prints the A answer first: a failure line for the same name after its addresses is
    /// the AAAA query's and leaves the A answer answered (it used to overwrite it with the AAAA's REFUSED). Both outputs
    /// were captured from Debian's busybox 1.35 against dnsmasq.
    /// </summary>
    [Fact]
    public void Busybox_nslookup_keeps_the_A_answer_when_the_AAAA_query_fails()
    {
        var lookups = DnsToolOutput.Parse(Fixture("nslookup-busybox-a-answered-aaaa-refused.txt"), "nslookup orders.shop.svc.cluster.local 127.0.0.1:15399");

        Assert.Equal(
            [("A", "NOERROR", (int?)1), ("AAAA", "REFUSED", null)],
            lookups.Select(l => (l.Probe.Type!, l.Probe.Rcode!, l.Probe.AnswerCount)));
        Assert.All(lookups, l => Assert.Equal(("orders.shop.svc.cluster.local", "127.0.0.1", 15399), (l.Probe.Name, l.Probe.Server, l.Probe.Port)));

        // A name that does not exist fails for both queries: two NXDOMAIN results for it.
        var missing = DnsToolOutput.Parse(Fixture("nslookup-busybox-nxdomain-a-and-aaaa.txt"), "nslookup ordres.shop.svc.cluster.local 127.0.0.1:15399");
        Assert.Equal(["NXDOMAIN", "NXDOMAIN"], missing.Select(l => l.Probe.Rcode));
    }

    [Fact]
    public void Kept_outputs_of_dig_read_the_same_as_when_they_were_captured()
    {
        Assert.Equal("NOERROR", Assert.Single(DnsToolOutput.Parse(Fixture("dig-noerror.txt"))).Probe.Rcode);
        Assert.Equal("NXDOMAIN", Assert.Single(DnsToolOutput.Parse(Fixture("dig-nx.txt"))).Probe.Rcode);
        Assert.Equal("REFUSED", Assert.Single(DnsToolOutput.Parse(Fixture("dig-refused.txt"))).Probe.Rcode);
        Assert.Equal(ProbeOutcome.Timeout, Assert.Single(DnsToolOutput.Parse(Fixture("dig-timeout.txt"))).Probe.Outcome);
        Assert.Equal(ProbeOutcome.Refused, Assert.Single(DnsToolOutput.Parse(Fixture("dig-closed.txt"))).Probe.Outcome);
        Assert.Equal([true, false], DnsToolOutput.Parse(Fixture("dig-tc.txt")).Select(l => l.Probe.Truncated));
        Assert.Empty(DnsToolOutput.Parse("curl: (6) Could not resolve host: shop-api"));
    }

    /// <summary>
    /// A Service's reply that skipped its reverse NAT comes from the pod's address: dig and BIND's nslookup up to 9.16
    /// say so (<c>;; reply from unexpected source</c>) and time out; the probe keeps where the reply came from.
    /// </summary>
    [Fact]
    public void A_reply_from_an_unexpected_source_is_a_timeout_that_keeps_the_address_it_came_from()
    {
        var dig = Assert.Single(DnsToolOutput.Parse(Fixture("dig-legacy-reply-from-unexpected-source.txt")));
        Assert.Equal((ProbeOutcome.Timeout, "100.64.0.12", 53, "100.96.3.3", "svc-name.svc.cluster.local"),
            (dig.Probe.Outcome, dig.Probe.Server, dig.Probe.Port, dig.Probe.ReplyFrom, dig.Probe.Name));

        var nslookup = Assert.Single(DnsToolOutput.Parse(Fixture("nslookup-bind-reply-from-unexpected-source.txt"), "nslookup kubernetes.default"));
        Assert.Equal((ProbeOutcome.Timeout, "10.43.0.10", "10.42.0.3", "kubernetes.default"),
            (nslookup.Probe.Outcome, nslookup.Probe.Server, nslookup.Probe.ReplyFrom, nslookup.Probe.Name));
    }

    /// <summary>
    /// The real dig 9.18 against a server that answers from another loopback address (127.0.0.2) than it was asked at:
    /// its connected socket drops the reply without a word, so the lookup is a plain timeout with no address to keep.
    /// </summary>
    [Fact]
    public async Task Real_dig_drops_a_reply_from_another_address_silently()
    {
        using var asked = new System.Net.Sockets.UdpClient(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        var port = ((System.Net.IPEndPoint)asked.Client.LocalEndPoint!).Port;
        using var other = new System.Net.Sockets.UdpClient(new System.Net.IPEndPoint(System.Net.IPAddress.Parse("127.0.0.2"), port));
        using var stop = new CancellationTokenSource();
        var answering = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var query = await asked.ReceiveAsync(stop.Token);
                var reply = query.Buffer.ToArray();
                reply[2] = 0x81; // QR, RD
                reply[3] = 0x80; // RA, NOERROR
                await other.SendAsync(reply, query.RemoteEndPoint, stop.Token);
            }
        }, stop.Token);

        var (command, output) = await DigAsync("@127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "orders.default.svc.cluster.local", "+tries=1", "+time=1");
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => answering);

        var lookup = Assert.Single(DnsToolOutput.Parse(output, command));
        Assert.Equal((ProbeOutcome.Timeout, null), (lookup.Probe.Outcome, lookup.Probe.ReplyFrom));
        var kept = Assert.Single(DnsToolOutput.Parse(Fixture("dig-reply-from-another-address.txt")));
        Assert.Equal((ProbeOutcome.Timeout, null), (kept.Probe.Outcome, kept.Probe.ReplyFrom));
    }
}
