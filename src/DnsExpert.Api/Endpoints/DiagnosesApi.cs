using System.Globalization;
using System.Text.RegularExpressions;
using DnsExpert.Api.Async;
using DnsExpert.Api.History;
using DnsExpert.Api.Hosting;
using DnsExpert.Api.Security;
using DnsExpert.Contract;
using DnsExpert.Diagnosis;
using DnsExpert.Diagnosis.Application;
using DnsExpert.History;
using DnsExpert.Readers.Collection;
using DnsExpert.Rendering;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace DnsExpert.Api.Endpoints;

public static partial class DiagnosesApi
{
    public static IEndpointRouteBuilder MapDiagnosesApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/diagnoses").WithTags("Diagnoses");
        group.MapPost("/", Diagnose)
            .WithName("CreateDiagnosis")
            .WithSummary("Diagnose a DNS failure from a snapshot, or from the live cluster")
            .WithDescription("""
                Runs the rule base over the snapshot's facts (or a snapshot collected live when the request has none) and returns root-cause findings, most severe and most specific first, with evidence and remediation. The diagnosis is kept in the history (see `links`).

                Every diagnosis carries `hypotheses`: the causes the guide routes the reported error class, frequency and name kind to, each `confirmed` (a finding), `ruled-out` (the facts it reads were there) or `unverified` with the `missing` fact types and the `checks` (commands, cheapest first; the packet capture last) whose output goes into `snapshot.outputs` of a follow-up request. A request with a `symptom` and no snapshot, on a service without cluster access, answers `200` with the classification and the hypotheses (a `live` collection entry says live collection is not configured); without a symptom either it is a `422`.

                `?wait=false` answers `202 Accepted` at once with `Location: /api/v1/diagnoses/{id}`; poll it until `status` is no longer `running`, or give a `callbackUrl` (its host must be in the service's allow-list) to receive the result by POST.

                `?format=markdown` (or `Accept: text/markdown`) returns a report for chat and tickets; `?format=slack` a Slack Block Kit message; `?format=teams` a Microsoft Teams message (an Adaptive Card 1.5 for an incoming webhook or a Workflow); `?format=jira` the fields of a Jira Cloud issue (`POST /rest/api/3/issue`, the description in Atlassian Document Format; add `project` and `issuetype`).
                """);
        group.MapPost("/{id}/evidence", AddEvidence)
            .WithName("AddDiagnosisEvidence")
            .WithSummary("Refine an earlier diagnosis with more evidence: the output of the checks it suggested, pasted")
            .WithDescription("""
                Appends `outputs` (command output as pasted: `dig`, `nslookup`, `kubectl get -o json`, `kubectl logs`, `cat /etc/resolv.conf`, ...) and any `snapshot` parts to the request of diagnosis `{id}` as the history keeps it (Secret data and env values redacted), diagnoses it again and answers the refined diagnosis: a new id with `previousId` and a `previous` link; reading the earlier one back then shows a `next` link. The body is read like a diagnosis request, under the same limits.

                `404` for an unknown id, `409` while the earlier diagnosis is still running, `410` when its request is no longer kept. `?wait=false` and `?format=` work as for `POST /api/v1/diagnoses`.

                The stored request is diagnosed again, so it counts as if it were sent with the evidence: the evidence and the stored request together must fit `DnsExpert:MaxRequestBodyBytes` (`413`), both are admitted by size (`503` with `Retry-After` while the bodies in flight take `MaxBodiesInFlightBytes`), and the call costs one more request of the caller's rate limit per full `DnsExpert:Auth:EvidenceBytesPerPermit` (1 MiB) of the stored request or per full `EvidenceTimePerPermit` (1 s) its last diagnosis took, whichever is more (`429` with `Retry-After`).
                """);
        group.MapGet("/", List)
            .WithName("ListDiagnoses")
            .WithSummary("The history of diagnoses, newest first, paged")
            .WithDescription("Filters: `namespace`, `pod`, `ruleId` (diagnoses where that rule fired), `since` (RFC 3339 time, or an age such as `90m`, `24h`, `7d`). Pages of `limit` (1-200, default 50); pass `nextCursor` as `cursor` for the next page.");
        group.MapGet("/{id}", Get)
            .WithName("GetDiagnosis")
            .WithSummary("One diagnosis: running, completed (with its findings) or failed")
            .WithDescription("While `status` is `running` the answer carries `Retry-After`. Supports `?format=markdown|slack|teams` like the POST; `?checks=all` lists every next check in the Markdown (`links.checks`), where a chat answer shows the first three.");
        group.MapGet("/{id}/ticket", Ticket)
            .WithName("GetDiagnosisTicket")
            .WithSummary("What to attach to a support ticket")
            .WithDescription("The ticket payloads of the findings the guide routes to a support ticket (for example `external-domain-upstream-error`: failing name, response code, time to the second, CoreDNS nodes and their instance ids). `?format=markdown` gives the ticket text.");
        group.MapGet("/{id}/request", StoredRequestJson)
            .WithName("GetDiagnosisRequest")
            .WithSummary("The request as stored (snapshot included, Secret data removed), to replay with POST");
        return app;
    }

    internal static async Task<Results<DiagnosisAnswer, BodyProblem<DiagnosisRequest>, Problem<Status.Unprocessable>, Problem<Status.Forbidden>>> Diagnose(
        HttpRequest http, [FromQuery] bool? wait, [FromQuery] ReportFormat? format,
        DiagnosisWorkflow workflow, PublicLinks links, IOptions<DnsExpertOptions> options, IOptions<CallbackOptions> callbacks,
        [AsParameters] BodyServices bodies, [FromServices] ILiveSnapshotCollector? collector, CancellationToken cancellationToken)
    {
        var (request, problem) = await JsonBody.ReadAsync<DiagnosisRequest>(http, options.Value, bodies, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var errors = Validate(request!, options.Value, callbacks.Value);
        if (errors.Count > 0)
        {
            return Problem.Unprocessable(errors, "The request has invalid fields");
        }

        if (MayNotCreate(CallerScope.Of(http.HttpContext), request!) is { } forbidden)
        {
            return forbidden;
        }

        if (!(wait ?? true) && request!.Snapshot is null && request.Symptom is null && collector is null)
        {
            return LiveCollectionUnavailable(new LiveCollectionUnavailableException().Message);
        }

        return await Answer(RunOf(request!, http, links), wait ?? true, format, http, workflow, cancellationToken);
    }

    /// <summary>
    /// A request as the caller of <paramref name="http"/> runs it: their principal its creator, its links under the base
    /// they reached (<see cref="PublicLinks"/>), the body's admission for a queued diagnosis to hold, refining
    /// <paramref name="previousId"/> when given.
    /// </summary>
    internal static DiagnosisRun RunOf(DiagnosisRequest request, HttpRequest http, PublicLinks links, string? previousId = null) => new(request)
    {
        PreviousId = previousId,
        CreatedBy = CallerScope.Of(http.HttpContext).Principal,
        LinkBase = links.Base(),
        Admission = http.HttpContext.Features.Get<AdmittedBody>(),
    };

    /// <summary>Diagnoses a read and valid request now (200) or queues it (<c>?wait=false</c>: 202).</summary>
    private static async Task<DiagnosisAnswer> Answer(
        DiagnosisRun run, bool wait, ReportFormat? format, HttpRequest http, DiagnosisWorkflow workflow, CancellationToken cancellationToken)
    {
        if (wait)
        {
            var (response, refused) = await Run(run, workflow, cancellationToken);
            return response is null ? refused! : AsText(response, format, http) is { } text ? text : TypedResults.Ok(response);
        }

        DiagnosisResponse? accepted;
        try
        {
            accepted = await workflow.EnqueueAsync(run, cancellationToken);
        }
        catch (HistoryUnavailableException ex)
        {
            return Unavailable("Asynchronous diagnoses need the history", ex.Message, http, retryAfter: 5);
        }

        if (accepted is null)
        {
            return Unavailable("Too many diagnoses are waiting", "The queue of asynchronous diagnoses is full; retry later or use wait=true.", http, retryAfter: 10);
        }

        http.HttpContext.Response.Headers.RetryAfter = "1";
        return TypedResults.Accepted(accepted.Links!["self"], accepted);
    }

    /// <summary>Diagnoses one request (kept in the history; also used by the samples), or the 422 when it needs a cluster there is not.</summary>
    internal static async Task<(DiagnosisResponse? Response, Problem<Status.Unprocessable>? Problem)> Run(
        DiagnosisRun run, DiagnosisWorkflow workflow, CancellationToken cancellationToken)
    {
        try
        {
            return (await workflow.RunAsync(run, cancellationToken), null);
        }
        catch (LiveCollectionUnavailableException ex)
        {
            return (null, LiveCollectionUnavailable(ex.Message));
        }
    }

    /// <summary>The 422 of a request that needs a snapshot collected from a cluster this service has no access to.</summary>
    private static Problem<Status.Unprocessable> LiveCollectionUnavailable(string message) =>
        Problem.Of<Status.Unprocessable>("Live collection is not configured", message,
            new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { ["snapshot"] = [message] } });

    internal static Dictionary<string, string[]> Validate(DiagnosisRequest request, DnsExpertOptions options, CallbackOptions callbacks)
    {
        var errors = RequestValidator.Validate(request, options.Limits).ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
        if (request.CallbackUrl is { } url && callbacks.Refuse(url) is { } reason)
        {
            errors["callbackUrl"] = [reason];
        }

        return errors;
    }

    internal static async Task<Results<Ok<DiagnosisPage>, Problem<Status.Unprocessable>, Problem<Status.ServiceUnavailable>>> List(
        HttpRequest http, HistoryState history, PublicLinks links, TimeProvider time, string? @namespace, string? pod, string? ruleId, string? since, int? limit, string? cursor,
        CancellationToken cancellationToken)
    {
        if (history.Store is not { } store)
        {
            return Unavailable("The history is switched off", "DnsExpert:History:Provider is none: diagnoses are not kept.", http, retryAfter: null);
        }

        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        CheckName(errors, "namespace", @namespace, 63);
        CheckName(errors, "pod", pod, 253);
        CheckName(errors, "ruleId", ruleId, 100);
        DateTimeOffset? from = null;
        if (since is not null)
        {
            from = ParseSince(since, time.GetUtcNow());
            if (from is null)
            {
                errors["since"] = ["must be an RFC 3339 time (2026-11-25T09:00:00Z) or an age such as 90m, 24h or 7d"];
            }
        }

        if (limit is < 1 or > 200)
        {
            errors["limit"] = ["must be between 1 and 200"];
        }

        DiagnosisCursor? after = null;
        if (cursor is not null && !DiagnosisCursor.TryDecode(cursor, out after))
        {
            errors["cursor"] = ["is not a cursor this service handed out (use nextCursor of the previous page)"];
        }

        if (errors.Count > 0)
        {
            return Problem.Unprocessable(errors, "The query has invalid parameters");
        }

        var page = await store.ListAsync(new DiagnosisQuery
        {
            Namespace = @namespace, Pod = pod, RuleId = ruleId, Since = from, Limit = limit ?? 50, After = after,
            InNamespaces = CallerScope.Of(http.HttpContext).Namespaces?.ToList(),
        }, cancellationToken);
        foreach (var item in page.Items)
        {
            item.Links = links.Of(item.Id);
        }

        return TypedResults.Ok(page);
    }

    internal static async Task<Results<Ok<DiagnosisResponse>, RenderedReport, Problem<Status.NotFound>>> Get(
        string id, [FromQuery] ReportFormat? format, [FromQuery] CheckList? checks, HttpRequest http, HistoryState history, PublicLinks links,
        CancellationToken cancellationToken)
    {
        var (response, problem) = await Find(id, history, CallerScope.Of(http.HttpContext), cancellationToken);
        if (response is null)
        {
            return problem!;
        }

        if (response.Status == DiagnosisStatus.Running)
        {
            http.HttpContext.Response.Headers.RetryAfter = "1";
        }

        var next = await history.Store!.GetNextIdAsync(id, cancellationToken);
        var linked = response with { Links = links.Of(id, response.PreviousId, next) };
        return AsText(linked, format, http, allChecks: checks == CheckList.All) is { } text ? text : TypedResults.Ok(linked);
    }

    internal static async Task<Results<Ok<TicketResponse>, RenderedReport, Problem<Status.NotFound>>> Ticket(
        string id, [FromQuery] ReportFormat? format, HttpRequest http, HistoryState history, PublicLinks links, CancellationToken cancellationToken)
    {
        var (response, problem) = await Find(id, history, CallerScope.Of(http.HttpContext), cancellationToken);
        if (response is null)
        {
            return problem!;
        }

        var ticket = TicketResponse.From(response with { Links = links.Of(id, response.PreviousId) });
        return format == ReportFormat.Markdown || AcceptsMarkdown(http)
            ? RenderedReport.Markdown(MarkdownReport.RenderTicket(ticket))
            : TypedResults.Ok(ticket);
    }

    internal static async Task<Results<JsonText<DiagnosisRequest>, Problem<Status.NotFound>>> StoredRequestJson(string id, HttpContext http, HistoryState history, CancellationToken cancellationToken)
    {
        if (history.Store is null || !IdPattern().IsMatch(id) || !await Visible(id, history.Store, CallerScope.Of(http), cancellationToken))
        {
            return NotFound(id);
        }

        var json = await history.Store.GetRequestJsonAsync(id, cancellationToken);
        return json is null ? NotFound(id) : JsonText<DiagnosisRequest>.Of(json);
    }

    /// <summary>A kept diagnosis the caller may see, or the 404 (also when it exists outside the caller's scope: its existence is not told).</summary>
    internal static async Task<(DiagnosisResponse? Response, Problem<Status.NotFound>? Problem)> Find(string id, HistoryState history, CallerScope scope, CancellationToken cancellationToken)
    {
        if (history.Store is null || !IdPattern().IsMatch(id) || !await Visible(id, history.Store, scope, cancellationToken))
        {
            return (null, NotFound(id));
        }

        var response = await history.Store.GetAsync(id, cancellationToken);
        return response is null ? (null, NotFound(id)) : (response, null);
    }

    private static async Task<bool> Visible(string id, IDiagnosisStore store, CallerScope scope, CancellationToken cancellationToken) =>
        scope.Namespaces is null || (await store.GetAccessAsync(id, cancellationToken) is { } access && scope.MaySee(access));

    /// <summary>The 403 when the caller may not create <paramref name="request"/>'s diagnosis (its role, or a target outside its namespaces); else null.</summary>
    internal static Problem<Status.Forbidden>? MayNotCreate(CallerScope scope, DiagnosisRequest request)
    {
        if (scope.Role < CallerRole.Diagnose)
        {
            return Forbidden("$", "this key may only read diagnoses (role read)");
        }

        var ns = CallerScope.NamespaceOf(request);
        return scope.Covers(ns)
            ? null
            : Forbidden("target.namespace", ns is null
                ? "give target.namespace: this key diagnoses only its own namespaces"
                : "is not one of the namespaces this key may diagnose");
    }

    internal static Problem<Status.Forbidden> Forbidden(string field, string message) =>
        Problem.Of<Status.Forbidden>("Not allowed for this caller", $"{field}: {message}",
            new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { [field] = [message] } });

    /// <summary>
    /// The rendering <paramref name="format"/> names (or Markdown for <c>Accept: text/markdown</c>), with every next check
    /// when <paramref name="allChecks"/> (Slack keeps to its few); null for JSON, which the endpoint writes with its links.
    /// </summary>
    internal static RenderedReport? AsText(DiagnosisResponse response, ReportFormat? format, HttpRequest http, bool allChecks = false) =>
        format is { } chosen && chosen != ReportFormat.Json && !chosen.Output.IsMarkdown
            ? RenderedReport.Message(chosen.Output.Render(response, allChecks))
            : format == ReportFormat.Markdown || AcceptsMarkdown(http) ? RenderedReport.Markdown(DiagnosisFormats.Markdown.Render(response, allChecks))
            : null;

    /// <summary><c>90m</c>, <c>24h</c>, <c>7d</c> before now, or an RFC 3339 time.</summary>
    internal static DateTimeOffset? ParseSince(string text, DateTimeOffset now)
    {
        var match = AgePattern().Match(text);
        if (match.Success)
        {
            var amount = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
            var age = match.Groups[2].Value switch { "s" => TimeSpan.FromSeconds(amount), "m" => TimeSpan.FromMinutes(amount), "h" => TimeSpan.FromHours(amount), _ => TimeSpan.FromDays(amount) };
            return now - age;
        }

        return text.Length <= 40 && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at : null;
    }

    private static void CheckName(Dictionary<string, string[]> errors, string field, string? value, int max)
    {
        if (value is not null && (value.Length == 0 || value.Length > max || !NamePattern().IsMatch(value)))
        {
            errors[field] = [$"must be a lowercase Kubernetes name (a-z, 0-9, '-', '.') of at most {max} characters"];
        }
    }

    private static bool AcceptsMarkdown(HttpRequest http) =>
        http.GetTypedHeaders().Accept.Any(a => a.MediaType.Equals("text/markdown", StringComparison.OrdinalIgnoreCase));

    internal static Problem<Status.NotFound> NotFound(string id) =>
        Problem.Of<Status.NotFound>("No such diagnosis",
            $"No diagnosis with id '{RulesApi.Sanitize(id)}' is kept (ids are 32 hex digits; old diagnoses are removed by retention).");

    private static Problem<Status.ServiceUnavailable> Unavailable(string title, string detail, HttpRequest http, int? retryAfter)
    {
        if (retryAfter is { } seconds)
        {
            http.HttpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        }

        return Problem.Of<Status.ServiceUnavailable>(title, detail);
    }

    [GeneratedRegex("^[0-9a-f]{32}$", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking)]
    private static partial Regex IdPattern();

    [GeneratedRegex("^([0-9]{1,5})([smhd])$", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking)]
    private static partial Regex AgePattern();

    [GeneratedRegex("^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking)]
    private static partial Regex NamePattern();
}
