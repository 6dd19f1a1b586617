using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace DnsExpert.Api.Hosting;

/// <summary>
/// Admits request bodies by size, so that the bodies being read and the requests they became stay within
/// <see cref="DnsExpertOptions.MaxBodiesInFlightBytes"/> together. A body reserves its <c>Content-Length</c> (or the
/// body limit when it is chunked) before a byte is read, and keeps it until its diagnosis ends, queued ones included;
/// evidence for an earlier diagnosis reserves the size of the stored request it is added to as well, since that request
/// is read back and diagnosed again with it;
/// what a request holds is at most a fixed multiple of its body (README: security), so the service's memory is bounded
/// by this figure whatever callers send at once. A body that cannot be admitted within
/// <see cref="DnsExpertOptions.AdmissionWait"/> is a 503 with Retry-After.
/// </summary>
public sealed class BodyAdmission : IDisposable
{
    private const int Unit = 1024;
    private readonly ConcurrencyLimiter _limiter;
    private readonly DnsExpertOptions _options;

    public BodyAdmission(IOptions<DnsExpertOptions> options)
    {
        _options = options.Value;
        var permits = (int)Math.Clamp(Math.Max(_options.MaxBodiesInFlightBytes, _options.MaxRequestBodyBytes) / Unit, 1, int.MaxValue);
        _limiter = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
        {
            PermitLimit = permits,
            QueueLimit = permits,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
    }

    /// <summary>
    /// Waits for room for <paramref name="request"/>'s body and the <paramref name="storedBytes"/> of a stored request it
    /// adds to (0 for a request of its own), together at most <see cref="DnsExpertOptions.MaxRequestBodyBytes"/>. The
    /// admission is held by the request and ends with it, unless <see cref="AdmittedBody.Transfer"/> hands it to a queued
    /// diagnosis. Null when there was no room in time.
    /// </summary>
    public async Task<AdmittedBody?> AdmitAsync(HttpRequest request, long storedBytes, CancellationToken cancellationToken)
    {
        var limit = _options.MaxRequestBodyBytes;
        var bytes = Math.Min(storedBytes + (request.ContentLength ?? limit), limit);
        var permits = (int)Math.Clamp((bytes + Unit - 1) / Unit, 1, int.MaxValue);
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        wait.CancelAfter(_options.AdmissionWait);
        RateLimitLease lease;
        try
        {
            lease = await _limiter.AcquireAsync(permits, wait.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }

        if (!lease.IsAcquired)
        {
            lease.Dispose();
            return null;
        }

        var admitted = new AdmittedBody(lease);
        request.HttpContext.Features.Set(admitted);
        request.HttpContext.Response.RegisterForDispose(admitted);
        return admitted;
    }

    public void Dispose() => _limiter.Dispose();
}

/// <summary>A body's admission: released when the request ends, or by the queued diagnosis it was handed to.</summary>
public sealed class AdmittedBody : IDisposable, Diagnosis.Application.IAdmission
{
    private RateLimitLease? _lease;

    private RateLimitLease? _pasted;

    internal AdmittedBody(RateLimitLease lease, RateLimitLease? pasted = null) => (_lease, _pasted) = (lease, pasted);

    /// <summary>Adds what the body's pasted outputs may expand to (<see cref="PastedOutputAdmission"/>): released with the body.</summary>
    internal void Hold(RateLimitLease pasted) => Interlocked.Exchange(ref _pasted, pasted)?.Dispose();

    /// <summary>Hands the admission over (to a queued diagnosis): the request's end no longer releases it.</summary>
    public IDisposable Transfer() =>
        new AdmittedBody(Interlocked.Exchange(ref _lease, null) ?? throw new InvalidOperationException("already transferred"), Interlocked.Exchange(ref _pasted, null));

    public void Dispose()
    {
        Interlocked.Exchange(ref _lease, null)?.Dispose();
        Interlocked.Exchange(ref _pasted, null)?.Dispose();
    }
}
