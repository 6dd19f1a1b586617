using DnsExpert.Diagnosis.Application;
using Microsoft.Extensions.Options;

namespace DnsExpert.Api.Async;

public static class AsyncSetup
{
    /// <summary>The queue of asynchronous diagnoses and its workers, and the delivery of results to callbacks (after the history they record into).</summary>
    public static IHostApplicationBuilder AddDnsExpertAsync(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<AsyncOptions>().BindConfiguration(AsyncOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<CallbackOptions>().BindConfiguration(CallbackOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<CallbackOptions>, CallbackOptionsValidation>();
        CallbackSender.AddCallbacks(builder.Services);
        builder.Services.AddSingleton<CallbackSender>();
        builder.Services.AddSingleton<CallbackDispatcher>();
        builder.Services.AddHostedService(services => services.GetRequiredService<CallbackDispatcher>());
        builder.Services.AddSingleton<IDiagnosisNotifier>(services => services.GetRequiredService<CallbackDispatcher>());
        builder.Services.AddHostedService<DiagnosisWorker>();
        return builder;
    }
}
