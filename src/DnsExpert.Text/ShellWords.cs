using System.Buffers;

namespace DnsExpert.Text;

/// <summary>POSIX shell quoting for values put into a copyable command: each value is exactly one word, never code.</summary>
public static class ShellWords
{
    private static readonly SearchValues<char> Safe = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_./:=@%+,-");

    /// <summary>
    /// <paramref name="value"/> as one shell word: unchanged when every character is safe
    /// (<c>[A-Za-z0-9_./:=@%+,-]</c>, not starting with <c>=</c>, which zsh expands), otherwise in single quotes with
    /// <c>'</c> written as <c>'\''</c>. Control characters are removed first (<see cref="DisplayText.Line"/>).
    /// </summary>
    public static string Quote(string? value)
    {
        var text = DisplayText.Line(value);
        if (text.Length > 0 && text[0] != '=' && !text.AsSpan().ContainsAnyExcept(Safe))
        {
            return text;
        }

        return "'" + text.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
    }
}
