using System.Text;
using DnsExpert.Contract;
using DnsExpert.Rendering.Escaping;

namespace DnsExpert.Rendering;

/// <summary>
/// A diagnosis as Markdown for people, chat and tickets: a verdict line first, then each finding. Every value of the
/// response goes through <see cref="MarkdownText"/>: no HTML, no control characters, code fences that content cannot close.
/// </summary>
public static class MarkdownReport
{
    /// <summary>
    /// The answer for a chat: what the error means, the findings, and the <see cref="NextCheckItem.Shown"/> checks that
    /// decide the most, the rest behind <c>links.checks</c>; with <paramref name="allChecks"/>, every check. While the
    /// evidence decided nothing (an error message alone) the collection table, which then says only that, is left out.
    /// </summary>
    public static string Render(DiagnosisResponse response, bool allChecks = false)
    {
        var sb = new StringBuilder();
        sb.Append("# DNS diagnosis ").AppendLine(MarkdownText.Code(response.Id)).AppendLine();
        sb.Append("**Verdict:** ").AppendLine(Verdict(response)).AppendLine();
        if (response.Target?.Pod is not null || response.Domain is not null)
        {
            sb.Append("**About:** ");
            if (response.Target?.Pod is { } pod)
            {
                sb.Append("pod ").Append(MarkdownText.Code($"{response.Target.Namespace ?? "default"}/{pod}"));
            }

            if (response.Domain is { } domain)
            {
                sb.Append(response.Target?.Pod is null ? "" : ", ").Append("name ").Append(MarkdownText.Code(domain));
            }

            if (response.CreatedAt is { } at)
            {
                sb.Append(", ").Append(at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture)).Append(" UTC");
            }

            sb.AppendLine().AppendLine();
        }

        if (response.Links?.GetValueOrDefault("report") is { } report)
        {
            sb.Append("**Report:** ").AppendLine(Link(report)).AppendLine();
        }

        foreach (var issue in response.Issues ?? [])
        {
            sb.Append("**Issue:** ").Append(MarkdownText.Code(issue.Key)).Append(' ').AppendLine(Link(issue.Url)).AppendLine();
        }

        var c = response.Classification;
        sb.Append("**Client error:** `").Append(c.Class.Name()).Append("` — ").AppendLine(MarkdownText.Inline(c.Explanation)).AppendLine();

        // A cause first, its effects under it (numbered 1.1, 1.2), not as competing findings.
        var effects = EffectsUnderCauses(response.Findings);
        var n = 0;
        foreach (var f in response.Findings.Where(f => !effects.Placed.Contains(f)))
        {
            AppendFinding(sb, f, (++n).ToString(System.Globalization.CultureInfo.InvariantCulture), null, effects.Under);
        }

        AppendHypotheses(sb, response, allChecks);
        if (!allChecks && !NextCheckItem.EvidenceDecided(response))
        {
            return sb.ToString();
        }

        sb.AppendLine("## Collection").AppendLine().AppendLine("| source | status | detail |").AppendLine("|---|---|---|");
        foreach (var entry in response.Collection)
        {
            sb.Append("| ").Append(MarkdownText.Cell(entry.Source)).Append(" | ").Append(entry.Status.ToString().ToLowerInvariant()).Append(" | ").Append(MarkdownText.Cell(entry.Detail)).AppendLine(" |");
        }

        return sb.ToString();
    }

    /// <summary>The text to paste into a support ticket: each ticket-routed finding and its payload, and the report's link.</summary>
    public static string RenderTicket(TicketResponse ticket)
    {
        var sb = new StringBuilder();
        sb.Append("# Support ticket for DNS diagnosis ").AppendLine(MarkdownText.Code(ticket.DiagnosisId)).AppendLine();
        if (ticket.ReportUrl is { } report)
        {
            sb.Append("**Report:** ").AppendLine(Link(report)).AppendLine();
        }

        if (ticket.Findings.Count == 0)
        {
            return sb.AppendLine("No finding of this diagnosis needs a support ticket: its remediation can be applied in the cluster.").ToString();
        }

        foreach (var f in ticket.Findings)
        {
            sb.Append("## ").Append(MarkdownText.Inline(f.Title)).Append(" (").Append(MarkdownText.Code(f.RuleId)).AppendLine(")").AppendLine();
            sb.AppendLine(MarkdownText.Paragraph(f.Cause)).AppendLine();
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
            sb.Append("| ").Append(MarkdownText.Cell(e.Name)).Append(" | ").Append(MarkdownText.Cell(e.Rcode)).Append(" | ").Append(MarkdownText.Cell(e.Time)).Append(" | ").Append(MarkdownText.Cell(e.CoreDnsPod)).AppendLine(" |");
        }

        sb.AppendLine().Append("Nodes hosting CoreDNS: ")
          .AppendLine(MarkdownText.Inline(string.Join(", ", ticket.CoreDnsNodes.Select(x => x.InstanceId is null ? x.Node : $"{x.Node} ({x.InstanceId})"))));
    }

    /// <summary>A link of the service's own: an autolink when it is absolute (<see cref="ServiceLinks"/>), else the path as code.</summary>
    private static string Link(string link) => ServiceLinks.Absolute(link) is { } url ? "<" + url + ">" : MarkdownText.Code(link);

    /// <summary>One line of Markdown: how many findings and the top one.</summary>
    public static string Verdict(DiagnosisResponse response) => Verdict(response, MarkdownText.Inline, MarkdownText.Code);

    /// <summary>The verdict line, with the response's values written by <paramref name="text"/> and its rule id by <paramref name="code"/>.</summary>
    public static string Verdict(DiagnosisResponse response, Func<string?, string> text, Func<string?, string> code)
    {
        if (response.Status == DiagnosisStatus.Running)
        {
            return "still running; ask again in a moment.";
        }

        if (response.Status == DiagnosisStatus.Failed)
        {
            return $"the diagnosis failed: {text(response.Error)}";
        }

        if (response.Findings.Count == 0)
        {
            return NextCheckItem.EvidenceDecided(response) ? "no known cause found in the evidence."
                : NextCheckItem.From(response).Count > 0 ? "not decided yet: the checks below tell the possible causes apart."
                : "not decided yet.";
        }

        var top = response.Findings[0];
        var effects = top.Explains?.Count ?? 0;
        var more = response.Findings.Count - 1 - effects;
        return $"{SeverityLabel(top.Severity)} {text(top.Title)} ({code(top.RuleId)})"
            + (effects > 0 ? $", which explains {effects} other finding(s)" : "")
            + (more > 0 ? $", and {more} more finding(s)." : ".");
    }

    /// <summary>
    /// "Next checks": each command of the unverified hypotheses once, in their order (the engine puts first what decides
    /// the most), with the causes it tells apart; all of them, or the first few and a line saying where the rest are.
    /// Then a short "Ruled out" list.
    /// </summary>
    private static void AppendHypotheses(StringBuilder sb, DiagnosisResponse response, bool allChecks)
    {
        var hypotheses = response.Hypotheses;
        var checks = NextCheckItem.From(response);
        if (checks.Count > 0)
        {
            sb.AppendLine("## Next checks").AppendLine()
              .AppendLine("Run these and send back each output as evidence (`command`, `text`, and `from` for a node's).")
              .AppendLine();
            var n = 0;
            foreach (var check in allChecks ? checks : checks.Take(NextCheckItem.Shown))
            {
                var ids = allChecks ? check.RuleIds : check.RuleIds.Take(NextCheckItem.RuleIdsShown).ToList();
                sb.Append(++n).Append(". ").Append(MarkdownText.Inline(check.Check.Why)).Append(" (checks ")
                  .AppendJoin(", ", ids.Select(MarkdownText.Code))
                  .Append(check.RuleIds.Count > ids.Count ? $" and {check.RuleIds.Count - ids.Count} more" : "").AppendLine(")")
                  .AppendLine().Append(MarkdownText.Block(check.Check.Command.Trim(), "sh", "   "));
            }

            if (checks.Count > n)
            {
                sb.AppendLine().Append('_').Append(checks.Count - n).Append(" more check(s)")
                  .Append(response.Links?.GetValueOrDefault("checks") is { } all ? ": " + Link(all) : " in the JSON answer's `hypotheses`")
                  .AppendLine("._");
            }

            sb.AppendLine();
        }

        // The packet capture comes after every other check: with all the checks, or once none is left.
        var shared = allChecks || checks.Count == 0 ? NextCheckItem.Shared(hypotheses) : [];
        if (shared.Count > 0)
        {
            sb.AppendLine("## Last resort").AppendLine();
            foreach (var check in shared)
            {
                sb.Append("- ").Append(MarkdownText.Inline(check.Check.Why)).Append(" (").AppendJoin(", ", check.RuleIds.Select(MarkdownText.Code)).AppendLine(")")
                  .AppendLine().Append(MarkdownText.Block(check.Check.Command.Trim(), "sh", "  "))
                  .Append("  ").AppendLine(MarkdownText.Inline(check.Check.Paste)).AppendLine();
            }
        }

        var ruledOut = hypotheses.Where(h => h.Status == HypothesisStatus.RuledOut).ToList();
        if (ruledOut.Count > 0)
        {
            sb.AppendLine("## Ruled out").AppendLine();
            foreach (var h in ruledOut)
            {
                sb.Append("- ").Append(MarkdownText.Inline(h.Title)).Append(" (").Append(MarkdownText.Code(h.RuleId)).Append("): ").AppendLine(MarkdownText.Inline(h.Reason));
            }

            sb.AppendLine();
        }
    }

    /// <summary>
    /// The findings shown under a cause: each effect under the highest-ranked of its causes listed before it (the engine
    /// ranks a cause above its effects, and a response read back cannot loop this way); one without such a cause stands
    /// alone.
    /// </summary>
    private static (Dictionary<Finding, List<Finding>> Under, HashSet<Finding> Placed) EffectsUnderCauses(IReadOnlyList<Finding> findings)
    {
        var before = new Dictionary<string, int>(StringComparer.Ordinal);
        var under = new Dictionary<Finding, List<Finding>>(ReferenceEqualityComparer.Instance);
        var placed = new HashSet<Finding>(ReferenceEqualityComparer.Instance);
        foreach (var (f, index) in findings.Select((f, i) => (f, i)))
        {
            var first = (f.ExplainedBy ?? []).Where(before.ContainsKey).Select(c => before[c]).DefaultIfEmpty(-1).Min();
            var cause = first < 0 ? null : findings[first];
            before.TryAdd(f.RuleId, index);
            if (cause is not null)
            {
                (under.TryGetValue(cause, out var list) ? list : under[cause] = []).Add(f);
                placed.Add(f);
            }
        }

        return (under, placed);
    }

    /// <summary>One finding, numbered, and then the effects shown under it (one heading level down, at most four).</summary>
    private static void AppendFinding(StringBuilder sb, Finding f, string number, string? cause, Dictionary<Finding, List<Finding>> under)
    {
        sb.Append(new string('#', Math.Min(2 + number.Count(c => c == '.'), 4))).Append(' ').Append(number).Append(". ")
          .Append(SeverityLabel(f.Severity)).Append(' ').Append(MarkdownText.Inline(f.Title))
          .Append(" (").Append(MarkdownText.Code(f.RuleId)).Append(')');
        if (cause is not null)
        {
            sb.Append(" — effect of ").Append(MarkdownText.Code(cause));
        }

        sb.AppendLine().AppendLine();
        sb.AppendLine(MarkdownText.Paragraph(f.Cause)).AppendLine();
        Relations(sb, f, cause);
        sb.AppendLine("**Evidence**").AppendLine();
        foreach (var e in f.Evidence)
        {
            sb.Append("- _").Append(MarkdownText.Inline(e.Source)).Append("_: ").AppendLine(MarkdownText.Inline(e.Detail));
        }

        sb.AppendLine().AppendLine("**Remediation**").AppendLine();
        var step = 0;
        foreach (var r in f.Remediation)
        {
            sb.Append(++step).Append(". ").AppendLine(MarkdownText.Inline(r.Summary.Trim()));
            if (r.Command is not null)
            {
                sb.AppendLine().Append(MarkdownText.Block(r.Command.Trim(), "sh", "   "));
            }

            if (r.Snippet is not null)
            {
                sb.AppendLine().Append(MarkdownText.Block(r.Snippet, "yaml", "   "));
            }
        }

        if (f.Ticket is { } ticket)
        {
            sb.AppendLine().AppendLine("**Support ticket**").AppendLine();
            AppendTicket(sb, ticket);
        }

        sb.AppendLine();
        var k = 0;
        foreach (var effect in under.GetValueOrDefault(f) ?? [])
        {
            AppendFinding(sb, effect, $"{number}.{++k}", f.RuleId, under);
        }
    }

    /// <summary>
    /// What this finding explains (its effects: what fixing it should clear), and the causes of it other than the one it
    /// stands under (the rule files' <c>explains:</c>).
    /// </summary>
    private static void Relations(StringBuilder sb, Finding f, string? cause)
    {
        var otherCauses = f.ExplainedBy?.Where(c => c != cause).ToList();
        foreach (var (label, ids) in new[] { ("Effects", f.Explains), (cause is null ? "Effect of" : "Also the effect of", otherCauses) })
        {
            if (ids is { Count: > 0 })
            {
                sb.Append('_').Append(label).Append(":_ ").AppendJoin(", ", ids.Select(MarkdownText.Code)).AppendLine().AppendLine();
            }
        }
    }

    private static string SeverityLabel(Severity s) => s switch
    {
        Severity.Critical => "[CRITICAL]",
        Severity.Warning => "[WARNING]",
        _ => "[INFO]",
    };
}
