using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace DnsExpert.Contract;

/// <summary>
/// The text of a log: kept as a string when short, or, for a log longer than <see cref="RetainedLimit"/> bytes of
/// JSON read with a <see cref="ILogScanSink"/>, the <see cref="StreamedLog"/> that sink made of its UTF-8 bytes (the
/// sink scans them; the contract only carries the log). In JSON it is a plain string.
/// </summary>
[JsonConverter(typeof(LogText.LogTextJsonConverter))]
public sealed class LogText
{
    /// <summary>Logs up to this many bytes of JSON are kept as text (the last 500 lines of a busy CoreDNS are far less).</summary>
    public const int RetainedLimit = 1 << 20;

    public LogText(string value) => Value = value;

    public LogText(StreamedLog streamed) => Streamed = streamed;

    /// <summary>The text, or null when the log was streamed to a scan and not kept.</summary>
    public string? Value { get; }

    /// <summary>Its length in characters, kept or not (a streamed log's once its scan is done).</summary>
    public long Length => Value?.Length ?? Streamed!.Characters;

    /// <summary>The long log handed to a scan as it was read, or null for a kept text.</summary>
    public StreamedLog? Streamed { get; }

    public static implicit operator LogText?(string? value) => value is null ? null : new LogText(value);

    public override string ToString() => Value ?? $"(a log of {Length} characters, scanned as it was read and not kept)";

    /// <summary>
    /// Reads a long log without ever making it a .NET string: unescaped into a buffer of the read's
    /// <see cref="ILogScanSink"/>, which scans it while the rest of the request is read. A snapshot of twenty
    /// 100,000-line CoreDNS logs then costs a few logs' buffers, not twice the logs' size in UTF-16 strings. On the
    /// property, not the log object, so that the serializer streams the object as usual instead of buffering it whole.
    /// Without a sink (a caller that did not ask for streaming, or the type's own attribute) the log is kept as a
    /// string. The sink is handed over explicitly: <see cref="RequestJson.ReadAsync{T}"/> reads with options holding
    /// a converter made for that read (<see cref="RequestJson"/>'s pool of them), never through ambient state.
    /// </summary>
    public sealed class LogTextJsonConverter : JsonConverter<LogText>
    {
        private readonly SinkSlot? _slot;

        /// <summary>A converter that keeps every log as a string (the type's attribute: writing, and reads without a sink).</summary>
        public LogTextJsonConverter()
        {
        }

        /// <summary>A converter handing long logs to whatever sink <paramref name="slot"/> holds during a read.</summary>
        internal LogTextJsonConverter(SinkSlot slot) => _slot = slot;

        public override bool HandleNull => false;

        public override LogText? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType != JsonTokenType.String)
            {
                // A long log the reader took out of the body before the serializer saw it stands here as the number only
                // this read knows (RequestJson: LongLogExtractingStream). Any other number, or anything else, without a
                // message of its own the serializer reports as it does any wrong type, with the path.
                return _slot?.Logs?.TryTake(ref reader) is { } extracted ? new LogText(extracted) : throw new JsonException();
            }

            // The escaped length bounds the unescaped UTF-8 length (and the UTF-16 length).
            var length = reader.HasValueSequence ? reader.ValueSequence.Length : reader.ValueSpan.Length;
            if (length <= RetainedLimit || _slot?.Sink is not { } sink)
            {
                return new LogText(LongJsonString.Read(ref reader, int.MaxValue)!);
            }

            var bytes = sink.Rent(checked((int)length));
            int written;
            try
            {
                written = JsonStrings.TryCopy(ref reader, bytes) ?? reader.CopyString(bytes);
            }
            catch
            {
                sink.Return(bytes);
                throw;
            }

            return new LogText(sink.Accept(bytes, written, Encoding.UTF8.GetCharCount(bytes.AsSpan(0, written))));
        }

        public override void Write(Utf8JsonWriter writer, LogText value, JsonSerializerOptions options)
        {
            if (value.Value is null)
            {
                writer.WriteNullValue();
            }
            else
            {
                writer.WriteStringValue(value.Value);
            }
        }
    }

    /// <summary>The sink of the one read a pooled converter serves at a time; null between reads.</summary>
    internal sealed class SinkSlot
    {
        public ILogScanSink? Sink { get; set; }

        /// <summary>The long logs taken out of the body of the read in progress, if it reads with extraction.</summary>
        public LongLogs? Logs { get; set; }
    }
}
