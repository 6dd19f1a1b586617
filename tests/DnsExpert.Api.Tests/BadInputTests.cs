using System.Net;
using System.Text;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging;

namespace DnsExpert.Api.Tests;

/// <summary>
/// Hostile and broken requests: each is a 4xx ProblemDetails, never a 500; nothing from them reaches a log line
/// unescaped; the service answers normally afterwards.
/// </summary>
public sealed class BadInputTests : IDisposable
{
    private readonly CapturingLoggerProvider _logs = new();
    private readonly WebApplicationFactory<Program> _factory;
    private readonly HttpClient _client;

    public BadInputTests()
    {
        _factory = new ApiFactory().WithWebHostBuilder(b => b
            .UseSetting("Logging:LogLevel:Default", "Debug")
            .ConfigureLogging(l => l.AddProvider(_logs)));
        _client = _factory.CreateClient();
    }

    public void Dispose()
    {
        _client.Dispose();
        _factory.Dispose();
    }

    private static string Sample(string name) => File.ReadAllText(Path.Combine(ApiFactory.RepoRoot, "src", "DnsExpert.Api", "Samples", name + ".json"));

    private async Task<HttpResponseMessage> Post(string body) =>
        await _client.PostAsync("/api/v1/diagnoses", new StringContent(body, Encoding.UTF8, "application/json"));

    private static async Task<System.Text.Json.JsonElement> AssertProblem(HttpResponseMessage response, params HttpStatusCode[] allowed)
    {
        Assert.Contains(response.StatusCode, allowed);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Json();
        Assert.Equal((int)response.StatusCode, problem.GetProperty("status").GetInt32());
        return problem;
    }

    private async Task AssertStillServing()
    {
        Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync("/healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Post(Sample("autopath-wrong-answers"))).StatusCode);
    }

    [Fact]
    public async Task Every_truncation_of_a_valid_request_is_a_400()
    {
        var body = Sample("sick-cluster").TrimEnd();
        foreach (var length in new[] { 1, 2, 10, body.Length / 7, body.Length / 3, body.Length / 2, body.Length - 2, body.Length - 1 })
        {
            await AssertProblem(await Post(body[..length]), HttpStatusCode.BadRequest);
        }

        await AssertStillServing();
    }

    [Theory]
    [InlineData("""{"target": "web-0"}""")]
    [InlineData("""{"domain": 42}""")]
    [InlineData("""{"snapshot": {"logs": "text"}}""")]
    [InlineData("""{"snapshot": {"probes": [{"latencyMs": "fast"}]}}""")]
    [InlineData("""[1, 2, 3]""")]
    [InlineData("null")]
    [InlineData("\"just a string\"")]
    [InlineData("{\"domain\": \"\\ud800\"}")]
    public async Task Wrong_types_are_4xx(string body)
    {
        await AssertProblem(await Post(body), HttpStatusCode.BadRequest, HttpStatusCode.UnprocessableEntity);
        await AssertStillServing();
    }

    [Fact]
    public async Task Random_bytes_are_a_400()
    {
        var random = new Random(8);
        for (var i = 0; i < 20; i++)
        {
            var bytes = new byte[random.Next(1, 4096)];
            random.NextBytes(bytes);
            using var content = new ByteArrayContent(bytes);
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            await AssertProblem(await _client.PostAsync("/api/v1/diagnoses", content), HttpStatusCode.BadRequest);
        }

        await AssertStillServing();
    }

    [Fact]
    public async Task A_100_MB_body_is_a_413_without_reading_it_all()
    {
        using var content = new StreamContent(new RepeatingStream((byte)' ', 100L * 1024 * 1024));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        content.Headers.ContentLength = 100L * 1024 * 1024;

        var response = await _client.PostAsync("/api/v1/diagnoses", content);

        await AssertProblem(response, HttpStatusCode.RequestEntityTooLarge);
        await AssertStillServing();
    }

    [Theory]
    [InlineData("domain", "a")]
    [InlineData("errorMessage", "x")]
    public async Task Huge_strings_are_422s(string field, string unit)
    {
        var huge = string.Concat(Enumerable.Repeat(unit, 1_000_000));
        var body = field == "domain"
            ? "{\"domain\": \"" + huge + "\", \"snapshot\": {}}"
            : "{\"symptom\": {\"errorMessage\": \"" + huge + "\"}, \"snapshot\": {}}";

        await AssertProblem(await Post(body), HttpStatusCode.UnprocessableEntity);
        await AssertStillServing();
    }

    [Theory]
    [InlineData("web-0\r\nX-Injected: yes")]
    [InlineData("web-0\n2026-11-25 fake log line")]
    [InlineData("$(reboot)")]
    [InlineData("`id`")]
    [InlineData("web;rm -rf /")]
    [InlineData("web|nc evil 1")]
    [InlineData("../../etc/passwd")]
    [InlineData("WEB-0")]
    public async Task Names_with_shell_metacharacters_or_line_breaks_are_422s_and_never_logged_raw(string pod)
    {
        var body = System.Text.Json.JsonSerializer.Serialize(new { target = new { @namespace = "default", pod }, snapshot = new { } });

        var problem = await AssertProblem(await Post(body), HttpStatusCode.UnprocessableEntity);
        Assert.True(problem.GetProperty("errors").TryGetProperty("target.pod", out _));
        Assert.DoesNotContain(_logs.Lines, l => l.Contains(pod, StringComparison.Ordinal) && pod.Contains('\n', StringComparison.Ordinal));
        Assert.DoesNotContain(_logs.Lines, l => l.Contains("X-Injected", StringComparison.Ordinal) || l.Contains("fake log line", StringComparison.Ordinal));

        var samples = await AssertProblem(await _client.PostAsync($"/api/v1/samples/{Uri.EscapeDataString(pod)}/diagnose", null), HttpStatusCode.NotFound);
        Assert.DoesNotContain('\n', samples.GetProperty("detail").GetString()!);
        await AssertStillServing();
    }

    /// <summary>A long stream of one byte, produced on demand.</summary>
    private sealed class RepeatingStream(byte value, long length) : Stream
    {
        private long _position;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => length;
        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = (int)Math.Min(count, length - _position);
            buffer.AsSpan(offset, n).Fill(value);
            _position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
