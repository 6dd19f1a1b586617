using System.Globalization;
using System.Net;
using DnsExpert.Contract;
using DnsExpert.Text;

namespace DnsExpert.Readers.Parsing;

/// <summary>
/// Reads what busybox <c>nc -zvv -w N HOST PORT</c> prints (busybox's <c>networking/nc_bloaty.c</c>, the nc of the
/// <c>busybox</c> image) into TCP probes: <c>HOST (IP:PORT) open</c> is a connection made; <c>nc: HOST (IP:PORT):
/// ERROR</c> one that failed (<c>Connection timed out</c>: timeout, <c>Connection refused</c>: refused, <c>No route to
/// host</c>, <c>Host is unreachable</c>, <c>Network is unreachable</c>: unreachable). With a single <c>-v</c> busybox
/// prints nothing for a refusal, so the checks ask for <c>-vv</c>; its closing <c>sent N, rcvd N</c> says nothing of
/// the connection. The address and port come from the output itself (<c>IP:PORT</c>), not from the command.
/// </summary>
/// <remarks>Real outputs are kept in <c>tests/fixtures/nc</c> with their sources.</remarks>
public static class NcOutput
{
    /// <summary>The connections in <paramref name="text"/>, in order, each with the line it was read from.</summary>
    public static IEnumerable<(int Line, ProbeArtifact Probe)> Read(string text)
    {
        var number = 0;
        foreach (var raw in TextLines.Of(text))
        {
            number++;
            if (Connection(raw.Trim()) is { } probe)
            {
                yield return (number, probe);
            }
        }
    }

    /// <summary>Whether <paramref name="text"/> holds a line busybox nc prints for a connection.</summary>
    public static bool LooksLikeNc(string text) => Read(text).Any();

    private static ProbeArtifact? Connection(string line)
    {
        var failed = line.StartsWith("nc: ", StringComparison.Ordinal);
        var open = line.IndexOf('(', StringComparison.Ordinal);
        var close = line.IndexOf(')', open + 1);
        if (open < 0 || close < 0)
        {
            return null;
        }

        var rest = line[(close + 1)..];
        ProbeOutcome? outcome = failed
            ? rest.StartsWith(": ", StringComparison.Ordinal) ? OutcomeOf(rest[2..].Trim()) : null
            : rest == " open" ? ProbeOutcome.Answered : null;
        var endpoint = line[(open + 1)..close];
        var colon = endpoint.LastIndexOf(':');
        if (outcome is null || colon <= 0 || !IPAddress.TryParse(endpoint[..colon], out var address)
            || !int.TryParse(endpoint[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            return null;
        }

        return new ProbeArtifact { Kind = ProbeKind.Tcp, Target = address.ToString(), Port = port, Outcome = outcome };
    }

    private static ProbeOutcome? OutcomeOf(string error) => error switch
    {
        "Connection timed out" => ProbeOutcome.Timeout,
        "Connection refused" => ProbeOutcome.Refused,
        "No route to host" or "Host is unreachable" or "Network is unreachable" => ProbeOutcome.Unreachable,
        _ => null,
    };
}
