using System.Security.Cryptography;

namespace DnsExpert.Api.Chat;

/// <summary>
/// A Teams outgoing webhook's signature: <c>Authorization: HMAC &lt;base64&gt;</c>, the HMAC-SHA256 of the raw body keyed
/// with the webhook's security token (itself base64, decoded to bytes), compared in constant time.
/// </summary>
public sealed class TeamsSignature
{
    public const string Scheme = "HMAC";
    private readonly byte[] _key;

    /// <param name="token">The security token as Teams shows it (base64).</param>
    /// <exception cref="FormatException">The token is not base64.</exception>
    public TeamsSignature(string token) => _key = Convert.FromBase64String(token.Trim());

    /// <summary>The <c>Authorization</c> value Teams sends for <paramref name="body"/>.</summary>
    public string Sign(ReadOnlySpan<byte> body) => $"{Scheme} {Convert.ToBase64String(HMACSHA256.HashData(_key, body))}";

    /// <summary>Why <paramref name="authorization"/> is not Teams' signature of <paramref name="body"/>, or null when it is.</summary>
    public string? Refuse(string? authorization, ReadOnlySpan<byte> body)
    {
        if (string.IsNullOrEmpty(authorization) || !authorization.StartsWith(Scheme + " ", StringComparison.Ordinal))
        {
            return $"Authorization is missing or not '{Scheme} <signature>'";
        }

        Span<byte> presented = stackalloc byte[32];
        if (!Convert.TryFromBase64String(authorization[(Scheme.Length + 1)..].Trim(), presented, out var written) || written != presented.Length)
        {
            return "Authorization's signature is not a base64 HMAC-SHA256";
        }

        Span<byte> expected = stackalloc byte[32];
        HMACSHA256.HashData(_key, body, expected);
        return CryptographicOperations.FixedTimeEquals(expected, presented) ? null : "Authorization's signature does not match the body";
    }
}
