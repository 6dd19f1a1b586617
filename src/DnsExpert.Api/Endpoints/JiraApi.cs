using DnsExpert.Api.History;
using DnsExpert.Api.Hosting;
using DnsExpert.Api.Security;
using DnsExpert.Api.Tickets;
using DnsExpert.Contract;
using Microsoft.AspNetCore.Http.HttpResults;

namespace DnsExpert.Api.Endpoints;

/// <summary><c>POST /api/v1/diagnoses/{id}/ticket/jira</c>: a kept diagnosis' Jira issue, created once and kept with it.</summary>
public static class JiraApi
{
    public const string Path = "/api/v1/diagnoses/{id}/ticket/jira";

    /// <summary>A reservation older than this is taken to be one whose replica stopped during the call, and is taken over.</summary>
    public static readonly TimeSpan StaleReservation = TimeSpan.FromMinutes(5);

    public static IEndpointRouteBuilder MapJiraApi(this IEndpointRouteBuilder app)
    {
        app.MapPost(Path, Create)
            .WithTags("Diagnoses")
            .WithName("CreateJiraIssue")
            .WithSummary("Create the diagnosis' Jira issue in the configured project, once")
            .WithDescription($$"""
                Sends the issue `?format=jira` renders (summary, priority hint, labels, the description in Atlassian Document Format) with the configured `project` and `issuetype` to `{{JiraOptions.Section}}:BaseUrl` + `/rest/api/3/issue`, authenticated with the token from its Secret file, and keeps the created key with the diagnosis: `GET /api/v1/diagnoses/{id}` then lists it under `issues`. Answers `201` with `{"key", "url"}` (`Location` is the issue's browse URL).

                `404` for an unknown id; `403` for a key with role `read`; `409` when the diagnosis is still running, or when its issue was already created (the problem carries its `key` and `url`) or is being created; `501` when Jira is not configured on this service (the problem names the setting); `502` when Jira refused or could not be reached (the problem quotes Jira's `errorMessages` and `errors`). Only the base URL's host is called, once, without following redirects.
                """);
        return app;
    }

    internal static async Task<Results<Created<JiraIssueCreated>, Problem<Status.NotFound>, Problem<Status.Forbidden>, Problem<Status.Conflict>, Problem<Status.NotImplemented>, Problem<Status.BadGateway>>> Create(
        string id, HttpRequest http, HistoryState history, PublicLinks links, JiraTickets jira, TimeProvider time, CancellationToken cancellationToken)
    {
        var scope = CallerScope.Of(http.HttpContext);
        var (response, problem) = await DiagnosesApi.Find(id, history, scope, cancellationToken);
        if (response is null)
        {
            return problem!;
        }

        if (scope.Role < CallerRole.Diagnose)
        {
            return DiagnosesApi.Forbidden("$", "this key may only read diagnoses (role read); creating an issue needs role diagnose");
        }

        if (!jira.Settings.Enabled)
        {
            return Problem.Of<Status.NotImplemented>("Jira is not configured on this service",
                $"Set {JiraOptions.Section}:BaseUrl, ProjectKey, and Email with ApiTokenFile (Jira Cloud) or BearerTokenFile (Data Center); `?format=jira` renders the issue's body meanwhile.");
        }

        if (response.Status == DiagnosisStatus.Running)
        {
            return Conflict("The diagnosis is still running", "Create its issue once it has completed.");
        }

        var store = history.Store!;
        var now = time.GetUtcNow();
        if (!await store.ReserveIssueAsync(id, JiraTickets.Tracker, now, now - StaleReservation, cancellationToken))
        {
            var existing = (await store.GetAsync(id, cancellationToken))?.Issues?.FirstOrDefault(i => i.Tracker == JiraTickets.Tracker);
            return existing is null
                ? Conflict("The Jira issue is being created", "Another request is creating this diagnosis' issue; read the diagnosis for its key.")
                : Conflict("The Jira issue was already created", $"This diagnosis' issue is {existing.Key}: {existing.Url}",
                    new Dictionary<string, object?> { ["key"] = existing.Key, ["url"] = existing.Url });
        }

        // Not the caller's token from here on: a caller that hangs up while Jira creates the issue must not leave it
        // created but unrecorded (the call is bounded by DnsExpert:Jira:Timeout).
        var outcome = await jira.CreateAsync(response with { Links = links.Of(id, response.PreviousId) }, CancellationToken.None);
        if (outcome is not { Key: { } key, Url: { } url })
        {
            await store.ReleaseIssueAsync(id, JiraTickets.Tracker, CancellationToken.None);
            return Problem.Of<Status.BadGateway>("Jira did not create the issue", outcome.Error,
                outcome.JiraStatus is { } status ? new Dictionary<string, object?> { ["jiraStatus"] = status } : null);
        }

        await store.SetIssueAsync(id, new TrackerIssue(JiraTickets.Tracker, key, url, time.GetUtcNow()), CancellationToken.None);
        return TypedResults.Created(url, new JiraIssueCreated(key, url));
    }

    private static Problem<Status.Conflict> Conflict(string title, string detail, IDictionary<string, object?>? extensions = null) =>
        Problem.Of<Status.Conflict>(title, detail, extensions);
}
