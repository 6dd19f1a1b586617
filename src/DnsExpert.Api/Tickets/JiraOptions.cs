using System.ComponentModel.DataAnnotations;
using System.Net;
using DnsExpert.Api.Async;

namespace DnsExpert.Api.Tickets;

/// <summary>
/// Creating a diagnosis' Jira issue from the service (configuration section <c>DnsExpert:Jira</c>): where Jira is, the
/// project and issue type, and the credential, read from a file mounted from a Secret (never from configuration, never
/// logged). Nothing set: the feature is off and its endpoint answers 501. Anything set: all of it is checked at start.
/// </summary>
public sealed class JiraOptions : IValidatableObject
{
    public const string Section = "DnsExpert:Jira";

    /// <summary>
    /// The Jira site, an absolute https URL (<c>https://example.atlassian.net</c>, or a Data Center's base URL with its
    /// context path); plain http only for a loopback address (tests). The only host the service calls for Jira.
    /// </summary>
    public string? BaseUrl { get; set; }

    /// <summary>The key of the project issues are created in (<c>DNS</c>).</summary>
    public string? ProjectKey { get; set; }

    /// <summary>The issue type's name.</summary>
    public string IssueType { get; set; } = "Task";

    /// <summary>Jira Cloud: the account's e-mail, with <see cref="ApiTokenFile"/> (basic authentication, <c>email:token</c>).</summary>
    public string? Email { get; set; }

    /// <summary>Jira Cloud: a file holding the account's API token.</summary>
    public string? ApiTokenFile { get; set; }

    /// <summary>Jira Data Center: a file holding a personal access token, sent as a bearer token (instead of <see cref="Email"/> and <see cref="ApiTokenFile"/>).</summary>
    public string? BearerTokenFile { get; set; }

    /// <summary>How long the call to Jira may take (one attempt: creating an issue is not retried, a retry could create two).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:02:00")]
    [Display(Name = $"{Section}:{nameof(Timeout)}")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Jira is configured (its base URL is set); start-up checked the rest.</summary>
    public bool Enabled => !string.IsNullOrWhiteSpace(BaseUrl);

    /// <summary>The base URL without a trailing slash.</summary>
    public string Site => (BaseUrl ?? "").TrimEnd('/');

    /// <summary>
    /// The delivery policy of the call: the base URL's host alone allowed (its literal address too, so a loopback test
    /// server is reached), http only when the base URL is http, one attempt within <see cref="Timeout"/>, no redirects.
    /// </summary>
    public CallbackOptions Policy() => new()
    {
        AllowedHosts = Uri.TryCreate(BaseUrl, UriKind.Absolute, out var uri) ? [uri.IdnHost] : [],
        AllowHttp = uri?.Scheme == Uri.UriSchemeHttp,
        MaxAttempts = 1,
        AttemptTimeout = Timeout,
        MaxDeliveryTime = Timeout,
    };

    /// <summary>The file whose token authenticates the call.</summary>
    public string? TokenFile => BearerTokenFile is { Length: > 0 } ? BearerTokenFile : ApiTokenFile;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        var anySet = new[] { BaseUrl, ProjectKey, Email, ApiTokenFile, BearerTokenFile }.Any(v => !string.IsNullOrWhiteSpace(v));
        if (!anySet)
        {
            yield break;
        }

        if (BaseRefusal() is { } url)
        {
            yield return Failure(nameof(BaseUrl), url);
        }

        if (string.IsNullOrWhiteSpace(ProjectKey))
        {
            yield return Failure(nameof(ProjectKey), "is required with the other Jira settings (the key of the project issues are created in, such as DNS)");
        }
        else if (!IsProjectKey(ProjectKey))
        {
            yield return Failure(nameof(ProjectKey), "must be a Jira project key: an uppercase letter, then uppercase letters, digits or '_' (at most 255)");
        }

        if (string.IsNullOrWhiteSpace(IssueType) || IssueType.Length > 255 || IssueType.Any(char.IsControl))
        {
            yield return Failure(nameof(IssueType), "must be an issue type's name (such as Task or Bug) of at most 255 characters");
        }

        var basic = !string.IsNullOrWhiteSpace(Email) || !string.IsNullOrWhiteSpace(ApiTokenFile);
        var bearer = !string.IsNullOrWhiteSpace(BearerTokenFile);
        if (basic == bearer)
        {
            yield return Failure(nameof(ApiTokenFile), bearer
                ? "set either Email with ApiTokenFile (Jira Cloud) or BearerTokenFile (Data Center), not both"
                : "set Email with ApiTokenFile (Jira Cloud: an API token) or BearerTokenFile (Data Center: a personal access token)");
        }
        else if (basic && (string.IsNullOrWhiteSpace(Email) || string.IsNullOrWhiteSpace(ApiTokenFile)))
        {
            yield return Failure(string.IsNullOrWhiteSpace(Email) ? nameof(Email) : nameof(ApiTokenFile),
                "Email and ApiTokenFile go together (Jira Cloud's basic authentication is email:token)");
        }
        else if (Email is { } email && (email.Contains(':', StringComparison.Ordinal) || email.Any(char.IsControl)))
        {
            yield return Failure(nameof(Email), "must be the account's e-mail address");
        }

        foreach (var (key, file) in new[] { (nameof(ApiTokenFile), ApiTokenFile), (nameof(BearerTokenFile), BearerTokenFile) })
        {
            if (file is { Length: > 0 } && FileRefusal(file) is { } reason)
            {
                yield return Failure(key, reason);
            }
        }
    }

    /// <summary>The token, read from its file at each call (a rotated Secret is picked up without a restart).</summary>
    public string ReadToken() => File.ReadAllText(TokenFile!).Trim();

    private static string? FileRefusal(string file)
    {
        if (!File.Exists(file))
        {
            return $"the file '{file}' does not exist";
        }

        return File.ReadAllText(file).Trim() is { Length: > 0 } token && !token.Any(char.IsControl)
            ? null
            : $"the file '{file}' is empty or holds more than one line";
    }

    private string? BaseRefusal()
    {
        if (string.IsNullOrWhiteSpace(BaseUrl) || !Uri.TryCreate(BaseUrl, UriKind.Absolute, out var uri))
        {
            return "is required with the other Jira settings: the site's absolute https URL, such as https://example.atlassian.net";
        }

        if (!string.IsNullOrEmpty(uri.UserInfo) || !string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment))
        {
            return "must be the site's URL alone: no credentials, query or fragment";
        }

        var loopback = IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address);
        return uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && loopback)
            ? null
            : "must be an https URL (plain http only for a loopback address)";
    }

    private static bool IsProjectKey(string key) =>
        key.Length <= 255 && char.IsAsciiLetterUpper(key[0]) && key.All(c => char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c) || c == '_');

    private static ValidationResult Failure(string key, string message) => new($"{Section}:{key}: {message}", [key]);
}
