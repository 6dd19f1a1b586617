using DnsExpert.Contract;

namespace DnsExpert.Rendering;

/// <summary>The support-ticket view of a diagnosis.</summary>
public sealed class TicketResponse
{
    public required string DiagnosisId { get; init; }
    public DateTimeOffset? CreatedAt { get; init; }
    public TargetRef? Target { get; init; }
    public string? Domain { get; init; }

    /// <summary>The diagnosis's report page (<c>links.report</c>): absolute when the service knows its public address.</summary>
    public string? ReportUrl { get; init; }

    /// <summary>The findings the guide routes to a support ticket, with their payloads; empty when none is.</summary>
    public required IReadOnlyList<TicketFinding> Findings { get; init; }

    public static TicketResponse From(DiagnosisResponse response) => new()
    {
        DiagnosisId = response.Id,
        CreatedAt = response.CreatedAt,
        Target = response.Target,
        Domain = response.Domain,
        ReportUrl = response.Links?.GetValueOrDefault("report"),
        Findings = response.Findings.Where(f => f.Ticket is not null).Select(f => new TicketFinding(f.RuleId, f.Title, f.Cause, f.Ticket!)).ToList(),
    };
}

public sealed record TicketFinding(string RuleId, string Title, string Cause, TicketPayload Ticket);
