namespace DnsExpert.Contract;

/// <summary>
/// A long log read without becoming a string: its UTF-8 bytes (in a buffer rented from the read's
/// <see cref="ILogScanSink"/>) until the sink takes them to scan. The sink makes it (<see cref="ILogScanSink.Accept"/>)
/// as a subclass that keeps what the scan found; the contract knows only the bytes. The bytes are either the log's
/// UTF-8 text or, <see cref="Escaped"/>, the JSON string's validated escaped bytes as the body held them (the reader
/// only copies them; the scan unescapes them, and only then is the length in characters known).
/// </summary>
public abstract class StreamedLog
{
    private byte[]? _buffer;
    private readonly int _length;
    private long _characters;

    protected StreamedLog(byte[] buffer, int length, long characters)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, buffer.Length);
        _buffer = buffer;
        _length = length;
        _characters = characters;
    }

    /// <summary>A log of the escaped bytes of a JSON string, validated by the reader (<see cref="Escaped"/>).</summary>
    protected StreamedLog(byte[] buffer, int length)
        : this(buffer, length, -1) => Escaped = true;

    /// <summary>Whether the bytes are a JSON string's escaped bytes (without its quotes) rather than the text.</summary>
    public bool Escaped { get; }

    /// <summary>The log's length in characters.</summary>
    /// <exception cref="InvalidOperationException">An escaped log not yet unescaped by its scan.</exception>
    public long Characters => _characters >= 0
        ? _characters
        : throw new InvalidOperationException("The log's length is known once its scan has unescaped it; wait for the request's log scans.");

    /// <summary>
    /// Tells the length in characters of an <see cref="Escaped"/> log whose bytes (<see cref="TakeBytes"/>) the caller
    /// unescaped itself (<see cref="EscapedLines"/>): the characters of its text.
    /// </summary>
    /// <exception cref="InvalidOperationException">The log is not escaped, or its length is known already.</exception>
    protected void Unescaped(long characters)
    {
        if (!Escaped || _characters >= 0)
        {
            throw new InvalidOperationException("Only an escaped log's length is told, once.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(characters);
        _characters = characters;
    }

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
