using System.Text.Json;
using DnsExpert.Api.Async;
using DnsExpert.Contract;
using DnsExpert.Rendering;
using Microsoft.Extensions.Options;

namespace DnsExpert.Api.Alerts;

/// <summary>
/// Where an alert group's diagnosis goes when it ends (<see cref="AlertOptions.CallbackUrl"/>): as the response JSON, the
/// request's own callback; as a Slack or Teams message, a delivery of that message in the callbacks' turn, under the same
/// allow-list, retries and signature, recorded on the diagnosis like a callback.
/// </summary>
public sealed class AlertDelivery(IOptions<AlertOptions> alerts, IOptions<CallbackOptions> callbackOptions, CallbackDispatcher callbacks, CallbackSender sender)
{
    /// <summary>Sets the request's callback for <c>json</c>; for <c>slack</c> or <c>teams</c>, returns the reply that posts the message (else null).</summary>
    public Func<DiagnosisResponse, Task>? Apply(DiagnosisRequest request)
    {
        if (alerts.Value.CallbackUrl is not { } url)
        {
            return null;
        }

        var format = alerts.Value.CallbackFormat;
        if (format == AlertOptions.JsonFormat)
        {
            request.CallbackUrl = url;
            return null;
        }

        return response => callbacks.EnqueueAsync(url, response.Id, stored: true,
            cancellationToken => sender.SendAsync(CallbackSender.ClientName, callbackOptions.Value, url, response.Id, Message(format, response), sign: true, cancellationToken));
    }

    /// <summary>The message for a chat webhook: Slack's Block Kit or Teams' Adaptive Card envelope; a failed diagnosis says so in its text.</summary>
    public static byte[] Message(string format, DiagnosisResponse response) =>
        JsonSerializer.SerializeToUtf8Bytes(format == AlertOptions.TeamsFormat ? TeamsReport.Render(response) : SlackReport.Render(response));
}
