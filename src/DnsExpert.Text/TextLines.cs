namespace DnsExpert.Text;

/// <summary>
/// The lines of pasted text, one at a time: a reader of a 30 MB paste holds one line, never an array of all of them.
/// Lines end at LF (a CR before it is dropped), as <c>Split('\n')</c> would cut them, and each is cut to
/// <see cref="MaxLength"/> characters: no line of dig, nslookup, ping, conntrack or kubectl output is that long, so a
/// longer one costs its readers no more than that.
/// </summary>
public static class TextLines
{
    /// <summary>Characters of a line that readers see at most.</summary>
    public const int MaxLength = 4096;

    public static IEnumerable<string> Of(string text, int maxLength = MaxLength)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Iterate(text, maxLength);
    }

    private static IEnumerable<string> Iterate(string text, int maxLength)
    {
        var start = 0;
        while (start <= text.Length)
        {
            var end = text.IndexOf('\n', start);
            if (end < 0)
            {
                end = text.Length;
            }

            var length = end - start;
            if (length > 0 && text[end - 1] == '\r')
            {
                length--;
            }

            yield return text.Substring(start, Math.Min(length, maxLength));
            start = end + 1;
        }
    }
}
