using System.Globalization;
using System.Text;

namespace DnsExpert.Engine.Compilation;

/// <summary>A finding text with <c>{{ expression }}</c> holes, compiled once; rendered per match.</summary>
internal sealed class CompiledTemplate
{
    private readonly IReadOnlyList<object> _parts; // string literals and Func<object[], object?> holes

    public CompiledTemplate(IReadOnlyList<object> parts) => _parts = parts;

    public string Render(object[] facts)
    {
        var sb = new StringBuilder();
        foreach (var part in _parts)
        {
            if (part is string literal)
            {
                sb.Append(literal);
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

            sb.Append(Format(value));
        }

        return sb.ToString();
    }

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
