using System.Globalization;
using System.Text;
using DnsExpert.Core.Text;

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
/// A finding text with <c>{{ expression }}</c> holes, compiled once; rendered per match. The rule author's literal text
/// is kept as written; every value from a fact goes through the field's <see cref="HoleEncoding"/>.
/// </summary>
internal sealed class CompiledTemplate
{
    /// <summary>At most this many characters of one value (a log line, a Corefile line); longer ones end in "…".</summary>
    public const int MaxValueLength = 2_000;

    /// <summary>At most this many characters of rendered text (a cause, an evidence line); a command is never cut, its values are.</summary>
    public const int MaxTextLength = 8_000;

    private readonly IReadOnlyList<object> _parts; // string literals and Func<object[], object?> holes
    private readonly HoleEncoding _encoding;

    public CompiledTemplate(IReadOnlyList<object> parts, HoleEncoding encoding)
    {
        _parts = parts;
        _encoding = encoding;
    }

    public string Render(object[] facts)
    {
        var sb = new StringBuilder();
        foreach (var (literal, value) in Pieces(facts))
        {
            sb.Append(literal ?? (_encoding == HoleEncoding.ShellWord ? ShellWords.Quote(value) : value));
            if (_encoding == HoleEncoding.Text && sb.Length > MaxTextLength)
            {
                return Cut(sb.ToString(), MaxTextLength);
            }
        }

        return sb.ToString();
    }

    /// <summary>The template in order: each literal as written, or the value of a hole as one clean line (not yet quoted).</summary>
    internal IEnumerable<(string? Literal, string? Value)> Pieces(object[] facts)
    {
        foreach (var part in _parts)
        {
            if (part is string literal)
            {
                yield return (literal, null);
                continue;
            }

            object? value;
            try
            {
                value = ((Func<object[], object?>)part)(facts);
            }
            catch (NullReferenceException)
            {
                value = null;
            }

            // A placeholder for an unknown value (<pod>) is DnsExpert's own text, written as it is for the user to replace.
            if (value is Hypotheses.Placeholder placeholder)
            {
                yield return (placeholder.Text, null);
                continue;
            }

            yield return (null, Cut(DisplayText.Line(Format(value)), MaxValueLength));
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
