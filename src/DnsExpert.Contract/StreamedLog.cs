namespace DnsExpert.Contract;

/// <summary>
/// A long log read without becoming a string: its UTF-8 bytes (in a buffer rented from the read's
/// <see cref="ILogScanSink"/>) until the sink takes them to scan. The sink makes it (<see cref="ILogScanSink.Accept"/>)
/// as a subclass that keeps what the scan found; the contract knows only the bytes.
/// </summary>
public abstract class StreamedLog
{
    private byte[]? _buffer;
    private readonly int _length;

    protected StreamedLog(byte[] buffer, int length, long characters)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, buffer.Length);
        _buffer = buffer;
        _length = length;
        Characters = characters;
    }

    /// <summary>The log's length in characters.</summary>
    public long Characters { get; }

    /// <summary>
    /// Hands over the buffer (to be scanned, then returned to where it was rented) and how much of it is the log; once.
    /// </summary>
    /// <exception cref="InvalidOperationException">The bytes were already taken.</exception>
    public (byte[] Buffer, int Length) TakeBytes()
    {
        var buffer = Interlocked.Exchange(ref _buffer, null) ?? throw new InvalidOperationException("The log's bytes were already taken.");
        return (buffer, _length);
    }
}
