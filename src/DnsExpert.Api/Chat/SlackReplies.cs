using System.Text.Json;
using System.Text.Json.Nodes;
using DnsExpert.Api.Async;
using DnsExpert.Contract;
using DnsExpert.Rendering;
using Microsoft.Extensions.Options;

namespace DnsExpert.Api.Chat;

/// <summary>
/// The Slack side of <c>/dns</c>: the signing secret (read once from its file), and the result posted to a command's
/// <c>response_url</c> as Block Kit by the callback delivery workers, under Slack's own allow-list
/// (<see cref="SlackOptions.AllowedHosts"/>, https only, no redirects).
/// </summary>
public sealed class SlackReplies(CallbackDispatcher callbacks, CallbackSender sender, IOptions<SlackOptions> options, IOptions<CallbackOptions> callbackOptions)
{
    public const string ClientName = "dnsexpert-slack";

    private readonly Lazy<SlackSignature?> _signature = new(() => options.Value.SigningSecretFile is { Length: > 0 } file
        ? new SlackSignature(System.Text.Encoding.UTF8.GetBytes(File.ReadAllText(file).Trim() is { Length: > 0 } secret
            ? secret
            : throw new InvalidOperationException($"{SlackOptions.Section}:SigningSecretFile: the file '{file}' is empty")))
        : null);

    /// <summary>The signature check, or null when no signing secret is configured (the command is off).</summary>
    public SlackSignature? Signature => _signature.Value;

    /// <summary>The delivery policy of a response_url.</summary>
    public CallbackOptions Policy { get; } = options.Value.Policy(callbackOptions.Value);

    /// <summary>Why the result could not be posted to <paramref name="responseUrl"/>, or null when it can.</summary>
    public string? Refuse(string responseUrl) => Policy.Refuse(responseUrl);

    /// <summary>Queues the result for <paramref name="responseUrl"/>; never waits for Slack.</summary>
    public Task ReplyAsync(string responseUrl, DiagnosisResponse response) =>
        callbacks.EnqueueAsync(responseUrl, response.Id, stored: false,
            cancellationToken => sender.SendAsync(ClientName, Policy, responseUrl, response.Id, Message(response), sign: false, cancellationToken));

    /// <summary>The message posted to response_url: the Block Kit report, visible to the channel, with a text for notifications.</summary>
    public static byte[] Message(DiagnosisResponse response)
    {
        var message = SlackReport.Render(response);
        message["response_type"] = "in_channel";
        message["replace_original"] = false;
        return JsonSerializer.SerializeToUtf8Bytes(message);
    }

    /// <summary>An ephemeral answer to the command (only its sender sees it).</summary>
    public static ChatReply Ephemeral(string text) =>
        new(new JsonObject { ["response_type"] = "ephemeral", ["text"] = text });
}
