using System.ComponentModel.DataAnnotations;

namespace DnsExpert.Collectors.Prometheus;

/// <summary>
/// The Prometheus server CoreDNS's metrics are read from during live collection (configuration section
/// <c>DnsExpert:Prometheus</c>). Without <see cref="Url"/> no server is asked.
/// </summary>
public sealed class PrometheusOptions : IValidatableObject
{
    public const string Section = "DnsExpert:Prometheus";

    /// <summary>The server's base URL (<c>http://prometheus-k8s.monitoring:9090</c>, with a path prefix if it has one).</summary>
    public Uri? Url { get; set; }

    /// <summary>A file holding a bearer token sent with each query (a mounted Secret; read at each collection).</summary>
    public string? BearerTokenFile { get; set; }

    /// <summary>Each query's timeout.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00")]
    [Display(Name = $"{Section}:{nameof(Timeout)}")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The window the counters' rise is read over, ending at the collection: whole minutes.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00")]
    [Display(Name = $"{Section}:{nameof(Window)}")]
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(15);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Url is not null && (!Url.IsAbsoluteUri || (Url.Scheme != Uri.UriSchemeHttp && Url.Scheme != Uri.UriSchemeHttps)))
        {
            yield return new ValidationResult($"{Section}:{nameof(Url)} must be an absolute http or https URL.", [nameof(Url)]);
        }

        if (Window.Ticks % TimeSpan.TicksPerMinute != 0)
        {
            yield return new ValidationResult($"{Section}:{nameof(Window)} must be whole minutes.", [nameof(Window)]);
        }

        if (BearerTokenFile is not null && Url is not null && !File.Exists(BearerTokenFile))
        {
            yield return new ValidationResult($"{Section}:{nameof(BearerTokenFile)} names no file.", [nameof(BearerTokenFile)]);
        }
    }
}
