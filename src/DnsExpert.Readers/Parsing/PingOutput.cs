using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using DnsExpert.Contract;
using DnsExpert.Text;

namespace DnsExpert.Readers.Parsing;

/// <summary>
/// Reads what people paste from <c>ping</c> (iputils on Debian, Ubuntu and RHEL; busybox on Alpine and most application
/// images) into the ping probes the structured form has: the address pinged, the outcome and the echo requests sent
/// and answered. Any reply means <c>answered</c> (a partial loss is kept in the counts); none means <c>timeout</c>,
/// or <c>unreachable</c> when a router said so (<c>Destination Host Unreachable</c>, <c>+N errors</c>), there was no
/// route, or a firewall rule on the sending side refused the echo request (<c>sendmsg: Operation not permitted</c>).
/// A ping that could not open its socket (no CAP_NET_RAW) or could not resolve its name gives no probe: that says
/// nothing about reachability. Several pings pasted together give several runs.
/// </summary>
/// <remarks>Real outputs are kept in <c>tests/fixtures/ping</c> with their sources.</remarks>
public static partial class PingOutput
{
    /// <summary>The runs of ping in <paramref name="text"/>, in order; <paramref name="command"/> names the address when the output does not.</summary>
    public static IReadOnlyList<PingRun> Parse(string text, string? command = null) => Read(text, command).ToList();

    /// <summary>
    /// The runs of ping in <paramref name="text"/>, one at a time as they are read: a reader that stops taking them
    /// stops the reading, so a paste of a million runs costs only what is taken.
    /// </summary>
    public static IEnumerable<PingRun> Read(string text, string? command = null)
    {
        var commandAddress = command is null ? null : CommandAddress(command);
        Run? current = null;
        var number = 0;
        foreach (var raw in TextLines.Of(text))
        {
            var line = raw.Trim();
            number++;
            if (Header().Match(line) is { Success: true } header)
            {
                if (current is { } done)
                {
                    yield return done.Build(commandAddress);
                }

                current = new Run(number) { Address = Address(header.Groups["address"].Value) };
            }
            else if (Reply().Match(line) is { Success: true } reply)
            {
                var run = current ??= new Run(number);
                run.Replies++;
                run.Address ??= Address(reply.Groups["from"].Value);
                run.LastReplyMs = double.TryParse(reply.Groups["ms"].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var ms) ? ms : run.LastReplyMs;
            }
            else if (IcmpError().Match(line) is { Success: true } error)
            {
                (current ??= new Run(number)).Unreachable ??= error.Groups["what"].Value;
            }
            else if (Statistics().Match(line) is { Success: true } statistics)
            {
                var run = current ??= new Run(number);
                run.Sent = Count(statistics.Groups["sent"].Value);
                run.Received = Count(statistics.Groups["received"].Value);
                run.Errors = statistics.Groups["errors"].Success ? Count(statistics.Groups["errors"].Value) : null;
            }
            else if (RoundTrip().Match(line) is { Success: true } rtt)
            {
                (current ??= new Run(number)).AverageMs = double.Parse(rtt.Groups["avg"].Value, NumberStyles.Float, CultureInfo.InvariantCulture);
            }
            else if (NotPermitted().IsMatch(line))
            {
                (current ??= new Run(number)).Problem ??= PingProblem.NotPermitted;
            }
            else if (line.Contains("sendmsg: Operation not permitted", StringComparison.Ordinal)
                     || line.Contains("sendto: Operation not permitted", StringComparison.Ordinal))
            {
                (current ??= new Run(number)).Unreachable ??= "the echo request was refused on the sending side (sendmsg: Operation not permitted: a firewall rule)";
            }
            else if (NoRoute().Match(line) is { Success: true } noRoute)
            {
                (current ??= new Run(number)).Unreachable ??= noRoute.Groups["what"].Value;
            }
            else if (UnknownName().Match(line) is { Success: true } unknown)
            {
                // The name is not kept: it is whatever was typed, and it did not resolve.
                if (current is { } done)
                {
                    yield return done.Build(commandAddress);
                }

                current = null;
                yield return new Run(number) { Problem = PingProblem.NameNotResolved, Reason = unknown.Groups["why"].Success ? unknown.Groups["why"].Value : "unknown host" }
                    .Build(commandAddress);
            }
        }

        if (current is { } last)
        {
            yield return last.Build(commandAddress);
        }
    }

    /// <summary>The output looks like ping's, whatever the command was said to be.</summary>
    public static bool LooksLikePing(string text) =>
        text.Contains(" ping statistics ---", StringComparison.Ordinal)
        || (text.StartsWith("PING ", StringComparison.Ordinal) && (text.Contains(" data bytes", StringComparison.Ordinal) || text.Contains(" bytes of data", StringComparison.Ordinal)))
        || text.Contains("ping: permission denied (are you root?)", StringComparison.Ordinal);

    /// <summary>The last word of a ping command line that is an IP address (the address pinged), or null.</summary>
    private static string? CommandAddress(string command) =>
        command.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries).Select(Address).LastOrDefault(a => a is not null);

    /// <summary>An IP address as text in its canonical form, or null: only addresses become targets, never names.</summary>
    private static string? Address(string text) =>
        text.Length <= 45 && !text.Contains('%') && IPAddress.TryParse(text, out var address) && text.Contains(address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? '.' : ':')
            ? address.ToString()
            : null;

    private static int? Count(string text) => int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;

    private sealed class Run(int line)
    {
        public string? Address { get; set; }
        public int Replies { get; set; }
        public int? Sent { get; set; }
        public int? Received { get; set; }
        public int? Errors { get; set; }
        public double? AverageMs { get; set; }
        public double? LastReplyMs { get; set; }
        public string? Unreachable { get; set; }
        public PingProblem? Problem { get; set; }
        public string? Reason { get; set; }

        public PingRun Build(string? commandAddress)
        {
            var address = Address ?? commandAddress;
            if (Problem == PingProblem.NotPermitted)
            {
                return new PingRun(line, null, PingProblem.NotPermitted,
                    "ping could not open its ICMP socket (no CAP_NET_RAW, or not root): it sent nothing, so it says nothing about the network; run it where NET_RAW is allowed, or use dig +tcp / nc -zv");
            }

            if (Problem == PingProblem.NameNotResolved)
            {
                return new PingRun(line, null, PingProblem.NameNotResolved,
                    $"ping could not resolve its name ({Reason}): a DNS failure of ping itself, not a reachability test; ping the IP address instead");
            }

            var received = Received ?? (Replies > 0 ? Replies : null);
            var sent = Sent;
            ProbeOutcome? outcome = received > 0 ? ProbeOutcome.Answered
                : Unreachable is not null || Errors > 0 ? ProbeOutcome.Unreachable
                : Sent > 0 ? ProbeOutcome.Timeout
                : null;
            if (outcome is null)
            {
                return new PingRun(line, null, PingProblem.Incomplete,
                    "ping output without replies or statistics (stopped before it printed them?): paste it with its '--- ping statistics ---' lines, or use ping -c 3");
            }

            if (address is null)
            {
                return new PingRun(line, null, PingProblem.NoAddress, "ping output without the IP address pinged: run ping -c 3 with the IP address");
            }

            var probe = new ProbeArtifact
            {
                Kind = ProbeKind.Ping,
                Target = address,
                Outcome = outcome,
                Sent = sent,
                Received = received ?? 0,
                LatencyMs = outcome == ProbeOutcome.Answered ? AverageMs ?? LastReplyMs : null,
            };
            var counts = sent is { } s ? $"{probe.Received} of {s} echo requests answered" : $"{probe.Received} echo replies";
            var why = outcome == ProbeOutcome.Unreachable ? $": {Unreachable ?? $"{Errors} ICMP error(s)"}" : "";
            return new PingRun(line, probe, PingProblem.None, $"ping {address}: {outcome.ToString()!.ToLowerInvariant()} ({counts}){why}");
        }
    }

    // PING 10.0.0.1 (10.0.0.1) 56(84) bytes of data.   PING 10.0.0.1 (10.0.0.1): 56 data bytes   PING ::1(::1) 56 data bytes
    [GeneratedRegex(@"^PING \S+?\s*\((?<address>[0-9A-Fa-f:.]+)\)", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking)]
    private static partial Regex Header();

    // 64 bytes from 10.0.0.1: icmp_seq=1 ttl=63 time=0.1 ms   64 bytes from 10.0.0.1: seq=0 ttl=64 time=0.117 ms   64 bytes from name (10.0.0.1): ...
    [GeneratedRegex(@"^\d+ bytes from (?:\S+ \()?(?<from>[0-9A-Fa-f:.]+?)\)?: (?:icmp_)?seq=\d+.*?time[=<](?<ms>\d+(?:\.\d+)?) ?ms", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking)]
    private static partial Regex Reply();

    // From 10.0.0.5 icmp_seq=1 Destination Host Unreachable
    [GeneratedRegex(@"^From \S+(?: \([^)]*\))? icmp_seq=\d+ (?<what>Destination (?:Host|Net|Port|Protocol) Unreachable|Destination (?:Host|Net) Prohibited|Packet filtered|Time to live exceeded)", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking)]
    private static partial Regex IcmpError();

    // 3 packets transmitted, 0 received, +3 errors, 100% packet loss, time 2040ms   3 packets transmitted, 0 packets received, 100% packet loss
    [GeneratedRegex(@"^(?:\^C)?(?<sent>\d{1,9}) packets transmitted, (?<received>\d{1,9}) (?:packets )?received(?:, \+\d+ duplicates)?(?:, \+\d+ corrupted)?(?:, \+(?<errors>\d{1,9}) errors)?", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking)]
    private static partial Regex Statistics();

    // rtt min/avg/max/mdev = 0.031/0.033/0.036/0.002 ms   round-trip min/avg/max = 0.031/0.052/0.066 ms
    [GeneratedRegex(@"^(?:rtt|round-trip) min/avg/max(?:/(?:mdev|stddev))? = \d+(?:\.\d+)?/(?<avg>\d+(?:\.\d+)?)/", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking)]
    private static partial Regex RoundTrip();

    // ping: socket: Operation not permitted   ping: permission denied (are you root?)   ping: icmp open socket: Operation not permitted
    [GeneratedRegex(@"^\S*ping: (?:(?:icmp open )?socket: (?:Operation not permitted|Permission denied)|permission denied \(are you root\?\)|=> missing cap_net_raw)", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking)]
    private static partial Regex NotPermitted();

    // ping: connect: Network is unreachable   ping: sendto: Network unreachable (busybox)
    [GeneratedRegex(@"^\S*ping: (?:connect|sendto|sendmsg): (?<what>Network is unreachable|Network unreachable|No route to host)", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking)]
    private static partial Regex NoRoute();

    // ping: NAME: Name or service not known   ping: bad address 'NAME'   ping: unknown host NAME   ping: cannot resolve NAME: Unknown host
    [GeneratedRegex(@"^\S*ping: (?:.+?: (?<why>Name or service not known|Temporary failure in name resolution|No address associated with hostname)$|bad address '|unknown host |cannot resolve )", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking)]
    private static partial Regex UnknownName();
}

/// <summary>One run of ping: its probe, or why it gives none.</summary>
/// <param name="Line">The line (1-based) where the run starts.</param>
/// <param name="Probe">The ping probe, or null when the run tested nothing.</param>
/// <param name="Problem">Why there is no probe (<see cref="PingProblem.None"/> when there is one).</param>
/// <param name="Summary">What the run was read as, or why it was not, for the collection note.</param>
public sealed record PingRun(int Line, ProbeArtifact? Probe, PingProblem Problem, string Summary);

/// <summary>Why a run of ping gives no probe.</summary>
public enum PingProblem
{
    None,

    /// <summary>ping could not open its ICMP socket (no CAP_NET_RAW): not a network failure.</summary>
    NotPermitted,

    /// <summary>ping could not resolve the name it was given: a DNS failure of ping itself, not reachability.</summary>
    NameNotResolved,

    /// <summary>Neither replies nor statistics: the output was cut short.</summary>
    Incomplete,

    /// <summary>No IP address in the output or the command.</summary>
    NoAddress,
}
