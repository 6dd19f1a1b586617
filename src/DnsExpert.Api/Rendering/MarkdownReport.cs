using System.Text;
using DnsExpert.Core.Contract;

namespace DnsExpert.Api.Rendering;

/// <summary>A diagnosis as Markdown for people, chat and tickets: a verdict line first, then each finding.</summary>
public static class MarkdownReport
{
    public static string Render(DiagnosisResponse response)
    {
        var sb = new StringBuilder();
        sb.Append("# DNS diagnosis `").Append(response.Id).AppendLine("`").AppendLine();
        sb.Append("**Verdict:** ").AppendLine(Verdict(response)).AppendLine();
        if (response.Target?.Pod is not null || response.Domain is not null)
        {
            sb.Append("**About:** ");
            if (response.Target?.Pod is { } pod)
            {
                sb.Append("pod `").Append(response.Target.Namespace ?? "default").Append('/').Append(pod).Append('`');
            }

            if (response.Domain is { } domain)
            {
                sb.Append(response.Target?.Pod is null ? "" : ", ").Append("name `").Append(domain).Append('`');
            }

            if (response.CreatedAt is { } at)
            {
                sb.Append(", ").Append(at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture)).Append(" UTC");
            }

            sb.AppendLine().AppendLine();
        }

        if (response.Links?.GetValueOrDefault("report") is { } report)
        {
            sb.Append("**Report:** ").AppendLine(report).AppendLine();
        }

        var c = response.Classification;
        sb.Append("**Client error:** `").Append(c.Class.Name()).Append("` — ").AppendLine(c.Explanation).AppendLine();

        var n = 0;
        foreach (var f in response.Findings)
        {
            n++;
            sb.Append("## ").Append(n).Append(". ").Append(SeverityLabel(f.Severity)).Append(' ').Append(f.Title)
              .Append(" (`").Append(f.RuleId).AppendLine("`)").AppendLine();
            sb.AppendLine(f.Cause).AppendLine();
            sb.AppendLine("**Evidence**").AppendLine();
            foreach (var e in f.Evidence)
            {
                sb.Append("- _").Append(e.Source).Append("_: ").AppendLine(e.Detail);
            }

            sb.AppendLine().AppendLine("**Remediation**").AppendLine();
            var step = 0;
            foreach (var r in f.Remediation)
            {
                sb.Append(++step).Append(". ").AppendLine(r.Summary.Trim());
                if (r.Command is not null)
                {
                    sb.AppendLine().AppendLine("   ```sh").Append("   ").AppendLine(r.Command.Trim()).AppendLine("   ```");
                }

                if (r.Snippet is not null)
                {
                    sb.AppendLine().AppendLine("   ```yaml");
                    foreach (var line in r.Snippet.TrimEnd().Split('\n'))
                    {
                        sb.Append("   ").AppendLine(line);
                    }

                    sb.AppendLine("   ```");
                }
            }

            if (f.Ticket is { } ticket)
            {
                sb.AppendLine().AppendLine("**Support ticket**").AppendLine();
                AppendTicket(sb, ticket);
            }

            sb.AppendLine();
        }

        sb.AppendLine("## Collection").AppendLine().AppendLine("| source | status | detail |").AppendLine("|---|---|---|");
        foreach (var entry in response.Collection)
        {
            sb.Append("| ").Append(Cell(entry.Source)).Append(" | ").Append(entry.Status.ToString().ToLowerInvariant()).Append(" | ").Append(Cell(entry.Detail)).AppendLine(" |");
        }

        return sb.ToString();
    }

    /// <summary>The text to paste into a support ticket: each ticket-routed finding and its payload.</summary>
    public static string RenderTicket(Endpoints.TicketResponse ticket)
    {
        var sb = new StringBuilder();
        sb.Append("# Support ticket for DNS diagnosis `").Append(ticket.DiagnosisId).AppendLine("`").AppendLine();
        if (ticket.Findings.Count == 0)
        {
            return sb.AppendLine("No finding of this diagnosis needs a support ticket: its remediation can be applied in the cluster.").ToString();
        }

        foreach (var f in ticket.Findings)
        {
            sb.Append("## ").Append(f.Title).Append(" (`").Append(f.RuleId).AppendLine("`)").AppendLine();
            sb.AppendLine(f.Cause).AppendLine();
            AppendTicket(sb, f.Ticket);
            sb.AppendLine();
        }

        return sb.ToString();
    }

    private static void AppendTicket(StringBuilder sb, TicketPayload ticket)
    {
        sb.AppendLine("| name | response code | time | CoreDNS pod |").AppendLine("|---|---|---|---|");
        foreach (var e in ticket.Entries)
        {
            sb.Append("| ").Append(Cell(e.Name)).Append(" | ").Append(Cell(e.Rcode)).Append(" | ").Append(Cell(e.Time)).Append(" | ").Append(Cell(e.CoreDnsPod)).AppendLine(" |");
        }

        sb.AppendLine().Append("Nodes hosting CoreDNS: ")
          .AppendLine(string.Join(", ", ticket.CoreDnsNodes.Select(x => x.InstanceId is null ? x.Node : $"{x.Node} ({x.InstanceId})")));
    }

    /// <summary>One line: how many findings and the top one.</summary>
    public static string Verdict(DiagnosisResponse response)
    {
        if (response.Status == DiagnosisStatus.Running)
        {
            return "still running; ask again in a moment.";
        }

        if (response.Status == DiagnosisStatus.Failed)
        {
            return $"the diagnosis failed: {response.Error}";
        }

        if (response.Findings.Count == 0)
        {
            return "no known cause found in the evidence.";
        }

        var top = response.Findings[0];
        var more = response.Findings.Count - 1;
        return $"{SeverityLabel(top.Severity)} {top.Title} (`{top.RuleId}`)" + (more > 0 ? $", and {more} more finding(s)." : ".");
    }

    private static string SeverityLabel(Severity s) => s switch
    {
        Severity.Critical => "[CRITICAL]",
        Severity.Warning => "[WARNING]",
        _ => "[INFO]",
    };

    private static string Cell(string? s) => (s ?? "").Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);
}
