using System.Text.Json.Serialization;
using DnsExpert.Contract;

namespace DnsExpert.History;

/// <summary>A filter over the history; every field optional. Newest first.</summary>
public sealed record DiagnosisQuery
{
    public string? Namespace { get; init; }

    /// <summary>The caller's scope: only diagnoses whose target is in one of these namespaces; null for every diagnosis.</summary>
    public IReadOnlyList<string>? InNamespaces { get; init; }
    public string? Pod { get; init; }
    public string? RuleId { get; init; }
    public DateTimeOffset? Since { get; init; }

    /// <summary>Page size.</summary>
    public int Limit { get; init; } = 50;

    /// <summary>Where the previous page ended (its <c>nextCursor</c>).</summary>
    public DiagnosisCursor? After { get; init; }
}

/// <summary>A position in the newest-first order: the last item of a page.</summary>
public sealed record DiagnosisCursor(long CreatedAtMs, string Id)
{
    public string Encode() => Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{CreatedAtMs}:{Id}")).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static bool TryDecode(string? text, out DiagnosisCursor? cursor)
    {
        cursor = null;
        if (string.IsNullOrEmpty(text) || text.Length > 128)
        {
            return false;
        }

        try
        {
            var padded = text.Replace('-', '+').Replace('_', '/');
            padded += new string('=', (4 - (padded.Length % 4)) % 4);
            var plain = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(padded));
            var colon = plain.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && long.TryParse(plain.AsSpan(0, colon), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var ms)
                && plain.Length - colon - 1 is > 0 and <= 64)
            {
                cursor = new DiagnosisCursor(ms, plain[(colon + 1)..]);
                return true;
            }
        }
        catch (FormatException)
        {
        }

        return false;
    }
}

/// <summary>One line of the history list.</summary>
public sealed class DiagnosisSummary
{
    public required string Id { get; init; }
    public required DiagnosisStatus Status { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? CompletedAt { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public TargetRef? Target { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Domain { get; init; }

    /// <summary>The most important finding's rule id and severity.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? TopRuleId { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Severity? TopSeverity { get; init; }

    /// <summary>Every rule that fired, ranked.</summary>
    public required IReadOnlyList<string> RuleIds { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? DurationMs { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Error { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyDictionary<string, string>? Links { get; set; }
}

/// <summary>A page of the history, newest first.</summary>
public sealed class DiagnosisPage
{
    public required IReadOnlyList<DiagnosisSummary> Items { get; init; }

    /// <summary>Pass as <c>cursor</c> for the next page; absent on the last page.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? NextCursor { get; init; }
}
