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
                sb.AppendLine("| name | response code | time | CoreDNS pod |").AppendLine("|---|---|---|---|");
                foreach (var e in ticket.Entries)
                {
                    sb.Append("| ").Append(Cell(e.Name)).Append(" | ").Append(Cell(e.Rcode)).Append(" | ").Append(Cell(e.Time)).Append(" | ").Append(Cell(e.CoreDnsPod)).AppendLine(" |");
                }

                sb.AppendLine().Append("Nodes hosting CoreDNS: ")
                  .AppendLine(string.Join(", ", ticket.CoreDnsNodes.Select(x => x.InstanceId is null ? x.Node : $"{x.Node} ({x.InstanceId})")));
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

    /// <summary>One line: how many findings and the top one.</summary>
    public static string Verdict(DiagnosisResponse response)
    {
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
