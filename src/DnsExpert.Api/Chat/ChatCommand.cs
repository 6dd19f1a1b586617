using DnsExpert.Contract;

namespace DnsExpert.Api.Chat;

/// <summary>
/// A chat command's words, the same on every platform (Slack's <c>/dns</c>, a Teams mention):
/// <c>&lt;namespace&gt;/&lt;pod&gt; &lt;name&gt; [error text]</c>, or <c>help</c>. The request it makes is checked by
/// <see cref="RequestValidator"/>, as the REST API checks one, and its problems are said in the command's terms, each
/// value the user typed cut and shown by the platform's <c>code</c> (its escaping and quoting).
/// </summary>
public static class ChatCommand
{
    /// <summary>Longest part of a typed value a problem quotes.</summary>
    public const int Quoted = 80;

    /// <summary>True when the text asks for help (or is empty).</summary>
    public static bool IsHelp(string? text) => string.IsNullOrWhiteSpace(text) || text.Trim().Equals("help", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The request <paramref name="text"/> asks for, or what is wrong with it; <paramref name="code"/> shows a value the
    /// user typed (already cut to <see cref="Quoted"/> characters) in the platform's markup, and
    /// <paramref name="podSyntax"/> is <c>&lt;namespace&gt;/&lt;pod&gt;</c> as the platform's usage writes it.
    /// </summary>
    public static (DiagnosisRequest? Request, IReadOnlyList<string> Errors) Parse(string text, RequestLimits limits, Func<string, string> code, string podSyntax)
    {
        string Typed(string value) => code(value.Length > Quoted ? value[..Quoted] + "…" : value);

        var rest = text.Trim();
        var pod = NextWord(ref rest);
        var name = NextWord(ref rest);
        var slash = pod.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == pod.Length - 1 || name.Length == 0)
        {
            return (null, [slash <= 0 || slash == pod.Length - 1
                ? $"{Typed(pod)} is not {podSyntax}"
                : "the DNS name to diagnose is missing"]);
        }

        var request = new DiagnosisRequest
        {
            Target = new TargetRef { Namespace = pod[..slash], Pod = pod[(slash + 1)..] },
            Domain = name,
            Symptom = rest.Length > 0 ? new Symptom { ErrorMessage = rest } : null,
        };
        var errors = RequestValidator.Validate(request, limits)
            .SelectMany(e => e.Value.Select(message => $"{Field(e.Key, request, Typed)} {message}"))
            .ToList();
        return errors.Count == 0 ? (request, []) : (null, errors);
    }

    /// <summary>The next word of <paramref name="rest"/> (split at any whitespace), which loses it.</summary>
    public static string NextWord(ref string rest)
    {
        var end = rest.IndexOfAny([' ', '\t', '\n', '\r']);
        var word = end < 0 ? rest : rest[..end];
        rest = end < 0 ? "" : rest[end..].TrimStart();
        return word;
    }

    /// <summary>A validator field (<c>target.pod</c>) as the user typed it.</summary>
    private static string Field(string field, DiagnosisRequest request, Func<string, string> typed) => field switch
    {
        "target.namespace" => $"the namespace {typed(request.Target!.Namespace!)}",
        "target.pod" => $"the pod {typed(request.Target!.Pod!)}",
        "domain" => $"the name {typed(request.Domain!)}",
        "symptom.errorMessage" => "the error text",
        _ => field,
    };
}
