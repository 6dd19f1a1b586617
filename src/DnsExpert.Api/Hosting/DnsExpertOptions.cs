using System.ComponentModel.DataAnnotations;
using DnsExpert.Core.Contract;

namespace DnsExpert.Api.Hosting;

/// <summary>Settings of the service, bound from the <c>DnsExpert</c> configuration section (env: <c>DnsExpert__RulesDirectory</c>).</summary>
public sealed class DnsExpertOptions
{
    public const string Section = "DnsExpert";

    /// <summary>The rule base directory. Default: the nearest <c>rules/</c> folder above the content root or the binary.</summary>
    public string? RulesDirectory { get; set; }

    /// <summary>Largest request body accepted, in bytes (default 32 MiB).</summary>
    [Range(1024, 1L << 32)]
    public long MaxRequestBodyBytes { get; set; } = 32L * 1024 * 1024;

    /// <summary>Deepest JSON nesting accepted in a request body.</summary>
    [Range(16, 256)]
    public int MaxJsonDepth { get; set; } = 64;

    /// <summary>Limits on what one request may carry.</summary>
    public RequestLimits Limits { get; set; } = new();

    /// <summary>Directory of the bundled sample requests. Default: <c>Samples</c> next to the binary.</summary>
    public string? SamplesDirectory { get; set; }
}
