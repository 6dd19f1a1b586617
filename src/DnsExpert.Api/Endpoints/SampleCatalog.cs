using System.Text.Json;
using System.Text.RegularExpressions;
using DnsExpert.Api.Hosting;
using DnsExpert.Contract;
using Microsoft.Extensions.Options;

namespace DnsExpert.Api.Endpoints;

/// <summary>A bundled sample request, as listed by <c>GET /api/v1/samples</c>.</summary>
public sealed record SampleInfo(string Name, string Title, string Description);

/// <summary>The sample requests shipped in <c>Samples/</c>: a newcomer sees real findings without a cluster.</summary>
public sealed partial class SampleCatalog(IOptions<DnsExpertOptions> options)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly string _directory = options.Value.SamplesDirectory ?? Path.Combine(AppContext.BaseDirectory, "Samples");
    private IReadOnlyList<SampleInfo>? _index;

    public IReadOnlyList<SampleInfo> List() => _index ??= LoadIndex();

    public bool Exists(string name) => IsValidName(name) && List().Any(s => s.Name == name);

    /// <summary>The raw JSON of a sample request; null when there is no such sample.</summary>
    public string? ReadJson(string name) => Exists(name) ? File.ReadAllText(Path.Combine(_directory, name + ".json")) : null;

    public DiagnosisRequest? Read(string name) => ReadJson(name) is { } json ? JsonSerializer.Deserialize<DiagnosisRequest>(json, Json) : null;

    /// <summary>Sample names are plain kebab-case: nothing a path could be built from.</summary>
    public static bool IsValidName(string name) => name.Length <= 64 && SampleName().IsMatch(name);

    private List<SampleInfo> LoadIndex()
    {
        var path = Path.Combine(_directory, "index.json");
        if (!File.Exists(path))
        {
            return [];
        }

        var entries = JsonSerializer.Deserialize<List<SampleInfo>>(File.ReadAllText(path), Json) ?? [];
        return entries.Where(e => IsValidName(e.Name) && File.Exists(Path.Combine(_directory, e.Name + ".json"))).ToList();
    }

    [GeneratedRegex("^[a-z0-9]+(-[a-z0-9]+)*$", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking)]
    private static partial Regex SampleName();
}
