using System.Globalization;
using System.Text;
using DnsExpert.Contract;
using DnsExpert.Text;

namespace DnsExpert.Rendering;

/// <summary>
/// The failing pod's DNS path as an inline SVG for the HTML report: one column per kind of hop, left to right, fanned
/// out for several CoreDNS pods or upstreams (at most <see cref="MaxPerColumn"/> drawn, then "+k more"). Each hop is
/// coloured by its status and also carries an icon and a dashed or solid outline, so colour is never the only cue; its
/// tooltip and a caption line under the drawing name the finding or probe that says it. Every value from the cluster
/// goes through the report's HTML escaper; there is no script and no style attribute (the page's CSP holds).
/// </summary>
public static class DnsPathSvg
{
    public const int MaxPerColumn = 4;

    private const int ColumnWidth = 200;
    private const int BoxWidth = 172;
    private const int BoxHeight = 62;
    private const int RowGap = 14;
    private const int MoreHeight = 22;
    private const int Top = 44;
    /// <summary>Most characters of a name or address in a box: its monospace font keeps them within the box whatever the letters.</summary>
    private const int NameChars = 22;
    private const int TooltipChars = 400;

    /// <summary>A <c>figure</c> with the drawing and one caption line per drawn hop; empty for an empty path.</summary>
    public static string Render(IReadOnlyList<DnsPathHop> path)
    {
        var columns = HopKinds.InOrder.Select(kind => path.Where(h => h.Kind == kind).ToList()).Where(c => c.Count > 0).ToList();
        if (columns.Count == 0)
        {
            return "";
        }

        var rows = columns.Max(c => Math.Min(c.Count, MaxPerColumn));
        var more = columns.Any(c => c.Count > MaxPerColumn);
        var innerHeight = rows * BoxHeight + (rows - 1) * RowGap + (more ? MoreHeight : 0);
        var width = columns.Count * ColumnWidth;
        var height = Top + innerHeight + 8;

        var sb = new StringBuilder(4 * 1024);
        sb.Append("<figure class=\"dns-path\"><svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-labelledby=\"dns-path-title\" viewBox=\"0 0 ")
          .Append(N(width)).Append(' ').Append(N(height)).Append("\" width=\"").Append(N(width)).Append("\" height=\"").Append(N(height)).Append("\">")
          .Append("<title id=\"dns-path-title\">The failing pod's DNS path, hop by hop</title>");
        Legend(sb);

        // Where each drawn box is, per column, for the edges.
        var placed = new List<List<(int X, int Y)>>();
        for (var c = 0; c < columns.Count; c++)
        {
            var shown = Math.Min(columns[c].Count, MaxPerColumn);
            var columnHeight = shown * BoxHeight + (shown - 1) * RowGap;
            var y0 = Top + (rows * BoxHeight + (rows - 1) * RowGap - columnHeight) / 2;
            placed.Add(Enumerable.Range(0, shown).Select(i => (c * ColumnWidth + 8, y0 + i * (BoxHeight + RowGap))).ToList());
        }

        for (var c = 0; c + 1 < placed.Count; c++)
        {
            foreach (var (x1, y1) in placed[c])
            {
                foreach (var (x2, y2) in placed[c + 1])
                {
                    sb.Append("<line class=\"edge\" x1=\"").Append(N(x1 + BoxWidth)).Append("\" y1=\"").Append(N(y1 + BoxHeight / 2))
                      .Append("\" x2=\"").Append(N(x2)).Append("\" y2=\"").Append(N(y2 + BoxHeight / 2)).Append("\"/>");
                }
            }
        }

        for (var c = 0; c < columns.Count; c++)
        {
            for (var i = 0; i < placed[c].Count; i++)
            {
                Box(sb, columns[c][i], placed[c][i].X, placed[c][i].Y);
            }

            if (columns[c].Count > MaxPerColumn)
            {
                var (x, y) = placed[c][^1];
                sb.Append("<text class=\"more\" x=\"").Append(N(x + BoxWidth / 2)).Append("\" y=\"").Append(N(y + BoxHeight + 16)).Append("\">+")
                  .Append(N(columns[c].Count - MaxPerColumn)).Append(" more</text>");
            }
        }

        sb.Append("</svg><figcaption><ol class=\"path-steps\">");
        foreach (var column in columns)
        {
            foreach (var hop in column.Take(MaxPerColumn))
            {
                var status = StatusName(hop.Status);
                sb.Append("<li class=\"").Append(status).Append("\"><span class=\"hop-status ").Append(status).Append("\">").Append(Icon(hop.Status)).Append(' ').Append(status)
                  .Append("</span> <strong>").Append(KindLabel(hop.Kind)).Append("</strong> ").Append(HtmlReport.E(Named(hop))).Append(": ").Append(Reasons(hop, link: true)).Append("</li>");
            }

            if (column.Count > MaxPerColumn)
            {
                var hidden = column.Skip(MaxPerColumn).ToList();
                sb.Append("<li class=\"more\">+").Append(N(hidden.Count)).Append(" more ").Append(KindLabel(column[0].Kind)).Append(" hops (")
                  .AppendJoin(", ", Enum.GetValues<HopStatus>().Select(s => (s, n: hidden.Count(h => h.Status == s))).Where(t => t.n > 0).Select(t => $"{N(t.n)} {StatusName(t.s)}"))
                  .Append(")</li>");
            }
        }

        sb.Append("</ol></figcaption></figure>");
        return sb.ToString();
    }

    private static void Legend(StringBuilder sb)
    {
        var x = 8;
        foreach (var status in new[] { HopStatus.Failed, HopStatus.Healthy, HopStatus.Unverified })
        {
            var name = StatusName(status);
            sb.Append("<g class=\"legend ").Append(name).Append("\"><rect class=\"box\" x=\"").Append(N(x)).Append("\" y=\"8\" width=\"22\" height=\"18\" rx=\"4\"/>")
              .Append("<text class=\"icon\" x=\"").Append(N(x + 11)).Append("\" y=\"21\">").Append(Icon(status)).Append("</text>")
              .Append("<text class=\"label\" x=\"").Append(N(x + 28)).Append("\" y=\"21\">").Append(name).Append("</text></g>");
            x += 120;
        }
    }

    private static void Box(StringBuilder sb, DnsPathHop hop, int x, int y)
    {
        var status = StatusName(hop.Status);
        sb.Append("<g class=\"hop ").Append(status).Append("\" data-kind=\"").Append(HtmlReport.E(hop.Kind)).Append("\" data-status=\"").Append(status).Append("\">")
          .Append("<title>").Append(HtmlReport.E(Shorten($"{KindLabel(hop.Kind)} {Named(hop)}: {status}. {Reasons(hop)}", TooltipChars))).Append("</title>")
          .Append("<rect class=\"box\" x=\"").Append(N(x)).Append("\" y=\"").Append(N(y)).Append("\" width=\"").Append(N(BoxWidth)).Append("\" height=\"").Append(N(BoxHeight)).Append("\" rx=\"6\"/>")
          .Append("<text class=\"kind\" x=\"").Append(N(x + 10)).Append("\" y=\"").Append(N(y + 18)).Append("\">").Append(Icon(hop.Status)).Append(' ').Append(KindLabel(hop.Kind)).Append("</text>")
          .Append("<text class=\"name\" x=\"").Append(N(x + 10)).Append("\" y=\"").Append(N(y + 36)).Append("\">").Append(HtmlReport.E(MiddleCut(BoxName(hop), NameChars))).Append("</text>");
        if (hop.Address is { } address && address != hop.Name)
        {
            sb.Append("<text class=\"address\" x=\"").Append(N(x + 10)).Append("\" y=\"").Append(N(y + 53)).Append("\">").Append(HtmlReport.E(MiddleCut(address, NameChars))).Append("</text>");
        }

        sb.Append("</g>");
    }

    /// <summary>The findings and probes that say it, for a caption line (rule ids link to their finding) or a tooltip.</summary>
    private static string Reasons(DnsPathHop hop, bool link = false)
    {
        if (hop.Because.Count == 0)
        {
            return link ? "nothing collected says either way" : "Nothing collected says either way.";
        }

        var parts = hop.Because.Select(b =>
        {
            var who = (b.RuleId, b.Probe) switch
            {
                (not null, not null) => $"{b.RuleId}, {b.Probe}",
                (not null, null) => b.RuleId,
                (null, not null) => b.Probe,
                _ => null,
            };
            if (!link)
            {
                return who is null ? DisplayText.Line(b.Detail) : $"{DisplayText.Line(b.Detail)} ({DisplayText.Line(who)})";
            }

            var detail = HtmlReport.E(Shorten(b.Detail, TooltipChars));
            var rule = b.RuleId is null ? "" : $"<a href=\"#{HtmlReport.E(b.RuleId)}\"><code>{HtmlReport.E(b.RuleId)}</code></a>";
            var probe = b.Probe is null ? "" : $"<code>{HtmlReport.E(b.Probe)}</code>";
            var sources = string.Join(", ", new[] { rule, probe }.Where(s => s.Length > 0));
            return sources.Length == 0 ? detail : $"{detail} ({sources})";
        });
        return string.Join(link ? "; " : " ", parts);
    }

    /// <summary>In the box, an object's name without its namespace (the tooltip and the caption have both).</summary>
    private static string BoxName(DnsPathHop hop) =>
        hop.Kind is HopKinds.Upstream || hop.Name.LastIndexOf('/') is var slash && (slash < 0 || slash == hop.Name.Length - 1) ? hop.Name : hop.Name[(slash + 1)..];

    private static string Named(DnsPathHop hop) => hop.Address is { } a && a != hop.Name ? $"{hop.Name} ({a})" : hop.Name;

    /// <summary>At most <paramref name="max"/> characters of one clean line, never half a surrogate pair.</summary>
    private static string Shorten(string text, int max)
    {
        var line = DisplayText.Line(text);
        if (line.Length <= max)
        {
            return line;
        }

        var cut = char.IsHighSurrogate(line[max - 2]) ? max - 2 : max - 1;
        return string.Concat(line.AsSpan(0, cut), "…");
    }

    /// <summary>
    /// At most <paramref name="max"/> characters of one clean line, cut in the middle: a pod's name differs from its
    /// siblings' at its end (<c>coredns-5d78c9869d-abcde</c>), so both ends are kept; never half a surrogate pair.
    /// </summary>
    private static string MiddleCut(string text, int max)
    {
        var line = DisplayText.Line(text);
        if (line.Length <= max)
        {
            return line;
        }

        var head = (max - 1) / 2;
        var tail = max - 1 - head;
        head -= char.IsHighSurrogate(line[head - 1]) ? 1 : 0;
        var from = line.Length - tail;
        from += char.IsLowSurrogate(line[from]) ? 1 : 0;
        return string.Concat(line.AsSpan(0, head), "…", line.AsSpan(from));
    }

    private static string KindLabel(string kind) => kind switch
    {
        HopKinds.Pod => "Pod",
        HopKinds.NodeLocal => "NodeLocal DNSCache",
        HopKinds.KubeDns => "kube-dns Service",
        HopKinds.CoreDns => "CoreDNS pod",
        HopKinds.Upstream => "Upstream",
        _ => "Hop",
    };

    private static string StatusName(HopStatus status) => status switch
    {
        HopStatus.Failed => "failed",
        HopStatus.Healthy => "healthy",
        _ => "unverified",
    };

    private static string Icon(HopStatus status) => status switch
    {
        HopStatus.Failed => "✕",
        HopStatus.Healthy => "✓",
        _ => "?",
    };

    private static string N(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>The drawing's styles, for the report's nonce'd style element (no style attributes under the CSP).</summary>
    public const string Css = """
        .dns-path{margin:0}.dns-path svg{max-width:100%;height:auto;font:12px system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
        .dns-path .edge{stroke:#98a2b3;stroke-width:1.5}
        .dns-path .box{stroke-width:2;fill:#f2f4f7;stroke:#667085;stroke-dasharray:5 3}
        .dns-path .failed .box{fill:#fef3f2;stroke:var(--crit);stroke-dasharray:none;stroke-width:3}
        .dns-path .healthy .box{fill:#ecfdf3;stroke:var(--ok);stroke-dasharray:none}
        .dns-path .kind{font-weight:600}.dns-path .failed .kind,.dns-path .failed .icon{fill:var(--crit)}.dns-path .healthy .kind,.dns-path .healthy .icon{fill:var(--ok)}
        .dns-path .icon{text-anchor:middle;font-weight:700}.dns-path .address{fill:var(--muted)}.dns-path .name,.dns-path .address{font:11px ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,monospace}.dns-path .more{text-anchor:middle;fill:var(--muted)}
        .path-steps{padding-left:20px;font-size:14px}.path-steps li{margin:2px 0;word-break:break-word}
        .hop-status{font-weight:600}.hop-status.failed{color:var(--crit)}.hop-status.healthy{color:var(--ok)}.hop-status.unverified{color:var(--muted)}
        """;
}
