using DnsExpert.Contract;

namespace DnsExpert.Readers.Parsing;

/// <summary>
/// A long log as a <see cref="ILogScanSink"/> makes it while the request is read: its bytes until the sink scans them,
/// then the scan (<see cref="Complete"/>).
/// </summary>
public sealed class ScannedLog : StreamedLog
{
    public ScannedLog(byte[] buffer, int length, long characters)
        : base(buffer, length, characters)
    {
    }

    /// <summary>A log of a JSON string's escaped bytes, validated by the reader (<see cref="StreamedLog.Escaped"/>).</summary>
    public ScannedLog(byte[] buffer, int length)
        : base(buffer, length)
    {
    }

    /// <summary>The scan, once <see cref="Complete"/> gave it.</summary>
    public CoreDnsLogScan? Scan { get; private set; }

    /// <summary>
    /// Keeps the scan of the bytes <see cref="StreamedLog.TakeBytes"/> gave: of their text, or of an
    /// <see cref="StreamedLog.Escaped"/> log's escaped bytes (<see cref="CoreDnsLogScanner.ScanEscaped"/>), whose
    /// length in characters is then the scan's.
    /// </summary>
    public void Complete(CoreDnsLogScan scan)
    {
        if (Escaped)
        {
            Unescaped(scan.Characters);
        }

        Scan = scan;
    }
}

/// <summary>The scan of a log of the contract: the one its sink made while it was read, or one made now from its text.</summary>
public static class LogTextScans
{
    extension(LogText log)
    {
        /// <summary>The scan of a streamed log once it is done (null for a kept text or a scan still running).</summary>
        public CoreDnsLogScan? Scanned => (log.Streamed as ScannedLog)?.Scan;

        /// <summary>The scan of this log: the one made of the streamed bytes, or one made now from the text.</summary>
        /// <exception cref="InvalidOperationException">
        /// A streamed log whose scan has not completed (the stage that reads requests waits for its scans), or one a
        /// sink other than a scanning one kept.
        /// </exception>
        public CoreDnsLogScan Scan() => log.Streamed is { } streamed
            ? (streamed as ScannedLog)?.Scan ?? throw new InvalidOperationException("The log was streamed to a scan that has not completed; wait for the request's log scans before building facts.")
            : CoreDnsLogScanner.Scan(log.Value ?? "");
    }
}
