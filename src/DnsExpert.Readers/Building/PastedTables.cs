using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using DnsExpert.Contract;
using DnsExpert.Readers.Parsing;
using DnsExpert.Text;
using k8s.Models;

namespace DnsExpert.Readers.Building;

/// <summary>
/// Pasted kubectl tables (one or several in a text) read into the Kubernetes objects <c>-o json</c> gives, as far as a table tells them:
/// <c>kubectl get pods</c> (with <c>-o wide</c>, <c>-A</c>), <c>get nodes [-o wide]</c>, <c>get svc</c>,
/// <c>get endpoints</c>, <c>top pods [--containers]</c> and <c>top nodes</c>. The kind is told by the header, the namespace and labels by
/// the command (<c>-n</c>, <c>-A</c>, an equality <c>-l</c>). Names are checked as the API server would; a row with a
/// name it would refuse is skipped and counted. The note says what was read and what a table cannot tell.
/// </summary>
internal static class PastedTables
{
    private const int MaxContainersPerPod = 32;

    /// <summary>
    /// Objects, status and note of the kubectl tables in <paramref name="text"/> (several commands' outputs may be pasted
    /// together), or null when it holds no table of a kind read.
    /// </summary>
    /// <param name="words">The command, split into words (empty when not given).</param>
    /// <param name="text">The output as pasted.</param>
    /// <param name="target">The request's target pod: its row is not read as its object, whose dnsPolicy, dnsConfig and
    /// labels its rules read and a table does not show.</param>
    /// <param name="maxRows">Rows read at most, all tables together: each becomes an object, counted against the request's object limit.</param>
    public static (List<JsonElement> Objects, CollectionStatus Status, string Note)? Read(string[] words, string text, TargetRef? target = null, int maxRows = KubectlTable.DefaultMaxRows)
    {
        var flags = CommandFlags.Of(words) with { Target = target?.Pod is { } pod ? SnapshotObjects.Key(target.Namespace ?? "default", pod) : null };
        var tables = KubectlTable.ParseAll(text, maxRows).Select(t => ReadTable(t, flags, maxRows)).OfType<(List<JsonElement> Objects, bool Partial, string Note)>().ToList();
        if (tables.Count == 0)
        {
            return null;
        }

        return (tables.SelectMany(t => t.Objects).ToList(), tables.Any(t => t.Partial) ? CollectionStatus.Partial : CollectionStatus.Ok,
            string.Join(" | ", tables.Select(t => t.Note)));
    }

    private static (List<JsonElement> Objects, bool Partial, string Note)? ReadTable(KubectlTable table, CommandFlags flags, int maxRows)
    {
        var kind = KindOf(table, flags);
        if (kind is null)
        {
            return null;
        }

        var context = new TableRead(table, flags);
        var (objects, what, cannot) = kind switch
        {
            "pods" => Pods(context),
            "nodes" => Nodes(context),
            "services" => Services(context),
            "endpoints" => Endpoints(context),
            "nodemetrics" => NodeMetrics(context),
            _ => PodMetrics(context),
        };

        var notes = new List<string> { what };
        notes.AddRange(context.Remarks);
        if (context.Misnamed > 0)
        {
            notes.Add($"{context.Misnamed} row(s) skipped: a name Kubernetes would not accept (RFC 1123)");
        }

        if (table.Unreadable > 0)
        {
            notes.Add($"{table.Unreadable} row(s) not read: their columns could not be told apart");
        }

        if (table.OverCap > 0)
        {
            notes.Add($"{table.OverCap} row(s) not read: past the {maxRows} objects the request could still take (DnsExpert:Limits:MaxObjects)");
        }

        notes.Add(cannot);
        var partial = objects.Count == 0 || context.Misnamed > 0 || table.Unreadable > 0 || table.OverCap > 0 || context.Truncated;
        return (objects.Select(o => JsonSerializer.SerializeToElement(o)).ToList(), partial, string.Join("; ", notes));
    }

    /// <summary>The kind of objects a table lists, by its header (and, for <c>kubectl top</c>, the command); null when not read.</summary>
    private static string? KindOf(KubectlTable table, CommandFlags flags)
    {
        if (table.Has("READY") && table.Has("STATUS") && table.Has("RESTARTS"))
        {
            return "pods";
        }

        if (table.Has("STATUS") && table.Has("VERSION") && !table.Has("READY"))
        {
            return "nodes";
        }

        if (table.Has("CLUSTER-IP") && table.Has("PORT(S)"))
        {
            return "services";
        }

        if (table.Has("ENDPOINTS") && !table.Has("PORTS"))
        {
            return "endpoints";
        }

        // kubectl top node prints CPU% and MEMORY% too; a pod table does only in some builds, so the command decides.
        var topPods = flags.Resource is "pod" or "pods" or "po" || table.Has("POD") || (flags.Resource is null && !table.Has("CPU%"));
        var topNodes = flags.Resource is "node" or "nodes" or "no" || (flags.Resource is null && table.Has("CPU%") && !table.Has("POD"));
        return !table.Has("CPU(cores)") || !table.Has("MEMORY(bytes)") ? null : topPods ? "podmetrics" : topNodes ? "nodemetrics" : null;
    }

    private static (List<JsonObject>, string, string) Pods(TableRead read)
    {
        var pods = new List<JsonObject>();
        var coreDnsByName = 0;
        foreach (var row in read.Table.Rows)
        {
            if (read.Identity(row, "pod") is not (string ns, string name))
            {
                continue;
            }

            if (SnapshotObjects.Key(ns, name) == read.Flags.Target)
            {
                read.Remarks.Add($"the target pod's row is not read as the pod: a table has no dnsPolicy, dnsConfig or labels (paste kubectl get pod {name} -n {ns} -o json)");
                continue;
            }

            var labels = read.Flags.Labels;
            if (labels is null && ClusterDnsIdentity.KnownLabels(ns, name) is { } known)
            {
                // A table shows no labels; the cluster DNS pods are known by their distribution's names (coredns-*,
                // kube-dns-*, dns-default-* in openshift-dns, ...) and given the labels its Service selects.
                labels = new Dictionary<string, string>(known, StringComparer.Ordinal);
                coreDnsByName++;
            }

            var (ready, total) = ReadyCount(KubectlTable.Value(row, "READY"));
            var restarts = Restarts(KubectlTable.Value(row, "RESTARTS"));
            var (phase, waiting, terminated) = PodStatus(KubectlTable.Value(row, "STATUS"), restarts);
            var containers = new JsonArray();
            for (var c = 0; c < total; c++)
            {
                // The first container carries the pod's restarts and state, and is the not-ready one when any is.
                var first = c == 0;
                var container = new JsonObject { ["ready"] = c >= total - ready, ["restartCount"] = first ? restarts : 0 };
                if (first && waiting is not null)
                {
                    container["state"] = new JsonObject { ["waiting"] = new JsonObject { ["reason"] = waiting } };
                }

                if (first && terminated is not null)
                {
                    container["lastState"] = new JsonObject { ["terminated"] = new JsonObject { ["reason"] = terminated } };
                }

                containers.Add(container);
            }

            var podStatus = new JsonObject
            {
                ["phase"] = phase,
                ["conditions"] = new JsonArray(new JsonObject { ["type"] = "Ready", ["status"] = total > 0 && ready == total && phase == "Running" ? "True" : "False" }),
                ["containerStatuses"] = containers,
            };
            if (Ip(KubectlTable.Value(row, "IP")) is { } ip)
            {
                podStatus["podIP"] = ip;
            }

            var spec = new JsonObject();
            if (KubectlTable.Value(row, "NODE") is { } node && RequestValidator.IsDnsSubdomain(node))
            {
                spec["nodeName"] = node;
            }

            pods.Add(new JsonObject
            {
                ["apiVersion"] = "v1", ["kind"] = "Pod", ["metadata"] = Metadata(name, ns, labels), ["spec"] = spec, ["status"] = podStatus,
            });
        }

        if (read.Flags.SelectorGiven && read.Flags.Labels is null)
        {
            read.Remarks.Add("the -l selector is not of the form key=value: no labels read from it");
        }

        if (coreDnsByName > 0)
        {
            read.Remarks.Add($"{coreDnsByName} pod(s) named as a distribution names its cluster DNS pods (coredns-*, kube-dns-*, dns-default-*, rke2-coredns-rke2-coredns-*) taken as the cluster DNS");
        }

        var wide = read.Table.Has("NODE");
        return (pods, $"read {pods.Count} pod(s) from a kubectl get pods table{(read.NamespaceFrom is { } from ? $" ({from})" : "")}",
            "a table has no images, resources, labels (only an equality -l selector gives them) or container names: CoreDNS version and limits unknown"
            + (wide ? "" : "; without -o wide no pod IP or node"));
    }

    private static (List<JsonObject>, string, string) Nodes(TableRead read)
    {
        var nodes = new List<JsonObject>();
        foreach (var row in read.Table.Rows)
        {
            if (read.NodeName(row) is not { } name)
            {
                continue;
            }

            var labels = (KubectlTable.Value(row, "ROLES") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries)
                .Where(r => RequestValidator.IsDnsLabel(r))
                .ToDictionary(r => $"node-role.kubernetes.io/{r}", _ => "", StringComparer.Ordinal);
            var states = (KubectlTable.Value(row, "STATUS") ?? "").Split(',');
            var info = new JsonObject();
            Set(info, "kubeletVersion", KubectlTable.Value(row, "VERSION"));
            Set(info, "osImage", KubectlTable.Value(row, "OS-IMAGE"));
            Set(info, "kernelVersion", KubectlTable.Value(row, "KERNEL-VERSION"));
            Set(info, "containerRuntimeVersion", KubectlTable.Value(row, "CONTAINER-RUNTIME"));
            var addresses = new JsonArray();
            foreach (var (column, type) in new[] { ("INTERNAL-IP", "InternalIP"), ("EXTERNAL-IP", "ExternalIP") })
            {
                if (Ip(KubectlTable.Value(row, column)) is { } address)
                {
                    addresses.Add(new JsonObject { ["type"] = type, ["address"] = address });
                }
            }

            nodes.Add(new JsonObject
            {
                ["apiVersion"] = "v1", ["kind"] = "Node", ["metadata"] = Metadata(name, null, labels.Count > 0 ? labels : null),
                ["spec"] = new JsonObject { ["unschedulable"] = states.Contains("SchedulingDisabled", StringComparer.Ordinal) },
                ["status"] = new JsonObject
                {
                    ["conditions"] = new JsonArray(new JsonObject { ["type"] = "Ready", ["status"] = states[0] switch { "Ready" => "True", "NotReady" => "False", _ => "Unknown" } }),
                    ["addresses"] = addresses,
                    ["nodeInfo"] = info,
                },
            });
        }

        var wide = read.Table.Has("KERNEL-VERSION");
        return (nodes, $"read {nodes.Count} node(s) from a kubectl get nodes table",
            wide ? "a table has no architecture, provider id, capacity or labels other than roles"
                : "without -o wide no kernel, OS image or addresses (the kernel matters for ipvs-udp-stale-backend): paste kubectl get nodes -o wide");
    }

    private static (List<JsonObject>, string, string) Services(TableRead read)
    {
        var services = new List<JsonObject>();
        foreach (var row in read.Table.Rows)
        {
            if (read.Identity(row, "service", label: true) is not (string ns, string name))
            {
                continue;
            }

            var spec = new JsonObject();
            Set(spec, "type", KubectlTable.Value(row, "TYPE") is { } type && type.All(char.IsAsciiLetter) ? type : null);
            var clusterIp = KubectlTable.Value(row, "CLUSTER-IP");
            Set(spec, "clusterIP", clusterIp == "None" ? "None" : Ip(clusterIp));
            spec["ports"] = Ports(KubectlTable.Value(row, "PORT(S)"));
            if (Selector(KubectlTable.Value(row, "SELECTOR")) is { } selector)
            {
                spec["selector"] = Labels(selector);
            }

            services.Add(new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Service", ["metadata"] = Metadata(name, ns, null), ["spec"] = spec });
        }

        return (services, $"read {services.Count} service(s) from a kubectl get svc table{(read.NamespaceFrom is { } from ? $" ({from})" : "")}",
            "a table has no port names or session affinity (taken as None)" + (read.Table.Has("SELECTOR") ? "" : "; without -o wide no selector"));
    }

    private static (List<JsonObject>, string, string) Endpoints(TableRead read)
    {
        var endpoints = new List<JsonObject>();
        var hidden = 0;
        foreach (var row in read.Table.Rows)
        {
            if (read.Identity(row, "endpoints") is not (string ns, string name))
            {
                continue;
            }

            var text = KubectlTable.Value(row, "ENDPOINTS") ?? "";
            var more = text.IndexOf(" + ", StringComparison.Ordinal);
            if (more >= 0)
            {
                // "10.244.0.2:53,10.244.0.4:53,10.244.0.2:53 + 3 more...": kubectl shows three address:port pairs.
                var count = text[(more + 3)..].Split(' ')[0];
                hidden += int.TryParse(count, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 1;
                text = text[..more];
            }

            var pairs = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(AddressPort).OfType<(string Ip, int Port)>().ToList();
            var subsets = new JsonArray();
            if (pairs.Count > 0)
            {
                subsets.Add(new JsonObject
                {
                    ["addresses"] = new JsonArray(pairs.Select(p => p.Ip).Distinct(StringComparer.Ordinal).Select(ip => (JsonNode)new JsonObject { ["ip"] = ip }).ToArray()),
                    ["ports"] = new JsonArray(pairs.Select(p => p.Port).Distinct().Select(port => (JsonNode)new JsonObject { ["port"] = port }).ToArray()),
                });
            }

            endpoints.Add(new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Endpoints", ["metadata"] = Metadata(name, ns, null), ["subsets"] = subsets });
        }

        if (hidden > 0)
        {
            read.Truncated = true;
            read.Remarks.Add($"the table truncates: {hidden} address:port pair(s) behind \"+ N more...\" not shown, so the addresses read are a lower bound (kubectl get endpoints -o json lists them all)");
        }

        return (endpoints, $"read {endpoints.Count} endpoints object(s) from a kubectl get endpoints table{(read.NamespaceFrom is { } from ? $" ({from})" : "")}",
            "a table shows ready addresses only: not-ready ones unknown");
    }

    private static (List<JsonObject>, string, string) PodMetrics(TableRead read)
    {
        var byPod = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        var perContainer = read.Table.Has("POD");
        foreach (var row in read.Table.Rows)
        {
            if (read.Identity(row, "pod", podColumn: perContainer ? "POD" : "NAME") is not (string ns, string name))
            {
                continue;
            }

            var cpu = Quantity(KubectlTable.Value(row, "CPU(cores)"));
            var memory = Quantity(KubectlTable.Value(row, "MEMORY(bytes)"));
            var containerName = perContainer ? KubectlTable.Value(row, "NAME") : null;
            if (cpu is null || memory is null || (perContainer && (containerName is null || !RequestValidator.IsDnsLabel(containerName))))
            {
                read.Unusable++;
                continue;
            }

            var key = SnapshotObjects.Key(ns, name);
            if (!byPod.TryGetValue(key, out var metrics))
            {
                metrics = new JsonObject
                {
                    ["apiVersion"] = "metrics.k8s.io/v1beta1", ["kind"] = "PodMetrics", ["metadata"] = Metadata(name, ns, null), ["containers"] = new JsonArray(),
                };
                byPod[key] = metrics;
            }

            // Without --containers the row is the pod's total: one unnamed container, the pod's only one as far as the table tells.
            var container = new JsonObject { ["usage"] = new JsonObject { ["cpu"] = cpu, ["memory"] = memory } };
            Set(container, "name", containerName);
            metrics["containers"]!.AsArray().Add(container);
        }

        if (read.Unusable > 0)
        {
            read.Remarks.Add($"{read.Unusable} row(s) without a readable CPU, memory or container name skipped");
        }

        return (byPod.Values.ToList(), $"read the usage of {byPod.Count} pod(s) from a kubectl top pods table{(read.NamespaceFrom is { } from ? $" ({from})" : "")}",
            "usage only: the limits it is compared with come from the pods' JSON (kubectl get pods -o json)"
            + (perContainer ? "" : "; without --containers the pod's total is read as its one container's"));
    }

    /// <summary>The annotation a node's NodeMetrics read from <c>kubectl top nodes</c> keeps kubectl's CPU% in (no API object has it).</summary>
    public const string KubectlCpuPercent = "dnsexpert.io/kubectl-cpu-percent";

    /// <summary>
    /// <c>kubectl top nodes</c> (NAME CPU(cores) CPU% MEMORY(bytes) MEMORY%): NodeMetrics as metrics.k8s.io gives them.
    /// The percentages are kubectl's against allocatable; the node's own is computed from its JSON, as for the API's.
    /// </summary>
    private static (List<JsonObject>, string, string) NodeMetrics(TableRead read)
    {
        var metrics = new List<JsonObject>();
        foreach (var row in read.Table.Rows)
        {
            if (read.NodeName(row) is not { } name)
            {
                continue;
            }

            if (Quantity(KubectlTable.Value(row, "CPU(cores)")) is not { } cpu || Quantity(KubectlTable.Value(row, "MEMORY(bytes)")) is not { } memory)
            {
                // "<unknown>" while metrics-server has no sample yet.
                read.Unusable++;
                continue;
            }

            var metadata = Metadata(name, null, null);
            if (KubectlTable.Value(row, "CPU%") is { Length: > 1 } share && share[^1] == '%'
                && double.TryParse(share[..^1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var percent))
            {
                metadata["annotations"] = new JsonObject { [KubectlCpuPercent] = percent.ToString(System.Globalization.CultureInfo.InvariantCulture) };
            }

            metrics.Add(new JsonObject
            {
                ["apiVersion"] = "metrics.k8s.io/v1beta1", ["kind"] = "NodeMetrics", ["metadata"] = metadata,
                ["usage"] = new JsonObject { ["cpu"] = cpu, ["memory"] = memory },
            });
        }

        if (read.Unusable > 0)
        {
            read.Remarks.Add($"{read.Unusable} row(s) without a readable CPU or memory (<unknown>) skipped");
        }

        return (metrics, $"read the usage of {metrics.Count} node(s) from a kubectl top nodes table",
            "the CPU share is computed against the nodes' allocatable CPU from their JSON (kubectl get nodes -o json) when it is read, else kubectl's CPU% is taken");
    }

    private static JsonObject Metadata(string name, string? ns, IReadOnlyDictionary<string, string>? labels)
    {
        var metadata = new JsonObject { ["name"] = name };
        Set(metadata, "namespace", ns);
        if (labels is not null)
        {
            metadata["labels"] = Labels(labels);
        }

        return metadata;
    }

    private static JsonObject Labels(IReadOnlyDictionary<string, string> labels)
    {
        var json = new JsonObject();
        foreach (var (key, value) in labels)
        {
            json[key] = value;
        }

        return json;
    }

    private static void Set(JsonObject json, string property, string? value)
    {
        if (value is not null)
        {
            json[property] = value;
        }
    }

    private static string? Unprefixed(string? name, string kind) =>
        name is not null && name.StartsWith(kind + "/", StringComparison.Ordinal) ? name[(kind.Length + 1)..] : name;

    private static (int Ready, int Total) ReadyCount(string? ready)
    {
        var parts = (ready ?? "").Split('/');
        return parts.Length == 2 && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var r)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var t) && t <= MaxContainersPerPod && r <= t
            ? (r, t)
            : (0, 1);
    }

    /// <summary>"9" or "9 (3m10s ago)" (kubectl 1.22 and later): the restart count.</summary>
    private static int Restarts(string? restarts) =>
        int.TryParse((restarts ?? "").Split(' ')[0], NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0;

    /// <summary>
    /// The STATUS column (kubectl's summary of phase and container states) as a phase, a waiting reason and a last
    /// termination reason. A container that crashed and is restarted leaves its pod Running.
    /// </summary>
    private static (string Phase, string? Waiting, string? Terminated) PodStatus(string? status, int restarts)
    {
        var reason = status is not null && status.StartsWith("Init:", StringComparison.Ordinal) ? status[5..] : status;
        var init = !ReferenceEquals(reason, status);
        return reason switch
        {
            "Running" or "Terminating" or "NotReady" when !init => ("Running", null, null),
            "Pending" or "Unknown" or "Failed" or "Succeeded" when !init => (reason, null, null),
            "Completed" when !init => ("Succeeded", null, null),
            "Evicted" or "OutOfcpu" or "OutOfmemory" or "NodeAffinity" or "Shutdown" => ("Failed", null, null),
            "CrashLoopBackOff" or "RunContainerError" => (init ? "Pending" : "Running", reason, null),
            "ContainerCreating" or "PodInitializing" or "ImagePullBackOff" or "ErrImagePull" or "CreateContainerConfigError"
                or "CreateContainerError" or "InvalidImageName" or "ErrImageNeverPull" => ("Pending", reason, null),
            "Error" or "OOMKilled" or "ContainerCannotRun" or "StartError" => (restarts > 0 && !init ? "Running" : init ? "Pending" : "Failed", null, reason),
            _ when init => ("Pending", "PodInitializing", null),
            _ => ("Unknown", null, null),
        };
    }

    private static string? Ip(string? text) => text is not null && IPAddress.TryParse(text, out var ip) ? ip.ToString() : null;

    private static (string Ip, int Port)? AddressPort(string pair)
    {
        var colon = pair.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(pair[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            return null;
        }

        return Ip(pair[..colon].Trim('[', ']')) is { } ip ? (ip, port) : null;
    }

    /// <summary>"53/UDP,53/TCP,9153/TCP", "8080:30373/TCP": the Service ports with protocol and node port.</summary>
    private static JsonArray Ports(string? text)
    {
        var ports = new JsonArray();
        foreach (var entry in (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var (numbers, protocol) = entry.Split('/') is [var n, var p] ? (n, p) : (entry, "TCP");
            var parts = numbers.Split(':');
            if (protocol is not ("TCP" or "UDP" or "SCTP") || parts.Length > 2
                || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
            {
                continue;
            }

            var json = new JsonObject { ["port"] = port, ["protocol"] = protocol };
            if (parts.Length == 2 && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var nodePort))
            {
                json["nodePort"] = nodePort;
            }

            ports.Add(json);
        }

        return ports;
    }

    /// <summary>An equality selector (<c>k8s-app=kube-dns,tier=dns</c>, also <c>==</c>) as labels; null for any other form or invalid syntax.</summary>
    internal static Dictionary<string, string>? Selector(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var term in text.Split(','))
        {
            var parts = term.Replace("==", "=", StringComparison.Ordinal).Split('=');
            if (parts.Length != 2 || !LabelKey(parts[0].Trim()) || !LabelValue(parts[1].Trim()) || parts[0].EndsWith('!'))
            {
                return null;
            }

            labels[parts[0].Trim()] = parts[1].Trim();
        }

        return labels;
    }

    private static bool LabelKey(string key)
    {
        var slash = key.LastIndexOf('/');
        var (prefix, name) = slash < 0 ? (null, key) : (key[..slash], key[(slash + 1)..]);
        return (prefix is null || RequestValidator.IsDnsSubdomain(prefix)) && name.Length is > 0 and <= 63 && LabelValue(name);
    }

    /// <summary>A label value: empty, or a label name (<see cref="CommandValue.IsLabelName"/>).</summary>
    private static bool LabelValue(string value) => value.Length == 0 || CommandValue.IsLabelName(value);

    /// <summary>A CPU or memory quantity as printed (<c>3m</c>, <c>12Mi</c>), or null when it is not one.</summary>
    private static string? Quantity(string? text)
    {
        if (text is null || text.Length > 32)
        {
            return null;
        }

        try
        {
            _ = new ResourceQuantity(text).ToDecimal();
            return text;
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or OverflowException)
        {
            return null;
        }
    }

    /// <summary>What the command says about the rows: the resource, namespace, all namespaces, an equality selector.</summary>
    private sealed record CommandFlags(string? Resource, string? Namespace, bool AllNamespaces, IReadOnlyDictionary<string, string>? Labels, bool SelectorGiven)
    {
        /// <summary>The request's target pod (<c>namespace/name</c>), whose row is not read.</summary>
        public string? Target { get; init; }

        public static CommandFlags Of(string[] words)
        {
            string? resource = null, ns = null, selector = null;
            var all = false;
            var verb = Array.FindIndex(words, w => w is "get" or "top");
            for (var i = 1; i < words.Length; i++)
            {
                var word = words[i];
                string? Value(string flag) => KubectlArgs.Value(words, ref i, flag);
                if (word is "-A" or "--all-namespaces")
                {
                    all = true;
                }
                else if ((Value("-n") ?? Value("--namespace")) is { } n)
                {
                    ns = n;
                }
                else if ((Value("-l") ?? Value("--selector")) is { } l)
                {
                    selector = l;
                }
                else if ((Value("-o") ?? Value("--output") ?? Value("--sort-by") ?? Value("-c") ?? Value("--context")) is not null)
                {
                }
                else if (!word.StartsWith('-') && verb >= 0 && i > verb && resource is null)
                {
                    resource = word.Split('/')[0].Split(',')[0].ToLowerInvariant();
                }
            }

            return new CommandFlags(resource, ns is not null && RequestValidator.IsDnsLabel(ns) ? ns : null, all, Selector(selector), selector is not null);
        }
    }

    /// <summary>The state of reading one table: the rows skipped and the remarks for the note.</summary>
    private sealed class TableRead(KubectlTable table, CommandFlags flags)
    {
        public KubectlTable Table { get; } = table;
        public CommandFlags Flags { get; } = flags;
        public List<string> Remarks { get; } = [];
        public int Misnamed { get; set; }
        public int Unusable { get; set; }
        public bool Truncated { get; set; }

        /// <summary>Where the rows' namespace comes from, for the note.</summary>
        public string? NamespaceFrom => Table.Has("NAMESPACE") ? "namespace column"
            : Flags.Namespace is { } ns ? $"namespace {ns}"
            : "namespace default: the command names none";

        /// <summary>A row's namespace and name (a <c>kind/</c> prefix of <c>kubectl get all</c> removed), or null (counted) when Kubernetes would refuse either.</summary>
        public (string Namespace, string Name)? Identity(IReadOnlyDictionary<string, string> row, string kind, bool label = false, string podColumn = "NAME")
        {
            var ns = Table.Has("NAMESPACE") ? KubectlTable.Value(row, "NAMESPACE") : Flags.Namespace ?? "default";
            var name = Unprefixed(KubectlTable.Value(row, podColumn), kind == "service" ? "service" : kind == "endpoints" ? "endpoints" : "pod");
            if (ns is null || name is null || !RequestValidator.IsDnsLabel(ns) || !(label ? RequestValidator.IsDnsLabel(name) : RequestValidator.IsDnsSubdomain(name)))
            {
                Misnamed++;
                return null;
            }

            return (ns, name);
        }

        /// <summary>A node's name (a <c>node/</c> prefix removed), or null (counted) when Kubernetes would refuse it.</summary>
        public string? NodeName(IReadOnlyDictionary<string, string> row)
        {
            var name = Unprefixed(KubectlTable.Value(row, "NAME"), "node");
            if (name is null || !RequestValidator.IsDnsSubdomain(name))
            {
                Misnamed++;
                return null;
            }

            return name;
        }
    }
}
