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

    [Theory]
    [InlineData("""{"symptom": {"message": "curl: (6) Could not resolve host: shop"}}""", "symptom.message", "unknown property")]
    [InlineData("""{"target": {"namespace": "default", "pod": "web-0", "container": "app"}}""", "target.container", "unknown property")]
    [InlineData("""{"snapshot": {"logs": [{"pod": "coredns-1", "txt": "x"}]}}""", "snapshot.logs[0].txt", "unknown property")]
    [InlineData("""{"symptom": {"frequency": 12345}}""", "symptom.frequency", "not an allowed value")]
    [InlineData("""{"snapshot": {"probes": [{"kind": 0, "outcome": "timeout"}]}}""", "snapshot.probes[0].kind", "not an allowed value")]
    [InlineData("""{"domain": "a.example.com", "domain": "b.example.com"}""", "domain", "duplicate")]
    [InlineData("""{"symptom": {"frequency": "always", "frequency": "rarely"}}""", "symptom.frequency", "duplicate")]
    public async Task Envelope_fields_are_strict_and_the_problem_names_the_field(string body, string field, string message)
    {
        var problem = await AssertProblem(await Post(body), HttpStatusCode.BadRequest);

        var errors = problem.GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out var messages), $"errors should name {field}: {errors}");
        Assert.Contains(message, messages[0].GetString()!, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("DnsExpert.Contract", problem.GetProperty("detail").GetString()!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Kubernetes_objects_inside_the_snapshot_stay_tolerant_of_fields_this_version_does_not_know()
    {
        var body = """
            {"snapshot": {"objects": [{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web-0", "namespace": "default", "futureField": 1},
              "spec": {"dnsPolicy": "ClusterFirst", "brandNewSpecField": {"x": [1, 2]}}}]}}
            """;

        Assert.Equal(HttpStatusCode.OK, (await Post(body)).StatusCode);
    }

    [Fact]
    public async Task A_body_without_content_type_is_a_415()
    {
        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes(Sample("autopath-wrong-answers")));
        Assert.Null(content.Headers.ContentType);

        var problem = await AssertProblem(await _client.PostAsync("/api/v1/diagnoses", content), HttpStatusCode.UnsupportedMediaType);

        Assert.Contains("Content-Type", problem.GetProperty("detail").GetString()!, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/api/v1/diagnoses?limit=99999999999", "limit")]
    [InlineData("/api/v1/diagnoses?limit=ten", "limit")]
    public async Task A_query_parameter_that_does_not_bind_is_a_problem_naming_it(string url, string parameter)
    {
        var problem = await AssertProblem(await _client.GetAsync(url), HttpStatusCode.BadRequest);

        Assert.True(problem.GetProperty("errors").TryGetProperty(parameter, out _), problem.ToString());
    }

    [Theory]
    [InlineData("objects", "{}", 20_000)]
    [InlineData("probes", """{"kind":"dns","outcome":"timeout"}""", 5_000)]
    [InlineData("files", """{"node":"n","path":"/etc/resolv.conf","text":""}""", 2_000)]
    [InlineData("logs", """{"pod":"coredns-1","text":""}""", 500)]
    public async Task A_list_past_its_limit_is_a_422_naming_it(string list, string item, int limit)
    {
        var body = "{\"snapshot\":{\"" + list + "\":[" + string.Join(',', Enumerable.Repeat(item, limit + 1)) + "]}}";

        var problem = await AssertProblem(await Post(body), HttpStatusCode.UnprocessableEntity);

        var messages = problem.GetProperty("errors").GetProperty("snapshot." + list);
        Assert.Contains($"at most {limit}", messages[0].GetString()!, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await Post("{\"snapshot\":{\"" + list + "\":[" + string.Join(',', Enumerable.Repeat(item, Math.Min(limit, 50))) + "]}}")).StatusCode);
    }

    [Fact]
    public async Task Kubernetes_objects_past_the_value_budget_are_a_422_whatever_their_shape()
    {
        // One object of five million zeros: under the object count, over the values its index may hold.
        var body = "{\"snapshot\":{\"objects\":[{\"kind\":\"Pod\",\"x\":[" + string.Join(',', Enumerable.Repeat('0', 5_000_000)) + "]}]}}";

        var problem = await AssertProblem(await Post(body), HttpStatusCode.UnprocessableEntity);

        Assert.Contains("JSON values", problem.GetProperty("errors").GetProperty("snapshot.objects")[0].GetString()!, StringComparison.Ordinal);
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
