using DnsExpert.Collectors;
using DnsExpert.Readers.Collection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace DnsExpert.NodeAgent.Tests;

/// <summary>
/// Live collection as the service composes it (<see cref="CollectorsServiceCollectionExtensions.AddDnsExpertCollectors"/>:
/// options from configuration, the prober, the node-agent client from IHttpClientFactory), pointed at a fixture API
/// server through its kubeconfig.
/// </summary>
internal static class ComposedCollector
{
    public static ILiveSnapshotCollector Create(string kubeconfig, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var values = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["DnsExpert:Cluster:Enabled"] = "true",
            ["DnsExpert:Cluster:Kubeconfig"] = kubeconfig,
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddDnsExpertCollectors(configuration)
            .BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        return services.GetRequiredService<ILiveSnapshotCollector>();
    }
}
