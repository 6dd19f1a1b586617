using System.ComponentModel.DataAnnotations;

namespace DnsExpert.Api.Chat;

/// <summary>A Microsoft Teams outgoing webhook that mentions DnsExpert (configuration section <c>DnsExpert:Teams</c>).</summary>
public sealed class TeamsOptions : IValidatableObject
{
    public const string Section = "DnsExpert:Teams";

    /// <summary>
    /// A file holding the security token Teams shows once when the outgoing webhook is created (base64), mounted from a
    /// Secret. Unset: the endpoint answers 404. The token is read once at start and never logged.
    /// </summary>
    [Display(Name = $"{Section}:{nameof(OutgoingWebhookTokenFile)}")]
    public string? OutgoingWebhookTokenFile { get; set; }

    /// <summary>
    /// How long a mention waits for its diagnosis before it answers with where the result will be: Teams drops an
    /// outgoing webhook's answer after five seconds, and cannot be posted to later.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:04.5")]
    [Display(Name = $"{Section}:{nameof(AnswerWithin)}")]
    public TimeSpan AnswerWithin { get; set; } = TimeSpan.FromSeconds(4);

    /// <summary>How far a message's own <c>timestamp</c> may be from now: an older signed message is a replay (its id is refused twice within it too).</summary>
    [Range(typeof(TimeSpan), "00:00:10", "00:15:00")]
    [Display(Name = $"{Section}:{nameof(ReplayWindow)}")]
    public TimeSpan ReplayWindow { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Largest message body read (a Teams activity with a 4000-character message and its HTML attachment fits well within it).</summary>
    [Range(1024, 1024 * 1024)]
    [Display(Name = $"{Section}:{nameof(MaxBodyBytes)}")]
    public int MaxBodyBytes { get; set; } = 64 * 1024;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (OutgoingWebhookTokenFile is { Length: > 0 } file && !File.Exists(file))
        {
            yield return new ValidationResult($"{Section}:{nameof(OutgoingWebhookTokenFile)}: the file '{file}' does not exist", [nameof(OutgoingWebhookTokenFile)]);
        }
    }
}
