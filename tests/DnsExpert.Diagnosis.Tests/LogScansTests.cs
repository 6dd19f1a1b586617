using System.Text;
using System.Text.Json;
using DnsExpert.Contract;
using DnsExpert.Diagnosis.FactBuilding;
using DnsExpert.Facts;
using DnsExpert.Readers;
using DnsExpert.Readers.Building;
using DnsExpert.Readers.Parsing;

namespace DnsExpert.Diagnosis.Tests;

/// <summary>Long logs are scanned as the request is read, with bounded buffers, and the reader is never blocked.</summary>
public sealed class LogScansTests
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static readonly RequestLimits Limits = new();
    private static readonly JsonSerializerOptions ReadJson = RequestJson.CreateOptions(Limits, maxDepth: 64);
    private static readonly JsonSerializerOptions RawUtf8 = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>A CoreDNS query log with one failing name of its own, about 1.3 MB per 9,000 lines.</summary>
    private static string Log(int n, int lines = 9_000) => string.Concat(Enumerable.Range(0, lines).Select(i =>
        $"2026-11-25T08:00:{i % 60:D2}.000000000Z [INFO] 172.20.1.9:{30000 + i} - {i} \"A IN only-in-log-{n}.example.com. udp 80 false 512\" {(i % 3 == 0 ? "NXDOMAIN" : "NOERROR")} qr,rd,ra 173 0.0001s\n"));

    private static string Body(int logs) => JsonSerializer.Serialize(new DiagnosisRequest
    {
        Domain = "only-in-log-0.example.com",
        Snapshot = new Snapshot { Logs = Enumerable.Range(0, logs).Select(n => new LogArtifact { Namespace = "kube-system", Pod = $"coredns-{n}", Container = "coredns", Text = Log(n) }).ToList() },
    }, Json);

    private static async Task<DiagnosisRequest> Read(LogScanScheduler scheduler, string json, CancellationToken cancellationToken = default)
    {
        await using var body = new MemoryStream(Encoding.UTF8.GetBytes(json));
        return (await scheduler.ReadAsync<DiagnosisRequest>(body, ReadJson, Limits, cancellationToken))!;
    }

    [Fact]
    public async Task A_long_log_is_scanned_as_the_request_is_read_and_gives_the_facts_of_its_text()
    {
        var json = Body(1);
        Assert.True(json.Length > LogText.RetainedLimit);

        var streamed = await Read(new LogScanScheduler(), json);

        var read = Assert.Single(streamed.Snapshot!.Logs!).Text!;
        Assert.Null(read.Value);
        Assert.NotNull(read.Scanned);
        Assert.Equal(Log(0).Length, read.Length);
        var kept = JsonSerializer.Deserialize<DiagnosisRequest>(json, Json)!;
        Assert.NotNull(Assert.Single(kept.Snapshot!.Logs!).Text!.Value);
        Assert.Equal(Describe(SnapshotFactBuilder.Build(kept).Facts), Describe(SnapshotFactBuilder.Build(streamed).Facts));
        Assert.Contains(SnapshotFactBuilder.Build(streamed).Collection, c => c.Detail != null && c.Detail.Contains("scanned as the request was read", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Many_long_logs_in_concurrent_requests_each_keep_their_own_scan()
    {
        // More long logs than scans may run at once, in several requests read at the same time on one scheduler:
        // buffers are reused between logs, and no scan may end up on another log.
        var json = Body(6);
        Assert.True(json.Length > 6 * LogText.RetainedLimit);
        var scheduler = new LogScanScheduler(parallelism: 1);

        var requests = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => Read(scheduler, json))));

        foreach (var request in requests)
        {
            var logs = request.Snapshot!.Logs!;
            for (var n = 0; n < logs.Count; n++)
            {
                var scan = logs[n].Text!.Scanned!;
                var failed = Assert.Single(scan.FailedQueries);
                Assert.Equal(($"only-in-log-{n}.example.com.", 3_000, 9_000), (failed.First.Query!.Name, failed.Occurrences, scan.Lines));
                Assert.Equal(Log(n).Length, logs[n].Text!.Length);
            }
        }
    }

    [Fact]
    public async Task The_reader_waits_for_room_instead_of_holding_every_log()
    {
        // A sink that never scans: the reader must stop after one log waiting for a scan (parallelism 1), so the
        // second log's bytes are never read, and the wait is an await the caller can cancel, not a blocked thread.
        var sink = new StalledSink();
        using var cancel = new CancellationTokenSource();
        await using var body = new MemoryStream(Encoding.UTF8.GetBytes(Body(3)));

        var read = RequestJson.ReadAsync<DiagnosisRequest>(body, ReadJson, Limits, sink, cancel.Token);
        await sink.Accepted.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await Task.Delay(200);

        Assert.False(read.IsCompleted);
        Assert.Equal(1, sink.Count);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => read);
        Assert.Equal(1, sink.Count);
    }

    [Fact]
    public async Task A_log_handed_over_without_room_is_scanned_by_the_reader_itself()
    {
        // The only scan slot is taken, so handed-over logs wait: three fill the read's room (the slot's, the reader's
        // own and one waiting), and a fourth, from the same segment of the body, is scanned at once on the reader's
        // thread instead of holding a fourth buffer.
        var scheduler = new LogScanScheduler(parallelism: 1);
        await scheduler.Slots.WaitAsync();
        var scans = scheduler.Begin(CancellationToken.None);
        var logs = Enumerable.Range(0, 4).Select(n => Accept(scans, Log(n, lines: 50))).ToList();

        Assert.Equal([false, false, false, true], logs.Select(l => l.Scan is not null));

        // Waiting for room, the reader scans a log still waiting for a slot itself (both cores scan) and goes on.
        Assert.True(scans.WaitForRoomAsync(CancellationToken.None).AsTask().IsCompletedSuccessfully);
        Assert.NotNull(logs[0].Scan);
        Assert.True(scans.WaitForRoomAsync(CancellationToken.None).AsTask().IsCompletedSuccessfully);
        scheduler.Slots.Release();
        await scans.CompleteAsync();
        Assert.All(logs, l => Assert.Equal(50, l.Scan!.Lines));
        await scans.WaitForRoomAsync(CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task The_reader_done_reading_scans_the_logs_still_waiting_for_a_slot_itself()
    {
        // The only scan slot is taken (another request's scan): the read's last two logs wait for it. Done reading, the
        // reader scans them itself instead of idling until the slot gets to them one after the other.
        var scheduler = new LogScanScheduler(parallelism: 1);
        await scheduler.Slots.WaitAsync();
        var scans = scheduler.Begin(CancellationToken.None);
        var logs = Enumerable.Range(0, 2).Select(n => Accept(scans, Log(n, lines: 50))).ToList();
        Assert.All(logs, l => Assert.Null(l.Scan));

        var complete = scans.CompleteAsync();

        Assert.All(logs, l => Assert.Equal(50, l.Scan!.Lines));
        scheduler.Slots.Release();
        await complete.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(1, scheduler.Slots.CurrentCount);
        await scans.WaitForRoomAsync(CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task A_string_longer_than_the_read_ahead_is_read_whole_by_the_serializer()
    {
        // The long-log extraction runs ahead of the serializer by at most 16 MiB; a 20 MB string left to the serializer
        // (an output's text) must still arrive whole rather than the two waiting on each other, and read the same as
        // without a sink. A long log after it goes to its scan.
        var limits = new RequestLimits { MaxOutputCharacters = 32 * 1024 * 1024, MaxOutputsCharacters = 32 * 1024 * 1024 };
        var options = RequestJson.CreateOptions(limits, maxDepth: 64);
        var output = string.Concat(Enumerable.Repeat("0123456789abcdef\n", 20_000_000 / 17));
        var json = JsonSerializer.Serialize(new DiagnosisRequest
        {
            Domain = "only-in-log-0.example.com",
            Snapshot = new Snapshot
            {
                Outputs = [new CommandOutput { Command = "cat", Text = output }],
                Logs = [new LogArtifact { Namespace = "kube-system", Pod = "coredns-0", Container = "coredns", Text = Log(0) }],
            },
        }, Json);

        await using var body = new MemoryStream(Encoding.UTF8.GetBytes(json));
        var read = (await new LogScanScheduler(parallelism: 1).ReadAsync<DiagnosisRequest>(body, options, limits, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60)))!;

        Assert.Equal(output, read.Snapshot!.Outputs![0].Text);
        Assert.Equal(9_000, Assert.Single(read.Snapshot.Logs!).Text!.Scanned!.Lines);
    }

    /// <summary>A log read into a buffer rented from <paramref name="scans"/> and handed over, as the request reader does.</summary>
    private static ScannedLog Accept(LogScans scans, string text)
    {
        var buffer = scans.Rent(Encoding.UTF8.GetByteCount(text));
        var length = Encoding.UTF8.GetBytes(text, buffer);
        return (ScannedLog)scans.Accept(buffer, length, text.Length);
    }

    [Fact]
    public async Task A_cancelled_read_fails_its_scans_and_gives_every_buffer_back()
    {
        var scheduler = new LogScanScheduler(parallelism: 1);
        using var cancel = new CancellationTokenSource();
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Read(scheduler, Body(2), cancel.Token));

        // The scheduler is still whole: a later read gets its slot and a scan.
        var request = await Read(scheduler, Body(1));
        Assert.NotNull(Assert.Single(request.Snapshot!.Logs!).Text!.Scanned);
    }

    [Fact]
    public void A_streamed_log_not_yet_scanned_says_so_instead_of_blocking()
    {
        var log = new ScannedLog(new byte[16], 4, 4);
        var text = JsonSerializer.Deserialize<LogArtifact>("""{"pod":"p","text":"x"}""", Json)!.Text!;
        Assert.NotNull(text.Scan());

        var streamed = new LogText(log);
        Assert.Throws<InvalidOperationException>(() => streamed.Scan());
        var (buffer, length) = log.TakeBytes();
        log.Complete(CoreDnsLogScanner.Scan(buffer.AsSpan(0, length)));
        Assert.Same(log.Scan, streamed.Scan());
        Assert.Throws<InvalidOperationException>(() => log.TakeBytes());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(4093)]
    public async Task Strings_split_anywhere_between_reads_are_read_whole_and_unchanged(int step)
    {
        // A long string is read on to its closing quote before the serializer looks again: wherever the body's reads
        // end (inside an escape, between a backslash and the quote it escapes, inside a UTF-8 sequence), every string
        // comes out as it went in, with a sink and without; a long log is unescaped segment by segment into the sink's
        // buffer, an escaped surrogate pair too.
        var line = "2026-11-25T08:00:00.000000000Z [INFO] 172.20.1.9:3000 - 7 \"A IN \\\\é\"x.example.com. udp 80 false 512\" NOERROR qr 1 0.0001s\t\u0001\n";
        var log = string.Concat(Enumerable.Repeat(line, (LogText.RetainedLimit / line.Length) + 10));
        var withSurrogates = log + "a pair \uD83D\uDE00 escaped as two \\u escapes\n";
        const string Output = "C:\\temp\\ \"quoted\" \\\"";
        var json = JsonSerializer.Serialize(new DiagnosisRequest
        {
            Domain = "x.example.com",
            Snapshot = new Snapshot
            {
                Logs = [new LogArtifact { Pod = "long", Text = log }, new LogArtifact { Pod = "short", Text = line }, new LogArtifact { Pod = "pair", Text = withSurrogates }],
                Outputs = [new CommandOutput { Command = "cat", Text = Output }],
            },
        }, Json);
        Assert.Contains("\\\\", json, StringComparison.Ordinal);
        Assert.Contains("\\u0022", json, StringComparison.Ordinal);
        Assert.Contains("\\uD83D\\uDE00", json, StringComparison.Ordinal);

        var sink = new CapturingSink();
        await using (var body = new TricklingStream(Encoding.UTF8.GetBytes(json), step))
        {
            var read = (await RequestJson.ReadAsync(body, ReadJson, Limits, sink, CancellationToken.None))!;
            Assert.Equal([log, withSurrogates], sink.Texts);
            Assert.Null(read.Snapshot!.Logs![0].Text!.Value);
            Assert.Equal(line, read.Snapshot.Logs[1].Text!.Value);
            Assert.Equal(Output, read.Snapshot.Outputs![0].Text);
        }

        await using (var body = new TricklingStream(Encoding.UTF8.GetBytes(json), step))
        {
            var read = (await RequestJson.ReadAsync(body, ReadJson, Limits, null, CancellationToken.None))!;
            Assert.Equal([log, line, withSurrogates], read.Snapshot!.Logs!.Select(l => l.Text!.Value));
            Assert.Equal(Output, read.Snapshot.Outputs![0].Text);
        }
    }

    [Fact]
    public async Task Every_escape_of_a_long_log_cut_by_a_segment_boundary_is_unescaped_into_the_sink()
    {
        // The log's head holds a piece that a 64 KiB segment boundary of the body cuts at each of its bytes in turn:
        // escapes of each kind (an escaped surrogate pair too) and multi-byte UTF-8, escaped as the serializer escapes,
        // raw, and every character as a \u escape. The tail makes the log long enough to go to the sink.
        string[] pieces = ["\n", "\t", "\"", "\\", "/", "\u0001", "é", "€", "😀", "\U0001F4A9x", "a"];
        var tail = new string('y', LogText.RetainedLimit);
        const int Segment = 64 * 1024;
        const string Prefix = """{"snapshot":{"logs":[{"pod":"long","text":""";
        foreach (var piece in pieces)
        {
            var head = piece + string.Concat(pieces);
            var everyCharacter = string.Concat(head.Select(c => "\\u" + ((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture)));
            foreach (var encoded in new[] { JsonSerializer.Serialize(head), JsonSerializer.Serialize(head, RawUtf8), "\"" + everyCharacter + "\"" })
            {
                // The longest piece, 😀 as two \u escapes or 💩x as three, is 18 bytes.
                for (var cut = 0; cut <= 18; cut++)
                {
                    var body = new string(' ', Segment - Prefix.Length - 1 - cut) + Prefix + encoded[..^1] + tail + "\"}]}}";
                    var sink = new CapturingSink();
                    await using var stream = new MemoryStream(Encoding.UTF8.GetBytes(body));
                    await RequestJson.ReadAsync(stream, ReadJson, Limits, sink, CancellationToken.None);
                    Assert.Equal(head + tail, Assert.Single(sink.Texts));
                }
            }
        }
    }

    [Theory]
    [InlineData("\\ud83d")] // a high surrogate escape at the end
    [InlineData("\\ud83dx")] // followed by a character, not a low surrogate escape
    [InlineData("\\ude00")] // a low surrogate escape alone
    public async Task An_unpaired_surrogate_escape_in_a_long_log_is_a_malformed_body(string escape)
    {
        var body = """{"snapshot":{"logs":[{"pod":"long","text":"\n""" + new string('x', LogText.RetainedLimit) + escape + "\"}]}}";
        await using var stream = new MemoryStream(Encoding.UTF8.GetBytes(body));
        var error = await Assert.ThrowsAsync<JsonException>(() => RequestJson.ReadAsync(stream, ReadJson, Limits, new CapturingSink(), CancellationToken.None));
        Assert.Equal("$.snapshot.logs[0].text", error.Path);
    }

    private static List<string> Describe(IEnumerable<object> facts) =>
        facts.OfType<Fact>().Select(f => JsonSerializer.Serialize(f, f.GetType(), Json)).ToList();

    /// <summary>A sink that keeps each long log's text as it was handed over.</summary>
    private sealed class CapturingSink : ILogScanSink
    {
        public List<string> Texts { get; } = [];

        public byte[] Rent(int minimumLength) => new byte[minimumLength];

        public void Return(byte[] buffer)
        {
        }

        public StreamedLog Accept(byte[] buffer, int length, long characters)
        {
            Texts.Add(Encoding.UTF8.GetString(buffer, 0, length));
            return new ScannedLog(buffer, length, characters);
        }

        public ValueTask WaitForRoomAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }

    /// <summary>A body that gives at most <c>step</c> bytes a read (one or two fewer every other time), as a slow client would.</summary>
    private sealed class TricklingStream(byte[] bytes, int step) : MemoryStream(bytes)
    {
        private int _reads;

        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, Next()));

        public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(buffer.Length, Next())]);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, Next())], cancellationToken);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            base.ReadAsync(buffer, offset, Math.Min(count, Next()), cancellationToken);

        private int Next() => Math.Max(1, step - (_reads++ % 3));
    }

    private sealed class StalledSink : ILogScanSink
    {
        private int _count;

        public TaskCompletionSource Accepted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Count => Volatile.Read(ref _count);

        public byte[] Rent(int minimumLength) => new byte[minimumLength];

        public void Return(byte[] buffer)
        {
        }

        public StreamedLog Accept(byte[] buffer, int length, long characters)
        {
            Interlocked.Increment(ref _count);
            Accepted.TrySetResult();
            return new ScannedLog(buffer, length, characters);
        }

        public ValueTask WaitForRoomAsync(CancellationToken cancellationToken) =>
            Count == 0 ? ValueTask.CompletedTask : new ValueTask(Task.Delay(Timeout.Infinite, cancellationToken));
    }
}
