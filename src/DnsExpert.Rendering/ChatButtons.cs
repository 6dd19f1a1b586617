using DnsExpert.Contract;
using DnsExpert.Rendering.Escaping;

namespace DnsExpert.Rendering;

/// <summary>The buttons of a chat message (Slack, Teams) that open the report page, its next checks and the support ticket.</summary>
public static class ChatButtons
{
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
        if (ServiceLinks.Absolute(response, "report") is not { Length: <= MaxButtonUrl - 16 } report)
        {
            return [];
        }

        var buttons = new List<ChatButton> { new("open-report", "Open report", report) };
        if (NextCheckItem.From(response).Count > 0)
        {
            buttons.Add(new("next-checks", "Next checks", report + NextChecksAnchor));
        }

        if (response.Findings.Any(f => f.Ticket is not null) && ServiceLinks.Absolute(response, "ticket") is { Length: <= MaxButtonUrl - 20 } ticket)
        {
            buttons.Add(new("support-ticket", "Support ticket", ticket + (ticket.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "format=markdown"));
        }

        return buttons;
    }
}

/// <summary>A button of a chat message that opens <paramref name="Url"/> (absolute, made safe by <see cref="Escaping.ServiceLinks"/>).</summary>
public sealed record ChatButton(string Id, string Title, string Url);
