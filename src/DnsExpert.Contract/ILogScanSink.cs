namespace DnsExpert.Contract;

/// <summary>
/// Where a request's long logs go as it is read (<see cref="RequestJson.ReadAsync{T}"/>): the buffers they are
/// unescaped into, and the scan of each. The reader never blocks on it; it awaits <see cref="WaitForRoomAsync"/>
/// before each segment of the body, so the logs waiting for a scan stay few however many the request carries.
/// </summary>
public interface ILogScanSink
{
    /// <summary>A buffer of at least <paramref name="minimumLength"/> bytes for one log.</summary>
    byte[] Rent(int minimumLength);

    /// <summary>Gives back a buffer that <see cref="Accept"/> will not get (the read failed).</summary>
    void Return(byte[] buffer);

    /// <summary>
    /// Takes a log read into a rented buffer (its first <paramref name="length"/> bytes, <paramref name="characters"/>
    /// characters) and scans it without blocking the reader; returns the log the request keeps in its place.
    /// </summary>
    StreamedLog Accept(byte[] buffer, int length, long characters);

    /// <summary>
    /// Takes a log whose rented buffer holds the escaped bytes of its JSON string (without the quotes), validated by the
    /// reader: control characters, escapes, surrogate pairs and UTF-8. Unescaping never makes it longer, so it can be
    /// done in place. This one unescapes at once and hands the text to <see cref="Accept"/>; a scanning sink does it
    /// in the scan instead, off the reader's path.
    /// </summary>
    StreamedLog AcceptEscaped(byte[] buffer, int length)
    {
        var text = JsonStrings.UnescapeInPlace(buffer.AsSpan(0, length));
        return Accept(buffer, text, System.Text.Encoding.UTF8.GetCharCount(buffer.AsSpan(0, text)));
    }

    /// <summary>Completes when the reader may read on: few enough of this read's logs are waiting for a scan.</summary>
    ValueTask WaitForRoomAsync(CancellationToken cancellationToken);
}
