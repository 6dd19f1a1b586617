using DnsExpert.Contract;
using DnsExpert.Readers.Parsing;

namespace DnsExpert.Diagnosis.FactBuilding;

/// <summary>
/// The scans of one read's long logs. The reader hands each log over (<see cref="Accept"/>) and goes on; before each
/// segment of the body it waits until fewer than <see cref="LogScanScheduler.Parallelism"/> + 1 of its logs are being
/// scanned or wait for a scan, so one read holds at most that many logs' buffers plus the one it is reading. The one
/// more than the scans running lets the reader read the next log while the last one is scanned: with room for only
/// as many as run, reading and scanning would take turns. A log handed over when there is no room (one segment of the
/// body ended several) is scanned by the reader itself: nothing ever blocks, and no more buffers are held.
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
        _room = new SemaphoreSlim(scheduler.Parallelism + 1, scheduler.Parallelism + 1);
    }

    public byte[] Rent(int minimumLength) => _scheduler.Buffers.Rent(minimumLength);

    public void Return(byte[] buffer) => _scheduler.Buffers.Return(buffer);

    public StreamedLog Accept(byte[] buffer, int length, long characters)
    {
        var log = new ScannedLog(buffer, length, characters);
        if (!_room.Wait(0))
        {
            // The reader already has its share of logs in flight (one segment of the body held more than one long
            // log): the reader scans this one itself. Nothing waits, and no more buffers are held than room allows.
            Scan(log);
            return log;
        }

        var scan = Task.Run(() => ScanAsync(log), CancellationToken.None);
        lock (_scans)
        {
            _scans.Add(scan);
        }

        return log;
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

    private async Task ScanAsync(ScannedLog log)
    {
        try
        {
            await _scheduler.Slots.WaitAsync(_cancellationToken);
            try
            {
                Scan(log);
            }
            finally
            {
                _scheduler.Slots.Release();
            }
        }
        finally
        {
            _room.Release();
        }
    }

    private void Scan(ScannedLog log)
    {
        var (buffer, length) = log.TakeBytes();
        try
        {
            log.Complete(CoreDnsLogScanner.Scan(buffer.AsSpan(0, length)));
        }
        finally
        {
            _scheduler.Buffers.Return(buffer);
        }
    }
}
