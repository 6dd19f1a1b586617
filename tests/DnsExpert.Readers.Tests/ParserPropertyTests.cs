using System.Globalization;
using System.Text;
using DnsExpert.Facts;
using DnsExpert.Readers.Parsing;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace DnsExpert.Readers.Tests;

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

    /// <summary>Short runs of the characters the scanner's own searches look for, and others.</summary>
    private static Arbitrary<string> Separatorish() =>
        Gen.Elements(' ', '-', ']', '[', 'I', ':', '1', '"', 'x').ArrayOf().Select(c => new string(c)).ToArbitrary();

    [Property(MaxTest = 2000)]
    public Property The_scanners_level_search_finds_what_IndexOf_finds() =>
        Prop.ForAll(Separatorish(), s =>
        {
            var close = s.IndexOf("] ", StringComparison.Ordinal);
            return QueryScanner.LevelEnd(s.AsSpan()) == (close is >= 1 and <= 10 ? close : -1);
        });

    /// <summary>
    /// A query line, or one of its damaged neighbours: a character replaced, removed or put in, from those the scanners
    /// split on and others.
    /// </summary>
    private static Arbitrary<string> DamagedQueryLines() =>
        (from line in QueryLines().Generator
         from damage in Gen.Choose(0, 3)
         from at in Gen.Choose(0, 200)
         from c in Gen.Elements(' ', '-', '"', ':', '[', ']', '.', '0', '9', 's', 'x', '\t', '\r')
         let i = at % (line.Length + 1)
         select damage switch
         {
             0 => line,
             1 => line[..i] + c + line[i..],
             2 when i < line.Length => line[..i] + line[(i + 1)..],
             _ when i < line.Length => line[..i] + c + line[(i + 1)..],
             _ => line,
         })
        .ToArbitrary();

    [Property(MaxTest = 3000)]
    public Property The_ascii_scanner_reads_a_line_as_the_character_scanner_does_whenever_it_accepts() =>
        Prop.ForAll(DamagedQueryLines(), line =>
        {
            if (!Ascii.IsValid(line) || !QueryScanner.TryScanAscii(Encoding.ASCII.GetBytes(line), out var b))
            {
                return true;
            }

            if (!QueryScanner.TryScan(line.AsSpan(), out var c))
            {
                return false;
            }

            static string T(ReadOnlySpan<byte> s) => Encoding.ASCII.GetString(s);
            return T(b.Client) == c.Client.ToString() && b.ClientPort == c.ClientPort && T(b.Id) == c.Id.ToString() && T(b.Type) == c.Type.ToString()
                && T(b.Class) == c.Class.ToString() && T(b.Name) == c.Name.ToString() && T(b.Transport) == c.Transport.ToString()
                && b.RequestSize == c.RequestSize && b.DnssecOk == c.DnssecOk && b.BufferSize == c.BufferSize && T(b.Rcode) == c.Rcode.ToString()
                && T(b.Flags) == c.Flags.ToString() && b.ResponseSize == c.ResponseSize && T(b.Duration) == c.Duration.ToString()
                && b.DurationSeconds.Equals(c.DurationSeconds);
        });

    [Fact]
    public void The_ascii_scanner_takes_the_log_plugins_usual_lines()
    {
        // What it is for: every usual line is read as bytes, none left to the slower ways.
        string[] lines =
        [
            "[INFO] 172.20.7.45:44532 - 31007 \"A IN api.example.com. udp 80 false 512\" NXDOMAIN qr,aa,rd 173 0.000148s",
            "[INFO] [fd00::1:5]:53 - 7 \"AAAA IN x. tcp 80 true 4096\" NOERROR - 173 1.5ms",
            "172.20.7.45:44532 - 31007 \"A IN a-very-long-name-that-runs-past-the-first-sixty-four-bytes-of-the-line.example.com. udp 80 false 512\" NOERROR qr,rd,ra 173 0.000148s",
            "[INFO] 10.0.0.1:5 - 9 \"SRV IN _x._tcp.svc. udp 80 false 512\" NOERROR qr 1 0.2s \"0\"",
        ];
        foreach (var line in lines)
        {
            Assert.True(QueryScanner.TryScanAscii(Encoding.ASCII.GetBytes(line), out _), line);
        }
    }

    /// <summary>ASCII text of every length around the hashes' steps (4 and 8 characters), letters of both cases among them.</summary>
    private static Arbitrary<string> AsciiWords() =>
        Gen.Elements('a', 'Z', 'q', '.', '-', '0', '9', '_', ':', '[', '|', ' ', '~', '\u007f', '\u0001')
            .ArrayOf().Select(c => new string(c)).ToArbitrary();

    [Property(MaxTest = 3000)]
    public Property Ascii_bytes_hash_as_their_characters_do() =>
        Prop.ForAll(AsciiWords(), AsciiWords(), (name, type) =>
        {
            // A line read as bytes must find what a line read as text counted, and pair with it.
            var bytes = Encoding.ASCII.GetBytes(name);
            var typeBytes = Encoding.ASCII.GetBytes(type);
            var stored = $"{name.ToLowerInvariant()}|{type}";
            var made = new CoreDnsLogScanner.AnswerText(stored, name.Length);
            var query = $"{stored}|{type}";
            return ParallelQueryDetector.Hash(bytes.AsSpan()) == ParallelQueryDetector.Hash(name.AsSpan())
                && ParallelQueryDetector.Fnv(bytes.AsSpan()) == ParallelQueryDetector.Fnv(name.AsSpan())
                && new CoreDnsLogScanner.AsciiNameAndType(bytes, typeBytes).Hash() == new CoreDnsLogScanner.NameAndType(name, type).Hash()
                && new CoreDnsLogScanner.NameAndType(name, type).Hash() == made.Hash()
                && new CoreDnsLogScanner.AsciiNameAndType(bytes, typeBytes).Is(stored)
                && new CoreDnsLogScanner.NameAndType(name, type).Is(stored)
                && new CoreDnsLogScanner.AsciiQuery(bytes, typeBytes, typeBytes).Hash() == new CoreDnsLogScanner.QueryText(query, name.Length, type.Length).Hash()
                && new CoreDnsLogScanner.AsciiQuery(bytes, typeBytes, typeBytes).Is(query);
        });

    [Property(MaxTest = 1000)]
    public Property Client_queries_are_told_alike_from_bytes_and_characters() =>
        Prop.ForAll(
            Gen.Elements("127.0.0.1", "::1", "::FFFF:127.0.0.1", "::ffff:10.0.0.1", "10.0.0.1", "fd00::5", "", "127x").ToArbitrary(),
            Gen.Elements("A", "AAAA", "HINFO", "SRV", "TYPE65", "DNSKEY", "AAAAA", "a", "", "NAPTR", "TYPE6500").ToArbitrary(),
            (client, type) => QueryScanner.IsClientQuery(Encoding.ASCII.GetBytes(client), Encoding.ASCII.GetBytes(type)) == QueryScanner.IsClientQuery(client.AsSpan(), type.AsSpan()));

    [Property(MaxTest = 2000)]
    public bool Usual_durations_read_to_the_same_double_as_the_general_parser(NonNegativeInt whole, NonNegativeInt fraction, PositiveInt digits)
    {
        // The plain reading divides exact integers; the general parser rounds the decimal: the same double.
        var text = $"{whole.Get % 100}.{(fraction.Get % 1_000_000_000).ToString(CultureInfo.InvariantCulture).PadLeft(digits.Get % 10 + 1, '0')}";
        var plain = QueryScanner.PlainSeconds((text + "s").AsSpan(), out var seconds);
        var general = double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
        return !plain || seconds.Equals(general);
    }

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

    /// <summary>Short runs of the pieces of versions and kernel releases (numbers, separators, vendor and distribution tags, architectures) and noise.</summary>
    private static Gen<string> VersionPieces() =>
        from first in Gen.Elements("0", "1", "7", "19", "007", "1234567890", "", "x")
        from count in Gen.Choose(0, 6)
        from separators in Gen.Elements(".", ".", ".", "-", "+", "_", "", " ", "/", ":").ArrayOf(count)
        from parts in Gen.Elements("0", "1", "7", "19", "007", "1234567890", "al7", "el8", "x86_64", "aarch64", "aliyun", "rc", "é").ArrayOf(count)
        select first + string.Concat(separators.Zip(parts, (separator, part) => separator + part));

    private static Arbitrary<string> Versionish() =>
        (from lead in Gen.Elements("", "", "v", "V", " ", "x")
         from pieces in VersionPieces()
         select lead + pieces)
        .ToArbitrary();

    /// <summary>Image references with and without registry, port, tag and digest.</summary>
    private static Arbitrary<string> ImageReferences() =>
        (from repository in Gen.Elements("", "coredns", "registry.k8s.io/coredns/coredns", "registry:5000/coredns", "a:1/b")
         from separator in Gen.Elements(":", ":", ":v", "@", "")
         from tag in VersionPieces()
         from digest in Gen.Elements("", "", "@sha256:ab12", "@sha256:1.2")
         select repository + separator + tag + digest)
        .ToArbitrary();

    /// <summary>The first lines of <c>ldd --version</c> from glibc and musl, damaged ones, and noise.</summary>
    private static Arbitrary<string> LddOutputs() =>
        (from head in Gen.Elements("ldd (GNU libc) ", "ldd (Ubuntu GLIBC 2.35-0ubuntu3) ", "musl libc (x86_64)\nVersion ", "musl libc\n", "ldd (busybox) ", "", "x\nldd (GNU libc) ")
         from version in VersionPieces()
         select head + version)
        .ToArbitrary();

    [Property(MaxTest = 500)]
    public Property A_release_version_is_the_numbers_the_text_starts_with_or_nothing() =>
        Prop.ForAll(Versionish(), text =>
        {
            if (!ReleaseVersion.TryParse(text, out var v))
            {
                return v is null;
            }

            var trimmed = text.Trim();
            var first = trimmed.TrimStart('v', 'V');
            var leading = first[..first.TakeWhile(char.IsAsciiDigit).Count()];
            var again = ReleaseVersion.Parse(v.Original);
            return v.Original == trimmed && v.Numbers.Count is >= 1 and <= 8 && v.Numbers[0] == int.Parse(leading, System.Globalization.CultureInfo.InvariantCulture)
                && again.Numbers.SequenceEqual(v.Numbers) && again.Suffix == v.Suffix
                && ReleaseVersion.Parse(string.Join('.', v.Numbers)).CompareTo(v) == 0;
        });

    [Property(MaxTest = 500)]
    public Property A_kernel_release_is_any_text_starting_with_a_digit_and_reads_back_the_same() =>
        Prop.ForAll(Versionish(), text =>
        {
            var trimmed = text.Trim();
            var accepted = trimmed.Length is > 0 and <= 128 && char.IsAsciiDigit(trimmed[0]);
            if (!KernelVersion.TryParse(text, out var k))
            {
                return !accepted && k is null;
            }

            return accepted && k.Original == trimmed && KernelVersion.TryParse(k.Original, out var again) && k.CompareTo(again) == 0
                && again.DistributionTag == k.DistributionTag && again.Architecture == k.Architecture
                && (k.DistributionTag is null || trimmed.Contains(k.DistributionTag, StringComparison.Ordinal))
                && (k.Architecture is null || trimmed.EndsWith(k.Architecture, StringComparison.Ordinal));
        });

    [Property(MaxTest = 500)]
    public Property An_image_version_is_null_or_the_version_in_its_tag() =>
        Prop.ForAll(ImageReferences(), image =>
        {
            var v = ReleaseVersion.FromImage(image);
            if (v is null)
            {
                return true;
            }

            // The tag as the one split of an image reference reads it (after the last '/', before '@'): never a registry's port.
            var tag = ContainerImage.Tag(image);
            return tag is not null && !tag.Contains('/', StringComparison.Ordinal) && !tag.Contains('@', StringComparison.Ordinal)
                && v.Original == tag.Trim() && ReleaseVersion.Parse(tag).CompareTo(v) == 0;
        });

    [Property(MaxTest = 500)]
    public Property Ldd_output_names_a_libc_only_from_what_it_prints() =>
        Prop.ForAll(LddOutputs(), text =>
        {
            var libc = LibcInfo.FromLddOutput(text);
            return libc.Kind switch
            {
                LibcKind.Unknown => libc.Version is null,
                LibcKind.Musl => text.Contains("musl", StringComparison.OrdinalIgnoreCase),
                _ => libc.Version is not null && text.Contains("libc", StringComparison.OrdinalIgnoreCase),
            } && (libc.Version is null || text.Contains(libc.Version.Original, StringComparison.Ordinal));
        });

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
