using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DnsExpert.Api.Async;
using DnsExpert.Contract;
using DnsExpert.Rendering;
using Microsoft.Extensions.Options;

namespace DnsExpert.Api.Tickets;

/// <summary>
/// Creates a diagnosis' Jira issue: the <c>?format=jira</c> body (<see cref="JiraIssue"/>) with the configured project
/// and issue type, POSTed to <c>{BaseUrl}/rest/api/3/issue</c> with a client of the callbacks' kind
/// (<see cref="CallbackSender.AddClient"/>: no redirects, no request logging, connections only to the base URL's host),
/// once (a retried create could make two issues; only a 400 that names the priority, which created nothing, is sent
/// again without it, for projects whose create screen has no priority), within <see cref="JiraOptions.Timeout"/>, reading at most
/// <see cref="MaxAnswerBytes"/> of the answer. The token is read from its file for each call and appears in no log line
/// and no answer.
/// </summary>
public sealed partial class JiraTickets(IHttpClientFactory clients, IOptions<JiraOptions> options, ILogger<JiraTickets> logger)
{
    public const string ClientName = "dnsexpert-jira";

    /// <summary>The tracker's name in the history (<see cref="TrackerIssue.Tracker"/>).</summary>
    public const string Tracker = "jira";

    /// <summary>The most of Jira's answer read (its answer to a create is a few hundred bytes; an error page may be long).</summary>
    public const int MaxAnswerBytes = 64 * 1024;

    /// <summary>The most of Jira's error messages quoted back.</summary>
    public const int MaxQuoted = 1000;

    public JiraOptions Settings => options.Value;

    /// <summary>The delivery policy of the call (see <see cref="JiraOptions.Policy"/>).</summary>
    public CallbackOptions Policy { get; } = options.Value.Policy();

    /// <summary>The issue's body: the diagnosis as <c>?format=jira</c> renders it, with the project and the issue type.</summary>
    public JsonObject Body(DiagnosisResponse response)
    {
        var issue = JiraIssue.Render(response);
        var fields = (JsonObject)issue["fields"]!;
        fields["project"] = new JsonObject { ["key"] = Settings.ProjectKey };
        fields["issuetype"] = new JsonObject { ["name"] = Settings.IssueType };
        return issue;
    }

    /// <summary>Creates the issue of <paramref name="response"/> (its links absolute, for the report link): its key and browse URL, or why not.</summary>
    public async Task<JiraOutcome> CreateAsync(DiagnosisResponse response, CancellationToken cancellationToken)
    {
        var url = Settings.Site + "/rest/api/3/issue";
        if (Policy.Refuse(url) is { } refused)
        {
            return Failed(response.Id, $"refused: {refused}", null);
        }

        string token;
        try
        {
            token = Settings.ReadToken();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Checked at start; a Secret unmounted or made unreadable since is the service's fault, said without the path's content.
            return Failed(response.Id, $"the token file ({JiraOptions.Section}:{(Settings.BearerTokenFile is { Length: > 0 } ? "BearerTokenFile" : "ApiTokenFile")}) could not be read: {ex.GetType().Name}", null);
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(Settings.Timeout);
        try
        {
            var issue = Body(response);
            var (answer, status, body) = await SendAsync(url, issue, token, deadline.Token);
            if (status == 400 && issue["fields"] is JsonObject fields && fields.ContainsKey("priority") && RefusesField(body, "priority"))
            {
                // A project whose create screen has no priority refuses the field, and a 400 created nothing: send it
                // once more without the hint rather than leave the team to find a setting.
                answer.Dispose();
                fields.Remove("priority");
                LogWithoutPriority(logger, response.Id);
                (answer, status, body) = await SendAsync(url, issue, token, deadline.Token);
            }

            using var answered = answer;
            if (answer.IsSuccessStatusCode)
            {
                if (KeyOf(body) is not { } key)
                {
                    return Failed(response.Id, $"Jira answered HTTP {status} without an issue key", status);
                }

                LogCreated(logger, response.Id, key);
                return new JiraOutcome(key, $"{Settings.Site}/browse/{key}", null, status);
            }

            var why = status is >= 300 and < 400
                ? $"Jira answered HTTP {status}, a redirect, which is not followed: check {JiraOptions.Section}:BaseUrl (the site's own URL, https)"
                : $"Jira answered HTTP {status}" + (Quote(body, token) is { Length: > 0 } quoted ? $": {quoted}" : "");
            return Failed(response.Id, why, status);
        }
        catch (Exception ex) when (ex is Polly.Timeout.TimeoutRejectedException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return Failed(response.Id, $"Jira did not answer within {Settings.Timeout.TotalSeconds:0} s ({JiraOptions.Section}:Timeout)", null);
        }
        catch (HttpRequestException ex)
        {
            return Failed(response.Id, "could not reach Jira: " + CallbackSender.Describe(ex), null);
        }
    }

    /// <summary>Posts <paramref name="issue"/> once: Jira's answer, its status and at most <see cref="MaxAnswerBytes"/> of its body.</summary>
    private async Task<(HttpResponseMessage Answer, int Status, string Body)> SendAsync(string url, JsonObject issue, string token, CancellationToken cancellationToken)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(issue)) };
        message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        message.Headers.Authorization = Settings.BearerTokenFile is { Length: > 0 }
            ? new AuthenticationHeaderValue("Bearer", token)
            : new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Settings.Email}:{token}")));

        var answer = await clients.CreateClient(ClientName).SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        try
        {
            return (answer, (int)answer.StatusCode, await ReadBoundedAsync(answer.Content, cancellationToken));
        }
        catch
        {
            answer.Dispose();
            throw;
        }
    }

    /// <summary>Does Jira's 400 name <paramref name="field"/> among its <c>errors</c> (<c>{"errors":{"priority":"Field 'priority' cannot be set…"}}</c>)?</summary>
    internal static bool RefusesField(string body, string field)
    {
        try
        {
            return JsonNode.Parse(body)?["errors"] is JsonObject errors && errors.ContainsKey(field);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private JiraOutcome Failed(string id, string error, int? status)
    {
        LogFailed(logger, id, error);
        return new JiraOutcome(null, null, error, status);
    }

    /// <summary>At most <see cref="MaxAnswerBytes"/> of an answer's body, as text.</summary>
    private static async Task<string> ReadBoundedAsync(HttpContent content, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        var buffer = new byte[MaxAnswerBytes];
        var read = 0;
        int n;
        while (read < buffer.Length && (n = await stream.ReadAsync(buffer.AsMemory(read), cancellationToken)) > 0)
        {
            read += n;
        }

        return Encoding.UTF8.GetString(buffer, 0, read);
    }

    /// <summary>The <c>key</c> of Jira's answer to a create (<c>{"id":"10000","key":"DNS-24","self":…}</c>), when it is one.</summary>
    internal static string? KeyOf(string body)
    {
        try
        {
            return JsonNode.Parse(body)?["key"] is JsonValue value && value.TryGetValue<string>(out var key)
                && key.Length is > 0 and <= 255 && key.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')
                ? key
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// Jira's reasons (<c>errorMessages</c>, then each field's <c>errors</c>), or the start of a body that is not Jira's
    /// JSON; control characters gone, the token masked should Jira echo it, at most <see cref="MaxQuoted"/> characters.
    /// The answer's JSON escapes the rest.
    /// </summary>
    internal static string Quote(string body, string token)
    {
        var parts = new List<string>();
        try
        {
            if (JsonNode.Parse(body) is JsonObject error)
            {
                if (error["errorMessages"] is JsonArray messages)
                {
                    parts.AddRange(messages.OfType<JsonValue>().Select(m => m.ToString()));
                }

                if (error["errors"] is JsonObject fields)
                {
                    parts.AddRange(fields.Select(f => $"{f.Key}: {f.Value}"));
                }
            }
        }
        catch (JsonException)
        {
            parts.Add(body);
        }

        var text = new string(string.Join("; ", parts.Where(p => p.Length > 0)).Select(c => char.IsControl(c) ? ' ' : c).ToArray()).Trim();
        if (token.Length > 0)
        {
            text = text.Replace(token, "***", StringComparison.Ordinal);
        }

        return text.Length <= MaxQuoted ? text : text[..(MaxQuoted - 1)] + "…";
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Jira issue {Key} created for diagnosis {Id}")]
    private static partial void LogCreated(ILogger logger, string id, string key);

    [LoggerMessage(Level = LogLevel.Information, Message = "Jira refused the priority of diagnosis {Id}'s issue (not on the project's create screen): sent again without it")]
    private static partial void LogWithoutPriority(ILogger logger, string id);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Jira issue for diagnosis {Id} not created: {Reason}")]
    private static partial void LogFailed(ILogger logger, string id, string reason);
}

/// <summary>A created issue's key and browse URL, or why it was not created (with Jira's status when it answered).</summary>
public sealed record JiraOutcome(string? Key, string? Url, string? Error, int? JiraStatus);

/// <summary>The answer to <c>POST /api/v1/diagnoses/{id}/ticket/jira</c>: the issue's key and where to browse it.</summary>
public sealed record JiraIssueCreated(string Key, string Url);
