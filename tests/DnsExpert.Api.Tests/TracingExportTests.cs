using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;

namespace DnsExpert.Api.Tests;

/// <summary>With an OTLP endpoint configured, a diagnosis's spans reach a real OTLP/HTTP receiver on 127.0.0.1.</summary>
public sealed class TracingExportTests : IAsyncLifetime
{
    private readonly ConcurrentQueue<byte[]> _batches = new();
    private WebApplication _collector = null!;
    private WebApplicationFactory<Program> _factory = null!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _collector = builder.Build();
        _collector.MapPost("/{**path}", async (HttpRequest request) =>
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            _batches.Enqueue(body.ToArray());
            return Results.Ok();
        });
        await _collector.StartAsync();

        _factory = new ApiFactory().WithWebHostBuilder(b => b
            .UseSetting("OTEL_EXPORTER_OTLP_ENDPOINT", _collector.Urls.First() + "/v1/traces")
            .UseSetting("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf")
            .UseSetting("OTEL_BSP_SCHEDULE_DELAY", "100"));
    }

    public async Task DisposeAsync()
    {
        await _factory.DisposeAsync();
        await _collector.DisposeAsync();
    }

    [Fact]
    public async Task The_diagnosis_and_rule_session_spans_are_exported()
    {
        using var client = _factory.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/api/v1/samples/sick-cluster/diagnose", null)).StatusCode);

        string exported = "";
        // The request span ends after the diagnosis spans, so it may come in a later batch: wait for all of them.
        for (var i = 0; i < 100 && !(exported.Contains("dnsexpert.diagnosis.id", StringComparison.Ordinal) && exported.Contains("/api/v1/samples/{name}/diagnose", StringComparison.Ordinal)); i++)
        {
            await Task.Delay(100);
            exported = string.Concat(_batches.Select(b => Encoding.UTF8.GetString(b)));
        }

        Assert.Contains("dnsexpert", exported, StringComparison.Ordinal);                  // service.name
        Assert.Contains("diagnose", exported, StringComparison.Ordinal);
        Assert.Contains("dnsexpert.diagnosis.id", exported, StringComparison.Ordinal);
        Assert.Contains("/api/v1/samples/{name}/diagnose", exported, StringComparison.Ordinal); // the request span's route
    }
}
