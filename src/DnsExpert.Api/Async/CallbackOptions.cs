using System.ComponentModel.DataAnnotations;
using System.Net;
using System.Net.Sockets;

namespace DnsExpert.Api.Async;

/// <summary>Result callbacks (configuration section <c>DnsExpert:Callbacks</c>).</summary>
public sealed class CallbackOptions
{
    public const string Section = "DnsExpert:Callbacks";

    /// <summary>
    /// Hosts a <c>callbackUrl</c> may name: exact names (<c>hooks.slack.com</c>), subdomain wildcards
    /// (<c>*.chatops.example.com</c>) or literal addresses. Empty: callbacks are refused. Nothing else is ever called, so
    /// the service cannot be used to reach arbitrary hosts (no SSRF).
    /// </summary>
    public List<string> AllowedHosts { get; set; } = [];

    /// <summary>Allow plain <c>http://</c> callbacks (off: only https).</summary>
    public bool AllowHttp { get; set; }

    /// <summary>Attempts per callback (first try included), with exponential back-off between them.</summary>
    [Range(1, 10)]
    [Display(Name = $"{Section}:{nameof(MaxAttempts)}")]
    public int MaxAttempts { get; set; } = 4;

    /// <summary>Timeout of one attempt.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00")]
    [Display(Name = $"{Section}:{nameof(AttemptTimeout)}")]
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>First back-off delay; doubles each retry.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:05:00")]
    [Display(Name = $"{Section}:{nameof(RetryDelay)}")]
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Longest wait a receiver's <c>Retry-After</c> may ask for between attempts; a longer one is cut to it.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    [Display(Name = $"{Section}:{nameof(MaxRetryAfter)}")]
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Longest the delivery of one callback may take, every attempt and wait included; then it is given up.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    [Display(Name = $"{Section}:{nameof(MaxDeliveryTime)}")]
    public TimeSpan MaxDeliveryTime { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Callbacks delivered at once, by workers of their own (never the diagnosis workers).</summary>
    [Range(1, 64)]
    [Display(Name = $"{Section}:{nameof(Workers)}")]
    public int Workers { get; set; } = 4;

    /// <summary>
    /// Deliveries to one receiver (a URL's scheme, host and port) at once; receivers take turns for the workers, so a
    /// receiver that never answers holds at most this many of them (at most <see cref="Workers"/>; keep it below, so
    /// that other receivers always have a worker).
    /// </summary>
    [Range(1, 64)]
    [Display(Name = $"{Section}:{nameof(MaxDeliveriesPerReceiver)}")]
    public int MaxDeliveriesPerReceiver { get; set; } = 2;

    /// <summary>Callbacks waiting for a delivery worker; past it a callback is recorded failed at once.</summary>
    [Range(1, 100_000)]
    [Display(Name = $"{Section}:{nameof(QueueCapacity)}")]
    public int QueueCapacity { get; set; } = 1000;

    /// <summary>
    /// Callbacks waiting for one receiver; past it a callback to that receiver is recorded failed at once, so a slow
    /// receiver fills its own queue and not the one all receivers share (<see cref="QueueCapacity"/>).
    /// </summary>
    [Range(1, 100_000)]
    [Display(Name = $"{Section}:{nameof(ReceiverQueueCapacity)}")]
    public int ReceiverQueueCapacity { get; set; } = 100;

    /// <summary>
    /// When set, each callback carries <c>X-DnsExpert-Signature: sha256=HEX</c>, the HMAC-SHA256 of the body with this
    /// key, so the receiver can check it came from DnsExpert.
    /// </summary>
    public string? SigningKey { get; set; }

    /// <summary>
    /// Address ranges (CIDR) a callback may connect to although they are refused by default: loopback, link-local
    /// (cloud metadata at 169.254.169.254), unspecified and multicast addresses, and <see cref="BlockedCidrs"/>. An
    /// address written literally in <see cref="AllowedHosts"/> is allowed as well.
    /// </summary>
    public List<string> AllowedCidrs { get; set; } = [];

    /// <summary>Further ranges a callback never connects to: set them to the cluster's Service, pod and node CIDRs.</summary>
    public List<string> BlockedCidrs { get; set; } = [];

    /// <summary>
    /// Why a callback to <paramref name="host"/> may not connect to <paramref name="address"/> (checked on every connection,
    /// after the name resolved, so an allowed name that resolves to an internal address is still refused), or null.
    /// </summary>
    public string? RefuseAddress(string host, IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (AllowedHosts.Any(h => IPAddress.TryParse(h.Trim('[', ']'), out var literal) && literal.Equals(address)) || InAny(AllowedCidrs, address))
        {
            return null;
        }

        string? kind = address switch
        {
            _ when IPAddress.IsLoopback(address) => "loopback",
            _ when address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) => "unspecified",
            { AddressFamily: AddressFamily.InterNetworkV6, IsIPv6LinkLocal: true } => "link-local",
            { AddressFamily: AddressFamily.InterNetworkV6, IsIPv6Multicast: true } => "multicast",
            { AddressFamily: AddressFamily.InterNetwork } when IPNetwork.Parse("169.254.0.0/16").Contains(address) => "link-local",
            { AddressFamily: AddressFamily.InterNetwork } when IPNetwork.Parse("224.0.0.0/4").Contains(address) => "multicast",
            _ when InAny(BlockedCidrs, address) => "in DnsExpert:Callbacks:BlockedCidrs",
            _ => null,
        };
        return kind is null ? null : $"'{host}' resolves to {address} ({kind}); allow it with DnsExpert:Callbacks:AllowedCidrs";
    }

    private static bool InAny(List<string> ranges, IPAddress address) =>
        ranges.Any(r => IPNetwork.TryParse(r, out var network) && network.Contains(address));

    /// <summary>Why <paramref name="url"/> may not be called, or null when it may.</summary>
    public string? Refuse(string url)
    {
        if (url.Length > 2048 || !Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            return "must be an absolute http(s) URL of at most 2048 characters";
        }

        if (uri.Scheme != Uri.UriSchemeHttps && !(AllowHttp && uri.Scheme == Uri.UriSchemeHttp))
        {
            return AllowHttp ? "must be an http or https URL" : "must be an https URL";
        }

        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            return "must not carry credentials in the URL";
        }

        if (AllowedHosts.Count == 0)
        {
            return "callbacks are not enabled on this service (DnsExpert:Callbacks:AllowedHosts is empty)";
        }

        var host = uri.IdnHost.TrimEnd('.');
        var allowed = AllowedHosts.Any(pattern =>
            pattern.StartsWith("*.", StringComparison.Ordinal)
                ? host.EndsWith(pattern[1..], StringComparison.OrdinalIgnoreCase) && host.Length > pattern.Length - 1
                : string.Equals(host, pattern.Trim('[', ']'), StringComparison.OrdinalIgnoreCase) || string.Equals(uri.Host, pattern, StringComparison.OrdinalIgnoreCase));
        return allowed ? null : $"host '{host}' is not in the callback allow-list";
    }
}
