using System.Collections.Concurrent;
using System.Numerics;
using DnsExpert.Core.Parsing;

namespace DnsExpert.Core.Contract;

/// <summary>
/// Scans of long logs, run while the request is still being read. At most one per core runs at a time in the process;
/// the reader waits for a free slot, so the buffers in flight stay bounded however many logs a request carries.
/// </summary>
internal static class BackgroundLogScans
{
    private static readonly int Parallelism = Math.Max(1, Environment.ProcessorCount - 1);
    private static readonly SemaphoreSlim Slots = new(Parallelism);

    /// <summary>
    /// Log buffers for reuse. ArrayPool.Shared caches a returned array in the returning thread's own slot first, and a
    /// scan's thread ends with its scan, so every long log would cost a new large array; here the reader gets back what
    /// the scans return.
    /// </summary>
    private static readonly ConcurrentQueue<byte[]> Buffers = new();

    /// <summary>A buffer of at least <paramref name="length"/> bytes, for <see cref="Start"/> to take over.</summary>
    public static byte[] Rent(int length)
    {
        for (var i = Buffers.Count; i > 0 && Buffers.TryDequeue(out var buffer); i--)
        {
            if (buffer.Length >= length)
            {
                return buffer;
            }
        }

        return GC.AllocateUninitializedArray<byte>((int)Math.Min(Array.MaxLength, BitOperations.RoundUpToPowerOf2((uint)length)));
    }

    /// <summary>Keeps a few buffers: one per scan that can run, and one for the reader.</summary>
    public static void Return(byte[] buffer)
    {
        if (Buffers.Count <= Parallelism)
        {
            Buffers.Enqueue(buffer);
        }
    }

    /// <summary>Decodes and scans the UTF-8 log in <paramref name="bytes"/> (from <see cref="Rent"/>), then returns the buffer.</summary>
    public static Task<CoreDnsLogScan> Start(byte[] bytes, int length)
    {
        Slots.Wait();

        // A thread of its own: the reader may be holding thread-pool threads while it waits for a slot.
        return Task.Factory.StartNew(
            () =>
            {
                try
                {
                    return CoreDnsLogScanner.Scan(bytes.AsSpan(0, length));
                }
                finally
                {
                    Return(bytes);
                    Slots.Release();
                }
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
    }
}
