using System.Diagnostics.Metrics;
using DnsExpert.Contract;

namespace DnsExpert.Diagnosis;

/// <summary>
/// What operators watch: diagnoses by outcome, findings by rule, how collectors and probes fare, and how long rule
/// sessions take. Plain System.Diagnostics.Metrics; the host chooses the exporter (Prometheus at /metrics).
/// </summary>
public sealed class DiagnosisMetrics
{
    public const string MeterName = "dnsexpert";

    private readonly Counter<long> _diagnoses;
    private readonly Counter<long> _findings;
    private readonly Histogram<double> _collectorDuration;
    private readonly Counter<long> _collectorFailures;
    private readonly Counter<long> _probes;
    private readonly Counter<long> _ruleReloads;
    private readonly Histogram<double> _sessionDuration;

    public DiagnosisMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _diagnoses = meter.CreateCounter<long>("diagnoses", description: "Diagnoses by outcome (ok, unavailable, error).");
        _findings = meter.CreateCounter<long>("findings", description: "Findings by rule id and severity.");
        _collectorDuration = meter.CreateHistogram<double>("collector_duration_seconds", unit: "s", description: "Duration of each collector, by kind of source.");
        _collectorFailures = meter.CreateCounter<long>("collector_failures", description: "Collectors that did not return ok, by kind of source and status.");
        _probes = meter.CreateCounter<long>("probes", description: "Active probes by kind and outcome.");
        _ruleReloads = meter.CreateCounter<long>("rule_reloads", description: "Rule base reloads after rule files changed, by outcome (ok, failed: the last good base is kept).");
        _sessionDuration = meter.CreateHistogram<double>("rule_session_duration_seconds", unit: "s", description: "Time to build facts and run one rule session.");
    }

    public void RuleReload(string outcome) => _ruleReloads.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    public void Diagnosis(string outcome) => _diagnoses.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    public void Session(TimeSpan duration) => _sessionDuration.Record(duration.TotalSeconds);

    public void Record(DiagnosisResponse response, Snapshot? snapshot)
    {
        foreach (var finding in response.Findings)
        {
            _findings.Add(1, new("rule_id", finding.RuleId), new("severity", finding.Severity.ToString().ToLowerInvariant()));
        }

        foreach (var entry in response.Collection)
        {
            var kind = SourceKind(entry.Source);
            if (entry.DurationMs is { } ms)
            {
                _collectorDuration.Record(ms / 1000, new KeyValuePair<string, object?>("source", kind));
            }

            if (entry.Status is not CollectionStatus.Ok and not CollectionStatus.Skipped)
            {
                _collectorFailures.Add(1, new("source", kind), new("status", entry.Status.ToString().ToLowerInvariant()));
            }
        }

        foreach (var probe in snapshot?.Probes ?? [])
        {
            _probes.Add(1, new("kind", probe.Kind?.ToString().ToLowerInvariant() ?? "unknown"), new("outcome", probe.Outcome?.ToString().ToLowerInvariant() ?? "unknown"));
        }
    }

    /// <summary>"Pod kube-system/coredns-abc log" → "pod-log": bounded label values, no pod names.</summary>
    internal static string SourceKind(string source)
    {
        var words = source.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var kind = words.Length == 0 ? "unknown" : words[0].ToLowerInvariant();
        if (words.Length > 1 && words[^1] is "log" or "/etc/resolv.conf")
        {
            kind += words[^1] == "log" ? "-log" : "-resolv-conf";
        }
        else if (kind == "node" && words.Length > 1 && words[1] == "agent")
        {
            kind = "node-agent";
        }

        return kind.Length > 32 ? kind[..32] : kind;
    }
}
