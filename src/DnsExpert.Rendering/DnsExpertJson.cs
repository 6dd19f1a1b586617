using System.Text.Json;
using DnsExpert.Rendering.Escaping;

namespace DnsExpert.Rendering;

/// <summary>
/// The process-wide JSON settings, in one place: how the history stores a request or a diagnosis (<see cref="Stored"/>),
/// and how a diagnosis is written to whoever reads it (<see cref="Responses"/>, as the API answers it; a callback, an
/// alert receiver and the CLI write the same).
/// </summary>
public static class DnsExpertJson
{
    /// <summary>The web defaults (camelCase, case-insensitive reading): what the history keeps and reads back.</summary>
    public static readonly JsonSerializerOptions Stored = new(JsonSerializerDefaults.Web);

    /// <summary>A diagnosis as the API answers it: the web defaults, every string written through <see cref="JsonText"/>.</summary>
    public static readonly JsonSerializerOptions Responses = JsonText.ForResponses(new(JsonSerializerDefaults.Web));

    /// <summary><see cref="Responses"/> indented, for a person reading it (the CLI's <c>-o json</c>).</summary>
    public static readonly JsonSerializerOptions IndentedResponses = JsonText.ForResponses(new(JsonSerializerDefaults.Web) { WriteIndented = true });
}
