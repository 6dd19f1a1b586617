using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using DnsExpert.Diagnosis;
using Prometheus;

namespace DnsExpert.Api.Hosting;

/// <summary>
/// Publishes the <c>dnsexpert</c> meter as Prometheus counters (<c>dnsexpert_diagnoses_total</c> ...) and
/// histograms at /metrics. Started with the host, so no measurement made before the first scrape is lost. Every other
/// meter goes through prometheus-net's own adapter (<c>Metrics.ConfigureMeterAdapter</c> in <see cref="DnsExpert.Api.DnsExpertHost"/>);
/// this one does not, because the adapter publishes a <c>Counter&lt;T&gt;</c> as a gauge without <c>_total</c>
/// (prometheus-net 8.2, MeterAdapter.OnMeasurementRecorded), which would rename the documented families and turn
/// their type from counter to gauge under every query built on the names the README documents.
/// </summary>
public sealed class PrometheusBridge : IHostedService, IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<Instrument, Collector> _collectors = new();

    public PrometheusBridge()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == DiagnosisMetrics.MeterName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _listener.Start();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => _listener.Dispose();

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var names = new string[tags.Length];
        var values = new string[tags.Length];
        for (var i = 0; i < tags.Length; i++)
        {
            names[i] = tags[i].Key;
            values[i] = tags[i].Value?.ToString() ?? "";
        }

        var collector = _collectors.GetOrAdd(instrument, i => Create(i, names));
        switch (collector)
        {
            case Counter counter:
                counter.WithLabels(values).Inc(value);
                break;
            case Histogram histogram:
                histogram.WithLabels(values).Observe(value);
                break;
        }
    }

    private static Collector Create(Instrument instrument, string[] labelNames)
    {
        var name = $"{DiagnosisMetrics.MeterName}_{instrument.Name}";
        var help = instrument.Description ?? instrument.Name;
        return instrument is Histogram<double>
            ? Metrics.CreateHistogram(name, help, new HistogramConfiguration { LabelNames = labelNames, Buckets = Histogram.ExponentialBuckets(0.001, 2, 16) })
            : Metrics.CreateCounter(name + "_total", help, labelNames);
    }
}
