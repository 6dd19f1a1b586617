using System.Text.Json;
using System.Text.Json.Serialization;

namespace DnsExpert.Contract;

/// <summary>A request to diagnose a DNS failure. Every field is optional.</summary>
public sealed class DiagnosisRequest
{
    /// <summary>The pod that cannot resolve a name.</summary>
    public TargetRef? Target { get; set; }

    /// <summary>The name that fails to resolve, as the application asked for it.</summary>
    public string? Domain { get; set; }

    /// <summary>What the user saw.</summary>
    public Symptom? Symptom { get; set; }

    /// <summary>Facts gathered from the cluster. Without it, DnsExpert collects one live (when configured).</summary>
    public Snapshot? Snapshot { get; set; }

    /// <summary>How to diagnose.</summary>
    public DiagnosisOptions? Options { get; set; }

    /// <summary>
    /// Where to POST the result when the diagnosis ends (a chat bot's or ticketing system's webhook). Its host must be in
    /// the service's callback allow-list.
    /// </summary>
    public string? CallbackUrl { get; set; }
}

/// <summary>Switches for one diagnosis.</summary>
public sealed class DiagnosisOptions
{
    /// <summary>Run active DNS probes during live collection (default true when probing is configured).</summary>
    public bool? Probe { get; set; }
}

/// <summary>A pod, by namespace and name.</summary>
public sealed class TargetRef
{
    /// <summary>Namespace of the pod; <c>default</c> when omitted.</summary>
    public string? Namespace { get; set; }

    /// <summary>Name of the pod.</summary>
    public string? Pod { get; set; }
}

/// <summary>What the user observed.</summary>
public sealed class Symptom
{
    /// <summary>The client's error message, verbatim (curl, ping, Go, PHP, dig ...).</summary>
    public string? ErrorMessage { get; set; }

    /// <summary>How often resolution fails.</summary>
    public Frequency? Frequency { get; set; }
}

/// <summary>How often the failure happens (the guide's routing by frequency).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<Frequency>))]
public enum Frequency
{
    /// <summary>Every time.</summary>
    [JsonStringEnumMemberName("always")] Always,

    /// <summary>Only at peak load.</summary>
    [JsonStringEnumMemberName("peak")] Peak,

    /// <summary>Often, but not always.</summary>
    [JsonStringEnumMemberName("often")] Often,

    /// <summary>Rarely.</summary>
    [JsonStringEnumMemberName("rarely")] Rarely,

    /// <summary>Only while nodes or CoreDNS scale in or out.</summary>
    [JsonStringEnumMemberName("scaling")] Scaling,
}

/// <summary>Raw artifacts collected from a cluster.</summary>
public sealed class Snapshot
{
    /// <summary>Kubernetes objects exactly as <c>kubectl get -o json</c> prints them, or v1 Lists of them.</summary>
    public IList<JsonElement>? Objects { get; set; }

    /// <summary>Container logs.</summary>
    public IList<LogArtifact>? Logs { get; set; }

    /// <summary>Files read from pods or nodes, and command outputs.</summary>
    public IList<FileArtifact>? Files { get; set; }

    /// <summary>Results of active probes (dig, ping, TCP connect).</summary>
    public IList<ProbeArtifact>? Probes { get; set; }

    /// <summary>CoreDNS pods' counters over a window, as a Prometheus server answered the live collector's queries.</summary>
    public IList<MetricsArtifact>? Metrics { get; set; }

    /// <summary>
    /// Output of commands as people paste it: <c>dig</c> and <c>nslookup</c> become probe results, <c>kubectl get -o
    /// json</c> objects, <c>kubectl logs</c> a log, <c>cat /etc/resolv.conf</c> and any other command a file of its
    /// origin (<c>dmesg</c>, <c>conntrack -S</c>, ...).
    /// </summary>
    public IList<CommandOutput>? Outputs { get; set; }
}

/// <summary>The output of one command, pasted.</summary>
public sealed class CommandOutput
{
    /// <summary>Where it ran: <c>namespace/pod</c>, <c>node/NAME</c>; omitted when unknown (a workstation, a bot).</summary>
    public string? From { get; set; }

    /// <summary>The command line, as typed (<c>dig @10.96.0.10 api.example.com +tries=1</c>); never run.</summary>
    public string? Command { get; set; }

    /// <summary>What it printed.</summary>
    public string? Text { get; set; }

    /// <summary>
    /// How the caller names this output in errors and collection entries: <c>snapshot.outputs[i]</c> of the request it
    /// came in, or what <see cref="EvidenceRequest.AppendTo"/> says for evidence (<c>outputs[0]</c> of this round, an
    /// earlier round's output). Not part of the wire contract: never read from a body, never written.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string? Source { get; init; }

    /// <summary>The output of a request as it is named <paramref name="source"/>.</summary>
    public CommandOutput Named(string source) => new() { From = From, Command = Command, Text = Text, Source = source };
}

/// <summary>The log of one container.</summary>
public sealed class LogArtifact
{
    public string? Namespace { get; set; }
    public string? Pod { get; set; }
    public string? Container { get; set; }

    /// <summary>
    /// Raw log text, optionally with <c>--timestamps</c> prefixes. A log over 1 MiB of JSON is scanned as the request is
    /// read and its text is not kept.
    /// </summary>
    public LogText? Text { get; set; }
}

/// <summary>A file from a pod or a node, or the output of a command run there.</summary>
public sealed class FileArtifact
{
    public string? Namespace { get; set; }
    public string? Pod { get; set; }
    public string? Node { get; set; }

    /// <summary>The file's path (<c>/etc/resolv.conf</c>, <c>/proc/net/snmp</c>) or a well-known name such as <c>dmesg</c>.</summary>
    public string? Path { get; set; }

    /// <summary>The command whose output <see cref="Text"/> is, instead of a path (<c>ldd --version</c>).</summary>
    public string? Command { get; set; }

    public string? Text { get; set; }
}

/// <summary>
/// One CoreDNS pod's counters over a window, from a Prometheus server (<c>increase(...[15m])</c> over the names of the
/// three metric generations). A counter the server holds no series of is null (not available), never zero.
/// </summary>
public sealed class MetricsArtifact
{
    public string? Namespace { get; set; }
    public string? Pod { get; set; }

    /// <summary>The Prometheus server asked (its URL).</summary>
    public string? Server { get; set; }

    /// <summary>The window the counters rose in, in minutes, ending at <see cref="Time"/>.</summary>
    public int? WindowMinutes { get; set; }

    /// <summary>When the queries were evaluated.</summary>
    public DateTimeOffset? Time { get; set; }

    /// <summary>Requests received.</summary>
    public long? Requests { get; set; }

    /// <summary>Responses by rcode (<c>NOERROR</c>, <c>SERVFAIL</c>, ...).</summary>
    public IDictionary<string, long>? Responses { get; set; }

    /// <summary>Panics recovered.</summary>
    public long? Panics { get; set; }

    /// <summary>Queries <c>forward</c> refused itself at <c>max_concurrent</c>.</summary>
    public long? MaxConcurrentRejects { get; set; }

    /// <summary>Queries the cache answered over the window (<c>coredns_cache_hits_total</c>, every <c>type</c>); none without a cache plugin.</summary>
    public long? CacheHits { get; set; }

    /// <summary>Queries the cache passed on over the window (<c>coredns_cache_misses_total</c>).</summary>
    public long? CacheMisses { get; set; }

    /// <summary>Cache hits over the window of the same length just before (<c>offset</c>): the ratio to compare with.</summary>
    public long? CacheHitsBefore { get; set; }

    /// <summary>Cache misses over the window of the same length just before.</summary>
    public long? CacheMissesBefore { get; set; }

    /// <summary>Changed Corefiles the pod refused to load (<c>coredns_reload_failed_total</c>, <c>coredns_reload_failed_count_total</c> before 1.7.0).</summary>
    public long? ReloadFailures { get; set; }

    /// <summary>Failed health checks by upstream (<c>to</c>).</summary>
    public IDictionary<string, long>? HealthcheckFailures { get; set; }

    /// <summary>Queries <c>forward</c> found every upstream down for (<c>coredns_forward_healthcheck_broken_total</c>).</summary>
    public long? HealthcheckBroken { get; set; }

    /// <summary>
    /// Queries <c>forward</c> sent, by upstream (<c>to</c>): <c>coredns_proxy_request_duration_seconds_count{proxy_name="forward"}</c>
    /// from 1.11.0, <c>coredns_forward_requests_total</c> before, <c>coredns_forward_request_count_total</c> before 1.7.0.
    /// </summary>
    public IDictionary<string, long>? ForwardRequests { get; set; }

    /// <summary>The 99th percentile of the request duration over the window, in seconds (<c>histogram_quantile</c>).</summary>
    public double? P99Seconds { get; set; }

    /// <summary>CFS periods of the <c>coredns</c> container's CPU limit (cAdvisor's <c>container_cpu_cfs_periods_total</c>); none without a limit.</summary>
    public long? CpuPeriods { get; set; }

    /// <summary>Of <see cref="CpuPeriods"/>, those the container used up its quota in and waited (<c>container_cpu_cfs_throttled_periods_total</c>).</summary>
    public long? CpuThrottledPeriods { get; set; }

    /// <summary>
    /// The <c>coredns</c> container's CPU limit in cores, from kube-state-metrics (<c>kube_pod_container_resource_limits{resource="cpu"}</c>,
    /// before 2.0 <c>kube_pod_container_resource_limits_cpu_cores</c>); none without a limit or without kube-state-metrics.
    /// </summary>
    public double? CpuLimitCores { get; set; }

    /// <summary>The <c>coredns</c> container's CPU use in cores, on average over the window (cAdvisor's <c>container_cpu_usage_seconds_total</c> rate).</summary>
    public double? CpuUsageCores { get; set; }
}

/// <summary>The result of one active probe.</summary>
public sealed class ProbeArtifact
{
    /// <summary>Where the probe ran: <c>namespace/pod</c>, <c>node/NAME</c>, or <c>dnsexpert</c>.</summary>
    public string? From { get; set; }

    public ProbeKind? Kind { get; set; }

    /// <summary>DNS server queried (dns probes).</summary>
    public string? Server { get; set; }

    /// <summary>Address pinged or connected to (ping and tcp probes).</summary>
    public string? Target { get; set; }

    public int? Port { get; set; }
    public string? Name { get; set; }
    public string? Type { get; set; }
    public ProbeTransport? Transport { get; set; }
    public ProbeOutcome? Outcome { get; set; }
    public string? Rcode { get; set; }
    public bool? Truncated { get; set; }

    /// <summary>
    /// The address a reply came from when it was not the server asked (dig's and nslookup's <c>;; reply from unexpected
    /// source: A#53, expected B#53</c>): the client drops such a reply, so the lookup times out.
    /// </summary>
    public string? ReplyFrom { get; set; }

    /// <summary>The answer's <c>aa</c> flag: the server is authoritative for the name (an NXDOMAIN then is final).</summary>
    public bool? Authoritative { get; set; }

    public int? AnswerCount { get; set; }
    public double? LatencyMs { get; set; }

    /// <summary>Echo requests sent (ping probes); with <see cref="Received"/> it says a partial loss.</summary>
    public int? Sent { get; set; }

    /// <summary>Echo replies received (ping probes).</summary>
    public int? Received { get; set; }

    /// <summary>When the probe ran (ISO 8601).</summary>
    public DateTimeOffset? Time { get; set; }
}

[JsonConverter(typeof(JsonStringEnumConverter<ProbeKind>))]
public enum ProbeKind
{
    [JsonStringEnumMemberName("dns")] Dns,
    [JsonStringEnumMemberName("ping")] Ping,
    [JsonStringEnumMemberName("tcp")] Tcp,
}

[JsonConverter(typeof(JsonStringEnumConverter<ProbeTransport>))]
public enum ProbeTransport
{
    [JsonStringEnumMemberName("udp")] Udp,
    [JsonStringEnumMemberName("tcp")] Tcp,
}

[JsonConverter(typeof(JsonStringEnumConverter<ProbeOutcome>))]
public enum ProbeOutcome
{
    [JsonStringEnumMemberName("answered")] Answered,
    [JsonStringEnumMemberName("timeout")] Timeout,
    [JsonStringEnumMemberName("refused")] Refused,
    [JsonStringEnumMemberName("unreachable")] Unreachable,
}
