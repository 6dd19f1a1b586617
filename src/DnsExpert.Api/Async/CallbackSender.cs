using System.Security.Cryptography;
using Polly;
using System.Text;
using System.Text.Json;
using DnsExpert.Core.Contract;
using Microsoft.Extensions.Options;

namespace DnsExpert.Api.Async;

/// <summary>
/// POSTs a finished diagnosis to its <c>callbackUrl</c>: the same JSON as <c>GET /api/v1/diagnoses/{id}</c>, retried with
/// back-off on network errors, timeouts, 408, 429 and 5xx (honouring Retry-After); redirects are not followed (the allow-list names the host
/// that gets the data). The URL was checked against the allow-list when the request came in, and is checked again here.
/// </summary>
public sealed partial class CallbackSender(IHttpClientFactory clients, IOptions<CallbackOptions> options, ILogger<CallbackSender> logger)
{
    public const string ClientName = "dnsexpert-callbacks";

    /// <summary>True when the receiver accepted it (2xx).</summary>
    public async Task<bool> SendAsync(string url, DiagnosisResponse response, JsonSerializerOptions json, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (settings.Refuse(url) is { } reason)
        {
            LogRefused(logger, response.Id, reason);
            return false;
        }

        var body = JsonSerializer.SerializeToUtf8Bytes(response, json);
        var signature = settings.SigningKey is { Length: > 0 } key
            ? "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), body))
            : null;
        var client = clients.CreateClient(ClientName);
        try
        {
            using var message = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
            message.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
            message.Headers.Add("X-DnsExpert-Diagnosis", response.Id);
            if (signature is not null)
            {
                message.Headers.Add("X-DnsExpert-Signature", signature);
            }

            // Retries, back-off and per-attempt timeouts come from the client's resilience pipeline (see AddCallbacks).
            using var answer = await client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            if (answer.IsSuccessStatusCode)
            {
                LogDelivered(logger, response.Id);
                return true;
            }

            LogGaveUp(logger, response.Id, $"HTTP {(int)answer.StatusCode}");
        }
        catch (Exception ex) when (ex is HttpRequestException or Polly.Timeout.TimeoutRejectedException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            LogGaveUp(logger, response.Id, ex is HttpRequestException http ? http.HttpRequestError.ToString() : "timeout");
        }

        return false;
    }

    /// <summary>The callback client: no redirects, and the retry/timeout pipeline from <see cref="CallbackOptions"/>.</summary>
    public static void AddCallbacks(IServiceCollection services, CallbackOptions settings)
    {
        services.AddHttpClient(ClientName)
            .ConfigureHttpClient(c => c.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false, ConnectTimeout = settings.AttemptTimeout })
            .AddResilienceHandler("callback", pipeline =>
            {
                if (settings.MaxAttempts > 1)
                {
                    pipeline.AddRetry(new Microsoft.Extensions.Http.Resilience.HttpRetryStrategyOptions
                    {
                        MaxRetryAttempts = settings.MaxAttempts - 1,
                        Delay = settings.RetryDelay,
                        BackoffType = DelayBackoffType.Exponential,
                        UseJitter = true,
                        ShouldRetryAfterHeader = true,
                    });
                }

                pipeline.AddTimeout(settings.AttemptTimeout);
            });
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Callback for diagnosis {Id} delivered")]
    private static partial void LogDelivered(ILogger logger, string id);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Callback for diagnosis {Id} not delivered after its retries: {Outcome}")]
    private static partial void LogGaveUp(ILogger logger, string id, string outcome);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Callback for diagnosis {Id} refused: {Reason}")]
    private static partial void LogRefused(ILogger logger, string id, string reason);
}
