using System.Collections;
using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using k8s;

namespace DnsExpert.Readers.Building;

/// <summary>
/// A snapshot object's slim model (<see cref="ModelJson"/>) bound straight from its parsed <see cref="JsonElement"/>,
/// walking the element's index instead of tokenising its text a second time: the request read already parsed every
/// object, and the serializer would read its bytes again, whitespace and unread fields included. Binds by the same
/// contract (<see cref="ModelJson.Options"/>' type infos: names, setters, converters) the common forms only (objects,
/// lists, string-keyed dictionaries, strings, integers, booleans); every other value (dates, quantities, ports) is read
/// by the serializer itself from its own bytes. Anything it would not bind exactly as the serializer does (a value of
/// another JSON kind, a duplicate member or key, a null where a converter decides, a nesting deeper than the
/// serializer's MaxDepth) makes it give up, and the caller reads the object with the serializer, which then fails or
/// reads it as before.
/// </summary>
internal static class ElementBinder
{
    private static readonly ConcurrentDictionary<Type, Plan> Plans = new();

    /// <summary>The object bound from <paramref name="json"/>; false when the serializer must read it instead.</summary>
    public static bool TryBind(JsonElement json, JsonTypeInfo info, out object? value)
    {
        value = null;
        if (TooDeep(JsonMarshal.GetRawUtf8Value(json), info.Options.EffectiveMaxDepth()))
        {
            return false;
        }

        try
        {
            return PlanOf(info).TryBind(json, out value);
        }
        catch (Exception)
        {
            // A string not valid UTF-8, a converter's refusal, anything else: the serializer reads it, and fails as before.
            value = null;
            return false;
        }
    }

    private static int EffectiveMaxDepth(this JsonSerializerOptions options) => options.MaxDepth == 0 ? 64 : options.MaxDepth;

    /// <summary>
    /// Does the value nest deeper than <paramref name="maxDepth"/> (the serializer refuses it, even inside a member it
    /// skips)? Fewer opening brackets than that, anywhere, cannot; else the brackets outside strings are followed.
    /// </summary>
    internal static bool TooDeep(ReadOnlySpan<byte> raw, int maxDepth)
    {
        if (raw.Count((byte)'{') + raw.Count((byte)'[') <= maxDepth)
        {
            return false;
        }

        var depth = 0;
        var i = 0;
        while (i < raw.Length)
        {
            var next = raw[i..].IndexOfAny(Structure);
            if (next < 0)
            {
                return false;
            }

            i += next;
            switch (raw[i])
            {
                case (byte)'"':
                    // To the string's closing quote: a quote after an odd run of backslashes is escaped.
                    i++;
                    while (true)
                    {
                        var end = raw[i..].IndexOfAny((byte)'"', (byte)'\\');
                        if (end < 0)
                        {
                            return false;
                        }

                        i += end;
                        if (raw[i] == '"')
                        {
                            break;
                        }

                        i += 2;
                    }

                    break;
                case (byte)'{' or (byte)'[':
                    if (++depth > maxDepth)
                    {
                        return true;
                    }

                    break;
                default:
                    depth--;
                    break;
            }

            i++;
        }

        return false;
    }

    private static readonly System.Buffers.SearchValues<byte> Structure = System.Buffers.SearchValues.Create("\"{}[]"u8);

    /// <summary>The UTC time of a date token the binder reads itself; null when KubernetesClient's converter reads it.</summary>
    internal static DateTime? DateUtc(ReadOnlySpan<byte> token) => DatePlan.Utc(token);

    private static Func<object> Constructor(Type type) =>
        typeof(ElementBinder).GetMethod(nameof(New), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
            .MakeGenericMethod(type).CreateDelegate<Func<object>>();

    private static object New<T>()
        where T : new() => new T();

    private static Plan PlanOf(JsonTypeInfo info) => Plans.GetOrAdd(info.Type, static (_, i) => Plan.For(i), info);

    /// <summary>How one type's values are bound.</summary>
    private abstract class Plan
    {
        public abstract bool TryBind(JsonElement json, out object? value);

        public static Plan For(JsonTypeInfo info)
        {
            var type = info.Type;
            // The serializer's own converters only: one in the options (a date's, a quantity's) is the serializer's to run.
            var builtIn = info.Converter.GetType().Assembly == typeof(JsonSerializer).Assembly;
            if (type == typeof(string) && builtIn)
            {
                return new StringPlan();
            }

            if ((type == typeof(int) || type == typeof(int?) || type == typeof(bool) || type == typeof(bool?)) && builtIn)
            {
                return new ScalarPlan(type);
            }

            if ((type == typeof(DateTime) || type == typeof(DateTime?)) && info.Options.GetConverter(typeof(DateTime)) is KubernetesJson.KubernetesDateTimeConverter)
            {
                return new DatePlan(info);
            }

            if (info.Kind == JsonTypeInfoKind.Object && info.CreateObject is not null && !type.IsValueType && info.Properties.Count <= 32
                && info.Properties.All(p => p.Set is not null && !p.IsExtensionData && p.CustomConverter is null)
                && info.OnDeserializing is null && info.OnDeserialized is null)
            {
                return new ObjectPlan(info);
            }

            if (info.Kind == JsonTypeInfoKind.Enumerable && info.ElementType is { } element && type.IsInterface
                && type.IsAssignableFrom(typeof(List<>).MakeGenericType(element)))
            {
                return new ListPlan(typeof(List<>).MakeGenericType(element), info.Options.GetTypeInfo(element));
            }

            if (info.Kind == JsonTypeInfoKind.Dictionary && info.KeyType == typeof(string) && info.ElementType is { } valueType && type.IsInterface
                && type.IsAssignableFrom(typeof(Dictionary<,>).MakeGenericType(typeof(string), valueType)))
            {
                return new DictionaryPlan(typeof(Dictionary<,>).MakeGenericType(typeof(string), valueType), info.Options.GetTypeInfo(valueType));
            }

            return new SerializerPlan(info);
        }
    }

    /// <summary>A string, or null.</summary>
    private sealed class StringPlan : Plan
    {
        public override bool TryBind(JsonElement json, out object? value)
        {
            value = json.ValueKind switch
            {
                JsonValueKind.String => json.GetString(),
                _ => null,
            };
            return json.ValueKind is JsonValueKind.String or JsonValueKind.Null;
        }
    }

    /// <summary>An integer or a boolean, nullable or not: only from the token the serializer reads it from.</summary>
    private sealed class ScalarPlan(Type type) : Plan
    {
        private readonly bool _nullable = Nullable.GetUnderlyingType(type) is not null;
        private readonly bool _integer = type == typeof(int) || type == typeof(int?);

        public override bool TryBind(JsonElement json, out object? value)
        {
            value = null;
            switch (json.ValueKind)
            {
                case JsonValueKind.Null:
                    return _nullable;
                case JsonValueKind.Number when _integer && json.TryGetInt32(out var number):
                    value = number;
                    return true;
                case JsonValueKind.True or JsonValueKind.False when !_integer:
                    value = json.ValueKind == JsonValueKind.True;
                    return true;
                default:
                    return false;
            }
        }
    }

    /// <summary>A class of the contract: its members by their JSON names, every other member skipped unread.</summary>
    private sealed class ObjectPlan : Plan
    {
        private readonly JsonTypeInfo _info;
        private readonly (byte[] Name, JsonPropertyInfo Property)[] _members;
        private Plan[]? _plans;

        public ObjectPlan(JsonTypeInfo info)
        {
            _info = info;
            _members = [.. info.Properties.Select(p => (System.Text.Encoding.UTF8.GetBytes(p.Name), p))];
        }

        // The members' plans once first used: the types nest (a pod template holds a pod spec).
        private Plan[] Plans => _plans ??= [.. _members.Select(m => PlanOf(_info.Options.GetTypeInfo(m.Property.PropertyType)))];

        public override bool TryBind(JsonElement json, out object? value)
        {
            value = null;
            if (json.ValueKind == JsonValueKind.Null)
            {
                return true;
            }

            if (json.ValueKind != JsonValueKind.Object)
            {
                return false;
            }

            var plans = Plans;
            var target = _info.CreateObject!();
            var seen = 0u;
            foreach (var member in json.EnumerateObject())
            {
                var index = IndexOf(member);
                if (index < 0)
                {
                    continue;
                }

                // A member twice: the serializer decides which counts.
                if ((seen & (1u << index)) != 0 || !plans[index].TryBind(member.Value, out var memberValue))
                {
                    return false;
                }

                seen |= 1u << index;
                _members[index].Property.Set!(target, memberValue);
            }

            value = target;
            return true;
        }

        private int IndexOf(JsonProperty member)
        {
            // A name as it lies in the text when it has no escape (nearly always), else as the serializer unescapes it.
            var raw = JsonMarshal.GetRawUtf8PropertyName(member);
            var escaped = raw.Contains((byte)'\\');
            for (var i = 0; i < _members.Length; i++)
            {
                if (escaped ? member.NameEquals(_members[i].Name) : raw.SequenceEqual(_members[i].Name))
                {
                    return i;
                }
            }

            return -1;
        }
    }

    /// <summary>A list or a dictionary, made of the type the serializer makes for the member's interface; or null.</summary>
    private abstract class CollectionPlan(Type type, JsonTypeInfo element, JsonValueKind kind) : Plan
    {
        private readonly Func<object> _create = Constructor(type);
        private Plan? _element;

        public override bool TryBind(JsonElement json, out object? value)
        {
            value = null;
            if (json.ValueKind == JsonValueKind.Null)
            {
                return true;
            }

            var collection = _create();
            if (json.ValueKind != kind || !Fill(json, collection, _element ??= PlanOf(element)))
            {
                return false;
            }

            value = collection;
            return true;
        }

        /// <summary>Adds the element's items to <paramref name="collection"/>; false when one cannot be bound.</summary>
        protected abstract bool Fill(JsonElement json, object collection, Plan element);
    }

    /// <summary>A list (an <c>IList&lt;T&gt;</c> member, made a <see cref="List{T}"/> as the serializer makes it).</summary>
    private sealed class ListPlan(Type listType, JsonTypeInfo element) : CollectionPlan(listType, element, JsonValueKind.Array)
    {
        protected override bool Fill(JsonElement json, object collection, Plan element)
        {
            var list = (IList)collection;
            foreach (var item in json.EnumerateArray())
            {
                if (!element.TryBind(item, out var itemValue))
                {
                    return false;
                }

                list.Add(itemValue);
            }

            return true;
        }
    }

    /// <summary>A string-keyed dictionary (made a <see cref="Dictionary{TKey, TValue}"/> as the serializer makes it).</summary>
    private sealed class DictionaryPlan(Type dictionaryType, JsonTypeInfo element) : CollectionPlan(dictionaryType, element, JsonValueKind.Object)
    {
        protected override bool Fill(JsonElement json, object collection, Plan element)
        {
            var dictionary = (IDictionary)collection;
            foreach (var member in json.EnumerateObject())
            {
                var key = member.Name;
                // A key twice: the serializer decides which counts.
                if (dictionary.Contains(key) || !element.TryBind(member.Value, out var memberValue))
                {
                    return false;
                }

                dictionary.Add(key, memberValue);
            }

            return true;
        }
    }

    /// <summary>
    /// A date as the API server writes it, <c>2024-05-12T06:02:41Z</c> (RFC 3339 in UTC, whole seconds), which
    /// KubernetesClient's converter reads as that UTC time; any other form, or a null, its converter reads.
    /// </summary>
    private sealed class DatePlan(JsonTypeInfo info) : Plan
    {
        private readonly SerializerPlan _serializer = new(info);

        public override bool TryBind(JsonElement json, out object? value)
        {
            if (json.ValueKind == JsonValueKind.String && Utc(JsonMarshal.GetRawUtf8Value(json)) is { } utc)
            {
                value = utc;
                return true;
            }

            return _serializer.TryBind(json, out value);
        }

        /// <summary>The time of <c>"yyyy-MM-ddTHH:mm:ssZ"</c> (the token, quotes included); null for any other text.</summary>
        internal static DateTime? Utc(ReadOnlySpan<byte> token)
        {
            if (token.Length != 22 || token[5] != '-' || token[8] != '-' || token[11] != 'T' || token[14] != ':' || token[17] != ':' || token[20] != 'Z')
            {
                return null;
            }

            static int Digits(ReadOnlySpan<byte> token, int start, int count)
            {
                var n = 0;
                for (var i = start; i < start + count; i++)
                {
                    var d = token[i] - '0';
                    if ((uint)d > 9)
                    {
                        return -1;
                    }

                    n = (n * 10) + d;
                }

                return n;
            }

            var (year, month, day, hour, minute, second) = (Digits(token, 1, 4), Digits(token, 6, 2), Digits(token, 9, 2), Digits(token, 12, 2), Digits(token, 15, 2), Digits(token, 18, 2));
            return year >= 1 && month is >= 1 and <= 12 && day >= 1 && day <= DateTime.DaysInMonth(year, month)
                && hour is >= 0 and <= 23 && minute is >= 0 and <= 59 && second is >= 0 and <= 59
                ? new DateTime(year, month, day, hour, minute, second, DateTimeKind.Utc)
                : null;
        }
    }

    /// <summary>Any other value (a date, a quantity, a port), or a null where its converter decides: the serializer reads its bytes.</summary>
    private sealed class SerializerPlan(JsonTypeInfo info) : Plan
    {
        public override bool TryBind(JsonElement json, out object? value)
        {
            value = JsonSerializer.Deserialize(JsonMarshal.GetRawUtf8Value(json), info);
            return true;
        }
    }
}
