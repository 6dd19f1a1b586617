using System.Globalization;
using System.Text.Json;
using DnsExpert.Api.Async;
using DnsExpert.Api.History;
using DnsExpert.Api.Hosting;
using DnsExpert.Api.Security;
using DnsExpert.Contract;
using DnsExpert.Diagnosis.Application;
using DnsExpert.Rendering;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

using EvidenceRefusal = Microsoft.AspNetCore.Http.HttpResults.Results<
    DnsExpert.Api.Hosting.Problem<DnsExpert.Api.Hosting.Status.NotFound>,
    DnsExpert.Api.Hosting.Problem<DnsExpert.Api.Hosting.Status.Forbidden>,
    DnsExpert.Api.Hosting.Problem<DnsExpert.Api.Hosting.Status.Conflict>,
    DnsExpert.Api.Hosting.Problem<DnsExpert.Api.Hosting.Status.Gone>,
    DnsExpert.Api.Hosting.Problem<DnsExpert.Api.Hosting.Status.TooManyRequests>>;

namespace DnsExpert.Api.Endpoints;

/// <summary><c>POST /api/v1/diagnoses/{id}/evidence</c>: the conversation's next step.</summary>
public static partial class DiagnosesApi
{
    internal static async Task<Results<DiagnosisAnswer, EvidenceRefusal, BodyProblem<EvidenceRequest>, Problem<Status.Unprocessable>, Problem<Status.Gone>>> AddEvidence(
        string id, HttpRequest http, [FromQuery] bool? wait, [FromQuery] ReportFormat? format, HistoryState history,
        DiagnosisWorkflow workflow, PublicLinks links, CallerRateLimit rateLimit, IOptions<DnsExpertOptions> options, IOptions<CallbackOptions> callbacks,
        [AsParameters] BodyServices bodies, CancellationToken cancellationToken)
    {
        var (storedBytes, refusal) = await Refinable(id, http, history, rateLimit, cancellationToken);
        if (refusal is not null)
        {
            return refusal;
        }

        var (evidence, problem) = await JsonBody.ReadAsync<EvidenceRequest>(http, options.Value, bodies, storedBytes, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        if (evidence!.Outputs is not { Count: > 0 } && evidence.Snapshot is null)
        {
            return Problem.Unprocessable(new Dictionary<string, string[]> { ["outputs"] = ["give at least one output (or a snapshot part) to add"] }, "No evidence to add");
        }

        if (await EarlierRequest(id, history, cancellationToken) is not { } request)
        {
            return RequestGone(id);
        }

        var refined = evidence.AppendTo(request);
        var errors = Validate(refined, options.Value, callbacks.Value);
        if (errors.Count > 0)
        {
            return Problem.Unprocessable(errors, "The request with this evidence has invalid fields");
        }

        return await Answer(RunOf(refined, http, links, previousId: id), wait ?? true, format, http, workflow, cancellationToken);
    }

    /// <summary>
    /// The size of diagnosis <paramref name="id"/>'s stored request when the caller may add evidence to it now; else why
    /// not: not there or not the caller's to see (404), not the caller's to refine (403), still running (409),
    /// its request no longer kept (410), or diagnosing that request again costs more of the caller's rate limit than is
    /// left (429).
    /// </summary>
    private static async Task<(long StoredBytes, EvidenceRefusal? Refusal)> Refinable(
        string id, HttpRequest http, HistoryState history, CallerRateLimit rateLimit, CancellationToken cancellationToken)
    {
        var scope = CallerScope.Of(http.HttpContext);
        var (earlier, missing) = await Find(id, history, scope, cancellationToken);
        if (earlier is null)
        {
            return (0, missing!);
        }

        // Evidence on another caller's diagnosis would put this caller's output into that caller's chain (its links.next
        // and callback): only the creator, or an admin, refines a diagnosis.
        if (await history.Store!.GetAccessAsync(id, cancellationToken) is not { } access || !scope.MayRefine(access))
        {
            return (0, Forbidden("id", scope.Role < CallerRole.Diagnose
                ? "this key may only read diagnoses (role read)"
                : "the diagnosis was created by another caller: only its creator or an admin adds evidence to it"));
        }

        if (earlier.Status == DiagnosisStatus.Running)
        {
            http.HttpContext.Response.Headers.RetryAfter = "1";
            return (0, Problem.Of<Status.Conflict>("The diagnosis is still running",
                $"Diagnosis {id} has not completed yet; add evidence once its status is no longer running."));
        }

        // The stored request is read back and diagnosed again: the caller's rate limit and the admission of bodies count
        // it as well as the evidence.
        if (await history.Store!.GetRequestSizeAsync(id, cancellationToken) is not { } storedBytes)
        {
            return (0, RequestGone(id));
        }

        var measured = earlier.DurationMs is { } ms ? TimeSpan.FromMilliseconds(ms) : (TimeSpan?)null;
        if (rateLimit.ChargeRerun(http.HttpContext, storedBytes, measured) is { RetryAfter: { } retry } charge)
        {
            var seconds = Math.Max(1, (int)Math.Ceiling(retry.TotalSeconds));
            http.HttpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            return (0, Problem.Of<Status.TooManyRequests>("Too many requests",
                $"Evidence diagnoses the stored request of {id} again ({storedBytes} bytes, {measured?.TotalSeconds ?? 0:0.#} s last time): "
                    + $"it costs {charge.Permits + 1} requests of this caller's rate limit, more than are left; retry after {seconds} s."));
        }

        return (storedBytes, null);
    }

    private static Problem<Status.Gone> RequestGone(string id) =>
        Problem.Of<Status.Gone>("The earlier request is not kept",
            $"The history no longer holds the request of diagnosis {id}; send the whole request with POST /api/v1/diagnoses instead.");

    /// <summary>The request of diagnosis <paramref name="id"/> as the history keeps it (redacted), or null when it is not kept or not readable.</summary>
    private static async Task<DiagnosisRequest?> EarlierRequest(string id, HistoryState history, CancellationToken cancellationToken)
    {
        if (await history.Store!.GetRequestJsonAsync(id, cancellationToken) is not { } json)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<DiagnosisRequest>(json, DnsExpertJson.Stored);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
