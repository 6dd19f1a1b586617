using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace DnsExpert.Api.Hosting;

/// <summary>
/// Admits what a body may expand to once read, before a byte of it is read: pasted output (<c>snapshot.outputs</c>)
/// becomes objects, probes and files, one per line at most, and a 0.6 MB table of 5,000 pods expands as a structured
/// body of several megabytes would. The body's size bounds its lines, so each request reserves one item per
/// <see cref="BytesPerItem"/> bytes of its body (and of the stored request evidence is added to), and the requests being
/// diagnosed together reserve at most <see cref="DnsExpertOptions.MaxPastedItemsInFlight"/>; a larger request takes all
/// of it. Taken after the body's own admission and before the body is read, so a waiting request holds no parsed body,
/// and no holder of this pool ever waits for the other: waiting never deadlocks. No room within
/// <see cref="DnsExpertOptions.AdmissionWait"/> is a 503 with Retry-After.
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

    /// <summary>Bytes of body per item reserved: about the shortest pasted table row or dig line that gives an object or probe.</summary>
    public const int BytesPerItem = 64;

    /// <summary>The items a body of <paramref name="bodyBytes"/> adding to a stored request of <paramref name="storedBytes"/> may expand to.</summary>
    public static long Items(long bodyBytes, long storedBytes) => (Math.Max(0, bodyBytes) + Math.Max(0, storedBytes)) / BytesPerItem;

    public void Dispose() => _limiter.Dispose();
}
