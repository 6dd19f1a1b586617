using DnsExpert.History;

namespace DnsExpert.Api.History;

/// <summary>The configured store, and whether its schema is in place yet (readiness waits for it).</summary>
public sealed class HistoryState(IDiagnosisStore? store) : IDiagnosisHistory
{
    private volatile string? _error = store is null ? null : "not initialised yet";
    private volatile bool _initialised;

    /// <summary>Null when the history is switched off (<c>DnsExpert:History:Provider=none</c>).</summary>
    public IDiagnosisStore? Store { get; } = store;

    /// <summary>The store is initialised and reached at its last check.</summary>
    public bool Ready => Store is not null && _error is null;

    /// <summary>Why the store is not ready, when it is not.</summary>
    public string? Error => _error;

    /// <summary>Pings the store (once initialised) under a timeout, so readiness follows its reachability.</summary>
    public async Task CheckAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (Store is null || !_initialised)
        {
            return;
        }

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            await Store.PingAsync(limit.Token);
            _error = null;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            _error = $"no answer within {timeout.TotalSeconds:0.#} s";
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _error = $"{ex.GetType().Name}: {ex.Message}";
        }
    }

    internal void Initialised()
    {
        _initialised = true;
        _error = null;
    }

    internal void Succeeded() => _error = null;

    internal void Failed(string error) => _error = error;
}
