using System.ComponentModel.DataAnnotations;
using DnsExpert.Contract;
using Microsoft.Extensions.Options;

namespace DnsExpert.Api.Hosting;

/// <summary>Settings of the service, bound from the <c>DnsExpert</c> configuration section (env: <c>DnsExpert__RulesDirectory</c>).</summary>
public sealed class DnsExpertOptions : IValidatableObject
{
    public const string Section = "DnsExpert";

    /// <summary>The rule base directory. Default: the nearest <c>rules/</c> folder above the content root or the binary.</summary>
    public string? RulesDirectory { get; set; }

    /// <summary>Largest request body accepted, in bytes (default 32 MiB).</summary>
    [Range(1024, 1L << 32)]
    [Display(Name = $"{Section}:{nameof(MaxRequestBodyBytes)}")]
    public long MaxRequestBodyBytes { get; set; } = 32L * 1024 * 1024;

    /// <summary>
    /// Request bodies admitted at once, in bytes, counted by their size from when they are read until their diagnosis
    /// ends (queued ones included); further bodies wait up to <see cref="AdmissionWait"/>, then get a 503. A request holds
    /// about 2 bytes of heap per byte of body (README: security), so the default of 48 MiB keeps what bodies hold in a
    /// 512Mi pod near 100 MiB. Never below <see cref="MaxRequestBodyBytes"/>.
    /// </summary>
    [Range(1024, 1L << 40)]
    [Display(Name = $"{Section}:{nameof(MaxBodiesInFlightBytes)}")]
    public long MaxBodiesInFlightBytes { get; set; } = 48L * 1024 * 1024;

    /// <summary>
    /// Objects, probes and files that the requests being diagnosed may expand to, together, reserved before their bodies
    /// are read at one per 64 bytes of body (<see cref="PastedOutputAdmission"/>): pasted output expands far more than
    /// its bytes (a 0.6 MB table is 5,000 pods). Past it a request waits up to <see cref="AdmissionWait"/>, then gets a
    /// 503; a request that may expand to more takes all of it. Measured: a pasted pod row holds about 1 KiB once read,
    /// several while it is diagnosed.
    /// </summary>
    [Range(1, 10_000_000)]
    [Display(Name = $"{Section}:{nameof(MaxPastedItemsInFlight)}")]
    public int MaxPastedItemsInFlight { get; set; } = 10_000;

    /// <summary>Longest a body waits for admission before the request is answered 503 with Retry-After.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:05:00")]
    [Display(Name = $"{Section}:{nameof(AdmissionWait)}")]
    public TimeSpan AdmissionWait { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Deepest JSON nesting accepted in a request body.</summary>
    [Range(16, 256)]
    [Display(Name = $"{Section}:{nameof(MaxJsonDepth)}")]
    public int MaxJsonDepth { get; set; } = 64;

    /// <summary>Limits on what one request may carry (validated with the rest).</summary>
    [ValidateObjectMembers]
    public RequestLimits Limits { get; set; } = new();

    /// <summary>Directory of the bundled sample requests. Default: <c>Samples</c> next to the binary.</summary>
    public string? SamplesDirectory { get; set; }

    /// <summary>
    /// Where people reach this service, an absolute http(s) URL that may carry a path prefix
    /// (<c>https://ops.example.com/dnsexpert/</c>): when set, every link the service hands out (JSON <c>links</c>, Markdown,
    /// Slack, Teams, the report page, tickets, callbacks) is absolute under it (<see cref="PublicLinks"/>). Unset: links are
    /// paths, absolute only for a request a known proxy forwarded (<see cref="ForwardedHeaders"/>).
    /// </summary>
    [Display(Name = $"{Section}:{nameof(PublicBaseUrl)}")]
    public string? PublicBaseUrl { get; set; }

    /// <summary>The reverse proxies whose <c>X-Forwarded-*</c> headers are believed; nobody's when none is configured.</summary>
    [ValidateObjectMembers]
    public ForwardedHeadersSettings ForwardedHeaders { get; set; } = new();

    /// <summary><see cref="PublicBaseUrl"/> as a base URI ending in <c>/</c>, or null when it is unset.</summary>
    public Uri? PublicBase => PublicLinks.ParseBase(PublicBaseUrl);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (PublicBaseUrl is { Length: > 0 } url && PublicLinks.ParseBase(url) is null)
        {
            yield return new ValidationResult(
                $"{Section}:{nameof(PublicBaseUrl)}: '{url}' is not an absolute http or https URL without query or fragment, such as https://ops.example.com/dnsexpert/",
                [nameof(PublicBaseUrl)]);
        }
    }
}

/// <summary>
/// The reverse proxies in front of the service (<c>DnsExpert:ForwardedHeaders</c>): only a request whose connection comes
/// from one of them has its <c>X-Forwarded-For</c>, <c>-Proto</c>, <c>-Host</c> and <c>-Prefix</c> applied; anyone else's
/// are ignored. None configured: nobody's are believed.
/// </summary>
public sealed class ForwardedHeadersSettings : IValidatableObject
{
    public const string Section = $"{DnsExpertOptions.Section}:ForwardedHeaders";

    /// <summary>Addresses of the proxies (<c>10.0.0.7</c>, <c>::1</c>).</summary>
    public List<string> KnownProxies { get; set; } = [];

    /// <summary>Ranges the proxies are in (<c>10.244.0.0/16</c>, a cluster's pod network).</summary>
    public List<string> KnownNetworks { get; set; } = [];

    /// <summary>Whether any proxy is configured (otherwise the forwarded headers are not read at all).</summary>
    public bool Any => KnownProxies.Count > 0 || KnownNetworks.Count > 0;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var proxy in KnownProxies.Where(p => !System.Net.IPAddress.TryParse(p, out _)))
        {
            yield return new ValidationResult($"{Section}:{nameof(KnownProxies)}: '{proxy}' is not an IP address such as 10.0.0.7", [nameof(KnownProxies)]);
        }

        foreach (var network in KnownNetworks.Where(n => !System.Net.IPNetwork.TryParse(n, out _)))
        {
            yield return new ValidationResult($"{Section}:{nameof(KnownNetworks)}: '{network}' is not a CIDR range such as 10.244.0.0/16", [nameof(KnownNetworks)]);
        }
    }
}
