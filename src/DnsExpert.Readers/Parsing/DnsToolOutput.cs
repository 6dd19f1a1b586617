using System.Globalization;
using System.Text.RegularExpressions;
using DnsExpert.Contract;
using DnsExpert.Text;

namespace DnsExpert.Readers.Parsing;

/// <summary>
/// Reads what people paste from <c>dig</c> and <c>nslookup</c> (BIND's, and busybox's as pods have it) into the same
/// probe results the service's own probes produce: server and port, name and type, transport, outcome (answered,
/// timeout, refused), response code, the <c>tc</c> and <c>aa</c> flags, answer count and query time. Several outputs
/// pasted together give several results; <c>;; Truncated, retrying in TCP mode.</c> gives the truncated UDP answer and
/// the TCP one that follows. The command line, when given, fills in what a failed lookup does not print.
/// </summary>
public static partial class DnsToolOutput
{
    /// <summary>The lookups in <paramref name="text"/>, in order; empty when it holds none.</summary>
    public static IReadOnlyList<DnsLookup> Parse(string text, string? command = null) => Read(text, command).ToList();

    /// <summary>
    /// The lookups in <paramref name="text"/>, one at a time as they are read: a reader that stops taking them stops the
    /// reading, so a paste of a million lookups costs only what is taken.
    /// </summary>
    public static IEnumerable<DnsLookup> Read(string text, string? command = null)
    {
        var reading = new Reading(command);
        var number = 0;
        foreach (var raw in TextLines.Of(text))
        {
            // What the last line completed goes out before the next is read.
            foreach (var ready in reading.Done)
            {
                yield return ready;
            }

            reading.Done.Clear();
            reading.Take(raw.TrimEnd(), ++number);
        }

        reading.Flush();
        foreach (var ready in reading.Done)
        {
            yield return ready;
        }
    }

    /// <summary>One output being read line by line: the lookup in progress, and the lookups it completed.</summary>
    private sealed class Reading(string? command)
    {
        private readonly CommandArguments _context = command is null ? default : Arguments(command);
        private readonly DnsTool _tool = command is not null && command.TrimStart().StartsWith("nslookup", StringComparison.Ordinal) ? DnsTool.Nslookup : DnsTool.Dig;
        private Builder? _current;
        private Builder? _nslookupServer;

        /// <summary>The lookups completed and not yet handed out.</summary>
        public List<DnsLookup> Done { get; } = new(2);

        /// <summary>The lookup in progress, done when it has an outcome, and none in progress after.</summary>
        public void Flush()
        {
            if (_current is { } done && done.HasOutcome)
            {
                Done.Add(done.Build(_context));
            }

            _current = null;
        }

        public void Take(string line, int number)
        {
            if (Banner(line, number) || Truncated(line, number) || UnexpectedReply(line, number) || CommunicationError(line, number)
                || NoServers(line, number) || NslookupServerLine(line, number))
            {
                return;
            }

            if (_current is null && _nslookupServer is not null && (line.StartsWith("** server can't find", StringComparison.Ordinal) || line.StartsWith("Name:", StringComparison.Ordinal)))
            {
                // busybox prints one line per name of the search list it tried, under one Server: header.
                _current = new Builder(DnsTool.Nslookup, number) { Probe = { Server = _nslookupServer.Probe.Server, Port = _nslookupServer.Probe.Port } };
            }

            if (_current is null)
            {
                return;
            }

            if (_current.Tool == DnsTool.Nslookup)
            {
                NslookupLine(_current, line, number);
            }
            else
            {
                DigLine(_current, line, number);
            }
        }

        private bool Banner(string line, int number)
        {
            if (DigBanner().Match(line) is not { Success: true } banner)
            {
                return false;
            }

            // dig 9.16+ prints a failed attempt before the banner of the lookup it belongs to.
            var failed = _current is { FromError: true } ? _current : null;
            if (failed is null)
            {
                Flush();
            }

            _current = new Builder(DnsTool.Dig, number)
            {
                Arguments = Arguments(banner.Groups["args"].Value),
                Probe = { Server = failed?.Probe.Server, Port = failed?.Probe.Port, Outcome = failed?.Probe.Outcome, ReplyFrom = failed?.Probe.ReplyFrom },
                Line = failed?.Line ?? number,
            };
            return true;
        }

        private bool Truncated(string line, int number)
        {
            if (!line.StartsWith(";; Truncated, retrying in TCP mode", StringComparison.Ordinal))
            {
                return false;
            }

            // The UDP answer had TC set; the TCP answer's banner follows.
            Flush();
            Done.Add(new Builder(DnsTool.Dig, number) { Probe = { Transport = ProbeTransport.Udp, Truncated = true, Outcome = ProbeOutcome.Answered } }.Build(_context));
            return true;
        }

        private bool UnexpectedReply(string line, int number)
        {
            if (UnexpectedSource().Match(line) is not { Success: true } unexpected)
            {
                return false;
            }

            // The reply came back from another address than the one asked (a Service's reply that skipped its reverse
            // NAT): dig and BIND's nslookup drop it and wait on, so the lookup times out unless a later reply is right.
            var current = ErrorLookup(number);
            current.Probe.Server ??= unexpected.Groups["expected"].Value;
            current.Probe.Port ??= int.Parse(unexpected.Groups["port"].Value, CultureInfo.InvariantCulture);
            current.Probe.ReplyFrom ??= unexpected.Groups["from"].Value;
            current.Line ??= number;
            return true;
        }

        private bool CommunicationError(string line, int number)
        {
            if (CommunicationsError().Match(line) is not { Success: true } error)
            {
                return false;
            }

            // dig 9.16+ prints this before its banner; older dig prints ";; connection timed out; no servers could be reached".
            var current = ErrorLookup(number);
            current.Probe.Server ??= error.Groups["server"].Value;
            current.Probe.Port ??= int.Parse(error.Groups["port"].Value, CultureInfo.InvariantCulture);
            current.Probe.Outcome = error.Groups["why"].Value switch
            {
                "connection refused" => ProbeOutcome.Refused,
                "timed out" => ProbeOutcome.Timeout,
                _ => ProbeOutcome.Unreachable,
            };
            current.Line = number;
            return true;
        }

        /// <summary>The lookup an error line belongs to: the one in progress unless it already has an answer, else a new one.</summary>
        private Builder ErrorLookup(int number)
        {
            if (_current is { HasOutcome: true, FromError: false })
            {
                Flush();
            }

            return _current ??= new Builder(_tool, number) { FromError = true };
        }

        private bool NoServers(string line, int number)
        {
            if (!line.Contains("connection timed out; no servers could be reached", StringComparison.Ordinal)
                && !(line.Contains("no servers could be reached", StringComparison.Ordinal) && _current is { HasOutcome: false }))
            {
                return false;
            }

            _current ??= new Builder(_tool, number);
            _current.Probe.Outcome ??= ProbeOutcome.Timeout;
            _current.Line = number;
            return true;
        }

        private bool NslookupServerLine(string line, int number)
        {
            if (NslookupServer().Match(line) is not { Success: true } server || _current is { Tool: DnsTool.Dig })
            {
                return false;
            }

            Flush();
            _current = _nslookupServer = new Builder(DnsTool.Nslookup, number);
            SetServer(_current, server.Groups["address"].Value);
            return true;
        }

        private void NslookupLine(Builder current, string line, int number)
        {
            if (current.Probe.Rcode == "NOERROR" && current.Probe.AnswerCount > 0 && NslookupFailure().Match(line) is { Success: true } after
                && string.Equals(after.Groups["name"].Value, current.Probe.Name, StringComparison.OrdinalIgnoreCase))
            {
                // busybox asks A and AAAA and prints the A answer first: a failure for the same name after its
                // addresses is the AAAA query's, not a failure of the name the A query just resolved.
                Flush();
                _current = current = new Builder(DnsTool.Nslookup, number) { Probe = { Server = current.Probe.Server, Port = current.Probe.Port, Type = "AAAA" } };
            }

            ReadNslookupLine(current, line, number);
            if (current.HasOutcome && current.Probe.Rcode is not null and not "NOERROR")
            {
                Flush();
            }
        }

        private static void DigLine(Builder current, string line, int number)
        {
            if (Header().Match(line) is { Success: true } header)
            {
                current.Probe.Rcode = header.Groups["status"].Value;
                current.Probe.Outcome = ProbeOutcome.Answered;
                current.Line = number;
            }
            else if (Flags().Match(line) is { Success: true } flags)
            {
                var set = flags.Groups["flags"].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                current.Probe.Truncated = current.Probe.Truncated == true || set.Contains("tc");
                current.Probe.Authoritative = set.Contains("aa");
                current.Probe.AnswerCount = int.Parse(flags.Groups["answers"].Value, CultureInfo.InvariantCulture);
            }
            else if (Question().Match(line) is { Success: true } question && current.Probe.Name is null)
            {
                current.Probe.Name = question.Groups["name"].Value;
                current.Probe.Type = question.Groups["type"].Value;
            }
            else if (QueryTime().Match(line) is { Success: true } time)
            {
                current.Probe.LatencyMs = double.Parse(time.Groups["ms"].Value, CultureInfo.InvariantCulture);
            }
            else if (DigServer().Match(line) is { Success: true } answeredBy)
            {
                current.Probe.Server = answeredBy.Groups["server"].Value;
                current.Probe.Port = int.Parse(answeredBy.Groups["port"].Value, CultureInfo.InvariantCulture);
                current.Probe.Transport = answeredBy.Groups["proto"].Value == "TCP" ? ProbeTransport.Tcp : ProbeTransport.Udp;
            }
        }
    }

    private static void ReadNslookupLine(Builder current, string line, int number)
    {
        if (NslookupFailure().Match(line) is { Success: true } failure)
        {
            current.Probe.Name = failure.Groups["name"].Value;
            current.Probe.Rcode = failure.Groups["rcode"].Value switch
            {
                "NXDOMAIN" => "NXDOMAIN",
                "SERVFAIL" => "SERVFAIL",
                "REFUSED" => "REFUSED",
                "NOTIMP" => "NOTIMP",
                "No answer" => "NOERROR",
                _ => "SERVFAIL",
            };
            current.Probe.Outcome = ProbeOutcome.Answered;
            current.Line = number;
        }
        else if (line.StartsWith("nslookup: can't resolve", StringComparison.Ordinal))
        {
            // Old busybox: no response code; the name did not resolve.
            current.Probe.Name ??= BusyboxName().Match(line) is { Success: true } m ? m.Groups["name"].Value : null;
            current.Probe.Rcode = "NXDOMAIN";
            current.Probe.Outcome = ProbeOutcome.Answered;
            current.Line = number;
        }
        else if (NslookupName().Match(line) is { Success: true } name)
        {
            current.Probe.Name ??= name.Groups["name"].Value;
            current.Probe.Rcode ??= "NOERROR";
            current.Probe.Outcome = ProbeOutcome.Answered;
            current.Line = number;
        }
        else if (NslookupAddress().Match(line) is { Success: true } address)
        {
            if (current.Probe.Name is null)
            {
                SetServer(current, address.Groups["address"].Value); // the server's own address line, with its port
            }
            else
            {
                current.Probe.AnswerCount = (current.Probe.AnswerCount ?? 0) + 1;
            }
        }
    }

    private static void SetServer(Builder builder, string address)
    {
        // "10.96.0.10#53" (BIND), "10.96.0.10:53" (busybox), "10.96.0.10 kube-dns.kube-system.svc.cluster.local" (old busybox).
        var value = address.Split(' ')[0];
        var hash = value.LastIndexOf('#');
        var colon = value.Count(c => c == ':') == 1 ? value.LastIndexOf(':') : -1;
        var cut = hash >= 0 ? hash : colon;
        if (cut > 0 && int.TryParse(value.AsSpan(cut + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port))
        {
            builder.Probe.Server = value[..cut];
            builder.Probe.Port = port;
        }
        else
        {
            builder.Probe.Server = value;
        }
    }

    /// <summary>What a dig or nslookup command line says: server, port, name, type, TCP.</summary>
    private static CommandArguments Arguments(string command)
    {
        string? server = null, name = null, type = null;
        int? port = null;
        var tcp = false;
        var words = command.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i < words.Length; i++)
        {
            var word = words[i];
            if (word.StartsWith('@'))
            {
                server = word[1..];
            }
            else if (word == "-p" && i + 1 < words.Length && int.TryParse(words[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var p))
            {
                port = p;
                i++;
            }
            else if (word.StartsWith("-port=", StringComparison.Ordinal) && int.TryParse(word.AsSpan(6), NumberStyles.None, CultureInfo.InvariantCulture, out var np))
            {
                port = np;
            }
            else if (word is "+tcp" or "+vc")
            {
                tcp = true;
            }
            else if (word == "-t" && i + 1 < words.Length)
            {
                type = words[++i].ToUpperInvariant();
            }
            else if (word.StartsWith("-type=", StringComparison.OrdinalIgnoreCase) || word.StartsWith("-query=", StringComparison.OrdinalIgnoreCase))
            {
                type = word[(word.IndexOf('=', StringComparison.Ordinal) + 1)..].ToUpperInvariant();
            }
            else if (word.StartsWith('+') || word.StartsWith('-') || word is "dig" or "nslookup" || word.EndsWith("/dig", StringComparison.Ordinal))
            {
            }
            else if (QueryTypes.Contains(word.ToUpperInvariant()) && name is not null)
            {
                type = word.ToUpperInvariant();
            }
            else if (name is null)
            {
                name = word;
            }
            else if (server is null && System.Net.IPAddress.TryParse(word, out _))
            {
                server = word; // nslookup NAME SERVER
            }
        }

        return new CommandArguments(server, port, name, type, tcp);
    }

    private static readonly HashSet<string> QueryTypes = new(StringComparer.Ordinal) { "A", "AAAA", "SRV", "PTR", "MX", "TXT", "CNAME", "NS", "SOA", "ANY", "HTTPS", "CAA" };

    private readonly record struct CommandArguments(string? Server, int? Port, string? Name, string? Type, bool Tcp);

    /// <summary>A lookup being read: the probe result as the output gives it, filled from the command line when built.</summary>
    private sealed class Builder(DnsTool tool, int line)
    {
        public DnsTool Tool { get; } = tool;
        public CommandArguments Arguments { get; init; }
        public ProbeArtifact Probe { get; } = new() { Kind = ProbeKind.Dns };
        public int? Line { get; set; } = line;

        /// <summary>Made by a "communications error" line that came before any banner.</summary>
        public bool FromError { get; init; }

        public bool HasOutcome => Probe.Outcome is not null;

        public DnsLookup Build(CommandArguments command)
        {
            var p = Probe;
            p.Server ??= Arguments.Server ?? command.Server;
            p.Port ??= Arguments.Port ?? command.Port ?? 53;
            p.Name = (p.Name ?? Arguments.Name ?? command.Name)?.TrimEnd('.');
            p.Type ??= Arguments.Type ?? command.Type ?? "A";
            p.Transport ??= Arguments.Tcp || command.Tcp ? ProbeTransport.Tcp : ProbeTransport.Udp;
            p.Rcode = p.Outcome == ProbeOutcome.Answered ? p.Rcode : null;
            p.Truncated ??= false;
            return new DnsLookup(Tool, Line ?? 1, p);
        }
    }

    [GeneratedRegex(@"^; <<>> DiG [^<]*<<>> (?<args>.*)$", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking)]
    private static partial Regex DigBanner();

    [GeneratedRegex(@"^;; ->>HEADER<<- opcode: \w+, status: (?<status>[A-Z]+), id: \d+", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking)]
    private static partial Regex Header();

    [GeneratedRegex(@"^;; flags:(?<flags>[a-z ]*);.*ANSWER: (?<answers>\d+)", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking)]
    private static partial Regex Flags();

    [GeneratedRegex(@"^;(?<name>[^\s;]+)\s+(?:\d+\s+)?IN\s+(?<type>[A-Z0-9]+)\s*$", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking)]
    private static partial Regex Question();

    [GeneratedRegex(@"^;; Query time: (?<ms>\d+(?:\.\d+)?) (?:msec|ms)", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking)]
    private static partial Regex QueryTime();

    [GeneratedRegex(@"^;; SERVER: (?<server>[0-9a-fA-F:.]+)#(?<port>\d+)\([^)]*\)(?: \((?<proto>UDP|TCP)\))?", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking)]
    private static partial Regex DigServer();

    [GeneratedRegex(@"^;; reply from unexpected source: (?<from>[0-9a-fA-F:.]+)#\d+, expected (?<expected>[0-9a-fA-F:.]+)#(?<port>\d+)", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking)]
    private static partial Regex UnexpectedSource();

    [GeneratedRegex(@"^;; communications error to (?<server>[0-9a-fA-F:.]+)#(?<port>\d+): (?<why>timed out|connection refused|host unreachable|network unreachable|end of file|[a-z ]+)", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking)]
    private static partial Regex CommunicationsError();

    [GeneratedRegex(@"^Server:\s+(?<address>\S+(?: \S+)?)\s*$", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking)]
    private static partial Regex NslookupServer();

    [GeneratedRegex(@"^\*\* server can't find (?<name>[^:\s]+): (?<rcode>NXDOMAIN|SERVFAIL|REFUSED|NOTIMP|No answer|[A-Za-z ]+)", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking)]
    private static partial Regex NslookupFailure();

    [GeneratedRegex(@"^Name:\s+(?<name>\S+)", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking)]
    private static partial Regex NslookupName();

    [GeneratedRegex(@"^Address(?: \d+)?:\s+(?<address>\S+(?: \S+)?)", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking)]
    private static partial Regex NslookupAddress();

    [GeneratedRegex(@"can't resolve '(?<name>[^']+)'", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking)]
    private static partial Regex BusyboxName();
}

public enum DnsTool
{
    Dig,
    Nslookup,
}

/// <summary>
/// One lookup read from pasted tool output: the same probe result the service's own probes give (its <c>from</c> is the
/// caller's to fill), the tool that printed it and the line it was read at.
/// </summary>
public sealed record DnsLookup(DnsTool Tool, int Line, ProbeArtifact Probe);
