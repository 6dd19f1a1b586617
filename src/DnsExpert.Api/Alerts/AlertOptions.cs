using System.ComponentModel.DataAnnotations;

namespace DnsExpert.Api.Alerts;

/// <summary>Which Alertmanager alerts start a diagnosis (configuration section <c>DnsExpert:Alerts</c>).</summary>
public sealed class AlertOptions : IValidatableObject
{
    public const string Section = "DnsExpert:Alerts";

    /// <summary>
    /// The alerts of <c>deploy/prometheus</c> (each also carries <c>dnsexpert_rule</c>) and the kube-prometheus mixin's
    /// CoreDNS alerts.
    /// </summary>
    public static readonly IReadOnlyList<string> DefaultNames =
    [
        "CoreDNSServfailRateHigh", "CoreDNSLatencyHigh", "CoreDNSForwardHealthcheckFailing", "CoreDNSForwardErrorsHigh",
        "CoreDNSPanicking", "CoreDNSReloadFailed", "CoreDNSForwardMaxConcurrentRejects", "NodeLocalDNSSetupFailing",
        "CoreDNSDown", "CoreDNSCPUThrottled",
        "CoreDNSErrorsHigh", "CoreDNSForwardLatencyHigh", "CoreDNSForwardHealthcheckFailureCount",
    ];

    /// <summary>The label that marks an alert as a DNS alert whatever its name (its value: the DnsExpert rule id).</summary>
    public const string RuleLabel = "dnsexpert_rule";

    /// <summary>
    /// Alert names that start a diagnosis besides those labelled <see cref="RuleLabel"/>; empty for
    /// <see cref="DefaultNames"/>. A configured list replaces the default one (configuration binding would otherwise
    /// append to it).
    /// </summary>
    [Display(Name = $"{Section}:{nameof(Names)}")]
    public List<string> Names { get; set; } = [];

    /// <summary>
    /// How long a group's diagnosis answers for the group after its last notification: a repeat notification within it
    /// (Alertmanager's <c>repeat_interval</c>, 4 h by default) returns the same diagnosis; a resolved one ends it sooner.
    /// </summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00")]
    [Display(Name = $"{Section}:{nameof(GroupLifetime)}")]
    public TimeSpan GroupLifetime { get; set; } = TimeSpan.FromHours(12);

    /// <summary>
    /// Where each alert group's diagnosis is delivered when it ends, as a request's <c>callbackUrl</c> is (the same
    /// allow-list, <c>DnsExpert:Callbacks</c>, and retries): a chat bot's or a ticketing system's webhook. Unset: the
    /// diagnosis is kept in the history and linked from the answer to Alertmanager only.
    /// </summary>
    [Display(Name = $"{Section}:{nameof(CallbackUrl)}")]
    public string? CallbackUrl { get; set; }

    public const string JsonFormat = "json";
    public const string SlackFormat = "slack";
    public const string TeamsFormat = "teams";

    /// <summary>
    /// What <see cref="CallbackUrl"/> receives: <c>json</c> (the diagnosis as <c>GET /api/v1/diagnoses/{id}</c> answers
    /// it), <c>slack</c> (a Block Kit message, for a Slack incoming webhook) or <c>teams</c> (an Adaptive Card message, for
    /// a Teams Workflows webhook).
    /// </summary>
    [Display(Name = $"{Section}:{nameof(CallbackFormat)}")]
    public string CallbackFormat { get; set; } = JsonFormat;

    /// <summary>The alert names in effect.</summary>
    public IReadOnlySet<string> EffectiveNames => (Names.Count > 0 ? Names : DefaultNames).ToHashSet(StringComparer.Ordinal);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (CallbackFormat is not (JsonFormat or SlackFormat or TeamsFormat))
        {
            yield return new ValidationResult($"{Section}:{nameof(CallbackFormat)} must be json, slack or teams", [nameof(CallbackFormat)]);
        }

        for (var i = 0; i < Names.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(Names[i]) || Names[i].Length > 200 || Names[i].Any(char.IsControl))
            {
                yield return new ValidationResult($"{Section}:{nameof(Names)}:{i} must be an alert name (1-200 characters, no control characters)", [nameof(Names)]);
            }
        }
    }
}
