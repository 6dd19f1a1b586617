using System.Text;
using System.Text.Json.Nodes;
using DnsExpert.Contract;
using DnsExpert.Rendering.Escaping;

namespace DnsExpert.Rendering;

/// <summary>
/// A diagnosis as a Slack Block Kit message: the verdict, then one section per finding with its evidence and the first
/// remediation command. Keeps within Slack's limits (50 blocks, 3000 characters per text, 150 per header). Every value
/// of the response goes through <see cref="SlackText"/>: nothing forms a mention or a link, nothing closes a code block.
/// </summary>
public static class SlackReport
{
    public const int MaxBlocks = 50;
    public const int MaxText = 3000;

    /// <summary>Commands listed under "Next checks" (those that decide the most first); the rest are behind <c>links.checks</c>.</summary>
    public const int MaxChecks = NextCheckItem.Shown;

    public static JsonObject Render(DiagnosisResponse response)
    {
        if (response.Status == DiagnosisStatus.Failed)
        {
            // Nothing was concluded: the message says so and why, not an empty verdict.
            return new JsonObject { ["text"] = $"DNS diagnosis {SlackText.Inline(response.Id)} failed: {SlackText.Inline(response.Error)}" };
        }

        var report = ServiceLinks.Absolute(response, "report");
        var blocks = new JsonArray
        {
            new JsonObject { ["type"] = "header", ["text"] = PlainText(Cut("DNS diagnosis: " + Headline(response), 150)) },
            Section($"*Verdict:* {Verdict(response)}\n*Client error:* `{response.Classification.Class.Name()}` {SlackText.Inline(response.Classification.Explanation)}"),
        };

        for (var i = 0; i < response.Findings.Count; i++)
        {
            var finding = response.Findings[i];
            // Room for what follows: this line, the checks, two context lines and the buttons.
            if (blocks.Count >= MaxBlocks - 6)
            {
                blocks.Add(Section($"_{response.Findings.Count - i} more finding(s) in the {SlackText.Link(report, "full report")}._"));
                break;
            }

            blocks.Add(new JsonObject { ["type"] = "divider" });
            blocks.Add(Section(FindingText(finding)));
        }

        if (ChecksText(response, report) is { } checks)
        {
            blocks.Add(Section(checks));
        }

        var ruledOut = response.Hypotheses.Where(h => h.Status == HypothesisStatus.RuledOut).Select(h => Code(h.RuleId)).ToList();
        if (ruledOut.Count > 0)
        {
            blocks.Add(new JsonObject
            {
                ["type"] = "context",
                ["elements"] = new JsonArray(new JsonObject { ["type"] = "mrkdwn", ["text"] = Cut("Ruled out: " + string.Join(", ", ruledOut), MaxText) }),
            });
        }

        var collection = string.Join(" · ", response.Collection.Where(c => c.Status != CollectionStatus.Ok).Select(c => $"{SlackText.Inline(c.Source)}: {c.Status.ToString().ToLowerInvariant()}"));
        blocks.Add(new JsonObject
        {
            ["type"] = "context",
            ["elements"] = new JsonArray(new JsonObject { ["type"] = "mrkdwn", ["text"] = Cut($"Diagnosis {Code(response.Id)}" + (collection.Length > 0 ? " · not collected: " + collection : ""), MaxText) }),
        });

        if (ChatButtons.Buttons(response) is { Count: > 0 } buttons)
        {
            blocks.Add(new JsonObject
            {
                ["type"] = "actions",
                ["block_id"] = "dnsexpert-links",
                ["elements"] = new JsonArray([.. buttons.Select((b, i) => Button(b, primary: i == 0))]),
            });
        }

        // The top-level text is the notification's, and Slack reads it as mrkdwn too.
        return new JsonObject { ["text"] = Cut(Verdict(response), MaxText), ["blocks"] = blocks };
    }

    /// <summary>One finding: title, cause, its effects or cause, the first evidence and the first fix with its command.</summary>
    private static string FindingText(Finding finding)
    {
        var text = new StringBuilder()
            .Append(Icon(finding.Severity)).Append(" *").Append(SlackText.Inline(finding.Title)).Append("* (").Append(Code(finding.RuleId)).AppendLine(")")
            .AppendLine(SlackText.Inline(finding.Cause));
        foreach (var (label, ids) in new[] { ("Effects", finding.Explains), ("Effect of", finding.ExplainedBy) })
        {
            if (ids is { Count: > 0 })
            {
                text.Append('_').Append(label).Append(":_ ").AppendJoin(", ", ids.Select(Code)).AppendLine();
            }
        }

        foreach (var evidence in finding.Evidence.Take(5))
        {
            text.Append("• _").Append(SlackText.Inline(evidence.Source)).Append("_: ").AppendLine(SlackText.Inline(evidence.Detail));
        }

        if (finding.Remediation.Count > 0 && finding.Remediation[0] is var fix)
        {
            text.Append("*Fix:* ").AppendLine(SlackText.Inline(fix.Summary));
            if (fix.Command is not null)
            {
                text.Append("```").Append(SlackText.Block(fix.Command)).AppendLine("```");
            }
        }

        return text.ToString();
    }

    /// <summary>The checks that decide the most (Slack cannot fold), the rest behind <c>links.checks</c>; null without checks.</summary>
    private static string? ChecksText(DiagnosisResponse response, string? report)
    {
        var checks = NextCheckItem.From(response);
        if (checks.Count == 0)
        {
            return null;
        }

        var text = new StringBuilder("*Next checks* (send each output back as evidence, `outputs[]`):\n");
        foreach (var check in checks.Take(MaxChecks))
        {
            var ids = check.RuleIds.Take(NextCheckItem.RuleIdsShown).ToList();
            text.Append("• ").Append(SlackText.Inline(check.Check.Why)).Append(" (").AppendJoin(", ", ids.Select(Code))
                .Append(check.RuleIds.Count > ids.Count ? $" and {check.RuleIds.Count - ids.Count} more" : "").AppendLine(")")
                .Append("```").Append(SlackText.Block(check.Check.Command)).AppendLine("```");
        }

        if (checks.Count > MaxChecks)
        {
            text.Append('_').Append(checks.Count - MaxChecks).Append(" more check(s)")
                .Append(response.Links?.GetValueOrDefault("checks") is { } all ? ": " + (ServiceLinks.Absolute(all) is not null ? SlackText.Link(all, "all checks") : Code(all)) : " in the " + SlackText.Link(report, "full report")).AppendLine("._");
        }

        return text.ToString();
    }

    /// <summary>A url button (the service's own page: <see cref="ChatButtons.Buttons"/>).</summary>
    private static JsonObject Button(ChatButton button, bool primary)
    {
        var element = new JsonObject { ["type"] = "button", ["action_id"] = button.Id, ["text"] = PlainText(button.Title), ["url"] = button.Url };
        if (primary)
        {
            element["style"] = "primary";
        }

        return element;
    }

    /// <summary>The header's words: the top finding, or whether the evidence decided anything.</summary>
    private static string Headline(DiagnosisResponse response) =>
        response.Findings.Count > 0 ? SlackText.Plain(response.Findings[0].Title)
        : NextCheckItem.EvidenceDecided(response) ? "no known cause found"
        : "what to check first";

    private static string Verdict(DiagnosisResponse response) => MarkdownReport.Verdict(response, SlackText.Inline, Code);

    private static string Code(string? value) => "`" + SlackText.Inline(value) + "`";

    private static JsonObject Section(string mrkdwn) =>
        new() { ["type"] = "section", ["text"] = new JsonObject { ["type"] = "mrkdwn", ["text"] = Cut(mrkdwn, MaxText) } };

    private static JsonObject PlainText(string text) => new() { ["type"] = "plain_text", ["text"] = text };

    private static string Cut(string s, int max) => s.Length <= max ? s : s[..(max - 1)] + "…";

    private static string Icon(Severity s) => s switch
    {
        Severity.Critical => ":red_circle:",
        Severity.Warning => ":large_orange_circle:",
        _ => ":information_source:",
    };
}
