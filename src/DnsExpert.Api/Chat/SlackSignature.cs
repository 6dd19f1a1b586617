using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace DnsExpert.Api.Chat;

/// <summary>
/// Slack's request signature (version <c>v0</c>): <c>X-Slack-Signature: v0=HEX</c>, the HMAC-SHA256 with the app's
/// signing secret of <c>v0:</c> + <c>X-Slack-Request-Timestamp</c> + <c>:</c> + the raw body; a request whose
/// timestamp is further from now than the replay window is refused whatever its signature.
/// </summary>
public sealed class SlackSignature(byte[] secret)
{
    public const string SignatureHeader = "X-Slack-Signature";
    public const string TimestampHeader = "X-Slack-Request-Timestamp";

    /// <summary>The signature Slack sends for <paramref name="body"/> sent at <paramref name="timestamp"/>.</summary>
    public string Sign(string timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.ASCII.GetBytes($"v0:{timestamp}:");
        var signed = new byte[prefix.Length + body.Length];
        prefix.CopyTo(signed, 0);
        body.CopyTo(signed.AsSpan(prefix.Length));
        return "v0=" + Convert.ToHexStringLower(HMACSHA256.HashData(secret, signed));
    }

    /// <summary>Why the request is not Slack's (missing or stale timestamp, wrong signature), or null when it is.</summary>
    public string? Refuse(string? timestamp, string? signature, ReadOnlySpan<byte> body, DateTimeOffset now, TimeSpan window)
    {
        if (string.IsNullOrEmpty(timestamp) || timestamp.Length > 12
            || !long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            return $"{TimestampHeader} is missing or not a Unix time";
        }

        if (Math.Abs(now.ToUnixTimeSeconds() - seconds) > window.TotalSeconds)
        {
            return $"{TimestampHeader} is more than {window.TotalMinutes:0.#} minutes from now (a replay, or the clock is off)";
        }

        if (string.IsNullOrEmpty(signature))
        {
            return $"{SignatureHeader} is missing";
        }

        var expected = Encoding.ASCII.GetBytes(Sign(timestamp, body));
        var presented = Encoding.ASCII.GetBytes(signature);
        return CryptographicOperations.FixedTimeEquals(expected, presented) ? null : $"{SignatureHeader} does not match the body";
    }
}
