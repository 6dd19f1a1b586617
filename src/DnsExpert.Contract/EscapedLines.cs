namespace DnsExpert.Contract;

/// <summary>Where <see cref="EscapedLines.Unescape"/> hands the lines of a JSON string's text, one by one.</summary>
public interface IUtf8Lines
{
    /// <summary>A line ended by a line feed (not part of it); its bytes are valid only during the call.</summary>
    void Line(ReadOnlySpan<byte> line);

    /// <summary>What follows the last line feed (the whole text when there is none), possibly empty.</summary>
    void Last(ReadOnlySpan<byte> rest);
}

/// <summary>
/// The text of a long log kept as its JSON string's escaped bytes (<see cref="StreamedLog.Escaped"/>), unescaped line by
/// line where it lies, so that a scan reads each line while it is still in the cache and looks for line feeds no more
/// than for the escapes it unescapes anyway.
/// </summary>
public static class EscapedLines
{
    /// <summary>
    /// Unescapes the validated escaped bytes of a JSON string in place, handing each line of the text to
    /// <paramref name="lines"/> as soon as it is whole; the same text, line by line, as unescaping it all and then
    /// splitting it at its line feeds.
    /// </summary>
    /// <exception cref="FormatException">An unpaired surrogate escape, or the bytes end inside an escape.</exception>
    public static void Unescape<TLines>(Span<byte> escaped, ref TLines lines)
        where TLines : IUtf8Lines, allows ref struct => JsonStrings.UnescapeLines(escaped, ref lines);
}
