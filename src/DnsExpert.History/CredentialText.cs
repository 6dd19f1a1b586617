using System.Text;
using System.Text.RegularExpressions;

namespace DnsExpert.History;

/// <summary>
/// Masks what looks like a credential in free text before the history keeps it: PEM private keys, JWTs, bearer
/// tokens, <c>Authorization:</c> values, passwords in URLs and <c>password=</c>/<c>token:</c>-style assignments.
/// Only the value goes; the name, the line and the line count stay, so that what the rules read of the rest (a log
/// line's number, a dig answer) is unchanged. Linear in the text: one hand scan and non-backtracking patterns.
/// </summary>
public static partial class CredentialText
{
    private const string PemBegin = "-----BEGIN ";
    private const string PemKeyEnd = "PRIVATE KEY-----";

    /// <summary>The text with every credential-looking value replaced by <see cref="StoredRequest.Redacted"/>, and how many were.</summary>
    public static (string Text, int Masked) Mask(string text)
    {
        var masked = 0;
        text = MaskPrivateKeys(text, ref masked);
        foreach (var pattern in new[] { Jwt(), Bearer(), Authorization(), UrlPassword(), Assignment() })
        {
            text = pattern.Replace(text, match =>
            {
                var value = match.Groups["value"];
                if (value.Value == StoredRequest.Redacted)
                {
                    return match.Value;
                }

                masked++;
                return string.Concat(match.ValueSpan[..(value.Index - match.Index)], StoredRequest.Redacted, match.ValueSpan[(value.Index - match.Index + value.Length)..]);
            });
        }

        return (text, masked);
    }

    /// <summary>The body of each <c>-----BEGIN ... PRIVATE KEY-----</c> block (to its END line, or to the end of a cut paste), keeping its line breaks.</summary>
    private static string MaskPrivateKeys(string text, ref int masked)
    {
        var begin = text.IndexOf(PemBegin, StringComparison.Ordinal);
        if (begin < 0)
        {
            return text;
        }

        var kept = new StringBuilder(text.Length);
        var at = 0;
        while (begin >= 0)
        {
            var lineEnd = text.IndexOf('\n', begin);
            var header = lineEnd < 0 ? text.AsSpan(begin) : text.AsSpan(begin, lineEnd - begin);
            if (lineEnd < 0 || !header.TrimEnd().EndsWith(PemKeyEnd, StringComparison.Ordinal))
            {
                begin = lineEnd < 0 ? -1 : text.IndexOf(PemBegin, lineEnd, StringComparison.Ordinal);
                continue;
            }

            var end = text.IndexOf("-----END ", lineEnd, StringComparison.Ordinal);
            var bodyEnd = end < 0 ? text.Length : end;
            kept.Append(text, at, lineEnd + 1 - at).Append(StoredRequest.Redacted);
            kept.Append('\n', text.AsSpan(lineEnd + 1, bodyEnd - lineEnd - 1).Count('\n'));
            masked++;
            at = bodyEnd;
            begin = end < 0 ? -1 : text.IndexOf(PemBegin, end, StringComparison.Ordinal);
        }

        return kept.Append(text, at, text.Length - at).ToString();
    }

    /// <summary>A JSON Web Token: base64url header starting <c>{"</c>, payload and signature.</summary>
    [GeneratedRegex(@"(?<value>eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*)", RegexOptions.NonBacktracking | RegexOptions.CultureInvariant)]
    private static partial Regex Jwt();

    [GeneratedRegex(@"(?i)\bbearer\s+(?<value>[A-Za-z0-9._~+/-]{8,}=*)", RegexOptions.NonBacktracking | RegexOptions.CultureInvariant)]
    private static partial Regex Bearer();

    /// <summary>An <c>Authorization</c> header's credentials (Basic, or a bare token), whatever the scheme.</summary>
    [GeneratedRegex(@"(?i)\b(proxy-)?authorization""?[ \t]*[:=][ \t]*""?(basic\s+|bearer\s+|token\s+|digest\s+)?(?<value>[^\s""',;]+)", RegexOptions.NonBacktracking | RegexOptions.CultureInvariant)]
    private static partial Regex Authorization();

    /// <summary><c>scheme://user:PASSWORD@host</c>.</summary>
    [GeneratedRegex(@"[A-Za-z][A-Za-z0-9+.-]*://[^\s/:@]+:(?<value>[^\s/@]+)@", RegexOptions.NonBacktracking | RegexOptions.CultureInvariant)]
    private static partial Regex UrlPassword();

    /// <summary>
    /// <c>NAME=VALUE</c>, <c>NAME: VALUE</c>, <c>--NAME=VALUE</c> or <c>"NAME": "VALUE"</c> where the name, a whole
    /// identifier (no dots, so a host name before a colon is none), says password, secret, token or key.
    /// </summary>
    [GeneratedRegex(@"(?im)(^|[^A-Za-z0-9_.-])[A-Za-z0-9_-]*(password|passwd|passphrase|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credentials?)[A-Za-z0-9_-]*""?[ \t]*[=:][ \t]*(""(?<value>[^""\r\n]+)""|'(?<value>[^'\r\n]+)'|(?<value>[^\s,;&""']+))", RegexOptions.NonBacktracking | RegexOptions.CultureInvariant)]
    private static partial Regex Assignment();
}
