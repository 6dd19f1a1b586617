using System.Text.RegularExpressions;
using DnsExpert.Contract;
using DnsExpert.Facts;

namespace DnsExpert.Readers.Classification;

/// <summary>
/// Classifies a client's error message (KNOWLEDGE.md section 1): does the name not exist, or could the
/// client not reach a DNS server? Several clients print the same message for both; those are ambiguous.
/// </summary>
public static partial class SymptomClassifier
{
    private const string Ambiguity =
        "This message is printed both when the name does not exist and when no DNS server answered. " +
        "If resolution took more than 5 seconds before failing, the server is unreachable; otherwise check the name.";

    private const string TemporaryFailure =
        "The resolver reported a temporary failure (EAI_AGAIN): no DNS server gave a usable answer in time.";

    /// <summary>
    /// One client's message: <see cref="Needle"/> is a literal every match of <see cref="Pattern"/> contains (compared
    /// ignoring case, as the pattern is), so a message without it is not matched at all and its pattern is not even built
    /// (a NonBacktracking regex costs milliseconds to build: a CLI run classifies one message).
    /// </summary>
    private sealed record Signature(Func<Regex> Pattern, string Needle, string Client, SymptomClass Class, string Explanation);

    /// <summary>Messages that carry the server or the DNS answer itself (Go, dig, nslookup, nginx): one pattern each.</summary>
    private static readonly Signature[] Signatures =
    [
        // Most specific first: a Go timeout also contains "lookup NAME on IP:53".
        new(GoTimeout, "i/o timeout", "go", SymptomClass.ServerUnreachable,
            "The Go resolver sent the query to the DNS server and got no answer before its timeout: the server is unreachable (network, UDP 53 blocked, conntrack, or an overloaded server)."),
        new(GoRefused, "connection refused", "go", SymptomClass.ServerUnreachable,
            "The Go resolver could not connect to the DNS server (connection refused): nothing listens at that address and port."),
        new(GoNoSuchHost, "no such host", "go", SymptomClass.NameNotFound,
            "The DNS server answered that the name does not exist (NXDOMAIN or no records): check the name, its kind (internal, external, headless) and the search path."),
        new(GoMisbehaving, "server misbehaving", "go", SymptomClass.Ambiguous,
            "The DNS server answered with an error (SERVFAIL or a malformed reply): it was reached, but it could not resolve the name, often because its upstream failed."),
        new(DigTimeout, "no servers could be reached", "dig", SymptomClass.ServerUnreachable,
            "dig sent the query and no server answered: the DNS server is unreachable from this client."),
        new(DigNxdomain, "status: NXDOMAIN", "dig", SymptomClass.NameNotFound,
            "The DNS server answered NXDOMAIN: the name does not exist for that server."),
        new(DigServfail, "status: SERVFAIL", "dig", SymptomClass.Ambiguous,
            "The DNS server answered SERVFAIL: it was reached but could not resolve the name (often an upstream failure for external names)."),
        new(NslookupNxdomain, "server can't find", "nslookup", SymptomClass.NameNotFound,
            "nslookup got NXDOMAIN: the name does not exist for that server."),
        new(NginxNotFound, "could not be resolved (3: Host not found)", "nginx", SymptomClass.NameNotFound,
            "nginx's resolver got NXDOMAIN (3: Host not found): the name does not exist for the DNS server nginx asked."),
        new(NginxTimeout, "could not be resolved (110: Operation timed out)", "nginx", SymptomClass.ServerUnreachable,
            "nginx's resolver got no answer in time (110: Operation timed out): the DNS server is unreachable."),
        new(NginxServerFailure, "could not be resolved (2: Server failure)", "nginx", SymptomClass.Ambiguous,
            "nginx's resolver got SERVFAIL (2: Server failure): the DNS server was reached but could not resolve the name."),
        // A TLS hostname mismatch: no DNS error, but the name they print is the one that may have resolved to the wrong server.
        new(GoCertificateName, "x509: certificate is valid for", "go", SymptomClass.Unknown, WrongServer),
        new(CurlCertificateName, "matches target host name", "curl", SymptomClass.Unknown, WrongServer),
        new(JavaCertificateName, "No subject alternative DNS name matching", "java", SymptomClass.Unknown, WrongServer),
        new(ApacheCertificateName, "doesn't match any of the subject alternative names", "java", SymptomClass.Unknown, WrongServer),
        new(OkHttpCertificateName, " not verified", "java", SymptomClass.Unknown, WrongServer),
        new(NodeCertificateName, "is not in the cert's altnames", "node", SymptomClass.Unknown, WrongServer),
        new(PythonCertificateName, "certificate is not valid for", "python", SymptomClass.Unknown, WrongServer),
    ];

    private const string WrongServer =
        "Not a DNS error: the name resolved and a server answered, but its TLS certificate is for other names (a hostname mismatch). " +
        "Either that server's certificate lacks the name, or the name resolved to the wrong server: a search domain with a wildcard record answers a name " +
        "with fewer dots than ndots before the name itself is tried (the pod asks NAME.<search domain> first), or a stale or split-horizon record. " +
        "Compare the address the pod gets for the name with the address it should have.";

    /// <summary>
    /// The resolver's own words, as the C library (glibc, musl, the BSDs) or a runtime wraps them, most decisive first:
    /// a temporary failure (EAI_AGAIN) says the server gave no usable answer; "not known" (EAI_NONAME, EAI_NODATA) is
    /// printed both for a name that does not exist and when the search list ran out on timeouts; a client that only says
    /// it could not resolve says even less. Matched with <c>Contains</c>: one phrase costs nothing to build.
    /// </summary>
    private static readonly (string Phrase, string? OnlyFor, SymptomClass Class, string Explanation)[] Phrases =
    [
        ("Temporary failure in name resolution", null, SymptomClass.ServerUnreachable, TemporaryFailure),
        ("EAI_AGAIN", null, SymptomClass.ServerUnreachable, TemporaryFailure),
        ("[Errno -3]", null, SymptomClass.ServerUnreachable, TemporaryFailure),
        ("Error -3 connecting", null, SymptomClass.ServerUnreachable, TemporaryFailure),
        ("': Try again", null, SymptomClass.ServerUnreachable, TemporaryFailure), // musl's EAI_AGAIN in busybox nslookup
        ("Resource temporarily unavailable", "dotnet", SymptomClass.ServerUnreachable, // .NET's SocketError.TryAgain
            "The resolver reported a temporary failure (EAI_AGAIN, which .NET prints as 'Resource temporarily unavailable'): no DNS server gave a usable answer in time."),
        ("Name or service not known", null, SymptomClass.Ambiguous, Ambiguity),
        ("Name does not resolve", null, SymptomClass.Ambiguous, Ambiguity),
        ("No address associated with hostname", null, SymptomClass.Ambiguous, Ambiguity),
        ("Name has no usable address", null, SymptomClass.Ambiguous, Ambiguity),
        ("[Errno -2]", null, SymptomClass.Ambiguous, Ambiguity),
        ("[Errno -5]", null, SymptomClass.Ambiguous, Ambiguity),
        ("servname provided, or not known", null, SymptomClass.Ambiguous, Ambiguity),
        ("No such host is known", null, SymptomClass.Ambiguous, Ambiguity),
        ("ENOTFOUND", null, SymptomClass.Ambiguous, Ambiguity),
        ("UnknownHostException", null, SymptomClass.Ambiguous, Ambiguity),
        ("resolve host", null, SymptomClass.Ambiguous, Ambiguity),
        ("can't resolve '", null, SymptomClass.Ambiguous,
            "busybox nslookup before 1.28.4 prints this both when the name does not exist and when no DNS server answered. " +
            "If it took more than 5 seconds, the server is unreachable; otherwise check the name."),
        ("bad address '", null, SymptomClass.Ambiguous, Ambiguity),
        ("ping: unknown host", null, SymptomClass.Ambiguous, Ambiguity),
        ("php_network_getaddresses", null, SymptomClass.Ambiguous, Ambiguity),
    ];

    /// <summary>Which client printed the message, from the words only it uses (first match wins).</summary>
    private static readonly (string Needle, string Client)[] Clients =
    [
        ("UnknownHostException", "java"),
        ("getaddrinfo ENOTFOUND", "node"),
        ("getaddrinfo EAI_AGAIN", "node"),
        ("System.Net.", "dotnet"),
        ("SocketException", "dotnet"),
        ("HttpRequestException", "dotnet"),
        ("resolve host", "curl"),
        ("php_network_getaddresses", "php"),
        ("NameResolutionError", "python"),
        ("ConnectionPool(host=", "python"),
        ("[Errno -", "python"),
        ("urlopen error", "python"),
        ("Error -3 connecting", "python"),
        ("nslookup: can't resolve", "nslookup"),
        ("ping: ", "ping"),
        ("wget: ", "wget"),
    ];

    /// <summary>
    /// Classifies <paramref name="message"/>; never throws. A stored diagnosis classifies its request's message twice
    /// (its facts, which carry it to the answer, and its history record, written before): each message string is
    /// classified once, remembered by reference for as long as the string lives (the result is immutable), so
    /// concurrent diagnoses each keep theirs.
    /// </summary>
    public static ClassificationResult Classify(string? message) =>
        message is null ? ClassifyText(null) : Classified.GetValue(message, static m => ClassifyText(m));

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<string, ClassificationResult> Classified = new();

    private static ClassificationResult ClassifyText(string? message)
    {
        if (string.IsNullOrWhiteSpace(message))
        {
            return new ClassificationResult { Class = SymptomClass.Unknown, Explanation = "No error message was given." };
        }

        foreach (var signature in Signatures)
        {
            if (!message.Contains(signature.Needle, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var match = signature.Pattern().Match(message);
            if (match.Success)
            {
                // A certificate checked against an IP address: no name was resolved.
                var name = Group(match, "name") is { } n && !System.Net.IPAddress.TryParse(n.Trim('[', ']'), out _) ? n : null;
                return Result(signature.Class, signature.Explanation, signature.Client, name, Group(match, "server"));
            }
        }

        var client = Clients.FirstOrDefault(c => message.Contains(c.Needle, StringComparison.OrdinalIgnoreCase)).Client;
        foreach (var (phrase, onlyFor, symptomClass, explanation) in Phrases)
        {
            if ((onlyFor is null || onlyFor == client) && message.Contains(phrase, StringComparison.OrdinalIgnoreCase))
            {
                return Result(symptomClass, explanation, client ?? "getaddrinfo", Group(ResolverName().Match(message), "name"), null);
            }
        }

        return new ClassificationResult
        {
            Class = SymptomClass.Unknown,
            Explanation = "The message does not match a known DNS client error. Paste the client's exact output (curl, ping, nslookup, dig, Go, Python, Java, Node, .NET, PHP).",
        };
    }

    /// <summary>The start of the explanation of a request with no error message whose name routes it (<see cref="InferredFromName"/>).</summary>
    public const string FromTheNamesForm = "Inferred from the name's form, no error message: ";

    /// <summary>
    /// A request with no error message but a failing name: still <c>unknown</c> (nothing says whether the name is missing
    /// or the server unreachable), and the explanation says what the name's form tells and which of the guide's causes
    /// it puts first, the reported <paramref name="frequency"/> ordering them within.
    /// </summary>
    public static ClassificationResult InferredFromName(QueriedName name, string? frequency)
    {
        var (what, causes) = (name.Form, name.Kind) switch
        {
            (_, NameKinds.StatefulSetPod) => ($"a StatefulSet pod's name (the pod {Label(name)} under the headless Service {name.ServiceName} in namespace {name.ServiceNamespace})",
                "the causes the guide lists for StatefulSet pod and headless Service names: the StatefulSet's serviceName, the headless Service's ready addresses (publishNotReadyAddresses), whether the name exists"),
            (_, NameKinds.Headless) => ($"the headless Service {name.ServiceName} in namespace {name.ServiceNamespace}",
                "the causes the guide lists for headless Service names: unready addresses, a truncated answer, the CoreDNS version"),
            (NameForms.ServicePod, _) => ($"a pod's name under the Service {name.ServiceName} in namespace {name.ServiceNamespace}, which has a ClusterIP: such a name exists only under a headless Service",
                "the causes of cluster names: whether the name exists, CoreDNS's view of the Services, the pod's resolver"),
            (NameForms.PodIp, _) => ("a pod's IP address as a name, which CoreDNS answers only with its kubernetes plugin's `pods insecure` or `pods verified`",
                "the causes of cluster names: CoreDNS's configuration and view of the API, the pod's resolver"),
            (NameForms.ShortName, _) => (name.ServiceName is null ? "a short name, which the search list completes with the pod's namespace"
                    : $"a short name, which the search list completes to the Service {name.ServiceName} in namespace {name.ServiceNamespace}",
                "the causes of cluster names: whether the Service exists, the search list, CoreDNS's view of the Services"),
            (_, NameKinds.Internal) => (name.ServiceName is null ? "a name in the cluster's zone" : $"the Service {name.ServiceName} in namespace {name.ServiceNamespace}",
                "the causes of cluster names: whether the Service exists, CoreDNS's view of the Services, the pod's resolver"),
            (_, NameKinds.PrivateZone) => ("a PrivateZone name, which CoreDNS forwards to the cloud's resolver",
                "the causes the guide lists for PrivateZone names: prefer_udp in the forward block, the upstream's answer"),
            (NameForms.ExternalRooted, _) => ("an absolute external name (its trailing dot: no search domain is tried), which CoreDNS forwards upstream",
                "the causes of external names: the upstream's answer and reachability, CoreDNS's forward configuration"),
            _ => ("an external name, which CoreDNS forwards upstream after the search domains when it has fewer dots than ndots",
                "the causes of external names: the upstream's answer and reachability, ndots and the search list"),
        };
        var within = frequency is null or SymptomFrequencies.Unknown ? "" : $"; the reported frequency ({frequency}) orders them within";
        return new ClassificationResult
        {
            Class = SymptomClass.Unknown,
            Explanation = $"{FromTheNamesForm}{name.Name} is {what}. First come {causes}{within}.",
        };
    }

    private static string Label(QueriedName name) => name.Name[..name.Name.IndexOf('.', StringComparison.Ordinal)];

    /// <summary>
    /// The result, with the name as DNS saw it. A URL where a host name belongs (<c>ENOTFOUND http://orders...</c>,
    /// <c>lookup https://api...</c>, or only its scheme, <c>lookup http</c>) is the application's bug, whatever the
    /// resolver said: the explanation says so first and names the host the application meant.
    /// </summary>
    private static ClassificationResult Result(SymptomClass symptomClass, string explanation, string client, string? name, string? server)
    {
        var (host, url) = HostOf(name);
        if (url is null)
        {
            return new ClassificationResult { Class = symptomClass, Explanation = explanation, Client = client, Name = host, Server = server };
        }

        var meant = host is null ? "the host alone" : $"the host alone ({host})";
        return new ClassificationResult
        {
            // The literal URL can never exist as a name; only a timeout still says something about the server.
            Class = symptomClass == SymptomClass.ServerUnreachable ? symptomClass : SymptomClass.NameNotFound,
            Explanation = $"The application's bug, not DNS: it passed a URL ('{url}') where a host name belongs, and the resolver looked the URL up as a name, which no DNS server can answer. " +
                $"Give it {meant} and the scheme, port and path separately (check the variable or configuration that holds it). The resolver said: {explanation}",
            Client = client,
            Name = host,
            Server = server,
            Url = url,
        };
    }

    /// <summary>A name as a client printed it, without quotes, trailing dot or port; the URL when it is one.</summary>
    private static (string? Host, string? Url) HostOf(string? name)
    {
        if (name is null)
        {
            return (null, null);
        }

        name = name.Trim('\'', '"', '`').TrimEnd('.');
        var scheme = name.IndexOf("://", StringComparison.Ordinal);
        if (scheme < 0)
        {
            // Go and Node split "http://host" at its colon and look up the scheme alone.
            return name is "http" or "https" ? (null, name + "://") : (WithoutPort(name), null);
        }

        var rest = name[(scheme + 3)..];
        var authority = rest[..(rest.IndexOfAny(['/', '?', '#']) is var end and >= 0 ? end : rest.Length)];
        var credentials = authority.LastIndexOf('@') + 1; // user:password@ is never repeated back
        var host = WithoutPort(authority[credentials..]).TrimEnd('.');
        return (host.Length > 0 ? host : null, name[..(scheme + 3)] + rest[credentials..]);
    }

    private static string WithoutPort(string name) =>
        name.LastIndexOf(':') is var colon and > 0 && name.IndexOf(':') == colon && name[(colon + 1)..].All(char.IsAsciiDigit)
            ? name[..colon]
            : name;

    private static string? Group(Match m, string name) => m.Groups[name] is { Success: true, Value.Length: > 0 } g ? g.Value : null;

    private const RegexOptions Options = RegexOptions.CultureInvariant | RegexOptions.IgnoreCase | RegexOptions.NonBacktracking;

    [GeneratedRegex(@"lookup (?<name>\S+?)(?: on (?<server>[0-9a-f.:\[\]]+?)(?::53)?)? ?: (?:(?:read|write|dial) (?:udp|tcp)\b[^:]*(?::\d+)?(?:->\S+)?: )?i/o timeout", Options)]
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

    // The name a TLS client checked the server's certificate against: Go, curl (OpenSSL), Java (JSSE, Apache HttpClient,
    // OkHttp), Node and Python. An IP address is dropped after (no name was resolved for it).
    [GeneratedRegex(@"x509: certificate is valid for [^\r\n]*?,? not (?<name>[^\s,;'""]+)", Options)]
    private static partial Regex GoCertificateName();

    [GeneratedRegex(@"no alternative certificate subject name matches target host name '(?<name>[^'\s]+)'", Options)]
    private static partial Regex CurlCertificateName();

    [GeneratedRegex(@"No subject alternative DNS name matching (?<name>\S+) found", Options)]
    private static partial Regex JavaCertificateName();

    [GeneratedRegex(@"Certificate for <(?<name>[^>\s]+)> doesn't match any of the subject alternative names", Options)]
    private static partial Regex ApacheCertificateName();

    [GeneratedRegex(@"Hostname (?<name>[^\s:]+) not verified", Options)]
    private static partial Regex OkHttpCertificateName();

    [GeneratedRegex(@"Host: ?(?<name>[^\s]+?)\.? is not in the cert's altnames", Options)]
    private static partial Regex NodeCertificateName();

    [GeneratedRegex(@"certificate is not valid for '(?<name>[^'\s]+)'", Options)]
    private static partial Regex PythonCertificateName();

    /// <summary>The name in a resolver error as the clients frame it, leftmost first; quotes and a port are removed after.</summary>
    [GeneratedRegex(@"(?:can't resolve|bad address|Failed to resolve|resolve host(?: name)?:?) '?(?<name>[^\s'"";,()]+)" +
        @"|UnknownHostException: (?<name>[a-z]+://[^\s;,]+|[^\s:;,]+)" +
        @"|getaddrinfo(?: for| ENOTFOUND| EAI_AGAIN) (?<name>[^\s'"",;\]]+)" +
        @"|host='(?<name>[^'\s]+)'" +
        @"|hostname""?: ?['""](?<name>[^'""\s]+)" +
        @"|ping: (?<name>[^\s:']+): |unknown host (?<name>[^\s']+)" +
        @"|(?:known|unavailable)\.? \((?<name>[^\s():/]+):\d+\)" +
        @"|connecting to (?<name>[^\s:]+):\d+", Options)]
    private static partial Regex ResolverName();
}
