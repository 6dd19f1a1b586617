using DnsExpert.Contract;
using DnsExpert.Readers.Building;

namespace DnsExpert.Cli;

/// <summary>
/// A file (or standard input) holding the output of one command as a person saved it: the first line may be
/// <c>$ COMMAND</c>, the command it is the output of; or a whole terminal session, prompts and all
/// (<see cref="TerminalTranscript"/>), passed on whole to be split command by command. The text is only read, never
/// run nor handed to a shell.
/// </summary>
internal static class PastedOutputFile
{
    /// <summary>The most characters read of one output (as much as the service parses of a pasted <c>kubectl get -o json</c>).</summary>
    public const int MaxCharacters = PastedOutputs.MaxJsonCharacters;

    /// <summary>
    /// Reads one output from <paramref name="reader"/>; <paramref name="command"/> is used when the text does not start
    /// with a <c>$ COMMAND</c> line. Null and a reason when it is too long.
    /// </summary>
    public static async Task<(CommandOutput? Output, string? Problem)> ReadAsync(TextReader reader, string name, string? command, string? from, CancellationToken cancellationToken)
    {
        var buffer = new char[MaxCharacters + 1];
        var read = 0;
        int n;
        while (read < buffer.Length && (n = await reader.ReadAsync(buffer.AsMemory(read), cancellationToken)) > 0)
        {
            read += n;
        }

        if (read > MaxCharacters)
        {
            return (null, $"{name}: longer than {MaxCharacters} characters; paste less of it (for example kubectl logs --tail=500)");
        }

        var text = new string(buffer, 0, read);

        // A whole terminal session (several prompts, or a shell opened in a pod): the service splits it command by command.
        if (command is null && TerminalTranscript.Split(text, from, int.MaxValue) is { } session
            && (session.Outputs.Count > 1 || !text.StartsWith("$ " + session.Outputs[0].Command, StringComparison.Ordinal)))
        {
            return (new CommandOutput { From = from, Text = text }, null);
        }

        if (text.StartsWith("$ ", StringComparison.Ordinal))
        {
            var end = text.IndexOf('\n', StringComparison.Ordinal);
            var line = end < 0 ? text : text[..end];
            command = line[2..].TrimEnd('\r').Trim();
            text = end < 0 ? "" : text[(end + 1)..];
        }

        return (new CommandOutput { From = from, Command = command, Text = text }, null);
    }
}
