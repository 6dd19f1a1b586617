using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using DnsExpert.Core.Parsing;

namespace DnsExpert.Core.Contract;

/// <summary>
/// The text of a log: kept as a string when short, or, for a log longer than <see cref="RetainedLimit"/> bytes of
/// JSON, scanned while the request is read and not kept (<see cref="Scanned"/>). In JSON it is a plain string.
/// </summary>
[JsonConverter(typeof(LogText.LogTextJsonConverter))]
public sealed class LogText
{
    /// <summary>Logs up to this many bytes of JSON are kept as text (the last 500 lines of a busy CoreDNS are far less).</summary>
    public const int RetainedLimit = 1 << 20;

    private readonly Task<CoreDnsLogScan>? _scan;

    public LogText(string value)
    {
        Value = value;
        Length = value.Length;
    }

    private LogText(Task<CoreDnsLogScan> scan, long length)
    {
        _scan = scan;
        Length = length;
    }

    /// <summary>The text, or null when the log was scanned as it was read and not kept.</summary>
    public string? Value { get; }

    /// <summary>Its length in characters, kept or not.</summary>
    public long Length { get; }

    /// <summary>The scan of a log that was not kept (waits for it to finish), or null for a kept text.</summary>
    public CoreDnsLogScan? Scanned => _scan?.GetAwaiter().GetResult();

    /// <summary>The scan of this log: the one made while reading, or one made now from the text.</summary>
    public CoreDnsLogScan Scan() => Scanned ?? CoreDnsLogScanner.Scan(Value ?? "");

    public static implicit operator LogText?(string? value) => value is null ? null : new LogText(value);

    public override string ToString() => Value ?? $"(a log of {Length} characters, scanned as it was read and not kept)";

    /// <summary>
    /// Reads a long log without ever making it a .NET string: unescaped into a UTF-8 buffer and scanned from there on
    /// another core while the rest of the request is read (<see cref="BackgroundLogScans"/>). A snapshot of twenty
    /// 100,000-line CoreDNS logs then costs a few logs' buffers, not twice the logs' size in UTF-16 strings. On the
    /// property, not the log object, so that the serializer streams the object as usual instead of buffering it whole.
    /// </summary>
    public sealed class LogTextJsonConverter : JsonConverter<LogText>
    {
        public override bool HandleNull => false;

        public override LogText? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType != JsonTokenType.String)
            {
                // Without a message of its own the serializer reports it as it does any wrong type, with the path.
                throw new JsonException();
            }

            // The escaped length bounds the unescaped UTF-8 length (and the UTF-16 length).
            var length = reader.HasValueSequence ? reader.ValueSequence.Length : reader.ValueSpan.Length;
            if (length <= RetainedLimit)
            {
                return new LogText(reader.GetString()!);
            }

            var bytes = BackgroundLogScans.Rent(checked((int)length));
            int written;
            try
            {
                written = reader.CopyString(bytes);
            }
            catch
            {
                BackgroundLogScans.Return(bytes);
                throw;
            }

            var characters = Encoding.UTF8.GetCharCount(bytes.AsSpan(0, written));
            return new LogText(BackgroundLogScans.Start(bytes, written), characters);
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
}
