using System.ComponentModel.DataAnnotations;

namespace DnsExpert.Contract;

/// <summary>Limits on what one request may carry; the API binds them from configuration (section <c>DnsExpert:Limits</c>).</summary>
public sealed class RequestLimits
{
    public const string Section = "DnsExpert:Limits";

    [Range(1, 10_000_000)]
    [Display(Name = $"{Section}:{nameof(MaxObjects)}")]
    public int MaxObjects { get; set; } = 20_000;

    /// <summary>
    /// JSON values (objects, arrays, names and scalars) in all of <c>snapshot.objects</c> together. Each costs 12 bytes
    /// of index once read, so this bounds the objects' memory whatever their shape.
    /// </summary>
    [Range(1, 1L << 32)]
    [Display(Name = $"{Section}:{nameof(MaxObjectValues)}")]
    public long MaxObjectValues { get; set; } = 4_000_000;

    [Range(1, 1_000_000)]
    [Display(Name = $"{Section}:{nameof(MaxLogs)}")]
    public int MaxLogs { get; set; } = 500;

    [Range(1, 1L << 40)]
    [Display(Name = $"{Section}:{nameof(MaxLogCharacters)}")]
    public long MaxLogCharacters { get; set; } = 64L * 1024 * 1024;

    [Range(1, 1_000_000)]
    [Display(Name = $"{Section}:{nameof(MaxFiles)}")]
    public int MaxFiles { get; set; } = 2_000;

    [Range(1, 1_000_000)]
    [Display(Name = $"{Section}:{nameof(MaxProbes)}")]
    public int MaxProbes { get; set; } = 5_000;

    [Range(1, 100_000)]
    [Display(Name = $"{Section}:{nameof(MaxOutputs)}")]
    public int MaxOutputs { get; set; } = 200;

    /// <summary>
    /// Characters of one pasted output's text (<c>snapshot.outputs[].text</c>, an evidence round's <c>outputs[].text</c>):
    /// what one command prints when pasted, as the CLI's <c>--add</c> takes it. Refused from the token's length,
    /// before a string is made of it; logs longer than this belong in <c>snapshot.logs</c>, which is read as it streams.
    /// </summary>
    [Range(1, 1L << 30)]
    [Display(Name = $"{Section}:{nameof(MaxOutputCharacters)}")]
    public int MaxOutputCharacters { get; set; } = 4 * 1024 * 1024;

    /// <summary>
    /// Characters of all pasted outputs of one body together. Pasted text is read whole, line by line, into objects,
    /// probes and files, and a paste expands far beyond its bytes; this keeps one request's pasted text (and what it
    /// expands to) well inside the heap of a 512Mi pod.
    /// </summary>
    [Range(1, 1L << 34)]
    [Display(Name = $"{Section}:{nameof(MaxOutputsCharacters)}")]
    public long MaxOutputsCharacters { get; set; } = 8L * 1024 * 1024;

    [Range(1, 10_000_000)]
    [Display(Name = $"{Section}:{nameof(MaxErrorMessageLength)}")]
    public int MaxErrorMessageLength { get; set; } = 8_192;
}
