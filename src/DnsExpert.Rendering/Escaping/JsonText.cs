using System.Text.Json;
using System.Text.Json.Serialization;
using DnsExpert.Text;

namespace DnsExpert.Rendering.Escaping;

/// <summary>
/// Cluster and request text made safe for a JSON response: System.Text.Json escapes what JSON needs, but a client
/// that prints a string (a terminal, a chat bot) would still get ESC, BEL or a bidi override from pasted output. Every
/// string a response writes loses its control and bidi characters (<see cref="DisplayText.Block"/>: line feeds and tabs
/// stay); reading is unchanged.
/// </summary>
public static class JsonText
{
    /// <summary><paramref name="options"/> with every string written through <see cref="DisplayText.Block"/>.</summary>
    public static JsonSerializerOptions ForResponses(JsonSerializerOptions options)
    {
        options.Converters.Add(new CleanStrings());
        return options;
    }

    private sealed class CleanStrings : JsonConverter<string>
    {
        public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.GetString();

        public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(DisplayText.Block(value));

        // Dictionary keys are strings too (a ProblemDetails' errors name the field, which may echo a hostile value).
        public override string ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.GetString()!;

        public override void WriteAsPropertyName(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WritePropertyName(DisplayText.Line(value));
    }
}
