using System.Text;
using System.Text.Json.Nodes;
using DnsExpert.Contract;
using DnsExpert.Rendering.Escaping;
using DnsExpert.Text;

namespace DnsExpert.Rendering;

/// <summary>
/// A diagnosis as a Microsoft Teams message: an Adaptive Card 1.5 in the envelope that incoming webhooks and Workflows
/// take (<c>{"type":"message","attachments":[{"contentType":"application/vnd.microsoft.card.adaptive","content":…}]}</c>).
/// Every value of the response stands in a <c>TextRun</c> of a <c>RichTextBlock</c>, which Adaptive Cards never read as
/// Markdown (a <c>TextBlock</c>'s Markdown has no escape every client honours), with its control characters gone and a
/// bare URL broken (<see cref="BareUrls"/>), and the card carries no <c>msteams.entities</c>: nothing forms a link or a
/// mention. <c>TextBlock</c>s hold only this renderer's own words. The report is linked by <c>Action.OpenUrl</c> when its
/// link is absolute (<see cref="ServiceLinks"/>). The message keeps within Teams' 28 KB: findings that do not fit are
/// counted and left to the report, then fewer checks and shorter texts.
/// </summary>
public static class TeamsReport
{
    /// <summary>The largest message, in bytes of its JSON (Teams refuses a message over 28 KB; a margin is kept).</summary>
    public const int MaxBytes = 27 * 1024;

    public const string CardVersion = "1.5";
    public const string ContentType = "application/vnd.microsoft.card.adaptive";

    /// <summary>Longest text of one run before it is cut; lowered while a message does not fit.</summary>
    private const int RunLength = 1000;

    public static JsonObject Render(DiagnosisResponse response) => response.Status == DiagnosisStatus.Failed
        ? Envelope(new JsonArray(
            Words("The DNS diagnosis failed; nothing was concluded.", subtle: false),
            Rich(new JsonObject { ["type"] = "TextRun", ["text"] = Cut(Text($"Diagnosis {response.Id}: {response.Error}"), RunLength) })),
            ChatButtons.Buttons(response).Where(b => b.Id == "open-report").ToList())
        : Fitting.MostFindingsThatFit(
        response.Findings.Count,
        new (int Checks, int RunLength)[] { (SlackReport.MaxChecks, RunLength), (0, RunLength), (0, 200) }
            .Select(way => (Func<int, JsonObject>)(shown => Message(response, shown, way.Checks, way.RunLength))),
        message => Size(message) <= MaxBytes,
        () => Message(response, 0, 0, 100));

    /// <summary>
    /// A short answer of the service's own (a chat command's usage, refusal or acknowledgement) as a Teams message: one
    /// <c>RichTextBlock</c> per line, every text (typed text included) only in <c>TextRun</c>s as a report's, and buttons.
    /// </summary>
    public static JsonObject Notice(IEnumerable<IReadOnlyList<NoticeRun>> lines, IReadOnlyList<ChatButton> buttons) =>
        Envelope(new JsonArray([.. lines.Select(line => (JsonNode)Rich([.. line.Select(run =>
        {
            var inline = new JsonObject { ["type"] = "TextRun", ["text"] = Cut(Text(run.Text), RunLength) };
            if (run.Code)
            {
                inline["fontType"] = "monospace";
            }

            if (run.Bold)
            {
                inline["weight"] = "bolder";
            }

            return inline;
        })]))]), buttons);

    private static int Size(JsonObject message) => Encoding.UTF8.GetByteCount(message.ToJsonString());

    private static JsonObject Message(DiagnosisResponse response, int findingsShown, int checksShown, int runLength)
    {
        var t = new Runs(runLength);
        var body = new JsonArray
        {
            Rich(t.Run("DNS diagnosis: " + Headline(response), r => { r["size"] = "large"; r["weight"] = "bolder"; })),
            Rich(Runs.Bold("Verdict: "), t.Run(MarkdownReport.Verdict(response, Text, Text))),
            Rich(Runs.Bold("Client error: "), t.Code(response.Classification.Class.Name()), t.Run(" " + response.Classification.Explanation)),
        };

        foreach (var finding in response.Findings.Take(findingsShown))
        {
            body.Add(FindingContainer(finding, t));
        }

        if (findingsShown < response.Findings.Count)
        {
            body.Add(Words($"{response.Findings.Count - findingsShown} more finding(s) in the full report.", subtle: true));
        }

        AddChecks(body, NextCheckItem.From(response), checksShown, t);

        var ruledOut = response.Hypotheses.Where(h => h.Status == HypothesisStatus.RuledOut).Select(h => h.RuleId).ToList();
        if (ruledOut.Count > 0)
        {
            body.Add(Rich(Runs.Bold("Ruled out: "), t.Code(string.Join(", ", ruledOut))));
        }

        var notCollected = string.Join(" · ", response.Collection.Where(c => c.Status != CollectionStatus.Ok).Select(c => $"{c.Source}: {c.Status.ToString().ToLowerInvariant()}"));
        body.Add(Rich(t.Run($"Diagnosis {response.Id}" + (notCollected.Length > 0 ? " · not collected: " + notCollected : ""), r => { r["isSubtle"] = true; r["size"] = "small"; })));

        return Envelope(body, ChatButtons.Buttons(response));
    }

    /// <summary>One finding: its severity, title and rule, cause, the findings it explains or is explained by, five pieces of evidence, and its first fix.</summary>
    private static JsonObject FindingContainer(Finding finding, Runs t)
    {
        var items = new JsonArray
        {
            Rich(t.Run(SeverityLabel(finding.Severity) + " ", r => { r["weight"] = "bolder"; r["color"] = SeverityColor(finding.Severity); }),
                t.Run(finding.Title, r => r["weight"] = "bolder"), t.Run(" ("), t.Code(finding.RuleId), t.Run(")")),
            Rich(t.Run(finding.Cause)),
        };
        foreach (var (label, ids) in new[] { ("Effects: ", finding.Explains), ("Effect of: ", finding.ExplainedBy) })
        {
            if (ids is { Count: > 0 })
            {
                items.Add(Rich(t.Run(label, r => r["italic"] = true), t.Code(string.Join(", ", ids))));
            }
        }

        foreach (var evidence in finding.Evidence.Take(5))
        {
            items.Add(Rich(t.Run("• " + evidence.Source + ": ", r => r["italic"] = true), t.Run(evidence.Detail)));
        }

        if (finding.Remediation.Count > 0 && finding.Remediation[0] is var fix)
        {
            items.Add(Rich(Runs.Bold("Fix: "), t.Run(fix.Summary)));
            if (fix.Command is not null)
            {
                items.Add(Rich(CodeBlock(fix.Command, t.Cut)));
            }
        }

        return new JsonObject { ["type"] = "Container", ["separator"] = true, ["spacing"] = "medium", ["items"] = items };
    }

    /// <summary>The next checks, as many as shown, each with why, the rules it decides and its command; the rest counted.</summary>
    private static void AddChecks(JsonArray body, IReadOnlyList<NextCheckItem> checks, int checksShown, Runs t)
    {
        if (checks.Count == 0)
        {
            return;
        }

        body.Add(new JsonObject { ["type"] = "TextBlock", ["text"] = "Next checks", ["style"] = "heading", ["wrap"] = true, ["separator"] = true });
        body.Add(Words("Send each output back as evidence (outputs[]).", subtle: true));
        foreach (var check in checks.Take(checksShown))
        {
            var ids = check.RuleIds.Take(NextCheckItem.RuleIdsShown).ToList();
            body.Add(Rich(t.Run("• " + check.Check.Why + " ("), t.Code(string.Join(", ", ids)),
                t.Run((check.RuleIds.Count > ids.Count ? $" and {check.RuleIds.Count - ids.Count} more" : "") + ")")));
            body.Add(Rich(CodeBlock(check.Check.Command, t.Cut)));
        }

        if (checks.Count > checksShown)
        {
            body.Add(Words($"{checks.Count - checksShown} more check(s) in the full report.", subtle: true));
        }
    }

    /// <summary>Text runs cut to <paramref name="runLength"/> characters (the message's fit shortens them), plain, styled, in code.</summary>
    private sealed class Runs(int runLength)
    {
        public string Cut(string text) => TeamsReport.Cut(text, runLength);

        public JsonObject Run(string? text, Action<JsonObject>? style = null)
        {
            var run = new JsonObject { ["type"] = "TextRun", ["text"] = Cut(Text(text)) };
            style?.Invoke(run);
            return run;
        }

        public JsonObject Code(string? text) => Run(text, r => r["fontType"] = "monospace");

        public static JsonObject Bold(string words) => new() { ["type"] = "TextRun", ["text"] = words, ["weight"] = "bolder" };
    }

    /// <summary>The card of <paramref name="body"/> with <paramref name="buttons"/>, in the message envelope Teams' webhooks take.</summary>
    private static JsonObject Envelope(JsonArray body, IReadOnlyList<ChatButton> buttons)
    {
        var card = new JsonObject
        {
            ["$schema"] = "http://adaptivecards.io/schemas/adaptive-card.json",
            ["type"] = "AdaptiveCard",
            ["version"] = CardVersion,
            ["fallbackText"] = "A DnsExpert DNS diagnosis: open it in a client that shows Adaptive Cards 1.5.",
            ["body"] = body,
        };
        if (buttons.Count > 0)
        {
            card["actions"] = new JsonArray([.. buttons.Select((b, i) => OpenUrl(b.Title, b.Url, i == 0 ? "positive" : "default"))]);
        }

        return new JsonObject
        {
            ["type"] = "message",
            ["attachments"] = new JsonArray(new JsonObject { ["contentType"] = ContentType, ["contentUrl"] = null, ["content"] = card }),
        };
    }

    /// <summary><paramref name="text"/> within <paramref name="length"/> characters, an ellipsis marking a cut.</summary>
    private static string Cut(string text, int length) => text.Length <= length ? text : text[..(length - 1)] + "…";

    /// <summary>Response text as a run holds it: one line, no control or bidi character, no live URL.</summary>
    private static string Text(string? text) => BareUrls.Break(DisplayText.Line(text));

    /// <summary>A command, its lines kept, in monospace.</summary>
    private static JsonObject CodeBlock(string command, Func<string, string> cut) =>
        new() { ["type"] = "TextRun", ["text"] = cut(DisplayText.Block(command).Trim()), ["fontType"] = "monospace" };

    private static JsonObject Rich(params JsonObject[] inlines) => new() { ["type"] = "RichTextBlock", ["inlines"] = new JsonArray(inlines) };

    /// <summary>This renderer's own words (never response text): a TextBlock.</summary>
    private static JsonObject Words(string text, bool subtle) => new() { ["type"] = "TextBlock", ["text"] = text, ["wrap"] = true, ["isSubtle"] = subtle };

    private static JsonObject OpenUrl(string title, string url, string style) =>
        new() { ["type"] = "Action.OpenUrl", ["title"] = title, ["url"] = url, ["style"] = style };

    /// <summary>The top finding's title, or what the diagnosis says when it has none.</summary>
    internal static string Headline(DiagnosisResponse response) =>
        response.Findings.Count > 0 ? response.Findings[0].Title
        : NextCheckItem.EvidenceDecided(response) ? "no known cause found"
        : "what to check first";

    /// <summary>A severity as a label in capitals.</summary>
    internal static string SeverityLabel(Severity s) => s switch
    {
        Severity.Critical => "CRITICAL",
        Severity.Warning => "WARNING",
        _ => "INFO",
    };

    private static string SeverityColor(Severity s) => s switch
    {
        Severity.Critical => "attention",
        Severity.Warning => "warning",
        _ => "accent",
    };
}

/// <summary>A run of a <see cref="TeamsReport.Notice"/>: its text (shown as it is, on one line, a URL broken), in monospace or bold.</summary>
public sealed record NoticeRun(string Text, bool Code = false, bool Bold = false);
