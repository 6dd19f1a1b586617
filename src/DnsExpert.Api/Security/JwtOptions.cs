namespace DnsExpert.Api.Security;

/// <summary>JWT bearer tokens (configuration section <c>DnsExpert:Auth:Jwt</c>).</summary>
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
