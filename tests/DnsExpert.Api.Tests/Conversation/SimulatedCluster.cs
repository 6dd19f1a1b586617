using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DnsExpert.Text;

namespace DnsExpert.Api.Tests.Conversation;

/// <summary>
/// A cluster that answers the commands a diagnosis gives, in the output formats the real tools print (those kept under
/// <c>tests/fixtures</c>: BIND 9.18 dig, busybox nslookup, iputils ping, kubectl JSON and tables, conntrack, procfs):
/// the engineer on call, played by a test. It is built from a scenario's snapshot: its objects answer <c>kubectl get</c>
/// and <c>kubectl top</c>, its logs <c>kubectl logs</c>, its files and command outputs <c>cat</c> and the node's own
/// commands (in a pod, or on a node through <c>kubectl debug node/NAME -- chroot /host</c>), and its probes are the DNS
/// and ping truth (which server answers which name, from where, over which transport). A node file the scenario does
/// not hold is answered as a healthy node prints it; a lookup without a probe is answered only when the scenario says
/// how that server answers (see <see cref="Lookup"/>). A command it cannot answer as the real cluster would is not
/// answered (null), as a person without that access would skip it; so is a command that still holds a
/// <c>&lt;placeholder&gt;</c> or a pipe, which a person cannot paste as given.
/// </summary>
public sealed partial class SimulatedCluster
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    private readonly List<JsonObject> _objects;
    private readonly List<JsonObject> _logs;
    private readonly List<JsonObject> _files;
    private readonly List<JsonObject> _probes;
    private readonly List<JsonObject> _outputs;
    private readonly JsonObject? _target;
    private readonly JsonObject? _symptom;

    /// <summary>A cluster playing <paramref name="scenario"/> (a scenario file's JSON).</summary>
    public SimulatedCluster(JsonObject scenario)
    {
        JsonObject[] Part(string name) => scenario["snapshot"]?[name]?.AsArray().Select(n => n!.AsObject()).ToArray() ?? [];

        // A kubectl List in the snapshot (events as kubectl get events -o json prints them) is its items.
        _objects = Part("objects").SelectMany(o => (string?)o["kind"] == "List" ? o["items"]!.AsArray().Select(i => i!.AsObject()) : [o]).ToList();
        (_logs, _files, _probes, _outputs) = (Part("logs").ToList(), Part("files").ToList(), Part("probes").ToList(), Part("outputs").ToList());
        (_target, _symptom) = (scenario["target"]?.AsObject(), scenario["symptom"]?.AsObject());
    }

    /// <summary>The cluster of <c>tests/scenarios/<paramref name="relativePath"/></c>.</summary>
    public static SimulatedCluster FromScenario(string relativePath) =>
        new(JsonNode.Parse(File.ReadAllText(Path.Combine(ApiFactory.RepoRoot, "tests", "scenarios", relativePath)))!.AsObject());

    /// <summary>The output of <paramref name="command"/> as the cluster would print it, or null when it cannot be answered.</summary>
    public string? Run(string command)
    {
        if (command.Contains('<', StringComparison.Ordinal) || command.Contains('|', StringComparison.Ordinal))
        {
            return null; // a placeholder left to fill in, or a pipeline: not pasteable as given
        }

        if (_outputs.FirstOrDefault(o => o["from"] is null && (string?)o["command"] == command) is { } pasted)
        {
            return (string?)pasted["text"]; // the scenario's own output of this very command
        }

        // As a shell splits it: a quoted selector (-l 'k8s-app in (kube-dns,coredns)') or sh -c script is one word.
        var words = ShellWords.Split(command);
        // OpenShift's engineer types oc (oc debug: a copy of the pod, or the node, as the checks give it there).
        words = words is ["oc", ..] ? ["kubectl", .. words[1..]] : words;
        if (words is ["kubectl", "exec" or "debug", ..] && Array.IndexOf(words, "--") is var dashes and > 0 && dashes < words.Length - 1)
        {
            var inner = words[(dashes + 1)..];
            if (inner is ["sh", "-c", var script])
            {
                inner = ["sh", "-c", .. ShellWords.Split(script)];
            }

            var ns = Flag(words[..dashes], "-n") ?? "default";
            var where = words[2..dashes].FirstOrDefault(w => !w.StartsWith('-') && w != ns);
            if (where is null)
            {
                return null;
            }

            where = where.StartsWith("pod/", StringComparison.Ordinal) ? where["pod/".Length..] : where;

            if (where.StartsWith("node/", StringComparison.Ordinal))
            {
                return OnNode(where["node/".Length..], inner is ["chroot", "/host", _, ..] ? inner[2..] : inner);
            }

            // kubectl debug POD --target=C runs in the pod's network namespace: for a lookup or ping it is the pod.
            return Pasted($"{ns}/{where}", inner) ?? (words[1] == "exec" || inner is ["nslookup" or "dig" or "ping", ..] or ["sh", "-c", "nc", ..] ? InPod(ns, where, inner) : null);
        }

        // Before Kubernetes 1.23 a debug command comes as a pod of its own (kubectl run --rm ... --overrides=SPEC -- CMD).
        if (words is ["kubectl", "run", _, ..] && Array.IndexOf(words, "--") is var cut and > 0 && cut < words.Length - 1)
        {
            return RunPod(words[..cut], words[(cut + 1)..]);
        }

        return words switch
        {
            ["kubectl", "get", _, ..] => Get(words),
            ["kubectl", "top", "node" or "nodes" or "no", ..] => TopNodes(),
            ["kubectl", "top", "pod" or "pods" or "po", ..] => TopPods(words),
            ["kubectl", "logs", ..] => Logs(words),
            _ => null, // a bare command (cat /proc/net/snmp, conntrack -S) does not say on which node or pod it runs
        };
    }

    /// <summary>
    /// <c>kubectl run NAME -n NS -i --rm --restart=Never --image=I --overrides=SPEC -- CMD</c>: a pod of its own in
    /// <c>NS</c>, on the node and with the DNS settings (dnsPolicy, hostNetwork) <c>SPEC</c> gives, asks as the pod of
    /// that namespace placed and set up alike does (the failing pod first, then by name): its lookups, pings and
    /// connections are that pod's. Without <c>-i</c> kubectl prints nothing of the command, and a pod that no pod of the
    /// scenario stands for (another node, other DNS settings) is not answered.
    /// </summary>
    private string? RunPod(string[] words, string[] command)
    {
        if (!words.Contains("-i") && !words.Contains("--stdin") || !words.Contains("--rm"))
        {
            return null;
        }

        JsonNode? spec;
        try
        {
            spec = Flag(words, "--overrides") is { } overrides ? JsonNode.Parse(overrides)?["spec"] : null;
        }
        catch (JsonException)
        {
            return null;
        }

        var ns = Flag(words, "-n") ?? Flag(words, "--namespace") ?? "default";
        var (node, policy, host) = ((string?)spec?["nodeName"], (string?)spec?["dnsPolicy"] ?? "ClusterFirst", (bool?)spec?["hostNetwork"] ?? false);
        var alike = OfKind("Pod").Where(p => ((string?)p["metadata"]?["namespace"] ?? "default") == ns
                && (node is null || (string?)p["spec"]?["nodeName"] == node)
                && ((string?)p["spec"]?["dnsPolicy"] ?? "ClusterFirst") == policy && ((bool?)p["spec"]?["hostNetwork"] ?? false) == host)
            .Select(p => (string)p["metadata"]!["name"]!)
            .OrderBy(name => (string?)_target?["namespace"] == ns && (string?)_target?["pod"] == name ? 0 : 1).ThenBy(name => name, StringComparer.Ordinal)
            .FirstOrDefault();
        if (command is ["sh", "-c", var script])
        {
            command = ["sh", "-c", .. ShellWords.Split(script)];
        }

        return alike is null || command is not (["nslookup" or "dig" or "ping", ..] or ["sh", "-c", "nc", ..]) ? null
            : Pasted($"{ns}/{alike}", command) ?? InPod(ns, alike, command);
    }

    /// <summary>The scenario's own pasted output of <paramref name="command"/> from <paramref name="from"/>, when it has one.</summary>
    private string? Pasted(string from, string[] command)
    {
        var line = string.Join(' ', command);
        return _outputs.FirstOrDefault(o => (string?)o["from"] == from && (string?)o["command"] == line)?["text"]?.GetValue<string>();
    }

    private string? InPod(string ns, string pod, string[] command)
    {
        if (Object("Pod", ns, pod) is not { } podObject)
        {
            return null;
        }

        var from = $"{ns}/{pod}";
        return command switch
        {
            ["cat", var path] => FileOf(f => (string?)f["namespace"] == ns && (string?)f["pod"] == pod, path),
            ["ldd", "--version"] => CommandOf(f => (string?)f["namespace"] == ns && (string?)f["pod"] == pod, "ldd --version") ?? Libc(podObject),
            ["dig", ..] => Dig(from, command, DefaultServer(ns, pod)),
            ["nslookup", var name] => Nslookup(from, name, DefaultServer(ns, pod)),
            ["nslookup", var name, var server] => Nslookup(from, name, server),
            ["ping", .., var target] => Ping(from, target),
            ["sh", "-c", "nc", .., var host, var port] => Nc(from, host, port),
            _ => null,
        };
    }

    /// <summary>A file the scenario holds at <paramref name="path"/> of the pod or node <paramref name="of"/> selects.</summary>
    private string? FileOf(Func<JsonObject, bool> of, string path) =>
        _files.FirstOrDefault(f => of(f) && (string?)f["path"] == path)?["text"]?.GetValue<string>();

    /// <summary>The output of <paramref name="command"/> the scenario holds for the pod or node <paramref name="of"/> selects.</summary>
    private string? CommandOf(Func<JsonObject, bool> of, string command) =>
        _files.FirstOrDefault(f => of(f) && (string?)f["command"] == command)?["text"]?.GetValue<string>();

    /// <summary>
    /// <c>ldd --version</c> in a pod the scenario does not say it for, from its image: an Alpine image prints musl's
    /// banner (musl 1.2.4, as Alpine 3.18 and 3.19 ship it; the form <c>VersionTests</c> reads), a Debian 12 image the
    /// glibc 2.36 of <c>tests/fixtures/ldd/debian-12-glibc-2.36.txt</c>. Any other image: not known, not answered.
    /// </summary>
    private static string? Libc(JsonObject pod)
    {
        var image = (string?)pod["spec"]?["containers"]?[0]?["image"] ?? "";
        if (image.Contains("alpine", StringComparison.Ordinal))
        {
            return "musl libc (x86_64)\nVersion 1.2.4\nDynamic Program Loader\nUsage: /lib/ld-musl-x86_64.so.1 [options] [--] pathname\n";
        }

        return image.Contains("bookworm", StringComparison.Ordinal) || image.StartsWith("debian:12", StringComparison.Ordinal)
            ? Fixture("ldd", "debian-12-glibc-2.36.txt")
            : null;
    }

    /// <summary>The object of <paramref name="kind"/> named <paramref name="name"/> in <paramref name="ns"/> (any namespace for a Node).</summary>
    private JsonObject? Object(string kind, string? ns, string name) =>
        _objects.FirstOrDefault(o => (string?)o["kind"] == kind && (string?)o["metadata"]?["name"] == name
            && (kind == "Node" || ((string?)o["metadata"]?["namespace"] ?? "default") == ns));

    private IEnumerable<JsonObject> OfKind(string kind) => _objects.Where(o => (string?)o["kind"] == kind);

    /// <summary><c>kubectl get KIND [NAME] [-n NS | -A] [-l k=v] -o json</c>: the object, or a List of the matching objects.</summary>
    private string? Get(string[] words)
    {
        if (!words.Contains("json") && !words.Contains("-ojson") && !words.Contains("--output=json"))
        {
            return null;
        }

        var resource = words[2].Split('/');
        // kubectl get svc,endpointslices: one List of each kind's objects, in the order the kinds are named.
        var kinds = resource[0].Split(',').Select(Kind).ToList();
        if (kinds.Count == 0 || kinds.Any(k => k is null) || (kinds.Count > 1 && resource.Length > 1))
        {
            return null;
        }

        var ns = Flag(words, "-n") ?? Flag(words, "--namespace");
        var all = words.Contains("-A") || words.Contains("--all-namespaces");
        var selector = Flag(words, "-l") ?? Flag(words, "--selector");
        var fields = Flag(words, "--field-selector");
        var name = resource.Length > 1 ? resource[1]
            : words.Skip(3).FirstOrDefault(w => !w.StartsWith('-') && w != ns && w != "json" && w != selector && w != fields);
        var items = kinds.SelectMany(kind => OfKind(kind!)).Where(o => ((string?)o["kind"] == "Node" || all || ((string?)o["metadata"]?["namespace"] ?? "default") == (ns ?? "default"))
            && (name is null || (string?)o["metadata"]?["name"] == name)
            && Selects(selector, o["metadata"]?["labels"]) && SelectsFields(fields, o)).ToList();
        if (name is not null)
        {
            return items.Count == 1 ? items[0].ToJsonString(Indented) : null;
        }

        return new JsonObject
        {
            ["apiVersion"] = "v1",
            ["items"] = new JsonArray(items.Select(i => i.DeepClone()).ToArray()),
            ["kind"] = "List",
            ["metadata"] = new JsonObject { ["resourceVersion"] = "" },
        }.ToJsonString(Indented);
    }

    /// <summary>
    /// Whether the labels match a <c>-l k=v[,k2 in (v2,v3)]</c> selector, equality and set requirements as the API
    /// server reads them (no selector: all match).
    /// </summary>
    private static bool Selects(string? selector, JsonNode? labels)
    {
        if (selector is null)
        {
            return true;
        }

        var (requirements, start, depth) = (new List<string>(), 0, 0);
        for (var i = 0; i <= selector.Length; i++)
        {
            if (i == selector.Length || (selector[i] == ',' && depth == 0))
            {
                requirements.Add(selector[start..i].Trim());
                start = i + 1;
            }
            else
            {
                depth += selector[i] switch { '(' => 1, ')' => -1, _ => 0 };
            }
        }

        return requirements.All(term => term.IndexOf(" in (", StringComparison.Ordinal) is var set and > 0
            ? term.EndsWith(')') && term[(set + 5)..^1].Split(',').Select(v => v.Trim()).Contains((string?)labels?[term[..set].Trim()])
            : term.Split('=') is [var key, var value] && (string?)labels?[key] == value);
    }

    /// <summary>
    /// Whether the object matches a <c>--field-selector path=value[,path=value]</c> (<c>spec.clusterIP=172.30.0.10</c>,
    /// <c>metadata.name=x</c>), as the API server compares the field's value; no selector: all match.
    /// </summary>
    private static bool SelectsFields(string? selector, JsonObject obj) =>
        selector is null || selector.Split(',').All(term => term.Split('=') is [var path, var value]
            && path.Split('.').Aggregate((JsonNode?)obj, (node, segment) => node?[segment]) is JsonValue field && (string?)field == value);

    /// <summary>
    /// <c>kubectl logs [-n NS] (POD | -l SELECTOR [--prefix]) [-c C] [--tail=N] [--previous] [--timestamps]</c>. With a
    /// selector kubectl prints the last 10 lines of each pod unless told <c>--tail</c>, each line after
    /// <c>[pod/NAME/CONTAINER] </c> with <c>--prefix</c>. <c>--previous</c> is answered only for a container that has
    /// restarted (the scenario's log is then the crashed run's); <c>--timestamps</c> cannot add times a scenario's log
    /// does not hold, so its lines come as they are.
    /// </summary>
    private string? Logs(string[] words)
    {
        var ns = Flag(words, "-n") ?? Flag(words, "--namespace") ?? "default";
        var (container, selector) = (Flag(words, "-c") ?? Flag(words, "--container"), Flag(words, "-l") ?? Flag(words, "--selector"));
        var tailText = Flag(words, "--tail");
        var tail = tailText is null ? selector is null ? -1 : 10 : int.Parse(tailText, CultureInfo.InvariantCulture);
        var values = new[] { ns, container, selector, tailText };
        var pod = words.Skip(2).FirstOrDefault(w => !w.StartsWith('-') && !values.Contains(w));
        var pods = selector is not null
            ? OfKind("Pod").Where(p => ((string?)p["metadata"]?["namespace"] ?? "default") == ns && Selects(selector, p["metadata"]?["labels"])).ToList()
            : pod is not null && Object("Pod", ns, pod.StartsWith("pod/", StringComparison.Ordinal) ? pod[4..] : pod) is { } one ? [one] : [];
        if (pods.Count == 0 || (words.Contains("--previous") || words.Contains("-p")) && !pods.Any(Restarted))
        {
            return null;
        }

        var text = new StringBuilder();
        foreach (var p in pods)
        {
            var name = (string)p["metadata"]!["name"]!;
            var log = _logs.FirstOrDefault(l => (string?)l["namespace"] == ns && (string?)l["pod"] == name && (container is null || (string?)l["container"] == container));
            if (log is null)
            {
                return null; // the scenario does not say what this pod logged
            }

            var lines = log["text"]!.GetValue<string>().Split('\n');
            lines = lines[^1].Length == 0 ? lines[..^1] : lines;
            var prefix = words.Contains("--prefix") ? $"[pod/{name}/{(string?)log["container"] ?? "coredns"}] " : "";
            foreach (var line in tail < 0 ? lines : lines.TakeLast(tail))
            {
                text.Append(prefix).Append(line).Append('\n');
            }
        }

        return text.ToString();
    }

    private static bool Restarted(JsonObject pod) =>
        pod["status"]?["containerStatuses"]?.AsArray().Any(s => (int?)s?["restartCount"] > 0) == true;

    /// <summary><c>kubectl top nodes</c> from the scenario's NodeMetrics, in kubectl's table (tests/fixtures/kubectl-tables/top-nodes-2023.txt).</summary>
    private string? TopNodes()
    {
        var rows = OfKind("NodeMetrics").Select(m =>
        {
            var name = (string)m["metadata"]!["name"]!;
            var allocatable = Object("Node", null, name)?["status"]?["allocatable"];
            var (cpu, memory) = (MilliCores((string?)m["usage"]?["cpu"]), Mebibytes((string?)m["usage"]?["memory"]));
            return new[]
            {
                name, $"{cpu}m", Percent(cpu, MilliCores((string?)allocatable?["cpu"])), $"{memory}Mi", Percent(memory, Mebibytes((string?)allocatable?["memory"])),
            };
        }).ToList();
        return rows.Count == 0 ? null : Table(["NAME", "CPU(cores)", "CPU%", "MEMORY(bytes)", "MEMORY%"], rows);
    }

    /// <summary><c>kubectl top pods -n NS [-l SELECTOR]</c> from the scenario's PodMetrics (tests/fixtures/kubectl-tables/top-pods-2021.txt).</summary>
    private string? TopPods(string[] words)
    {
        var ns = Flag(words, "-n") ?? Flag(words, "--namespace") ?? "default";
        var selector = Flag(words, "-l") ?? Flag(words, "--selector");
        var rows = OfKind("PodMetrics")
            .Where(m => ((string?)m["metadata"]?["namespace"] ?? "default") == ns
                && Selects(selector, Object("Pod", ns, (string)m["metadata"]!["name"]!)?["metadata"]?["labels"] ?? m["metadata"]?["labels"]))
            .Select(m => new[]
            {
                (string)m["metadata"]!["name"]!,
                $"{m["containers"]!.AsArray().Sum(c => MilliCores((string?)c?["usage"]?["cpu"]))}m",
                $"{m["containers"]!.AsArray().Sum(c => Mebibytes((string?)c?["usage"]?["memory"]))}Mi",
            }).ToList();
        return rows.Count == 0 ? null : Table(["NAME", "CPU(cores)", "MEMORY(bytes)"], rows);
    }

    /// <summary>Columns padded as kubectl's tabwriter pads them: each as wide as its widest cell, three spaces apart.</summary>
    private static string Table(string[] header, List<string[]> rows)
    {
        var widths = header.Select((h, i) => rows.Select(r => r[i].Length).Append(h.Length).Max()).ToArray();
        string Line(string[] cells) => string.Concat(cells.Select((c, i) => c.PadRight(widths[i] + 3))).TrimEnd() + "\n";
        return Line(header) + string.Concat(rows.Select(Line));
    }

    private static string Percent(long used, long of) => of <= 0 ? "<unknown>" : $"{used * 100 / of}%";

    /// <summary>A CPU quantity (<c>3612m</c>, <c>4</c>, <c>1234567n</c>) in millicores.</summary>
    private static long MilliCores(string? quantity) => quantity switch
    {
        null or "" => 0,
        _ when quantity.EndsWith('m') => long.Parse(quantity[..^1], CultureInfo.InvariantCulture),
        _ when quantity.EndsWith('n') => long.Parse(quantity[..^1], CultureInfo.InvariantCulture) / 1_000_000,
        _ when quantity.EndsWith('u') => long.Parse(quantity[..^1], CultureInfo.InvariantCulture) / 1_000,
        _ => (long)(double.Parse(quantity, CultureInfo.InvariantCulture) * 1000),
    };

    /// <summary>A memory quantity (<c>11022040Ki</c>, <c>170Mi</c>, <c>2Gi</c>, bytes) in mebibytes.</summary>
    private static long Mebibytes(string? quantity) => quantity switch
    {
        null or "" => 0,
        _ when quantity.EndsWith("Ki", StringComparison.Ordinal) => long.Parse(quantity[..^2], CultureInfo.InvariantCulture) / 1024,
        _ when quantity.EndsWith("Mi", StringComparison.Ordinal) => long.Parse(quantity[..^2], CultureInfo.InvariantCulture),
        _ when quantity.EndsWith("Gi", StringComparison.Ordinal) => long.Parse(quantity[..^2], CultureInfo.InvariantCulture) * 1024,
        _ => long.Parse(quantity, CultureInfo.InvariantCulture) / (1024 * 1024),
    };

    private static string? Kind(string resource) => resource switch
    {
        "pod" or "pods" or "po" => "Pod",
        "svc" or "service" or "services" => "Service",
        "endpoints" or "ep" => "Endpoints",
        "endpointslice" or "endpointslices" or "endpointslices.discovery.k8s.io" => "EndpointSlice",
        "configmap" or "configmaps" or "cm" => "ConfigMap",
        "node" or "nodes" or "no" => "Node",
        "networkpolicy" or "networkpolicies" or "netpol" => "NetworkPolicy",
        "daemonset" or "daemonsets" or "ds" => "DaemonSet",
        "statefulset" or "statefulsets" or "sts" => "StatefulSet",
        "events" or "event" or "ev" => "Event",
        _ => null,
    };

    /// <summary>The value of <paramref name="flag"/>, given as the next word or after <c>=</c>.</summary>
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
