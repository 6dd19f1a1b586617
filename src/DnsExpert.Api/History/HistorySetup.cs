using DnsExpert.Api.Async;
using DnsExpert.Diagnosis.Application;
using DnsExpert.History;
using DnsExpert.Rendering;
using Microsoft.Extensions.Options;

namespace DnsExpert.Api.History;

public static class HistorySetup
{
    /// <summary>The history store (SQLite by default), its maintenance, the async queue and result callbacks.</summary>
    public static IHostApplicationBuilder AddDnsExpertHistory(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<HistoryOptions>().BindConfiguration(HistoryOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<AsyncOptions>().BindConfiguration(AsyncOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<CallbackOptions>().BindConfiguration(CallbackOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<HistoryOptions>, HistoryOptionsValidation>();
        builder.Services.AddSingleton<IValidateOptions<CallbackOptions>, CallbackOptionsValidation>();

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

        CallbackSender.AddCallbacks(builder.Services);
        builder.Services.AddSingleton<CallbackSender>();
        builder.Services.AddSingleton<CallbackDispatcher>();
        builder.Services.AddHostedService(services => services.GetRequiredService<CallbackDispatcher>());
        builder.Services.AddSingleton<IDiagnosisHistory>(services => services.GetRequiredService<HistoryState>());
        builder.Services.AddSingleton<IDiagnosisNotifier>(services => services.GetRequiredService<CallbackDispatcher>());
        builder.Services.AddHostedService<DiagnosisWorker>();
        return builder;
    }
}
