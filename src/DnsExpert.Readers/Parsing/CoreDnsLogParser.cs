using System.Globalization;
using System.Text.RegularExpressions;
using DnsExpert.Facts;

namespace DnsExpert.Readers.Parsing;

public enum CoreDnsLogKind
{
    Other,
    Query,
    UnknownDirective,
    ApiserverUnreachable,
    UpstreamError,
    ForwardLoop,
    Reload,
    Panic,
    NoNextPlugin,
    PluginUsedTwice,

    /// <summary>NodeLocal DNSCache (node-cache) failed to set up its interface or iptables rules; the errortype in <see cref="CoreDnsLogRecord.Cause"/>.</summary>
    NodeLocalSetupError,

    /// <summary>
    /// The server could not start: it could not listen (<c>listen udp :53: bind: address already in use</c>), or forward
    /// found no upstream in its resolv.conf (<c>plugin/forward: no nameservers found</c>); the process exits. Which, in
    /// <see cref="CoreDnsLogRecord.Cause"/>; the address it could not listen on in <see cref="CoreDnsLogRecord.Endpoint"/>.
    /// </summary>
    StartupFailure,

    /// <summary>
    /// kube-dns's dnsmasq (through dnsmasq-nanny) at its cap of forwarded queries in flight (<c>--dns-forward-max</c>,
    /// 150 by default): <c>dnsmasq[9]: Maximum number of concurrent DNS queries reached (max: 150)</c>; the cap in
    /// <see cref="CoreDnsLogRecord.Error"/>.
    /// </summary>
    DnsmasqForwardMax,
}

/// <summary>A query log line of the <c>log</c> plugin: <c>{remote}:{port} - {id} "{type} {class} {name} {proto} {size} {do} {bufsize}" {rcode} {flags} {rsize} {duration}</c>.</summary>
public sealed record CoreDnsQuery(
    string Client, int? ClientPort, string Id, string Type, string Class, string Name,
    string Transport, int? RequestSize, bool? DnssecOk, int? BufferSize, string Rcode, IReadOnlyList<string> Flags,
    int? ResponseSize, double? DurationSeconds)
{
    /// <summary>A query a client asked (<see cref="QueryScanner.IsClientQuery(ReadOnlySpan{char}, ReadOnlySpan{char})"/>): only such a query can be a client's failure.</summary>
    public bool IsClientQuery => QueryScanner.IsClientQuery(Client, Type);
}

/// <summary>One line of a CoreDNS log, recognised.</summary>
public sealed record CoreDnsLogRecord(int LineNumber, DateTimeOffset? Timestamp, string? Level, string Text, CoreDnsLogKind Kind)
{
    public CoreDnsQuery? Query { get; init; }
    public string? Directive { get; init; }
    public int? CorefileLine { get; init; }
    public string? Endpoint { get; init; }
    public string? Resource { get; init; }
    public string? Error { get; init; }
    public string? QueryName { get; init; }
    public string? QueryType { get; init; }
    public string? Zone { get; init; }

    /// <summary>
    /// What the line says went wrong, in one word, when a signature has several forms: for an API server line
    /// <c>connection</c>, <c>rbac</c>, <c>unknown</c>, <c>not-served</c>, <c>not-ready</c>, <c>waiting</c>, <c>unsynced</c>,
    /// <c>other</c>; for a Corefile error <c>directive</c> or <c>property</c>.
    /// </summary>
    public string? Cause { get; init; }

    /// <summary>The user an RBAC refusal names (<c>system:serviceaccount:kube-system:coredns</c>).</summary>
    public string? Subject { get; init; }

    /// <summary>The plugin a line names: the one refusing a property (<c>forward</c>), or those not ready (<c>kubernetes</c>).</summary>
    public string? Plugin { get; init; }

    /// <summary>The option a plugin did not know (<c>max_concurrent</c>).</summary>
    public string? Property { get; init; }

    /// <summary>A Corefile error met while reloading a changed Corefile: the running server keeps its old configuration.</summary>
    public bool OnReload { get; init; }
}

/// <summary>
/// Reads CoreDNS logs line by line (streamed, never whole), with or without <c>kubectl logs --timestamps</c> prefixes,
/// and recognises the signatures of the rule base. Cheap substring checks come before any regex; every regex runs on the
/// non-backtracking engine, linear in the line's length, so no line's cost or result depends on a timeout or the load.
/// </summary>
public static partial class CoreDnsLogParser
{
    /// <summary>The <c>Plugin</c> of kube-dns's start-up waits: its <c>kubedns</c> container, not a CoreDNS plugin.</summary>
    public const string KubeDnsContainer = "kubedns";

    /// <summary>Lines longer than this are cut before matching; no CoreDNS line is that long.</summary>
    public const int MaxLineLength = 8192;

    public static IEnumerable<CoreDnsLogRecord> Parse(TextReader reader)
    {
        var number = 0;
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            number++;
            if (!string.IsNullOrWhiteSpace(line))
            {
                yield return ParseLine(line, number);
            }
        }
    }

    public static CoreDnsLogRecord ParseLine(string line, int lineNumber)
    {
        if (line.Length > MaxLineLength)
        {
            line = line[..MaxLineLength];
        }

        var (timestamp, text) = SplitTimestamp(line.TrimEnd('\r'));
        return Recognise(text, lineNumber, timestamp, Level(text));
    }

    private static CoreDnsLogRecord Recognise(string text, int lineNumber, DateTimeOffset? timestamp, string? level)
    {
        var record = new CoreDnsLogRecord(lineNumber, timestamp, level, text, CoreDnsLogKind.Other);
        var span = text.AsSpan();

        if (span.Contains("\" ", StringComparison.Ordinal) && span.Contains(" - ", StringComparison.Ordinal))
        {
            // Almost every line of a query log is one of these: a hand-written scan first, the regex for anything unusual.
            if (QueryScanner.TryParse(text, out var fast))
            {
                return record with { Kind = CoreDnsLogKind.Query, Query = fast };
            }

            if (QueryLine().Match(text) is { Success: true } q)
            {
                return record with { Kind = CoreDnsLogKind.Query, Query = ToQuery(q) };
            }
        }

        if (span.Contains("Error during parsing", StringComparison.Ordinal) && CorefileError(text, record) is { } corefile)
        {
            return corefile;
        }

        if (ApiserverLine(span) && ApiserverFailure(text, record) is { } apiserver)
        {
            return apiserver;
        }

        // Before upstream errors: `plugin/errors: 2 nginx. A: plugin/loop: no next plugin found` is no network error.
        if (span.Contains("no next plugin found", StringComparison.Ordinal) && NoNextPlugin().Match(text) is { Success: true } n)
        {
            return record with
            {
                Kind = CoreDnsLogKind.NoNextPlugin,
                Directive = n.Groups["plugin"].Value,
                QueryName = n.Groups["name"].Success ? n.Groups["name"].Value : null,
                QueryType = n.Groups["type"].Success ? n.Groups["type"].Value : null,
            };
        }

        // The errors plugin: `[ERROR] plugin/errors: 2 ...` from 1.2.6, `[ERROR] 2 ...` in 1.1.3-1.2.5, `[ERROR 2 NAME. A] ...` before.
        if ((span.Contains("[ERROR", StringComparison.Ordinal) || span.Contains("plugin/errors", StringComparison.Ordinal)) && UpstreamFailure(text, record) is { } upstream)
        {
            return upstream;
        }

        if (span.Contains(DnsmasqMaxReached, StringComparison.Ordinal) && DnsmasqMax().Match(text) is { Success: true } max)
        {
            return record with { Kind = CoreDnsLogKind.DnsmasqForwardMax, Plugin = "dnsmasq", Error = $"maximum number of concurrent DNS queries reached (max: {max.Groups["max"].Value})" };
        }

        // Start-up exits (caddy's start failing, printed by coremain's log.Fatal): a listener refused, or no upstream.
        if ((span.Contains(": bind: ", StringComparison.Ordinal) || span.Contains(NoNameservers, StringComparison.Ordinal))
            && !span.Contains("plugin/errors", StringComparison.Ordinal) && StartupFailure(text, record) is { } startup)
        {
            return startup;
        }

        if ((span.Contains("Loop (", StringComparison.Ordinal) || span.Contains("loop detected", StringComparison.Ordinal)) && ForwardLoop(text, record) is { } loop)
        {
            return loop;
        }

        // `plugin/forward: this plugin can only be used once per Server Block` (plugin.ErrOnce): at start-up, or inside a
        // "Restart failed: " / "reload failed: " line on a reload (the pod then keeps its old configuration).
        if (span.Contains(OncePerServerBlock, StringComparison.Ordinal) && UsedTwice(text, record) is { } twice)
        {
            return twice;
        }

        if ((span.Contains(" rule ", StringComparison.Ordinal) || span.Contains(" interface ", StringComparison.Ordinal) || span.Contains(" dummy device ", StringComparison.Ordinal))
            && NodeLocalSetupFailure(text, record) is { } setup)
        {
            return setup;
        }

        if (span.Contains("Reloading", StringComparison.Ordinal) || span.Contains("plugin/reload", StringComparison.Ordinal))
        {
            return record with { Kind = CoreDnsLogKind.Reload };
        }

        if (span.StartsWith("panic:", StringComparison.Ordinal) || span.StartsWith("[PANIC]", StringComparison.Ordinal))
        {
            return record with { Kind = CoreDnsLogKind.Panic };
        }

        return record;
    }

    /// <summary>
    /// <c>Corefile:N - Error during parsing: Unknown directive 'X'</c> (every version) and, from the plugin that refused
    /// it, <c>plugin/forward: Corefile:N - Error during parsing: unknown property 'X'</c>; at start-up or on a reload.
    /// </summary>
    private static CoreDnsLogRecord? CorefileError(string text, CoreDnsLogRecord record)
    {
        // "[ERROR] Restart failed: ..." and "[ERROR] SIGUSR1: ..." (caddy), "plugin/reload: Corefile changed but reload failed: ..." (1.0.6 on).
        record = record with
        {
            OnReload = text.Contains("Restart failed: ", StringComparison.Ordinal) || text.Contains("SIGUSR1: ", StringComparison.Ordinal)
                || text.Contains("reload failed: ", StringComparison.Ordinal),
        };
        if (UnknownDirective().Match(text) is { Success: true } u)
        {
            return record with
            {
                Kind = CoreDnsLogKind.UnknownDirective,
                Cause = CoreDnsLogEventCauses.Directive,
                Directive = u.Groups["directive"].Value,
                CorefileLine = u.Groups["line"].Success ? Int(u.Groups["line"].Value) : null,
            };
        }

        if (UnknownProperty().Match(text) is { Success: true } p)
        {
            return record with
            {
                Kind = CoreDnsLogKind.UnknownDirective,
                Cause = CoreDnsLogEventCauses.Property,
                Property = p.Groups["property"].Value,
                Plugin = p.Groups["plugin"].Success ? p.Groups["plugin"].Value : null,
                CorefileLine = p.Groups["line"].Success ? Int(p.Groups["line"].Value) : null,
            };
        }

        return null;
    }

    private const string OncePerServerBlock = ": this plugin can only be used once per Server Block";

    /// <summary>The plugin CoreDNS refused a second time in one server block (<c>plugin/NAME: this plugin can only ...</c>).</summary>
    private static CoreDnsLogRecord? UsedTwice(string text, CoreDnsLogRecord record)
    {
        var end = text.IndexOf(OncePerServerBlock, StringComparison.Ordinal);
        var start = text.LastIndexOf("plugin/", end, StringComparison.Ordinal);
        if (start < 0 || end - start - "plugin/".Length is < 1 or > 40)
        {
            return null;
        }

        var plugin = text[(start + "plugin/".Length)..end];
        return plugin.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_')
            ? record with
            {
                Kind = CoreDnsLogKind.PluginUsedTwice,
                Directive = plugin,
                OnReload = text.Contains("Restart failed: ", StringComparison.Ordinal) || text.Contains("reload failed: ", StringComparison.Ordinal),
            }
            : null;
    }

    private static bool ApiserverLine(ReadOnlySpan<char> span) =>
        span.Contains("to watch", StringComparison.OrdinalIgnoreCase) || span.Contains("to list", StringComparison.OrdinalIgnoreCase)
        || span.Contains("plugin/ready", StringComparison.Ordinal) || span.Contains("Kubernetes API", StringComparison.Ordinal)
        || span.Contains("initializ", StringComparison.Ordinal) || span.Contains("DNS server not ready", StringComparison.Ordinal);

    /// <summary>
    /// The kubernetes plugin's watch failing (client-go's <c>Failed to watch X: ...</c>, with the reason as the API
    /// server or the network gave it), or CoreDNS waiting for the API at start-up (the kubernetes and ready plugins).
    /// </summary>
    private static CoreDnsLogRecord? ApiserverFailure(string text, CoreDnsLogRecord record)
    {
        if (WatchFailure().Match(text) is { Success: true } w)
        {
            var resource = w.Groups["resource"].Value;
            var error = w.Groups["error"].Value;
            record = record with { Kind = CoreDnsLogKind.ApiserverUnreachable, Resource = resource };
            if (Forbidden().Match(error) is { Success: true } f)
            {
                return record with { Cause = CoreDnsLogEventCauses.Rbac, Subject = f.Groups["user"].Value, Error = $"cannot {f.Groups["verb"].Value} {f.Groups["resource"].Value}" };
            }

            // HTTP 401: the API server did not accept CoreDNS's credentials (its service account token), which client-go
            // reports as the bare status text. Reached, not refused for a permission (that is 403, "is forbidden").
            if (error.AsSpan().Trim().Equals("Unauthorized", StringComparison.OrdinalIgnoreCase))
            {
                return record with { Cause = CoreDnsLogEventCauses.Unauthorized, Error = "Unauthorized" };
            }

            if (UnknownGet().Match(error) is { Success: true } g)
            {
                return record with { Cause = CoreDnsLogEventCauses.Unknown, Error = $"unknown (get {g.Groups["resource"].Value})" };
            }

            if (GetUrl().Match(error) is { Success: true } u)
            {
                return record with { Cause = CoreDnsLogEventCauses.Connection, Endpoint = u.Groups["endpoint"].Value, Error = LastSegment(u.Groups["error"].Value) };
            }

            return error.Contains("the server could not find the requested resource", StringComparison.Ordinal)
                ? record with { Cause = CoreDnsLogEventCauses.NotServed, Error = "the server could not find the requested resource" }
                : record with { Cause = CoreDnsLogEventCauses.Other, Error = LastSegment(error) };
        }

        if (NotReady().Match(text) is { Success: true } r)
        {
            var plugins = r.Groups["plugins"].Value;
            return plugins.Split(',').Contains("kubernetes", StringComparer.Ordinal)
                ? record with { Kind = CoreDnsLogKind.ApiserverUnreachable, Cause = CoreDnsLogEventCauses.NotReady, Plugin = plugins }
                : null;
        }

        if (text.Contains("plugin/kubernetes: waiting for Kubernetes API", StringComparison.Ordinal))
        {
            return record with { Kind = CoreDnsLogKind.ApiserverUnreachable, Cause = CoreDnsLogEventCauses.Waiting, Plugin = "kubernetes" };
        }

        // kube-dns's kubedns container (GKE, kubeadm before 1.11) waits the same way, every 0.5 s for --initial-sync-timeout
        // (60 s), then exits (glog's F line): `dns.go:173] Waiting for services and endpoints to be initialized from
        // apiserver...` (1.14), `DNS server not ready, retry in 500 milliseconds` (1.15 on).
        if (text.Contains("Waiting for services and endpoints to be initialized from apiserver", StringComparison.Ordinal)
            || text.Contains("DNS server not ready, retry in 500 milliseconds", StringComparison.Ordinal))
        {
            return record with { Kind = CoreDnsLogKind.ApiserverUnreachable, Cause = CoreDnsLogEventCauses.Waiting, Plugin = KubeDnsContainer };
        }

        if (text.Contains("Timeout waiting for initialization", StringComparison.Ordinal))
        {
            return record with { Kind = CoreDnsLogKind.ApiserverUnreachable, Cause = CoreDnsLogEventCauses.Unsynced, Plugin = KubeDnsContainer };
        }

        return text.Contains("plugin/kubernetes: starting server with unsynced Kubernetes API", StringComparison.Ordinal)
            ? record with { Kind = CoreDnsLogKind.ApiserverUnreachable, Cause = CoreDnsLogEventCauses.Unsynced, Plugin = "kubernetes" }
            : null;
    }

    /// <summary>
    /// The errors plugin: <c>RCODE NAME TYPE: error</c> (<c>plugin/errors: </c> from 1.2.6, <c>[ERROR] </c> alone in
    /// 1.1.3-1.2.5, <c>[ERROR RCODE NAME TYPE] error</c> in 1.0.0-1.1.2), or an error without the question
    /// (<c>2 read udp A->B:53: i/o timeout</c>). forward's <c>no healthy proxies</c> and the proxy plugin's
    /// <c>unreachable backend: no upstream host</c> name no upstream: every one of them was marked down.
    /// </summary>
    private static CoreDnsLogRecord? UpstreamFailure(string text, CoreDnsLogRecord record)
    {
        if (UpstreamError().Match(text) is { Success: true } e)
        {
            var endpoint = e.Groups["upstream"].Success ? e.Groups["upstream"].Value : null;
            var error = LastSegment(e.Groups["error"].Value);
            return record with
            {
                Kind = CoreDnsLogKind.UpstreamError,
                QueryName = e.Groups["name"].Value,
                QueryType = e.Groups["type"].Value,
                Endpoint = endpoint,
                Error = error,
                Cause = endpoint is null && error is NoHealthyProxies or NoUpstreamHost ? CoreDnsLogEventCauses.NoHealthyUpstream : null,
            };
        }

        return UpstreamErrorWithoutQuestion().Match(text) is { Success: true } n
            ? record with { Kind = CoreDnsLogKind.UpstreamError, Endpoint = n.Groups["upstream"].Value, Error = LastSegment(n.Groups["error"].Value) }
            : null;
    }

    /// <summary>
    /// node-cache's set-up lines (kubernetes/dns cmd/node-cache/app/cache_app.go), each one failure it also counts in
    /// <c>coredns_nodecache_setup_errors_total{errortype}</c>, re-checked every <c>-syncinterval</c> (60 s): what it
    /// printed, the errortype it counted, and where the error follows. <c>Failed to add back ...</c> are the 2019 forms
    /// (kubernetes/dns#291). Its configmap errors are left out: <c>Failed to read node-cache coreFile
    /// /etc/coredns/Corefile.base</c> starts every kubespray node-cache (kubernetes/kubernetes#111888), which then runs
    /// the Corefile it was given.
    /// </summary>
    private static readonly (string Marker, string ErrorType, string ErrorAfter)[] NodeLocalSetupForms =
    [
        ("Error adding iptables rule ", "iptables", "} - "),
        ("Failed to add back non-existent rule ", "iptables", "} - "),
        ("Error adding ebtables rule ", "ebtables", "} - "),
        ("Failed to add non-existent interface ", "interface_add", ": "),
        ("Failed to add back non-existent interface ", "interface_add", ": "),
        ("Error checking dummy device ", "interface_check", " - "),
    ];

    /// <summary>The <c>[INFO]</c> line of a check that found the xtables lock held (another program's iptables run): counted as iptables_lock, retried.</summary>
    private const string IptablesLockHeld = ", due to xtables lock in use";

    private static CoreDnsLogRecord? NodeLocalSetupFailure(string text, CoreDnsLogRecord record)
    {
        const string CheckingOrAdding = "Error checking/adding iptables rule ";
        if (text.IndexOf(CheckingOrAdding, StringComparison.Ordinal) is var check and >= 0)
        {
            var rest = check + CheckingOrAdding.Length;
            if (text.IndexOf(IptablesLockHeld, rest, StringComparison.Ordinal) >= 0)
            {
                return record with { Kind = CoreDnsLogKind.NodeLocalSetupError, Cause = "iptables_lock", Error = "xtables lock in use" };
            }

            // Later versions (klog): "Error checking/adding iptables rule {...}, error - ERR".
            return text.IndexOf(", error - ", rest, StringComparison.Ordinal) is var e and >= 0
                ? record with { Kind = CoreDnsLogKind.NodeLocalSetupError, Cause = "iptables", Error = SetupError(text[(e + ", error - ".Length)..]) }
                : null;
        }

        foreach (var (marker, errorType, errorAfter) in NodeLocalSetupForms)
        {
            if (text.IndexOf(marker, StringComparison.Ordinal) is var at and >= 0
                && text.IndexOf(errorAfter, at + marker.Length, StringComparison.Ordinal) is var sep and >= 0)
            {
                return record with { Kind = CoreDnsLogKind.NodeLocalSetupError, Cause = errorType, Error = SetupError(text[(sep + errorAfter.Length)..]) };
            }
        }

        return null;
    }

    /// <summary>dnsmasq's warning at its <c>--dns-forward-max</c> (src/forward.c).</summary>
    private const string DnsmasqMaxReached = "Maximum number of concurrent DNS queries reached";

    /// <summary>forward's (and proxy's) error when the resolv.conf it was given lists no nameserver (plugin/forward/setup.go).</summary>
    private const string NoNameservers = "no nameservers found";

    /// <summary>
    /// <c>Listen: listen tcp :53: bind: address already in use</c> (also <c>ListenPacket: listen udp ...</c>, and bare
    /// <c>listen udp 169.254.20.10:53: bind: ...</c> from node-cache), with <c>permission denied</c> (a port below 1024
    /// without NET_BIND_SERVICE) or <c>cannot assign requested address</c> (the address is on no interface); and
    /// <c>plugin/forward: no nameservers found</c>.
    /// </summary>
    private static CoreDnsLogRecord? StartupFailure(string text, CoreDnsLogRecord record)
    {
        if (ListenFailure().Match(text) is { Success: true } l)
        {
            var error = l.Groups["error"].Value;
            return record with
            {
                Kind = CoreDnsLogKind.StartupFailure,
                Cause = error switch
                {
                    "address already in use" => CoreDnsLogEventCauses.AddressInUse,
                    "permission denied" => CoreDnsLogEventCauses.PermissionDenied,
                    _ => CoreDnsLogEventCauses.AddressNotAvailable,
                },
                Endpoint = l.Groups["address"].Value,
                Error = $"listen {l.Groups["proto"].Value} {l.Groups["address"].Value}: bind: {error}",
            };
        }

        return NoNameserversLine().Match(text) is { Success: true } n
            ? record with { Kind = CoreDnsLogKind.StartupFailure, Cause = CoreDnsLogEventCauses.NoNameservers, Plugin = n.Groups["plugin"].Value, Error = NoNameservers }
            : null;
    }

    /// <summary>The error as node-cache wrote it, without a trailing colon, at most 200 characters.</summary>
    private static string SetupError(string error)
    {
        error = error.Trim().TrimEnd(':').Trim();
        return error.Length > 200 ? error[..200] : error;
    }

    /// <summary>forward's ErrNoHealthy (plugin/forward/forward.go 1.0.6 on, plugin/pkg/proxy/errors.go from 1.11.0).</summary>
    private const string NoHealthyProxies = "no healthy proxies";

    /// <summary>The proxy plugin's, after <c>unreachable backend: </c> (plugin/proxy/proxy.go, 1.0.0-1.4.0).</summary>
    private const string NoUpstreamHost = "no upstream host";

    /// <summary>The loop plugin's three forms: 1.2.1-1.2.2, 1.2.3-1.3.0, and 1.3.1 on.</summary>
    private static CoreDnsLogRecord? ForwardLoop(string text, CoreDnsLogRecord record)
    {
        if (Loop().Match(text) is { Success: true } loop)
        {
            return record with { Kind = CoreDnsLogKind.ForwardLoop, Endpoint = loop.Groups["from"].Value, Zone = loop.Groups["zone"].Value };
        }

        if (LoopInZone().Match(text) is { Success: true } zone)
        {
            return record with { Kind = CoreDnsLogKind.ForwardLoop, Zone = zone.Groups["zone"].Value, QueryName = zone.Groups["qname"].Success ? zone.Groups["qname"].Value : null, QueryType = "HINFO" };
        }

        return LoopSeen().Match(text) is { Success: true } seen
            ? record with { Kind = CoreDnsLogKind.ForwardLoop, QueryName = seen.Groups["qname"].Value, QueryType = "HINFO" }
            : null;
    }

    /// <summary>The regex reading of a query line only (tests compare the fast scanner against it).</summary>
    internal static CoreDnsQuery? ParseQueryWithRegex(string text) => QueryLine().Match(text) is { Success: true } q ? ToQuery(q) : null;

    private static CoreDnsQuery ToQuery(Match m)
    {
        var client = m.Groups["client"].Value.Trim('[', ']');
        var flags = m.Groups["flags"].Value;
        return new CoreDnsQuery(
            client,
            Int(m.Groups["cport"].Value),
            m.Groups["id"].Value,
            m.Groups["type"].Value,
            m.Groups["class"].Value,
            m.Groups["name"].Value,
            m.Groups["proto"].Value,
            Int(m.Groups["size"].Value),
            m.Groups["do"].Value switch { "true" => true, "false" => false, _ => null },
            Int(m.Groups["bufsize"].Value),
            m.Groups["rcode"].Value,
            flags == "-" ? [] : flags.Split(',', StringSplitOptions.RemoveEmptyEntries),
            Int(m.Groups["rsize"].Value),
            Duration(m.Groups["duration"].Value, m.Groups["unit"].Value));
    }

    private static int? Int(string s) => int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : null;

    private static double? Duration(string value, string unit)
    {
        if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var v))
        {
            return null;
        }

        return unit switch { "ms" => v / 1e3, "µs" or "us" => v / 1e6, "ns" => v / 1e9, _ => v };
    }

    /// <summary>"dial tcp 10.96.0.1:443: connect: connection refused" → "connection refused".</summary>
    private static string LastSegment(string error)
    {
        var i = error.LastIndexOf(": ", StringComparison.Ordinal);
        return (i < 0 ? error : error[(i + 2)..]).Trim();
    }

    /// <summary>Splits an RFC 3339 prefix (<c>kubectl logs --timestamps</c>, up to nanoseconds) off the line.</summary>
    private static (DateTimeOffset? Timestamp, string Text) SplitTimestamp(string line)
    {
        if (line.Length < 20 || !char.IsAsciiDigit(line[0]) || line[4] != '-' || line[10] != 'T')
        {
            return (null, line);
        }

        var space = line.IndexOf(' ', StringComparison.Ordinal);
        var rest = space < 0 ? "" : line[(space + 1)..];
        if (FastUtc(space < 0 ? line : line.AsSpan(0, space)) is { } fast)
        {
            return (fast, rest);
        }

        var stamp = space < 0 ? line : line[..space];

        // .NET parses at most 7 fractional digits: cut nanoseconds to ticks.
        var dot = stamp.IndexOf('.', StringComparison.Ordinal);
        if (dot > 0)
        {
            var end = dot + 1;
            while (end < stamp.Length && char.IsAsciiDigit(stamp[end]))
            {
                end++;
            }

            if (end - dot - 1 > 7)
            {
                stamp = stamp[..(dot + 8)] + stamp[end..];
            }
        }

        return DateTimeOffset.TryParse(stamp, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t)
            ? (t, rest)
            : (null, line);
    }

    /// <summary><c>2024-05-13T08:21:44.031882211Z</c> (kubectl's own format) without the general parser; null for any other shape.</summary>
    internal static DateTimeOffset? FastUtc(ReadOnlySpan<char> s)
    {
        if (s.Length < 20 || s[^1] != 'Z' || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' || (s[19] != '.' && s.Length != 20))
        {
            return null;
        }

        if (!Digits(s[..4], out var year) || !Digits(s[5..7], out var month) || !Digits(s[8..10], out var day)
            || !Digits(s[11..13], out var hour) || !Digits(s[14..16], out var minute) || !Digits(s[17..19], out var second)
            || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(Math.Max(1, year), month) || hour > 23 || minute > 59 || second > 59 || year < 1)
        {
            return null;
        }

        long ticks = 0;
        if (s.Length > 20)
        {
            var fraction = s[20..^1];
            if (fraction.IsEmpty || fraction.Length > 9 || !Digits(fraction, out var value))
            {
                return null;
            }

            // To 100 ns ticks: pad or cut to 7 digits.
            ticks = fraction.Length <= 7 ? value * Pow10(7 - fraction.Length) : value / Pow10(fraction.Length - 7);
        }

        return new DateTimeOffset(year, month, day, hour, minute, second, TimeSpan.Zero).AddTicks(ticks);
    }

    private static long Pow10(int n)
    {
        long p = 1;
        for (var i = 0; i < n; i++)
        {
            p *= 10;
        }

        return p;
    }

    private static bool Digits(ReadOnlySpan<char> s, out int value)
    {
        value = 0;
        foreach (var c in s)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }

            value = (value * 10) + (c - '0');
        }

        return !s.IsEmpty;
    }

    private static string? Level(string text)
    {
        if (text.StartsWith('[') && text.IndexOf(']', StringComparison.Ordinal) is var close and > 1 and < 10)
        {
            return text[1..close];
        }

        // klog: "E0513 08:21:44.123456       1 reflector.go:138] ..."
        if (text.Length > 5 && text[0] is 'E' or 'W' or 'I' or 'F' && char.IsAsciiDigit(text[1]) && char.IsAsciiDigit(text[4]))
        {
            return text[0] switch { 'E' => "ERROR", 'W' => "WARNING", 'I' => "INFO", _ => "FATAL" };
        }

        return null;
    }

    [GeneratedRegex("""(?<client>\[[0-9A-Fa-f:.%a-z]+\]|[0-9A-Za-z.:_-]+?):(?<cport>\d+) - (?<id>\d+) "(?<type>[A-Z0-9]+|TYPE\d+) (?<class>[A-Z0-9]+) (?<name>\S+) (?<proto>udp|tcp) (?<size>\d+) (?<do>true|false) (?<bufsize>\d+)" (?<rcode>[A-Z0-9]+) (?<flags>\S+) (?<rsize>\d+) (?<duration>[0-9.]+(?:e-?\d+)?)(?<unit>s|ms|µs|us|ns)?""", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking)]
    private static partial Regex QueryLine();

    [GeneratedRegex(@"(?:Corefile:(?<line>\d+) - )?Error during parsing: Unknown directive '(?<directive>[^']*)'", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking)]
    private static partial Regex UnknownDirective();

    [GeneratedRegex(@"(?:plugin/(?<plugin>[a-z0-9_]+): )?(?:\S*Corefile:(?<line>\d+) - )?Error during parsing: unknown property '(?<property>[^']*)'", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking)]
    private static partial Regex UnknownProperty();

    [GeneratedRegex("""(?i:failed to (?:watch|list)) (?<resource>\*?\w+\.[\w.]+): (?:failed to list \*?\w+\.[\w.]+: )?(?<error>.+)$""", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking)]
    private static partial Regex WatchFailure();

    [GeneratedRegex("""^Get "?(?:https?://)?(?<endpoint>[^/" ]+)[^"]*"?: (?<error>.+)$""", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking)]
    private static partial Regex GetUrl();

    [GeneratedRegex("""is forbidden: User ["“](?<user>[^"”]+)["”] cannot (?<verb>\w+) resource ["“](?<resource>[^"”]+)["”]""", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking)]
    private static partial Regex Forbidden();

    [GeneratedRegex(@"^unknown \(get (?<resource>[^)\s]+)\)", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking)]
    private static partial Regex UnknownGet();

    [GeneratedRegex("""plugin/ready: (?:Still waiting on|Plugins not ready): "(?<plugins>[^"]*)"$""", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking)]
    private static partial Regex NotReady();

    [GeneratedRegex(@"(?:(?:plugin/errors: |\[ERROR\] )\d+ (?<name>\S+) (?<type>[A-Z0-9]+): |\[ERROR \d+ (?<name>\S+) (?<type>[A-Z0-9]+)\] )(?<error>(?:[a-z ]+: )?(?:(?:read|dial|write) )?(?:(?:udp|tcp) (?:[^\s>]+->)?(?<upstream>[^\s]+?): )?.+)$", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking)]
    private static partial Regex UpstreamError();

    /// <summary>
    /// <c>plugin/errors: 2 nginx. A: plugin/loop: no next plugin found</c>; CoreDNS before 1.2 wrote
    /// <c>[ERROR 0 google.com. A] plugin/log: no next plugin found</c>.
    /// </summary>
    [GeneratedRegex(@"(?:plugin/errors: \d+ (?<name>\S+) (?<type>[A-Z0-9]+): |\[ERROR \d+ (?<name>\S+) (?<type>[A-Z0-9]+)\] )?plugin/(?<plugin>[\w-]+): no next plugin found", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking)]
    private static partial Regex NoNextPlugin();

    [GeneratedRegex(@"plugin/errors: \d+ (?<error>(?:read|dial|write) (?:udp|tcp) (?:[^\s>]+->)?(?<upstream>\S+?): .+)$", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking)]
    private static partial Regex UpstreamErrorWithoutQuestion();

    [GeneratedRegex(@"Loop \((?<from>[^ )]+) -> (?<to>[^)]+)\) detected for zone ""(?<zone>[^""]*)""", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking)]
    private static partial Regex Loop();

    [GeneratedRegex(@"Forwarding loop detected in ""(?<zone>[^""]*)"" zone\.(?:.*Probe query: ""HINFO (?<qname>[^""]+)"")?", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking)]
    private static partial Regex LoopInZone();

    [GeneratedRegex(@"Seen ""HINFO IN (?<qname>[^""]+)"" more than twice, loop detected", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking)]
    private static partial Regex LoopSeen();

    [GeneratedRegex(@"(?:^|[\s:\]])listen (?<proto>tcp|udp)[46]? (?<address>[0-9.]*:\d{1,5}|\[[0-9A-Fa-f:.]*\]:\d{1,5}): bind: (?<error>address already in use|permission denied|cannot assign requested address)", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking)]
    private static partial Regex ListenFailure();

    [GeneratedRegex(@"plugins?/(?<plugin>forward|proxy): no nameservers found", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking)]
    private static partial Regex NoNameserversLine();

    [GeneratedRegex(@"Maximum number of concurrent DNS queries reached \(max: (?<max>\d{1,9})\)", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking)]
    private static partial Regex DnsmasqMax();
}
