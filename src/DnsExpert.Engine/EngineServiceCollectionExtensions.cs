using DnsExpert.Engine.RuleBases;
using DnsExpert.Engine.Sessions;
using Microsoft.Extensions.DependencyInjection;

namespace DnsExpert.Engine;

public static class EngineServiceCollectionExtensions
{
    /// <summary>Registers the rule base (compiled once, from <paramref name="rulesDirectory"/>) and the engine that runs fact sets against it.</summary>
    public static IServiceCollection AddDnsExpertEngine(this IServiceCollection services, string rulesDirectory) =>
        services.AddDnsExpertEngine(_ => rulesDirectory);

    /// <summary>The same, with the rules directory taken from the container (the host's validated options).</summary>
    public static IServiceCollection AddDnsExpertEngine(this IServiceCollection services, Func<IServiceProvider, string> rulesDirectory)
    {
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new DirectoryRuleBaseProvider(rulesDirectory(sp), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IRuleBaseProvider>(sp => sp.GetRequiredService<DirectoryRuleBaseProvider>());
        services.AddSingleton<RuleEngine>();
        return services;
    }
}
