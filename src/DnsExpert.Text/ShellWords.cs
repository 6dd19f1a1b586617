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

    /// <summary>
    /// The words of a command line as a POSIX shell splits them, to read a pasted or given command (never to run one):
    /// blanks separate words outside quotes; <c>'...'</c> keeps its text as it is, <c>"..."</c> too but for
    /// <c>\</c> before <c>"</c>, <c>\</c>, <c>$</c> and <c>`</c>; <c>\</c> outside quotes keeps the next character. The
    /// quotes are removed: <c>kubectl logs -l 'k8s-app in (kube-dns,coredns)'</c> is four words, the selector one. An
    /// unterminated quote runs to the end. Nothing is expanded: <c>$VAR</c> stays as written.
    /// </summary>
    public static string[] Split(string? command)
    {
        var words = new List<string>();
        var word = new System.Text.StringBuilder();
        var inWord = false;
        var text = command ?? "";
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c is ' ' or '\t' or '\n' or '\r')
            {
                if (inWord)
                {
                    words.Add(word.ToString());
                    word.Clear();
                    inWord = false;
                }

                continue;
            }

            inWord = true;
            if (c == '\'')
            {
                var end = text.IndexOf('\'', i + 1);
                end = end < 0 ? text.Length : end;
                word.Append(text, i + 1, end - i - 1);
                i = end;
            }
            else if (c == '"')
            {
                for (i++; i < text.Length && text[i] != '"'; i++)
                {
                    if (text[i] == '\\' && i + 1 < text.Length && text[i + 1] is '"' or '\\' or '$' or '`')
                    {
                        i++;
                    }

                    word.Append(text[i]);
                }
            }
            else if (c == '\\' && i + 1 < text.Length)
            {
                word.Append(text[++i]);
            }
            else
            {
                word.Append(c);
            }
        }

        if (inWord)
        {
            words.Add(word.ToString());
        }

        return [.. words];
    }
}
