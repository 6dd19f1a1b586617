using System.Diagnostics.Metrics;
using DnsExpert.Contract;
using DnsExpert.Diagnosis.Composition;
using DnsExpert.Diagnosis;
using DnsExpert.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace DnsExpert.Diagnosis.Tests;

public sealed class MetricsTests
{
    private static readonly System.Text.Json.JsonSerializerOptions WebJson = new(System.Text.Json.JsonSerializerDefaults.Web);

    [Fact]
    public async Task A_diagnosis_records_its_outcome_and_findings_by_rule()
    {
        var services = new ServiceCollection().AddDnsExpertDiagnosis(RepoPaths.Rules).BuildServiceProvider();
        var measured = new List<(string Instrument, long Value, Dictionary<string, object?> Tags)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == DiagnosisMetrics.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            measured.Add((instrument.Name, value, tags.ToArray().ToDictionary(t => t.Key, t => t.Value))));
        listener.Start();

        var service = services.GetRequiredService<IDiagnosisService>();
        var request = System.Text.Json.JsonSerializer.Deserialize<DiagnosisRequest>(
            await File.ReadAllTextAsync(Path.Combine(RepoPaths.Root, "src", "DnsExpert.Api", "Samples", "sick-cluster.json")),
            WebJson)!;
        await service.DiagnoseAsync(request, CancellationToken.None);

        Assert.Contains(measured, m => m.Instrument == "diagnoses" && Equals(m.Tags["outcome"], "ok"));
        Assert.Contains(measured, m => m.Instrument == "findings" && Equals(m.Tags["rule_id"], "pod-dnspolicy-hostnetwork"));
    }
}
