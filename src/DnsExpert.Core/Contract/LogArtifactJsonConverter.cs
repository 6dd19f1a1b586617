using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using DnsExpert.Core.Parsing;

namespace DnsExpert.Core.Contract;

/// <summary>
/// Reads a <see cref="LogArtifact"/> so that a long log never becomes a .NET string: its text is unescaped into a
/// UTF-8 buffer and scanned from there on another core while the rest of the request is read
/// (<see cref="BackgroundLogScans"/>), and only the scan is kept. A snapshot of twenty 100,000-line CoreDNS logs then
/// costs a few logs' buffers, not twice the logs' size in UTF-16 strings.
/// </summary>
public sealed class LogArtifactJsonConverter : JsonConverter<LogArtifact>
{
    /// <summary>Logs up to this many bytes of JSON are kept as text (the last 500 lines of a busy CoreDNS are far less).</summary>
    public const int RetainedTextLimit = 1 << 20;

    public override LogArtifact? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("a log must be a JSON object: {\"namespace\", \"pod\", \"container\", \"text\"}");
        }

        var log = new LogArtifact();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var name = reader.GetString();
            reader.Read();
            if (Is(name, "namespace"))
            {
                log.Namespace = String(ref reader, "namespace");
            }
            else if (Is(name, "pod"))
            {
                log.Pod = String(ref reader, "pod");
            }
            else if (Is(name, "container"))
            {
                log.Container = String(ref reader, "container");
            }
            else if (Is(name, "text"))
            {
                ReadText(ref reader, log);
            }
            else
            {
                reader.Skip();
            }
        }

        return log;
    }

    public override void Write(Utf8JsonWriter writer, LogArtifact value, JsonSerializerOptions options)
    {
        var skipNulls = options.DefaultIgnoreCondition == JsonIgnoreCondition.WhenWritingNull;
        writer.WriteStartObject();
        foreach (var (name, text) in new[] { ("namespace", value.Namespace), ("pod", value.Pod), ("container", value.Container), ("text", value.Text) })
        {
            if (text is not null || !skipNulls)
            {
                writer.WriteString(options.PropertyNamingPolicy?.ConvertName(Pascal(name)) ?? Pascal(name), text);
            }
        }

        writer.WriteEndObject();
    }

    private static void ReadText(ref Utf8JsonReader reader, LogArtifact log)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            log.Text = null;
            return;
        }

        if (reader.TokenType != JsonTokenType.String)
        {
            throw WrongType("text", reader.TokenType);
        }

        // The escaped length bounds the unescaped UTF-8 length (and the UTF-16 length).
        var length = reader.HasValueSequence ? reader.ValueSequence.Length : reader.ValueSpan.Length;
        if (length <= RetainedTextLimit)
        {
            log.Text = reader.GetString();
            return;
        }

        // Unescaped as UTF-8 (half the bytes of UTF-16), then scanned on another core while the rest is read.
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

        log.Text = null;
        var characters = Encoding.UTF8.GetCharCount(bytes.AsSpan(0, written));
        log.StartScan(BackgroundLogScans.Start(bytes, written), characters);
    }

    private static string? String(ref Utf8JsonReader reader, string property) => reader.TokenType switch
    {
        JsonTokenType.String => reader.GetString(),
        JsonTokenType.Null => null,
        _ => throw WrongType(property, reader.TokenType),
    };

    /// <summary>The serializer adds the path of the log (<c>$.snapshot.logs[3]</c>); the message names the property.</summary>
    private static JsonException WrongType(string property, JsonTokenType token) => new($"'{property}' must be a string or null, not {Describe(token)}");

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.StartObject => "an object",
        _ => token.ToString().ToLowerInvariant(),
    };

    private static bool Is(string? name, string expected) => string.Equals(name, expected, StringComparison.OrdinalIgnoreCase);

    private static string Pascal(string name) => char.ToUpperInvariant(name[0]) + name[1..];
}
