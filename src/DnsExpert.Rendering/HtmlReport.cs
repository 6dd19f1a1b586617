using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using DnsExpert.Contract;
using DnsExpert.Rendering.Escaping;
using DnsExpert.Text;

namespace DnsExpert.Rendering;

/// <summary>
/// A diagnosis as one printable HTML page for ticket links: verdict, findings ranked with evidence and remediation
/// (copy buttons on commands and snippets), ticket payloads and collection status. Everything from the request or the
/// cluster loses its control characters and is HTML-encoded (so the Copy button never copies an ESC or a bare CR); the
/// only script and style carry the response's CSP nonce.
/// </summary>
public static class HtmlReport
{
    private static readonly HtmlEncoder Html = HtmlEncoder.Default;

    public static string Render(DiagnosisResponse response, string nonce)
    {
        var sb = new StringBuilder(16 * 1024);
        sb.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
        if (response.Status == DiagnosisStatus.Running)
        {
            sb.Append("<meta http-equiv=\"refresh\" content=\"2\">");
        }

        sb.Append("<title>DNS diagnosis ").Append(E(Subject(response))).Append(" · DnsExpert</title>");
        sb.Append("<style nonce=\"").Append(nonce).Append("\">").Append(Css).Append(DnsPathSvg.Css).Append("</style></head><body><main>");

        Header(sb, response);

        var verdictClass = response.Status != DiagnosisStatus.Completed ? "pending"
            : response.Findings.Count == 0 ? "none" : SeverityName(response.Findings[0].Severity);
        sb.Append("<section class=\"verdict ").Append(verdictClass).Append("\" id=\"verdict\"><h2>Verdict</h2><p>")
          .Append(E(MarkdownReport.Verdict(response, DisplayText.Line, DisplayText.Line))).Append("</p></section>");

        if (response.DnsPath is { Count: > 0 } path)
        {
            sb.Append("<section id=\"dns-path\"><h2>DNS path</h2>").Append(DnsPathSvg.Render(path)).Append("</section>");
        }

        Findings(sb, response.Findings);
        Hypotheses(sb, response);
        Collection(sb, response.Collection);
        Footer(sb, response);
        sb.Append("<script nonce=\"").Append(nonce).Append("\">").Append(Script).Append("</script></body></html>");
        return sb.ToString();
    }

    /// <summary>The subject, and what the diagnosis was: its status, when and how long, the client error's class, its id.</summary>
    private static void Header(StringBuilder sb, DiagnosisResponse response)
    {
        sb.Append("<header><p class=\"brand\">DnsExpert · DNS diagnosis</p><h1>").Append(E(Subject(response))).Append("</h1>");
        sb.Append("<dl class=\"meta\">");
        Meta(sb, "Status", ContractName(response.Status));
        if (response.CreatedAt is { } at)
        {
            Meta(sb, "Diagnosed", at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " UTC");
        }

        if (response.DurationMs is { } ms)
        {
            Meta(sb, "Took", ms < 1000 ? $"{ms.ToString("0", CultureInfo.InvariantCulture)} ms" : $"{(ms / 1000).ToString("0.0", CultureInfo.InvariantCulture)} s");
        }

        Meta(sb, "Client error", $"{response.Classification.Class.Name()}: {response.Classification.Explanation}");
        Meta(sb, "Id", response.Id);
        sb.Append("</dl></header>");
    }

    /// <summary>The findings ranked; an effect of a finding listed above it is indented under that cause (the engine ranks causes first).</summary>
    private static void Findings(StringBuilder sb, IReadOnlyList<Finding> findings)
    {
        if (findings.Count == 0)
        {
            return;
        }

        sb.Append("<section id=\"findings\"><h2>Findings</h2><ol class=\"findings\">");
        var above = new HashSet<string>(StringComparer.Ordinal);
        foreach (var f in findings)
        {
            Finding(sb, f, effect: f.ExplainedBy?.Any(above.Contains) == true);
            above.Add(f.RuleId);
        }

        sb.Append("</ol></section>");
    }

    /// <summary>"What was read": each source's status, detail and time.</summary>
    private static void Collection(StringBuilder sb, IReadOnlyList<CollectionEntry> collection)
    {
        if (collection.Count == 0)
        {
            return;
        }

        sb.Append("<section id=\"collection\"><h2>What was read</h2><table><thead><tr><th>source</th><th>status</th><th>detail</th><th>time</th></tr></thead><tbody>");
        foreach (var c in collection)
        {
            sb.Append("<tr><td>").Append(E(c.Source)).Append("</td><td><span class=\"status ").Append(ContractName(c.Status)).Append("\">")
              .Append(ContractName(c.Status)).Append("</span></td><td>").Append(E(c.Detail)).Append("</td><td>")
              .Append(c.DurationMs is { } d ? d.ToString("0", CultureInfo.InvariantCulture) + " ms" : "").Append("</td></tr>");
        }

        sb.Append("</tbody></table></section>");
    }

    /// <summary>The links: the diagnosis as JSON, and the issues made of it.</summary>
    private static void Footer(StringBuilder sb, DiagnosisResponse response)
    {
        var json = ServiceLinks.Absolute(response, "self") ?? "/api/v1/diagnoses/" + response.Id;
        sb.Append("<footer>Generated by DnsExpert. JSON: <a href=\"").Append(E(json)).Append("\">").Append(E(json)).Append("</a>");
        foreach (var issue in response.Issues ?? [])
        {
            // The issue's URL is the configured Jira site's; linked only when it is an http(s) URL.
            sb.Append(". Issue: ").Append(ServiceLinks.Absolute(issue.Url) is { } url
                ? "<a href=\"" + E(url) + "\">" + E(issue.Key) + "</a>"
                : "<code>" + E(issue.Key) + "</code>");
        }

        sb.Append("</footer></main>");
    }

    /// <summary>The page for an id that is not kept.</summary>
    public static string NotFound(string nonce) =>
        $"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Not found · DnsExpert</title><style nonce=\"{nonce}\">{Css}</style></head>"
        + "<body><main><h1>No such diagnosis</h1><p>It was never made here, or retention has removed it.</p></main></body></html>";

    /// <summary>"Next checks" (each command once, with a copy button, the cheap checks first), then "Ruled out", folded.</summary>
    private static void Hypotheses(StringBuilder sb, DiagnosisResponse response)
    {
        var hypotheses = response.Hypotheses;
        var checks = NextCheckItem.From(response);
        if (checks.Count > 0)
        {
            sb.Append("<section id=\"next-checks\"><h2>Next checks</h2><p>Run these and paste each output into <code>snapshot.outputs[]</code> of a new request.</p><ol class=\"checks\">");
            foreach (var check in checks)
            {
                sb.Append("<li><p>").Append(E(check.Check.Why)).Append(" <span class=\"checks-rules\">(checks ")
                  .AppendJoin(", ", check.RuleIds.Select(id => "<code>" + E(id) + "</code>")).Append(")</span></p>")
                  .Append("<pre class=\"copyable\"><code>").Append(Lines(check.Check.Command.Trim())).Append("</code></pre></li>");
            }

            sb.Append("</ol></section>");
        }

        var shared = NextCheckItem.Shared(hypotheses);
        if (shared.Count > 0)
        {
            sb.Append("<section id=\"last-resort\"><h2>Last resort</h2><ul class=\"checks\">");
            foreach (var check in shared)
            {
                sb.Append("<li><p>").Append(E(check.Check.Why)).Append(" <span class=\"checks-rules\">(")
                  .AppendJoin(", ", check.RuleIds.Select(id => "<code>" + E(id) + "</code>")).Append(")</span></p>")
                  .Append("<pre class=\"copyable\"><code>").Append(Lines(check.Check.Command.Trim())).Append("</code></pre><p>")
                  .Append(E(check.Check.Paste)).Append("</p></li>");
            }

            sb.Append("</ul></section>");
        }

        var ruledOut = hypotheses.Where(h => h.Status == HypothesisStatus.RuledOut).ToList();
        if (ruledOut.Count > 0)
        {
            sb.Append("<section id=\"ruled-out\"><details><summary>Ruled out (").Append(ruledOut.Count).Append(")</summary><ul>");
            foreach (var h in ruledOut)
            {
                sb.Append("<li>").Append(E(h.Title)).Append(" (<code>").Append(E(h.RuleId)).Append("</code>): ").Append(E(h.Reason)).Append("</li>");
            }

            sb.Append("</ul></details></section>");
        }
    }

    private static void Finding(StringBuilder sb, Finding f, bool effect)
    {
        var severity = SeverityName(f.Severity);
        sb.Append("<li class=\"finding ").Append(severity).Append(effect ? " effect" : "").Append("\" id=\"").Append(E(f.RuleId)).Append("\"><h3><span class=\"badge ").Append(severity).Append("\">")
          .Append(severity).Append("</span> ").Append(E(f.Title)).Append(" <code class=\"rule\">").Append(E(f.RuleId)).Append("</code></h3>");
        sb.Append("<p class=\"cause\">").Append(E(f.Cause)).Append("</p>");
        foreach (var (label, ids) in new[] { ("Effects", f.Explains), ("Effect of", f.ExplainedBy) })
        {
            if (ids is { Count: > 0 })
            {
                sb.Append("<p class=\"relation\">").Append(label).Append(": ")
                  .AppendJoin(", ", ids.Select(id => $"<a href=\"#{E(id)}\"><code>{E(id)}</code></a>")).Append("</p>");
            }
        }


        sb.Append("<h4>Evidence</h4><table class=\"evidence\"><tbody>");
        foreach (var e in f.Evidence)
        {
            sb.Append("<tr><th>").Append(E(e.Source)).Append("</th><td>").Append(E(e.Detail)).Append("</td></tr>");
        }

        sb.Append("</tbody></table><h4>Remediation</h4><ol class=\"remediation\">");
        foreach (var r in f.Remediation)
        {
            sb.Append("<li><p>").Append(E(r.Summary.Trim())).Append("</p>");
            if (r.Command is not null)
            {
                sb.Append("<pre class=\"copyable\"><code>").Append(Lines(r.Command.Trim())).Append("</code></pre>");
            }

            if (r.Snippet is not null)
            {
                sb.Append("<pre class=\"copyable\"><code>").Append(Lines(r.Snippet.TrimEnd())).Append("</code></pre>");
            }

            sb.Append("</li>");
        }

        sb.Append("</ol>");
        if (f.Ticket is { } ticket)
        {
            sb.Append("<h4>Support ticket</h4><table class=\"ticket\"><thead><tr><th>name</th><th>response code</th><th>time</th><th>CoreDNS pod</th></tr></thead><tbody>");
            foreach (var t in ticket.Entries)
            {
                sb.Append("<tr><td>").Append(E(t.Name)).Append("</td><td>").Append(E(t.Rcode)).Append("</td><td>").Append(E(t.Time)).Append("</td><td>").Append(E(t.CoreDnsPod)).Append("</td></tr>");
            }

            sb.Append("</tbody></table><p>Nodes hosting CoreDNS: ")
              .Append(E(string.Join(", ", ticket.CoreDnsNodes.Select(n => n.InstanceId is null ? n.Node : $"{n.Node} ({n.InstanceId})")))).Append("</p>");
        }

        sb.Append("</li>");
    }

    private static string Subject(DiagnosisResponse response)
    {
        var pod = response.Target?.Pod is { } p ? $"{response.Target.Namespace ?? "default"}/{p}" : null;
        return (pod, response.Domain) switch
        {
            (not null, not null) => $"{pod} → {response.Domain}",
            (not null, null) => pod,
            (null, not null) => response.Domain,
            _ => response.Id,
        };
    }

    private static void Meta(StringBuilder sb, string term, string value) =>
        sb.Append("<div><dt>").Append(term).Append("</dt><dd>").Append(E(value)).Append("</dd></div>");

    /// <summary>Text on one line.</summary>
    internal static string E(string? text) => text is null ? "" : Html.Encode(DisplayText.Line(text));

    /// <summary>A command or snippet: its lines kept, nothing else that a terminal would act on.</summary>
    private static string Lines(string text) => Html.Encode(DisplayText.Block(text));

    private static string SeverityName(Severity s) => s switch { Severity.Critical => "critical", Severity.Warning => "warning", _ => "info" };

    private static string ContractName<T>(T value) where T : struct, Enum =>
        System.Text.Json.JsonSerializer.Serialize(value).Trim('"');

    private const string Script = """
        document.querySelectorAll('pre.copyable').forEach(function (pre) {
          var button = document.createElement('button');
          button.type = 'button';
          button.className = 'copy';
          button.textContent = 'Copy';
          button.addEventListener('click', function () {
            var text = pre.querySelector('code').innerText;
            var done = function () { button.textContent = 'Copied'; setTimeout(function () { button.textContent = 'Copy'; }, 1500); };
            if (navigator.clipboard) { navigator.clipboard.writeText(text).then(done, function () { button.textContent = 'Select and copy'; }); }
            else { var r = document.createRange(); r.selectNodeContents(pre); var s = getSelection(); s.removeAllRanges(); s.addRange(r); document.execCommand('copy'); done(); }
          });
          pre.appendChild(button);
        });
        """;

    private const string Css = """
        :root{--fg:#1b1f24;--muted:#5b6570;--line:#d8dee4;--crit:#b42318;--warn:#b54708;--info:#175cd3;--ok:#067647;--bg:#fff;--code:#f6f8fa}
        *{box-sizing:border-box}body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
        main{max-width:980px;margin:0 auto;padding:24px}h1{font-size:24px;margin:4px 0 12px;word-break:break-all}h2{font-size:18px;margin:24px 0 8px}
        h3{font-size:16px;margin:0 0 6px}h4{font-size:13px;text-transform:uppercase;letter-spacing:.04em;color:var(--muted);margin:14px 0 4px}
        .brand{color:var(--muted);margin:0;font-size:13px}.meta{display:flex;flex-wrap:wrap;gap:4px 24px;margin:0}.meta div{display:flex;gap:6px}
        .meta dt{color:var(--muted)}.meta dd{margin:0}
        .verdict{border-left:6px solid var(--muted);background:var(--code);padding:8px 16px;border-radius:4px}.verdict h2{margin:4px 0}
        .verdict.critical{border-color:var(--crit)}.verdict.warning{border-color:var(--warn)}.verdict.info{border-color:var(--info)}.verdict.none{border-color:var(--ok)}
        .verdict p{font-size:17px;margin:4px 0}
        .findings{padding-left:20px}.finding{border:1px solid var(--line);border-radius:6px;padding:12px 16px;margin:0 0 16px;break-inside:avoid}.finding.effect{margin-left:32px;border-style:dashed}
        .badge{display:inline-block;font-size:12px;font-weight:600;text-transform:uppercase;color:#fff;border-radius:3px;padding:1px 6px;vertical-align:2px}
        .badge.critical{background:var(--crit)}.badge.warning{background:var(--warn)}.badge.info{background:var(--info)}
        code.rule{font-size:12px;color:var(--muted)}table{border-collapse:collapse;width:100%;font-size:14px}
        th,td{border-bottom:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top;word-break:break-word}.evidence th{width:32%;font-weight:500;color:var(--muted)}
        pre{position:relative;background:var(--code);border:1px solid var(--line);border-radius:4px;padding:8px 12px;overflow-x:auto;white-space:pre-wrap;overflow-wrap:anywhere}
        pre.copyable{padding-right:76px}
        button.copy{position:absolute;top:6px;right:6px;font-size:12px;border:1px solid var(--line);background:#fff;border-radius:4px;padding:2px 8px;cursor:pointer}
        .status.ok{color:var(--ok)}.status.failed,.status.forbidden{color:var(--crit)}.status.partial{color:var(--warn)}.status.skipped{color:var(--muted)}
        footer{margin-top:32px;color:var(--muted);font-size:13px}
        @media print{button.copy{display:none}main{max-width:none;padding:0}a{color:inherit}.finding{border-color:#999}}
        """;
}
