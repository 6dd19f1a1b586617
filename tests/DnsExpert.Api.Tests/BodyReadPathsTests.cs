using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace DnsExpert.Api.Tests;

/// <summary>
/// A body whose length is known and short is read whole and parsed in one pass (JsonBody.ReadWholeAsync); a chunked
/// body streams. The same bytes sent both ways give the same answer or the same refusal: status, detail and errors.
/// </summary>
public sealed class BodyReadPathsTests : IDisposable
{
    private readonly WebApplicationFactory<Program> _factory;
    private readonly HttpClient _client;

    public BodyReadPathsTests()
    {
        // Small limits, so that every refusal fits in a short body.
        _factory = new ApiFactory().WithWebHostBuilder(b => b
            .UseSetting("DnsExpert:MaxRequestBodyBytes", "300000")
            .UseSetting("DnsExpert:Limits:MaxObjectValues", "20000"));
        _client = _factory.CreateClient();
    }

    public void Dispose()
    {
        _client.Dispose();
        _factory.Dispose();
    }

    private static string Sample(string name) => File.ReadAllText(Path.Combine(ApiFactory.RepoRoot, "src", "DnsExpert.Api", "Samples", name + ".json"));

    public static TheoryData<string, string> Bodies()
    {
        var sick = Sample("sick-cluster").TrimEnd();
        var data = new TheoryData<string, string>
        {
            { "autopath-wrong-answers", Sample("autopath-wrong-answers") },
            { "external-upstream-nxdomain", Sample("external-upstream-nxdomain") },
            { "sick-cluster", sick },
            { "empty", "" },
            { "null", "null" },
            { "an array", "[1, 2, 3]" },
            { "a wrong type", """{"domain": 42}""" },
            { "a wrong type inside a list", """{"snapshot": {"probes": [{"latencyMs": "fast"}]}}""" },
            { "not an allowed value", """{"snapshot": {"probes": [{"kind": "carrier-pigeon"}]}}""" },
            { "an unknown property", """{"domain": "a.example.com", "bogus": 1}""" },
            { "a duplicate property", """{"domain": "a.example.com", "domain": "b.example.com"}""" },
            { "nested too deeply", """{"snapshot": {"objects": [""" + new string('[', 80) + new string(']', 80) + "]}}" },
            { "a comment", "{\"domain\": \"a.example.com\" /* c */}" },
            { "text after the body", "{\"domain\": \"a.example.com\"} x" },
            { "a lone surrogate", "{\"domain\": \"\\ud800\"}" },
            { "a raw line feed in a string", "{\"domain\": \"a\nb\"}" },
            { "too many logs", """{"snapshot": {"logs": [""" + string.Join(",", Enumerable.Repeat("{}", 501)) + "]}}" },
            { "too many JSON values", """{"snapshot": {"objects": [{"a": [""" + string.Join(",", Enumerable.Repeat("0", 20_001)) + "]}]}}" },
            { "an error message too long", "{\"symptom\": {\"errorMessage\": \"" + new string('x', 9000) + "\"}}" },
            { "too large", "{\"domain\": \"" + new string('a', 300_001) + "\"}" },
            { "a syntax error on a later line", sick[..(sick.Length / 2)] + "\n,,\n" + sick[(sick.Length / 2)..] },
        };
        foreach (var length in new[] { 1, 2, 10, sick.Length / 7, sick.Length / 3, sick.Length - 1 })
        {
            data.Add($"cut at {length}", sick[..length]);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Bodies))]
    public async Task The_same_bytes_with_a_length_or_chunked_give_the_same_answer(string name, string body)
    {
        var bytes = Encoding.UTF8.GetBytes(body);

        var known = await Answer(new ByteArrayContent(bytes));
        var chunked = await Answer(new ChunkedContent(bytes));

        Assert.Equal((name, chunked), (name, known));
    }

    [Fact]
    public async Task Random_bytes_are_refused_the_same_with_a_length_or_chunked()
    {
        var random = new Random(22);
        for (var i = 0; i < 10; i++)
        {
            var bytes = new byte[random.Next(1, 4096)];
            random.NextBytes(bytes);
            bytes[0] = (byte)'{';
            Assert.Equal((i, await Answer(new ChunkedContent(bytes))), (i, await Answer(new ByteArrayContent(bytes))));
        }
    }

    /// <summary>The status and the answer without what differs between two diagnoses of the same request (ids, times, trace).</summary>
    private async Task<string> Answer(HttpContent content)
    {
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/diagnoses") { Content = content };
        request.Headers.TransferEncodingChunked = content is ChunkedContent;
        using var response = await _client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var json = JsonNode.Parse(text)!.AsObject();
        if (json["id"]?.GetValue<string>() is { } id)
        {
            json = JsonNode.Parse(text.Replace(id, "ID", StringComparison.Ordinal))!.AsObject();
        }

        Strip(json);
        return $"{(int)response.StatusCode} {json.ToJsonString()}";
    }

    private static void Strip(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var key in obj.Select(p => p.Key).ToList())
                {
                    if (key is "traceId" or "createdAt" or "completedAt" or "startedAt" or "elapsedMs" or "durationMs" or "at" or "time")
                    {
                        obj.Remove(key);
                    }
                    else
                    {
                        Strip(obj[key]);
                    }
                }

                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    Strip(item);
                }

                break;
        }
    }

    /// <summary>A body without a Content-Length: sent chunked.</summary>
    private sealed class ChunkedContent(byte[] bytes) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => stream.WriteAsync(bytes).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
