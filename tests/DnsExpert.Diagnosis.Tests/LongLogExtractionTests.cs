using System.Text;
using System.Text.Json;
using DnsExpert.Contract;
using DnsExpert.Diagnosis.FactBuilding;
using DnsExpert.Readers.Parsing;

namespace DnsExpert.Diagnosis.Tests;

/// <summary>
/// Long logs taken out of the body before the serializer reads it (LongLogExtractingStream) give the same request,
/// and the same refusals, as the serializer reading them itself: each body is read both ways and compared.
/// </summary>
public sealed class LongLogExtractionTests
{
    private const int Limit = LogText.RetainedLimit;
    private static readonly RequestLimits Limits = new();
    private static readonly JsonSerializerOptions ReadJson = RequestJson.CreateOptions(Limits, maxDepth: 64);

    /// <summary>Escaped JSON string content of CoreDNS-like lines, each ending in a <c>\n</c> escape, of at least <paramref name="bytes"/> bytes.</summary>
    private static string Content(int bytes, string extra = "")
    {
        var text = new StringBuilder(bytes + 200);
        for (var i = 0; text.Length < bytes; i++)
        {
            text.Append("[INFO] 10.0.0.").Append(i % 250).Append(":5353 - ").Append(i)
                .Append(i % 5 == 0 ? "\\r\\b\\f\\u0041\\uFFFD" : "").Append(" \\\"A IN caf\\u00e9-é-").Append(i % 7 == 0 ? "\\ud83d\\ude00" : "x").Append(".example.com.\\\" NXDOMAIN \\/ \\\\ \\t 0.0001s\\n");
        }

        return text.Append(extra).ToString();
    }

    /// <summary>Content of exactly <paramref name="bytes"/> bytes (ASCII, ends in an escape only when asked).</summary>
    private static string Exactly(int bytes) => string.Concat(Enumerable.Repeat("log line\\n", bytes / 10)).PadRight(bytes, 'z');

    private static string Body(string logs, string rest = "") => """{"domain":"a.example.com","snapshot":{"logs":[""" + logs + "]" + rest + "}}";

    private static string Log(string content, string pod = "coredns-a") => $$"""{"namespace":"kube-system","pod":"{{pod}}","text":"{{content}}"}""";

    public static TheoryData<string, string, int> Valid() => new()
    {
        { "one long log", Body(Log(Content(Limit + 5000))), 1 },
        { "two long logs", Body(Log(Content(Limit + 10)) + "," + Log(Content(Limit + 20), "coredns-b")), 2 },
        { "a short log and a long one", Body(Log("short\\nlog") + "," + Log(Content(Limit + 20), "coredns-b")), 1 },
        { "exactly at the limit: kept", Body(Log(Exactly(Limit))), 0 },
        { "one byte over the limit", Body(Log(Exactly(Limit + 1))), 1 },
        { "keys in other cases", Body(Log(Content(Limit + 1)).Replace("\"text\"", "\"TEXT\"", StringComparison.Ordinal)).Replace("\"snapshot\"", "\"SnapShot\"", StringComparison.Ordinal).Replace("\"logs\"", "\"LOGS\"", StringComparison.Ordinal), 1 },
        { "an escaped key: left to the serializer", Body(Log(Content(Limit + 1)).Replace("\"text\"", "\"t\\u0065xt\"", StringComparison.Ordinal)), 0 },
        { "whitespace and CRLF around the string", Body(Log(Content(Limit + 1)).Replace("\"text\":\"", "\"text\" \r\n\t: \r\n \"", StringComparison.Ordinal).Replace("\"}", "\" \r\n }", StringComparison.Ordinal)), 1 },
        { "more properties after the text", Body($$"""{"text":"{{Content(Limit + 1)}}","pod":"p","namespace":"n"}"""), 1 },
        { "pretty-printed", Body(Log(Content(Limit + 1))).Replace(",", ",\n  ", StringComparison.Ordinal).Replace("{", "{\n", StringComparison.Ordinal), 1 },
        { "a long output's text: untouched", Body(Log("x"), $$""","outputs":[{"command":"kubectl logs x","text":"{{Content(Limit + 1)}}"}]"""), 0 },
        { "a long text in an object: untouched", Body(Log("x"), $$""","objects":[{"kind":"Pod","logs":[{"text":"{{Content(Limit + 1)}}"}],"text":"{{Content(Limit + 1)}}"}]"""), 0 },
        { "objects before the logs", """{"snapshot":{"objects":[{"a":[1,{"b":"}]\"{["}],"text":"x"}],"logs":[""" + Log(Content(Limit + 1)) + "]}}", 1 },
        { "a null text and an empty log list", Body("{\"pod\":\"p\",\"text\":null}," + Log(Content(Limit + 1))), 1 },
    };

    [Theory]
    [MemberData(nameof(Valid))]
    public async Task A_valid_body_reads_the_same_with_its_long_logs_taken_out(string name, string body, int extracted)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var reference = await Read(bytes, extract: false);
        var read = await Read(bytes, extract: true);

        Assert.Null(reference.Error);
        Assert.Equal(reference, read with { Extracted = reference.Extracted });
        Assert.Equal((name, extracted), (name, read.Extracted));
        Assert.Equal((name, 0), (name, reference.Extracted));
    }

    [Fact]
    public async Task Every_segment_boundary_around_the_quotes_and_escapes_reads_the_same()
    {
        var content = Content(Limit + 1);
        var body = Body(Log(content) + "," + Log("\\u00e9" + content + "\\ud83d\\ude00", "coredns-b"));
        var bytes = Encoding.UTF8.GetBytes(body);
        var reference = await Read(bytes, extract: false);
        var open = body.IndexOf("\"text\":\"", StringComparison.Ordinal) + 7;
        var close = open + 1 + Encoding.UTF8.GetByteCount(content);
        var second = body.IndexOf("\"text\":\"", close, StringComparison.Ordinal) + 7;
        var secondClose = second + 1 + Encoding.UTF8.GetByteCount("\\u00e9" + content + "\\ud83d\\ude00");
        var cuts = new[] { open, close, second, second + 1, second + 4, secondClose - 12, secondClose - 6, secondClose }
            .SelectMany(at => Enumerable.Range(at - 3, 8)).Distinct();

        foreach (var cut in cuts)
        {
            var read = await Read(bytes, extract: true, b => new CutStream(b, cut));
            Assert.Equal((cut, reference with { Extracted = 2 }), (cut, read));
        }

        // A body that trickles in a few bytes at a time cuts every escape somewhere.
        Assert.Equal(reference with { Extracted = 2 }, await Read(bytes, extract: true, b => new CutStream(b, 0, step: 4093)));
    }

    public static TheoryData<string, string> Hostile() => new()
    {
        { "a raw line feed", Body(Log(Content(Limit + 1) + "\nx")) },
        { "a raw tab at the end", Body(Log(Content(Limit + 1) + "\t")) },
        { "an escape JSON does not know", Body(Log(Content(Limit + 1) + "\\x")) },
        { "a \\u escape without four hex digits", Body(Log(Content(Limit + 1) + "\\u12G4")) },
        { "a high surrogate escape at the end", Body(Log(Content(Limit + 1) + "\\ud83d")) },
        { "a high surrogate escape before a character", Body(Log(Content(Limit + 1) + "\\ud83dx")) },
        { "a high surrogate escape before another escape", Body(Log(Content(Limit + 1) + "\\ud83d\\u0041")) },
        { "a low surrogate escape alone", Body(Log(Content(Limit + 1) + "\\ude00")) },
        { "a number as the text", Body("{\"pod\":\"p\",\"text\":0}," + Log(Content(Limit + 1))) },
        { "a big number as the text", Body("{\"pod\":\"p\",\"text\":1000000}," + Log(Content(Limit + 1))) },
        { "an object as the text", Body("{\"pod\":\"p\",\"text\":{\"a\":1}}," + Log(Content(Limit + 1))) },
        { "an array as the text", Body("{\"pod\":\"p\",\"text\":[\"" + Content(Limit + 1) + "\"]}") },
        { "a duplicate text", Body($$"""{"pod":"p","text":"{{Content(Limit + 1)}}","text":"{{Content(Limit + 2)}}"}""") },
        { "a duplicate text in another case", Body($$"""{"pod":"p","text":"{{Content(Limit + 1)}}","Text":"x"}""") },
        { "a syntax error after the log, on its line", Body(Log(Content(Limit + 1)), ",,") },
        { "a syntax error two logs on", Body(Log(Content(Limit + 1)) + "," + Log(Content(Limit + 1)) + ",{\"pod\":tru}") },
        { "a syntax error on a later line", Body(Log(Content(Limit + 1)) + "\n,\n{\"pod\":nul}") },
        { "a string right after the log's string", Body($$"""{"pod":"p","text":"{{Content(Limit + 1)}}" "x"}""") },
        { "a letter right after the log's string", Body($$"""{"pod":"p","text":"{{Content(Limit + 1)}}"x}""") },
        { "a bracket right after the log's string", Body($$"""{"pod":"p","text":"{{Content(Limit + 1)}}"]}""") },
        { "a colon missing before the log", Body($$"""{"pod":"p","text" "{{Content(Limit + 1)}}"}""") },
        { "the body cut inside the log", Body(Log(Content(Limit + 1)))[..(Limit / 2)] },
        { "the body cut after the log", Body(Log(Content(Limit + 1)))[..^4] },
        { "an unknown property after the log", Body(Log(Content(Limit + 1)), ",\"bogus\":1") },
        { "nested too deeply after the log", Body(Log(Content(Limit + 1)), ",\"objects\":[" + new string('[', 70) + new string(']', 70) + "]") },
        { "text after the body", Body(Log(Content(Limit + 1))) + " x" },
        { "a comment after the log", Body(Log(Content(Limit + 1)), "/* c */") },
    };

    [Theory]
    [MemberData(nameof(Hostile))]
    public async Task A_hostile_body_is_refused_the_same_with_its_long_logs_taken_out(string name, string body)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var reference = await Read(bytes, extract: false);
        var read = await Read(bytes, extract: true);

        Assert.NotNull(reference.Error);
        Assert.Equal((name, reference.Error), (name, read.Error));
    }

    public static TheoryData<string, byte[]> NotUtf8() => new()
    {
        { "0xFF", [0xFF] },
        { "an overlong NUL", [0xC0, 0x80] },
        { "an encoded surrogate", [0xED, 0xA0, 0x80] },
        { "a sequence cut by the quote", [0xE2, 0x82] },
        { "a continuation byte alone", [0x80] },
    };

    [Theory]
    [MemberData(nameof(NotUtf8))]
    public async Task A_long_log_that_is_not_UTF8_is_refused_the_same(string name, byte[] bad)
    {
        var body = Encoding.UTF8.GetBytes(Body(Log(Content(Limit + 1) + "\u0001"))).ToList();
        var at = body.IndexOf((byte)1);
        body.RemoveAt(at);
        body.InsertRange(at, bad);
        var reference = await Read([.. body], extract: false);
        var read = await Read([.. body], extract: true);

        Assert.NotNull(reference.Error);
        Assert.Equal((name, reference.Error), (name, read.Error));
    }

    [Fact]
    public async Task A_taken_out_log_is_scanned_with_its_text_unescaped_and_counted()
    {
        var content = Content(Limit + 1);
        var text = JsonSerializer.Deserialize<string>($"\"{content}\"")!;
        await using var body = new MemoryStream(Encoding.UTF8.GetBytes(Body(Log(content))));

        var request = await new LogScanScheduler(parallelism: 1).ReadAsync<DiagnosisRequest>(body, ReadJson, Limits, CancellationToken.None);

        var log = Assert.Single(request!.Snapshot!.Logs!).Text!;
        Assert.True(log.Streamed!.Escaped);
        Assert.Equal(text.Length, log.Length);
        var scan = CoreDnsLogScanner.Scan(text);
        Assert.Equal((scan.Lines, scan.Characters), (log.Scanned!.Lines, log.Scanned!.Characters));
    }

    [Theory]
    [InlineData("plain")]
    [InlineData("\\n")]
    [InlineData("a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t")]
    [InlineData("\\u00e9\\u0000\\uFFFF\\ud83d\\ude00x\\uD83D\\uDE00")]
    [InlineData("é\\u00e9é")]
    public void Unescaping_in_place_gives_the_serializers_text(string escaped)
    {
        var bytes = Encoding.UTF8.GetBytes(escaped);

        var length = JsonStrings.UnescapeInPlace(bytes);

        Assert.Equal(JsonSerializer.Deserialize<string>($"\"{escaped}\""), Encoding.UTF8.GetString(bytes, 0, length));
    }

    [Theory]
    [InlineData("a\\")]
    [InlineData("\\x")]
    [InlineData("\\u12")]
    [InlineData("\\u12G4")]
    [InlineData("\\ud83d")]
    [InlineData("\\ud83dx")]
    [InlineData("\\ud83d\\u0041")]
    [InlineData("\\ude00")]
    public void Unescaping_in_place_refuses_what_is_not_a_whole_escape(string escaped) =>
        Assert.Throws<FormatException>(() => JsonStrings.UnescapeInPlace(Encoding.UTF8.GetBytes(escaped)));

    [Fact]
    public void The_search_for_a_string_stop_finds_each_byte_that_ends_a_run_at_every_place()
    {
        // Every byte value at every place of spans shorter than, as long as and longer than a vector (and a tail that
        // overlaps the block before it), against the definition: a quote, a backslash or a byte below 0x20.
        for (var length = 1; length <= 40; length++)
        {
            var plain = Enumerable.Range(0, length).Select(i => (byte)('a' + i % 26)).ToArray();
            Assert.Equal(-1, JsonStrings.IndexOfStringStop(plain));
            for (var at = 0; at < length; at++)
            {
                for (var value = 0; value < 256; value++)
                {
                    var bytes = (byte[])plain.Clone();
                    bytes[at] = (byte)value;
                    var stops = value is '"' or '\\' or < 0x20;
                    Assert.Equal((length, at, value, stops ? at : -1), (length, at, value, JsonStrings.IndexOfStringStop(bytes)));
                }
            }
        }

        Assert.Equal(-1, JsonStrings.IndexOfStringStop([]));
        Assert.Equal(3, JsonStrings.IndexOfStringStop("abc\\\"\n"u8));
    }

    /// <summary>
    /// The validator passes plain bytes and whole escapes a block at a time (<see cref="JsonStrings.SkipPlain"/>): it
    /// reads any string whole as it does fed one byte at a time, which only its state machine reads. Strings of plain
    /// runs shorter and longer than a block, every escape JSON knows, surrogate pairs and lone surrogates, escapes JSON
    /// does not know, quotes and control characters, at every place.
    /// </summary>
    [Fact]
    public void The_validator_reads_a_string_whole_as_it_does_byte_by_byte()
    {
        string[] pieces =
        [
            "a", "plain ", "[INFO] 10.0.0.1:53 - 1 A IN example.com. udp", "é", "\\n", "\\\"", "\\\\", "\\/", "\\b", "\\f", "\\r", "\\t",
            "\\u0022", "\\u00e9", "\\u00E9", "\\uFFFD", "\\uD83D\\uDE00", "\\ud83d", "\\ude00", "\\ud83d\\u0041", "\\x", "\\u12G4", "\\u12",
            "\"", "\u0001", "\u001f",
        ];
        var random = new Random(7);
        for (var n = 0; n < 4000; n++)
        {
            var text = new StringBuilder();
            var count = random.Next(1, 24);
            for (var k = 0; k < count; k++)
            {
                // Mostly what a log holds, so that strings run long before they stop.
                text.Append(random.Next(4) == 0 ? pieces[random.Next(pieces.Length)] : pieces[random.Next(13)]);
            }

            var bytes = Encoding.UTF8.GetBytes(text.ToString());
            var whole = new JsonStringValidator().Scan(bytes);
            var single = new JsonStringValidator();
            var byByte = JsonStringValidator.Open;
            for (var at = 0; at < bytes.Length && byByte == JsonStringValidator.Open; at++)
            {
                byByte = single.Scan(bytes.AsSpan(at, 1)) switch
                {
                    JsonStringValidator.Open => JsonStringValidator.Open,
                    JsonStringValidator.Invalid => JsonStringValidator.Invalid,
                    var close => at + close,
                };
            }

            Assert.Equal((text.ToString(), byByte), (text.ToString(), whole));
        }
    }

    private sealed record Outcome(string? Error, string Request, int Extracted);

    private static async Task<Outcome> Read(byte[] body, bool extract, Func<byte[], Stream>? open = null)
    {
        var sink = new RecordingSink();
        await using var stream = open?.Invoke(body) ?? new MemoryStream(body);
        try
        {
            var request = await RequestJson.ReadBodyAsync<DiagnosisRequest>(stream, ReadJson, Limits, sink, extract, CancellationToken.None);
            var logs = request?.Snapshot?.Logs?.Select(l => l.Text is null ? "(null)" : l.Text.Value ?? "streamed: " + sink.Texts[l.Text.Streamed!]);
            var outputs = request?.Snapshot?.Outputs?.Select(o => o.Text);
            var objects = request?.Snapshot?.Objects?.Select(o => o.GetRawText());
            return new Outcome(null, JsonSerializer.Serialize(new { logs, outputs, objects }), sink.Escaped);
        }
        catch (Exception e) when (e is JsonException or RequestLimitException or InvalidOperationException)
        {
            // An invalid literal's message quotes the bytes the serializer's reader holds after it: as many as the body's
            // pieces happened to bring (the same for a client sending other pieces), so they are left out. The 400 names it
            // "not a JSON literal" at its line and byte.
            var json = e as JsonException;
            var message = e.Message.Contains("is an invalid JSON literal", StringComparison.Ordinal) ? e.Message[e.Message.IndexOf("' is an invalid JSON literal", StringComparison.Ordinal)..] : e.Message;
            return new Outcome($"{e.GetType().Name} {json?.Path} {json?.LineNumber} {json?.BytePositionInLine} {message}", "", sink.Escaped);
        }
    }

    /// <summary>Keeps each long log's text, and counts those handed over as escaped bytes.</summary>
    private sealed class RecordingSink : ILogScanSink
    {
        public Dictionary<StreamedLog, string> Texts { get; } = [];

        public int Escaped { get; private set; }

        public byte[] Rent(int minimumLength) => new byte[minimumLength];

        public void Return(byte[] buffer)
        {
        }

        public StreamedLog Accept(byte[] buffer, int length, long characters)
        {
            var log = new ScannedLog(buffer, length, characters);
            Texts[log] = Encoding.UTF8.GetString(buffer, 0, length);
            return log;
        }

        public StreamedLog AcceptEscaped(byte[] buffer, int length)
        {
            Escaped++;
            var log = new ScannedLog(buffer, length);
            var (escaped, escapedLength) = log.TakeBytes();
            var text = escaped[..escapedLength];
            Texts[log] = Encoding.UTF8.GetString(text, 0, JsonStrings.UnescapeInPlace(text));
            log.Complete(CoreDnsLogScanner.ScanEscaped(escaped.AsSpan(0, escapedLength)));
            Assert.Equal(Texts[log].Length, log.Characters);
            return log;
        }

        public ValueTask WaitForRoomAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }

    /// <summary>A body read in pieces that end at <c>cut</c>, then every <c>step</c> bytes.</summary>
    private sealed class CutStream(byte[] bytes, int cut, int step = int.MaxValue) : MemoryStream(bytes)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var position = (int)Position;
            var next = position < cut ? cut : (int)Math.Min(int.MaxValue, (long)position + step);
            return base.ReadAsync(buffer[..Math.Min(buffer.Length, Math.Max(1, next - position))], cancellationToken);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    }
}
