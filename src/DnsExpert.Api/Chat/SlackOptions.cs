using System.ComponentModel.DataAnnotations;
using DnsExpert.Api.Async;

namespace DnsExpert.Api.Chat;

/// <summary>The Slack slash command <c>/dns</c> (configuration section <c>DnsExpert:Slack</c>).</summary>
public sealed class SlackOptions : IValidatableObject
{
    public const string Section = "DnsExpert:Slack";

    /// <summary>
    /// A file holding the app's signing secret (Slack: Basic Information, App Credentials), mounted from a Secret. Unset:
    /// the command endpoint answers 404. The secret is read once at start and never logged.
    /// </summary>
    [Display(Name = $"{Section}:{nameof(SigningSecretFile)}")]
    public string? SigningSecretFile { get; set; }

    /// <summary>
    /// Hosts a command's <c>response_url</c> may name for the result to be posted to (as in
    /// <see cref="CallbackOptions.AllowedHosts"/>); a configured list replaces the default <c>hooks.slack.com</c>.
    /// </summary>
    [Display(Name = $"{Section}:{nameof(AllowedHosts)}")]
    public List<string> AllowedHosts { get; set; } = [];

    /// <summary>Allow a plain <c>http://</c> response_url (tests only; Slack's are https).</summary>
    public bool AllowHttp { get; set; }

    /// <summary>How far a request's <c>X-Slack-Request-Timestamp</c> may be from now (Slack suggests five minutes): an older signed request is a replay.</summary>
    [Range(typeof(TimeSpan), "00:00:10", "00:15:00")]
    [Display(Name = $"{Section}:{nameof(ReplayWindow)}")]
    public TimeSpan ReplayWindow { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Largest command body read (Slack's form of a command with 4000 characters of text fits well within it).</summary>
    [Range(1024, 1024 * 1024)]
    [Display(Name = $"{Section}:{nameof(MaxBodyBytes)}")]
    public int MaxBodyBytes { get; set; } = 32 * 1024;

    /// <summary>The hosts in effect: <see cref="AllowedHosts"/>, or <c>hooks.slack.com</c>.</summary>
    public IReadOnlyList<string> EffectiveHosts => AllowedHosts.Count > 0 ? AllowedHosts : ["hooks.slack.com"];

    /// <summary>The delivery policy of a response_url: the callbacks' own, with Slack's hosts and scheme.</summary>
    public CallbackOptions Policy(CallbackOptions callbacks) => new()
    {
        AllowedHosts = [.. EffectiveHosts],
        AllowHttp = AllowHttp,
        AllowedCidrs = callbacks.AllowedCidrs,
        BlockedCidrs = callbacks.BlockedCidrs,
        MaxAttempts = callbacks.MaxAttempts,
        AttemptTimeout = callbacks.AttemptTimeout,
        RetryDelay = callbacks.RetryDelay,
        MaxRetryAfter = callbacks.MaxRetryAfter,
        MaxDeliveryTime = callbacks.MaxDeliveryTime,
    };

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (SigningSecretFile is { Length: > 0 } file && !File.Exists(file))
        {
            yield return new ValidationResult($"{Section}:{nameof(SigningSecretFile)}: the file '{file}' does not exist", [nameof(SigningSecretFile)]);
        }
    }
}
