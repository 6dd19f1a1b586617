namespace DnsExpert.Readers.Parsing;

/// <summary>The flags of a pasted kubectl command line, spelled as kubectl (pflag) accepts them.</summary>
public static class KubectlArgs
{
    /// <summary>
    /// The value of <paramref name="flag"/> at <c>words[i]</c>: <c>-n NS</c> (moving <paramref name="i"/> past the
    /// value), <c>--namespace=NS</c>, or a one-letter flag with its value attached (<c>-nkube-system</c>); null when
    /// the word is not that flag.
    /// </summary>
    public static string? Value(string[] words, ref int i, string flag)
    {
        var word = words[i];
        if (word == flag)
        {
            return i + 1 < words.Length ? words[++i] : null;
        }

        return word.StartsWith(flag + "=", StringComparison.Ordinal) ? word[(flag.Length + 1)..]
            : flag.Length == 2 && word.Length > 2 && word.StartsWith(flag, StringComparison.Ordinal) ? word[2..]
            : null;
    }

    /// <summary>
    /// The output format a kubectl command line asks for (<c>-o json</c>, <c>-ojson</c>, <c>-o=yaml</c>, <c>--output
    /// yaml</c>): the name before any <c>=</c> of a template (<c>jsonpath</c> of <c>-o jsonpath={.x}</c>); null without one.
    /// </summary>
    public static string? Output(string[] words)
    {
        for (var i = 1; i < words.Length; i++)
        {
            if ((Value(words, ref i, "-o") ?? Value(words, ref i, "--output")) is { } value)
            {
                return value.TrimStart('=').Split('=')[0];
            }
        }

        return null;
    }
}
