using DnsExpert.Contract;
using DnsExpert.Readers.Parsing;

namespace DnsExpert.Diagnosis.FactBuilding;

/// <summary>
/// The scans of one read's long logs. The reader hands each log over (<see cref="Accept"/>) and goes on; before each
/// segment of the body it waits until fewer than <see cref="Room"/> (<see cref="LogScanScheduler.Parallelism"/> + 2) of
/// its logs are being scanned or wait for a scan, so one read holds at most that many logs' buffers plus the one it is
/// reading. The two more than the scans running keep a log waiting for the slot while the reader, its room full, scans
/// another one itself: with one more only, the slot idled while the reader read the next log after its own scan, and
/// reading and scanning took turns (BENCHMARKS.md, issue 22, <c>wt/read</c>). A log handed over when there is no room
/// (one segment of the body ended several) is scanned by the reader itself: nothing ever blocks, and no more buffers
/// are held.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "A SemaphoreSlim holds nothing to dispose unless its AvailableWaitHandle is read, which it never is here.")]
public sealed class LogScans : ILogScanSink
{
    private readonly LogScanScheduler _scheduler;
    private readonly CancellationToken _cancellationToken;
    private readonly SemaphoreSlim _room;
    private readonly List<Task> _scans = [];
    private readonly System.Collections.Concurrent.ConcurrentQueue<WaitingLog> _waiting = new();

    internal LogScans(LogScanScheduler scheduler, CancellationToken cancellationToken)
    {
        _scheduler = scheduler;
        _cancellationToken = cancellationToken;
        _room = new SemaphoreSlim(Room(scheduler.Parallelism), Room(scheduler.Parallelism));
    }

    /// <summary>How many of a read's logs may be scanned or wait for a scan at once, for <paramref name="parallelism"/> scans.</summary>
    internal static int Room(int parallelism) => parallelism + 2;

    public byte[] Rent(int minimumLength) => _scheduler.Buffers.Rent(minimumLength);

    public void Return(byte[] buffer) => _scheduler.Buffers.Return(buffer);

    public StreamedLog Accept(byte[] buffer, int length, long characters) => Take(new ScannedLog(buffer, length, characters));

    /// <summary>Takes a log of escaped JSON bytes: its scan unescapes it first, off the reader's path.</summary>
    public StreamedLog AcceptEscaped(byte[] buffer, int length) => Take(new ScannedLog(buffer, length));

    /// <summary>
    /// Completes when the reader may read on. When the read's room is full and one of its logs still waits for a scan
    /// slot, the reader scans that log itself instead of waiting: with the read cheaper than the scans, this is how
    /// both cores scan while one of them also reads.
    /// </summary>
    public ValueTask WaitForRoomAsync(CancellationToken cancellationToken)
    {
        return _room.CurrentCount > 0 || TryScanWaiting() ? ValueTask.CompletedTask : WaitAsync(cancellationToken);
    }

    /// <summary>Scans the oldest log still waiting for a slot on this thread; false when none waits.</summary>
    private bool TryScanWaiting()
    {
        while (_waiting.TryDequeue(out var waiting))
        {
            if (waiting.TryClaim())
            {
                ScanInRoom(waiting.Log);
                return true;
            }
        }

        return false;
    }

    private void ScanInRoom(ScannedLog log)
    {
        try
        {
            Scan(log);
        }
        finally
        {
            _room.Release();
        }
    }

    private ScannedLog Take(ScannedLog log)
    {
        if (!_room.Wait(0))
        {
            // The reader already has its share of logs in flight (one segment of the body held more than one long
            // log): the reader scans this one itself. Nothing waits, and no more buffers are held than room allows.
            Scan(log);
            return log;
        }

        var waiting = new WaitingLog(log);
        _waiting.Enqueue(waiting);
        var scan = Task.Run(() => ScanAsync(waiting), CancellationToken.None);
        lock (_scans)
        {
            _scans.Add(scan);
        }

        return log;
    }

    /// <summary>
    /// Completes when every log handed over so far is scanned; throws when the read was cancelled first. The reader,
    /// done reading, first scans the logs still waiting for a slot itself rather than wait for the slot to get to them:
    /// the last logs of a body are otherwise scanned one after the other while a core idles.
    /// </summary>
    public Task CompleteAsync()
    {
        while (!_cancellationToken.IsCancellationRequested && TryScanWaiting())
        {
        }

        lock (_scans)
        {
            return Task.WhenAll(_scans);
        }
    }

    private async ValueTask WaitAsync(CancellationToken cancellationToken)
    {
        await _room.WaitAsync(cancellationToken);
        _room.Release();
    }

    private async Task ScanAsync(WaitingLog waiting)
    {
        try
        {
            await _scheduler.Slots.WaitAsync(_cancellationToken);
        }
        catch
        {
            if (waiting.TryClaim())
            {
                _room.Release();
            }

            throw;
        }

        try
        {
            // Scanned by whoever claims it first: this slot, or the reader waiting for room (WaitForRoomAsync).
            if (waiting.TryClaim())
            {
                ScanInRoom(waiting.Log);
            }
        }
        finally
        {
            _scheduler.Slots.Release();
        }
    }

    private void Scan(ScannedLog log)
    {
        // An escaped log is unescaped line by line as it is scanned, not in a pass of its own before.
        var (buffer, length) = log.TakeBytes();
        try
        {
            log.Complete(log.Escaped ? CoreDnsLogScanner.ScanEscaped(buffer.AsSpan(0, length)) : CoreDnsLogScanner.Scan(buffer.AsSpan(0, length)));
        }
        finally
        {
            _scheduler.Buffers.Return(buffer);
        }
    }

    /// <summary>A log handed to a scan task, scanned once by whichever claims it: the task or the waiting reader.</summary>
    private sealed class WaitingLog(ScannedLog log)
    {
        private int _claimed;

        public ScannedLog Log { get; } = log;

        public bool TryClaim() => Interlocked.Exchange(ref _claimed, 1) == 0;
    }
}
