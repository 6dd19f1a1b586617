using DnsExpert.Diagnosis.Application;
using DnsExpert.History;
using DnsExpert.Rendering;
using Microsoft.Extensions.Options;

namespace DnsExpert.Api.History;

public static class HistorySetup
{
    /// <summary>The history store (SQLite by default) and its maintenance.</summary>
    public static IHostApplicationBuilder AddDnsExpertHistory(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<HistoryOptions>().BindConfiguration(HistoryOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<HistoryOptions>, HistoryOptionsValidation>();

        builder.Services.AddSingleton(services =>
        {
            var options = services.GetRequiredService<IOptions<HistoryOptions>>().Value;
            IDiagnosisStore? store = options.Provider switch
            {
                HistoryProvider.Sqlite => new SqliteDiagnosisStore(options, DnsExpertJson.Stored),
                HistoryProvider.Postgres => new PostgresDiagnosisStore(options, DnsExpertJson.Stored),
                _ => null,
            };
            return new HistoryState(store);
        });
        builder.Services.AddHostedService<HistoryMaintenance>();
        builder.Services.AddSingleton<IDiagnosisHistory>(services => services.GetRequiredService<HistoryState>());
        return builder;
    }
}
