using System.Net;
using Microsoft.Extensions.Options;

namespace DnsExpert.Api.Security;

/// <summary>
/// Authentication failures, counted and written as one Warning per <see cref="AuthOptions.FailureLogInterval"/> (how
/// many, how many with wrong rather than no credentials, from how many addresses): a flood of bad credentials costs a
/// line per interval, not one per request. Never a key, a token or an address in the line.
/// </summary>
public sealed partial class AuthFailureLog(ILogger<AuthFailureLog> logger, IOptions<AuthOptions> options, TimeProvider time) : BackgroundService
{
    /// <summary>Distinct addresses remembered per interval, at most (a spoofing flood must not grow memory).</summary>
    internal const int MaxAddresses = 10_000;

    private readonly Lock _gate = new();
    private readonly HashSet<string> _addresses = new(StringComparer.Ordinal);
    private long _failures;
    private long _wrongCredentials;

    public void Record(IPAddress? address, bool presentedCredentials)
    {
        lock (_gate)
        {
            _failures++;
            _wrongCredentials += presentedCredentials ? 1 : 0;
            if (_addresses.Count < MaxAddresses)
            {
                _addresses.Add(address?.ToString() ?? "unknown");
            }
        }
    }

    /// <summary>Writes the interval's line, if anything failed, and starts a new interval.</summary>
    internal void Flush()
    {
        long failures, wrong;
        int addresses;
        lock (_gate)
        {
            (failures, wrong, addresses) = (_failures, _wrongCredentials, _addresses.Count);
            (_failures, _wrongCredentials) = (0, 0);
            _addresses.Clear();
        }

        if (failures > 0)
        {
            LogFailures(logger, failures, wrong, addresses, options.Value.FailureLogInterval);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.FailureLogInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                Flush();
            }
        }
        catch (OperationCanceledException)
        {
            // Shutting down: the last interval's count is written below.
        }
        finally
        {
            Flush();
        }
    }

    [LoggerMessage(EventId = 4010, Level = LogLevel.Warning,
        Message = "{Failures} request(s) failed authentication in the last {Interval} ({WrongCredentials} with wrong credentials, the rest with none) from {Addresses} client address(es)")]
    private static partial void LogFailures(ILogger logger, long failures, long wrongCredentials, int addresses, TimeSpan interval);
}
