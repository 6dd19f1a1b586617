using System.Text;

namespace DnsExpert.Engine.Tests;

/// <summary>
/// Splits a command line the way a POSIX shell reads it, far enough to compare structures: words (quotes removed),
/// operators and line breaks as tokens of their own, and unquoted expansions (<c>$</c>, backticks, globs, tilde,
/// braces, comments) marked so that a word a value turned into code never equals the intended word.
/// </summary>
internal static class ShellSyntax
{
    public const char Expansion = '\u0001';

    public static List<string> Tokenize(string command)
    {
        var tokens = new List<string>();
        var word = new StringBuilder();
        var inWord = false;
        void Flush()
        {
            if (inWord)
            {
                tokens.Add(word.ToString());
            }

            word.Clear();
            inWord = false;
        }

        for (var i = 0; i < command.Length; i++)
        {
            var c = command[i];
            switch (c)
            {
                case ' ' or '\t':
                    Flush();
                    break;
                case '\n' or '\r' or ';' or '&' or '|' or '<' or '>' or '(' or ')':
                    Flush();
                    tokens.Add("<op " + (c is '\n' or '\r' ? "newline" : c.ToString()) + ">");
                    break;
                case '#' when !inWord:
                    tokens.Add("<comment>");
                    while (i + 1 < command.Length && command[i + 1] != '\n')
                    {
                        i++;
                    }

                    break;
                case '\'':
                    inWord = true;
                    var end = command.IndexOf('\'', i + 1);
                    if (end < 0)
                    {
                        tokens.Add("<unterminated '>");
                        return tokens;
                    }

                    word.Append(command, i + 1, end - i - 1);
                    i = end;
                    break;
                case '"':
                    inWord = true;
                    for (i++; ; i++)
                    {
                        if (i >= command.Length)
                        {
                            tokens.Add("<unterminated \">");
                            return tokens;
                        }

                        var d = command[i];
                        if (d == '"')
                        {
                            break;
                        }

                        if (d == '\\' && i + 1 < command.Length && command[i + 1] is '$' or '`' or '"' or '\\')
                        {
                            word.Append(command[++i]);
                        }
                        else if (d is '$' or '`')
                        {
                            word.Append(Expansion).Append(d);
                        }
                        else
                        {
                            word.Append(d);
                        }
                    }

                    break;
                case '\\':
                    inWord = true;
                    if (i + 1 < command.Length)
                    {
                        word.Append(command[++i]);
                    }

                    break;
                case '$' or '`' or '*' or '?' or '[' or '{' or '}':
                case '~' when !inWord:
                    inWord = true;
                    word.Append(Expansion).Append(c);
                    break;
                default:
                    inWord = true;
                    word.Append(c);
                    break;
            }
        }

        Flush();
        return tokens;
    }
}
