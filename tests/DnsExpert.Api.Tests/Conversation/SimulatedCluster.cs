using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DnsExpert.Api.Tests.Conversation;

/// <summary>
/// A cluster that answers the commands a diagnosis gives, in the output formats the real tools print (those kept under
/// <c>tests/fixtures</c>: BIND 9.18 dig, iputils ping, kubectl JSON lists): the engineer on call, played by a test.
/// It is built from a scenario's snapshot: its objects answer <c>kubectl get</c>, its logs <c>kubectl logs</c>, its files
/// <c>cat</c>, and its probes are the DNS and ping truth (which server answers, over which transport, and which
/// address answers a ping). A command it cannot answer as the real cluster would is not answered (null), as a person
/// without that access would skip it.
/// </summary>
public sealed class SimulatedCluster(JsonObject scenario)
{
    private readonly JsonArray _objects = scenario["snapshot"]?["objects"]?.AsArray() ?? [];
    private readonly JsonArray _logs = scenario["snapshot"]?["logs"]?.AsArray() ?? [];
    private readonly JsonArray _files = scenario["snapshot"]?["files"]?.AsArray() ?? [];
    private readonly JsonArray _probes = scenario["snapshot"]?["probes"]?.AsArray() ?? [];

    public static SimulatedCluster FromScenario(string relativePath) =>
        new(JsonNode.Parse(System.IO.File.ReadAllText(Path.Combine(ApiFactory.RepoRoot, "tests", "scenarios", relativePath)))!.AsObject());

    /// <summary>The output of <paramref name="command"/> as the cluster would print it, or null when it cannot be answered.</summary>
    public string? Run(string command)
    {
        if (command.Contains('<', StringComparison.Ordinal) || command.Contains('|', StringComparison.Ordinal))
        {
            return null; // a placeholder left to fill in, or a pipeline: not pasteable as given
        }

        var words = command.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words is ["kubectl", "exec", ..] && Array.IndexOf(words, "--") is var dashes and > 0)
        {
            var (ns, pod) = (Flag(words[..dashes], "-n") ?? "default", words[2..dashes].FirstOrDefault(w => !w.StartsWith('-') && w != Flag(words[..dashes], "-n")));
            return pod is null ? null : InPod(ns, pod, words[(dashes + 1)..]);
        }

        return words switch
        {
            ["kubectl", "get", ..] => Get(words),
            ["kubectl", "logs", ..] => Logs(words),
            _ => null,
        };
    }

    private string? InPod(string ns, string pod, string[] command) => command switch
    {
        ["cat", var path] => FileOf(ns, pod, path),
        ["dig", ..] => Dig(command),
        ["ping", ..] => Ping(command[^1]),
        _ => null,
    };

    private string? FileOf(string ns, string pod, string path) =>
        _files.Select(f => f!.AsObject()).FirstOrDefault(f => (string?)f["namespace"] == ns && (string?)f["pod"] == pod && (string?)f["path"] == path)?["text"]?.GetValue<string>();

    /// <summary>A probe of the scenario to <paramref name="server"/> over <paramref name="transport"/>: how that server answers any name.</summary>
    private JsonObject? Probe(string kind, string target, string? transport = null) =>
        _probes.Select(p => p!.AsObject()).FirstOrDefault(p => (string?)p["kind"] == kind
            && ((string?)p["server"] == target || (string?)p["target"] == target)
            && (transport is null || ((string?)p["transport"] ?? "udp") == transport));

    private string? Dig(string[] command)
    {
        var server = command.FirstOrDefault(w => w.StartsWith('@'))?[1..];
        var name = command.Skip(1).FirstOrDefault(w => !w.StartsWith('@') && !w.StartsWith('+') && !w.StartsWith('-'));
        var tcp = command.Contains("+tcp");
        if (server is null || name is null || Probe("dns", server, tcp ? "tcp" : "udp") is not { } probe)
        {
            return null;
        }

        var banner = $"; <<>> DiG 9.18.28-1~deb12u2-Debian <<>> {string.Join(' ', command.Skip(1))}\n; (1 server found)\n;; global options: +cmd\n";
        if ((string?)probe["outcome"] != "answered")
        {
            return $";; communications error to {server}#53: timed out\n;; communications error to {server}#53: timed out\n\n{banner};; no servers could be reached\n";
        }

        var rcode = (string?)probe["rcode"] ?? "NOERROR";
        var answers = rcode == "NOERROR" ? 1 : 0;
        var fqdn = name.TrimEnd('.') + ".";
        var answer = answers == 0 ? "" : $";; ANSWER SECTION:\n{fqdn}\t\t5\tIN\tA\t10.96.0.1\n\n";
        return banner + $";; Got answer:\n;; ->>HEADER<<- opcode: QUERY, status: {rcode}, id: 47924\n;; flags: qr aa rd; QUERY: 1, ANSWER: {answers}, AUTHORITY: 0, ADDITIONAL: 1\n\n"
            + $";; OPT PSEUDOSECTION:\n; EDNS: version: 0, flags:; udp: 1232\n;; QUESTION SECTION:\n;{fqdn}\t\t\tIN\tA\n\n{answer}"
            + $";; Query time: 1 msec\n;; SERVER: {server}#53({server}) ({(tcp ? "TCP" : "UDP")})\n;; WHEN: Sun Dec 06 08:29:09 UTC 2026\n;; MSG SIZE  rcvd: 53\n";
    }

    private string? Ping(string target)
    {
        if (Probe("ping", target) is not { } probe)
        {
            return null;
        }

        var head = $"PING {target} ({target}) 56(84) bytes of data.\n";
        return (string?)probe["outcome"] == "answered"
            ? head + string.Concat(Enumerable.Range(1, 3).Select(i => $"64 bytes from {target}: icmp_seq={i} ttl=63 time=0.4{i} ms\n"))
                + $"\n--- {target} ping statistics ---\n3 packets transmitted, 3 received, 0% packet loss, time 2003ms\nrtt min/avg/max/mdev = 0.411/0.421/0.431/0.008 ms\n"
            : head + $"\n--- {target} ping statistics ---\n3 packets transmitted, 0 received, 100% packet loss, time 2038ms\n";
    }

    /// <summary><c>kubectl get KIND [NAME] [-n NS | -A] [-l k=v] -o json</c>: a List of the matching objects.</summary>
    private string? Get(string[] words)
    {
        if (!words.Contains("json") && !words.Contains("-ojson") && !words.Contains("--output=json"))
        {
            return null;
        }

        var kind = Kind(words[2]);
        if (kind is null)
        {
            return null;
        }

        var ns = Flag(words, "-n");
        var all = words.Contains("-A") || words.Contains("--all-namespaces");
        var selector = Flag(words, "-l")?.Split('=') is [var key, var value] ? (key, value) : ((string, string)?)null;
        var name = words.Skip(3).FirstOrDefault(w => !w.StartsWith('-') && w != ns && w != "json" && w != Flag(words, "-l") && w != Flag(words, "-o"));
        var items = _objects.Select(o => o!.AsObject()).Where(o => (string?)o["kind"] == kind
            && (kind == "Node" || all || ((string?)o["metadata"]?["namespace"] ?? "default") == (ns ?? "default"))
            && (name is null || (string?)o["metadata"]?["name"] == name)
            && (selector is not { } s || (string?)o["metadata"]?["labels"]?[s.Item1] == s.Item2)).ToList();
        if (name is not null)
        {
            return items.Count == 1 ? items[0].ToJsonString(new JsonSerializerOptions { WriteIndented = true }) : null;
        }

        return new JsonObject
        {
            ["apiVersion"] = "v1",
            ["items"] = new JsonArray(items.Select(i => i.DeepClone()).ToArray()),
            ["kind"] = "List",
            ["metadata"] = new JsonObject { ["resourceVersion"] = "" },
        }.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    private string? Logs(string[] words)
    {
        var pod = words.Skip(2).FirstOrDefault(w => !w.StartsWith('-') && w != Flag(words, "-n") && w != Flag(words, "-c") && w != Flag(words, "--tail"));
        return pod is null ? null
            : _logs.Select(l => l!.AsObject()).FirstOrDefault(l => (string?)l["pod"] == pod)?["text"]?.GetValue<string>();
    }

    private static string? Kind(string resource) => resource.Split('/')[0] switch
    {
        "pod" or "pods" or "po" => "Pod",
        "svc" or "service" or "services" => "Service",
        "endpoints" or "ep" => "Endpoints",
        "configmap" or "configmaps" or "cm" => "ConfigMap",
        "node" or "nodes" or "no" => "Node",
        "networkpolicy" or "networkpolicies" or "netpol" => "NetworkPolicy",
        "daemonset" or "daemonsets" or "ds" => "DaemonSet",
        "events" or "event" or "ev" => "Event",
        _ => null,
    };

    private static string? Flag(string[] words, string flag)
    {
        var i = Array.IndexOf(words, flag);
        if (i >= 0 && i + 1 < words.Length)
        {
            return words[i + 1];
        }

        var attached = words.FirstOrDefault(w => w.StartsWith(flag + "=", StringComparison.Ordinal));
        return attached?[(flag.Length + 1)..];
    }

    /// <summary>A one-line description of what it could answer, for the test output.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{_objects.Count} objects, {_logs.Count} logs, {_files.Count} files, {_probes.Count} probes");
}
