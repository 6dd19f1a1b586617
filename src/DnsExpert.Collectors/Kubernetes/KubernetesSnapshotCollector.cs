using System.Collections.Concurrent;
using System.Text;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using DnsExpert.Collectors.Node;
using DnsExpert.Collectors.Probes;
using DnsExpert.Collectors.Prometheus;
using DnsExpert.Contract;
using DnsExpert.Readers.Building;
using DnsExpert.Readers.Collection;
using DnsExpert.Text.Telemetry;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Options;

namespace DnsExpert.Collectors.Kubernetes;

/// <summary>
/// Reads what the runbook reads, each by the narrowest call (a GET by name, or a label/field selector in one
/// namespace), concurrently, each under its own timeout and all under one deadline. A 403, a missing API group, a
/// timeout or a dropped connection is a <c>collection</c> entry, never a failed diagnosis. The node agents are asked
/// through <paramref name="agents"/> (none: they are not asked, and the entry says so); the CoreDNS pods' counters over a
/// window through <paramref name="prometheus"/> (none: no Prometheus server is configured, and nothing is said).
/// </summary>
public sealed class KubernetesSnapshotCollector(
    IKubernetes client, IOptions<ClusterOptions> options, TimeProvider time, NodeAgentClient? agents = null, DnsProber? prober = null,
    PrometheusMetricsReader? prometheus = null) : ILiveSnapshotCollector
{
    private const string KubeSystem = "kube-system";
    private readonly ClusterOptions _options = options.Value;
    private readonly TimeProvider _time = time;
    private const string AgentSelector = "app.kubernetes.io/name=dnsexpert,app.kubernetes.io/component=agent";
    private const string DnsAutoscalerSelector = "k8s-app in (kube-dns-autoscaler,coredns-autoscaler,dns-autoscaler)";

    public async Task<CollectedSnapshot> CollectAsync(TargetRef? target, string? domain, bool probe, CancellationToken cancellationToken)
    {
        using var activity = Tracing.Source.StartActivity("collect");
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_options.Deadline);
        var run = new Run(this, target, deadline.Token);

        var ns = target?.Pod is null ? null : target.Namespace ?? "default";
        var clusterDns = CollectClusterDns(run);
        // NodeLocal DNSCache's DaemonSet, in whatever namespace: upstream's, RKE2's and GKE's by their label, the community
        // charts' (installed in their release's namespace) by theirs, kubespray's by its name (it labels the DaemonSet
        // k8s-app=kube-dns, only its pods k8s-app=node-local-dns).
        var nodeLocal = Task.WhenAll(
            run.Collect("DaemonSets (k8s-app=node-local-dns)", async ct => Items(await client.AppsV1.ListDaemonSetForAllNamespacesAsync(labelSelector: "k8s-app=node-local-dns", cancellationToken: ct))),
            run.Collect("DaemonSets (app.kubernetes.io/name=node-local-dns)", async ct => Items(await client.AppsV1.ListDaemonSetForAllNamespacesAsync(labelSelector: "app.kubernetes.io/name=node-local-dns", cancellationToken: ct)), optional: true),
            run.Collect("DaemonSet kube-system/nodelocaldns", async ct => [await client.AppsV1.ReadNamespacedDaemonSetAsync("nodelocaldns", KubeSystem, cancellationToken: ct)], optional: true));
        var tasks = new List<Task>
        {
            // AKS's custom Corefile parts, imported by its Corefile (custom/*.override, custom/*.server); absent elsewhere.
            run.Collect("ConfigMap kube-system/coredns-custom", async ct => [await client.CoreV1.ReadNamespacedConfigMapAsync("coredns-custom", KubeSystem, cancellationToken: ct)], optional: true),
            run.Collect("Service default/kubernetes", async ct => [await client.CoreV1.ReadNamespacedServiceAsync("kubernetes", "default", cancellationToken: ct)]),
            run.Collect("Deployment kube-system/coredns", async ct => [await client.AppsV1.ReadNamespacedDeploymentAsync("coredns", KubeSystem, cancellationToken: ct)], optional: true),
            // The cluster-proportional-autoscaler that owns the DNS replica count, by the labels distributions give it
            // (the kube-dns-autoscaler addon and GKE's, AKS's coredns-autoscaler, kubespray's dns-autoscaler): a
            // scale-out goes through its parameters, not kubectl scale.
            run.Collect($"Deployments kube-system ({DnsAutoscalerSelector})", async ct => Items(await client.AppsV1.ListNamespacedDeploymentAsync(KubeSystem, labelSelector: DnsAutoscalerSelector, cancellationToken: ct)), optional: true),
            nodeLocal,
            // kube-proxy's configuration, by the names distributions give it (kubeadm's kube-proxy, ACK's kube-proxy-worker).
            run.Collect("ConfigMap kube-system/kube-proxy", async ct => [await client.CoreV1.ReadNamespacedConfigMapAsync("kube-proxy", KubeSystem, cancellationToken: ct)], optional: true),
            run.Collect("ConfigMap kube-system/kube-proxy-worker", async ct => [await client.CoreV1.ReadNamespacedConfigMapAsync("kube-proxy-worker", KubeSystem, cancellationToken: ct)], optional: true),
            clusterDns,
        };

        // Calico's and Cilium's own policies, when their API groups exist (a 404 is a CNI not installed): named as not evaluated.
        foreach (var kind in CniPolicyKinds.Where(k => !k.Namespaced || ns is not null))
        {
            var source = kind.Namespaced ? $"{kind.Plural}.{kind.Group} {ns}" : $"{kind.Plural}.{kind.Group}";
            tasks.Add(run.Collect(source, ct => CniPolicies(kind, ns, ct), optional: true));
        }

        if (ns is not null)
        {
            tasks.Add(CollectTarget(run, ns, target!.Pod!, nodeLocal));
            tasks.Add(run.Collect($"NetworkPolicies {ns}", async ct => Items(await client.NetworkingV1.ListNamespacedNetworkPolicyAsync(ns, cancellationToken: ct))));
            if (!_options.ExecEnabled)
            {
                run.Skip($"Pod {ns}/{target.Pod} /etc/resolv.conf",
                    "exec is disabled (DnsExpert:Cluster:ExecEnabled); the pod's dnsPolicy and dnsConfig are used instead");
            }
        }

        if (ClusterName(domain, ns) is { } name)
        {
            tasks.Add(CollectFailingName(run, name.Namespace, name.Service));
        }

        // Without a Prometheus server, the cluster DNS pods' own counters: a first scrape as soon as the pods are known.
        var scraping = Scrapes ? ScrapeClusterDns(run, clusterDns) : null;
        if (scraping is not null)
        {
            tasks.Add(scraping);
        }

        await Task.WhenAll(tasks);
        // The CoreDNS pods' counters over the window, while the agents are asked.
        var metrics = prometheus?.ReadAsync((await clusterDns).Select(p => (p.Metadata?.NamespaceProperty ?? KubeSystem, p.Metadata?.Name ?? "")), deadline.Token);
        if (_options.AgentsEnabled)
        {
            await AskAgents(run, target, domain, probe && prober is not null, await clusterDns);
        }

        if (scraping is not null)
        {
            await ScrapeAgain(run, deadline.Token);
        }

        var read = metrics is null ? ((IReadOnlyList<MetricsArtifact> Metrics, CollectionEntry Entry)?)null : await metrics;
        cancellationToken.ThrowIfCancellationRequested();
        var snapshot = run.Snapshot();
        var entries = run.Entries();
        if (read is { } counters)
        {
            snapshot.Metrics = [.. counters.Metrics];
            entries.Add(counters.Entry);
        }

        entries.Add(await ProbeAsync(snapshot, target, domain, probe, cancellationToken));
        return new CollectedSnapshot(snapshot, entries);
    }

    /// <summary>The active probes the collected snapshot plans (cluster addresses and ports only), added to it; their collection entry.</summary>
    private async Task<CollectionEntry> ProbeAsync(Snapshot snapshot, TargetRef? target, string? domain, bool probe, CancellationToken cancellationToken)
    {
        if (prober is null || !probe)
        {
            return new CollectionEntry("probes", CollectionStatus.Skipped, prober is null ? "probing is not configured" : "switched off by the request");
        }

        var plan = ProbePlanner.Plan(snapshot, target, domain);
        var started = _time.GetTimestamp();
        using var probing = Tracing.Source.StartActivity("probes");
        probing?.SetTag("dnsexpert.probes", plan.Dns.Count + plan.Tcp.Count);
        var results = await prober.RunAsync(plan.Dns, plan.Tcp, cancellationToken);
        snapshot.Probes = [.. snapshot.Probes ?? [], .. results];
        var failed = results.Count(r => r.Outcome != ProbeOutcome.Answered);
        return new CollectionEntry("probes", CollectionStatus.Ok,
            $"{results.Count} probe(s) from {ProbePlanner.From}: {results.Count - failed} answered, {failed} failed", Math.Round(_time.GetElapsedTime(started).TotalMilliseconds, 1));
    }

    /// <summary>
    /// The cluster DNS, whatever the distribution names it (<see cref="ClusterDnsObjects.Layouts"/>: kube-system/kube-dns,
    /// OpenShift's openshift-dns/dns-default, RKE2's and kubespray's Services): each layout's Service by name (a 404 is a
    /// layout the cluster does not use), then the pods the first Service present selects (without one, each layout's
    /// labels in its namespace), their nodes, events and logs, and that layout's Corefile ConfigMap, endpoints and Namespace.
    /// </summary>
    /// <returns>The cluster DNS pods read.</returns>
    private async Task<IReadOnlyList<V1Pod>> CollectClusterDns(Run run)
    {
        var layouts = ClusterDnsObjects.Layouts;
        var services = await Task.WhenAll(layouts.Select(l => run.Collect($"Service {l.Namespace}/{l.Service}",
            async ct => [await client.CoreV1.ReadNamespacedServiceAsync(l.Service, l.Namespace, cancellationToken: ct)], optional: true)));
        var service = services.SelectMany(s => s).OfType<V1Service>().FirstOrDefault();

        // The pods the Service selects; without it, each layout's labels where that layout puts them.
        IEnumerable<(string Namespace, string Selector)> podLists = service is { Spec.Selector.Count: > 0 }
            ? [(service.Metadata.NamespaceProperty ?? KubeSystem, ClusterDnsLayout.SelectorOf(service.Spec.Selector))]
            : layouts.Select(l => (l.Namespace, l.Selector)).Distinct();
        var lists = await Task.WhenAll(podLists.Select(list => run.Collect($"Pods {list.Namespace} ({list.Selector})",
            async ct => Items(await client.CoreV1.ListNamespacedPodAsync(list.Namespace, labelSelector: list.Selector, cancellationToken: ct)))));
        var pods = lists.SelectMany(l => l).OfType<V1Pod>().ToList();

        var layout = layouts.FirstOrDefault(l => service?.Metadata is { } m && l.Namespace == m.NamespaceProperty && l.Service == m.Name)
            ?? layouts.FirstOrDefault(l => pods.Any(p => p.Metadata?.NamespaceProperty == l.Namespace && l.Carries(p.Metadata?.Labels)))
            ?? ClusterDnsObjects.Default;
        var (ns, name) = (layout.Namespace, service?.Metadata?.Name ?? layout.Service);
        var selector = service is { Spec.Selector.Count: > 0 } ? ClusterDnsLayout.SelectorOf(service.Spec.Selector) : layout.Selector;
        var work = new List<Task>
        {
            // kube-dns (GKE) has no Corefile: a 404 is a layout without one, not a failure.
            run.Collect($"ConfigMap {ns}/{layout.ConfigMap}", async ct => [await client.CoreV1.ReadNamespacedConfigMapAsync(layout.ConfigMap, ns, cancellationToken: ct)], optional: true),
            run.Collect($"EndpointSlices {ns}/{name}", async ct => Items(await client.DiscoveryV1.ListNamespacedEndpointSliceAsync(ns, labelSelector: $"kubernetes.io/service-name={name}", cancellationToken: ct))),
            run.Collect($"PodMetrics {ns} ({selector})", ct => PodMetrics(ns, selector, ct), metrics: true),
            // Its labels are what a NetworkPolicy's namespaceSelector must match to admit the cluster DNS pods.
            run.Collect($"Namespace {ns}", async ct => [await client.CoreV1.ReadNamespaceAsync(ns, cancellationToken: ct)]),
        };
        foreach (var node in pods.Select(p => p.Spec?.NodeName).OfType<string>().Distinct(StringComparer.Ordinal))
        {
            work.Add(run.Collect($"Node {node}", async ct => [await client.CoreV1.ReadNodeAsync(node, cancellationToken: ct)]));
            work.Add(run.Collect($"NodeMetrics {node}", ct => NodeMetrics(node, ct), metrics: true));
        }

        foreach (var pod in pods)
        {
            var (podNamespace, podName) = (pod.Metadata.NamespaceProperty ?? ns, pod.Metadata.Name);
            work.Add(CollectEvents(run, podNamespace, podName));
            var container = ClusterDnsObjects.DnsContainer(pod.Spec?.Containers)?.Name;
            work.Add(run.CollectLog($"Pod {podNamespace}/{podName} log", podNamespace, podName, container, ct => ReadLog(podNamespace, podName, container, ct)));
        }

        await Task.WhenAll(work);
        return pods;
    }

    /// <summary>The agents on the target's node and on the CoreDNS nodes report what only a node can see.</summary>
    private async Task AskAgents(Run run, TargetRef? target, string? domain, bool probe, IReadOnlyList<V1Pod> clusterDns)
    {
        var nodes = clusterDns.Concat(run.Objects().OfType<V1Pod>().Where(run.IsTarget))
            .Select(p => p.Spec?.NodeName).OfType<string>().Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        // Agents answer only callers holding their token, node facts included.
        var token = AgentToken(run);
        if (token is null)
        {
            return;
        }

        if (agents is null)
        {
            run.Skip("Node agents", "no node-agent client is configured: node facts and probes from the nodes were not read");
            return;
        }

        var snapshot = probe ? run.Snapshot() : null;
        await Task.WhenAll(nodes.Select(async node =>
        {
            Uri? agentBase = null;
            await run.CollectFiles($"Node agent {node}", async ct =>
            {
                var pods = await client.CoreV1.ListNamespacedPodAsync(_options.AgentNamespace, labelSelector: AgentSelector, fieldSelector: $"spec.nodeName={node}", cancellationToken: ct);
                var agent = pods.Items.FirstOrDefault(a => a.Status?.PodIP is not null);
                if (agent is null)
                {
                    return null;
                }

                var port = agent.Spec?.Containers?.SelectMany(c => c.Ports ?? []).FirstOrDefault(p => p.Name == "agent")?.ContainerPort ?? _options.AgentPort;
                agentBase = new UriBuilder(Uri.UriSchemeHttp, agent.Status!.PodIP, port).Uri;
                var report = await agents.ReadNodeAsync(agentBase, token, ct);
                return report?.Files.Select(f => new FileArtifact { Node = node, Path = f.Path, Command = f.Command, Text = f.Text }).ToList();
            });

            if (agentBase is null || snapshot is null)
            {
                return;
            }

            // The plan comes from the collected objects (kube-dns and CoreDNS pod addresses only), never from request text.
            var plan = ProbePlanner.PlanNode(snapshot!, target, domain, node);
            if (plan.Dns.Count + plan.Ping.Count > 0)
            {
                await run.CollectProbes($"Node agent {node} probes", ct => agents.ProbeAsync(agentBase, token, plan, ct));
            }
        }));
    }

    /// <summary>The agents' token, or null (then the agents are not asked, and the entry says why).</summary>
    private string? AgentToken(Run run)
    {
        if (string.IsNullOrWhiteSpace(_options.AgentTokenFile))
        {
            run.Skip("Node agents", "no agent token (DnsExpert:Cluster:AgentTokenFile): node facts and probes from the nodes were not read");
            return null;
        }

        string? problem;
        try
        {
            var token = File.ReadAllText(_options.AgentTokenFile).Trim();
            if (token.Length > 0)
            {
                return token;
            }

            problem = "the agent token file is empty";
        }
        catch (IOException ex)
        {
            problem = $"the agent token could not be read ({ex.GetType().Name})";
        }
        catch (UnauthorizedAccessException)
        {
            problem = "the agent token file is not readable";
        }

        run.Skip("Node agents", $"{problem}: node facts and probes from the nodes were not read");
        return null;
    }

    private async Task CollectTarget(Run run, string ns, string pod, Task<IReadOnlyList<object>[]> nodeLocal)
    {
        var found = await run.Collect($"Pod {ns}/{pod}", async ct => [await client.CoreV1.ReadNamespacedPodAsync(pod, ns, cancellationToken: ct)]);
        var target = found.OfType<V1Pod>().FirstOrDefault();
        var work = new List<Task> { CollectEvents(run, ns, pod) };
        if (target?.Spec?.NodeName is { } node)
        {
            work.Add(run.Collect($"Node {node}", async ct => [await client.CoreV1.ReadNodeAsync(node, cancellationToken: ct)]));
            work.Add(run.Collect($"NodeMetrics {node}", ct => NodeMetrics(node, ct), metrics: true));
            work.Add(CollectNodeLocal(run, node, nodeLocal));
        }

        if (_options.ExecEnabled)
        {
            var container = target?.Spec?.Containers?.FirstOrDefault()?.Name;
            work.Add(container is null
                ? Task.Run(() => run.Skip($"Pod {ns}/{pod} /etc/resolv.conf", "the pod could not be read, so there is no container to exec into"))
                : run.CollectFile($"Pod {ns}/{pod} /etc/resolv.conf", ns, pod, "/etc/resolv.conf", ct => ReadFileByExec(ns, pod, container, "/etc/resolv.conf", ct)));
        }

        await Task.WhenAll(work);
    }

    /// <summary>
    /// NodeLocal DNSCache on the target's node, when its DaemonSet was found: its pod there (one list, by the
    /// DaemonSet's selector and the node) and its log, which says whether it reaches its upstreams (<c>nodelocal-upstream-timeout</c>).
    /// </summary>
    private async Task CollectNodeLocal(Run run, string node, Task<IReadOnlyList<object>[]> nodeLocal)
    {
        // Every DaemonSet listed is NodeLocal's (by its label or kubespray's name); kube-system's first, as the readers take it.
        var daemonSet = (await nodeLocal).SelectMany(d => d).OfType<V1DaemonSet>().OrderBy(d => d.Metadata?.NamespaceProperty == KubeSystem ? 0 : 1).FirstOrDefault();
        if (daemonSet?.Spec?.Selector?.MatchLabels is not { Count: > 0 } labels)
        {
            return;
        }

        var selector = ClusterDnsLayout.SelectorOf(labels);
        var ns = daemonSet.Metadata?.NamespaceProperty ?? KubeSystem;
        var pods = await run.Collect($"Pods {ns} ({selector} on {node})", async ct => Items(await client.CoreV1.ListNamespacedPodAsync(
            ns, labelSelector: selector, fieldSelector: $"spec.nodeName={node}", cancellationToken: ct)));
        await Task.WhenAll(pods.OfType<V1Pod>().Select(pod =>
        {
            var (podName, container) = (pod.Metadata.Name, pod.Spec?.Containers?.FirstOrDefault(c => c.Name == "node-cache")?.Name ?? pod.Spec?.Containers?.FirstOrDefault()?.Name);
            var log = run.CollectLog($"Pod {ns}/{podName} log", ns, podName, container, ct => ReadLog(ns, podName, container, ct));
            // node-cache's own counters (coredns_nodecache_setup_errors_total) on :9353, whether or not its ports say so.
            return Scrapes && pod.Status?.Phase == "Running" && Contract.RequestValidator.IsDnsSubdomain(podName)
                ? Task.WhenAll(log, ScrapeOnce(run, ns, podName, Readers.Parsing.MetricsEndpoint.NodeLocalPort))
                : log;
        }));
    }

    /// <summary>The last <see cref="ClusterOptions.LogTailLines"/> lines of a container's log, with the API server's timestamps.</summary>
    private async Task<string> ReadLog(string ns, string pod, string? container, CancellationToken ct)
    {
        await using var stream = await client.CoreV1.ReadNamespacedPodLogAsync(pod, ns, container: container, tailLines: _options.LogTailLines, timestamps: true, cancellationToken: ct);
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync(ct);
    }

    /// <summary>At most this many cluster DNS pods are scraped (the Running ones first, by name).</summary>
    internal const int MaxScrapedPods = 10;

    /// <summary>A scrape is read up to this many characters (a CoreDNS exposition is tens of kilobytes), cut at a line end.</summary>
    internal const int MaxMetricsCharacters = 4 * 1024 * 1024;

    /// <summary>A cluster DNS pod whose metrics port was scraped once, and when.</summary>
    internal sealed record Scraped(string Namespace, string Pod, int Port, long At);

    /// <summary>
    /// The first scrape of each Running cluster DNS pod that declares a metrics port (named <c>metrics</c>, or 9153):
    /// <c>/metrics</c> through the API server's pod proxy, kept as the file <c>kubectl get --raw</c> of that path gives,
    /// so the facts are built from it as from a pasted one.
    /// </summary>
    private async Task ScrapeClusterDns(Run run, Task<IReadOnlyList<V1Pod>> clusterDns)
    {
        var targets = new List<(string Namespace, string Pod, int Port)>();
        foreach (var pod in (await clusterDns).Where(p => p.Status?.Phase == "Running").OrderBy(p => p.Metadata?.Name, StringComparer.Ordinal))
        {
            var ports = ClusterDnsObjects.DnsContainer(pod.Spec?.Containers)?.Ports ?? [];
            var port = ports.FirstOrDefault(p => p.Name == "metrics")?.ContainerPort ?? ports.FirstOrDefault(p => p.ContainerPort == 9153)?.ContainerPort;
            var (ns, name) = (pod.Metadata?.NamespaceProperty ?? KubeSystem, pod.Metadata?.Name ?? "");
            if (port is > 0 and <= 65535 && Contract.RequestValidator.IsDnsLabel(ns) && Contract.RequestValidator.IsDnsSubdomain(name))
            {
                targets.Add((ns, name, port.Value));
            }
        }

        await Task.WhenAll(targets.Take(MaxScrapedPods).Select(t => ScrapeOnce(run, t.Namespace, t.Pod, t.Port)));
        if (targets.Count > MaxScrapedPods)
        {
            run.Skip("Cluster DNS metrics", $"{targets.Count - MaxScrapedPods} more pod(s) not scraped (at most {MaxScrapedPods})");
        }
    }

    /// <summary>A pod's first scrape; a pod read is kept for the second (<see cref="ScrapeAgain"/>).</summary>
    private async Task ScrapeOnce(Run run, string ns, string pod, int port)
    {
        var at = _time.GetTimestamp();
        if (await run.CollectMetrics($"Pod {ns}/{pod} metrics", MetricsCommand(ns, pod, port), ns, pod, ct => ReadMetrics(ns, pod, port, ct),
            "scraped once through the API server's pod proxy: counters since the process started"))
        {
            run.Scraped.Enqueue(new Scraped(ns, pod, port, at));
        }
    }

    /// <summary>Scrape pods' metrics at all: no Prometheus server is configured and scraping is not switched off.</summary>
    private bool Scrapes => prometheus is null && _options.ScrapeMetrics;

    /// <summary>
    /// The second scrape of each pod scraped once, <see cref="ClusterOptions.MetricsScrapeInterval"/> after its first
    /// (waiting the rest of it when the rest of the collection was quicker), unless the deadline comes first.
    /// </summary>
    private async Task ScrapeAgain(Run run, CancellationToken deadline)
    {
        var scraped = run.Scraped.ToList();
        var interval = _options.MetricsScrapeInterval;
        if (scraped.Count == 0 || interval <= TimeSpan.Zero)
        {
            return;
        }

        var wait = interval - _time.GetElapsedTime(scraped.Min(s => s.At));
        if (_time.GetElapsedTime(run.Started) + (wait > TimeSpan.Zero ? wait : TimeSpan.Zero) + _options.CollectorTimeout > _options.Deadline)
        {
            run.Skip("Cluster DNS metrics, second scrape",
                $"not made: {interval.TotalSeconds:0.#} s after the first, it would pass the collection deadline ({_options.Deadline.TotalSeconds:0.#} s); the counters are since each process started");
            return;
        }

        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, _time, deadline);
        }

        await Task.WhenAll(scraped.Select(s => run.CollectMetrics($"Pod {s.Namespace}/{s.Pod} metrics, {interval.TotalSeconds:0.#} s later", MetricsCommand(s.Namespace, s.Pod, s.Port),
            s.Namespace, s.Pod, ct => ReadMetrics(s.Namespace, s.Pod, s.Port, ct), "scraped again: the rise between the two scrapes is what happens now")));
    }

    private static string MetricsCommand(string ns, string pod, int port) => $"kubectl get --raw /api/v1/namespaces/{ns}/pods/{pod}:{port}/proxy/metrics";

    /// <summary>A scrape's text, and whether it was cut at <see cref="MaxMetricsCharacters"/>.</summary>
    internal sealed record MetricsText(string Text, bool Cut);

    /// <summary>
    /// <c>/metrics</c> of a pod's port through the API server's pod proxy, read in chunks up to
    /// <see cref="MaxMetricsCharacters"/>; past the bound, up to the last whole line.
    /// </summary>
    private async Task<MetricsText> ReadMetrics(string ns, string pod, int port, CancellationToken ct)
    {
        await using var stream = await client.CoreV1.ConnectGetNamespacedPodProxyWithPathAsync($"{pod}:{port}", ns, "metrics", cancellationToken: ct);
        using var reader = new StreamReader(stream);
        var text = new StringBuilder();
        var chunk = new char[16 * 1024];
        int read;
        while (text.Length <= MaxMetricsCharacters && (read = await reader.ReadAsync(chunk, ct)) > 0)
        {
            text.Append(chunk, 0, read);
        }

        if (text.Length <= MaxMetricsCharacters)
        {
            return new MetricsText(text.ToString(), Cut: false);
        }

        var kept = text.ToString(0, MaxMetricsCharacters);
        return new MetricsText(kept[..(kept.LastIndexOf('\n') + 1)], Cut: true);
    }

    /// <summary>What kubelet and the scheduler said about one pod (DNSConfigForming, BackOff, FailedScheduling ...): a field selector in its namespace.</summary>
    private Task<IReadOnlyList<object>> CollectEvents(Run run, string ns, string pod) =>
        run.Collect($"Events {ns}/{pod}", async ct =>
            Items(await client.CoreV1.ListNamespacedEventAsync(ns, fieldSelector: $"involvedObject.kind=Pod,involvedObject.name={pod}", cancellationToken: ct)));

    /// <summary><c>cat FILE</c> in the container over the exec WebSocket (channel.k8s.io); a fixed command, never request text.</summary>
    private async Task<string> ReadFileByExec(string ns, string pod, string container, string file, CancellationToken ct)
    {
        string stdout = "", stderr = "";
        var exit = await client.NamespacedPodExecAsync(pod, ns, container, ["cat", file], tty: false, async (stdin, output, error) =>
        {
            using var outReader = new StreamReader(output);
            using var errReader = new StreamReader(error);
            var read = outReader.ReadToEndAsync(ct);
            stderr = await errReader.ReadToEndAsync(ct);
            stdout = await read;
        }, ct);
        return exit == 0 ? stdout : throw new IOException($"cat {file} exited with {exit}: {stderr.Trim()}");
    }

    /// <summary>Services read for the nearest names when the failing name's Service does not exist: a bound on a large cluster.</summary>
    internal const int MaxServicesForNearestNames = 2000;

    /// <summary>
    /// The failing name's Service, with the other Services of its namespace (so "no such Service" is a fact, not a
    /// gap); when it is not there, the cluster's Services too (at most <see cref="MaxServicesForNearestNames"/>), for
    /// the names nearest to it (another namespace, a close spelling).
    /// </summary>
    private async Task CollectFailingName(Run run, string ns, string service) =>
        await Task.WhenAll(
            run.Collect($"Services {ns} (and the cluster's when {service} is not there)", async ct =>
            {
                var services = Items(await client.CoreV1.ListNamespacedServiceAsync(ns, cancellationToken: ct));
                if (services.OfType<V1Service>().Any(s => s.Metadata?.Name == service))
                {
                    return services;
                }

                var all = Items(await client.CoreV1.ListServiceForAllNamespacesAsync(limit: MaxServicesForNearestNames, cancellationToken: ct));
                return [.. services, .. all.OfType<V1Service>().Where(s => s.Metadata?.NamespaceProperty != ns)];
            }),
            run.Collect($"EndpointSlices {ns}/{service}", async ct => Items(await client.DiscoveryV1.ListNamespacedEndpointSliceAsync(ns, labelSelector: $"kubernetes.io/service-name={service}", cancellationToken: ct))),
            run.Collect($"StatefulSets {ns} (serviceName {service})", async ct =>
                Items(await client.AppsV1.ListNamespacedStatefulSetAsync(ns, cancellationToken: ct)).OfType<V1StatefulSet>().Where(s => s.Spec?.ServiceName == service).Cast<object>().ToList()));

    private async Task<List<object>> PodMetrics(string ns, string selector, CancellationToken ct)
    {
        var list = await client.CustomObjects.ListNamespacedCustomObjectAsync<PodMetricsList>("metrics.k8s.io", "v1beta1", ns, "pods", labelSelector: selector, cancellationToken: ct);
        return (list.Items ?? []).Select(m => (object)new MetricsObject("PodMetrics", m)).ToList();
    }

    private async Task<List<object>> NodeMetrics(string node, CancellationToken ct) =>
        [new MetricsObject("NodeMetrics", await client.CustomObjects.GetClusterCustomObjectAsync<NodeMetrics>("metrics.k8s.io", "v1beta1", "nodes", node, ct))];

    /// <summary>The policy kinds of Calico (its API server's projectcalico.org/v3 and its CRDs' crd.projectcalico.org/v1) and Cilium.</summary>
    private static readonly CniPolicyKind[] CniPolicyKinds =
    [
        new("projectcalico.org", "v3", "networkpolicies", "NetworkPolicy", Namespaced: true),
        new("projectcalico.org", "v3", "globalnetworkpolicies", "GlobalNetworkPolicy", Namespaced: false),
        new("crd.projectcalico.org", "v1", "networkpolicies", "NetworkPolicy", Namespaced: true),
        new("crd.projectcalico.org", "v1", "globalnetworkpolicies", "GlobalNetworkPolicy", Namespaced: false),
        new("cilium.io", "v2", "ciliumnetworkpolicies", "CiliumNetworkPolicy", Namespaced: true),
        new("cilium.io", "v2", "ciliumclusterwidenetworkpolicies", "CiliumClusterwideNetworkPolicy", Namespaced: false),
    ];

    private async Task<List<object>> CniPolicies(CniPolicyKind kind, string? ns, CancellationToken ct)
    {
        var list = kind.Namespaced
            ? await client.CustomObjects.ListNamespacedCustomObjectAsync<CniPolicyList>(kind.Group, kind.Version, ns, kind.Plural, cancellationToken: ct)
            : await client.CustomObjects.ListClusterCustomObjectAsync<CniPolicyList>(kind.Group, kind.Version, kind.Plural, cancellationToken: ct);
        // List items come without kind and apiVersion: the group says whose kind this is (Calico's NetworkPolicy is not Kubernetes').
        return (list.Items ?? []).Select(p => (object)new CniPolicy { ApiVersion = $"{kind.Group}/{kind.Version}", Kind = kind.Kind, Metadata = p.Metadata, Spec = p.Spec }).ToList();
    }

    private sealed record CniPolicyKind(string Group, string Version, string Plural, string Kind, bool Namespaced);

    /// <summary>A CNI's policy object: read whole, kept as the API server sent it, evaluated by nobody.</summary>
    private sealed class CniPolicy : IKubernetesObject<V1ObjectMeta>
    {
        [System.Text.Json.Serialization.JsonPropertyName("apiVersion")]
        public string ApiVersion { get; set; } = "";

        [System.Text.Json.Serialization.JsonPropertyName("kind")]
        public string Kind { get; set; } = "";

        [System.Text.Json.Serialization.JsonPropertyName("metadata")]
        public V1ObjectMeta Metadata { get; set; } = new();

        [System.Text.Json.Serialization.JsonPropertyName("spec")]
        public JsonElement? Spec { get; set; }
    }

    private sealed class CniPolicyList
    {
        [System.Text.Json.Serialization.JsonPropertyName("items")]
        public List<CniPolicy>? Items { get; set; }
    }

    /// <summary>A metrics.k8s.io object, serialised with the kind and apiVersion kubectl prints.</summary>
    private sealed record MetricsObject(string Kind, object Value);

    /// <summary>List items come without kind and apiVersion; put them back so the snapshot reads like kubectl's output.</summary>
    private static List<object> Items(V1PodList list) => Typed(list.Items, "v1", "Pod");
    private static List<object> Items(V1ServiceList list) => Typed(list.Items, "v1", "Service");
    private static List<object> Items(V1EndpointSliceList list) => Typed(list.Items, "discovery.k8s.io/v1", "EndpointSlice");
    private static List<object> Items(V1DaemonSetList list) => Typed(list.Items, "apps/v1", "DaemonSet");
    private static List<object> Items(V1DeploymentList list) => Typed(list.Items, "apps/v1", "Deployment");
    private static List<object> Items(V1StatefulSetList list) => Typed(list.Items, "apps/v1", "StatefulSet");
    private static List<object> Items(V1NetworkPolicyList list) => Typed(list.Items, "networking.k8s.io/v1", "NetworkPolicy");
    private static List<object> Items(Corev1EventList list) => Typed(list.Items, "v1", "Event");

    private static List<object> Typed<T>(IList<T>? items, string apiVersion, string kind)
        where T : IKubernetesObject
    {
        var result = new List<object>();
        foreach (var item in items ?? [])
        {
            item.ApiVersion ??= apiVersion;
            item.Kind ??= kind;
            result.Add(item);
        }

        return result;
    }

    /// <summary><c>svc.ns.svc.cluster.local</c>, <c>pod.svc.ns.svc.cluster.local</c> or a bare <c>svc</c> in the target's namespace → the Service to read.</summary>
    internal static (string Namespace, string Service)? ClusterName(string? domain, string? targetNamespace = null)
    {
        if (string.IsNullOrWhiteSpace(domain))
        {
            return null;
        }

        // A bare name (orders) is the pod's own namespace's Service: the search list's first suffix.
        if (!domain.Contains('.', StringComparison.Ordinal) && targetNamespace is not null)
        {
            var bare = domain.ToLowerInvariant();
            return Contract.RequestValidator.IsDnsLabel(bare) && Contract.RequestValidator.IsDnsLabel(targetNamespace) ? (targetNamespace, bare) : null;
        }

        var labels = domain.TrimEnd('.').ToLowerInvariant().Split('.');
        var svcIndex = Array.LastIndexOf(labels, "svc");
        return svcIndex >= 2 && svcIndex < labels.Length - 1
            && Contract.RequestValidator.IsDnsLabel(labels[svcIndex - 1]) && Contract.RequestValidator.IsDnsLabel(labels[svcIndex - 2])
            ? (labels[svcIndex - 1], labels[svcIndex - 2])
            : null;
    }

    /// <summary>The state of one collection: what each collector brought back and how it went.</summary>
    private sealed class Run(KubernetesSnapshotCollector owner, TargetRef? target, CancellationToken deadline)
    {
        private readonly ConcurrentDictionary<string, object> _objects = new(StringComparer.Ordinal);
        private readonly ConcurrentBag<LogArtifact> _logs = [];
        private readonly ConcurrentBag<FileArtifact> _files = [];
        // Scrapes in the order made: a pod's first before its second, as the facts read them.
        private readonly ConcurrentQueue<FileArtifact> _scrapes = [];

        /// <summary>The pods scraped once, for their second scrape.</summary>
        public ConcurrentQueue<Scraped> Scraped { get; } = [];

        /// <summary>When the collection started.</summary>
        public long Started { get; } = owner._time.GetTimestamp();
        private readonly ConcurrentBag<ProbeArtifact> _probes = [];
        private readonly ConcurrentDictionary<string, CollectionEntry> _entries = new(StringComparer.Ordinal);

        public async Task<IReadOnlyList<object>> Collect(string source, Func<CancellationToken, Task<List<object>>> read, bool optional = false, bool metrics = false)
        {
            if (_entries.ContainsKey(source))
            {
                return [];
            }

            var items = await Attempt(source, read, items =>
            {
                foreach (var item in items)
                {
                    _objects.TryAdd(Identity(item), item);
                }

                return (CollectionStatus.Ok, items.Count == 1 ? null : $"{items.Count} object(s)");
            }, optional, metrics);
            return items ?? [];
        }

        public async Task CollectLog(string source, string ns, string pod, string? container, Func<CancellationToken, Task<string>> read) =>
            await Attempt(source, read, text =>
            {
                _logs.Add(new LogArtifact { Namespace = ns, Pod = pod, Container = container, Text = text });
                return (CollectionStatus.Ok, $"last {owner._options.LogTailLines} lines with timestamps");
            });

        public async Task CollectFile(string source, string ns, string pod, string path, Func<CancellationToken, Task<string>> read) =>
            await Attempt(source, read, text =>
            {
                _files.Add(new FileArtifact { Namespace = ns, Pod = pod, Path = path, Text = text });
                return (CollectionStatus.Ok, "read through exec");
            });

        /// <summary>One scrape of a pod's metrics, kept as the file <paramref name="command"/> prints; true when it was read.</summary>
        public async Task<bool> CollectMetrics(string source, string command, string ns, string pod, Func<CancellationToken, Task<MetricsText>> read, string detail) =>
            await Attempt(source, read, scrape =>
            {
                _scrapes.Enqueue(new FileArtifact { Namespace = ns, Pod = pod, Command = command, Text = scrape.Text });
                return (scrape.Cut ? CollectionStatus.Partial : CollectionStatus.Ok,
                    scrape.Cut ? $"{detail}; read up to its last whole line within {MaxMetricsCharacters} characters" : detail);
            }) is not null;

        /// <summary>Probe results an agent ran from its node.</summary>
        public async Task CollectProbes(string source, Func<CancellationToken, Task<Node.NodeProbeReport>> read) =>
            await Attempt(source, read, report =>
            {
                foreach (var result in report.Results)
                {
                    _probes.Add(result);
                }

                var failed = report.Results.Count(r => r.Outcome != ProbeOutcome.Answered);
                var detail = $"{report.Results.Count} probe(s) from node/{report.Node}: {report.Results.Count - failed} answered, {failed} failed";
                return (report.Notes.Count > 0 ? CollectionStatus.Partial : CollectionStatus.Ok, report.Notes.Count > 0 ? $"{detail}; {string.Join("; ", report.Notes)}" : detail);
            });

        /// <summary>Files from a source that may not exist (null: nothing there to ask, reported as skipped).</summary>
        public async Task CollectFiles(string source, Func<CancellationToken, Task<List<FileArtifact>?>> read) =>
            await Attempt(source, read, files =>
            {
                if (files is null)
                {
                    return (CollectionStatus.Skipped, "no node agent runs on this node: node facts (conntrack, kernel log, TCP counters) were not read");
                }

                foreach (var file in files)
                {
                    _files.Add(file);
                }

                return (CollectionStatus.Ok, $"{files.Count} file(s)");
            });

        /// <summary>
        /// One collector: its own timeout inside the overall deadline, its result stored by <paramref name="store"/>, and
        /// its outcome (with duration) recorded under <paramref name="source"/>; a failure is an entry, never an exception.
        /// </summary>
        private async Task<T?> Attempt<T>(string source, Func<CancellationToken, Task<T>> read, Func<T, (CollectionStatus Status, string? Detail)> store, bool optional = false, bool metrics = false)
        {
            var started = owner._time.GetTimestamp();
            using var activity = Tracing.Source.StartActivity("collect " + source);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(deadline);
            timeout.CancelAfter(owner._options.CollectorTimeout);
            try
            {
                var result = await read(timeout.Token);
                var (status, detail) = store(result);
                _entries[source] = new CollectionEntry(source, status, detail, Elapsed(started));
                activity?.SetTag("dnsexpert.collection.status", status.ToString().ToLowerInvariant());
                return result;
            }
            catch (Exception ex) when (Describe(ex, optional, metrics, timeout.Token) is { } outcome)
            {
                _entries[source] = new CollectionEntry(source, outcome.Status, outcome.Detail, Elapsed(started));
                activity?.SetTag("dnsexpert.collection.status", outcome.Status.ToString().ToLowerInvariant());
                if (outcome.Status is not (CollectionStatus.Ok or CollectionStatus.Skipped))
                {
                    activity.Fail(outcome.Detail);
                }

                return default;
            }
        }

        public IEnumerable<object> Objects() => _objects.Values;

        public bool IsTarget(V1Pod pod) => target is { } t && pod.Metadata?.Name == t.Pod && pod.Metadata?.NamespaceProperty == (t.Namespace ?? "default");

        public void Skip(string source, string detail) => _entries[source] = new CollectionEntry(source, CollectionStatus.Skipped, detail);

        public Snapshot Snapshot() => new()
        {
            Objects = _objects.OrderBy(o => o.Key, StringComparer.Ordinal).Select(o => ToJson(o.Value)).ToList(),
            Logs = _logs.OrderBy(l => l.Pod, StringComparer.Ordinal).ToList(),
            Files = _files.IsEmpty && _scrapes.IsEmpty ? null : [.. _files, .. _scrapes],
            Probes = _probes.IsEmpty ? null : _probes.OrderBy(p => p.From, StringComparer.Ordinal).ThenBy(p => p.Server ?? p.Target, StringComparer.Ordinal).ToList(),
        };

        public List<CollectionEntry> Entries() => _entries.Values.OrderBy(e => e.Source, StringComparer.Ordinal).ToList();

        private double Elapsed(long started) => Math.Round(owner._time.GetElapsedTime(started).TotalMilliseconds, 1);

        private (CollectionStatus Status, string Detail)? Describe(Exception ex, bool optional, bool metrics, CancellationToken timeout) => ex switch
        {
            HttpOperationException { Response.StatusCode: HttpStatusCode.Forbidden } h =>
                (CollectionStatus.Forbidden, "403 Forbidden: the service account may not read this (" + Short(h.Response.Content) + ")"),
            HttpOperationException { Response.StatusCode: HttpStatusCode.NotFound } when metrics =>
                (CollectionStatus.Skipped, "metrics.k8s.io is not available (no metrics-server)"),
            HttpOperationException { Response.StatusCode: HttpStatusCode.NotFound } when optional =>
                (CollectionStatus.Ok, "not present in the cluster"),
            HttpOperationException h => (CollectionStatus.Failed, $"{(int)h.Response.StatusCode} {h.Response.ReasonPhrase}: {Short(h.Response.Content)}"),
            OperationCanceledException when timeout.IsCancellationRequested && !deadline.IsCancellationRequested =>
                (CollectionStatus.Failed, $"timed out after {owner._options.CollectorTimeout.TotalSeconds:0.#} s"),
            OperationCanceledException when deadline.IsCancellationRequested =>
                (CollectionStatus.Failed, "not finished before the collection deadline or the request was cancelled"),
            // The node-agent client's resilience pipeline: its attempt or total timeout, or an agent's open circuit.
            Polly.Timeout.TimeoutRejectedException => (CollectionStatus.Failed, $"timed out after {owner._options.CollectorTimeout.TotalSeconds:0.#} s"),
            Polly.ExecutionRejectedException => (CollectionStatus.Failed, "failed: " + ex.Message),
            System.Net.WebSockets.WebSocketException { Message: var m } when m.Contains("403", StringComparison.Ordinal) =>
                (CollectionStatus.Forbidden, "403 Forbidden: the service account may not use pods/exec"),
            HttpRequestException or IOException or System.Net.WebSockets.WebSocketException => (CollectionStatus.Failed, "failed: " + ex.Message),
            JsonException => (CollectionStatus.Failed, "unreadable response: " + ex.Message),
            _ => null,
        };

        private static string Short(string? s) => string.IsNullOrEmpty(s) ? "" : s.Length <= 200 ? s : s[..200] + "…";

        private static string Identity(object item) => item is CniPolicy p
            ? $"{p.ApiVersion}/{p.Kind}/{p.Metadata?.NamespaceProperty}/{p.Metadata?.Name}"
            : item is IKubernetesObject<V1ObjectMeta> k
            ? $"{k.Kind}/{k.Metadata?.NamespaceProperty}/{k.Metadata?.Name}"
            : item is MetricsObject { Value: PodMetrics pm } ? $"PodMetrics/{pm.Metadata?.NamespaceProperty}/{pm.Metadata?.Name}"
            : item is MetricsObject { Value: NodeMetrics nm } ? $"NodeMetrics//{nm.Metadata?.Name}"
            : Guid.NewGuid().ToString();

        private static JsonElement ToJson(object item)
        {
            if (item is MetricsObject metrics)
            {
                var node = System.Text.Json.Nodes.JsonNode.Parse(KubernetesJson.Serialize(metrics.Value))!.AsObject();
                node["apiVersion"] = "metrics.k8s.io/v1beta1";
                node["kind"] = metrics.Kind;
                return JsonDocument.Parse(node.ToJsonString()).RootElement.Clone();
            }

            return JsonDocument.Parse(KubernetesJson.Serialize(item)).RootElement.Clone();
        }
    }
}
