using DnsExpert.Diagnosis.FactBuilding;
using DnsExpert.Engine;
using Microsoft.Extensions.DependencyInjection;

namespace DnsExpert.Diagnosis;

public static class DiagnosisServiceCollectionExtensions
{
    /// <summary>
    /// Registers the diagnosis service (collect, build facts, run the engine, respond), its metrics and the log-scan
    /// stage, over the engine and the rule base of <paramref name="rulesDirectory"/>.
    /// </summary>
    public static IServiceCollection AddDnsExpertDiagnosis(this IServiceCollection services, Func<IServiceProvider, string> rulesDirectory)
    {
        services.AddDnsExpertEngine(rulesDirectory);
        services.AddMetrics();
        services.AddSingleton<DiagnosisMetrics>();
        services.AddSingleton(_ => new LogScanScheduler());
        services.AddSingleton<IDiagnosisService, DiagnosisService>();
        return services;
    }

    /// <inheritdoc cref="AddDnsExpertDiagnosis(IServiceCollection, Func{IServiceProvider, string})"/>
    public static IServiceCollection AddDnsExpertDiagnosis(this IServiceCollection services, string rulesDirectory) =>
        services.AddDnsExpertDiagnosis(_ => rulesDirectory);
}
