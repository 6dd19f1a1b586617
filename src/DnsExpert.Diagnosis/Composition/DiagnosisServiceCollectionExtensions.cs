using DnsExpert.Contract;
using DnsExpert.Diagnosis.Application;
using DnsExpert.Diagnosis.FactBuilding;
using DnsExpert.Engine.RuleBases;
using DnsExpert.Engine.Sessions;
using DnsExpert.History;
using DnsExpert.Readers.Collection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace DnsExpert.Diagnosis.Composition;

public static class DiagnosisServiceCollectionExtensions
{
    /// <summary>
    /// Registers DnsExpert's object graph as <see cref="DnsExpertComposition"/> builds it (the one composition root), over
    /// the rule base of <paramref name="rulesDirectory"/>: the composition takes from the container what the host
    /// registered (clock, limits, live collector, history, callbacks, queue options, logging), and each part is
    /// registered as the composition's. The application service runs over the registered <see cref="IDiagnosisService"/>,
    /// so a test that puts another in its place is heard.
    /// </summary>
    public static IServiceCollection AddDnsExpertDiagnosis(this IServiceCollection services, Func<IServiceProvider, string> rulesDirectory)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.AddSingleton<DiagnosisMetrics>();
        services.AddSingleton(sp => new DnsExpertComposition(new CompositionInputs(() => rulesDirectory(sp))
        {
            Time = sp.GetRequiredService<TimeProvider>(),
            Limits = sp.GetService<RequestLimits>(),
            Collector = sp.GetService<ILiveSnapshotCollector>(),
            Metrics = sp.GetRequiredService<DiagnosisMetrics>(),
            History = sp.GetService<IDiagnosisHistory>(),
            Notifier = sp.GetService<IDiagnosisNotifier>(),
            Async = sp.GetService<IOptions<AsyncOptions>>()?.Value ?? new AsyncOptions(),
            Logging = sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance,
        }));
        services.AddSingleton(sp => sp.GetRequiredService<DnsExpertComposition>().RuleBase);
        services.AddSingleton<IRuleBaseProvider>(sp => sp.GetRequiredService<DirectoryRuleBaseProvider>());
        services.AddSingleton<RuleEngine>(sp => sp.GetRequiredService<DnsExpertComposition>().Engine);
        services.AddSingleton<LogScanScheduler>(sp => sp.GetRequiredService<DnsExpertComposition>().LogScans);
        services.AddSingleton<IDiagnosisService>(sp => sp.GetRequiredService<DnsExpertComposition>().Diagnoses);
        services.AddSingleton(sp => sp.GetRequiredService<DnsExpertComposition>().WorkflowOver(sp.GetRequiredService<IDiagnosisService>()));
        return services;
    }

    /// <inheritdoc cref="AddDnsExpertDiagnosis(IServiceCollection, Func{IServiceProvider, string})"/>
    public static IServiceCollection AddDnsExpertDiagnosis(this IServiceCollection services, string rulesDirectory) =>
        services.AddDnsExpertDiagnosis(_ => rulesDirectory);
}
