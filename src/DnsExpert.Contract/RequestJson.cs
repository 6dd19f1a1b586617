using System.Collections.Concurrent;
using System.Collections.ObjectModel;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace DnsExpert.Contract;

/// <summary>
/// How a request body is read from an untrusted caller: strictly (no unknown envelope properties, no duplicate keys, enum
/// values only as their names) and within <see cref="RequestLimits"/> enforced while the body streams in. The lists of a
/// snapshot stop at element <c>max + 1</c>, and the Kubernetes objects stop when their JSON values pass
/// <see cref="RequestLimits.MaxObjectValues"/>, so a body of millions of empty objects is refused after the first
/// twenty thousand instead of after all of them are held. Reading with these options keeps what one request holds
/// within a fixed multiple of its body (README: security).
/// </summary>
public static class RequestJson
{
    private static readonly AsyncLocal<ObjectValueBudget?> Budget = new();

    /// <summary>
    /// Per options from <see cref="CreateOptions"/>, the idle copies of them that hand long logs to a sink: each copy
    /// holds its own <see cref="LogText.LogTextJsonConverter"/> and serves one read at a time, so the sink goes to the
    /// converter explicitly and each copy's metadata is built once, not per read.
    /// </summary>
    private static readonly ConditionalWeakTable<JsonSerializerOptions, ConcurrentBag<SinkReading>> SinkReadings = new();

    /// <summary>Options for reading <see cref="DiagnosisRequest"/> bodies under <paramref name="limits"/>; build once and reuse.</summary>
    public static JsonSerializerOptions CreateOptions(RequestLimits limits, int maxDepth)
    {
        var resolver = new DefaultJsonTypeInfoResolver();
        resolver.Modifiers.Add(info =>
        {
            if (info.Type == typeof(Symptom))
            {
                // Refused from the token's length, before a string of up to the body's size is made of it.
                info.Properties.Single(p => p.Name == "errorMessage").CustomConverter =
                    new BoundedStringConverter(limits.MaxErrorMessageLength, "symptom.errorMessage");
            }

            if (info.Type == typeof(CommandOutput))
            {
                // Each output's text, and all of them together, refused from the tokens' lengths as they stream in.
                info.Properties.Single(p => p.Name == "text").CustomConverter = new OutputTextConverter(limits);
            }

            if (info.Kind != JsonTypeInfoKind.Enumerable)
            {
                return;
            }

            info.CreateObject = info.Type switch
            {
                _ when info.Type == typeof(IList<JsonElement>) => () => new BoundedList<JsonElement>(limits.MaxObjects, "snapshot.objects", "objects"),
                _ when info.Type == typeof(IList<LogArtifact>) => () => new BoundedList<LogArtifact>(limits.MaxLogs, "snapshot.logs", "logs"),
                _ when info.Type == typeof(IList<FileArtifact>) => () => new BoundedList<FileArtifact>(limits.MaxFiles, "snapshot.files", "files"),
                _ when info.Type == typeof(IList<ProbeArtifact>) => () => new BoundedList<ProbeArtifact>(limits.MaxProbes, "snapshot.probes", "probes"),
                // One per CoreDNS pod: bounded as the files are.
                _ when info.Type == typeof(IList<MetricsArtifact>) => () => new BoundedList<MetricsArtifact>(limits.MaxFiles, "snapshot.metrics", "metrics"),
                _ when info.Type == typeof(IList<CommandOutput>) => () => new BoundedList<CommandOutput>(limits.MaxOutputs, "snapshot.outputs", "outputs"),
                _ => info.CreateObject,
            };
        });

        return new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            MaxDepth = maxDepth,
            TypeInfoResolver = resolver,
            AllowDuplicateProperties = false,
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,

            // Before the enums' own converters (which also take numbers): "frequency": 12345 is not a frequency.
            Converters = { new JsonStringEnumConverter(namingPolicy: null, allowIntegerValues: false), new BudgetedElementConverter() },
        };
    }

    /// <summary>
    /// Reads a request from <paramref name="body"/> with options from <see cref="CreateOptions"/>, counting the JSON
    /// values of its Kubernetes objects against <see cref="RequestLimits.MaxObjectValues"/>.
    /// </summary>
    /// <exception cref="RequestLimitException">A limit was passed; nothing after it was read.</exception>
    public static Task<DiagnosisRequest?> ReadAsync(Stream body, JsonSerializerOptions options, RequestLimits limits, ILogScanSink? logs, CancellationToken cancellationToken) =>
        ReadAsync<DiagnosisRequest>(body, options, limits, logs, cancellationToken);

    /// <summary>
    /// Reads any request body (<typeparamref name="T"/>) the same way: pipe segments, limits while streaming. Logs
    /// longer than <see cref="LogText.RetainedLimit"/> go to <paramref name="logs"/> as they are read (kept as strings
    /// without one); the caller waits for their scans.
    /// </summary>
    public static Task<T?> ReadAsync<T>(Stream body, JsonSerializerOptions options, RequestLimits limits, ILogScanSink? logs, CancellationToken cancellationToken)
        where T : class =>
        ReadBodyAsync<T>(body, options, limits, logs, extractLongLogs: true, cancellationToken);

    /// <summary>
    /// Reads a whole body already in memory (<paramref name="body"/>) in one synchronous pass, under the same options,
    /// limits and budget as <see cref="ReadAsync{T}(Stream, JsonSerializerOptions, RequestLimits, ILogScanSink?, CancellationToken)"/>,
    /// for a body no longer than <see cref="LogText.RetainedLimit"/>: no log in it can be long, so nothing goes to a sink.
    /// The streaming read re-scans every value that spans two of its segments before it parses it; this reads each once.
    /// </summary>
    /// <exception cref="RequestLimitException">A limit was passed; nothing after it was read.</exception>
    public static T? Read<T>(ReadOnlySpan<byte> body, JsonSerializerOptions options, RequestLimits limits)
        where T : class
    {
        if (body.Length > LogText.RetainedLimit)
        {
            throw new ArgumentOutOfRangeException(nameof(body), body.Length, "a body that may hold a long log is read as it streams (ReadAsync)");
        }

        // Every token counted starts at a byte of its own, so a body of no more bytes than the budget cannot pass it: its
        // objects' values are then not counted (a second tokenisation of each object before it is parsed).
        var previous = Budget.Value;
        Budget.Value = new ObjectValueBudget(limits.MaxObjectValues) { Counted = body.Length > limits.MaxObjectValues };
        try
        {
            return JsonSerializer.Deserialize<T>(body, options);
        }
        finally
        {
            Budget.Value = previous;
        }
    }

    /// <summary>
    /// <see cref="ReadAsync{T}(Stream, JsonSerializerOptions, RequestLimits, ILogScanSink?, CancellationToken)"/>, with the
    /// long logs' strings taken out of the body before the serializer reads it or, for tests comparing the two, not.
    /// </summary>
    internal static async Task<T?> ReadBodyAsync<T>(Stream body, JsonSerializerOptions options, RequestLimits limits, ILogScanSink? logs, bool extractLongLogs, CancellationToken cancellationToken)
        where T : class
    {
        var previous = Budget.Value;
        Budget.Value = new ObjectValueBudget(limits.MaxObjectValues);
        var idle = logs is null ? null : SinkReadings.GetValue(options, _ => []);
        var reading = idle is null ? null : idle.TryTake(out var pooled) ? pooled : new SinkReading(options);
        if (reading is not null)
        {
            reading.Slot.Sink = logs;
        }

        // Through a pipe of 64 KiB segments rather than a stream: a value that must be whole before it is read (a
        // Kubernetes object, a log text) then waits in a chain of small segments, where the stream reader would grow one
        // contiguous buffer by doubling to the value's size and leave every size it passed in the shared array pool.
        var pipe = PipeReader.Create(body, PipeOptions);

        // Long logs are taken out of the body before the serializer reads it (LongLogExtractingStream): copied as they
        // lie, checked as they are searched, and unescaped by their scans on another core. The extraction runs ahead of
        // the serializer (ReadAhead), so the first logs go to their scans while the serializer still reads the objects
        // before them.
        var source = pipe;
        LongLogs? extracted = null;
        ReadAhead? ahead = null;
        if (extractLongLogs && reading?.PathTo(typeof(T)) is { } root)
        {
            extracted = new LongLogs();
            reading.Slot.Logs = extracted;
            ahead = new ReadAhead(new LongLogExtractingStream(pipe, root, reading.Options.PropertyNameCaseInsensitive, logs!, extracted), cancellationToken);
            source = ahead.Reader;
        }

        try
        {
            var value = await JsonSerializer.DeserializeAsync<T>(new BodyPipeReader(source, logs), reading?.Options ?? options, cancellationToken);
            if (ahead is not null)
            {
                await ahead.StopAsync();
            }

            if (extracted is not null && extracted.Taken != extracted.Made)
            {
                // Never for a body the serializer reads as the contract says; refused rather than a log gone missing.
                throw new JsonException("A long string stood where the request holds no log text.", "$", null, null);
            }

            return value;
        }
        catch (JsonException error) when (extracted is not null)
        {
            // The extraction stops before its record of replaced logs is read: it may have run on past the error.
            await ahead!.StopAsync();
            var inBody = extracted.InBody(error);
            if (ReferenceEquals(inBody, error))
            {
                throw;
            }

            throw inBody;
        }
        finally
        {
            Budget.Value = previous;
            if (ahead is not null)
            {
                await ahead.StopAsync();
                await source.CompleteAsync();
            }

            if (reading is not null)
            {
                reading.Slot.Sink = null;
                reading.Slot.Logs = null;
                idle!.Add(reading);
            }

            await pipe.CompleteAsync();
        }
    }

    /// <summary>
    /// The long-log extraction run on a task of its own, its output (the body with each long log replaced by a number)
    /// in a pipe the serializer reads. The body's long logs come after its objects, which the serializer reads
    /// byte by byte while the extraction only follows their structure: read in turn, the first log went to a scan only
    /// when the serializer had read every object, and until then one core idled. Besides room for another long log
    /// (<see cref="ILogScanSink.WaitForRoomAsync"/>), the extraction waits when <see cref="Ahead"/> bytes of its output
    /// are not read yet: a body the serializer refuses early is not read much further than before. The pipe never
    /// pauses its writer while the serializer waits for more than that to get a whole value (a long string left to
    /// it): <c>ReadAtLeastAsync</c> suspends the pause until it has what it asked for.
    /// </summary>
    private sealed class ReadAhead
    {
        /// <summary>How far the extraction may run ahead of the serializer: the objects of a large cluster before its logs.</summary>
        internal const int Ahead = 16 * 1024 * 1024;

        private static readonly PipeOptions Options = new(pauseWriterThreshold: Ahead, resumeWriterThreshold: Ahead / 2, minimumSegmentSize: 64 * 1024, useSynchronizationContext: false);

        private readonly Pipe _pipe = new(Options);
        private readonly CancellationTokenSource _stop;
        private readonly Task _run;
        private bool _stopped;

        public ReadAhead(Stream extracting, CancellationToken cancellationToken)
        {
            _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            _run = Task.Run(() => RunAsync(extracting, _stop.Token), CancellationToken.None);
        }

        public PipeReader Reader => _pipe.Reader;

        /// <summary>Stops the extraction (done, or no longer read: it may be waiting for the body or for room) and waits for it.</summary>
        public async Task StopAsync()
        {
            if (_stopped)
            {
                return;
            }

            _stopped = true;
            await _stop.CancelAsync();
            await _run;
            _stop.Dispose();
        }

        private async Task RunAsync(Stream extracting, CancellationToken cancellationToken)
        {
            try
            {
                await extracting.CopyToAsync(_pipe.Writer, cancellationToken);
                await _pipe.Writer.CompleteAsync();
            }
            catch (Exception error)
            {
                // The serializer's next read throws it, as it threw from the extraction read in turn.
                await _pipe.Writer.CompleteAsync(error);
            }
        }
    }

    private static readonly StreamPipeReaderOptions PipeOptions = new(bufferSize: 64 * 1024, minimumReadSize: 16 * 1024, leaveOpen: true);

    /// <summary>A copy of a read's options whose log converter hands long logs to the sink in <see cref="Slot"/>.</summary>
    private sealed class SinkReading
    {
        public SinkReading(JsonSerializerOptions options)
        {
            // Before the type's own attribute (which keeps every log as a string): a converter in the options wins over it.
            Options = new JsonSerializerOptions(options);
            Options.Converters.Insert(0, new LogText.LogTextJsonConverter(Slot));
            Options.MakeReadOnly();
        }

        public LogText.SinkSlot Slot { get; } = new();

        public JsonSerializerOptions Options { get; }

        private readonly ConcurrentDictionary<Type, LogPath?> _paths = new();

        /// <summary>Where <paramref name="type"/>'s log texts lie in its JSON, as these options read it; null when nowhere.</summary>
        public LogPath? PathTo(Type type) => _paths.GetOrAdd(type, t => LogPath.For(Options, t));
    }

    /// <summary>
    /// The body as the serializer reads it: the next segment only when the sink (if any) has room for another long log,
    /// and a string the serializer stopped in read to its closing quote before it looks again. A token must be whole
    /// before the serializer can read it, and when one is not, it asks for twice what it holds and reads the token again
    /// from its start: a 15 MB log was validated byte by byte about twice over in partial attempts (64 KiB, 128 KiB, ...
    /// 16 MiB) before the one that read it. Found with a vectorised search for quotes and backslashes instead, it is read
    /// once. Only what the serializer would hold anyway is read ahead: the rest of the string it needs whole. The search
    /// only decides how much is buffered; the serializer still reads and validates every token itself.
    /// </summary>
    private sealed class BodyPipeReader(PipeReader inner, ILogScanSink? sink) : PipeReader
    {
        public override async ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
        {
            if (sink is not null)
            {
                await sink.WaitForRoomAsync(cancellationToken);
            }

            return await inner.ReadAsync(cancellationToken);
        }

        // The serializer asks for at least a value's bytes when one spans segments: the inner reader fills them in one go
        // (the base class would loop over single reads). It asks for more than nothing only when it could not read on.
        protected override async ValueTask<ReadResult> ReadAtLeastAsyncCore(int minimumSize, CancellationToken cancellationToken)
        {
            if (sink is not null)
            {
                await sink.WaitForRoomAsync(cancellationToken);
            }

            var result = await inner.ReadAtLeastAsync(minimumSize, cancellationToken);
            if (minimumSize == 0 || result.IsCompleted || result.IsCanceled || !JsonStrings.EndsInString(result.Buffer, out var escaped))
            {
                return result;
            }

            // Where the serializer stopped is between tokens, so the buffer ends inside the string it is reading: read on,
            // looking only at the new bytes, until that string closes or the body ends.
            var scanned = result.Buffer.Length;
            while (true)
            {
                inner.AdvanceTo(result.Buffer.Start, result.Buffer.End);
                result = await inner.ReadAtLeastAsync((int)Math.Min(int.MaxValue, scanned + 1), cancellationToken);
                if (result.IsCompleted || result.IsCanceled || JsonStrings.Closes(result.Buffer.Slice(scanned), ref escaped))
                {
                    return result;
                }

                scanned = result.Buffer.Length;
            }
        }

        public override bool TryRead(out ReadResult result) => inner.TryRead(out result);

        public override void AdvanceTo(SequencePosition consumed) => inner.AdvanceTo(consumed);

        public override void AdvanceTo(SequencePosition consumed, SequencePosition examined) => inner.AdvanceTo(consumed, examined);

        public override void CancelPendingRead() => inner.CancelPendingRead();

        public override void Complete(Exception? exception = null) => inner.Complete(exception);

        public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);
    }

    /// <summary>A snapshot list that refuses its element <c>max + 1</c> as it is read.</summary>
    private sealed class BoundedList<T>(int max, string field, string noun) : Collection<T>
    {
        protected override void InsertItem(int index, T item)
        {
            if (Count >= max)
            {
                throw new RequestLimitException(field, $"has more than {max} {noun}; at most {max} are accepted (reading stopped at the {max + 1}th)");
            }

            base.InsertItem(index, item);
        }
    }

    /// <summary>A string refused by its length before it is made a .NET string.</summary>
    private sealed class BoundedStringConverter(int maxCharacters, string field) : JsonConverter<string>
    {
        public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType != JsonTokenType.String)
            {
                throw new JsonException();
            }

            // Escaped UTF-8 bytes: at least one per character, at most 12 (a surrogate pair as two \uXXXX) per two.
            var bytes = reader.HasValueSequence ? reader.ValueSequence.Length : reader.ValueSpan.Length;
            if (bytes > (long)maxCharacters * 6)
            {
                throw new RequestLimitException(field, $"is longer than {maxCharacters} characters");
            }

            return LongJsonString.Read(ref reader, maxCharacters) ?? throw new RequestLimitException(field, $"is longer than {maxCharacters} characters");
        }

        public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
    }

    private sealed class ObjectValueBudget(long max)
    {
        public long Max { get; } = max;

        public long Used { get; set; }

        /// <summary>False when the body is too short to hold more values than <see cref="Max"/>: they are not counted.</summary>
        public bool Counted { get; init; } = true;

        /// <summary>Characters of pasted output text read so far in this body.</summary>
        public long OutputCharacters { get; set; }
    }

    /// <summary>
    /// A pasted output's text, under <see cref="RequestLimits.MaxOutputCharacters"/> each and
    /// <see cref="RequestLimits.MaxOutputsCharacters"/> together: the escaped token's bytes bound its characters from
    /// below (at most 6 bytes a character), so a text past either limit is refused before it becomes a string.
    /// </summary>
    private sealed class OutputTextConverter(RequestLimits limits) : JsonConverter<string>
    {
        private const string Advice = "paste less (for example --tail=500); send long logs in snapshot.logs, which is read as it streams, and objects in snapshot.objects";

        public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType != JsonTokenType.String)
            {
                throw new JsonException();
            }

            var bytes = reader.HasValueSequence ? reader.ValueSequence.Length : reader.ValueSpan.Length;
            var budget = Budget.Value;
            var before = budget?.OutputCharacters ?? 0;
            if (bytes > (long)limits.MaxOutputCharacters * 6)
            {
                throw TooLong();
            }

            if (before + (bytes / 6) > limits.MaxOutputsCharacters)
            {
                throw TooMuch();
            }

            var value = LongJsonString.Read(ref reader, limits.MaxOutputCharacters) ?? throw TooLong();

            if (before + value.Length > limits.MaxOutputsCharacters)
            {
                throw TooMuch();
            }

            if (budget is not null)
            {
                budget.OutputCharacters = before + value.Length;
            }

            return value;
        }

        private RequestLimitException TooLong() =>
            new("snapshot.outputs", $"an output's text is longer than {limits.MaxOutputCharacters} characters (DnsExpert:Limits:MaxOutputCharacters): {Advice}");

        private RequestLimitException TooMuch() =>
            new("snapshot.outputs", $"the outputs' texts are longer than {limits.MaxOutputsCharacters} characters together (DnsExpert:Limits:MaxOutputsCharacters): {Advice}");

        public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
    }

    /// <summary>
    /// A Kubernetes object: its values are counted (on a copy of the reader, over bytes the serializer has already
    /// buffered) before a <see cref="JsonElement"/> is made of them, because the element's index costs 12 bytes per
    /// value: 6 times the 2 bytes of a <c>0,</c>.
    /// </summary>
    private sealed class BudgetedElementConverter : JsonConverter<JsonElement>
    {
        public override JsonElement Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (Budget.Value is { Counted: true } budget)
            {
                var values = 1L;
                if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                {
                    var scan = reader;
                    var depth = scan.CurrentDepth;
                    while (scan.Read() && scan.CurrentDepth > depth)
                    {
                        values++;
                    }
                }

                budget.Used += values;
                if (budget.Used > budget.Max)
                {
                    throw new RequestLimitException("snapshot.objects",
                        $"hold more than {budget.Max} JSON values; at most {budget.Max} are accepted (a pod as kubectl get -o json prints it is a few hundred)");
                }
            }

            return JsonElement.ParseValue(ref reader);
        }

        public override void Write(Utf8JsonWriter writer, JsonElement value, JsonSerializerOptions options) => value.WriteTo(writer);
    }
}

/// <summary>A request passed one of <see cref="RequestLimits"/> while it was read: the field at fault and why.</summary>
public sealed class RequestLimitException : Exception
{
    public RequestLimitException(string field, string message)
        : base(message) => Field = field;

    public RequestLimitException()
    {
        Field = "$";
    }

    public RequestLimitException(string message, Exception inner)
        : base(message, inner)
    {
        Field = "$";
    }

    public string Field { get; }
}
