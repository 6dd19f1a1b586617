using DnsExpert.Contract;
using DnsExpert.Facts;
using DnsExpert.Readers.Building;
using DnsExpert.Readers.Parsing;

namespace DnsExpert.Readers.Tests;

/// <summary>busybox <c>nc -zvv</c> as people paste it (tests/fixtures/nc): one TCP probe per connection line.</summary>
public sealed class NcOutputTests
{
    private static string Fixture(string name) =>
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "fixtures", "nc", name));

    [Theory]
    [InlineData("busybox-zvv-open.txt", "10.96.0.1", ProbeOutcome.Answered)]
    [InlineData("busybox-zvv-timed-out.txt", "10.96.0.1", ProbeOutcome.Timeout)]
    [InlineData("busybox-vvv-refused.txt", "172.17.0.6", ProbeOutcome.Refused)]
    public void A_real_nc_is_read_as_one_tcp_probe_with_its_address_port_and_outcome(string file, string target, ProbeOutcome outcome)
    {
        var (line, probe) = Assert.Single(NcOutput.Read(Fixture(file)));

        Assert.Equal(1, line);
        Assert.Equal((ProbeKind.Tcp, target, 443, outcome), (probe.Kind!.Value, probe.Target!, probe.Port!.Value, probe.Outcome!.Value));
    }

    [Theory]
    [InlineData("sent 0, rcvd 0")]
    [InlineData("nc: bad address 'kubernetes.default'")]
    [InlineData("nc: 10.96.0.1 (10.96.0.1:443): Permission denied")]
    [InlineData("10.96.0.1 (10.96.0.1:99999) open")]
    [InlineData("PING 10.96.0.1 (10.96.0.1): 56 data bytes")]
    public void A_line_that_says_no_connection_outcome_gives_no_probe(string text) => Assert.Empty(NcOutput.Read(text));

    [Fact]
    public void Pasted_from_a_debug_container_of_a_coredns_pod_it_is_a_failed_probe_from_coredns_to_the_apiserver()
    {
        var request = new DiagnosisRequest
        {
            Snapshot = new Snapshot
            {
                Outputs =
                [
                    new CommandOutput
                    {
                        Command = "kubectl debug -n kube-system coredns-5d78c9869d-abcde -i --image=busybox:1.36 --target=coredns -- sh -c 'nc -zvv -w 3 $KUBERNETES_SERVICE_HOST $KUBERNETES_SERVICE_PORT'",
                        Text = Fixture("busybox-zvv-timed-out.txt"),
                    },
                ],
            },
        };

        var built = SnapshotFactBuilder.Build(request);

        var probe = Assert.Single(built.Facts.OfType<ProbeResult>());
        Assert.Equal(("kube-system/coredns-5d78c9869d-abcde", "coredns", "tcp", "apiserver", "10.96.0.1", "timeout", true),
            (probe.From, probe.FromRole, probe.Kind, probe.TargetRole, probe.Target, probe.Outcome, probe.Failed));
        Assert.Contains(built.Collection, c => c.Source == "snapshot.outputs[0]" && c.Status == CollectionStatus.Ok && c.Detail!.Contains("TCP connection", StringComparison.Ordinal));
    }
}
