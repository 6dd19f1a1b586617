using System.Text;
using System.Text.Json;
using DnsExpert.Contract;

namespace DnsExpert.Readers.Tests;

/// <summary>
/// A long pasted output's text is made a string segment by segment (not through the serializer's contiguous copy and
/// pooled buffer): the same string as <see cref="Utf8JsonReader.GetString"/> makes, wherever a 64 KiB pipe segment
/// boundary cuts the token (inside an escape, between the halves of a surrogate pair, inside a UTF-8 character), and
/// the same refusals.
/// </summary>
public sealed class LongJsonStringTests
{
    private static readonly RequestLimits Limits = new();

    private static readonly JsonSerializerOptions Options = RequestJson.CreateOptions(Limits, 64);

    private static readonly JsonSerializerOptions RawUtf8 = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private const int Segment = 64 * 1024;

    /// <summary>The pieces a boundary may cut: escapes of each kind, multi-byte UTF-8, escaped and raw surrogate pairs.</summary>
    private static readonly string[] Pieces =
    [
        "\n", "\t", "\"", "\\", "/", "\b", "\f", "\r", "\u0001", "é", "€", "日本", "😀", "\U0001F4A9x", "<script>", "'; rm -rf /", "a",
    ];

    /// <summary>
    /// The text as the serializer escapes it (non-ASCII as \u escapes), with non-ASCII left as raw UTF-8, and with every
    /// character written as a \u escape.
    /// </summary>
    private static IEnumerable<string> Encodings(string text)
    {
        yield return JsonSerializer.Serialize(text);
        yield return JsonSerializer.Serialize(text, RawUtf8);
        var builder = new StringBuilder("\"");
        foreach (var c in text)
        {
            builder.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
        }

        yield return builder.Append('"').ToString();
    }

    private static async Task<string?> ReadTextAsync(string encodedText, int padding)
    {
        // Leading spaces move the token against the pipe's 64 KiB segments.
        var body = new string(' ', padding) + """{"snapshot":{"outputs":[{"command":"nslookup a","text":""" + encodedText + "}]}}";
        await using var stream = new MemoryStream(Encoding.UTF8.GetBytes(body));
        var request = await RequestJson.ReadAsync(stream, Options, Limits, logs: null, CancellationToken.None);
        return request!.Snapshot!.Outputs![0].Text;
    }

    [Fact]
    public async Task Every_cut_of_every_piece_by_a_segment_boundary_reads_the_same_string()
    {
        var random = new Random(7);
        foreach (var piece in Pieces)
        {
            var text = new string('x', 20_000) + piece + string.Concat(Enumerable.Range(0, 300).Select(_ => Pieces[random.Next(Pieces.Length)])) + new string('y', 1_000);
            foreach (var encoded in Encodings(text))
            {
                // Where the piece starts in the body without padding: the prefix is ASCII, one byte per character.
                var prefix = """{"snapshot":{"outputs":[{"command":"nslookup a","text":""".Length + 1;
                var fillerBytes = encoded.StartsWith("\"\\u", StringComparison.Ordinal) ? 20_000 * 6 : 20_000;
                var pieceStart = prefix + fillerBytes;
                var pieceBytes = Encoding.UTF8.GetByteCount(encoded.AsSpan(1 + fillerBytes, 14));
                for (var cut = 0; cut <= pieceBytes; cut++)
                {
                    // The boundary at (a multiple of) 64 KiB falls `cut` bytes into the piece.
                    var padding = (((pieceStart / Segment) + 1) * Segment) - pieceStart - cut;
                    Assert.Equal(text, await ReadTextAsync(encoded, padding));
                }
            }
        }
    }

    [Fact]
    public async Task Random_texts_read_as_the_serializer_reads_them()
    {
        var random = new Random(11);
        for (var i = 0; i < 40; i++)
        {
            var text = string.Concat(Enumerable.Range(0, random.Next(4_000, 30_000)).Select(_ => Pieces[random.Next(Pieces.Length)]));
            foreach (var encoded in Encodings(text))
            {
                var expected = JsonSerializer.Deserialize<string>(encoded);
                Assert.Equal(expected, await ReadTextAsync(encoded, random.Next(Segment)));
            }
        }
    }

    [Theory]
    [InlineData("\\ud83d")] // a high surrogate escape at the end
    [InlineData("\\ud83dx")] // followed by a character, not a low surrogate escape
    [InlineData("\\ude00")] // a low surrogate escape alone
    [InlineData("\\ud83d\\u0041")] // followed by an escape that is no low surrogate
    public async Task An_unpaired_surrogate_escape_is_a_malformed_body_as_the_serializer_makes_it(string escape)
    {
        var encoded = "\"" + new string('x', 70_000) + escape + "\"";
        Assert.ThrowsAny<Exception>(() => JsonSerializer.Deserialize<string>(encoded));
        var error = await Assert.ThrowsAsync<JsonException>(() => ReadTextAsync(encoded, 0));
        Assert.Equal("$.snapshot.outputs[0].text", error.Path);
    }

    [Fact]
    public async Task Invalid_UTF8_in_a_long_text_is_a_malformed_body()
    {
        var head = Encoding.UTF8.GetBytes("{\"snapshot\":{\"outputs\":[{\"command\":\"nslookup a\",\"text\":\"" + new string('x', 70_000));
        byte[] body = [.. head, 0xC3, 0x28, .. Encoding.UTF8.GetBytes("\"}]}}")];
        await using var stream = new MemoryStream(body);
        var error = await Assert.ThrowsAsync<JsonException>(() => RequestJson.ReadAsync(stream, Options, Limits, logs: null, CancellationToken.None));
        Assert.Equal("$.snapshot.outputs[0].text", error.Path);
    }

    [Fact]
    public async Task A_text_of_exactly_the_limit_is_read_and_one_character_more_is_refused()
    {
        // A power of two: the pooled array is exactly the limit, so the last character decides whether it fits.
        var limits = new RequestLimits { MaxOutputCharacters = 65_536, MaxOutputsCharacters = 1_000_000 };
        var options = RequestJson.CreateOptions(limits, 64);
        async Task<string?> Read(string text)
        {
            // Escaped newlines make the token longer in bytes than the limit in characters.
            var body = """{"snapshot":{"outputs":[{"command":"nslookup a","text":""" + JsonSerializer.Serialize(text, RawUtf8) + "}]}}";
            await using var stream = new MemoryStream(Encoding.UTF8.GetBytes(body));
            return (await RequestJson.ReadAsync(stream, options, limits, logs: null, CancellationToken.None))!.Snapshot!.Outputs![0].Text;
        }

        var lines = string.Concat(Enumerable.Repeat("abc\n", 16_384));
        foreach (var exact in new[] { lines, lines[..^2] + "😀", lines[..^2] + "\n\n" })
        {
            Assert.Equal(65_536, exact.Length);
            Assert.Equal(exact, await Read(exact));
        }

        foreach (var longer in new[] { lines + "x", lines[..^1] + "😀", lines + "\n" })
        {
            var error = await Assert.ThrowsAsync<RequestLimitException>(() => Read(longer));
            Assert.Equal("snapshot.outputs", error.Field);
        }
    }
}
