using DnsExpert.Api.Async;
using DnsExpert.Api.Chat;
using DnsExpert.Api.Hosting;
using DnsExpert.Diagnosis.Application;
using DnsExpert.Readers.Collection;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace DnsExpert.Api.Endpoints;

/// <summary><c>POST /api/v1/chat/slack/commands</c>: Slack's slash command <c>/dns</c>, verified by Slack's request signature.</summary>
public static partial class SlackApi
{
    public const string Path = "/api/v1/chat/slack/commands";

    public static IEndpointRouteBuilder MapSlackApi(this IEndpointRouteBuilder app)
    {
        app.MapPost(Path, Receive)
            .WithTags("Chat")
            .WithName("ReceiveSlackCommand")
            .WithSummary("Slack's slash command: /dns <namespace>/<pod> <name> [error text]")
            .WithDescription("""
                The Request URL of a Slack app's slash command (form-encoded, as Slack sends it). The request must carry Slack's signature (`X-Slack-Signature`, `X-Slack-Request-Timestamp`) made with the app's signing secret (`DnsExpert:Slack:SigningSecretFile`) within `DnsExpert:Slack:ReplayWindow` of now: it is checked before the body is read as a form, and it stands for the API key (`401` otherwise; `404` when no signing secret is configured).

                `/dns <namespace>/<pod> <name> [error text]` answers at once with an ephemeral acknowledgement and starts an asynchronous diagnosis, as `POST /api/v1/diagnoses?wait=false` would; its result is posted to the command's `response_url` as a Block Kit message when the URL's host is in `DnsExpert:Slack:AllowedHosts` (`hooks.slack.com` by default; https only, no redirects). `/dns help`, and every mistake, answer with the usage, ephemerally.
                """)
            .Accepts<IFormCollection>("application/x-www-form-urlencoded");
        return app;
    }

    internal static async Task<Results<ChatReply, Problem<Status.NotFound>, Problem<Status.PayloadTooLarge>, Problem<Status.Unauthorized>>> Receive(
        HttpRequest http, DiagnosisWorkflow workflow, PublicLinks links, SlackReplies slack, IOptions<SlackOptions> slackOptions, IOptions<DnsExpertOptions> options,
        TimeProvider time, ILogger<SlackReplies> logger, [FromServices] ILiveSnapshotCollector? collector, CancellationToken cancellationToken)
    {
        if (slack.Signature is not { } signature)
        {
            return Problem.Of<Status.NotFound>("The Slack command is not enabled",
                $"Set {SlackOptions.Section}:SigningSecretFile to the file holding the Slack app's signing secret.");
        }

        var settings = slackOptions.Value;
        var body = await BoundedBody.ReadAsync(http, settings.MaxBodyBytes, cancellationToken);
        if (body is null)
        {
            return Problem.Of<Status.PayloadTooLarge>("The command is too large",
                $"A Slack command body is at most {settings.MaxBodyBytes} bytes ({SlackOptions.Section}:MaxBodyBytes).");
        }

        if (signature.Refuse(http.Headers[SlackSignature.TimestampHeader], http.Headers[SlackSignature.SignatureHeader], body, time.GetUtcNow(), settings.ReplayWindow) is { } refusal)
        {
            LogRefused(logger, refusal);
            return Problem.Of<Status.Unauthorized>("Not a signed Slack request", refusal);
        }

        var form = QueryHelpers.ParseQuery(System.Text.Encoding.UTF8.GetString(body));
        string Field(string name) => form.TryGetValue(name, out var value) ? value.ToString() : "";
        var command = Field("command") is { Length: > 0 } c ? c : "/dns";
        var text = Field("text");
        if (SlackCommand.IsHelp(text))
        {
            return SlackReplies.Ephemeral(SlackCommand.Usage(command));
        }

        var (request, errors) = SlackCommand.Parse(text, options.Value.Limits);
        if (request is null)
        {
            return SlackReplies.Ephemeral($":warning: {string.Join("; ", errors)}.\n{SlackCommand.Usage(command)}");
        }

        if (request.Symptom is null && collector is null)
        {
            return SlackReplies.Ephemeral(
                $":warning: Not started: this service has no cluster access to look at the pod, so it needs the error text the application printed: `{command} <namespace>/<pod> <name> <error text>`.");
        }

        var responseUrl = Field("response_url");
        if (slack.Refuse(responseUrl) is { } unreachable)
        {
            LogResponseUrlRefused(logger, unreachable);
            return SlackReplies.Ephemeral($":warning: Not started: the result could not be posted back to Slack ({Rendering.Escaping.SlackText.Inline(unreachable)}; {SlackOptions.Section}:AllowedHosts).");
        }

        var principal = $"slack:{Field("team_id")}:{Field("user_id")}";
        try
        {
            var accepted = await workflow.EnqueueAsync(
                new DiagnosisRun(request) { CreatedBy = principal, LinkBase = links.Base(), Reply = response => slack.ReplyAsync(responseUrl, response) }, cancellationToken);
            if (accepted is null)
            {
                return SlackReplies.Ephemeral(":hourglass: Too many diagnoses are waiting; try again in a minute.");
            }

            LogStarted(logger, accepted.Id);
            var target = request.Target!;
            return SlackReplies.Ephemeral(
                $":mag: Diagnosing why `{Rendering.Escaping.SlackText.Inline(target.Namespace)}/{Rendering.Escaping.SlackText.Inline(target.Pod)}` cannot resolve `{Rendering.Escaping.SlackText.Inline(request.Domain)}` (diagnosis `{accepted.Id}`"
                + (Rendering.Escaping.ServiceLinks.Absolute(accepted.Links?.GetValueOrDefault("report")) is not null
                    ? $", {Rendering.Escaping.SlackText.Link(accepted.Links!["report"], "its report")}" : "")
                + "); the result will be posted here.");
        }
        catch (HistoryUnavailableException ex)
        {
            return SlackReplies.Ephemeral($":warning: Not started: Slack commands need the history ({Rendering.Escaping.SlackText.Inline(ex.Message)}).");
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Slack command refused: {Reason}")]
    private static partial void LogRefused(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Slack command not started: its response_url is refused ({Reason})")]
    private static partial void LogResponseUrlRefused(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Slack command: diagnosis {Id} started")]
    private static partial void LogStarted(ILogger logger, string id);
}
