using System.Text;
using System.Text.Json;
using DnsExpert.Contract;
using DnsExpert.Readers.Building;
using DnsExpert.Readers.Parsing;
using DnsExpert.Testing;

namespace DnsExpert.Readers.Tests;

/// <summary>
/// Parsing is linear and deterministic: the same text gives the same records whatever else the machine is doing. Every
/// real log, Corefile and pasted output the repository keeps, and the lines that once sent a backtracking regex into
/// its timeout, are read once on an idle machine and again with every core saturated; the results must be equal.
/// </summary>
public sealed class ParsingDeterminismTests
{
    private static readonly string Tests = Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..");

    /// <summary>
    /// A query line behind 8,000 characters of <c>a:</c>: the hand scanner refuses it, and a backtracking regex tried
    /// each of its start positions to the end (quadratic), past its timeout under load.
    /// </summary>
    internal static string QueryBehindColons(int pairs) =>
        string.Concat(Enumerable.Repeat("a:", pairs)) + " - \" x [INFO] 10.0.0.1:53000 - 1 \"A IN web.shop.svc.cluster.local. udp 40 false 512\" NXDOMAIN qr,aa,rd 40 0.0001s";

    private static IEnumerable<string> Files(string folder, params string[] patterns) =>
        patterns.SelectMany(p => Directory.EnumerateFiles(Path.Combine(Tests, folder), p, SearchOption.AllDirectories)).Order(StringComparer.Ordinal);

    /// <summary>Everything the parsers make of the corpus, as one text to compare.</summary>
    private static string ReadCorpus()
    {
        var result = new StringBuilder();
        var logs = Files("realworld", "*.log").Select(File.ReadAllText)
            .Append(string.Join('\n', Enumerable.Repeat(QueryBehindColons(4000), 20)))
            .Append(string.Join('\n', Enumerable.Repeat(string.Concat(Enumerable.Repeat("a:", 4090)) + " - \" x", 50)));
        foreach (var log in logs)
        {
            foreach (var record in CoreDnsLogParser.Parse(new StringReader(log)))
            {
                result.Append(record.Kind).Append(' ').Append(record.Query?.Name).Append(' ').Append(record.Error).Append('\n');
            }

            var scan = CoreDnsLogScanner.Scan(log.AsSpan());
            foreach (var group in scan.FailedQueries.Concat(scan.Events))
            {
                result.Append(group.First.Kind).Append(' ').Append(group.First.Text).Append(' ').Append(group.Occurrences).Append('\n');
            }
        }

        foreach (var path in Files("realworld", "*.Corefile"))
        {
            var corefile = CorefileParser.Parse(File.ReadAllText(path));
            result.Append(string.Join(' ', corefile.Servers.SelectMany(s => s.Directives.Select(d => d.Text)))).Append('\n');
        }

        var outputs = Files("fixtures", "*.txt").Select(path => new CommandOutput { From = "default/web-0", Text = File.ReadAllText(path) })
            .Append(new CommandOutput { Command = "ping -c 3 10.0.0.1", Text = "PING a (10.0.0.1) " + new string('a', 200_000) + "\n" })
            .ToList();
        var (request, notes) = PastedOutputs.Expand(new DiagnosisRequest { Snapshot = new Snapshot { Outputs = outputs } });
        result.Append(JsonSerializer.Serialize(request.Snapshot)).Append(JsonSerializer.Serialize(notes));
        return result.ToString();
    }

    [Fact]
    public void A_query_line_behind_thousands_of_colons_is_read_as_the_query_it_ends_with()
    {
        var record = CoreDnsLogParser.ParseLine(QueryBehindColons(4000), 1);

        Assert.Equal(CoreDnsLogKind.Query, record.Kind);
        Assert.Equal("web.shop.svc.cluster.local.", record.Query!.Name);
        Assert.Equal("NXDOMAIN", record.Query.Rcode);
    }

    [Fact]
    public void The_corpus_reads_the_same_with_every_core_saturated()
    {
        var idle = ReadCorpus();

        using (new CpuSaturation())
        {
            Assert.Equal(idle, ReadCorpus());
        }
    }
}
