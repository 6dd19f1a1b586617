using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DnsExpert.Contract;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace DnsExpert.Testing;

/// <summary>What the fixture does to requests under a path.</summary>
public enum Fault
{
    Forbidden,
    NotFound,
    ServerError,
    Slow,
    ConnectionReset,

    /// <summary>200 OK with a body that is not JSON.</summary>
    Garbage,
}

/// <summary>
/// A Kubernetes API server in miniature on 127.0.0.1: the real REST paths and JSON (get, list with label and field
/// selectors, pod logs with tailLines and timestamps, metrics.k8s.io), serving the objects of a scenario snapshot,
/// with faults injected per path and every request counted.
/// </summary>
public sealed class FixtureApiServer : IAsyncDisposable
{
    private static readonly Dictionary<string, (string GroupVersion, string Plural, bool Namespaced)> Kinds = new(StringComparer.Ordinal)
    {
        ["Pod"] = ("v1", "pods", true),
        ["Service"] = ("v1", "services", true),
        ["Endpoints"] = ("v1", "endpoints", true),
        ["ConfigMap"] = ("v1", "configmaps", true),
        ["Node"] = ("v1", "nodes", false),
        ["EndpointSlice"] = ("discovery.k8s.io/v1", "endpointslices", true),
        ["Deployment"] = ("apps/v1", "deployments", true),
        ["DaemonSet"] = ("apps/v1", "daemonsets", true),
        ["StatefulSet"] = ("apps/v1", "statefulsets", true),
        ["NetworkPolicy"] = ("networking.k8s.io/v1", "networkpolicies", true),
        ["PodMetrics"] = ("metrics.k8s.io/v1beta1", "pods", true),
        ["NodeMetrics"] = ("metrics.k8s.io/v1beta1", "nodes", false),
        ["Event"] = ("v1", "events", true),
        ["Namespace"] = ("v1", "namespaces", false),
        ["GlobalNetworkPolicy"] = ("crd.projectcalico.org/v1", "globalnetworkpolicies", false),
        ["CiliumNetworkPolicy"] = ("cilium.io/v2", "ciliumnetworkpolicies", true),
        ["CiliumClusterwideNetworkPolicy"] = ("cilium.io/v2", "ciliumclusterwidenetworkpolicies", false),
    };

    /// <summary>CNI API groups: served only when the scenario holds objects of them (else 404, as without the CRDs).</summary>
    private static readonly string[] CniGroups = ["projectcalico.org/", "crd.projectcalico.org/", "cilium.io/"];

    private readonly WebApplication _app;
    private readonly List<(string GroupVersion, string Plural, string? Namespace, string Name, string Kind, JsonObject Object)> _objects = [];
    private readonly List<LogArtifact> _logs;
    private readonly List<FileArtifact> _files;

    private FixtureApiServer(WebApplication app, Snapshot snapshot)
    {
        _app = app;
        _logs = [.. snapshot.Logs ?? []];
        _files = [.. snapshot.Files ?? []];
        foreach (var element in snapshot.Objects ?? [])
        {
            Add(JsonNode.Parse(element.GetRawText())!.AsObject());
        }

        // Every namespace an object lives in (and kube-system) exists, labelled as the API server labels it since 1.21.
        var declared = _objects.Where(o => o.Kind == "Namespace").Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var ns in _objects.Select(o => o.Namespace).OfType<string>().Append("kube-system").Distinct(StringComparer.Ordinal).Where(n => !declared.Contains(n)).ToList())
        {
            Add(new JsonObject
            {
                ["apiVersion"] = "v1",
                ["kind"] = "Namespace",
                ["metadata"] = new JsonObject { ["name"] = ns, ["labels"] = new JsonObject { ["kubernetes.io/metadata.name"] = ns } },
                ["status"] = new JsonObject { ["phase"] = "Active" },
            });
        }
    }

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>Every request as "GET /path?query", in order.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    /// <summary>Faults by path prefix (e.g. "/api/v1/namespaces/kube-system/configmaps/coredns").</summary>
    public ConcurrentDictionary<string, Fault> Faults { get; } = new(StringComparer.Ordinal);

    /// <summary>Serve metrics.k8s.io (a cluster without metrics-server answers 404).</summary>
    public bool MetricsAvailable { get; set; } = true;

    /// <summary>How long a slow path stalls: well past any collector timeout of the tests (a loaded CI machine gets 10 s).</summary>
    public TimeSpan SlowDelay { get; set; } = TimeSpan.FromSeconds(60);

    public static async Task<FixtureApiServer> StartAsync(Snapshot snapshot)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new FixtureApiServer(app, snapshot);
        app.UseWebSockets();
        app.Run(server.Handle);
        await app.StartAsync();
        server.BaseAddress = new Uri(app.Urls.First());
        return server;
    }

    /// <summary>A kubeconfig pointing at this server, as a user's would.</summary>
    public string WriteKubeconfig(string directory)
    {
        var path = Path.Combine(directory, "kubeconfig");
        File.WriteAllText(path, $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: fixture
              cluster:
                server: {BaseAddress.ToString().TrimEnd('/')}
            contexts:
            - name: fixture
              context:
                cluster: fixture
                user: dnsexpert
            current-context: fixture
            users:
            - name: dnsexpert
              user:
                token: fixture-token
            """);
        return path;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private void Add(JsonObject obj)
    {
        var kind = obj["kind"]?.GetValue<string>() ?? "";
        if (kind.EndsWith("List", StringComparison.Ordinal) && obj["items"] is JsonArray items)
        {
            foreach (var item in items.ToList())
            {
                Add(item!.DeepClone().AsObject());
            }

            return;
        }

        if (Kinds.TryGetValue(kind, out var k))
        {
            if (kind == "Event" && obj["apiVersion"]?.GetValue<string>() is { } api && api.StartsWith("events.k8s.io/", StringComparison.Ordinal))
            {
                k = (api, "events", true); // the events.k8s.io view, under its own group
            }
            else if (obj["apiVersion"]?.GetValue<string>() is { } cniApi && CniGroups.Any(g => cniApi.StartsWith(g, StringComparison.Ordinal)))
            {
                k = (cniApi, kind == "NetworkPolicy" ? "networkpolicies" : k.Plural, k.Namespaced); // Calico's NetworkPolicy, not Kubernetes'
            }

            var meta = obj["metadata"]!;
            _objects.Add((k.GroupVersion, k.Plural, k.Namespaced ? meta["namespace"]?.GetValue<string>() ?? "default" : null, meta["name"]!.GetValue<string>(), kind, obj));
        }
    }

    private async Task Handle(HttpContext context)
    {
        var request = context.Request;
        Requests.Enqueue($"{request.Method} {request.Path}{request.QueryString}");
        var path = request.Path.Value ?? "/";
        foreach (var (prefix, fault) in Faults)
        {
            if (path.StartsWith(prefix, StringComparison.Ordinal))
            {
                switch (fault)
                {
                    case Fault.Forbidden:
                        await Status(context, 403, "Forbidden", $"pods is forbidden: User \"system:serviceaccount:dnsexpert:dnsexpert\" cannot get resource at {path}");
                        return;
                    case Fault.NotFound:
                        await Status(context, 404, "NotFound", "the server could not find the requested resource");
                        return;
                    case Fault.ServerError:
                        await Status(context, 500, "InternalError", "etcdserver: request timed out");
                        return;
                    case Fault.Slow:
                        await Task.Delay(SlowDelay, context.RequestAborted);
                        break;
                    case Fault.ConnectionReset:
                        context.Abort();
                        return;
                    case Fault.Garbage:
                        context.Response.ContentType = "application/json";
                        await context.Response.WriteAsync("{\"kind\": \"Pod\", \"metadata\": \u0000\u0001 <html>not json", context.RequestAborted);
                        return;
                }
            }
        }

        var segments = path.Trim('/').Split('/');
        string groupVersion;
        int rest;
        if (segments is ["api", "v1", ..])
        {
            (groupVersion, rest) = ("v1", 2);
        }
        else if (segments.Length >= 3 && segments[0] == "apis")
        {
            (groupVersion, rest) = ($"{segments[1]}/{segments[2]}", 3);
        }
        else
        {
            await Status(context, 404, "NotFound", "the server could not find the requested resource");
            return;
        }

        if ((groupVersion.StartsWith("metrics.k8s.io", StringComparison.Ordinal) && !MetricsAvailable)
            || (CniGroups.Any(g => groupVersion.StartsWith(g, StringComparison.Ordinal)) && !_objects.Any(o => o.GroupVersion == groupVersion)))
        {
            await Status(context, 404, "NotFound", "the server could not find the requested resource");
            return;
        }

        string? ns = null;
        // namespaces/NAME/... is a namespace's objects; namespaces/NAME alone is the Namespace object.
        if (segments.Length > rest + 2 && segments[rest] == "namespaces")
        {
            ns = segments[rest + 1];
            rest += 2;
        }

        if (segments.Length <= rest)
        {
            await Status(context, 404, "NotFound", "the server could not find the requested resource");
            return;
        }

        var plural = segments[rest];
        var name = segments.Length > rest + 1 ? segments[rest + 1] : null;
        var sub = segments.Length > rest + 2 ? segments[rest + 2] : null;
        var candidates = _objects.Where(o => o.GroupVersion == groupVersion && o.Plural == plural && (ns is null || o.Namespace == ns)).ToList();

        if (name is null)
        {
            var selected = candidates.Where(o => MatchesLabels(o.Object, request.Query["labelSelector"]) && MatchesFields(o.Object, request.Query["fieldSelector"])).ToList();
            var kind = selected.FirstOrDefault().Kind ?? Kinds.FirstOrDefault(k => k.Value.GroupVersion == groupVersion && k.Value.Plural == plural).Key ?? "Unknown";
            var list = new JsonObject
            {
                ["apiVersion"] = groupVersion,
                ["kind"] = kind + "List",
                ["metadata"] = new JsonObject { ["resourceVersion"] = "4521400" },
                ["items"] = new JsonArray(selected.Select(o => (JsonNode)Strip(o.Object)).ToArray()),
            };
            await Json(context, 200, list);
            return;
        }

        // pods/NAME:PORT/proxy/metrics: the scenario's scrapes of that path (kubectl get --raw), one per request in turn.
        if (plural == "pods" && sub == "proxy" && name.Split(':') is [var proxied, var port])
        {
            await Proxy(context, ns!, proxied, port, string.Join('/', segments.Skip(rest + 3)));
            return;
        }

        var found = candidates.FirstOrDefault(o => o.Name == name);
        if (found.Object is null)
        {
            await Status(context, 404, "NotFound", $"{plural} \"{name}\" not found");
            return;
        }

        if (sub == "exec" && context.WebSockets.IsWebSocketRequest)
        {
            await Exec(context, ns!, name, request.Query["command"].ToArray());
            return;
        }

        if (sub == "log")
        {
            await Log(context, ns!, name, request.Query["container"], request.Query["tailLines"], request.Query["timestamps"]);
            return;
        }

        await Json(context, 200, found.Object.DeepClone());
    }

    /// <summary>
    /// Exec over the channel.k8s.io WebSocket protocol: each binary message starts with its channel (1 stdout,
    /// 2 stderr, 3 the final Status). Only <c>cat FILE</c> of a file in the scenario is supported.
    /// </summary>
    private async Task Exec(HttpContext context, string ns, string pod, string?[] command)
    {
        if (!context.WebSockets.WebSocketRequestedProtocols.Contains("v4.channel.k8s.io"))
        {
            await Status(context, 400, "BadRequest", "unsupported exec subprotocol");
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync("v4.channel.k8s.io");
        var file = command is ["cat", { } path] ? _files.FirstOrDefault(f => (f.Namespace ?? "default") == ns && f.Pod == pod && f.Path == path) : null;
        if (file?.Text is { } text)
        {
            await Send(socket, 1, Encoding.UTF8.GetBytes(text));
            await Send(socket, 3, Encoding.UTF8.GetBytes("""{"metadata":{},"status":"Success"}"""));
        }
        else
        {
            await Send(socket, 2, Encoding.UTF8.GetBytes($"cat: {string.Join(' ', command.Skip(1))}: No such file or directory\n"));
            await Send(socket, 3, Encoding.UTF8.GetBytes("""{"metadata":{},"status":"Failure","message":"command terminated with non-zero exit code: error executing command [cat], exit code 1","reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"1"}]}}"""));
        }

        await socket.CloseAsync(System.Net.WebSockets.WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
    }

    private static Task Send(System.Net.WebSockets.WebSocket socket, byte channel, byte[] data) =>
        socket.SendAsync(new ArraySegment<byte>([channel, .. data]), System.Net.WebSockets.WebSocketMessageType.Binary, endOfMessage: true, CancellationToken.None);

    private readonly ConcurrentDictionary<string, int> _proxied = new(StringComparer.Ordinal);

    /// <summary>
    /// The API server's pod proxy: the scenario's files whose command is <c>kubectl get --raw</c> of this path, served in
    /// their order, one per request (the last again after that); a pod that is not Running answers 503 as the proxy does.
    /// </summary>
    private async Task Proxy(HttpContext context, string ns, string pod, string port, string path)
    {
        var command = $"kubectl get --raw /api/v1/namespaces/{ns}/pods/{pod}:{port}/proxy/{path}";
        var scrapes = _files.Where(f => f.Command == command && f.Text is not null).ToList();
        var podObject = _objects.FirstOrDefault(o => o.Plural == "pods" && o.Namespace == ns && o.Name == pod).Object;
        if (podObject is null)
        {
            await Status(context, 404, "NotFound", $"pods \"{pod}\" not found");
            return;
        }

        if (scrapes.Count == 0)
        {
            await Status(context, 503, "ServiceUnavailable", $"error trying to reach service: dial tcp 10.244.0.5:{port}: connect: connection refused");
            return;
        }

        var turn = _proxied.AddOrUpdate(command, 0, (_, n) => n + 1);
        context.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
        await context.Response.WriteAsync(scrapes[Math.Min(turn, scrapes.Count - 1)].Text!, context.RequestAborted);
    }

    /// <summary>Items of a real list carry no kind or apiVersion.</summary>
    private static JsonObject Strip(JsonObject obj)
    {
        var copy = obj.DeepClone().AsObject();
        copy.Remove("kind");
        copy.Remove("apiVersion");
        return copy;
    }

    private async Task Log(HttpContext context, string ns, string pod, string? container, string? tailLines, string? timestamps)
    {
        var log = _logs.FirstOrDefault(l => (l.Namespace ?? "kube-system") == ns && l.Pod == pod && (container is null || l.Container is null || l.Container == container));
        if (log is null)
        {
            await Status(context, 400, "BadRequest", $"container \"{container}\" in pod \"{pod}\" is waiting to start: ContainerCreating");
            return;
        }

        var lines = (log.Text?.Value ?? "").Split('\n').Where(l => l.Length > 0).ToList();
        if (int.TryParse(tailLines, NumberStyles.None, CultureInfo.InvariantCulture, out var tail))
        {
            lines = lines.TakeLast(tail).ToList();
        }

        if (timestamps == "true")
        {
            // The API server prefixes RFC 3339 timestamps; fixture lines that already have one keep it.
            lines = lines.Select(l => char.IsAsciiDigit(l[0]) && l.Length > 20 && l[10] == 'T' ? l : "2024-05-13T08:20:00.000000000Z " + l).ToList();
        }

        context.Response.ContentType = "text/plain";
        await context.Response.WriteAsync(string.Join('\n', lines) + "\n", Encoding.UTF8);
    }

    private static bool MatchesLabels(JsonObject obj, string? selector)
    {
        if (string.IsNullOrEmpty(selector))
        {
            return true;
        }

        var labels = obj["metadata"]?["labels"] as JsonObject;
        foreach (var term in Requirements(selector))
        {
            // A set requirement, as the API server reads it: key in (v1,v2).
            var set = term.IndexOf(" in (", StringComparison.Ordinal);
            if (set > 0 && term.EndsWith(')'))
            {
                var values = term[(set + " in (".Length)..^1].Split(',');
                if (labels?[term[..set]]?.GetValue<string>() is not { } value || !values.Contains(value, StringComparer.Ordinal))
                {
                    return false;
                }

                continue;
            }

            var notEqual = term.Split("!=");
            var equal = term.Split('=');
            if (notEqual.Length == 2)
            {
                if (labels?[notEqual[0]]?.GetValue<string>() == notEqual[1])
                {
                    return false;
                }
            }
            else if (equal.Length == 2 || equal.Length == 3)
            {
                if (labels?[equal[0]]?.GetValue<string>() != equal[^1])
                {
                    return false;
                }
            }
            else if (labels?[term] is null)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The requirements of a label selector: split at the commas outside a set's parentheses.</summary>
    private static List<string> Requirements(string selector)
    {
        var requirements = new List<string>();
        var (start, depth) = (0, 0);
        for (var i = 0; i < selector.Length; i++)
        {
            depth += selector[i] switch { '(' => 1, ')' => -1, _ => 0 };
            if (selector[i] == ',' && depth == 0)
            {
                requirements.Add(selector[start..i]);
                start = i + 1;
            }
        }

        requirements.Add(selector[start..]);
        return requirements;
    }

    private static bool MatchesFields(JsonObject obj, string? selector)
    {
        if (string.IsNullOrEmpty(selector))
        {
            return true;
        }

        foreach (var term in selector.Split(','))
        {
            var parts = term.Split('=');
            JsonNode? value = obj;
            foreach (var segment in parts[0].Split('.'))
            {
                value = value?[segment];
            }

            if (value?.GetValue<string>() != parts[^1])
            {
                return false;
            }
        }

        return true;
    }

    private static Task Json(HttpContext context, int status, JsonNode body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(body.ToJsonString(), Encoding.UTF8);
    }

    private static Task Status(HttpContext context, int code, string reason, string message) =>
        Json(context, code, new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = message,
            ["reason"] = reason,
            ["code"] = code,
        });
}
