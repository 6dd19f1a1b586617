using System.Reflection;

namespace DnsExpert.Facts;

/// <summary>
/// The string property holds one of a closed set of values: the <c>const string</c> fields of <see cref="Values"/>
/// (declared in <c>FactValues.cs</c>). Rule files compare such properties with literals (<c>Kind == "forward-loop"</c>), and a
/// literal outside the set would load and never fire: the rule compiler (and with it <c>dnsexpert rules lint</c>)
/// refuses it, naming the allowed values.
/// </summary>
[AttributeUsage(AttributeTargets.Property, Inherited = true)]
public sealed class OneOfAttribute(Type values) : Attribute
{
    /// <summary>The static class whose <c>const string</c> fields are the allowed values.</summary>
    public Type Values { get; } = values;

    /// <summary>The allowed values, in the order they are declared.</summary>
    public IReadOnlyList<string> Allowed => ValuesOf(Values);

    /// <summary>The <c>const string</c> fields of <paramref name="values"/>, in the order they are declared.</summary>
    public static IReadOnlyList<string> ValuesOf(Type values) =>
        values.GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f is { IsLiteral: true } && f.FieldType == typeof(string))
            .Select(f => (string)f.GetRawConstantValue()!)
            .ToList();

    /// <summary>The set <paramref name="property"/> is declared to hold, or null when it is open.</summary>
    public static IReadOnlyList<string>? AllowedFor(PropertyInfo property) =>
        property.GetCustomAttribute<OneOfAttribute>(inherit: true)?.Allowed;
}
