using System.Diagnostics;

namespace DnsExpert.Text.Telemetry;

/// <summary>
/// The one <see cref="ActivitySource"/> of DnsExpert: spans for a diagnosis, each collector, each probe, the agents and
/// the rule session. The service exports them with OpenTelemetry when an OTLP endpoint is configured.
/// </summary>
public static class Tracing
{
    public const string SourceName = "DnsExpert";

    public static readonly ActivitySource Source = new(SourceName, typeof(Tracing).Assembly.GetName().Version?.ToString());

    /// <summary>Marks the span failed with a short reason (never request bodies or credentials).</summary>
    public static void Fail(this Activity? activity, string reason) => activity?.SetStatus(ActivityStatusCode.Error, reason.Length > 200 ? reason[..200] : reason);
}
