using System.Buffers;
using System.Text.Json;
using DnsExpert.Contract;

namespace DnsExpert.Diagnosis.FactBuilding;

/// <summary>
/// Scans the long CoreDNS logs of every request read in the process (<see cref="LogScans"/>, one per read): at most
/// <see cref="Parallelism"/> at a time (a core is left to the readers), on pool threads that await a slot rather than
/// block on one, into buffers from one pool that keeps a few per size for the next request.
/// </summary>
public sealed class LogScanScheduler
{
    public LogScanScheduler()
        : this(Math.Max(1, Environment.ProcessorCount - 1))
    {
    }

    public LogScanScheduler(int parallelism)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(parallelism, 1);
        Parallelism = parallelism;
        Slots = new SemaphoreSlim(parallelism, parallelism);

        // Not ArrayPool.Shared: it keeps a returned array in the returning thread's own slot first, and the scans'
        // threads are not the readers', so every long log would cost a new large array. Two arrays per size: a read on two
        // cores cycles through three (one scanned by the slot, one by the reader, one waiting), so a read of many long
        // logs allocates one, and no more than two are kept between requests.
        Buffers = ArrayPool<byte>.Create(maxArrayLength: 1 << 30, maxArraysPerBucket: 2);
    }

    /// <summary>Scans running at once in the process.</summary>
    public int Parallelism { get; }

    internal SemaphoreSlim Slots { get; }

    internal ArrayPool<byte> Buffers { get; }

    /// <summary>The scans of one read, cancelled with <paramref name="cancellationToken"/>.</summary>
    public LogScans Begin(CancellationToken cancellationToken) => new(this, cancellationToken);

    /// <summary>
    /// Reads a request body (<see cref="RequestJson.ReadAsync{T}"/>) with its long logs scanned as they are read, and
    /// returns when every scan is done: the request's logs are then text or finished scans.
    /// </summary>
    public async Task<T?> ReadAsync<T>(Stream body, JsonSerializerOptions options, RequestLimits limits, CancellationToken cancellationToken)
        where T : class
    {
        var scans = Begin(cancellationToken);
        var value = await RequestJson.ReadAsync<T>(body, options, limits, scans, cancellationToken);
        await scans.CompleteAsync();
        return value;
    }
}
