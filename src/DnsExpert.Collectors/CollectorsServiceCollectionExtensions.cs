using DnsExpert.Collectors.Kubernetes;
using DnsExpert.Collectors.Probes;
using DnsExpert.Core.Collection;
using k8s;
using Microsoft.Extensions.DependencyInjection;

namespace DnsExpert.Collectors;

public static class CollectorsServiceCollectionExtensions
{
    /// <summary>
    /// Registers live collection when <see cref="ClusterOptions.Enabled"/>: one <see cref="IKubernetes"/> for the process
    /// (in-cluster service account, else the kubeconfig and context configured, else $KUBECONFIG or ~/.kube/config).
    /// </summary>
    public static IServiceCollection AddDnsExpertCollectors(this IServiceCollection services, ClusterOptions options, ProbeOptions probes)
    {
        if (!options.Enabled)
        {
            return services;
        }

        services.AddSingleton(options);
        services.AddSingleton<IKubernetes>(_ => new k8s.Kubernetes(ClientConfiguration(options)));
        services.AddSingleton<ILiveSnapshotCollector>(sp =>
        {
            var time = sp.GetRequiredService<TimeProvider>();
            return new KubernetesSnapshotCollector(sp.GetRequiredService<IKubernetes>(), options, time, probes.Enabled ? new DnsProber(probes, time) : null);
        });
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
