using System.Globalization;
using System.Text;
using DnsExpert.Text;

namespace DnsExpert.Engine.Compilation;

/// <summary>How a template writes the value of a hole: the field it renders decides.</summary>
internal enum HoleEncoding
{
    /// <summary>Text (cause, evidence, summary, snippet, ticket): one line, without control characters.</summary>
    Text,

    /// <summary>A copyable command: one shell word per value (<see cref="ShellWords.Quote"/>), never code.</summary>
    ShellWord,
}

/// <summary>
/// A hole of a template: its expression as written, compiled; for a command, the kind of value it must give and the
/// placeholder written instead of a value that is missing or not of that kind.
/// </summary>
internal sealed record TemplateHole(string Expression, Func<object[], object?> Value, CommandValueKind Kind = CommandValueKind.NameOrAddress, string Placeholder = "<value>");

/// <summary>
/// A finding text with <c>{{ expression }}</c> holes, compiled once; rendered per match. The rule author's literal text
/// is kept as written; every value from a fact goes through the field's <see cref="HoleEncoding"/>. A hole that throws
/// (a rule's arithmetic overflows) fails only itself: it is written as <see cref="FailedHole"/> (in a command, as its
/// placeholder) and a note says so.
/// </summary>
internal sealed class CompiledTemplate
{
    /// <summary>At most this many characters of one value (a log line, a Corefile line); longer ones end in "…".</summary>
    public const int MaxValueLength = 2_000;

    /// <summary>At most this many characters of rendered text (a cause, an evidence line); a command is never cut, its values are.</summary>
    public const int MaxTextLength = 8_000;

    /// <summary>What a text shows in place of a hole whose expression threw.</summary>
    public const string FailedHole = "[template failed]";

    private readonly IReadOnlyList<object> _parts; // string literals and TemplateHoles
    private readonly HoleEncoding _encoding;

    public CompiledTemplate(IReadOnlyList<object> parts, HoleEncoding encoding)
    {
        _parts = parts;
        _encoding = encoding;
        Debug = encoding == HoleEncoding.ShellWord ? Commands.DebugShape.Of(parts) : null;
    }

    /// <summary>
    /// The words of a <c>kubectl debug</c> command template, read from the rule's own text once (null for any other
    /// template): what <see cref="Commands.DebugCommands"/> renders the cluster's own form from, value by value.
    /// </summary>
    internal Commands.DebugShape? Debug { get; }

    /// <summary>
    /// The text for <paramref name="facts"/>; <paramref name="failures"/> receives why a hole failed, and
    /// <paramref name="placeholders"/> why a command has a placeholder where a value from the cluster was (it was not a
    /// name or an address of its kind).
    /// </summary>
    public string Render(object[] facts, ICollection<string>? failures = null, ICollection<string>? placeholders = null)
    {
        var sb = new StringBuilder();
        foreach (var (literal, value) in Pieces(facts, failures, placeholders))
        {
            sb.Append(literal ?? (_encoding == HoleEncoding.ShellWord ? ShellWords.Quote(value) : value));
            if (_encoding == HoleEncoding.Text && sb.Length > MaxTextLength)
            {
                return Cut(sb.ToString(), MaxTextLength);
            }
        }

        return sb.ToString();
    }

    /// <summary>
    /// The template in order: each literal as written, or the value of a hole as one clean line (not yet quoted). In a
    /// command, a placeholder (<c>&lt;pod&gt;</c>) comes as a literal: the value was unknown, failed or not of its kind.
    /// </summary>
    internal IEnumerable<(string? Literal, string? Value)> Pieces(object[] facts, ICollection<string>? failures = null, ICollection<string>? placeholders = null) =>
        Pieces(_parts, facts, failures, placeholders);

    /// <summary>
    /// <paramref name="parts"/>, a run of this template's own parts (a word of a <see cref="Debug"/> shape), as a command
    /// writes them: each value one shell word; on OpenShift (<paramref name="oc"/>) a command substitution of DnsExpert's
    /// own text (the rule's literal, a <see cref="Commands.ShellCommand"/>) runs <c>oc</c>, never a value's text.
    /// </summary>
    private string RenderPart(IReadOnlyList<object> parts, object[] facts, bool oc = false)
    {
        var sb = new StringBuilder();
        foreach (var (literal, value) in Pieces(parts, facts, null, null))
        {
            sb.Append(literal is null ? ShellWords.Quote(value) : oc ? literal.Replace("$(kubectl ", "$(oc ", StringComparison.Ordinal) : literal);
        }

        return sb.ToString();
    }

    /// <summary>
    /// The command this template renders over <paramref name="facts"/> (<paramref name="written"/>, as the caller rendered
    /// it) as the cluster <paramref name="known"/> describes can run it, and a note for the person (null when none)
    /// (<see cref="Commands.DebugCommands"/>): a template that is no <c>kubectl debug</c> command of a form
    /// <see cref="Commands.DebugShape"/> knows stays as written. Each word is rendered from its own parts.
    /// </summary>
    internal (string Command, string? Note) ForCluster(object[] facts, string written, Commands.KnownValues known)
    {
        if (Debug is not { } shape)
        {
            return (written, null);
        }

        string? Part(IReadOnlyList<object>? parts, bool oc = false) => parts is null ? null : RenderPart(parts, facts, oc);
        var pod = shape.OnNode ? null : Commands.DebugCommands.Plain(PlainValue(shape.Target, facts)) is { } name
            && (shape.Namespace is null ? "default" : Commands.DebugCommands.Plain(PlainValue(shape.Namespace, facts))) is { } ns
            ? known.DebugPods.GetValueOrDefault($"{ns}/{name}") : null;
        return Commands.DebugCommands.ForCluster(new Commands.DebugCommands.DebugCommand(written, shape.OnNode, Part(shape.Target)!, Part(shape.Target, oc: true)!,
            Part(shape.Namespace), Part(shape.Namespace, oc: true), Part(shape.Image)!, Part(shape.Container), Part(shape.Run)!.TrimEnd(), pod), known);
    }

    /// <summary>The value of a word that is one hole (before quoting), or the word's text when it is all the rule's own; null otherwise (a placeholder).</summary>
    private string? PlainValue(IReadOnlyList<object> parts, object[] facts) =>
        parts is [string literal] ? literal : parts is [TemplateHole] && Pieces(parts, facts, null, null).Single() is (null, var value) ? value : null;

    private IEnumerable<(string? Literal, string? Value)> Pieces(IReadOnlyList<object> parts, object[] facts, ICollection<string>? failures, ICollection<string>? placeholders)
    {
        foreach (var part in parts)
        {
            if (part is string literal)
            {
                yield return (literal, null);
                continue;
            }

            var hole = (TemplateHole)part;
            object? value;
            Exception? failure = null;
            try
            {
                value = hole.Value(facts);
            }
            catch (NullReferenceException)
            {
                value = null;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                (value, failure) = (null, ex);
            }

            if (failure is not null)
            {
                failures?.Add($"the rule's template {{{{ {hole.Expression} }}}} failed ({failure.GetType().Name}: {DisplayText.Line(failure.Message)})");
                yield return _encoding == HoleEncoding.ShellWord ? (hole.Placeholder, null) : (FailedHole, null);
                continue;
            }

            // A placeholder for an unknown value (<pod>) is DnsExpert's own text, written as it is for the user to replace.
            if (value is Commands.Placeholder placeholder)
            {
                yield return (placeholder.Text, null);
                continue;
            }

            // A command DnsExpert built from checked, quoted values (known.CorefileEditCommand) is written as it is.
            if (value is Commands.ShellCommand command && _encoding == HoleEncoding.ShellWord)
            {
                foreach (var refused in command.Refused ?? [])
                {
                    placeholders?.Add(refused);
                }

                yield return (command.Text, null);
                continue;
            }

            var text = Cut(DisplayText.Line(Format(value)), MaxValueLength);
            if (_encoding == HoleEncoding.ShellWord && (text.Length == 0 || text == hole.Placeholder || !CommandValue.Fits(text, hole.Kind)))
            {
                if (text.Length > 0 && text != hole.Placeholder)
                {
                    placeholders?.Add($"{hole.Placeholder} is left to fill in: the value found there is not {CommandValue.Describe(hole.Kind)}");
                }

                yield return (hole.Placeholder, null);
                continue;
            }

            yield return (null, text);
        }
    }

    private static string Cut(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";

    private static string Format(object? value) => value switch
    {
        null => "",
        string s => s,
        double d => d.ToString("0.##", CultureInfo.InvariantCulture),
        float f => f.ToString("0.##", CultureInfo.InvariantCulture),
        DateTimeOffset t => t.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        System.Collections.IEnumerable list => string.Join(", ", list.Cast<object?>().Select(Format)),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
