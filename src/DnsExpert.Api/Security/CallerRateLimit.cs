using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace DnsExpert.Api.Security;

/// <summary>
/// Charges a caller's rate limit (the token bucket every request of its key or token subject takes one permit from) for
/// work a request asks for beyond its own body: evidence diagnoses the stored request it is added to again, so it costs
/// one more permit per full <see cref="AuthOptions.EvidenceBytesPerPermit"/> of that request or per full
/// <see cref="AuthOptions.EvidenceTimePerPermit"/> its last diagnosis took, whichever is more, up to the whole bucket.
/// </summary>
public sealed class CallerRateLimit(IOptions<RateLimiterOptions> limiter, IOptions<AuthOptions> auth)
{
    /// <summary>
    /// Takes the permits that diagnosing a stored request of <paramref name="storedBytes"/> again costs, whose last
    /// diagnosis took <paramref name="measured"/>; the answer says how many and, when the caller has not that many left,
    /// when to retry (nothing is taken then).
    /// </summary>
    public RateLimitCharge ChargeRerun(HttpContext context, long storedBytes, TimeSpan? measured)
    {
        var options = auth.Value;
        var cost = Math.Max(storedBytes / options.EvidenceBytesPerPermit, (measured ?? TimeSpan.Zero) / options.EvidenceTimePerPermit);

        // The request itself took one permit already: the dearest stored request costs the rest of a full bucket.
        var permits = (int)Math.Min(Math.Floor((double)cost), SecuritySetup.PerMinute(context, options) - 1);
        if (permits <= 0 || limiter.Value.GlobalLimiter is not { } global)
        {
            return new RateLimitCharge(0, null);
        }

        using var lease = global.AttemptAcquire(context, permits);
        return lease.IsAcquired
            ? new RateLimitCharge(permits, null)
            : new RateLimitCharge(permits, lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.FromSeconds(10));
    }
}

/// <summary>The permits a request was charged beyond its own; <see cref="RetryAfter"/> is set when they were not there to take.</summary>
public sealed record RateLimitCharge(int Permits, TimeSpan? RetryAfter);
