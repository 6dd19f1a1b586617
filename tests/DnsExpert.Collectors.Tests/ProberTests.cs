using DnsExpert.Collectors.Probes;
using DnsExpert.Contract;
using DnsExpert.Testing;
using Microsoft.Extensions.Options;

namespace DnsExpert.Collectors.Tests;

/// <summary>The prober against real dnsmasq and unbound on loopback: every outcome happens for real.</summary>
public sealed class ProberTests(DnsServers servers) : IClassFixture<DnsServers>
{
    private readonly DnsProber _prober = new(Options.Create(new ProbeOptions { Timeout = TimeSpan.FromSeconds(3), MaxParallel = 8 }), TimeProvider.System);

    private Task<ProbeArtifact> Query(int port, string name, ProbeTransport transport = ProbeTransport.Udp, string type = "A") =>
        _prober.QueryAsync(new DnsProbe("dnsexpert", "127.0.0.1", port, name, type, transport), CancellationToken.None);

    [Fact]
    public async Task Noerror_with_its_answers()
    {
        var p = await Query(servers.Answering, "ok.test");
        Assert.Equal((ProbeOutcome.Answered, "NOERROR", false, 1), (p.Outcome, p.Rcode, p.Truncated, p.AnswerCount));
        Assert.True(p.LatencyMs >= 0);
    }

    [Fact]
    public async Task Nxdomain()
    {
        var p = await Query(servers.Answering, "missing.test");
        Assert.Equal((ProbeOutcome.Answered, "NXDOMAIN"), (p.Outcome, p.Rcode));
    }

    [Fact]
    public async Task Servfail_from_a_forwarder_whose_upstream_fails()
    {
        var p = await Query(servers.Failing, "www.fail.example.com");
        Assert.Equal((ProbeOutcome.Answered, "SERVFAIL"), (p.Outcome, p.Rcode));
    }

    [Fact]
    public async Task Refused()
    {
        var p = await Query(servers.Refusing, "www.example.com");
        Assert.Equal((ProbeOutcome.Answered, "REFUSED"), (p.Outcome, p.Rcode));
    }

    [Fact]
    public async Task A_big_answer_is_truncated_over_udp_and_complete_over_tcp()
    {
        var udp = await Query(servers.Answering, DnsServers.BigName);
        Assert.Equal((ProbeOutcome.Answered, true), (udp.Outcome, udp.Truncated));

        var tcp = await Query(servers.Answering, DnsServers.BigName, ProbeTransport.Tcp);
        Assert.Equal((ProbeOutcome.Answered, false, 40), (tcp.Outcome, tcp.Truncated, tcp.AnswerCount));
    }

    [Fact]
    public async Task A_server_that_never_answers_is_a_timeout()
    {
        var p = await Query(servers.Silent, "ok.test");
        Assert.Equal(ProbeOutcome.Timeout, p.Outcome);
    }

    [Fact]
    public async Task A_port_nothing_listens_on_is_refused()
    {
        var udp = await Query(servers.Closed, "ok.test");
        Assert.True(udp.Outcome is ProbeOutcome.Refused or ProbeOutcome.Timeout, udp.Outcome.ToString());
        var tcp = await _prober.ConnectAsync(new TcpProbe("dnsexpert", "127.0.0.1", servers.Closed), CancellationToken.None);
        Assert.Equal(ProbeOutcome.Refused, tcp.Outcome);
        var open = await _prober.ConnectAsync(new TcpProbe("dnsexpert", "127.0.0.1", servers.Answering), CancellationToken.None);
        Assert.Equal(ProbeOutcome.Answered, open.Outcome);
    }

    [Fact]
    public async Task Probes_run_together_and_results_keep_the_order_of_the_plan()
    {
        var probes = Enumerable.Range(0, 8).Select(i => new DnsProbe("dnsexpert", "127.0.0.1", servers.Silent, $"n{i}.test", "A", ProbeTransport.Udp))
            .Append(new DnsProbe("dnsexpert", "127.0.0.1", servers.Answering, "ok.test", "A", ProbeTransport.Udp)).ToList();
        var results = await _prober.RunAsync(probes, [], CancellationToken.None);

        Assert.Equal(9, results.Count);
        Assert.All(results.Take(8), r => Assert.Equal(ProbeOutcome.Timeout, r.Outcome));
        Assert.Equal("ok.test", results[8].Name);
        Assert.Equal(ProbeOutcome.Answered, results[8].Outcome);
    }

    [Fact]
    public async Task A_server_answering_garbage_is_an_outcome_not_an_exception()
    {
        // Short timeouts: replies whose id does not match are dropped by the client and end as timeouts.
        var prober = new DnsProber(Options.Create(new ProbeOptions { Timeout = TimeSpan.FromMilliseconds(300) }), TimeProvider.System);
        for (var i = 0; i < 100; i++)
        {
            var udp = await prober.QueryAsync(new DnsProbe("dnsexpert", "127.0.0.1", servers.Garbage, $"n{i}.test", "A", ProbeTransport.Udp), CancellationToken.None);
            Assert.NotNull(udp.Outcome);
            Assert.NotEqual((ProbeOutcome.Answered, "NOERROR"), (udp.Outcome!.Value, udp.Rcode));
        }
    }
}

/// <summary>Every rcode the prober can see is spelled as dig and CoreDNS's log spell it, so a probe and a pasted dig agree.</summary>
public sealed class RcodeSpellingTests
{
    public static TheoryData<int, string> Codes => new()
    {
        { 0, "NOERROR" }, { 1, "FORMERR" }, { 2, "SERVFAIL" }, { 3, "NXDOMAIN" }, { 4, "NOTIMP" }, { 5, "REFUSED" },
        { 6, "YXDOMAIN" }, { 7, "YXRRSET" }, { 8, "NXRRSET" }, { 9, "NOTAUTH" }, { 10, "NOTZONE" }, { 11, "RESERVED11" }, { 15, "RESERVED15" },
    };

    [Theory]
    [MemberData(nameof(Codes))]
    public void An_rcode_is_its_mnemonic(int code, string mnemonic)
    {
        var spelled = DnsProber.Rcode((DnsClient.DnsHeaderResponseCode)code);

        Assert.Equal(mnemonic, spelled);
        Assert.True(code > 10 || DnsExpert.Facts.OneOfAttribute.ValuesOf(typeof(DnsExpert.Facts.DnsRcodes)).Contains(spelled), spelled);
    }
}
