using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using DnsExpert.Contract;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;

namespace DnsExpert.Api.Async;

/// <summary>
/// POSTs a finished diagnosis to its <c>callbackUrl</c>: the same JSON as <c>GET /api/v1/diagnoses/{id}</c>, retried with
/// back-off on network errors, timeouts, 408, 429 and 5xx, honouring Retry-After up to <see cref="CallbackOptions.MaxRetryAfter"/>,
/// all within <see cref="CallbackOptions.MaxDeliveryTime"/>; redirects are not followed (the allow-list names the host
/// that gets the data). The URL was checked against the allow-list when the request came in, and is checked again here.
/// Runs on the callback workers (<see cref="CallbackDispatcher"/>), never on a diagnosis worker.
/// </summary>
public sealed partial class CallbackSender(IHttpClientFactory clients, IOptions<CallbackOptions> options, TimeProvider time, ILogger<CallbackSender> logger)
{
    public const string ClientName = "dnsexpert-callbacks";

    private static readonly HttpRequestOptionsKey<AttemptLog> Attempts = new("dnsexpert.callback.attempts");

    /// <summary>Delivers <paramref name="response"/> and says how it went: delivered, or failed with the last error.</summary>
    public Task<CallbackDelivery> SendAsync(string url, DiagnosisResponse response, JsonSerializerOptions json, CancellationToken cancellationToken) =>
        SendAsync(ClientName, options.Value, url, response.Id, JsonSerializer.SerializeToUtf8Bytes(response, json), sign: true, cancellationToken);

    /// <summary>
    /// Delivers <paramref name="body"/> (JSON) with the client <paramref name="clientName"/> under <paramref name="settings"/>'s
    /// allow-list and limits (a chat reply posts a message of its own under its own allow-list); signed with
    /// <see cref="CallbackOptions.SigningKey"/> when <paramref name="sign"/>.
    /// </summary>
    public async Task<CallbackDelivery> SendAsync(
        string clientName, CallbackOptions settings, string url, string id, byte[] body, bool sign, CancellationToken cancellationToken)
    {
        if (settings.Refuse(url) is { } reason)
        {
            LogRefused(logger, id, reason);
            return new CallbackDelivery(CallbackState.Failed, time.GetUtcNow(), 0, $"refused: {reason}");
        }

        var signature = sign && settings.SigningKey is { Length: > 0 } key
            ? "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), body))
            : null;
        var client = clients.CreateClient(clientName);
        var attempts = new AttemptLog();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(settings.MaxDeliveryTime);
        string error;
        try
        {
            using var message = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
            message.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
            message.Headers.Add("X-DnsExpert-Diagnosis", id);
            if (signature is not null)
            {
                message.Headers.Add("X-DnsExpert-Signature", signature);
            }

            message.Options.Set(Attempts, attempts);

            // Retries, back-off and per-attempt timeouts come from the client's resilience pipeline (see AddCallbacks).
            using var answer = await client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
            if (answer.IsSuccessStatusCode)
            {
                LogDelivered(logger, id, attempts.Count);
                return new CallbackDelivery(CallbackState.Delivered, time.GetUtcNow(), attempts.Count);
            }

            error = $"HTTP {(int)answer.StatusCode}";
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            error = $"gave up after {settings.MaxDeliveryTime.TotalSeconds:0} s (DnsExpert:Callbacks:MaxDeliveryTime)"
                + (attempts.LastError is { } last ? $"; last attempt: {last}" : "");
        }
        catch (Exception ex) when (ex is HttpRequestException or Polly.Timeout.TimeoutRejectedException)
        {
            error = attempts.LastError ?? Describe(ex);
        }

        LogGaveUp(logger, id, attempts.Count, error);
        return new CallbackDelivery(CallbackState.Failed, time.GetUtcNow(), attempts.Count, error);
    }

    /// <summary>What went wrong with a call, in a few words (a refused address says why).</summary>
    internal static string Describe(Exception ex) => ex switch
    {
        HttpRequestException { InnerException: CallbackAddressRefusedException refused } => "refused: " + refused.Message,
        HttpRequestException { HttpRequestError: var kind } when kind != HttpRequestError.Unknown => kind switch
        {
            HttpRequestError.ConnectionError => "connection failed",
            HttpRequestError.NameResolutionError => "name did not resolve",
            HttpRequestError.SecureConnectionError => "TLS handshake failed",
            _ => kind.ToString(),
        },
        HttpRequestException => "connection failed",
        OperationCanceledException or Polly.Timeout.TimeoutRejectedException => "timed out",
        _ => ex.GetType().Name,
    };

    /// <summary>
    /// The callback client: no redirects; retries with back-off that honour Retry-After up to
    /// <see cref="CallbackOptions.MaxRetryAfter"/>; a timeout per attempt; each attempt counted for the delivery record.
    /// </summary>
    public static void AddCallbacks(IServiceCollection services)
    {
        AddClient(services, ClientName, services => services.GetRequiredService<IOptions<CallbackOptions>>().Value);
    }

    /// <summary>A delivery client named <paramref name="name"/> whose connections, retries and timeouts follow <paramref name="policy"/>.</summary>
    public static void AddClient(IServiceCollection services, string name, Func<IServiceProvider, CallbackOptions> policy)
    {
        services.TryAddTransient<AttemptRecorder>();
        var client = services.AddHttpClient(name);
        client
            // The client's own logs print each request's URL, and a receiver's URL may be its credential (a Slack
            // response_url or incoming webhook lets anyone who has it post): deliveries log their diagnosis id instead.
            .RemoveAllLoggers()
            .ConfigureHttpClient(c => c.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(services => new SocketsHttpHandler
            {
                AllowAutoRedirect = false,
                UseCookies = false,
                ConnectTimeout = policy(services).AttemptTimeout,
                ConnectCallback = (context, cancellationToken) => ConnectAsync(context, policy(services), cancellationToken),
            })
            .AddResilienceHandler(name, (pipeline, context) =>
            {
                var settings = policy(context.ServiceProvider);
                if (settings.MaxAttempts > 1)
                {
                    pipeline.AddRetry(new HttpRetryStrategyOptions
                    {
                        MaxRetryAttempts = settings.MaxAttempts - 1,
                        Delay = settings.RetryDelay,
                        BackoffType = DelayBackoffType.Exponential,
                        UseJitter = true,
                        ShouldRetryAfterHeader = false,
                        DelayGenerator = args => ValueTask.FromResult(RetryAfter(args.Outcome.Result, settings.MaxRetryAfter)),
                    });
                }

                pipeline.AddTimeout(settings.AttemptTimeout);
            });

        // Added after the resilience handler, so inside it: it sees every attempt.
        client.AddHttpMessageHandler<AttemptRecorder>();
    }

    /// <summary>
    /// Resolves the callback's host and connects only to addresses <see cref="CallbackOptions.RefuseAddress"/> allows: the
    /// allow-list names hosts, and this keeps an allowed name that resolves to loopback, link-local (cloud metadata) or the
    /// cluster's own ranges from being called.
    /// </summary>
    private static async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CallbackOptions settings, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(host, cancellationToken);
        var refusals = addresses.Select(a => settings.RefuseAddress(host, a)).ToList();
        var allowed = addresses.Where((_, i) => refusals[i] is null).ToArray();
        if (allowed.Length == 0)
        {
            throw new CallbackAddressRefusedException(refusals.FirstOrDefault(r => r is not null) ?? $"'{host}' has no address");
        }

        var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(allowed, context.DnsEndPoint.Port, cancellationToken);
            return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>The callback's host resolved only to addresses a callback may not reach.</summary>
    private sealed class CallbackAddressRefusedException(string message) : IOException(message);

    /// <summary>The receiver's Retry-After, cut to <paramref name="cap"/>; null (the back-off) when it sent none.</summary>
    internal static TimeSpan? RetryAfter(HttpResponseMessage? response, TimeSpan cap)
    {
        if (response?.Headers.RetryAfter is not { } header)
        {
            return null;
        }

        var wait = header.Delta ?? (header.Date is { } date ? date - DateTimeOffset.UtcNow : null);
        return wait is { } w ? TimeSpan.FromTicks(Math.Clamp(w.Ticks, 0, cap.Ticks)) : null;
    }

    /// <summary>The attempts of one delivery (one delivery's attempts run one after another).</summary>
    private sealed class AttemptLog
    {
        public int Count { get; private set; }

        public string? LastError { get; private set; }

        public void Record(string? error)
        {
            Count++;
            LastError = error ?? LastError;
        }
    }

    /// <summary>Inside the retries: counts each attempt and keeps what went wrong with the last one.</summary>
    private sealed class AttemptRecorder : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Options.TryGetValue(Attempts, out var log);
            try
            {
                var response = await base.SendAsync(request, cancellationToken);
                log?.Record(response.IsSuccessStatusCode ? null : $"HTTP {(int)response.StatusCode}");
                return response;
            }
            catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException)
            {
                log?.Record(Describe(ex));
                throw;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Callback for diagnosis {Id} delivered after {Attempts} attempt(s)")]
    private static partial void LogDelivered(ILogger logger, string id, int attempts);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Callback for diagnosis {Id} not delivered after {Attempts} attempt(s): {Outcome}")]
    private static partial void LogGaveUp(ILogger logger, string id, int attempts, string outcome);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Callback for diagnosis {Id} refused: {Reason}")]
    private static partial void LogRefused(ILogger logger, string id, string reason);
}
