using DnsExpert.Core.Contract;
using DnsExpert.Core.Parsing;

namespace DnsExpert.Diagnosis.FactBuilding;

/// <summary>
/// The scans of one read's long logs. The reader hands each log over (<see cref="Accept"/>) and goes on; before each
/// segment of the body it waits until fewer than <see cref="LogScanScheduler.Parallelism"/> of its logs wait for a
/// scan, so one read holds at most that many logs' buffers plus the one it is reading.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "A SemaphoreSlim holds nothing to dispose unless its AvailableWaitHandle is read, which it never is here.")]
public sealed class LogScans : ILogScanSink
{
    private readonly LogScanScheduler _scheduler;
    private readonly CancellationToken _cancellationToken;
    private readonly SemaphoreSlim _room;
    private readonly List<Task> _scans = [];

    internal LogScans(LogScanScheduler scheduler, CancellationToken cancellationToken)
    {
        _scheduler = scheduler;
        _cancellationToken = cancellationToken;
        _room = new SemaphoreSlim(scheduler.Parallelism, scheduler.Parallelism);
    }

    public byte[] Rent(int minimumLength) => _scheduler.Buffers.Rent(minimumLength);

    public void Return(byte[] buffer) => _scheduler.Buffers.Return(buffer);

    public void Accept(StreamedLog log)
    {
        // Never waits: the reader already waited for room before reading the segment that ended this log.
        var holdsRoom = _room.Wait(0);
        var scan = Task.Run(() => ScanAsync(log, holdsRoom), CancellationToken.None);
        lock (_scans)
        {
            _scans.Add(scan);
        }
    }

    public ValueTask WaitForRoomAsync(CancellationToken cancellationToken) =>
        _room.CurrentCount > 0 ? ValueTask.CompletedTask : WaitAsync(cancellationToken);

    /// <summary>Completes when every log handed over so far is scanned; throws when the read was cancelled first.</summary>
    public Task CompleteAsync()
    {
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

    private async Task ScanAsync(StreamedLog log, bool holdsRoom)
    {
        var (buffer, length) = log.TakeBytes();
        try
        {
            await _scheduler.Slots.WaitAsync(_cancellationToken);
            try
            {
                log.Complete(CoreDnsLogScanner.Scan(buffer.AsSpan(0, length)));
            }
            finally
            {
                _scheduler.Slots.Release();
            }
        }
        finally
        {
            _scheduler.Buffers.Return(buffer);
            if (holdsRoom)
            {
                _room.Release();
            }
        }
    }
}
