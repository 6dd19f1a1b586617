using System.Threading.RateLimiting;
using DnsExpert.Core.Building;
using Microsoft.Extensions.Options;

namespace DnsExpert.Api.Hosting;

/// <summary>
/// Admits what a body's pasted outputs may expand to (<see cref="PastedOutputs.ExpansionItems"/>), after the body was
/// read and before it is diagnosed, so that the requests being diagnosed together expand to at most
/// <see cref="DnsExpertOptions.MaxPastedItemsInFlight"/> objects, probes and files. A separate pool from the bodies': a
/// request that holds its body waits only on requests that hold both, which finish, so waiting never deadlocks. No room
/// within <see cref="DnsExpertOptions.AdmissionWait"/> is a 503 with Retry-After.
/// </summary>
public sealed class PastedOutputAdmission : IDisposable
{
    private readonly ConcurrencyLimiter _limiter;
    private readonly DnsExpertOptions _options;
    private readonly int _permits;

    public PastedOutputAdmission(IOptions<DnsExpertOptions> options)
    {
        _options = options.Value;
        _permits = _options.MaxPastedItemsInFlight;
        _limiter = new ConcurrencyLimiter(new ConcurrencyLimiterOptions { PermitLimit = _permits, QueueLimit = _permits, QueueProcessingOrder = QueueProcessingOrder.OldestFirst });
    }

    /// <summary>
    /// Waits for room for <paramref name="items"/> (all of the pool when they are more) and adds it to
    /// <paramref name="body"/>'s admission (released with it); true at once when there is nothing to admit, false when
    /// there was no room in time.
    /// </summary>
    public async Task<bool> AdmitAsync(AdmittedBody body, long items, CancellationToken cancellationToken)
    {
        if (items <= 0)
        {
            return true;
        }

        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        wait.CancelAfter(_options.AdmissionWait);
        RateLimitLease lease;
        try
        {
            lease = await _limiter.AcquireAsync((int)Math.Min(items, _permits), wait.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }

        if (!lease.IsAcquired)
        {
            lease.Dispose();
            return false;
        }

        body.Hold(lease);
        return true;
    }

    public void Dispose() => _limiter.Dispose();
}
