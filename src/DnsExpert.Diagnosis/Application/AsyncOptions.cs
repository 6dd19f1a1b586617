using System.ComponentModel.DataAnnotations;

namespace DnsExpert.Diagnosis.Application;

/// <summary>Asynchronous diagnoses (configuration section <c>DnsExpert:Async</c>).</summary>
public sealed class AsyncOptions
{
    public const string Section = "DnsExpert:Async";

    /// <summary>Diagnoses waiting to run; beyond it, <c>?wait=false</c> answers 503 with Retry-After.</summary>
    [Range(1, 10_000)]
    [Display(Name = $"{Section}:{nameof(QueueCapacity)}")]
    public int QueueCapacity { get; set; } = 100;

    /// <summary>Diagnoses running at once.</summary>
    [Range(1, 64)]
    [Display(Name = $"{Section}:{nameof(Workers)}")]
    public int Workers { get; set; } = 2;

    /// <summary>Longest an asynchronous diagnosis may run before it is failed.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:30:00")]
    [Display(Name = $"{Section}:{nameof(Deadline)}")]
    public TimeSpan Deadline { get; set; } = TimeSpan.FromMinutes(2);
}
