using System.Text.Json.Nodes;
using DnsExpert.Contract;
using DnsExpert.Rendering.Escaping;
using DnsExpert.Text;

namespace DnsExpert.Rendering;

/// <summary>
/// A diagnosis as the body of Jira Cloud's "create issue" (<c>POST /rest/api/3/issue</c>):
/// <c>{"fields":{"summary":…,"description":&lt;ADF doc&gt;,"labels":[…],"priority":{"name":…}}}</c>, the caller adding
/// <c>project</c> and <c>issuetype</c>. The description is an Atlassian Document Format document (version 1): each finding a
/// heading, its cause, its evidence as a table and its remediation commands and snippets as code blocks (their text as
/// it is, to copy). Response text stands only in ADF <c>text</c> nodes, which Jira never reads as markup, with its control
/// characters gone and, outside code blocks, a bare URL broken (<see cref="BareUrls"/>); the only <c>link</c> marks carry
/// the service's own absolute links (<see cref="ServiceLinks"/>), none when the report link is a path. The whole body keeps
/// within Jira's 32,767 characters of a text field: findings that do not fit are counted and left to the report, then
/// fewer rows, checks and shorter texts.
/// </summary>
public static class JiraIssue
{
    /// <summary>The largest body, in characters of its JSON (Jira refuses a description over 32,767; a margin is kept).</summary>
    public const int MaxChars = 32_000;

    /// <summary>Jira's limit on a summary.</summary>
    public const int MaxSummary = 255;

    /// <summary>The label every issue carries, besides the rule ids of its findings.</summary>
    public const string Label = "dnsexpert";

    /// <summary>The ways of fitting tried in order: evidence rows per finding, next checks, longest text.</summary>
    private static readonly (int Rows, int Checks, int TextLength)[] Fits = [(20, int.MaxValue, 4000), (5, NextCheckItem.Shown, 1000), (3, 0, 200)];

    public static JsonObject Render(DiagnosisResponse response) => Fitting.MostFindingsThatFit(
        response.Findings.Count,
        Fits.Select(fit => (Func<int, JsonObject>)(shown => Issue(response, shown, fit))),
        issue => Size(issue) <= MaxChars,
        () => Issue(response, 0, (0, 0, 100)));

    /// <summary>
    /// The priority hint of the most severe finding, in Jira's default scheme: critical is <c>High</c>, not <c>Highest</c>,
    /// because a severity says how strong the evidence is, not how much of the business is down (which the team knows
    /// and raises by hand); a warning <c>Medium</c>; information only, or no finding, <c>Low</c>.
    /// </summary>
    public static string Priority(DiagnosisResponse response) =>
        response.Findings.Count == 0 ? "Low"
        : response.Findings.Max(f => f.Severity) switch
        {
            Severity.Critical => "High",
            Severity.Warning => "Medium",
            _ => "Low",
        };

    private static int Size(JsonObject issue) => issue.ToJsonString().Length;

    private static JsonObject Issue(DiagnosisResponse response, int findingsShown, (int Rows, int Checks, int TextLength) fit)
    {
        var adf = new Fitted(fit);
        var report = ServiceLinks.Absolute(response, "report");
        var content = new JsonArray
        {
            Paragraph(Strong("Verdict: "), adf.Words(MarkdownReport.Verdict(response, Text, Text))),
            Paragraph(Strong("Client error: "), adf.Code(response.Classification.Class.Name()), adf.Words(" " + response.Classification.Explanation)),
        };
        if (report is not null)
        {
            content.Add(Paragraph(Strong("Report: "), Link(report, report)));
        }

        foreach (var finding in response.Findings.Take(findingsShown))
        {
            foreach (var node in FindingNodes(finding, adf))
            {
                content.Add(node);
            }
        }

        if (findingsShown < response.Findings.Count)
        {
            var more = $"{response.Findings.Count - findingsShown} more finding(s) in the full report";
            content.Add(Paragraph(report is not null ? Link(more, report) : Inline(more), Inline(".")));
        }

        foreach (var node in CheckNodes(response, adf))
        {
            content.Add(node);
        }

        var ruledOut = response.Hypotheses.Where(h => h.Status == HypothesisStatus.RuledOut).Select(h => h.RuleId).ToList();
        if (ruledOut.Count > 0)
        {
            content.Add(Paragraph(Strong("Ruled out: "), adf.Code(string.Join(", ", ruledOut))));
        }

        var notCollected = string.Join(" · ", response.Collection.Where(c => c.Status != CollectionStatus.Ok).Select(c => $"{c.Source}: {c.Status.ToString().ToLowerInvariant()}"));
        content.Add(Paragraph(adf.Words($"Diagnosis {response.Id}" + (notCollected.Length > 0 ? " · not collected: " + notCollected : ""))));

        return new JsonObject
        {
            ["fields"] = new JsonObject
            {
                ["summary"] = Summary(response),
                ["description"] = new JsonObject { ["type"] = "doc", ["version"] = 1, ["content"] = content },
                ["labels"] = new JsonArray([.. Labels(response).Select(l => JsonValue.Create(l))]),
                ["priority"] = new JsonObject { ["name"] = Priority(response) },
            },
        };
    }

    /// <summary>One finding: its heading, cause, effects or cause, evidence as a table (the first rows), every fix with its command and snippet.</summary>
    private static IEnumerable<JsonObject> FindingNodes(Finding finding, Fitted adf)
    {
        yield return Node("heading", [Inline($"{TeamsReport.SeverityLabel(finding.Severity)}: "), adf.Words(finding.Title), Inline(" (" + LabelOf(finding.RuleId) + ")")],
            new JsonObject { ["level"] = 3 });
        yield return Paragraph(adf.Words(finding.Cause));
        foreach (var (label, ids) in new[] { ("Effects: ", finding.Explains), ("Effect of: ", finding.ExplainedBy) })
        {
            if (ids is { Count: > 0 })
            {
                yield return Paragraph(Strong(label), adf.Code(string.Join(", ", ids)));
            }
        }

        if (finding.Evidence.Count > 0)
        {
            var rows = new List<JsonNode?> { Node("tableRow", [Cell("tableHeader", Strong("Source")), Cell("tableHeader", Strong("Evidence"))]) };
            foreach (var evidence in finding.Evidence.Take(adf.Fit.Rows))
            {
                rows.Add(Node("tableRow", [Cell("tableCell", adf.Words(evidence.Source)), Cell("tableCell", adf.Words(evidence.Detail))]));
            }

            yield return Node("table", [.. rows]);
            if (finding.Evidence.Count > adf.Fit.Rows)
            {
                yield return Paragraph(Inline($"{finding.Evidence.Count - adf.Fit.Rows} more piece(s) of evidence in the full report.", new JsonObject { ["type"] = "em" }));
            }
        }

        foreach (var fix in finding.Remediation)
        {
            yield return Paragraph(Strong("Fix: "), adf.Words(fix.Summary));
            if (fix.Command is not null)
            {
                yield return adf.CodeBlock(fix.Command, "shell");
            }

            if (fix.Snippet is not null)
            {
                yield return adf.CodeBlock(fix.Snippet, "yaml");
            }
        }
    }

    /// <summary>The next checks, those that decide the most first, each with its command; nothing without checks.</summary>
    private static IEnumerable<JsonObject> CheckNodes(DiagnosisResponse response, Fitted adf)
    {
        var checks = NextCheckItem.From(response);
        if (checks.Count == 0)
        {
            yield break;
        }

        yield return Node("heading", [Inline("Next checks")], new JsonObject { ["level"] = 3 });
        yield return Paragraph(Inline("Send each output back as evidence (outputs[])."));
        if (checks.Take(adf.Fit.Checks).ToList() is { Count: > 0 } shown)
        {
            yield return Node("bulletList", [.. shown.Select(check => Node("listItem",
            [
                Paragraph(adf.Words(check.Check.Why + " "), adf.Code(string.Join(", ", check.RuleIds))),
                adf.CodeBlock(check.Check.Command, "shell"),
            ]))]);
        }

        if (checks.Count > adf.Fit.Checks)
        {
            yield return Paragraph(Inline($"{checks.Count - adf.Fit.Checks} more check(s) in the full report."));
        }
    }

    /// <summary>Text nodes cut to the fit's length: words, inline code and code blocks.</summary>
    private sealed class Fitted((int Rows, int Checks, int TextLength) fit)
    {
        public (int Rows, int Checks, int TextLength) Fit => fit;

        public JsonObject? Words(string? text) => Inline(Cut(Text(text)));

        public JsonObject? Code(string? text) => Inline(Cut(Text(text)), new JsonObject { ["type"] = "code" });

        public JsonObject CodeBlock(string code, string language) =>
            Node("codeBlock", Cut(DisplayText.Block(code).Trim()) is { Length: > 0 } kept ? [new JsonObject { ["type"] = "text", ["text"] = kept }] : [],
                new JsonObject { ["language"] = language });

        private string Cut(string text) => text.Length <= fit.TextLength ? text : text[..(fit.TextLength - 1)] + "…";
    }

    /// <summary>One line of at most 255 characters: <c>DNS: </c> and the headline.</summary>
    private static string Summary(DiagnosisResponse response)
    {
        var summary = "DNS: " + Text(TeamsReport.Headline(response));
        return summary.Length <= MaxSummary ? summary : summary[..(MaxSummary - 1)] + "…";
    }

    /// <summary><c>dnsexpert</c> and each finding's rule id, as Jira labels take them (no space, at most 255 characters).</summary>
    private static IEnumerable<string> Labels(DiagnosisResponse response) =>
        new[] { Label }.Concat(response.Findings.Select(f => LabelOf(f.RuleId))).Where(l => l.Length > 0).Distinct(StringComparer.Ordinal);

    /// <summary>A rule id kept to the characters a label and a code span take plainly.</summary>
    private static string LabelOf(string ruleId)
    {
        var kept = string.Concat(ruleId.Where(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'));
        return kept.Length <= MaxSummary ? kept : kept[..MaxSummary];
    }

    /// <summary>Response text as a text node holds it: one line, no control or bidi character, no live URL.</summary>
    private static string Text(string? text) => BareUrls.Break(DisplayText.Line(text));

    private static JsonObject Node(string type, JsonNode?[] content, JsonObject? attrs = null)
    {
        var node = new JsonObject { ["type"] = type };
        if (attrs is not null)
        {
            node["attrs"] = attrs;
        }

        node["content"] = new JsonArray([.. content.Where(c => c is not null)]);
        return node;
    }

    private static JsonObject Paragraph(params JsonObject?[] inlines) => Node("paragraph", inlines);

    /// <summary>A table cell: a paragraph (a cell must hold a block).</summary>
    private static JsonObject Cell(string type, JsonObject? text) => Node(type, [Paragraph(text)]);

    /// <summary>A text node with its marks; none when the text is empty (ADF refuses an empty text node).</summary>
    private static JsonObject? Inline(string text, params JsonObject[] marks)
    {
        if (text.Length == 0)
        {
            return null;
        }

        var node = new JsonObject { ["type"] = "text", ["text"] = text };
        if (marks.Length > 0)
        {
            node["marks"] = new JsonArray(marks);
        }

        return node;
    }

    /// <summary>This renderer's own words in bold.</summary>
    private static JsonObject? Strong(string words) => Inline(words, new JsonObject { ["type"] = "strong" });

    /// <summary>A link to <paramref name="url"/>, which is always one of <see cref="ServiceLinks"/>: never cluster text.</summary>
    private static JsonObject? Link(string words, string url) =>
        Inline(words, new JsonObject { ["type"] = "link", ["attrs"] = new JsonObject { ["href"] = url } });
}
