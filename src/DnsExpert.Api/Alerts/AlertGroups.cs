using System.Security.Cryptography;
using System.Text;
using DnsExpert.History;
using Microsoft.Extensions.Options;

namespace DnsExpert.Api.Alerts;

/// <summary>
/// The diagnosis of each firing alert group, by caller and group key, so that Alertmanager's repeat notifications (and
/// a notification sent again after a timeout) return the diagnosis already started instead of starting another. An
/// entry lives <see cref="AlertOptions.GroupLifetime"/> after the group's last notification, or until it resolves; at
/// most <see cref="MaxGroups"/> are kept (the oldest go first). With a history store the groups are kept there (by a
/// hash of caller and key), so replicas sharing it, and a restarted service, start one diagnosis per group between
/// them; without one, or while it fails, in this process's memory.
/// </summary>
public sealed class AlertGroups(TimeProvider time, IOptions<AlertOptions> options, IDiagnosisHistory? history = null) : IDisposable
{
    /// <summary>Groups remembered at once.</summary>
    public const int MaxGroups = 10_000;

    /// <summary>How long a replica's start of a group's diagnosis holds the group before another may take it over.</summary>
    public static readonly TimeSpan StartingFor = TimeSpan.FromSeconds(30);

    /// <summary>Reads and swaps of a group's shared state before giving up on a group other replicas keep changing.</summary>
    private const int Attempts = 20;

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<(string? Caller, string GroupKey), (string Id, DateTimeOffset LastSeen)> _groups = [];

    /// <summary>
    /// The group's diagnosis: the one it has (<c>Repeat</c>), or the one <paramref name="start"/> starts (null when it
    /// could not: nothing is remembered then). One start at a time, so two notifications of a group never start two.
    /// A diagnosis <paramref name="failed"/> says failed (cancelled, past its deadline, the cluster unreachable) is not
    /// an answer: a repeat notification then starts a new one.
    /// </summary>
    public async Task<(string? Id, bool Repeat)> DiagnoseOnceAsync(
        string? caller, string groupKey, Func<Task<string?>> start, CancellationToken cancellationToken, Func<string, Task<bool>>? failed = null)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (history is { Error: null, Store: { } store })
            {
                return await SharedAsync(store, Hash(caller, groupKey), start, failed, cancellationToken);
            }

            var now = time.GetUtcNow();
            var key = (caller, groupKey);
            if (_groups.TryGetValue(key, out var known) && now - known.LastSeen < options.Value.GroupLifetime
                && (failed is null || !await failed(known.Id)))
            {
                _groups[key] = (known.Id, now);
                return (known.Id, true);
            }

            var id = await start();
            if (id is not null)
            {
                MakeRoom(now);
                _groups[key] = (id, now);
            }

            return (id, false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Ends a group (it resolved); its diagnosis id when it had one.</summary>
    public async Task<string?> ResolveAsync(string? caller, string groupKey, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (history is { Error: null, Store: { } store })
            {
                var hash = Hash(caller, groupKey);
                for (var attempt = 0; attempt < Attempts; attempt++)
                {
                    var known = await store.GetAlertGroupAsync(hash, cancellationToken);
                    if (known is null || await store.ReplaceAlertGroupAsync(hash, known, null, cancellationToken))
                    {
                        _groups.Remove((caller, groupKey));
                        return known?.DiagnosisId;
                    }
                }
            }

            return _groups.Remove((caller, groupKey), out var remembered) ? remembered.Id : null;
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();

    /// <summary>
    /// The shared state's round: a fresh diagnosis that did not fail is the answer (its time moved on); a group another
    /// replica is starting is waited for; otherwise this replica reserves the group, starts, and records the id. Each
    /// change is a swap of the state read, so of two replicas only one wins, and the other reads again.
    /// </summary>
    private async Task<(string? Id, bool Repeat)> SharedAsync(
        IDiagnosisStore store, string hash, Func<Task<string?>> start, Func<string, Task<bool>>? failed, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < Attempts; attempt++)
        {
            var now = time.GetUtcNow();
            var known = await store.GetAlertGroupAsync(hash, cancellationToken);
            if (known is { DiagnosisId: { } id } && now - known.LastSeen < options.Value.GroupLifetime && (failed is null || !await failed(id)))
            {
                if (await store.ReplaceAlertGroupAsync(hash, known, known with { LastSeen = now }, cancellationToken))
                {
                    return (id, true);
                }

                continue;
            }

            if (known is { DiagnosisId: null } && now - known.LastSeen < StartingFor)
            {
                // Another replica is starting it: its id comes within its enqueue.
                await Task.Delay(TimeSpan.FromMilliseconds(250), time, cancellationToken);
                continue;
            }

            var reserved = new AlertGroupState(null, now);
            if (!await store.ReplaceAlertGroupAsync(hash, known, reserved, cancellationToken))
            {
                continue;
            }

            string? started;
            try
            {
                started = await start();
            }
            catch
            {
                await store.ReplaceAlertGroupAsync(hash, reserved, null, CancellationToken.None);
                throw;
            }

            await store.ReplaceAlertGroupAsync(hash, reserved, started is null ? null : new AlertGroupState(started, time.GetUtcNow()), CancellationToken.None);
            return (started, false);
        }

        // Other replicas kept changing it (or one is still starting it): the caller answers 503 and Alertmanager retries.
        return (null, true);
    }

    /// <summary>The group's key in the store: a SHA-256 of caller and Alertmanager's group key (up to 4,096 characters of alert labels).</summary>
    private static string Hash(string? caller, string groupKey) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes((caller is null ? "-" : "+" + caller) + "\n" + groupKey)));

    private void MakeRoom(DateTimeOffset now)
    {
        if (_groups.Count < MaxGroups)
        {
            return;
        }

        foreach (var stale in _groups.Where(g => now - g.Value.LastSeen >= options.Value.GroupLifetime).Select(g => g.Key).ToList())
        {
            _groups.Remove(stale);
        }

        if (_groups.Count >= MaxGroups)
        {
            _groups.Remove(_groups.MinBy(g => g.Value.LastSeen).Key);
        }
    }
}
