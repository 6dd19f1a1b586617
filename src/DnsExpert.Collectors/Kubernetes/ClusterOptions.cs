using System.ComponentModel.DataAnnotations;

namespace DnsExpert.Collectors.Kubernetes;

/// <summary>How DnsExpert reaches a live cluster (configuration section <c>DnsExpert:Cluster</c>).</summary>
public sealed class ClusterOptions
{
    public const string Section = "DnsExpert:Cluster";

    /// <summary>Collect live when a request has no snapshot. Off by default: the service then only diagnoses snapshots.</summary>
    public bool Enabled { get; set; }

    /// <summary>A kubeconfig file; default: in-cluster service account, else <c>$KUBECONFIG</c> or <c>~/.kube/config</c>.</summary>
    public string? Kubeconfig { get; set; }

    /// <summary>The kubeconfig context to use (default: the current context).</summary>
    public string? Context { get; set; }

    /// <summary>Read the target pod's /etc/resolv.conf through exec (needs the pods/exec verb). Off by default.</summary>
    public bool ExecEnabled { get; set; }

    /// <summary>Each collector's own timeout.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00")]
    [Display(Name = $"{Section}:{nameof(CollectorTimeout)}")]
    public TimeSpan CollectorTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The deadline of the whole collection; what is not done by then is reported as failed.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    [Display(Name = $"{Section}:{nameof(Deadline)}")]
    public TimeSpan Deadline { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Ask the node agents (DaemonSet pods labelled app.kubernetes.io/component=agent) for node facts.</summary>
    public bool AgentsEnabled { get; set; } = true;

    /// <summary>The namespace the node agents run in.</summary>
    public string AgentNamespace { get; set; } = "dnsexpert";

    /// <summary>
    /// A file holding the token the agents require for node probes (dig and ping from the node's network to kube-dns and
    /// the CoreDNS pods); mount the same Secret into the agents (<c>--token-file</c>). Unset: agents only report files.
    /// </summary>
    public string? AgentTokenFile { get; set; }

    /// <summary>The agents' port, unless their pod names a container port "agent".</summary>
    [Range(1, 65535)]
    [Display(Name = $"{Section}:{nameof(AgentPort)}")]
    public int AgentPort { get; set; } = 9154;

    /// <summary>
    /// Without a Prometheus server (<c>DnsExpert:Prometheus:Url</c>), scrape each cluster DNS pod's metrics port
    /// (<c>:9153/metrics</c>) through the API server's pod proxy, as <c>kubectl get --raw
    /// /api/v1/namespaces/NS/pods/POD:9153/proxy/metrics</c> does; needs <c>get</c> on <c>pods/proxy</c> in the cluster
    /// DNS namespace (a 403 is reported, and the diagnosis goes on without).
    /// </summary>
    public bool ScrapeMetrics { get; set; } = true;

    /// <summary>
    /// The time between a pod's two scrapes: their difference says what happens now (SERVFAIL, rejects, failed health
    /// checks between them), where one scrape only counts since the process started. Zero: one scrape. A second scrape
    /// the collection deadline would cut is not made.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:05:00")]
    [Display(Name = $"{Section}:{nameof(MetricsScrapeInterval)}")]
    public TimeSpan MetricsScrapeInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Lines of each CoreDNS container's log to read (kubectl logs --tail).</summary>
    [Range(1, 100_000)]
    [Display(Name = $"{Section}:{nameof(LogTailLines)}")]
    public int LogTailLines { get; set; } = 500;
}
