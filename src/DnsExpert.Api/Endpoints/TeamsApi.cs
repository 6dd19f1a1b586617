using DnsExpert.Api.Chat;
using DnsExpert.Api.Hosting;
using DnsExpert.Contract;
using DnsExpert.Diagnosis.Application;
using DnsExpert.History;
using DnsExpert.Readers.Collection;
using DnsExpert.Rendering;
using DnsExpert.Rendering.Escaping;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace DnsExpert.Api.Endpoints;

/// <summary>
/// <c>POST /api/v1/chat/teams/messages</c>: a Microsoft Teams outgoing webhook, verified by its HMAC. A mention
/// <c>@DnsExpert &lt;namespace&gt;/&lt;pod&gt; &lt;name&gt; [error text]</c> is answered in the thread with the diagnosis
/// as an Adaptive Card when it ends within <see cref="TeamsOptions.AnswerWithin"/>, or with where its result will be
/// (Teams waits five seconds and cannot be posted to later); <c>status &lt;id&gt;</c> shows a diagnosis started from
/// the same tenant, <c>help</c> the usage.
/// </summary>
public static partial class TeamsApi
{
    public const string Path = "/api/v1/chat/teams/messages";

    public static IEndpointRouteBuilder MapTeamsApi(this IEndpointRouteBuilder app)
    {
        app.MapPost(Path, Receive)
            .WithTags("Chat")
            .WithName("ReceiveTeamsMessage")
            .WithSummary("Teams outgoing webhook: @DnsExpert <namespace>/<pod> <name> [error text]")
            .WithDescription("""
                The callback URL of a Microsoft Teams outgoing webhook (a Bot Framework `message` activity, as Teams sends it). The request must carry Teams' signature (`Authorization: HMAC <base64>`, the HMAC-SHA256 of the raw body keyed with the webhook's security token from `DnsExpert:Teams:OutgoingWebhookTokenFile`), and the message's own `timestamp` must be within `DnsExpert:Teams:ReplayWindow` of now, its `id` not answered before: it stands for the API key (`401` otherwise; `404` when no token is configured).

                `<namespace>/<pod> <name> [error text]` after the mention starts a diagnosis, as `POST /api/v1/diagnoses?wait=false` would, and answers with its Adaptive Card when it ends within `DnsExpert:Teams:AnswerWithin` (Teams drops answers after five seconds), or else with its id and report link; `status <id>` answers with a diagnosis started from the same Teams tenant, `help` and every mistake with the usage.
                """)
            .Accepts<object>("application/json");
        return app;
    }

    internal static async Task<Results<ChatReply, Problem<Status.NotFound>, Problem<Status.PayloadTooLarge>, Problem<Status.Unauthorized>, Problem<Status.BadRequest>>> Receive(
        HttpRequest http, DiagnosisWorkflow workflow, IDiagnosisHistory history, PublicLinks links, TeamsMessages teams, IOptions<TeamsOptions> teamsOptions,
        IOptions<DnsExpertOptions> options, TimeProvider time, ILogger<TeamsMessages> logger, [FromServices] ILiveSnapshotCollector? collector,
        CancellationToken cancellationToken)
    {
        if (teams.Signature is not { } signature)
        {
            return Problem.Of<Status.NotFound>("The Teams outgoing webhook is not enabled",
                $"Set {TeamsOptions.Section}:OutgoingWebhookTokenFile to the file holding the outgoing webhook's security token.");
        }

        var settings = teamsOptions.Value;
        var body = await BoundedBody.ReadAsync(http, settings.MaxBodyBytes, cancellationToken);
        if (body is null)
        {
            return Problem.Of<Status.PayloadTooLarge>("The message is too large",
                $"A Teams message body is at most {settings.MaxBodyBytes} bytes ({TeamsOptions.Section}:MaxBodyBytes).");
        }

        if (signature.Refuse(http.Headers.Authorization, body) is { } refusal)
        {
            LogRefused(logger, refusal);
            return Problem.Of<Status.Unauthorized>("Not a signed Teams message", refusal);
        }

        if (TeamsActivity.Read(body) is not { Type: "message" } activity)
        {
            return Problem.Of<Status.BadRequest>("Not a Teams message",
                "The body is not a Bot Framework activity of type 'message'.");
        }

        if (await teams.RefuseAsync(activity, time.GetUtcNow(), cancellationToken) is { } replay)
        {
            LogRefused(logger, replay);
            return Problem.Of<Status.Unauthorized>("Not a new Teams message", replay);
        }

        var text = activity.Command;
        if (ChatCommand.IsHelp(text))
        {
            return Card(Usage());
        }

        var rest = text;
        if (ChatCommand.NextWord(ref rest).Equals("status", StringComparison.OrdinalIgnoreCase))
        {
            return await StatusAsync(history, links, activity, rest, cancellationToken);
        }

        var (request, errors) = ChatCommand.Parse(text, options.Value.Limits, value => $"\u201c{value}\u201d", "<namespace>/<pod>");
        if (request is null)
        {
            return Card([Line(new NoticeRun("Not started: ", Bold: true), new NoticeRun(string.Join("; ", errors) + ".")), .. Usage()]);
        }

        if (request.Symptom is null && collector is null)
        {
            return Card(Line(new NoticeRun("Not started: ", Bold: true),
                new NoticeRun("this service has no cluster access to look at the pod, so it needs the error text the application printed after the name.")));
        }

        return await DiagnoseAsync(request, activity, workflow, links, settings, time, logger, cancellationToken);
    }

    /// <summary>
    /// Starts the diagnosis a message asks for and answers with its card when it ends within
    /// <see cref="TeamsOptions.AnswerWithin"/>, else with where its result will be (Teams cannot be posted to later).
    /// </summary>
    private static async Task<ChatReply> DiagnoseAsync(
        DiagnosisRequest request, TeamsActivity activity, DiagnosisWorkflow workflow, PublicLinks links, TeamsOptions settings, TimeProvider time,
        ILogger logger, CancellationToken cancellationToken)
    {
        var reply = new TaskCompletionSource<DiagnosisResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        DiagnosisResponse? accepted;
        try
        {
            accepted = await workflow.EnqueueAsync(
                new DiagnosisRun(request) { CreatedBy = Principal(activity), LinkBase = links.Base(), Reply = response => Task.FromResult(reply.TrySetResult(response)) },
                cancellationToken);
        }
        catch (HistoryUnavailableException ex)
        {
            return Card(Line(new NoticeRun("Not started: ", Bold: true), new NoticeRun($"Teams messages need the history ({ex.Message}).")));
        }

        if (accepted is null)
        {
            return Card(Line(new NoticeRun("Too many diagnoses are waiting; try again in a minute.")));
        }

        LogStarted(logger, accepted.Id);
        try
        {
            var done = await reply.Task.WaitAsync(settings.AnswerWithin, time, cancellationToken);
            return new ChatReply(TeamsReport.Render(done));
        }
        catch (TimeoutException)
        {
            var target = request.Target!;
            return new ChatReply(TeamsReport.Notice(
                [
                    [new NoticeRun("Diagnosing why "), new NoticeRun($"{target.Namespace}/{target.Pod}", Code: true), new NoticeRun(" cannot resolve "),
                        new NoticeRun(request.Domain!, Code: true), new NoticeRun(": it takes longer than Teams waits for an answer.")],
                    [new NoticeRun("Ask for it again with "), new NoticeRun($"status {accepted.Id}", Code: true),
                        new NoticeRun(ServiceLinks.Absolute(accepted, "report") is not null ? ", or open its report when it is ready." : ".")],
                ],
                ChatButtons.Buttons(accepted).Where(b => b.Id == "open-report").ToList()));
        }
    }

    /// <summary><c>status &lt;id&gt;</c>: a diagnosis started from the same Teams tenant, as its card (running: where it stands).</summary>
    private static async Task<ChatReply> StatusAsync(IDiagnosisHistory history, PublicLinks links, TeamsActivity activity, string rest, CancellationToken cancellationToken)
    {
        var id = ChatCommand.NextWord(ref rest);
        if (history.Store is not { } store || id.Length is 0 or > 64)
        {
            return Card([Line(new NoticeRun(history.Store is null ? "The history is off: nothing to show." : "Say which diagnosis: status <id>.")), .. Usage()]);
        }

        var access = await store.GetAccessAsync(id, cancellationToken);
        if (access?.CreatedBy is not { } creator || !creator.StartsWith(TenantPrefix(activity), StringComparison.Ordinal)
            || await store.GetAsync(id, cancellationToken) is not { } response)
        {
            return Card(Line(new NoticeRun("No diagnosis "), new NoticeRun(id, Code: true), new NoticeRun(" was started from this Teams tenant.")));
        }

        response = response with { Links = links.Of(id, response.PreviousId) };
        return response.Status == DiagnosisStatus.Running
            ? new ChatReply(TeamsReport.Notice(
                [[new NoticeRun("Diagnosis "), new NoticeRun(id, Code: true), new NoticeRun(" is still running; ask again in a few seconds.")]],
                ChatButtons.Buttons(response).Where(b => b.Id == "open-report").ToList()))
            : new ChatReply(TeamsReport.Render(response));
    }

    /// <summary>Who asked: the tenant and the sender, recorded as the diagnosis' creator.</summary>
    private static string Principal(TeamsActivity activity) => TenantPrefix(activity) + activity.Sender;

    private static string TenantPrefix(TeamsActivity activity) => $"teams:{activity.Tenant}:";

    private static NoticeRun[] Line(params NoticeRun[] runs) => runs;

    private static ChatReply Card(params NoticeRun[][] lines) => new(TeamsReport.Notice(lines, []));

    /// <summary>The usage (<c>help</c>, and after every mistake).</summary>
    private static NoticeRun[][] Usage() =>
    [
        Line(new NoticeRun("Usage: ", Bold: true), new NoticeRun("@DnsExpert <namespace>/<pod> <name> [error text]", Code: true)),
        Line(new NoticeRun("Diagnoses why the pod cannot resolve the name, from the cluster as it is now.")),
        Line(new NoticeRun("<namespace>/<pod>", Code: true), new NoticeRun(": the pod that fails, such as "), new NoticeRun("shop/web-7d9f8-abcde", Code: true)),
        Line(new NoticeRun("<name>", Code: true), new NoticeRun(": the DNS name it looks up, such as "), new NoticeRun("orders.shop.svc.cluster.local", Code: true)),
        Line(new NoticeRun("[error text]", Code: true), new NoticeRun(": what the application said, such as "), new NoticeRun("getaddrinfo EAI_AGAIN orders", Code: true)),
        Line(new NoticeRun("status <id>", Code: true), new NoticeRun(" shows a diagnosis started from Teams; "), new NoticeRun("help", Code: true), new NoticeRun(" shows this.")),
    ];

    [LoggerMessage(Level = LogLevel.Warning, Message = "Teams message refused: {Reason}")]
    private static partial void LogRefused(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Teams message: diagnosis {Id} started")]
    private static partial void LogStarted(ILogger logger, string id);
}
