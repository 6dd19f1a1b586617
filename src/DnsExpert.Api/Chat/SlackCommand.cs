using DnsExpert.Contract;

namespace DnsExpert.Api.Chat;

/// <summary>
/// The text of <c>/dns</c>: <c>&lt;namespace&gt;/&lt;pod&gt; &lt;name&gt; [error text]</c>, or <c>help</c>. The request it
/// makes is checked by <see cref="RequestValidator"/>, as the REST API checks one, and its problems are said in the
/// command's terms.
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
    public static bool IsHelp(string? text) => string.IsNullOrWhiteSpace(text) || text.Trim().Equals("help", StringComparison.OrdinalIgnoreCase);

    /// <summary>The request <paramref name="text"/> asks for, or what is wrong with it.</summary>
    public static (DiagnosisRequest? Request, IReadOnlyList<string> Errors) Parse(string text, RequestLimits limits)
    {
        var rest = text.Trim();
        var pod = NextWord(ref rest);
        var name = NextWord(ref rest);
        var slash = pod.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == pod.Length - 1 || name.Length == 0)
        {
            return (null, [slash <= 0 || slash == pod.Length - 1
                ? $"`{Shown(pod)}` is not `<namespace>/<pod>`"
                : "the DNS name to diagnose is missing"]);
        }

        var request = new DiagnosisRequest
        {
            Target = new TargetRef { Namespace = pod[..slash], Pod = pod[(slash + 1)..] },
            Domain = name,
            Symptom = rest.Length > 0 ? new Symptom { ErrorMessage = rest } : null,
        };
        var errors = RequestValidator.Validate(request, limits)
            .SelectMany(e => e.Value.Select(message => $"{Field(e.Key, request)} {message}"))
            .ToList();
        return errors.Count == 0 ? (request, []) : (null, errors);
    }

    private static string NextWord(ref string rest)
    {
        var end = rest.IndexOfAny([' ', '\t', '\n', '\r']);
        var word = end < 0 ? rest : rest[..end];
        rest = end < 0 ? "" : rest[end..].TrimStart();
        return word;
    }

    /// <summary>A validator field (<c>target.pod</c>) as the user typed it.</summary>
    private static string Field(string field, DiagnosisRequest request) => field switch
    {
        "target.namespace" => $"the namespace `{Shown(request.Target!.Namespace!)}`",
        "target.pod" => $"the pod `{Shown(request.Target!.Pod!)}`",
        "domain" => $"the name `{Shown(request.Domain!)}`",
        "symptom.errorMessage" => "the error text",
        _ => field,
    };

    /// <summary>What the user typed, cut, escaped for Slack and without backticks (it is shown inside code spans).</summary>
    private static string Shown(string value) => Rendering.Escaping.SlackText.Inline((value.Length > 80 ? value[..80] + "…" : value).Replace('`', '\''));
}
