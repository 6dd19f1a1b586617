using System.ComponentModel.DataAnnotations;

namespace DnsExpert.Api.Security;

/// <summary>Who may call the API (configuration section <c>DnsExpert:Auth</c>).</summary>
public sealed class AuthOptions
{
    public const string Section = "DnsExpert:Auth";

    /// <summary>Require an API key or a JWT bearer token on the API (off for a local run; the manifests turn it on).</summary>
    public bool Enabled { get; set; }

    /// <summary>
    /// A file of API keys, one per line as <c>NAME:SHA256-HEX</c> of the key (<c>#</c> comments allowed): mount it from a
    /// Secret. Only hashes are stored; <c>dnsexpert apikey new NAME</c> makes a key and its line.
    /// </summary>
    public string? ApiKeysFile { get; set; }

    /// <summary>Keys given in configuration, as <c>NAME:SHA256-HEX</c> (same format as the file).</summary>
    public List<string> ApiKeys { get; set; } = [];

    /// <summary>
    /// The role and namespaces of each API key, by key name (<c>DnsExpert:Auth:Scopes:team-shop:Role</c> = <c>diagnose</c>,
    /// <c>...:Namespaces:0</c> = <c>shop</c>). A key without an entry gets <see cref="DefaultRole"/> over every namespace.
    /// JWT callers carry theirs in the token's <c>dnsexpert_role</c> and <c>dnsexpert_namespaces</c> claims.
    /// </summary>
    public Dictionary<string, ScopeOptions> Scopes { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The role of a key or token that names none: <c>read</c>, <c>diagnose</c> or <c>admin</c>.</summary>
    [RegularExpression("^(read|diagnose|admin)$")]
    [Display(Name = $"{Section}:{nameof(DefaultRole)}")]
    public string DefaultRole { get; set; } = "diagnose";

    /// <summary>Optional JWT bearer tokens from an identity provider.</summary>
    public JwtOptions Jwt { get; set; } = new();

    /// <summary>Paths served without credentials (prefix match). Default: health, metrics and Swagger.</summary>
    public List<string> AnonymousPaths { get; set; } = ["/healthz", "/readyz", "/metrics", "/swagger"];

    /// <summary>Requests per minute per API key or token subject (per client address when anonymous).</summary>
    [Range(1, 1_000_000)]
    [Display(Name = $"{Section}:{nameof(RequestsPerMinute)}")]
    public int RequestsPerMinute { get; set; } = 120;

    /// <summary>Per-key overrides of <see cref="RequestsPerMinute"/>, by key name.</summary>
    public Dictionary<string, int> RequestsPerMinuteByKey { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Evidence for an earlier diagnosis diagnoses its stored request again: it costs one more request of the caller's
    /// rate limit per this many bytes of the stored request (or per <see cref="EvidenceTimePerPermit"/>, whichever is more).
    /// </summary>
    [Range(1024, 1L << 32)]
    [Display(Name = $"{Section}:{nameof(EvidenceBytesPerPermit)}")]
    public long EvidenceBytesPerPermit { get; set; } = 1024 * 1024;

    /// <summary>
    /// Evidence costs one more request of the caller's rate limit per this much time the stored request's last diagnosis
    /// took (or per <see cref="EvidenceBytesPerPermit"/>, whichever is more).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "01:00:00")]
    [Display(Name = $"{Section}:{nameof(EvidenceTimePerPermit)}")]
    public TimeSpan EvidenceTimePerPermit { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Requests per minute per client address, counted before authentication (so floods of bad credentials are limited
    /// too). Behind an ingress every caller shares the ingress' address: keep this above the callers' sum there.
    /// </summary>
    [Range(1, 1_000_000)]
    [Display(Name = $"{Section}:{nameof(RequestsPerMinutePerAddress)}")]
    public int RequestsPerMinutePerAddress { get; set; } = 600;

    /// <summary>Authentication failures are logged as one aggregated Warning per interval, not one line per request.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    [Display(Name = $"{Section}:{nameof(FailureLogInterval)}")]
    public TimeSpan FailureLogInterval { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>One key's scope: its role and the namespaces whose diagnoses it may create and read (empty: every namespace).</summary>
public sealed class ScopeOptions
{
    /// <summary><c>read</c>, <c>diagnose</c> or <c>admin</c>.</summary>
    [RegularExpression("^(read|diagnose|admin)$")]
    public string Role { get; set; } = "diagnose";

    public List<string> Namespaces { get; set; } = [];
}
