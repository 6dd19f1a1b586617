using DnsExpert.Api.Alerts;
using DnsExpert.Api.Async;
using DnsExpert.Api.Chat;
using DnsExpert.Api.Endpoints;
using DnsExpert.Api.History;
using DnsExpert.Api.Hosting;
using DnsExpert.Api.OpenApi;
using DnsExpert.Api.Security;
using DnsExpert.Api.Tickets;
using DnsExpert.Collectors;
using DnsExpert.Diagnosis.Composition;
using DnsExpert.Diagnosis;
using DnsExpert.Engine;
using DnsExpert.Engine.RuleBases;
using DnsExpert.Rendering.Escaping;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Extensions.Options;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Prometheus;

namespace DnsExpert.Api;

/// <summary>Builds the DnsExpert web application; shared by the API's entry point and <c>dnsexpert serve</c>.</summary>
public static class DnsExpertHost
{
    /// <summary>Bytes Kestrel buffers per connection ahead of the application (its read-ahead, not the body limit).</summary>
    public const long RequestBufferBytes = 64 * 1024;

    /// <summary>
    /// The log levels every host starts from: the framework's per-request lines at Warning, its start and stop lines and
    /// DnsExpert's own at Information. The lowest configuration source, so appsettings.json, environment variables and
    /// the command line still decide; <c>dnsexpert serve</c> from any directory logs as the API's project does.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string?> DefaultLogLevels = new Dictionary<string, string?>(StringComparer.Ordinal)
    {
        ["Logging:LogLevel:Default"] = "Information",
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
        ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Information",
    };

    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.Configuration.Sources.Insert(0, new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource { InitialData = DefaultLogLevels });
        builder.AddDnsExpertApi();
        var app = builder.Build();
        app.UseDnsExpertApi();
        return app;
    }

    /// <summary>Registers options, the engine (rule base compiled once), ProblemDetails and Swagger.</summary>
    public static IHostApplicationBuilder AddDnsExpertApi(this IHostApplicationBuilder builder)
    {
        // Every options class is bound once, here or in its project's registration, validated on start (a bad value
        // stops start-up naming its key), and read through IOptions<T>.
        builder.Services.AddOptions<DnsExpertOptions>()
            .BindConfiguration(DnsExpertOptions.Section)
            .PostConfigure<IHostEnvironment>((o, environment) =>
                o.RulesDirectory = RulesDirectoryLocator.Locate(o.RulesDirectory, environment.ContentRootPath, AppContext.BaseDirectory))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddOptions<RuleReloadOptions>().BindConfiguration(RuleReloadOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>().Configure<IOptions<DnsExpertOptions>>((kestrel, options) =>
        {
            kestrel.Limits.MaxRequestBodySize = options.Value.MaxRequestBodyBytes;
            // What Kestrel reads ahead of the application per connection (1 MB by default): a body waiting for admission
            // stays in the client's socket, not in pinned server memory (200 connections held 200 MB before).
            kestrel.Limits.MaxRequestBufferSize = RequestBufferBytes;
        });

        builder.Services.AddDnsExpertDiagnosis(services => services.GetRequiredService<IOptions<DnsExpertOptions>>().Value.RulesDirectory!);
        builder.Services.AddSingleton(services => services.GetRequiredService<IOptions<DnsExpertOptions>>().Value.Limits);
        builder.Services.AddDnsExpertCollectors(builder.Configuration);
        builder.Services.AddSingleton<SampleCatalog>();
        builder.Services.AddOptions<AlertOptions>().BindConfiguration(AlertOptions.Section).ValidateDataAnnotations()
            .Validate<IOptions<CallbackOptions>>(
                (alerts, callbacks) => alerts.CallbackUrl is null || callbacks.Value.Refuse(alerts.CallbackUrl) is null,
                $"{AlertOptions.Section}:{nameof(AlertOptions.CallbackUrl)} must be a callback URL that DnsExpert:Callbacks allows (an absolute https URL, or http with AllowHttp; its host in AllowedHosts when that list is set)")
            .ValidateOnStart();
        builder.Services.AddSingleton<AlertDelivery>();
        builder.Services.AddSingleton<AlertGroups>();
        builder.Services.AddSingleton<BodyAdmission>();
        builder.Services.AddSingleton<PastedOutputAdmission>();
        PublicLinks.AddTrustedForwardedHeaders(builder.Services);
        builder.Services.AddDnsExpertHealthChecks();
        builder.AddDnsExpertHistory();
        builder.AddDnsExpertAsync();
        builder.AddDnsExpertSecurity();
        AddSlack(builder.Services);
        AddTeams(builder.Services);
        AddJira(builder.Services);

        builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = ctx =>
        {
            ctx.ProblemDetails.Extensions.TryAdd("traceId", ctx.HttpContext.TraceIdentifier);
            // Routing refuses a body of another media type before the endpoint runs (its Accepts metadata): say what to send.
            if (ctx.ProblemDetails.Status == StatusCodes.Status415UnsupportedMediaType && ctx.ProblemDetails.Detail is null)
            {
                ctx.ProblemDetails.Detail = JsonBody.UnsupportedMediaType(ctx.HttpContext.Request.ContentType);
            }
        });
        builder.Services.ConfigureHttpJsonOptions(o => JsonText.ForResponses(o.SerializerOptions).WriteIndented = false);
        builder.Services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        builder.Services.AddExceptionHandler<ParameterBindingProblems>();
        // .NET's own meters (runtime, ASP.NET Core, HttpClient) through prometheus-net's adapter, but not the dnsexpert
        // meter (PrometheusBridge publishes it under its documented names) nor the runtime's private ones (msquic internals).
        Metrics.ConfigureMeterAdapter(o => o.InstrumentFilterPredicate = instrument =>
            instrument.Meter.Name != DiagnosisMetrics.MeterName && !instrument.Meter.Name.StartsWith("Private.", StringComparison.Ordinal));
        builder.Services.AddHostedService<PrometheusBridge>();
        AddTracing(builder);
        builder.Services.AddHostedService<RuleReloader>();
        builder.Services.AddEndpointsApiExplorer();
        builder.Services.AddDnsExpertSwagger();
        return builder;
    }

    /// <summary>
    /// The Slack command: its options, the signature and replies, a delivery client of its own under Slack's allow-list,
    /// and its path open without an API key when a signing secret is configured (the signature stands for the key).
    /// </summary>
    private static void AddSlack(IServiceCollection services)
    {
        services.AddOptions<SlackOptions>().BindConfiguration(SlackOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<SlackReplies>();
        CallbackSender.AddClient(services, SlackReplies.ClientName, provider => provider.GetRequiredService<SlackReplies>().Policy);
        services.AddOptions<AuthOptions>().PostConfigure<IOptions<SlackOptions>>((auth, slack) =>
        {
            if (slack.Value.SigningSecretFile is { Length: > 0 } && !auth.AnonymousPaths.Contains(SlackApi.Path, StringComparer.OrdinalIgnoreCase))
            {
                auth.AnonymousPaths.Add(SlackApi.Path);
            }
        });
    }

    /// <summary>
    /// The Teams outgoing webhook: its options, the token and replay guard, and its path open without an API key when a
    /// token is configured (the signature stands for the key).
    /// </summary>
    private static void AddTeams(IServiceCollection services)
    {
        services.AddOptions<TeamsOptions>().BindConfiguration(TeamsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<TeamsMessages>();
        services.AddOptions<AuthOptions>().PostConfigure<IOptions<TeamsOptions>>((auth, teams) =>
        {
            if (teams.Value.OutgoingWebhookTokenFile is { Length: > 0 } && !auth.AnonymousPaths.Contains(TeamsApi.Path, StringComparer.OrdinalIgnoreCase))
            {
                auth.AnonymousPaths.Add(TeamsApi.Path);
            }
        });
    }

    /// <summary>
    /// Jira issues created from a diagnosis: the options, checked at start when any is set, and a delivery client of
    /// the callbacks' kind whose allow-list is the base URL's host.
    /// </summary>
    private static void AddJira(IServiceCollection services)
    {
        services.AddOptions<JiraOptions>().BindConfiguration(JiraOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<JiraTickets>();
        CallbackSender.AddClient(services, JiraTickets.ClientName, provider => provider.GetRequiredService<JiraTickets>().Policy);
    }

    /// <summary>
    /// OpenTelemetry traces (requests, diagnoses, each collector, probe and the rule session) exported over OTLP when
    /// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> (or <c>DnsExpert:Tracing:OtlpEndpoint</c>) is set; nothing is sampled otherwise.
    /// </summary>
    private static void AddTracing(IHostApplicationBuilder builder)
    {
        var endpoint = builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"] ?? builder.Configuration["DnsExpert:Tracing:OtlpEndpoint"];
        if (string.IsNullOrWhiteSpace(endpoint))
        {
            return;
        }

        builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("dnsexpert"))
            .WithTracing(t => t
                .AddSource(Text.Telemetry.Tracing.SourceName)
                .AddAspNetCoreInstrumentation(o => o.Filter = context =>
                    !context.Request.Path.StartsWithSegments("/healthz") && !context.Request.Path.StartsWithSegments("/readyz") && !context.Request.Path.StartsWithSegments("/metrics"))
                .AddOtlpExporter(o => o.Endpoint = new Uri(endpoint)));
    }

    /// <summary>
    /// The status of an exception that is the caller's fault: a bad request as Kestrel or binding reports it, and a
    /// chunk size too large for any number (<c>ffffffffffffffffff1</c>), which Kestrel reports as an
    /// <see cref="IOException"/> around an <see cref="OverflowException"/> instead of a bad request.
    /// </summary>
    internal static int? CallerError(Exception exception) => exception switch
    {
        BadHttpRequestException bad => bad.StatusCode,
        IOException { InnerException: OverflowException } => StatusCodes.Status400BadRequest,
        _ => null,
    };

    public static WebApplication UseDnsExpertApi(this WebApplication app)
    {
        // Fail fast: compile the rule base now, so a broken rule file stops start-up with file:line: reason.
        _ = app.Services.GetRequiredService<IRuleBaseProvider>().Current;
        _ = app.Services.GetRequiredService<IOptions<DnsExpertOptions>>().Value;
        _ = app.Services.GetRequiredService<SlackReplies>().Signature;
        _ = app.Services.GetRequiredService<TeamsMessages>().Signature;

        PublicLinks.UseTrustedForwardedHeaders(app);
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            // Unexpected errors: a 500 ProblemDetails without internals.
            StatusCodeSelector = ex => CallerError(ex) ?? StatusCodes.Status500InternalServerError,

            // A caller's bad input is answered, not logged as a server error (a log line per bad request is a flood).
            SuppressDiagnosticsCallback = ctx => CallerError(ctx.Exception) is not null,
        });
        app.UseStatusCodePages();
        // The endpoints behind the caller checks: each documents what those checks, and its parameters' binding, may answer.
        var api = ParameterBindingProblems.AnswersParameterProblems(app.UseDnsExpertSecurity());
        app.UseSwagger();
        app.UseSwaggerUI(o =>
        {
            o.SwaggerEndpoint("/swagger/v1/swagger.json", "DnsExpert v1");
            o.DocumentTitle = "DnsExpert API";
        });

        app.MapGet("/", () => Results.Redirect("/swagger")).ExcludeFromDescription();
        app.MapMetrics("/metrics");
        app.MapHealthApi();
        api.MapDiagnosesApi();
        api.MapRulesApi();
        api.MapClassifyApi();
        api.MapSamplesApi();
        api.MapSnapshotsApi();
        api.MapReportsApi();
        api.MapAlertsApi();
        api.MapSlackApi();
        api.MapTeamsApi();
        api.MapJiraApi();
        return app;
    }
}
