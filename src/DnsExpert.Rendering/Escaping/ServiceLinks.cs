using DnsExpert.Contract;

namespace DnsExpert.Rendering.Escaping;

/// <summary>
/// The links the service made itself (<see cref="DiagnosisResponse.Links"/>), as live links: only an absolute http(s) URL
/// is one (a path is no link in chat, a ticket or a mail), with every character that could end a link in Markdown
/// (<c>&lt;url&gt;</c>), Slack (<c>&lt;url|text&gt;</c>) or an HTML attribute percent-encoded. Cluster text never becomes a
/// link (<see cref="BareUrls"/>); these are the only ones.
/// </summary>
public static class ServiceLinks
{
    private static readonly System.Buffers.SearchValues<char> EndsALink = System.Buffers.SearchValues.Create("<>\"'`| \\");

    /// <summary>The link <paramref name="name"/> of <paramref name="response"/> when it is absolute; else null.</summary>
    public static string? Absolute(DiagnosisResponse response, string name) => Absolute(response.Links?.GetValueOrDefault(name));

    /// <summary><paramref name="link"/> when it is an absolute http(s) URL, made safe to stand in a link; else null.</summary>
    public static string? Absolute(string? link)
    {
        if (!Uri.TryCreate(link, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.Host.Length == 0)
        {
            return null;
        }

        var url = uri.AbsoluteUri;
        return url.AsSpan().IndexOfAny(EndsALink) < 0 && !url.Any(char.IsControl)
            ? url
            : string.Concat(url.Select(c => EndsALink.Contains(c) || char.IsControl(c) ? $"%{(int)c:X2}" : c.ToString()));
    }
}
