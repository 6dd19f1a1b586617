using System.Text.RegularExpressions;
using DnsExpert.Core.Contract;

namespace DnsExpert.Core.Classification;

/// <summary>
/// Classifies a client's error message (KNOWLEDGE.md section 1): does the name not exist, or could the
/// client not reach a DNS server? Several clients print the same message for both; those are ambiguous.
/// </summary>
public static partial class SymptomClassifier
{
    private const string Ambiguity =
        "This message is printed both when the name does not exist and when no DNS server answered. " +
        "If resolution took more than 5 seconds before failing, the server is unreachable; otherwise check the name.";

    private sealed record Signature(Regex Pattern, string Client, SymptomClass Class, string Explanation);

    private static readonly Signature[] Signatures =
    [
        // Most specific first: a Go timeout also contains "lookup NAME on IP:53".
        new(GoTimeout(), "go", SymptomClass.ServerUnreachable,
            "The Go resolver sent the query to the DNS server and got no answer before its timeout: the server is unreachable (network, UDP 53 blocked, conntrack, or an overloaded server)."),
        new(GoRefused(), "go", SymptomClass.ServerUnreachable,
            "The Go resolver could not connect to the DNS server (connection refused): nothing listens at that address and port."),
        new(GoNoSuchHost(), "go", SymptomClass.NameNotFound,
            "The DNS server answered that the name does not exist (NXDOMAIN or no records): check the name, its kind (internal, external, headless) and the search path."),
        new(GoMisbehaving(), "go", SymptomClass.Ambiguous,
            "The DNS server answered with an error (SERVFAIL or a malformed reply): it was reached, but it could not resolve the name, often because its upstream failed."),
        new(DigTimeout(), "dig", SymptomClass.ServerUnreachable,
            "dig sent the query and no server answered: the DNS server is unreachable from this client."),
        new(DigNxdomain(), "dig", SymptomClass.NameNotFound,
            "The DNS server answered NXDOMAIN: the name does not exist for that server."),
        new(DigServfail(), "dig", SymptomClass.Ambiguous,
            "The DNS server answered SERVFAIL: it was reached but could not resolve the name (often an upstream failure for external names)."),
        new(NslookupNxdomain(), "nslookup", SymptomClass.NameNotFound,
            "nslookup got NXDOMAIN: the name does not exist for that server."),
        new(NginxNotFound(), "nginx", SymptomClass.NameNotFound,
            "nginx's resolver got NXDOMAIN (3: Host not found): the name does not exist for the DNS server nginx asked."),
        new(NginxTimeout(), "nginx", SymptomClass.ServerUnreachable,
            "nginx's resolver got no answer in time (110: Operation timed out): the DNS server is unreachable."),
        new(NginxServerFailure(), "nginx", SymptomClass.Ambiguous,
            "nginx's resolver got SERVFAIL (2: Server failure): the DNS server was reached but could not resolve the name."),
        new(TemporaryFailure(), "getaddrinfo", SymptomClass.ServerUnreachable,
            "The resolver reported a temporary failure (EAI_AGAIN): no DNS server gave a usable answer in time."),
        new(Curl(), "curl", SymptomClass.Ambiguous, Ambiguity),
        new(Ping(), "ping", SymptomClass.Ambiguous, Ambiguity),
        new(Php(), "php", SymptomClass.Ambiguous, Ambiguity),
        new(JavaUnknownHost(), "java", SymptomClass.Ambiguous, Ambiguity),
        new(NodeNotFound(), "node", SymptomClass.Ambiguous, Ambiguity),
        new(PythonNotKnown(), "python", SymptomClass.Ambiguous, Ambiguity),
    ];

    /// <summary>Classifies <paramref name="message"/>; never throws.</summary>
    public static ClassificationResult Classify(string? message)
    {
        if (string.IsNullOrWhiteSpace(message))
        {
            return new ClassificationResult { Class = SymptomClass.Unknown, Explanation = "No error message was given." };
        }

        foreach (var signature in Signatures)
        {
            var match = signature.Pattern.Match(message);
            if (match.Success)
            {
                return new ClassificationResult
                {
                    Class = signature.Class,
                    Explanation = signature.Explanation,
                    Client = signature.Client,
                    Name = Group(match, "name")?.TrimEnd('.'),
                    Server = Group(match, "server"),
                };
            }
        }

        return new ClassificationResult
        {
            Class = SymptomClass.Unknown,
            Explanation = "The message does not match a known DNS client error. Paste the client's exact output (curl, ping, dig, Go, PHP).",
        };
    }

    private static string? Group(Match m, string name) => m.Groups[name] is { Success: true, Value.Length: > 0 } g ? g.Value : null;

    private const RegexOptions Options = RegexOptions.CultureInvariant | RegexOptions.IgnoreCase | RegexOptions.NonBacktracking;

    [GeneratedRegex(@"lookup (?<name>\S+?)(?: on (?<server>[0-9a-f.:\[\]]+?)(?::53)?)?: (?:read|write|dial) (?:udp|tcp)\b[^:]*(?::\d+)?(?:->\S+)?: i/o timeout", Options)]
    private static partial Regex GoTimeout();

    [GeneratedRegex(@"lookup (?<name>\S+?)(?: on (?<server>[0-9a-f.:\[\]]+?)(?::53)?)?: (?:read|dial) (?:udp|tcp)\b.*connection refused", Options)]
    private static partial Regex GoRefused();

    [GeneratedRegex(@"lookup (?<name>\S+?)(?: on (?<server>[0-9a-f.:\[\]]+?)(?::53)?)?: no such host", Options)]
    private static partial Regex GoNoSuchHost();

    [GeneratedRegex(@"lookup (?<name>\S+?)(?: on (?<server>[0-9a-f.:\[\]]+?)(?::53)?)?: server misbehaving", Options)]
    private static partial Regex GoMisbehaving();

    [GeneratedRegex(@"connection timed out; no servers could be reached", Options)]
    private static partial Regex DigTimeout();

    [GeneratedRegex(@"->>HEADER<<-.*status: NXDOMAIN|\bstatus: NXDOMAIN\b", Options)]
    private static partial Regex DigNxdomain();

    [GeneratedRegex(@"\bstatus: SERVFAIL\b", Options)]
    private static partial Regex DigServfail();

    [GeneratedRegex(@"server can't find (?<name>\S+?):? NXDOMAIN", Options)]
    private static partial Regex NslookupNxdomain();

    [GeneratedRegex(@"(?<name>[^\s:]+) could not be resolved \(3: Host not found\)", Options)]
    private static partial Regex NginxNotFound();

    [GeneratedRegex(@"(?<name>[^\s:]+) could not be resolved \(110: Operation timed out\)", Options)]
    private static partial Regex NginxTimeout();

    [GeneratedRegex(@"(?<name>[^\s:]+) could not be resolved \(2: Server failure\)", Options)]
    private static partial Regex NginxServerFailure();

    [GeneratedRegex(@"Temporary failure in name resolution|EAI_AGAIN(?: (?<name>\S+))?", Options)]
    private static partial Regex TemporaryFailure();

    [GeneratedRegex(@"curl: \(6\) Could not resolve host: (?<name>[^\s;]+)", Options)]
    private static partial Regex Curl();

    [GeneratedRegex(@"ping: (?:unknown host (?<name>\S+)|(?<name>[^\s:]+): (?:Name or service not known|No address associated with hostname))", Options)]
    private static partial Regex Ping();

    [GeneratedRegex(@"php_network_getaddresses: getaddrinfo(?: for (?<name>\S+))? failed: (?:Name or service not known|No address associated with hostname)", Options)]
    private static partial Regex Php();

    [GeneratedRegex(@"java\.net\.UnknownHostException: (?<name>[^\s:]+)", Options)]
    private static partial Regex JavaUnknownHost();

    [GeneratedRegex(@"getaddrinfo ENOTFOUND (?<name>\S+)", Options)]
    private static partial Regex NodeNotFound();

    [GeneratedRegex(@"\[Errno -2\] Name or service not known", Options)]
    private static partial Regex PythonNotKnown();
}
