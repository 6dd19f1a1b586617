using DnsExpert.Diagnosis.Application;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace DnsExpert.Api.Hosting;

/// <summary>
/// The base the links of a diagnosis are made under (<see cref="DiagnosisLinks.Build"/>): paths, or absolute URLs under a base that is
/// known: <see cref="DnsExpertOptions.PublicBaseUrl"/>, or, without it, the scheme, host and prefix of a request a known
/// proxy forwarded (<see cref="ForwardedHeadersSettings"/>). A request's own <c>Host</c> is never taken for a base, and a
/// diagnosis run later (queued, a Slack command) keeps the base of the request that started it.
/// </summary>
public sealed class PublicLinks(IOptions<DnsExpertOptions> options, IHttpContextAccessor http)
{
    private readonly Uri? _configured = options.Value.PublicBase;
    private readonly bool _proxies = options.Value.ForwardedHeaders.Any;

    /// <summary>The base of the links handed out now, or null when none is known (links stay paths).</summary>
    public Uri? Base() => _configured ?? (_proxies && http.HttpContext is { } context ? Forwarded(context.Request) : null);

    /// <summary>The links of diagnosis <paramref name="id"/> under the current <see cref="Base"/>.</summary>
    public IReadOnlyDictionary<string, string> Of(string id, string? previousId = null, string? nextId = null) => DiagnosisLinks.Build(Base(), id, previousId, nextId);

    /// <summary>
    /// An absolute http(s) URL without user, query or fragment, as a base ending in <c>/</c> (so a path prefix is kept:
    /// <c>https://ops.example.com/dnsexpert</c> links <c>https://ops.example.com/dnsexpert/reports/…</c>); null otherwise.
    /// </summary>
    public static Uri? ParseBase(string? url)
    {
        if (string.IsNullOrWhiteSpace(url) || !Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri)
            || uri.Scheme is not ("http" or "https") || uri.UserInfo.Length > 0 || uri.Query.Length > 0 || uri.Fragment.Length > 0 || uri.Host.Length == 0)
        {
            return null;
        }

        return uri.AbsolutePath.EndsWith('/') ? uri : new Uri(uri.AbsoluteUri + "/");
    }

    /// <summary>
    /// The base of a request whose scheme or host a known proxy set (the forwarded-headers middleware keeps what it
    /// replaced in <c>X-Original-*</c>, which <see cref="UseTrustedForwardedHeaders"/> removes from what clients send).
    /// </summary>
    private static Uri? Forwarded(HttpRequest request) =>
        request.Headers.ContainsKey(ForwardedHeadersDefaults.XOriginalHostHeaderName) || request.Headers.ContainsKey(ForwardedHeadersDefaults.XOriginalProtoHeaderName)
            ? ParseBase($"{request.Scheme}://{request.Host.ToUriComponent()}{request.PathBase.ToUriComponent()}")
            : null;

    /// <summary>
    /// Believes <c>X-Forwarded-For</c>, <c>-Proto</c>, <c>-Host</c> and <c>-Prefix</c> only from the configured proxies
    /// (ASP.NET Core's defaults, which trust loopback, are cleared); with none configured the headers are not read.
    /// </summary>
    internal static void AddTrustedForwardedHeaders(IServiceCollection services)
    {
        services.AddHttpContextAccessor();
        services.AddSingleton<PublicLinks>();
        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<DnsExpertOptions>>((forwarded, dnsExpert) =>
        {
            var proxies = dnsExpert.Value.ForwardedHeaders;
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost | ForwardedHeaders.XForwardedPrefix;
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
            foreach (var proxy in proxies.KnownProxies)
            {
                forwarded.KnownProxies.Add(System.Net.IPAddress.Parse(proxy));
            }

            foreach (var network in proxies.KnownNetworks)
            {
                forwarded.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
            }
        });
    }

    /// <summary>
    /// The forwarded-headers middleware, first in the pipeline, when a proxy is configured. It trusts every sender when
    /// no proxy is known (and a connection without an address), so it is not used at all then, and a request without a
    /// client address is not forwarded.
    /// </summary>
    internal static void UseTrustedForwardedHeaders(WebApplication app)
    {
        if (!app.Services.GetRequiredService<IOptions<DnsExpertOptions>>().Value.ForwardedHeaders.Any)
        {
            return;
        }

        app.Use((context, next) =>
        {
            // What the middleware replaced is its word alone: a client's own X-Original-* would pass for a proxy's.
            var headers = context.Request.Headers;
            headers.Remove(ForwardedHeadersDefaults.XOriginalForHeaderName);
            headers.Remove(ForwardedHeadersDefaults.XOriginalProtoHeaderName);
            headers.Remove(ForwardedHeadersDefaults.XOriginalHostHeaderName);
            headers.Remove(ForwardedHeadersDefaults.XOriginalPrefixHeaderName);
            if (context.Connection.RemoteIpAddress is null)
            {
                headers.Remove(ForwardedHeadersDefaults.XForwardedForHeaderName);
                headers.Remove(ForwardedHeadersDefaults.XForwardedProtoHeaderName);
                headers.Remove(ForwardedHeadersDefaults.XForwardedHostHeaderName);
                headers.Remove(ForwardedHeadersDefaults.XForwardedPrefixHeaderName);
            }

            return next(context);
        });
        app.UseForwardedHeaders();
    }
}
