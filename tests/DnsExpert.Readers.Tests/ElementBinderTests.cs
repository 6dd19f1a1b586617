using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DnsExpert.Readers.Building;
using DnsExpert.Readers.Objects;
using DnsExpert.Testing;
using k8s;

namespace DnsExpert.Readers.Tests;

/// <summary>
/// The slim models bound from the parsed element (<see cref="ElementBinder"/>) are what the serializer reads from the
/// element's text, for every object of the repository's requests and fixtures and for hostile variants of them; where
/// the binder gives up, <see cref="ModelJson.Read{T}"/> reads with the serializer and fails as it does.
/// </summary>
public sealed class ElementBinderTests
{
    private static readonly Dictionary<string, Func<JsonElement, object?>> ByKind = new(StringComparer.Ordinal)
    {
        ["Pod"] = e => Both<Pod>(e), ["Service"] = e => Both<Service>(e), ["Endpoints"] = e => Both<Endpoints>(e),
        ["EndpointSlice"] = e => Both<EndpointSlice>(e), ["ConfigMap"] = e => Both<ConfigMap>(e), ["Deployment"] = e => Both<Deployment>(e),
        ["DaemonSet"] = e => Both<DaemonSet>(e), ["StatefulSet"] = e => Both<StatefulSet>(e), ["Node"] = e => Both<Node>(e),
        ["NetworkPolicy"] = e => Both<NetworkPolicy>(e), ["Namespace"] = e => Both<Namespace>(e), ["PodMetrics"] = e => Both<PodMetrics>(e),
        ["NodeMetrics"] = e => Both<NodeMetrics>(e), ["Event"] = e => Both<CoreEvent>(e), ["events.k8s.io"] = e => Both<EventsEvent>(e),
    };

    private static int _bound;

    /// <summary>
    /// The object both ways: the same model written back, or the same exception (type and message) from
    /// <see cref="ModelJson.Read{T}"/> and the serializer alone. Returns whether the binder bound it itself.
    /// </summary>
    private static object? Both<T>(JsonElement json)
    {
        string Outcome(Func<T> read)
        {
            try
            {
                return JsonSerializer.Serialize(read(), ModelJson.Options.GetTypeInfo(typeof(T)));
            }
            catch (Exception ex)
            {
                return $"{ex.GetType().Name}: {ex.Message}";
            }
        }

        Assert.Equal(Outcome(() => ModelJson.ReadBySerializer<T>(json)), Outcome(() => ModelJson.Read<T>(json)));
        if (ElementBinder.TryBind(json, ModelJson.Options.GetTypeInfo(typeof(T)), out _))
        {
            Interlocked.Increment(ref _bound);
        }

        return null;
    }

    private static IEnumerable<JsonElement> Objects(JsonElement element)
    {
        if (element.ValueKind == JsonValueKind.Object && element.TryGetProperty("items", out var items) && items.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in items.EnumerateArray().SelectMany(Objects))
            {
                yield return item;
            }
        }
        else if (element.ValueKind == JsonValueKind.Object && element.TryGetProperty("snapshot", out var snapshot) && snapshot.ValueKind == JsonValueKind.Object
            && snapshot.TryGetProperty("objects", out var objects) && objects.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in objects.EnumerateArray().SelectMany(Objects))
            {
                yield return item;
            }
        }
        else if (element.ValueKind == JsonValueKind.Object && element.TryGetProperty("kind", out var kind) && kind.ValueKind == JsonValueKind.String)
        {
            yield return element;
        }
    }

    private static void Check(JsonElement item)
    {
        // A variant whose kind was replaced is still the pod it was.
        var kind = item.TryGetProperty("kind", out var k) && k.ValueKind == JsonValueKind.String ? k.GetString()! : "Pod";
        if (kind == "Event" && item.TryGetProperty("apiVersion", out var api) && api.ValueKind == JsonValueKind.String && api.GetString()!.StartsWith("events.k8s.io/", StringComparison.Ordinal))
        {
            kind = "events.k8s.io";
        }

        if (ByKind.TryGetValue(kind, out var both))
        {
            both(item);
        }
    }

    [Fact]
    public void Every_object_of_the_repository_binds_as_the_serializer_reads_it()
    {
        var files = new[] { Path.Combine("src", "DnsExpert.Api", "Samples"), Path.Combine("tests", "scenarios"), Path.Combine("tests", "realworld"), Path.Combine("tests", "fixtures") }
            .SelectMany(d => Directory.EnumerateFiles(Path.Combine(RepoPaths.Root, d), "*.json", SearchOption.AllDirectories));
        var checkedObjects = 0;
        var before = _bound;
        foreach (var file in files)
        {
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(File.ReadAllBytes(file));
            }
            catch (JsonException)
            {
                continue;
            }

            using (document)
            {
                foreach (var item in Objects(document.RootElement))
                {
                    Check(item);
                    checkedObjects++;
                }
            }
        }

        Assert.True(checkedObjects > 1_000, $"{checkedObjects} objects checked");
        // Nearly all bound by the binder itself: the test would pass vacuously if it gave every object up.
        Assert.True(_bound - before > checkedObjects * 9 / 10, $"{_bound - before} of {checkedObjects} bound");
    }

    /// <summary>Values of every JSON kind for a member: the binder takes those the serializer takes, and gives the others up.</summary>
    private static readonly string[] Values =
    [
        "null", "true", "false", "0", "-1", "2147483648", "1.5", "1e2", "\"\"", "\"x\"", "\"\\u0041\"", "\"8080\"", "[]", "[null]", "[1]", "[\"a\",null]", "{}",
        "{\"a\":null}", "{\"a\":1}", "{\"a\":\"b\",\"a\":\"c\"}", "\"2024-05-12T06:02:41Z\"", "\"2024-05-12T06:02:41.123456Z\"", "\"2024-05-12T06:02:41+02:00\"",
        "\"2024-02-30T06:02:41Z\"", "\"2024-05-12T24:00:00Z\"", "\"0000-05-12T06:02:41Z\"", "\"2024-05-12t06:02:41Z\"", "\"100m\"", "\"1Gi\"", "\"-\"",
    ];

    [Fact]
    public void Every_member_of_every_model_given_every_kind_of_value_reads_as_the_serializer_reads_it()
    {
        var pod = JsonNode.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "tests", "fixtures", "kubectl-json", "pod-with-env.json")))!;
        foreach (var (path, _) in Members(pod, "$"))
        {
            foreach (var value in Values)
            {
                var variant = pod.DeepClone();
                Set(variant, path, JsonNode.Parse(value));
                using var document = JsonDocument.Parse(variant.ToJsonString());
                Check(document.RootElement);
            }
        }

        // Names escaped, and a member twice (the serializer decides which counts).
        foreach (var text in new[]
        {
            """{"kind":"Pod","metadata":{"n\u0061me":"a","namespace":"b"}}""",
            """{"kind":"Pod","metadata":{"name":"a","name":"b"}}""",
            """{"kind":"Pod","metadata":{"labels":{"a":"1","a":"2"}}}""",
            """{"kind":"Pod","metadata":{"labels":{"\u0061":"1","a":"2"}}}""",
            """{"kind":"Pod","spec":{"containers":[{"ports":[{"containerPort":53},{"containerPort":null}]}]}}""",
            """{"kind":"Service","spec":{"ports":[{"port":"53"}]}}""",
            """{"kind":"NetworkPolicy","spec":{"egress":[{"ports":[{"port":53},{"port":"dns"},{"port":null},{"port":true}]}]}}""",
            """{"kind":"Node","status":{"allocatable":{"cpu":"1","memory":null,"pods":110}}}""",
            """{"kind":"Event","count":null,"lastTimestamp":null,"series":{"count":2,"lastObservedTime":"2024-05-12T06:02:41.000001Z"}}""",
        })
        {
            using var document = JsonDocument.Parse(text);
            Check(document.RootElement);
        }
    }

    [Fact]
    public void An_object_nested_deeper_than_the_serializer_reads_is_refused_as_it_refuses_it()
    {
        foreach (var depth in new[] { 60, 62, 63, 64, 65, 80 })
        {
            // Inside a member the models do not read, and with brackets and escaped quotes in strings on the way.
            var nested = new StringBuilder();
            for (var i = 0; i < depth; i++)
            {
                nested.Append(i % 3 == 0 ? "{\"x\\\"{[\":" : i % 3 == 1 ? "[" : "{\"y\":");
            }

            nested.Append('0');
            for (var i = depth - 1; i >= 0; i--)
            {
                nested.Append(i % 3 == 1 ? ']' : '}');
            }

            var text = """{"kind":"Pod","metadata":{"name":"a"},"unread":""" + nested + "}";
            using var document = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = 200 });
            Check(document.RootElement);
            var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(text), new JsonReaderOptions { MaxDepth = 64 });
            var refused = false;
            try
            {
                while (reader.Read())
                {
                }
            }
            catch (JsonException)
            {
                refused = true;
            }

            Assert.Equal(refused, ElementBinder.TooDeep(Encoding.UTF8.GetBytes(text), 64));
        }
    }

    [Fact]
    public void Dates_read_as_KubernetesClients_converter_reads_them()
    {
        var converter = new KubernetesJson.KubernetesDateTimeConverter();
        var options = new JsonSerializerOptions { Converters = { converter } };
        var random = new Random(22);
        var texts = new List<string> { "2024-02-29T23:59:59Z", "2023-02-29T00:00:00Z", "9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z", "2024-05-12T06:02:60Z" };
        for (var i = 0; i < 2_000; i++)
        {
            texts.Add(string.Create(CultureInfo.InvariantCulture, $"{random.Next(0, 10_000):D4}-{random.Next(0, 14):D2}-{random.Next(0, 33):D2}T{random.Next(0, 26):D2}:{random.Next(0, 62):D2}:{random.Next(0, 62):D2}Z"));
        }

        foreach (var text in texts)
        {
            DateTime? theirs;
            try
            {
                theirs = JsonSerializer.Deserialize<DateTime>(JsonSerializer.Serialize(text), options);
            }
            catch (FormatException)
            {
                theirs = null;
            }

            var ours = ElementBinder.DateUtc(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(text)));
            if (ours is { } value)
            {
                Assert.Equal((text, theirs, DateTimeKind.Utc), (text, (DateTime?)value, value.Kind));
            }
            else
            {
                // Left to the converter: only what it refuses, or reads some other way.
                Assert.True(theirs is null || text.Contains("T24", StringComparison.Ordinal) || text.EndsWith(":60Z", StringComparison.Ordinal) || text.StartsWith("0000", StringComparison.Ordinal), text);
            }
        }
    }

    private static IEnumerable<(string Path, JsonNode? Node)> Members(JsonNode? node, string path)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, child) in obj)
                {
                    yield return ($"{path}.{key}", child);
                    foreach (var inner in Members(child, $"{path}.{key}"))
                    {
                        yield return inner;
                    }
                }

                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    foreach (var inner in Members(array[i], $"{path}[{i}]"))
                    {
                        yield return inner;
                    }
                }

                break;
        }
    }

    private static void Set(JsonNode root, string path, JsonNode? value)
    {
        var parts = System.Text.RegularExpressions.Regex.Matches(path[1..], @"\.([^.\[]+)|\[(\d+)\]", System.Text.RegularExpressions.RegexOptions.NonBacktracking);
        var node = root;
        for (var i = 0; i < parts.Count - 1; i++)
        {
            node = parts[i].Groups[1].Success ? node[parts[i].Groups[1].Value]! : node[int.Parse(parts[i].Groups[2].Value, CultureInfo.InvariantCulture)]!;
        }

        var last = parts[^1];
        if (last.Groups[1].Success)
        {
            node[last.Groups[1].Value] = value;
        }
        else
        {
            node[int.Parse(last.Groups[2].Value, CultureInfo.InvariantCulture)] = value;
        }
    }
}
