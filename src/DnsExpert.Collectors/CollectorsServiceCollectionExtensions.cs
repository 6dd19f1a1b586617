using DnsExpert.Collectors.Kubernetes;
using DnsExpert.Collectors.Node;
using DnsExpert.Collectors.Probes;
using DnsExpert.Collectors.Prometheus;
using DnsExpert.Readers.Collection;
using k8s;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;

namespace DnsExpert.Collectors;

public static class CollectorsServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="ClusterOptions"/> and <see cref="ProbeOptions"/> (bound from configuration, validated on
    /// start), and live collection when <c>DnsExpert:Cluster:Enabled</c>: one <see cref="IKubernetes"/> for the process
    /// (in-cluster service account, else the kubeconfig and context configured, else $KUBECONFIG or ~/.kube/config), the
    /// prober, the node-agent client, and the Prometheus reader when <c>DnsExpert:Prometheus:Url</c> is set
    /// (<see cref="PrometheusOptions"/>, validated on start). Whether to collect live at all is read from <paramref name="configuration"/>
    /// here, because it decides what is registered: without it there is no <see cref="ILiveSnapshotCollector"/>.
    /// </summary>
    public static IServiceCollection AddDnsExpertCollectors(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ClusterOptions>().BindConfiguration(ClusterOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddProbes();
        services.AddOptions<PrometheusOptions>().BindConfiguration(PrometheusOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        if (!configuration.GetValue<bool>($"{ClusterOptions.Section}:{nameof(ClusterOptions.Enabled)}"))
        {
            return services;
        }

        services.AddSingleton<IKubernetes>(sp => new k8s.Kubernetes(ClientConfiguration(sp.GetRequiredService<IOptions<ClusterOptions>>().Value)));
        services.AddNodeAgentClient();
        var prometheus = !string.IsNullOrWhiteSpace(configuration[$"{PrometheusOptions.Section}:{nameof(PrometheusOptions.Url)}"]);
        if (prometheus)
        {
            // Each query is timed by the reader (PrometheusOptions.Timeout).
            services.AddHttpClient<PrometheusMetricsReader>().ConfigureHttpClient(c => c.Timeout = Timeout.InfiniteTimeSpan);
        }

        services.AddSingleton<ILiveSnapshotCollector>(sp => new KubernetesSnapshotCollector(
            sp.GetRequiredService<IKubernetes>(),
            sp.GetRequiredService<IOptions<ClusterOptions>>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<NodeAgentClient>(),
            sp.GetRequiredService<IOptions<ProbeOptions>>().Value.Enabled ? sp.GetRequiredService<DnsProber>() : null,
            prometheus ? sp.GetRequiredService<PrometheusMetricsReader>() : null));
        return services;
    }

    /// <summary>
    /// The node agent's own services (<c>dnsexpert agent</c>): <see cref="AgentOptions"/> checked on start by
    /// <see cref="AgentScope"/> (a range or port that does not parse stops start-up, named), the scope itself, the node
    /// files reader over <paramref name="root"/>, the prober and the pinger. <paramref name="scope"/> (the command line's
    /// <c>--allow-cidr</c> and <c>--dns-port</c>) and <paramref name="probes"/>, when given, replace what configuration says.
    /// </summary>
    public static IServiceCollection AddDnsExpertNodeAgent(this IServiceCollection services, string root, AgentOptions? scope = null, ProbeOptions? probes = null)
    {
        var agent = services.AddOptions<AgentOptions>().BindConfiguration(AgentOptions.Section).ValidateOnStart();
        if (scope is not null)
        {
            agent.Configure(o =>
            {
                o.AllowedCidrs = [.. scope.AllowedCidrs];
                o.DnsPorts = [.. scope.DnsPorts];
            });
        }

        services.AddSingleton<IValidateOptions<AgentOptions>, AgentOptionsValidation>();
        services.AddSingleton(sp => AgentScope.From(sp.GetRequiredService<IOptions<AgentOptions>>().Value));
        services.AddProbes(probes);
        services.AddSingleton<Pinger>();
        services.AddSingleton(new NodeFactsReader(root));
        return services;
    }

    /// <summary>
    /// The node agents' typed client: pooled connections, and the standard resilience handler (retries of transient
    /// failures with back-off, a circuit breaker per agent address) with its timeouts from
    /// <see cref="ClusterOptions.CollectorTimeout"/>. A probe plan (POST) is not retried: it may have run in part.
    /// </summary>
    public static IServiceCollection AddNodeAgentClient(this IServiceCollection services)
    {
        services.AddHttpClient<NodeAgentClient>()
            .ConfigureHttpClient(c => c.Timeout = Timeout.InfiniteTimeSpan) // the resilience handler times each attempt
            .AddStandardResilienceHandler()
            .SelectPipelineByAuthority()
            .Configure((HttpStandardResilienceOptions o, IServiceProvider sp) =>
            {
                var timeout = sp.GetRequiredService<IOptions<ClusterOptions>>().Value.CollectorTimeout;
                o.AttemptTimeout.Timeout = timeout;
                o.TotalRequestTimeout.Timeout = timeout * 2;
                o.CircuitBreaker.SamplingDuration = TimeSpan.FromTicks(Math.Max(o.CircuitBreaker.SamplingDuration.Ticks, timeout.Ticks * 2));
                o.Retry.Delay = TimeSpan.FromMilliseconds(200);
                o.Retry.DisableForUnsafeHttpMethods();
            });
        return services;
    }

    private static IServiceCollection AddProbes(this IServiceCollection services, ProbeOptions? probes = null)
    {
        services.TryAddSingleton(TimeProvider.System);
        var options = services.AddOptions<ProbeOptions>().BindConfiguration(ProbeOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        if (probes is not null)
        {
            options.Configure(o =>
            {
                o.Enabled = probes.Enabled;
                o.Timeout = probes.Timeout;
                o.MaxParallel = probes.MaxParallel;
            });
        }

        services.AddSingleton<DnsProber>();
        return services;
    }

    private static KubernetesClientConfiguration ClientConfiguration(ClusterOptions options)
    {
        if (options.Kubeconfig is null && options.Context is null && KubernetesClientConfiguration.IsInCluster())
        {
            return KubernetesClientConfiguration.InClusterConfig();
        }

        return KubernetesClientConfiguration.BuildConfigFromConfigFile(options.Kubeconfig, options.Context);
    }
}
