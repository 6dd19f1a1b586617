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

    /// <summary>The section of the report page that lists the next checks.</summary>
    public const string NextChecksAnchor = "#next-checks";

    /// <summary>Longest URL a chat button takes (Slack's limit for a button's url).</summary>
    public const int MaxButtonUrl = 3000;

    /// <summary>
    /// The buttons of a chat message (Slack, Teams), in order: the report; its "Next checks" section when there are
    /// checks; the support-ticket text when a finding is routed to a ticket. None without an absolute report link: a
    /// path would be a dead button.
    /// </summary>
    public static IReadOnlyList<ChatButton> Buttons(DiagnosisResponse response)
    {
        if (Absolute(response, "report") is not { Length: <= MaxButtonUrl - 16 } report)
        {
            return [];
        }

        var buttons = new List<ChatButton> { new("open-report", "Open report", report) };
        if (NextCheckItem.From(response).Count > 0)
        {
            buttons.Add(new("next-checks", "Next checks", report + NextChecksAnchor));
        }

        if (response.Findings.Any(f => f.Ticket is not null) && Absolute(response, "ticket") is { Length: <= MaxButtonUrl - 20 } ticket)
        {
            buttons.Add(new("support-ticket", "Support ticket", ticket + (ticket.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "format=markdown"));
        }

        return buttons;
    }

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

/// <summary>A button of a chat message that opens <paramref name="Url"/> (absolute, made safe by <see cref="ServiceLinks"/>).</summary>
public sealed record ChatButton(string Id, string Title, string Url);
