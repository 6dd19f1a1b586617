using System.Buffers;
using System.Globalization;
using System.Text.Json;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace DnsExpert.Readers.Parsing;

/// <summary>
/// <c>kubectl get -o yaml</c> output, as people paste it (<c>kubectl get cm coredns -n kube-system -o yaml</c> is how a
/// Corefile is usually shown), turned into the JSON <c>-o json</c> prints, so one reader takes both. Read as a stream
/// of YAML events (YamlDotNet's parser, one pass, no object graph): plain scalars typed as YAML 1.2's core schema types
/// them (null, booleans, integers, floats; kubectl quotes the strings that would read otherwise), quoted and block
/// scalars as strings, mapping keys always strings. What kubectl never prints is refused rather than guessed: aliases
/// (which could expand a small text into a large one), complex keys, nesting deeper than the JSON reader takes. Several
/// documents (<c>---</c>) become a <c>List</c>.
/// </summary>
public static class KubectlYaml
{
    /// <summary>Whether <paramref name="text"/> looks like a Kubernetes object in YAML (pasted without its command).</summary>
    public static bool LooksLikeObjects(string text)
    {
        var start = text.AsSpan().TrimStart();
        return start.StartsWith("kind:", StringComparison.Ordinal)
               || ((start.StartsWith("apiVersion:", StringComparison.Ordinal) || start.StartsWith("---", StringComparison.Ordinal))
                   && text.Contains("\nkind:", StringComparison.Ordinal));
    }

    /// <summary>The JSON of <paramref name="yaml"/>, or why it cannot be read (with the line).</summary>
    public static (string? Json, string? Problem) ToJson(string yaml, int maxDepth = 64)
    {
        var buffer = new ArrayBufferWriter<byte>(Math.Min(yaml.Length + 64, 1 << 20));
        int documents;
        try
        {
            using var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true });
            documents = Write(new Parser(new StringReader(yaml)), writer, maxDepth);
        }
        catch (YamlException ex)
        {
            return (null, $"not readable as YAML at line {ex.Start.Line}: {Reason(ex)}");
        }
        catch (Refused refused)
        {
            return (null, refused.Message);
        }

        // The documents were written as one array: one document is its only item, several a List.
        var written = buffer.WrittenSpan;
        return documents switch
        {
            0 => (null, "no YAML document in the output"),
            1 => (System.Text.Encoding.UTF8.GetString(written[1..^1]), null),
            _ => ("{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":" + System.Text.Encoding.UTF8.GetString(written) + "}", null),
        };
    }

    private sealed class Refused(string message) : Exception(message);

    /// <summary>Writes the documents that hold something as the items of one array; returns how many there were.</summary>
    private static int Write(Parser parser, Utf8JsonWriter items, int maxDepth)
    {
        var nesting = new Nesting(items, maxDepth);
        items.WriteStartArray();
        while (parser.MoveNext())
        {
            nesting.Write(parser.Current!);
        }

        items.WriteEndArray();
        return nesting.Documents;
    }

    /// <summary>
    /// Where the writing is among the YAML's mappings and sequences: how deep, whether each open one is a mapping and
    /// whether it expects a key next; and how many documents that hold something were written.
    /// </summary>
    private sealed class Nesting(Utf8JsonWriter items, int maxDepth)
    {
        private readonly Stack<bool> _inMapping = new();
        private readonly Stack<bool> _expectKey = new();
        private int _depth;

        public int Documents { get; private set; }

        /// <summary>One parsing event written as JSON (a key as a property name, a scalar as a typed value).</summary>
        public void Write(ParsingEvent current)
        {
            var isKey = _inMapping.Count > 0 && _inMapping.Peek() && _expectKey.Peek();
            switch (current)
            {
                case MappingStart:
                    Nest(current, isKey, mapping: true);
                    items.WriteStartObject();
                    break;
                case SequenceStart:
                    Nest(current, isKey, mapping: false);
                    items.WriteStartArray();
                    break;
                case MappingEnd:
                    items.WriteEndObject();
                    Leave();
                    break;
                case SequenceEnd:
                    items.WriteEndArray();
                    Leave();
                    break;
                case Scalar scalar when isKey:
                    items.WritePropertyName(scalar.Value);
                    _expectKey.Push(!_expectKey.Pop());
                    break;
                case Scalar when _depth == 0:
                    // A document that is a bare scalar (an empty one, "---" alone) holds no object.
                    break;
                case Scalar scalar:
                    Value(items, scalar);
                    Flip();
                    break;
                case AnchorAlias alias:
                    throw new Refused($"YAML alias *{Bounded(alias.Value.Value)} at line {alias.Start.Line}: kubectl prints none, and an alias can expand a short text into a large one; paste the -o json output");
            }
        }

        private void Nest(ParsingEvent current, bool key, bool mapping)
        {
            if (key)
            {
                throw new Refused($"a mapping or sequence used as a key at line {current.Start.Line}: not Kubernetes YAML");
            }

            if (_depth++ == 0)
            {
                Documents++;
            }

            if (_depth > maxDepth)
            {
                throw new Refused($"YAML nested deeper than {maxDepth} levels at line {current.Start.Line}");
            }

            _inMapping.Push(mapping);
            _expectKey.Push(mapping);
        }

        private void Leave()
        {
            _depth--;
            _inMapping.Pop();
            _expectKey.Pop();
            Flip();
        }

        private void Flip()
        {
            if (_inMapping.Count > 0 && _inMapping.Peek())
            {
                _expectKey.Push(!_expectKey.Pop());
            }
        }
    }

    /// <summary>A scalar value: plain ones typed by YAML 1.2's core schema, every other style a string.</summary>
    private static void Value(Utf8JsonWriter writer, Scalar scalar)
    {
        var text = scalar.Value;
        if (scalar.Style != ScalarStyle.Plain || !scalar.Tag.IsEmpty)
        {
            writer.WriteStringValue(text);
            return;
        }

        switch (text)
        {
            case "" or "~" or "null" or "Null" or "NULL":
                writer.WriteNullValue();
                return;
            case "true" or "True" or "TRUE":
                writer.WriteBooleanValue(true);
                return;
            case "false" or "False" or "FALSE":
                writer.WriteBooleanValue(false);
                return;
        }

        if (IsDecimalInteger(text))
        {
            if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
            {
                writer.WriteNumberValue(integer);
            }
            else
            {
                // Past 64 bits: the same digits as a JSON number (no '+', no leading zeros), not a rounded double.
                var negative = text[0] == '-';
                var digits = text.AsSpan(text[0] is '-' or '+' ? 1 : 0).TrimStart('0');
                writer.WriteRawValue((negative ? "-" : "") + digits.ToString(), skipInputValidation: true);
            }
        }
        else if (IsFloat(text) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number))
        {
            writer.WriteNumberValue(number);
        }
        else
        {
            writer.WriteStringValue(text);
        }
    }

    /// <summary>[-+]?[0-9]+ (the core schema's decimal integers), at most 1,000 digits.</summary>
    private static bool IsDecimalInteger(string text)
    {
        var digits = text.AsSpan(text.Length > 0 && text[0] is '-' or '+' ? 1 : 0);
        return digits.Length is > 0 and <= 1000 && !digits.ContainsAnyExceptInRange('0', '9');
    }

    /// <summary>[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? (the core schema's floats, without .inf and .nan).</summary>
    private static bool IsFloat(string text)
    {
        var i = text.Length > 0 && text[0] is '-' or '+' ? 1 : 0;
        var (whole, fraction) = (0, 0);
        while (i < text.Length && char.IsAsciiDigit(text[i]))
        {
            (i, whole) = (i + 1, whole + 1);
        }

        if (i < text.Length && text[i] == '.')
        {
            i++;
            while (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                (i, fraction) = (i + 1, fraction + 1);
            }
        }

        if (whole + fraction == 0 || (whole == 0 && fraction == 0))
        {
            return false;
        }

        if (i < text.Length && text[i] is 'e' or 'E')
        {
            i++;
            if (i < text.Length && text[i] is '-' or '+')
            {
                i++;
            }

            var exponent = 0;
            while (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                (i, exponent) = (i + 1, exponent + 1);
            }

            if (exponent == 0)
            {
                return false;
            }
        }

        return i == text.Length;
    }

    private static string Reason(YamlException ex)
    {
        // YamlDotNet's message starts with its own position, "(Line: 3, Col: 5, Idx: 40) - (Line: ...): reason".
        var message = ex.Message;
        var cut = message.LastIndexOf("): ", StringComparison.Ordinal);
        return Bounded(cut >= 0 ? message[(cut + 3)..] : message);
    }

    private static string Bounded(string text) => text.Length <= 120 ? text : text[..119] + "…";
}
