using System.Globalization;
using System.Net;
using System.Text;
using DnsExpert.Contract;

namespace DnsExpert.Api.Alerts;

/// <summary>
/// Reads an Alertmanager notification: checks it, picks its DNS alerts, and turns a firing group into the diagnosis
/// request it starts (the alerts' shared labels as the target, the alerts themselves as the symptom's text).
/// </summary>
public static class AlertRequests
{
    /// <summary>Alerts one notification may carry (Alertmanager sends every alert of the group unless <c>max_alerts</c> is set).</summary>
    public const int MaxAlerts = 1_000;

    /// <summary>The longest group key accepted (a route's matchers and the group labels' values).</summary>
    public const int MaxGroupKeyLength = 4_096;

    private const int MaxValueLength = 1_000;

    /// <summary>What is wrong with a notification, by JSON path (<c>alerts[2].status</c>); empty when it can be used.</summary>
    public static Dictionary<string, string[]> Validate(AlertmanagerNotification notification)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        void Add(string field, string message) => errors.TryAdd(field, [message]);

        if (notification.Version != "4")
        {
            Add("version", "must be \"4\": the payload of an Alertmanager webhook_config (Alertmanager 0.x sends version 4)");
        }

        if (notification.Status is not ("firing" or "resolved"))
        {
            Add("status", "must be firing or resolved");
        }

        if (string.IsNullOrEmpty(notification.GroupKey) || notification.GroupKey.Length > MaxGroupKeyLength)
        {
            Add("groupKey", $"is required (Alertmanager's key of the alert group), at most {MaxGroupKeyLength} characters");
        }

        if (notification.TruncatedAlerts is < 0)
        {
            Add("truncatedAlerts", "must not be negative");
        }

        if (notification.Alerts is not { Count: > 0 } alerts)
        {
            Add("alerts", "must list the group's alerts (at least one)");
            return errors;
        }

        if (alerts.Count > MaxAlerts)
        {
            Add("alerts", $"lists {alerts.Count} alerts; at most {MaxAlerts} are accepted (set max_alerts in the webhook_config)");
            return errors;
        }

        for (var i = 0; i < alerts.Count; i++)
        {
            if (alerts[i] is not { } alert)
            {
                Add($"alerts[{i}]", "must be an alert object");
                continue;
            }

            if (alert.Status is not ("firing" or "resolved"))
            {
                Add($"alerts[{i}].status", "must be firing or resolved");
            }

            if (alert.Labels is null || !alert.Labels.TryGetValue("alertname", out var name) || string.IsNullOrEmpty(name))
            {
                Add($"alerts[{i}].labels", "must have an alertname label");
            }
        }

        return errors;
    }

    /// <summary>A DNS alert: labelled <see cref="AlertOptions.RuleLabel"/>, or named in <paramref name="names"/>.</summary>
    public static bool IsDnsAlert(AlertmanagerAlert alert, IReadOnlySet<string> names) =>
        alert.Labels is { } labels
        && ((labels.TryGetValue(AlertOptions.RuleLabel, out var rule) && !string.IsNullOrWhiteSpace(rule))
            || (labels.TryGetValue("alertname", out var name) && names.Contains(name)));

    /// <summary>The alert's name (a validated notification has one).</summary>
    public static string NameOf(AlertmanagerAlert alert) => alert.Labels?.GetValueOrDefault("alertname") ?? "";

    /// <summary>
    /// The request a firing group's DNS <paramref name="alerts"/> start: live collection (when configured) scoped to the
    /// pod the alerts share (<c>namespace</c> and <c>pod</c>, or an <c>instance</c> that names a pod), and the alerts
    /// as the symptom's text, which the history keeps with the request.
    /// </summary>
    public static DiagnosisRequest Request(AlertmanagerNotification notification, IReadOnlyList<AlertmanagerAlert> alerts, int maxMessageLength) =>
        new() { Target = Target(alerts), Symptom = new Symptom { ErrorMessage = Describe(notification, alerts, maxMessageLength) } };

    /// <summary>The pod every alert names, or null when they name none, different ones, or not by a Kubernetes name.</summary>
    public static TargetRef? Target(IReadOnlyList<AlertmanagerAlert> alerts)
    {
        var ns = Shared(alerts, "namespace");
        var pod = Shared(alerts, "pod") ?? PodOfInstance(Shared(alerts, "instance"));
        return ns is not null && pod is not null && RequestValidator.IsDnsLabel(ns) && RequestValidator.IsDnsSubdomain(pod)
            ? new TargetRef { Namespace = ns, Pod = pod }
            : null;
    }

    /// <summary>The alerts as text: name, rule, since when, summary, description and labels, cut at <paramref name="maxLength"/>.</summary>
    public static string Describe(AlertmanagerNotification notification, IReadOnlyList<AlertmanagerAlert> alerts, int maxLength)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"Alertmanager notification ({Clean(notification.Receiver ?? "receiver")}): {alerts.Count} firing DNS alert(s)");
        if (notification.TruncatedAlerts is > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $", {notification.TruncatedAlerts} more left out by max_alerts");
        }

        text.Append('\n');
        foreach (var alert in alerts)
        {
            var labels = alert.Labels ?? [];
            text.Append(CultureInfo.InvariantCulture, $"alert {Clean(NameOf(alert))}");
            if (labels.TryGetValue(AlertOptions.RuleLabel, out var rule))
            {
                text.Append(CultureInfo.InvariantCulture, $" (dnsexpert_rule {Clean(rule)})");
            }

            if (alert.StartsAt is { } since)
            {
                text.Append(CultureInfo.InvariantCulture, $" firing since {since.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}");
            }

            text.Append('\n');
            foreach (var key in new[] { "summary", "description" })
            {
                if (alert.Annotations?.GetValueOrDefault(key) is { Length: > 0 } value)
                {
                    text.Append(CultureInfo.InvariantCulture, $"{key}: {Clean(value)}\n");
                }
            }

            text.Append("labels: ").AppendJoin(", ", labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{Clean(l.Key)}={Clean(l.Value)}")).Append('\n');
            if (text.Length >= maxLength)
            {
                break;
            }
        }

        return text.Length <= maxLength ? text.ToString().TrimEnd('\n') : text.ToString(0, maxLength - 1) + "…";
    }

    /// <summary>The value of <paramref name="label"/> when every alert has the same one.</summary>
    private static string? Shared(IReadOnlyList<AlertmanagerAlert> alerts, string label)
    {
        string? shared = null;
        foreach (var alert in alerts)
        {
            if (alert.Labels?.GetValueOrDefault(label) is not { Length: > 0 } value || (shared is not null && shared != value))
            {
                return null;
            }

            shared = value;
        }

        return shared;
    }

    /// <summary>The pod an <c>instance</c> label names (<c>coredns-5d78c9869d-abcde:9153</c>); null for an address.</summary>
    private static string? PodOfInstance(string? instance)
    {
        if (instance is null)
        {
            return null;
        }

        var colon = instance.LastIndexOf(':');
        var host = colon > 0 && instance[(colon + 1)..].All(char.IsAsciiDigit) ? instance[..colon] : instance;
        return IPAddress.TryParse(host.Trim('[', ']'), out _) || !RequestValidator.IsDnsSubdomain(host) || !host.Any(char.IsAsciiLetter) ? null : host;
    }

    /// <summary>Caller text on one line, at most <see cref="MaxValueLength"/> characters.</summary>
    private static string Clean(string value)
    {
        var line = new string([.. value.Take(MaxValueLength).Select(c => char.IsControl(c) ? ' ' : c)]);
        return value.Length > MaxValueLength ? line + "…" : line;
    }
}
