using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using DnsExpert.History;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DnsExpert.Api.Chat;

/// <summary>
/// The Teams side of a mention: the outgoing webhook's security token (read once from its file) and the ids of the
/// messages already answered within the replay window, so a signed message is answered once. With a history store the
/// ids are claimed there (a hash of each, kept for the window), so every replica sharing the store answers a message
/// once; without one, or while the store fails, they are remembered by this process.
/// </summary>
public sealed partial class TeamsMessages(IOptions<TeamsOptions> options, IDiagnosisHistory? history = null, ILogger<TeamsMessages>? logger = null)
{
    /// <summary>The store's scope of the claimed message ids.</summary>
    public const string ClaimScope = "teams-message";

    /// <summary>Most message ids remembered; past it, the oldest half is forgotten (only signed messages get here).</summary>
    public const int MaxRemembered = 10_000;

    private readonly ConcurrentDictionary<string, DateTimeOffset> _seen = new(StringComparer.Ordinal);

    private readonly Lazy<TeamsSignature?> _signature = new(() => options.Value.OutgoingWebhookTokenFile is { Length: > 0 } file
        ? File.ReadAllText(file).Trim() is { Length: > 0 } token
            ? ParseToken(token, file)
            : throw new InvalidOperationException($"{TeamsOptions.Section}:OutgoingWebhookTokenFile: the file '{file}' is empty")
        : null);

    /// <summary>The signature check, or null when no token is configured (the endpoint is off).</summary>
    public TeamsSignature? Signature => _signature.Value;

    /// <summary>
    /// Why the signed <paramref name="activity"/> is not answered (no time, a time outside the window, an id answered
    /// already), or null when it is new; a new id is remembered until the window has passed.
    /// </summary>
    public async Task<string?> RefuseAsync(TeamsActivity activity, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var window = options.Value.ReplayWindow;
        if (activity.Timestamp is not { } at)
        {
            return "the message has no timestamp";
        }

        if ((now - at).Duration() > window)
        {
            return $"the message's timestamp is more than {window.TotalMinutes:0.#} minutes from now (a replay, or the clock is off)";
        }

        if (activity.Id.Length == 0)
        {
            return "the message has no id";
        }

        if (history is { Error: null, Store: { } store })
        {
            try
            {
                return await store.ClaimOnceAsync(ClaimScope, Digest(activity.Id), now, now + window, cancellationToken) ? null : Answered;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The replicas may answer a replay each while the store fails; this one still answers it once.
                if (logger is not null)
                {
                    LogStoreFailed(logger, ex.GetType().Name);
                }
            }
        }

        if (_seen.Count >= MaxRemembered)
        {
            Forget(now - window);
        }

        return _seen.TryAdd(activity.Id, now) ? null : Answered;
    }

    private const string Answered = "the message was answered already (a replay)";

    /// <summary>The id as the store keeps it: its SHA-256, so the store holds neither the message's text nor an unbounded key.</summary>
    private static string Digest(string id) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(id)));

    [LoggerMessage(Level = LogLevel.Warning, Message = "Teams message ids: the history store failed ({Error}); this replica remembers them by itself until it answers again")]
    private static partial void LogStoreFailed(ILogger logger, string error);

    /// <summary>Forgets the ids seen before <paramref name="before"/>, and the oldest half when that is not enough.</summary>
    private void Forget(DateTimeOffset before)
    {
        foreach (var (id, at) in _seen)
        {
            if (at < before)
            {
                _seen.TryRemove(id, out _);
            }
        }

        if (_seen.Count >= MaxRemembered)
        {
            // The oldest half by time (ties broken by id), however many share a time.
            foreach (var (id, _) in _seen.OrderBy(e => e.Value).ThenBy(e => e.Key, StringComparer.Ordinal).Take(_seen.Count - (MaxRemembered / 2)).ToList())
            {
                _seen.TryRemove(id, out _);
            }
        }
    }

    private static TeamsSignature ParseToken(string token, string file)
    {
        try
        {
            return new TeamsSignature(token);
        }
        catch (FormatException)
        {
            throw new InvalidOperationException($"{TeamsOptions.Section}:OutgoingWebhookTokenFile: the file '{file}' does not hold a base64 security token");
        }
    }
}
