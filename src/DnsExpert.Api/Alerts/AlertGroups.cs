using Microsoft.Extensions.Options;

namespace DnsExpert.Api.Alerts;

/// <summary>
/// The diagnosis of each firing alert group, by caller and group key, so that Alertmanager's repeat notifications (and
/// a notification sent again after a timeout) return the diagnosis already started instead of starting another. An
/// entry lives <see cref="AlertOptions.GroupLifetime"/> after the group's last notification, or until it resolves; at
/// most <see cref="MaxGroups"/> are kept (the oldest go first). Kept in memory: a restarted service diagnoses a group
/// that still fires once more.
/// </summary>
public sealed class AlertGroups(TimeProvider time, IOptions<AlertOptions> options) : IDisposable
{
    /// <summary>Groups remembered at once.</summary>
    public const int MaxGroups = 10_000;

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
            return _groups.Remove((caller, groupKey), out var known) ? known.Id : null;
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();

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
