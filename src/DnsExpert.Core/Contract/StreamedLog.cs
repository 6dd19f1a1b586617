using DnsExpert.Core.Parsing;

namespace DnsExpert.Core.Contract;

/// <summary>
/// A long log read without becoming a string: its UTF-8 bytes (in a buffer rented from the read's
/// <see cref="ILogScanSink"/>) until they are scanned, then only the scan.
/// </summary>
public sealed class StreamedLog
{
    private byte[]? _buffer;
    private readonly int _length;

    public StreamedLog(byte[] buffer, int length, long characters)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, buffer.Length);
        _buffer = buffer;
        _length = length;
        Characters = characters;
    }

    /// <summary>The log's length in characters.</summary>
    public long Characters { get; }

    /// <summary>The scan, once <see cref="Complete"/> gave it.</summary>
    public CoreDnsLogScan? Scan { get; private set; }

    /// <summary>
    /// Hands over the buffer (to be scanned, then returned to where it was rented) and how much of it is the log; once.
    /// </summary>
    /// <exception cref="InvalidOperationException">The bytes were already taken.</exception>
    public (byte[] Buffer, int Length) TakeBytes()
    {
        var buffer = Interlocked.Exchange(ref _buffer, null) ?? throw new InvalidOperationException("The log's bytes were already taken.");
        return (buffer, _length);
    }

    /// <summary>Keeps the scan of the bytes <see cref="TakeBytes"/> gave.</summary>
    public void Complete(CoreDnsLogScan scan) => Scan = scan;
}
