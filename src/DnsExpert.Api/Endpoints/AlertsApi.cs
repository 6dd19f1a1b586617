using DnsExpert.Api.Alerts;
using DnsExpert.Api.Async;
using DnsExpert.Api.History;
using DnsExpert.Api.Hosting;
using DnsExpert.Api.Security;
using DnsExpert.Contract;
using DnsExpert.Diagnosis.Application;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace DnsExpert.Api.Endpoints;

/// <summary><c>POST /api/v1/alerts/alertmanager</c>: Alertmanager's webhook, where a firing DNS alert group starts a diagnosis.</summary>
public static partial class AlertsApi
{
    public static IEndpointRouteBuilder MapAlertsApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v1/alerts/alertmanager", Receive)
            .WithTags("Alerts")
            .WithName("ReceiveAlertmanagerNotification")
            .WithSummary("Alertmanager's webhook: a firing DNS alert group starts a diagnosis")
            .WithDescription("""
                The receiver of an Alertmanager `webhook_config` (payload version 4). A notification whose firing alerts include DNS alerts (labelled `dnsexpert_rule`, or named in `DnsExpert:Alerts:Names`: by default the alerts of `deploy/prometheus` and the kube-prometheus mixin's CoreDNS alerts) starts one asynchronous diagnosis for the group, as `POST /api/v1/diagnoses?wait=false` would: live collection scoped to the pod the alerts share (`namespace` and `pod`, or an `instance` naming a pod), with the alerts as the symptom's text. The answer is `202` with `diagnosisId` and `links`.

                A repeat notification of the group (same `groupKey`, within `DnsExpert:Alerts:GroupLifetime` of the last one) returns the same diagnosis (`outcome: repeat`); a `resolved` notification is recorded and ends the group (`outcome: resolved`), a notification without firing DNS alerts is `outcome: ignored`. Needs the `diagnose` role, like creating a diagnosis (`403` otherwise, or when the pod's namespace is outside the key's).
                """);
        return app;
    }

    internal static async Task<Results<Accepted<AlertNotificationResponse>, BodyProblem<AlertmanagerNotification>, Problem<Status.Unprocessable>, Problem<Status.Forbidden>, Problem<Status.ServiceUnavailable>>> Receive(
        HttpRequest http, DiagnosisWorkflow workflow, AlertGroups groups, HistoryState history, IOptions<AlertOptions> alertOptions, IOptions<DnsExpertOptions> options,
        PublicLinks links, AlertDelivery delivery, ILogger<AlertGroups> logger, [AsParameters] BodyServices bodies, CancellationToken cancellationToken)
    {
        var (notification, problem) = await JsonBody.ReadAsync<AlertmanagerNotification>(http, options.Value, bodies, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var errors = AlertRequests.Validate(notification!);
        if (errors.Count > 0)
        {
            return Problem.Unprocessable(errors, "The notification is not an Alertmanager webhook payload this service reads");
        }

        var scope = CallerScope.Of(http.HttpContext);
        if (scope.Role < CallerRole.Diagnose)
        {
            return DiagnosesApi.Forbidden("$", "this key may only read diagnoses (role read)");
        }

        var names = alertOptions.Value.EffectiveNames;
        var groupKey = notification!.GroupKey!;
        var alerts = notification.Alerts!;
        var ignored = alerts.Where(a => !AlertRequests.IsDnsAlert(a, names)).Select(AlertRequests.NameOf).Distinct(StringComparer.Ordinal).ToList();
        if (notification.Status == "resolved")
        {
            var resolvedId = await groups.ResolveAsync(scope.Principal, groupKey, cancellationToken);
            var dns = alerts.Where(a => AlertRequests.IsDnsAlert(a, names)).Select(AlertRequests.NameOf).Distinct(StringComparer.Ordinal).ToList();
            LogResolved(logger, dns.Count, resolvedId ?? "none");
            return Answer(links, "resolved", groupKey, dns, ignored, resolvedId,
                resolvedId is null ? "Recorded the group as resolved; it had no diagnosis here." : "Recorded the group as resolved; its diagnosis is kept. A new firing notification starts a new one.");
        }

        var firing = alerts.Where(a => a.Status == "firing" && AlertRequests.IsDnsAlert(a, names)).ToList();
        var firingNames = firing.Select(AlertRequests.NameOf).Distinct(StringComparer.Ordinal).ToList();
        if (firing.Count == 0)
        {
            return Answer(links, "ignored", groupKey, [], ignored, null,
                "No firing DNS alert in this group (labelled dnsexpert_rule or named in DnsExpert:Alerts:Names): nothing to diagnose.");
        }

        var request = AlertRequests.Request(notification, firing, options.Value.Limits.MaxErrorMessageLength);
        var reply = delivery.Apply(request);
        if (DiagnosesApi.MayNotCreate(scope, request) is { } forbidden)
        {
            return forbidden;
        }

        var (id, repeat, unavailable) = await DiagnoseOnceAsync(request, reply, scope, groupKey, http, workflow, groups, history, links, cancellationToken);
        if (id is null)
        {
            return unavailable!;
        }

        if (!repeat)
        {
            LogStarted(logger, firing.Count, id);
        }

        return Answer(links, repeat ? "repeat" : "diagnosing", groupKey, firingNames, ignored, id, repeat
            ? "The group already has a diagnosis (a repeat notification): its id, nothing new started."
            : "Started a diagnosis of the group's DNS alerts; poll links.self until status is no longer running.");
    }

    /// <summary>
    /// Queues the group's diagnosis unless it has one already (a repeat notification, or one still kept that did not fail):
    /// its id and whether it was there before, or the 503 when the queue or the history cannot take it.
    /// </summary>
    private static async Task<(string? Id, bool Repeat, Problem<Status.ServiceUnavailable>? Unavailable)> DiagnoseOnceAsync(
        DiagnosisRequest request, Func<DiagnosisResponse, Task>? reply, CallerScope scope, string groupKey, HttpRequest http, DiagnosisWorkflow workflow,
        AlertGroups groups, HistoryState history, PublicLinks links, CancellationToken cancellationToken)
    {
        Problem<Status.ServiceUnavailable>? unavailable = null;
        var (id, repeat) = await groups.DiagnoseOnceAsync(scope.Principal, groupKey, async () =>
        {
            try
            {
                var accepted = await workflow.EnqueueAsync(new DiagnosisRun(request)
                {
                    CreatedBy = scope.Principal, LinkBase = links.Base(), Admission = http.HttpContext.Features.Get<AdmittedBody>(), Reply = reply,
                }, cancellationToken);
                unavailable = accepted is null ? Unavailable(http, "Too many diagnoses are waiting", "The queue of asynchronous diagnoses is full; Alertmanager retries the notification.") : null;
                return accepted?.Id;
            }
            catch (HistoryUnavailableException ex)
            {
                unavailable = Unavailable(http, "Alert diagnoses need the history", ex.Message);
                return null;
            }
        }, cancellationToken, failed: async known => history.Store is { } store
            && (await store.GetAsync(known, cancellationToken))?.Status == DiagnosisStatus.Failed);
        return (id, repeat, id is null
            ? unavailable ?? Unavailable(http, "The group's diagnosis is being started",
                "Another replica is starting this alert group's diagnosis; Alertmanager retries the notification.")
            : null);
    }

    private static Accepted<AlertNotificationResponse> Answer(
        PublicLinks publicLinks, string outcome, string groupKey, IReadOnlyList<string> alerts, IReadOnlyList<string> ignored, string? id, string detail)
    {
        var links = id is null ? null : publicLinks.Of(id);
        return TypedResults.Accepted(links?["self"], new AlertNotificationResponse
        {
            Outcome = outcome, GroupKey = groupKey, Alerts = alerts, Ignored = ignored, DiagnosisId = id, Links = links, Detail = detail,
        });
    }

    private static Problem<Status.ServiceUnavailable> Unavailable(HttpRequest http, string title, string detail)
    {
        http.HttpContext.Response.Headers.RetryAfter = "10";
        return Problem.Of<Status.ServiceUnavailable>(title, detail);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Alertmanager notification: {Count} firing DNS alert(s), diagnosis {Id} started")]
    private static partial void LogStarted(ILogger logger, int count, string id);

    [LoggerMessage(Level = LogLevel.Information, Message = "Alertmanager notification: group resolved ({Count} DNS alert(s)), its diagnosis {Id}")]
    private static partial void LogResolved(ILogger logger, int count, string id);
}
