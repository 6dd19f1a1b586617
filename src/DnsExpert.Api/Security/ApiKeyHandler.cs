using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace DnsExpert.Api.Security;

/// <summary>
/// Authenticates <c>X-API-Key: KEY</c>, <c>Authorization: ApiKey KEY</c> or <c>Authorization: Bearer KEY</c> (what
/// Alertmanager's and most webhook senders' <c>authorization</c> sends by default; a bearer token that is a JWT goes
/// to the JWT scheme when it is configured) against the hashed key store. The key never reaches a log: only the key's
/// name does.
/// </summary>
public sealed class ApiKeyHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ApiKeyStore keys)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string Header = "X-API-Key";
    private const string BearerPrefix = "Bearer ";

    /// <summary>Whether a bearer token has a JWT's form (three base64url parts): only those go to the JWT scheme.</summary>
    public static bool LooksLikeJwt(string authorization) =>
        authorization.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase) && authorization.AsSpan(BearerPrefix.Length).Trim().Count('.') == 2;

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? presented = null;
        if (Request.Headers.TryGetValue(Header, out var header))
        {
            presented = header.ToString();
        }
        else if (Request.Headers.Authorization.ToString() is { } authorization && authorization.StartsWith(SchemeName + " ", StringComparison.OrdinalIgnoreCase))
        {
            presented = authorization[(SchemeName.Length + 1)..].Trim();
        }
        else if (Request.Headers.Authorization.ToString() is { } bearer && bearer.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase))
        {
            presented = bearer[BearerPrefix.Length..].Trim();
        }

        if (presented is null)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var name = keys.Find(presented);
        if (name is null)
        {
            return Task.FromResult(AuthenticateResult.Fail("the API key is not valid"));
        }

        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, name), new Claim("dnsexpert:key", name)], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }
}
