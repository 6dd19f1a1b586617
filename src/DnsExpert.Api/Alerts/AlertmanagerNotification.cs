using System.Text.Json.Serialization;

namespace DnsExpert.Api.Alerts;

/// <summary>
/// What an Alertmanager <c>webhook_config</c> POSTs: one notification per alert group (payload version 4, as the
/// Alertmanager documentation's webhook_config section gives it). Fields a later Alertmanager adds are skipped, not refused.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Skip)]
public sealed class AlertmanagerNotification
{
    /// <summary>The payload version: <c>4</c>.</summary>
    public string? Version { get; set; }

    /// <summary>The key of the alert group (its route and group labels): one diagnosis per group while it fires.</summary>
    public string? GroupKey { get; set; }

    /// <summary>How many alerts <c>max_alerts</c> left out of <see cref="Alerts"/>.</summary>
    public int? TruncatedAlerts { get; set; }

    /// <summary><c>firing</c> while any alert of the group fires, else <c>resolved</c>.</summary>
    public string? Status { get; set; }

    /// <summary>The receiver's name in the Alertmanager configuration.</summary>
    public string? Receiver { get; set; }

    /// <summary>The labels the group is grouped by.</summary>
    public Dictionary<string, string>? GroupLabels { get; set; }

    /// <summary>The labels every alert of the group has.</summary>
    public Dictionary<string, string>? CommonLabels { get; set; }

    /// <summary>The annotations every alert of the group has.</summary>
    public Dictionary<string, string>? CommonAnnotations { get; set; }

    /// <summary>The Alertmanager's own address.</summary>
    [JsonPropertyName("externalURL")]
    public string? ExternalUrl { get; set; }

    /// <summary>The group's alerts.</summary>
    public List<AlertmanagerAlert>? Alerts { get; set; }
}

/// <summary>One alert of a notification.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Skip)]
public sealed class AlertmanagerAlert
{
    /// <summary><c>firing</c> or <c>resolved</c>.</summary>
    public string? Status { get; set; }

    /// <summary>The alert's labels: <c>alertname</c>, and for CoreDNS alerts <c>namespace</c>, <c>pod</c>, <c>instance</c>, <c>dnsexpert_rule</c>.</summary>
    public Dictionary<string, string>? Labels { get; set; }

    /// <summary>The alert's annotations (<c>summary</c>, <c>description</c>, <c>runbook_url</c>).</summary>
    public Dictionary<string, string>? Annotations { get; set; }

    /// <summary>When the alert started firing.</summary>
    public DateTimeOffset? StartsAt { get; set; }

    /// <summary>When it resolved (<c>0001-01-01T00:00:00Z</c> while it fires).</summary>
    public DateTimeOffset? EndsAt { get; set; }

    /// <summary>The Prometheus expression page the alert came from.</summary>
    [JsonPropertyName("generatorURL")]
    public string? GeneratorUrl { get; set; }

    /// <summary>The alert's identity in the Alertmanager.</summary>
    public string? Fingerprint { get; set; }
}

/// <summary>What <c>POST /api/v1/alerts/alertmanager</c> did with a notification (answered with 202).</summary>
public sealed class AlertNotificationResponse
{
    /// <summary>
    /// <c>diagnosing</c> (a diagnosis was started), <c>repeat</c> (the group already has one: its id), <c>resolved</c>
    /// (recorded, not diagnosed) or <c>ignored</c> (no firing DNS alert in it).
    /// </summary>
    public required string Outcome { get; init; }

    /// <summary>The notification's group key.</summary>
    public required string GroupKey { get; init; }

    /// <summary>The names of the group's DNS alerts (firing ones for a firing group).</summary>
    public required IReadOnlyList<string> Alerts { get; init; }

    /// <summary>The names of the alerts that are not DNS alerts (not diagnosed).</summary>
    public required IReadOnlyList<string> Ignored { get; init; }

    /// <summary>The group's diagnosis, when it has one.</summary>
    public string? DiagnosisId { get; init; }

    /// <summary>Where to read the diagnosis (<c>self</c>, <c>report</c>, ...).</summary>
    public IReadOnlyDictionary<string, string>? Links { get; init; }

    /// <summary>What was done, in a sentence.</summary>
    public required string Detail { get; init; }
}
