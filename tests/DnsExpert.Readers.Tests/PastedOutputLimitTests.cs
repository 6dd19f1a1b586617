using System.Text;
using DnsExpert.Contract;
using DnsExpert.Readers.Building;

namespace DnsExpert.Readers.Tests;

/// <summary>
/// Pasted output expands within the request's limits, counted while it is read: what a reader produces (objects, probes,
/// logs, files, JSON values) stops at the limit with a note that says where, a result that repeats one already read is
/// a count, and every note is one bounded line, whatever the paste holds. The classes of issue 19's hostile pastes.
/// </summary>
public sealed class PastedOutputLimitTests
{
    private static (DiagnosisRequest Request, IReadOnlyList<CollectionEntry> Notes) Expand(RequestLimits limits, params CommandOutput[] outputs) =>
        PastedOutputs.Expand(new DiagnosisRequest { Snapshot = new Snapshot { Outputs = outputs } }, limits);

    private static string Lines(int count, Func<int, string> line)
    {
        var builder = new StringBuilder();
        for (var i = 0; i < count; i++)
        {
            builder.Append(line(i)).Append('\n');
        }

        return builder.ToString();
    }

    [Fact]
    public void Ping_headers_without_end_give_one_bounded_note_and_no_probes()
    {
        var text = Lines(200_000, _ => "PING a (10.0.0.1)");
        var (request, notes) = Expand(new RequestLimits(), new CommandOutput { Command = "ping -c 3 10.0.0.1", Text = text });

        Assert.Empty(request.Snapshot!.Probes!);
        var note = Assert.Single(notes);
        Assert.True(note.Detail!.Length <= PastedOutputs.MaxNoteLength, note.Detail);
        Assert.Contains("× ping output without replies or statistics", note.Detail, StringComparison.Ordinal);
        Assert.Contains("stopped at line 5001", note.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_million_identical_busybox_failures_are_one_probe_with_a_count()
    {
        var text = "Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\n" + Lines(300_000, _ => "** server can't find a: NXDOMAIN");
        var (request, notes) = Expand(new RequestLimits(), new CommandOutput { Command = "nslookup a", Text = text });

        var probe = Assert.Single(request.Snapshot!.Probes!);
        Assert.Equal("NXDOMAIN", probe.Rcode);
        Assert.Equal("300000 DNS lookup(s) (299999 repeating one already read) read from nslookup output", Assert.Single(notes).Detail);
    }

    [Fact]
    public void Distinct_lookups_stop_at_the_probe_limit_counting_the_structured_probes()
    {
        var text = "Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\n" + Lines(10_000, i => $"** server can't find n{i}.example.com: NXDOMAIN");
        var request = new DiagnosisRequest
        {
            Snapshot = new Snapshot
            {
                Probes = [new ProbeArtifact { Kind = ProbeKind.Dns, Server = "10.96.0.10", Name = "x", Outcome = ProbeOutcome.Timeout }],
                Outputs = [new CommandOutput { Command = "nslookup a", Text = text }],
            },
        };

        var (expanded, notes) = PastedOutputs.Expand(request, new RequestLimits { MaxProbes = 100 });

        Assert.Equal(100, expanded.Snapshot!.Probes!.Count);
        Assert.Contains("stopped at line 103: the request holds the 100 probes it may carry (DnsExpert:Limits:MaxProbes)", Assert.Single(notes).Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Table_rows_of_every_output_count_against_the_object_limit()
    {
        var table = "NAMESPACE   NAME       READY   STATUS    RESTARTS   AGE\n" + Lines(5000, i => $"shop        web-{i:D4}   1/1     Running   0          1d");
        var outputs = Enumerable.Range(0, 10).Select(_ => new CommandOutput { Command = "kubectl get pods -A", Text = table }).ToArray();

        var (request, notes) = Expand(new RequestLimits { MaxObjects = 12_000 }, outputs);

        Assert.True(12_000 == request.Snapshot!.Objects!.Count, string.Join("\n", notes.Select(n => n.Detail)));
        Assert.Contains("3000 row(s) not read: past the 2000 objects", notes[2].Detail, StringComparison.Ordinal);
        Assert.All(notes.Skip(3), n => Assert.Contains("5000 row(s) not read: past the 0 objects", n.Detail, StringComparison.Ordinal));
    }

    [Fact]
    public void Pasted_json_counts_its_values_and_items_against_the_limits()
    {
        var list = """{"kind":"List","items":[""" + string.Join(',', Enumerable.Range(0, 50).Select(i => "{\"kind\":\"Pod\",\"metadata\":{\"name\":\"p" + i + "\"}}")) + "]}";
        var (few, fewNotes) = Expand(new RequestLimits { MaxObjects = 49 }, new CommandOutput { Command = "kubectl get pods -o json", Text = list });
        var (tight, tightNotes) = Expand(new RequestLimits { MaxObjectValues = 100 }, new CommandOutput { Command = "kubectl get pods -o json", Text = list });
        var (fits, _) = Expand(new RequestLimits(), new CommandOutput { Command = "kubectl get pods -o json", Text = list });

        Assert.Empty(few.Snapshot!.Objects!);
        Assert.Contains("50 objects, more than the request may still take (49 in all", Assert.Single(fewNotes).Detail, StringComparison.Ordinal);
        Assert.Empty(tight.Snapshot!.Objects!);
        Assert.Contains("more values than the request may still take (100 in all", Assert.Single(tightNotes).Detail, StringComparison.Ordinal);
        Assert.Single(fits.Snapshot!.Objects!);
    }

    [Fact]
    public void Files_and_logs_stop_at_their_limits()
    {
        var outputs = Enumerable.Range(0, 5).Select(i => new CommandOutput { From = "node/n1", Command = $"dmesg -T {i}", Text = "x" })
            .Append(new CommandOutput { Command = "kubectl logs -n kube-system coredns-1", Text = "a" })
            .Append(new CommandOutput { Command = "kubectl logs -n kube-system coredns-2", Text = "b" })
            .ToArray();

        var (request, notes) = Expand(new RequestLimits { MaxFiles = 3, MaxLogs = 1 }, outputs);

        Assert.Equal(3, request.Snapshot!.Files!.Count);
        Assert.Single(request.Snapshot.Logs!);
        Assert.Equal(2, notes.Count(n => n.Detail!.Contains("(DnsExpert:Limits:MaxFiles)", StringComparison.Ordinal)));
        Assert.Contains("DnsExpert:Limits:MaxLogs", notes[^1].Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Repeated_ping_runs_are_one_probe_and_their_note_counts_them()
    {
        const string run = "PING 10.0.0.1 (10.0.0.1): 56 data bytes\n64 bytes from 10.0.0.1: seq=0 ttl=64 time=0.1 ms\n\n--- 10.0.0.1 ping statistics ---\n1 packets transmitted, 1 packets received, 0% packet loss\nround-trip min/avg/max = 0.1/0.1/0.1 ms\n";
        var (request, notes) = Expand(new RequestLimits(), new CommandOutput { Command = "ping -c 1 10.0.0.1", Text = string.Concat(Enumerable.Repeat(run, 1000)) });

        Assert.Single(request.Snapshot!.Probes!);
        Assert.Equal("ping 10.0.0.1: answered (1 of 1 echo requests answered); 999 × ping 10.0.0.1: answered (1 of 1 echo requests answered) (repeats an earlier run)", Assert.Single(notes).Detail);
    }
}
