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

    /// <summary>Optional JWT bearer tokens from an identity provider.</summary>
    public JwtOptions Jwt { get; set; } = new();

    /// <summary>Paths served without credentials (prefix match). Default: health, metrics and Swagger.</summary>
    public List<string> AnonymousPaths { get; set; } = ["/healthz", "/readyz", "/metrics", "/swagger"];

    /// <summary>Requests per minute per API key or token subject (per client address when anonymous).</summary>
    [Range(1, 1_000_000)]
    public int RequestsPerMinute { get; set; } = 120;

    /// <summary>Per-key overrides of <see cref="RequestsPerMinute"/>, by key name.</summary>
    public Dictionary<string, int> RequestsPerMinuteByKey { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Requests per minute per client address, counted before authentication (so floods of bad credentials are limited
    /// too). Behind an ingress every caller shares the ingress' address: keep this above the callers' sum there.
    /// </summary>
    [Range(1, 1_000_000)]
    public int RequestsPerMinutePerAddress { get; set; } = 600;

    /// <summary>Authentication failures are logged as one aggregated Warning per interval, not one line per request.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan FailureLogInterval { get; set; } = TimeSpan.FromMinutes(1);
}

public sealed class JwtOptions
{
    /// <summary>The issuer's URL (OpenID Connect discovery); JWT is off when neither this nor a signing key is set.</summary>
    public string? Authority { get; set; }

    public string? Audience { get; set; }

    /// <summary>The expected issuer when validating with <see cref="SigningKey"/>.</summary>
    public string? Issuer { get; set; }

    /// <summary>
    /// A symmetric HS256 key (at least 32 bytes) for tokens minted by your own gateway, instead of an authority; needs
    /// <see cref="Issuer"/> (start-up fails without it, rather than accepting any issuer).
    /// </summary>
    public string? SigningKey { get; set; }

    /// <summary>How far past its expiry (or before its start) a token is still accepted, for clocks that differ.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);

    public bool Enabled => !string.IsNullOrWhiteSpace(Authority) || !string.IsNullOrWhiteSpace(SigningKey);
}
