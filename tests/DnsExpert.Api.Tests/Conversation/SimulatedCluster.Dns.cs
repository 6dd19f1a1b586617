using System.Text.Json.Nodes;

namespace DnsExpert.Api.Tests.Conversation;

/// <summary>The DNS and ping answers of <see cref="SimulatedCluster"/>: who asks, which server, which name, which transport.</summary>
public sealed partial class SimulatedCluster
{
    /// <summary>What a server does with one query: no answer, or an answer with a response code and addresses.</summary>
    private sealed record Answer(bool Answered, string Rcode, IReadOnlyList<string> Addresses, bool Truncated = false);

    /// <summary>The first nameserver of the pod's resolv.conf as the scenario holds it; null when it does not say.</summary>
    private string? DefaultServer(string ns, string pod) =>
        FileOf(f => (string?)f["namespace"] == ns && (string?)f["pod"] == pod, "/etc/resolv.conf")?.Split('\n')
            .Select(l => l.Trim().Split(' ', '\t', StringSplitOptions.RemoveEmptyEntries))
            .FirstOrDefault(w => w is ["nameserver", _])?[1];

    /// <summary>
    /// How <paramref name="server"/> answers <paramref name="name"/> asked from <paramref name="from"/> over
    /// <paramref name="transport"/>: a probe of the scenario for that name; else a probe (or the scenario's own pasted
    /// dig output) to that server for another name when it was not answered (the server is unreachable for any name)
    /// or, when answered, for a cluster name, what the cluster's Services say; else, with no probe to that server, what
    /// a healthy kube-dns answers for a cluster name, only when the scenario says it works (<see cref="HealthyKubeDns"/>)
    /// and the answer does not contradict the error the application reported. Otherwise not known: null.
    /// </summary>
    private Answer? Lookup(string from, string server, string name, string transport)
    {
        name = name.TrimEnd('.');
        var probes = _probes.Where(p => (string?)p["kind"] == "dns" && (string?)p["server"] == server
            && ((string?)p["transport"] ?? "udp") == transport && ((string?)p["from"] is null || SameNetwork((string)p["from"]!, from))).ToList();
        if (probes.FirstOrDefault(p => ((string?)p["name"])?.TrimEnd('.') == name) is { } exact)
        {
            var answered = (string?)exact["outcome"] == "answered";
            var rcode = (string?)exact["rcode"] ?? "NOERROR";
            return new Answer(answered, rcode, answered && rcode == "NOERROR" ? ClusterTruth(name)?.Addresses ?? ["10.96.0.1"] : [], (bool?)exact["truncated"] == true);
        }

        if (probes.Count == 0 && PastedAnswer(from, server, transport) is { } pasted)
        {
            return pasted ? ClusterTruth(name) : new Answer(false, "", []);
        }

        if (probes.FirstOrDefault() is { } any)
        {
            return (string?)any["outcome"] != "answered" ? new Answer(false, "", []) : ClusterTruth(name);
        }

        return HealthyKubeDns(server) && ClusterTruth(name) is { } truth && !Contradicts(from, name, truth) ? truth : null;
    }

    /// <summary>
    /// Whether a probe from <paramref name="probeFrom"/> was sent from where <paramref name="from"/> sends: the same
    /// place, or a node (<c>node/NAME</c>, a debug pod in its host network) and a hostNetwork pod on that node (NodeLocal
    /// DNSCache's), which share one network namespace.
    /// </summary>
    private bool SameNetwork(string probeFrom, string from)
    {
        if (probeFrom == from)
        {
            return true;
        }

        var (node, pod) = from.StartsWith("node/", StringComparison.Ordinal) ? (from[5..], probeFrom) : probeFrom.StartsWith("node/", StringComparison.Ordinal) ? (probeFrom[5..], from) : (null, null);
        return node is not null && pod!.Split('/') is [var ns, var name] && Object("Pod", ns, name) is { } hostPod
            && (bool?)hostPod["spec"]?["hostNetwork"] == true && (string?)hostPod["spec"]?["nodeName"] == node;
    }

    /// <summary>
    /// Whether the scenario's own pasted dig or nslookup output from <paramref name="from"/> to <paramref name="server"/>
    /// timed out (false: that server is unreachable from there for any name) or got an answer over
    /// <paramref name="transport"/> (true: it answers a cluster name as the Services say), as a probe saying so would
    /// tell. Null when the scenario pasted no such lookup.
    /// </summary>
    private bool? PastedAnswer(string from, string server, string transport) =>
        _outputs.Select(o => (Words: (string?)o["from"] == from ? ((string?)o["command"])?.Split(' ') : null, Text: (string?)o["text"] ?? ""))
            .Where(o => o.Words is ["dig" or "nslookup", ..] && (o.Words.Contains("@" + server) || o.Words[^1] == server))
            .Select(o => o.Text.Contains("no servers could be reached", StringComparison.Ordinal) ? false
                : (o.Words!.Contains("+tcp") || o.Words.Contains("+vc") ? "tcp" : "udp") == transport
                    && (o.Text.Contains("Got answer:", StringComparison.Ordinal) || o.Text.Contains("Address:", StringComparison.Ordinal)) ? true : (bool?)null)
            .FirstOrDefault(a => a is not null);

    /// <summary>
    /// What a working CoreDNS answers for <c>SERVICE.NAMESPACE.svc.cluster.local</c>: the Service's ClusterIP, or
    /// NXDOMAIN for it and for <c>HOST.SERVICE.NAMESPACE.svc.cluster.local</c> when no such Service exists (and the
    /// snapshot lists Services of that namespace). Headless Services, their hosts and names outside the cluster depend on
    /// more than the objects say (CoreDNS version, endpoints' readiness, the upstream): null.
    /// </summary>
    private Answer? ClusterTruth(string name)
    {
        var (service, ns, host) = name.Split('.') switch
        {
            [var s, var n, "svc", "cluster", "local"] => (s, n, null),
            [var h, var s, var n, "svc", "cluster", "local"] => (s, n, h),
            _ => ((string?)null, (string?)null, (string?)null),
        };
        if (service is null || !OfKind("Service").Any(s => (string?)s["metadata"]?["namespace"] == ns))
        {
            return null; // not a Service name, or the snapshot does not list that namespace's Services
        }

        if (Object("Service", ns, service) is { } found)
        {
            return host is null && (string?)found["spec"]?["clusterIP"] is { } ip && ip != "None" ? new Answer(true, "NOERROR", [ip]) : null;
        }

        return new Answer(true, "NXDOMAIN", []);
    }

    /// <summary>
    /// Whether <paramref name="server"/> is the kube-dns Service's ClusterIP or one of its ready endpoint addresses, with
    /// every CoreDNS pod Ready: what the scenario says of a kube-dns that works.
    /// </summary>
    private bool HealthyKubeDns(string server)
    {
        var service = Object("Service", "kube-system", "kube-dns");
        var ready = Object("Endpoints", "kube-system", "kube-dns")?["subsets"]?.AsArray()
            .SelectMany(s => s?["addresses"]?.AsArray() ?? []).Select(a => (string?)a?["ip"]).ToList() ?? [];
        var pods = OfKind("Pod").Where(p => (string?)p["metadata"]?["namespace"] == "kube-system" && (string?)p["metadata"]?["labels"]?["k8s-app"] == "kube-dns").ToList();
        return service is not null && ready.Count > 0 && pods.Count > 0
            && pods.All(p => p["status"]?["conditions"]?.AsArray().Any(c => (string?)c?["type"] == "Ready" && (string?)c?["status"] == "True") == true)
            && ((string?)service["spec"]?["clusterIP"] == server || ready.Contains(server));
    }

    /// <summary>
    /// Whether a healthy answer would contradict the error the application reported: from the failing pod, when its
    /// lookups fail always (the error is not a sometime one) and the answer is not the NXDOMAIN the error itself says.
    /// </summary>
    private bool Contradicts(string from, string name, Answer answer)
    {
        var failing = $"{(string?)_target?["namespace"] ?? "default"}/{(string?)_target?["pod"]}";
        var always = (string?)_symptom?["frequency"] is null or "always";
        var message = (string?)_symptom?["errorMessage"] ?? "";
        var notFound = message.Contains("no such host", StringComparison.Ordinal) || message.Contains("NXDOMAIN", StringComparison.Ordinal)
            || message.Contains("can't find", StringComparison.Ordinal) || message.Contains("not found", StringComparison.Ordinal)
            || message.Contains("Could not resolve host", StringComparison.Ordinal);
        return from == failing && always && !(answer.Rcode == "NXDOMAIN" && notFound && message.Contains(name, StringComparison.Ordinal));
    }

    /// <summary>
    /// <c>dig [@SERVER] NAME [TYPE] [+tcp] [+short] [+tries=N] [+ignore] ...</c> as BIND 9.18 prints it
    /// (tests/fixtures/dns-tools/dig-noerror.txt, dig-nx.txt, dig-timeout.txt, dig-tc-ignore.txt).
    /// </summary>
    private string? Dig(string from, string[] command, string? defaultServer)
    {
        var server = command.FirstOrDefault(w => w.StartsWith('@'))?[1..] ?? defaultServer;
        var name = command.Skip(1).FirstOrDefault(w => !w.StartsWith('@') && !w.StartsWith('+') && !w.StartsWith('-') && w is not ("A" or "IN"));
        var (tcp, ignore, shortForm) = (command.Contains("+tcp") || command.Contains("+vc"), command.Contains("+ignore"), command.Contains("+short"));
        if (server is null || name is null || command.Skip(1).Any(w => w is "AAAA" or "SRV" or "PTR" or "-x") || Lookup(from, server, name, tcp ? "tcp" : "udp") is not { } answer)
        {
            return null;
        }

        var timeout = $";; communications error to {server}#53: timed out\n";
        if (shortForm)
        {
            return !answer.Answered ? timeout + ";; no servers could be reached\n" : string.Concat(answer.Addresses.Select(a => a + "\n"));
        }

        var banner = $"\n; <<>> DiG 9.18.49-1~deb12u3-Debian <<>> {string.Join(' ', command.Skip(1))}\n; (1 server found)\n;; global options: +cmd\n";
        if (!answer.Answered)
        {
            return timeout + banner + ";; no servers could be reached\n";
        }

        if (answer.Truncated && !ignore && !tcp)
        {
            return null; // dig retries over TCP after a truncated answer; what TCP answers the scenario does not say
        }

        var fqdn = name.TrimEnd('.') + ".";
        var records = answer.Truncated ? [] : answer.Addresses;
        var section = records.Count == 0 ? "" : ";; ANSWER SECTION:\n" + string.Concat(records.Select(a => $"{fqdn}\t\t5\tIN\tA\t{a}\n")) + "\n";
        return banner + ";; Got answer:\n"
            + (fqdn.EndsWith(".local.", StringComparison.Ordinal) ? ";; WARNING: .local is reserved for Multicast DNS\n;; You are currently testing what happens when an mDNS query is leaked to DNS\n" : "")
            + $";; ->>HEADER<<- opcode: QUERY, status: {answer.Rcode}, id: 47924\n;; flags: qr aa{(answer.Truncated ? " tc" : "")} rd; QUERY: 1, ANSWER: {records.Count}, AUTHORITY: 0, ADDITIONAL: 1\n\n"
            + $";; OPT PSEUDOSECTION:\n; EDNS: version: 0, flags:; udp: 1232\n;; QUESTION SECTION:\n;{fqdn}\t\t\tIN\tA\n\n{section}"
            + $";; Query time: 1 msec\n;; SERVER: {server}#53({server}) ({(tcp ? "TCP" : "UDP")})\n;; WHEN: Sun Dec 06 08:29:09 UTC 2026\n;; MSG SIZE  rcvd: {53 + (16 * Math.Max(0, records.Count - 1))}\n";
    }

    /// <summary>
    /// busybox 1.35 <c>nslookup NAME [SERVER]</c> (tests/fixtures/dns-tools/nslookup-busybox-*.txt): the A answer, or one
    /// <c>** server can't find</c> line per query (A and AAAA) for NXDOMAIN, or the one line of a timeout. A name the
    /// search list would expand first (fewer than five dots) is asked as given: the fixtures' fully qualified form.
    /// </summary>
    private string? Nslookup(string from, string name, string? server)
    {
        if (server is null || Lookup(from, server, name, "udp") is not { } answer || answer.Truncated
            || (answer.Answered && answer.Rcode == "NOERROR" && answer.Addresses.Count == 0))
        {
            return null; // a truncated or empty answer: how busybox prints it no fixture shows
        }

        if (!answer.Answered)
        {
            return ";; connection timed out; no servers could be reached\n\n";
        }

        var head = $"Server:\t\t{server}\nAddress:\t{server}:53\n\n";
        return answer.Rcode == "NOERROR" && answer.Addresses.Count > 0
            ? head + $"Name:\t{name.TrimEnd('.')}\n" + string.Concat(answer.Addresses.Select(a => $"Address: {a}\n")) + "\n"
            : head + string.Concat(Enumerable.Repeat($"** server can't find {name.TrimEnd('.')}: {answer.Rcode}\n\n", 2));
    }

    /// <summary>iputils <c>ping -c 3 TARGET</c> from a ping probe of the scenario (tests/fixtures/ping/local-iputils-*.txt).</summary>
    private string? Ping(string from, string target)
    {
        if (_probes.FirstOrDefault(p => (string?)p["kind"] == "ping" && (string?)p["target"] == target && ((string?)p["from"] is null || (string?)p["from"] == from)) is not { } probe)
        {
            return null;
        }

        var head = $"PING {target} ({target}) 56(84) bytes of data.\n";
        return (string?)probe["outcome"] == "answered"
            ? head + string.Concat(Enumerable.Range(1, 3).Select(i => $"64 bytes from {target}: icmp_seq={i} ttl=63 time=0.4{i} ms\n"))
                + $"\n--- {target} ping statistics ---\n3 packets transmitted, 3 received, 0% packet loss, time 2003ms\nrtt min/avg/max/mdev = 0.411/0.421/0.431/0.008 ms\n"
            : head + $"\n--- {target} ping statistics ---\n3 packets transmitted, 0 received, 100% packet loss, time 2038ms\n";
    }

    /// <summary>
    /// busybox <c>nc -zvv -w N HOST PORT</c> (in <c>sh -c</c>, where <c>$KUBERNETES_SERVICE_HOST</c> and
    /// <c>$KUBERNETES_SERVICE_PORT</c> are the <c>kubernetes</c> Service's ClusterIP and port, as kubelet sets them) from
    /// the scenario's <c>tcp</c> probe to that address and port, as busybox prints it (tests/fixtures/nc); no probe: not known.
    /// </summary>
    private string? Nc(string from, string host, string port)
    {
        var apiserver = Object("Service", "default", "kubernetes")?["spec"];
        host = host == "$KUBERNETES_SERVICE_HOST" ? (string?)apiserver?["clusterIP"] ?? host : host;
        port = port == "$KUBERNETES_SERVICE_PORT" ? ((int?)apiserver?["ports"]?[0]?["port"])?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? port : port;
        if (_probes.FirstOrDefault(p => (string?)p["kind"] == "tcp" && (string?)p["target"] == host && ((int?)p["port"])?.ToString(System.Globalization.CultureInfo.InvariantCulture) == port
                && ((string?)p["from"] is null || (string?)p["from"] == from)) is not { } probe)
        {
            return null;
        }

        var endpoint = $"{host} ({host}:{port})";
        var line = (string?)probe["outcome"] switch
        {
            "answered" => $"{endpoint} open",
            "refused" => $"nc: {endpoint}: Connection refused",
            "unreachable" => $"nc: {endpoint}: No route to host",
            _ => $"nc: {endpoint}: Connection timed out",
        };
        return line + "\nsent 0, rcvd 0\n";
    }
}
