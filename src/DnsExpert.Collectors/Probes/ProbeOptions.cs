using System.ComponentModel.DataAnnotations;

namespace DnsExpert.Collectors.Probes;

/// <summary>Active DNS probes (configuration section <c>DnsExpert:Probes</c>).</summary>
public sealed class ProbeOptions
{
    public const string Section = "DnsExpert:Probes";

    /// <summary>Probe during live collection (a request can still switch it off).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How long one probe waits for its answer; a diagnosis takes about this long, not the sum of its probes.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:00:30")]
    [Display(Name = $"{Section}:{nameof(Timeout)}")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Probes in flight at once.</summary>
    [Range(1, 256)]
    [Display(Name = $"{Section}:{nameof(MaxParallel)}")]
    public int MaxParallel { get; set; } = 16;
}
