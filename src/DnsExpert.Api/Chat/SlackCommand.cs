using DnsExpert.Contract;

namespace DnsExpert.Api.Chat;

/// <summary>
/// The text of <c>/dns</c> (<see cref="ChatCommand"/>) in Slack's terms: its usage in mrkdwn, and its problems with
/// each typed value escaped in a code span.
/// </summary>
public static class SlackCommand
{
    /// <summary>The help text (<c>/dns help</c>, and after every mistake).</summary>
    public static string Usage(string command) =>
        $"""
        *Usage:* `{command} <namespace>/<pod> <name> [error text]`
        Diagnoses why the pod cannot resolve the name, from the cluster as it is now; the result is posted here when it is ready.
        • `<namespace>/<pod>`: the pod that fails, such as `shop/web-7d9f8-abcde`
        • `<name>`: the DNS name it looks up, such as `orders.shop.svc.cluster.local` or `api.example.com`
        • `[error text]`: what the application said, such as `getaddrinfo EAI_AGAIN orders`
        `{command} help` shows this.
        """;

    /// <summary>True when the text asks for help (or is empty).</summary>
    public static bool IsHelp(string? text) => ChatCommand.IsHelp(text);

    /// <summary>The request <paramref name="text"/> asks for, or what is wrong with it, each typed value in a code span.</summary>
    public static (DiagnosisRequest? Request, IReadOnlyList<string> Errors) Parse(string text, RequestLimits limits) =>
        ChatCommand.Parse(text, limits, Code, "`<namespace>/<pod>`");

    /// <summary>A value in a code span: escaped for Slack, without backticks (which would close it).</summary>
    private static string Code(string value) => $"`{Rendering.Escaping.SlackText.Inline(value.Replace('`', '\''))}`";
}
