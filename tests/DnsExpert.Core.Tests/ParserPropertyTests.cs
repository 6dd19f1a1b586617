using DnsExpert.Core.Parsing;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace DnsExpert.Core.Tests;

/// <summary>Parsers never throw on arbitrary input, and stay consistent.</summary>
public sealed class ParserPropertyTests
{
    /// <summary>Strings made of the characters that matter to the grammars, so the generator reaches odd structures.</summary>
    private static Arbitrary<string> Grammarish() =>
        Gen.Elements('{', '}', '"', '`', ':', '.', '#', ';', '\n', '\r', ' ', '\t', '-', '>', '[', ']', '(', ')', 'a', 'Z', '0', '9', '/', '@', 'é')
            .ArrayOf()
            .Select(chars => new string(chars))
            .ToArbitrary();

    [Property(MaxTest = 300)]
    public Property Corefile_parser_never_throws() =>
        Prop.ForAll(Grammarish(), text => CorefileParser.Parse(text) is not null);

    [Property(MaxTest = 300)]
    public Property Dig_and_nslookup_reader_never_throws_and_finds_lookups_only_where_a_tool_printed_an_outcome(string command) =>
        Prop.ForAll(Grammarish(), text =>
        {
            var pasted = text.Replace("a", ";; flags: qr tc; QUERY: 1, ANSWER: 9\n", StringComparison.Ordinal)
                .Replace("Z", "; <<>> DiG 9.18 <<>> @10.96.0.10 x\n", StringComparison.Ordinal)
                .Replace("9", ";; communications error to 10.0.0.1#53: timed out\n", StringComparison.Ordinal)
                .Replace("é", "Server:\t10.96.0.10\n** server can't find x: NXDOMAIN\n", StringComparison.Ordinal);
            var lookups = DnsToolOutput.Parse(pasted, command);
            return lookups.All(l => l.Line >= 1 && l.Probe.Port > 0) && (lookups.Count == 0 || pasted.Contains("HEADER", StringComparison.Ordinal)
                || pasted.Contains("communications error", StringComparison.Ordinal) || pasted.Contains("can't find", StringComparison.Ordinal)
                || pasted.Contains("no servers could be reached", StringComparison.Ordinal) || pasted.Contains("Name:", StringComparison.Ordinal)
                || pasted.Contains("Truncated, retrying", StringComparison.Ordinal) || pasted.Contains("can't resolve", StringComparison.Ordinal));
        });

    [Property(MaxTest = 300)]
    public Property Resolv_conf_parser_never_throws(string text) =>
        Prop.ForAll(Grammarish(), t => ResolvConfParser.Parse(t + text) is not null);

    /// <summary>Query lines of every shape the log plugin writes, and damaged ones.</summary>
    private static Arbitrary<string> QueryLines() =>
        (from level in Gen.Elements("[INFO] ", "", "[WARNING] ")
         from client in Gen.Elements("172.20.7.45", "[fd00::1:5]", "10.0.0.1", "::1", "host-a", "")
         from port in Gen.Elements("44532", "0", "x", "")
         from id in Gen.Elements("31007", "7", "")
         from type in Gen.Elements("A", "AAAA", "TYPE65", "SRV", "", "a b")
         from name in Gen.Elements("api.example.com.", "kubernetes.default.svc.cluster.local.", ".", "")
         from proto in Gen.Elements("udp", "tcp", "quic")
         from size in Gen.Elements("80", "-1", "")
         from dnssec in Gen.Elements("false", "true", "maybe")
         from rcode in Gen.Elements("NOERROR", "NXDOMAIN", "SERVFAIL", "")
         from flags in Gen.Elements("qr,aa,rd", "-", "qr,rd,ra,")
         from duration in Gen.Elements("0.000148s", "1.5ms", "12µs", "3e-05s", "0.2", "s", "1.0.0s")
         from tail in Gen.Elements("", " extra", "\"")
         select $"{level}{client}:{port} - {id} \"{type} IN {name} {proto} {size} {dnssec} 512\" {rcode} {flags} 173 {duration}{tail}")
        .ToArbitrary();

    [Property(MaxTest = 1000)]
    public Property The_fast_query_scanner_agrees_with_the_regex_whenever_it_accepts() =>
        Prop.ForAll(QueryLines(), line =>
        {
            if (!QueryScanner.TryParse(line, out var fast))
            {
                return true;
            }

            var slow = CoreDnsLogParser.ParseQueryWithRegex(line);
            return slow is not null && fast!.Client == slow.Client && fast.ClientPort == slow.ClientPort && fast.Id == slow.Id && fast.Type == slow.Type
                && fast.Class == slow.Class && fast.Name == slow.Name && fast.Transport == slow.Transport && fast.RequestSize == slow.RequestSize
                && fast.DnssecOk == slow.DnssecOk && fast.BufferSize == slow.BufferSize && fast.Rcode == slow.Rcode && fast.Flags.SequenceEqual(slow.Flags)
                && fast.ResponseSize == slow.ResponseSize && Math.Abs((fast.DurationSeconds ?? -1) - (slow.DurationSeconds ?? -1)) < 1e-12;
        });

    [Property(MaxTest = 500)]
    public bool Kubectl_timestamps_read_to_the_tick(PositiveInt seconds, NonNegativeInt nanos)
    {
        var at = DateTimeOffset.UnixEpoch.AddSeconds(seconds.Get % 4_000_000_000L);
        var ns = nanos.Get % 1_000_000_000;
        var nine = CoreDnsLogParser.ParseLine($"{at:yyyy-MM-dd'T'HH:mm:ss}.{ns:D9}Z [INFO] x", 1).Timestamp;
        var three = CoreDnsLogParser.ParseLine($"{at:yyyy-MM-dd'T'HH:mm:ss}.{ns / 1_000_000:D3}Z [INFO] x", 1).Timestamp;
        var none = CoreDnsLogParser.ParseLine($"{at:yyyy-MM-dd'T'HH:mm:ss}Z [INFO] x", 1).Timestamp;
        return nine == at.AddTicks(ns / 100) && three == at.AddMilliseconds(ns / 1_000_000) && none == at;
    }

    [Fact]
    public void The_fast_query_scanner_reads_the_common_line()
    {
        Assert.True(QueryScanner.TryParse("[INFO] 172.20.7.45:44532 - 31007 \"A IN api.example.com. udp 80 false 512\" NXDOMAIN qr,aa,rd 173 0.000148s", out var q));
        Assert.Equal(("172.20.7.45", 44532, "A", "api.example.com.", "NXDOMAIN", 0.000148), (q!.Client, q.ClientPort!.Value, q.Type, q.Name, q.Rcode, q.DurationSeconds!.Value));
        Assert.True(QueryScanner.TryParse("[fd00::1:5]:53 - 7 \"AAAA IN x. tcp 80 true 4096\" NOERROR - 173 1.5ms", out var v6));
        Assert.Equal(("fd00::1:5", 0.0015), (v6!.Client, v6.DurationSeconds!.Value));
    }

    [Property(MaxTest = 300)]
    public Property Log_parser_never_throws() =>
        Prop.ForAll(Grammarish(), text => CoreDnsLogParser.Parse(new StringReader(text)).All(r => r.LineNumber > 0));

    [Property(MaxTest = 300)]
    public Property Log_scanner_never_throws_and_counts_every_line(string noise) =>
        Prop.ForAll(Grammarish(), QueryLines(), (text, query) =>
        {
            // Query-shaped lines with noise around them, some repeated past the parser's line limit.
            var log = string.Join('\n', text, query, query + (noise ?? ""), new string('x', CoreDnsLogParser.MaxLineLength + 3) + query, text);
            var scan = CoreDnsLogScanner.Scan(log);
            return scan.Lines == log.Count(c => c == '\n') + (log.EndsWith('\n') ? 0 : 1) && scan.Characters == log.Length;
        });

    [Property(MaxTest = 300)]
    public bool Version_parsers_never_throw(string text) =>
        (ReleaseVersion.TryParse(text, out _) || true) && (KernelVersion.TryParse(text, out _) || true) && LibcInfo.FromLddOutput(text) is not null
        && (ReleaseVersion.FromImage(text) is null || true);

    [Property(MaxTest = 300)]
    public bool Release_version_order_is_consistent(NonNegativeInt a, NonNegativeInt b, NonNegativeInt c, NonNegativeInt d)
    {
        var x = ReleaseVersion.Parse($"{a.Get}.{b.Get}");
        var y = ReleaseVersion.Parse($"v{c.Get}.{d.Get}.0-vendor");
        var expected = (a.Get, b.Get).CompareTo((c.Get, d.Get));
        return Math.Sign(x.CompareTo(y)) == Math.Sign(expected) && Math.Sign(y.CompareTo(x)) == -Math.Sign(expected);
    }

    [Property(MaxTest = 200)]
    public bool Kernel_comparison_is_antisymmetric(NonNegativeInt a, NonNegativeInt b, NonNegativeInt c, NonNegativeInt d)
    {
        Assert.True(KernelVersion.TryParse($"4.19.{a.Get}-{b.Get}.1.al7.x86_64", out var x));
        Assert.True(KernelVersion.TryParse($"4.19.{c.Get}-{d.Get}.1.al7", out var y));
        return Math.Sign(x.CompareTo(y)) == -Math.Sign(y.CompareTo(x)) && Math.Sign(x.CompareTo(y)) == Math.Sign((a.Get, b.Get).CompareTo((c.Get, d.Get)));
    }
}
