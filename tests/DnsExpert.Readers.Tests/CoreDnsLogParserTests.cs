using DnsExpert.Facts;
using DnsExpert.Readers.Parsing;

namespace DnsExpert.Readers.Tests;

public sealed class CoreDnsLogParserTests
{
    [Fact]
    public void Query_log_line_with_kubectl_timestamp()
    {
        var r = CoreDnsLogParser.ParseLine("""2024-05-13T08:21:44.123456789Z [INFO] 172.20.2.25:44525 - 36259 "A IN redis-master.default.svc.cluster.local. udp 56 false 512" NOERROR qr,aa,rd 110 0.000116946s""", 7);

        Assert.Equal(CoreDnsLogKind.Query, r.Kind);
        Assert.Equal(7, r.LineNumber);
        Assert.Equal(new DateTimeOffset(2024, 5, 13, 8, 21, 44, TimeSpan.Zero).AddTicks(1234567), r.Timestamp);
        Assert.Equal("INFO", r.Level);
        var q = r.Query!;
        Assert.Equal(("172.20.2.25", 44525, "36259"), (q.Client, q.ClientPort, q.Id));
        Assert.Equal(("A", "IN", "redis-master.default.svc.cluster.local.", "udp"), (q.Type, q.Class, q.Name, q.Transport));
        Assert.Equal((56, false, 512), (q.RequestSize, q.DnssecOk, q.BufferSize));
        Assert.Equal("NOERROR", q.Rcode);
        Assert.Equal(["qr", "aa", "rd"], q.Flags);
        Assert.Equal(110, q.ResponseSize);
        Assert.Equal(0.000116946, q.DurationSeconds!.Value, 9);
    }

    [Fact]
    public void Query_log_line_ipv6_client_nxdomain_without_timestamp()
    {
        var r = CoreDnsLogParser.ParseLine("""[INFO] [fd00:10:244::5]:43210 - 4242 "AAAA IN api.partner-example.com. tcp 72 true 1232" NXDOMAIN qr,rd,ra 155 0.031002s""", 1);
        Assert.Equal(CoreDnsLogKind.Query, r.Kind);
        Assert.Null(r.Timestamp);
        Assert.Equal("fd00:10:244::5", r.Query!.Client);
        Assert.Equal(("AAAA", "tcp", "NXDOMAIN"), (r.Query.Type, r.Query.Transport, r.Query.Rcode));
    }

    [Fact]
    public void Unknown_directive()
    {
        var r = CoreDnsLogParser.ParseLine("/etc/coredns/Corefile:4 - Error during parsing: Unknown directive 'ready'", 2);
        Assert.Equal(CoreDnsLogKind.UnknownDirective, r.Kind);
        Assert.Equal(("ready", 4), (r.Directive, r.CorefileLine));
    }

    [Theory]
    [InlineData("""pkg/mod/k8s.io/client-go@v0.18.3/tools/cache/reflector.go:125: Failed to watch *v1.Pod: Get "https://192.168.0.1:443/api/v1/pods?resourceVersion=1&timeout=8m&watch=true": dial tcp 192.168.0.1:443: connect: connection refused""", "*v1.Pod", "192.168.0.1:443", "connection refused")]
    [InlineData("""2024-05-13T08:21:44Z [INFO] plugin/kubernetes: pkg/mod/k8s.io/client-go@v0.27.4/tools/cache/reflector.go:231: failed to list *v1.Service: Get "https://10.96.0.1:443/api/v1/services?limit=500&resourceVersion=0": dial tcp 10.96.0.1:443: i/o timeout""", "*v1.Service", "10.96.0.1:443", "i/o timeout")]
    [InlineData("""E0513 08:21:44.123456       1 reflector.go:138] pkg/mod/k8s.io/client-go@v0.22.2/tools/cache/reflector.go:167: Failed to watch *v1.EndpointSlice: failed to list *v1.EndpointSlice: Get "https://172.21.0.1:443/apis/discovery.k8s.io/v1/endpointslices?limit=500": dial tcp 172.21.0.1:443: connect: no route to host""", "*v1.EndpointSlice", "172.21.0.1:443", "no route to host")]
    public void Apiserver_unreachable(string line, string resource, string endpoint, string error)
    {
        var r = CoreDnsLogParser.ParseLine(line, 1);
        Assert.Equal(CoreDnsLogKind.ApiserverUnreachable, r.Kind);
        Assert.Equal((resource, endpoint, error), (r.Resource, r.Endpoint, r.Error));
    }

    [Theory]
    [InlineData("[ERROR] plugin/errors: 2 www.aliyun.com. A: read udp 172.20.6.53:58814->100.100.2.136:53: i/o timeout", "www.aliyun.com.", "A", "100.100.2.136:53", "i/o timeout")]
    [InlineData("[ERROR] plugin/errors: 2 www.aliyun.com. A: udp 172.20.6.53:58814->100.100.2.136:53: i/o timeout", "www.aliyun.com.", "A", "100.100.2.136:53", "i/o timeout")]
    [InlineData("2024-05-13T08:21:44.5Z [ERROR] plugin/errors: 2 api.example.com. AAAA: dial udp 10.0.0.2:53: connect: network is unreachable", "api.example.com.", "AAAA", "10.0.0.2:53", "network is unreachable")]
    public void Upstream_error(string line, string name, string type, string upstream, string error)
    {
        var r = CoreDnsLogParser.ParseLine(line, 1);
        Assert.Equal(CoreDnsLogKind.UpstreamError, r.Kind);
        Assert.Equal((name, type, upstream, error), (r.QueryName, r.QueryType, r.Endpoint, r.Error));
    }

    /// <summary>
    /// The errors plugin's line in every version: <c>plugin/errors: </c> from 1.2.6 (clog.NewWithPlugin), <c>[ERROR] </c>
    /// alone in 1.1.3-1.2.5 (clog.Errorf, behind Go's log date), <c>[ERROR RCODE NAME TYPE] error</c> in 1.0.0-1.1.2 (caddy's
    /// time format); the proxy plugin (1.0.0-1.4.0) wraps the network error in <c>unreachable backend: </c>.
    /// Real lines: coredns/coredns#2287 (CoreDNS 1.1.3), #2284 and #3067 (the 1.1.3-1.2.5 form, the second behind
    /// <c>kubectl logs --timestamps</c>), #2448 (CoreDNS 1.2.6, with the proxy's prefix), #2514 (1.3.1, CoreDNS's own
    /// RFC 3339 stamp); the IPv6 line from a public CoreDNS debugging note (a link-local upstream with its zone).
    /// </summary>
    [Theory]
    [InlineData("[ERROR] 2 mirrors.unisound.ai. AAAA: unreachable backend: read udp 10.99.17.97:60877->10.10.10.252:53: i/o timeout", "mirrors.unisound.ai.", "AAAA", "10.10.10.252:53", "i/o timeout")]
    [InlineData("2018/11/21 06:48:52 [ERROR] 2 cassandra-headless.ec2.internal. A: unreachable backend: read udp 10.244.0.148:48920->10.96.0.10:53: i/o timeout", "cassandra-headless.ec2.internal.", "A", "10.96.0.10:53", "i/o timeout")]
    [InlineData("2019-07-25T08:22:51.996624257Z 2019/07/25 08:22:51 [ERROR] 2 prometheus-operator-prometheus.monitoring.svc. AAAA: unreachable backend: read udp 172.19.4.77:37693->183.60.83.19:53: i/o timeout", "prometheus-operator-prometheus.monitoring.svc.", "AAAA", "183.60.83.19:53", "i/o timeout")]
    [InlineData(" [ERROR] plugin/errors: 2 kubernetes.default. AAAA: unreachable backend: read udp 10.244.0.5:51666->223.5.5.5:53: i/o timeout", "kubernetes.default.", "AAAA", "223.5.5.5:53", "i/o timeout")]
    [InlineData("2019-01-29T08:13:09.676Z [ERROR] plugin/errors: 2 kafka-dev-1.corp.abc.com. A: unreachable backend: read udp 172.200.0.212:46620->10.116.102.247:53: i/o timeout", "kafka-dev-1.corp.abc.com.", "A", "10.116.102.247:53", "i/o timeout")]
    [InlineData("[ERROR] plugin/errors: 2 acme-staging-v02.api.letsencrypt.org. A: dial udp [ff88::ee33:ddff:ccc5:b79e%2]:53: connect: network is unreachable", "acme-staging-v02.api.letsencrypt.org.", "A", "[ff88::ee33:ddff:ccc5:b79e%2]:53", "network is unreachable")]
    // The 1.0.0-1.1.2 form built from plugin/errors/errors.go v1.0.0-v1.1.2 (fmt "%s [ERROR %d %s %s] %v", as its test
    // expects) around the proxy's error: no published line of it was found; its prefix as in the pi-hole line below.
    [InlineData("19/Apr/2018:04:27:06 +0000 [ERROR 2 example.org. A] unreachable backend: read udp 10.32.0.3:39032->8.8.8.8:53: i/o timeout", "example.org.", "A", "8.8.8.8:53", "i/o timeout")]
    // CoreDNS 1.14.0 on (coredns/coredns#7703): `consolidate DURATION REGEXP [LEVEL] show_first` prints the first error
    // a pattern matches at that pattern's level (plugin/errors/errors.go: logFunc("%d %s %s: %s") with the level's
    // clog function), so the same line comes as [INFO] or [WARNING]; the lines below are built from that format.
    [InlineData("[INFO] plugin/errors: 2 www.example.org. A: read udp 10.244.0.18:32960->100.79.1.250:53: i/o timeout", "www.example.org.", "A", "100.79.1.250:53", "i/o timeout")]
    [InlineData("[WARNING] plugin/errors: 2 www.example.org. AAAA: dial udp [2a02:1800:100::41:2]:53: connect: network is unreachable", "www.example.org.", "AAAA", "[2a02:1800:100::41:2]:53", "network is unreachable")]
    public void Upstream_error_in_every_version_of_the_errors_line(string line, string name, string type, string upstream, string error)
    {
        var r = CoreDnsLogParser.ParseLine(line, 1);
        Assert.Equal((CoreDnsLogKind.UpstreamError, name, type, upstream, error, (string?)null), (r.Kind, r.QueryName, r.QueryType, r.Endpoint, r.Error, r.Cause));
    }

    /// <summary>
    /// No upstream named because every one was marked down: the proxy plugin's <c>unreachable backend: no upstream host</c>
    /// (1.0.0-1.4.0; coredns/coredns#2284, the loop plugin's probe, and #3067) and forward's ErrNoHealthy
    /// (<c>no healthy proxies</c>, plugin/forward/forward.go from 1.0.6, plugin/pkg/proxy/errors.go from 1.11.0).
    /// </summary>
    [Theory]
    [InlineData("[ERROR] 2 2776621349124840513.8630579569398302643. HINFO: unreachable backend: no upstream host", "2776621349124840513.8630579569398302643.", "HINFO", "no upstream host")]
    [InlineData("2019-07-25T07:49:51.07598929Z 2019/07/25 07:49:51 [ERROR] 2 alertmanager-prometheus-operator-alertmanager-0.alertmanager-operated.monitoring.svc. ANY: unreachable backend: no upstream host", "alertmanager-prometheus-operator-alertmanager-0.alertmanager-operated.monitoring.svc.", "ANY", "no upstream host")]
    [InlineData("[ERROR] plugin/errors: 2 www.example.org. A: no healthy proxies", "www.example.org.", "A", "no healthy proxies")]
    public void No_healthy_upstream_names_none(string line, string name, string type, string error)
    {
        var r = CoreDnsLogParser.ParseLine(line, 1);
        Assert.Equal((CoreDnsLogKind.UpstreamError, name, type, (string?)null, error, CoreDnsLogEventCauses.NoHealthyUpstream), (r.Kind, r.QueryName, r.QueryType, r.Endpoint, r.Error, r.Cause));
    }

    /// <summary>
    /// The same words in lines that prove no upstream failure: kube-dns's sidecar probing its own dnsmasq
    /// (kubernetes/kubernetes#68139, #66924: dnsmasq is down, no upstream was asked), the proxy plugin's HTTP health
    /// check against a DNS server (coredns/coredns#1396, CoreDNS 1.0.1: a GET to port 53, coredns/coredns#1440), the
    /// errors plugin's consolidated count (plugin/errors/errors.go 1.3.0 on: a pattern from the Corefile, no upstream),
    /// other plugins' errors behind <c>[ERROR]</c>, and node-cache's lines that are no set-up failure.
    /// </summary>
    [Theory]
    [InlineData("W0831 12:05:29.384750       1 server.go:64] Error getting metrics from dnsmasq: read udp 127.0.0.1:50205->127.0.0.1:53: read: connection refused")]
    [InlineData("ERROR: logging before flag.Parse: W0802 17:51:49.028526       1 server.go:64] Error getting metrics from dnsmasq: read udp 127.0.0.1:59054->127.0.0.1:53: read: connection refused")]
    [InlineData("2018/01/08 00:00:25 [WARNING] Host 10.0.0.1:53 health check probe failed: Get http://10.0.0.1:53: dial tcp 10.0.0.1:53: getsockopt: no route to host")]
    [InlineData("[ERROR] plugin/errors: 3 errors like '^read udp .* i/o timeout$' occurred in last 5m0s")]
    [InlineData("[INFO] plugin/errors: 2 errors like '^read udp .* i/o timeout$' occurred in last 30s")]
    [InlineData("[ERROR] plugin/health: Local health request to \"http://:8080/health\" failed: Get \"http://:8080/health\": read tcp 127.0.0.1:63671->127.0.0.1:4440: read: connection reset by peer")]
    // node-cache's lines that are no set-up failure: kubernetes/dns#568 (a rule added back, one already there), #367.
    [InlineData("2023-02-01T15:30:45.927684416Z [INFO] Added back nodelocaldns rule - {filter INPUT [-p tcp -d 169.254.20.10 --dport 53 -j ACCEPT]}")]
    [InlineData("2023-02-01T15:30:45.825087775Z [DEBUG] iptables rule {raw PREROUTING [-p tcp -d 169.254.20.10 --dport 53 -j NOTRACK]} for nodelocaldns already exists")]
    [InlineData("2020/10/28 17:17:10 [INFO] Added interface - nodelocaldns")]
    // Counted as configmap, but kubespray's node-cache prints it at every start and runs the Corefile it was given (kubernetes/kubernetes#111888).
    [InlineData("2022/08/17 10:55:04 [ERROR] Failed to read node-cache coreFile /etc/coredns/Corefile.base - open /etc/coredns/Corefile.base: no such file or directory")]
    [InlineData("2020/10/28 17:17:10 [ERROR] Failed to sync kube-dns config directory /etc/kube-dns, err: lstat /etc/kube-dns: no such file or directory")]
    public void The_words_of_a_failure_in_lines_that_prove_none_are_read_as_nothing(string line) =>
        Assert.Equal(CoreDnsLogKind.Other, CoreDnsLogParser.ParseLine(line, 1).Kind);

    /// <summary>
    /// node-cache's set-up failures (kubernetes/dns cmd/node-cache/app/cache_app.go), read with the errortype its
    /// counter gives them. Real lines: kubernetes/kubernetes#90043 (node-cache 1.15.11 without an iptables binary),
    /// deliveryhero/helm-charts#663 (EKS, as its log viewer prefixed them, the prefix cut), coredns/coredns#4082 (the
    /// xtables lock held), kubernetes/dns#643 (node-cache 1.22.28, the ", error - " form).
    /// </summary>
    [Theory]
    [InlineData("[ERROR] Error adding iptables rule {raw OUTPUT [-p tcp -s 169.254.25.10 --sport 53 -j NOTRACK]} - error checking rule: executable file not found in $PATH:", "iptables", "error checking rule: executable file not found in $PATH")]
    [InlineData("[ERROR] Error checking dummy device nodelocaldns - operation not permitted", "interface_check", "operation not permitted")]
    [InlineData("[ERROR] Failed to add non-existent interface nodelocaldns: operation not permitted", "interface_add", "operation not permitted")]
    [InlineData("[INFO] Error checking/adding iptables rule {raw PREROUTING [-p tcp -d 169.254.20.10 --dport 53 -j NOTRACK]}, due to xtables lock in use, retrying in 60ns", "iptables_lock", "xtables lock in use")]
    [InlineData("[ERROR] Error checking/adding iptables rule {filter OUTPUT [-p udp -s 101.1.0.1 --sport 53 -j ACCEPT -m comment --comment NodeLocal DNS Cache: allow DNS traffic]}, error - error checking rule: exit status 4: Ignoring deprecated --wait-interval option.", "iptables", "error checking rule: exit status 4: Ignoring deprecated --wait-interval option.")]
    public void Node_cache_set_up_failure(string line, string errorType, string error)
    {
        var r = CoreDnsLogParser.ParseLine(line, 1);
        Assert.Equal((CoreDnsLogKind.NodeLocalSetupError, errorType, error), (r.Kind, r.Cause, r.Error));
    }

    /// <summary>
    /// Start-up exits, printed by coremain's log.Fatal when caddy cannot start the servers. Real lines:
    /// kubernetes-sigs/kubespray#11366 and k3s-io/k3s#11690 (<c>Listen: ...permission denied</c>, 1.11.1 and 1.12.0),
    /// coredns/coredns#3834 (<c>ListenPacket: ...</c>, 1.6.9), kubernetes-sigs/kubespray#4979 (node-cache at
    /// 169.254.25.10) and #4677 (its health port), coredns/coredns#5764 (1.8.6) and easzlab/kubeasz#1010 (as quoted,
    /// <c>plugins/</c>). <c>cannot assign requested address</c> is Go's EADDRNOTAVAIL wording (AdGuardHome#5945's line).
    /// </summary>
    [Theory]
    [InlineData("Listen: listen tcp :53: bind: permission denied", "permission-denied", ":53", "listen tcp :53: bind: permission denied")]
    [InlineData("ListenPacket: listen udp :53: bind: address already in use", "address-in-use", ":53", "listen udp :53: bind: address already in use")]
    [InlineData("listen tcp 169.254.25.10:53: bind: address already in use", "address-in-use", "169.254.25.10:53", "listen tcp 169.254.25.10:53: bind: address already in use")]
    [InlineData("2019/11/13 08:01:02 listen tcp 169.254.25.10:8080: bind: address already in use", "address-in-use", "169.254.25.10:8080", "listen tcp 169.254.25.10:8080: bind: address already in use")]
    [InlineData("listen udp 169.254.20.10:53: bind: cannot assign requested address", "address-not-available", "169.254.20.10:53", "listen udp 169.254.20.10:53: bind: cannot assign requested address")]
    [InlineData("Listen: listen tcp [fd00::a]:53: bind: address already in use", "address-in-use", "[fd00::a]:53", "listen tcp [fd00::a]:53: bind: address already in use")]
    [InlineData("plugin/forward: no nameservers found", "no-nameservers", null, "no nameservers found")]
    [InlineData("plugins/forward: no nameservers found", "no-nameservers", null, "no nameservers found")]
    public void Start_up_exit(string line, string cause, string? endpoint, string error)
    {
        var r = CoreDnsLogParser.ParseLine(line, 1);
        Assert.Equal((CoreDnsLogKind.StartupFailure, cause, endpoint, error), (r.Kind, r.Cause, r.Endpoint, r.Error));
    }

    /// <summary>
    /// dnsmasq's warning at --dns-forward-max, through dnsmasq-nanny's glog prefix: cilium/cilium#2732 and #2750
    /// (k8s-dns-dnsmasq-nanny 1.14.6), and bare as dnsmasq prints it (eBayClassifiedsGroup/PanteraS#166).
    /// </summary>
    [Theory]
    [InlineData("I0206 18:42:06.508701       1 nanny.go:108] dnsmasq[9]: Maximum number of concurrent DNS queries reached (max: 150)", "maximum number of concurrent DNS queries reached (max: 150)")]
    [InlineData("dnsmasq: Maximum number of concurrent DNS queries reached (max: 300)", "maximum number of concurrent DNS queries reached (max: 300)")]
    public void Dnsmasq_at_its_forward_max(string line, string error)
    {
        var r = CoreDnsLogParser.ParseLine(line, 1);
        Assert.Equal((CoreDnsLogKind.DnsmasqForwardMax, "dnsmasq", error), (r.Kind, r.Plugin, r.Error));
    }

    /// <summary>The same words where they prove no start-up exit: an upstream error, another program's bind, a query name.</summary>
    [Theory]
    [InlineData("[ERROR] plugin/errors: 2 example.org. A: dial udp 10.0.0.2:53: bind: address already in use")]
    [InlineData("[ERROR] plugin/errors: 2 x. A: listen udp :53: bind: address already in use")]
    [InlineData("E0811 09:55:40.950978   39150 main.go:26] dial tcp :53: bind: permission denied")]
    // Only an address of digits (IPv4, or IPv6 in brackets) and a port: nothing else of a hostile line becomes the endpoint.
    [InlineData("Listen: listen tcp `reboot`:53: bind: address already in use")]
    [InlineData("Listen: listen tcp $(id):53: bind: permission denied")]
    [InlineData("[INFO] 10.0.0.1:5353 - 1 \"A IN no-nameservers-found.example. udp 40 false 512\" NOERROR qr,rd 40 0.001s")]
    public void Words_of_a_start_up_exit_elsewhere_are_no_start_up_exit(string line) =>
        Assert.NotEqual(CoreDnsLogKind.StartupFailure, CoreDnsLogParser.ParseLine(line, 1).Kind);

    /// <summary>
    /// forward's error past max_concurrent (plugin/forward/setup.go: "concurrent queries exceeded maximum " + N) as the
    /// errors plugin logs it: rcode 5 (REFUSED), 2 (SERVFAIL) before coredns/coredns#4326. No upstream is named: it is no
    /// network error (coredns-upstream-unreachable needs an endpoint); the fact builder reads it as CoreDNS's own rcode.
    /// </summary>
    [Theory]
    [InlineData("[ERROR] plugin/errors: 5 api.partner-example.com. A: concurrent queries exceeded maximum 1000")]
    [InlineData("2026-11-25T08:03:25Z [ERROR] plugin/errors: 2 api.partner-example.com. A: concurrent queries exceeded maximum 1000")]
    public void Forward_max_concurrent_is_an_error_without_an_upstream(string line)
    {
        var r = CoreDnsLogParser.ParseLine(line, 1);
        Assert.Equal((CoreDnsLogKind.UpstreamError, "api.partner-example.com.", "A", null, "concurrent queries exceeded maximum 1000"), (r.Kind, r.QueryName, r.QueryType, r.Endpoint, r.Error));
    }

    /// <summary>
    /// Real lines: coredns/coredns issue #4062 (the loop probe), a Kubernetes-the-hard-way write-up and a CoreDNS 1.6.2
    /// log in a public notebook (client queries), a pi-hole write-up (CoreDNS 1.1 format).
    /// </summary>
    [Theory]
    [InlineData("[ERROR] plugin/errors: 2 33601755.256972879. HINFO: plugin/loop: no next plugin found", "loop", "33601755.256972879.", "HINFO")]
    [InlineData("[ERROR] plugin/errors: 2 nginx. A: plugin/loop: no next plugin found", "loop", "nginx.", "A")]
    [InlineData("2020-06-02T02:29:18.565Z [ERROR] plugin/errors: 2 google.com. AAAA: plugin/loop: no next plugin found", "loop", "google.com.", "AAAA")]
    [InlineData("19/Apr/2018:04:27:06 +0000 [ERROR 0 google.com. A] plugin/log: no next plugin found", "log", "google.com.", "A")]
    public void No_next_plugin_found_is_no_upstream_error(string line, string plugin, string name, string type)
    {
        var r = CoreDnsLogParser.ParseLine(line, 1);
        Assert.Equal((CoreDnsLogKind.NoNextPlugin, plugin, name, type, (string?)null), (r.Kind, r.Directive, r.QueryName, r.QueryType, r.Endpoint));
    }

    /// <summary>
    /// Real lines: coredns/coredns#4729 (AKS, a coredns-custom forward override refused on reload), Azure/AKS#2623 (the
    /// same at start-up), coredns/coredns.io#341 (hosts), coredns/coredns#2174 (kubernetes, CoreDNS 1.2 log format).
    /// </summary>
    [Theory]
    [InlineData("[ERROR] Restart failed: plugin/forward: this plugin can only be used once per Server Block", "forward", true)]
    [InlineData("[ERROR] plugin/reload: Corefile changed but reload failed: starting with listener file descriptors: plugin/forward: this plugin can only be used once per Server Block", "forward", true)]
    [InlineData("plugin/forward: this plugin can only be used once per Server Block", "forward", false)]
    [InlineData("2018/10/10 01:06:10 plugin/kubernetes: this plugin can only be used once per Server Block", "kubernetes", false)]
    public void A_plugin_used_twice_in_a_server_block_names_the_plugin(string line, string? plugin, bool onReload)
    {
        var r = CoreDnsLogParser.ParseLine(line, 1);
        Assert.Equal(plugin is null ? (CoreDnsLogKind.Other, null, false) : (CoreDnsLogKind.PluginUsedTwice, plugin, onReload), (r.Kind, r.Directive, r.OnReload));
    }

    [Fact]
    public void Forward_loop_reload_panic_and_other_lines()
    {
        Assert.Equal((CoreDnsLogKind.ForwardLoop, "127.0.0.1:55953", "."), Kind("""[FATAL] plugin/loop: Loop (127.0.0.1:55953 -> :53) detected for zone ".", see https://coredns.io/plugins/loop#troubleshooting. Query: "HINFO 4547991504243258144.3688648895315093531." """));
        Assert.Equal(CoreDnsLogKind.Reload, CoreDnsLogParser.ParseLine("[INFO] Reloading", 1).Kind);
        Assert.Equal(CoreDnsLogKind.Reload, CoreDnsLogParser.ParseLine("[INFO] plugin/reload: Running configuration SHA512 = 3ab1c5e", 1).Kind);
        Assert.Equal(CoreDnsLogKind.Panic, CoreDnsLogParser.ParseLine("panic: runtime error: invalid memory address or nil pointer dereference", 1).Kind);
        Assert.Equal(CoreDnsLogKind.Other, CoreDnsLogParser.ParseLine("CoreDNS-1.10.1", 1).Kind);
        Assert.Equal(CoreDnsLogKind.Other, CoreDnsLogParser.ParseLine("linux/amd64, go1.20, 055b2c3", 1).Kind);

        static (CoreDnsLogKind, string?, string?) Kind(string line)
        {
            var r = CoreDnsLogParser.ParseLine(line, 1);
            return (r.Kind, r.Endpoint, r.Zone);
        }
    }

    // Every form of a signature, one line each, as CoreDNS prints it; the comment says where the line comes from.
    [Theory]
    // 1.2.1-1.2.2: plugin/loop/README.md and loop.go at v1.2.2 (log.Fatalf("Seen \"HINFO IN %s\" more than twice, loop detected")).
    [InlineData("""[FATAL] plugin/loop: Seen "HINFO IN 5577006791947779410.8674665223082153551." more than twice, loop detected""", null, null, "5577006791947779410.8674665223082153551.")]
    // 1.2.3-1.3.0: plugin/loop/README.md at v1.2.6, line 39.
    [InlineData("""[FATAL] plugin/loop: Forwarding loop detected in "." zone. Exiting. See https://coredns.io/plugins/loop#troubleshooting. Probe query: "HINFO 5577006791947779410.8674665223082153551.".""", ".", null, "5577006791947779410.8674665223082153551.")]
    // 1.3.1 on: plugin/loop/README.md at v1.4.0 ... v1.14.7.
    [InlineData("""[FATAL] plugin/loop: Loop (127.0.0.1:55953 -> :1053) detected for zone ".", see https://coredns.io/plugins/loop#troubleshooting. Query: "HINFO 4547991504243258144.3688648895315093531." """, ".", "127.0.0.1:55953", null)]
    public void Forward_loop_in_every_form(string line, string? zone, string? from, string? probe)
    {
        var r = CoreDnsLogParser.ParseLine(line, 1);
        Assert.Equal(CoreDnsLogKind.ForwardLoop, r.Kind);
        Assert.Equal((zone, from, probe), (r.Zone, r.Endpoint, r.QueryName));
    }

    [Theory]
    // CoreDNS 1.8.3 (client-go v0.20.2, klog): awsdocs/amazon-eks-user-guide PR 369.
    [InlineData("""E0521 15:40:26.038658       1 reflector.go:138] pkg/mod/k8s.io/client-go@v0.20.2/tools/cache/reflector.go:167: Failed to watch *v1beta1.EndpointSlice: failed to list *v1beta1.EndpointSlice: endpointslices.discovery.k8s.io is forbidden: User "system:serviceaccount:kube-system:coredns" cannot list resource "endpointslices" in API group "discovery.k8s.io" at the cluster scope""", "*v1beta1.EndpointSlice", "rbac", "cannot list endpointslices")]
    // CoreDNS 1.9.x-1.10.0 (client-go v0.24.4, through CoreDNS's log): mmumshad/kubernetes-the-hard-way issue 295.
    [InlineData("""[ERROR] plugin/kubernetes: pkg/mod/k8s.io/client-go@v0.24.4/tools/cache/reflector.go:167: Failed to watch *v1.EndpointSlice: failed to list *v1.EndpointSlice: endpointslices.discovery.k8s.io is forbidden: User "system:serviceaccount:kube-system:coredns" cannot list resource "endpointslices" in API group "discovery.k8s.io" at the cluster scope""", "*v1.EndpointSlice", "rbac", "cannot list endpointslices")]
    // CoreDNS 1.5 (client-go v10): canonical/microk8s issue 523.
    [InlineData("""E0626 13:16:51.649661       1 reflector.go:134] pkg/mod/k8s.io/client-go@v10.0.0+incompatible/tools/cache/reflector.go:95: Failed to list *v1.Endpoints: endpoints is forbidden: User "system:serviceaccount:kube-system:coredns" cannot list resource "endpoints" in API group "" at the cluster scope""", "*v1.Endpoints", "rbac", "cannot list endpoints")]
    // CoreDNS 1.8.3: coredns/coredns issue 4489.
    [InlineData("""E0225 14:25:57.689877       1 reflector.go:138] pkg/mod/k8s.io/client-go@v0.20.2/tools/cache/reflector.go:167: Failed to watch *v1beta1.EndpointSlice: unknown (get endpointslices.discovery.k8s.io)""", "*v1beta1.EndpointSlice", "unknown", "unknown (get endpointslices.discovery.k8s.io)")]
    // CoreDNS 1.9.3 on Kubernetes 1.26 (v1beta1 EndpointSlice no longer served): coredns/coredns issue 6176.
    [InlineData("""E0620 11:14:10.499497       1 reflector.go:138] /build/plugin/kubernetes/controller.go:405: Failed to watch *v1beta1.EndpointSlice: failed to list *v1beta1.EndpointSlice: the server could not find the requested resource""", "*v1beta1.EndpointSlice", "not-served", "the server could not find the requested resource")]
    // HTTP 401, the service account token not accepted: coredns/coredns issue 3392 (CoreDNS 1.6, client-go of 2019-06)
    // and issue 4527 (k3s after its server certificate changed). The threads quote the lines from "1 reflector.go";
    // the klog level and time before it are added here, as CoreDNS 1.6-1.8 wrote them.
    [InlineData("""E1021 07:12:31.338123       1 reflector.go:125] pkg/mod/k8s.io/client-go@v0.0.0-20190620085101-78d2af792bab/tools/cache/reflector.go:98: Failed to list *v1.Service: Unauthorized""", "*v1.Service", "unauthorized", "Unauthorized")]
    [InlineData("""E0317 02:41:05.016252       1 reflector.go:205] github.com/coredns/coredns/plugin/kubernetes/controller.go:322: Failed to list *v1.Namespace: Unauthorized""", "*v1.Namespace", "unauthorized", "Unauthorized")]
    // Older client-go prints the URL without quotes (CoreDNS 1.2-1.6).
    [InlineData("""E0513 08:21:44.123456       1 reflector.go:205] github.com/coredns/coredns/plugin/kubernetes/controller.go:311: Failed to list *v1.Namespace: Get https://10.96.0.1:443/api/v1/namespaces?limit=500&resourceVersion=0: dial tcp 10.96.0.1:443: i/o timeout""", "*v1.Namespace", "connection", "i/o timeout")]
    public void Apiserver_failure_in_every_form(string line, string resource, string cause, string error)
    {
        var r = CoreDnsLogParser.ParseLine(line, 1);
        Assert.Equal(CoreDnsLogKind.ApiserverUnreachable, r.Kind);
        Assert.Equal((resource, cause, error), (r.Resource, r.Cause, r.Error));
        if (cause == "rbac")
        {
            Assert.Equal("system:serviceaccount:kube-system:coredns", r.Subject);
        }
    }

    [Theory]
    // 1.5.0-1.12.1: plugin/ready/ready.go, log.Infof("Still waiting on: %q", todo).
    [InlineData("""[INFO] plugin/ready: Still waiting on: "kubernetes" """, "not-ready")]
    // 1.12.2 on: plugin/ready/ready.go, log.Infof("Plugins not ready: %q", notReadyPlugins).
    [InlineData("""2025-03-02T10:00:01.5Z [INFO] plugin/ready: Plugins not ready: "kubernetes" """, "not-ready")]
    // 1.9.1 on: plugin/kubernetes/kubernetes.go, log.Info("waiting for Kubernetes API before starting server").
    [InlineData("[INFO] plugin/kubernetes: waiting for Kubernetes API before starting server", "waiting")]
    // 1.8.4 on: plugin/kubernetes/kubernetes.go; quoted in coredns/coredns issue 5495.
    [InlineData("[WARNING] plugin/kubernetes: starting server with unsynced Kubernetes API", "unsynced")]
    public void CoreDns_waiting_for_the_api_server(string line, string cause)
    {
        var r = CoreDnsLogParser.ParseLine(line.TrimEnd(), 1);
        Assert.Equal((CoreDnsLogKind.ApiserverUnreachable, cause), (r.Kind, r.Cause));
    }

    [Theory]
    // kube-dns 1.14 (kubedns container): prabhatsharma/kubernetes-the-hard-way-aws issue 2, kubernetes/kubeadm issue 193.
    [InlineData("I0210 21:32:34.232623       1 dns.go:173] Waiting for services and endpoints to be initialized from apiserver...", "waiting")]
    // kube-dns 1.15 on: kubernetes/dns pkg/dns/dns.go, glog.V(0).Infof("DNS server not ready, retry in 500 milliseconds").
    [InlineData("I0805 01:28:26.500123       1 dns.go:219] DNS server not ready, retry in 500 milliseconds", "waiting")]
    // kubernetes/dns pkg/dns/dns.go, glog.Fatalf("Timeout waiting for initialization") after --initial-sync-timeout.
    [InlineData("F0805 01:29:26.000456       1 dns.go:215] Timeout waiting for initialization", "unsynced")]
    public void Kube_dns_waiting_for_the_api_server(string line, string cause)
    {
        var r = CoreDnsLogParser.ParseLine(line, 1);
        Assert.Equal((CoreDnsLogKind.ApiserverUnreachable, cause, CoreDnsLogParser.KubeDnsContainer), (r.Kind, r.Cause, r.Plugin));
    }

    [Fact]
    public void Kube_dns_synced_is_no_wait() =>
        Assert.Equal(CoreDnsLogKind.Other, CoreDnsLogParser.ParseLine("I0805 01:28:27.000789       1 dns.go:207] Initialized services and endpoints from apiserver", 1).Kind);

    [Theory]
    // kubernetes/kubernetes issue 86762 (title): the errors plugin's line with no question name and type.
    [InlineData("[ERROR] plugin/errors: 2 read udp 10.244.235.249:55567->10.96.0.10:53: i/o timeout", "10.96.0.10:53", "i/o timeout")]
    [InlineData("[ERROR] plugin/errors: 2 dial tcp 10.0.0.2:53: connect: connection refused", "10.0.0.2:53", "connection refused")]
    public void Upstream_error_without_a_question(string line, string upstream, string error)
    {
        var r = CoreDnsLogParser.ParseLine(line, 1);
        Assert.Equal(CoreDnsLogKind.UpstreamError, r.Kind);
        Assert.Equal((null, null, upstream, error), (r.QueryName, r.QueryType, r.Endpoint, r.Error));
    }

    [Theory]
    // coredns/deployment issue 215: a zone written inside a server block.
    [InlineData("/etc/coredns/Corefile:3 - Error during parsing: Unknown directive '.'", ".", 3)]
    // coredns/coredns issue 3472: an external plugin not compiled in.
    [InlineData("./Corefile:5 - Error during parsing: Unknown directive 'pdsql'", "pdsql", 5)]
    // coredns/kubernetai issue 22: as pasted, without the file.
    [InlineData("Error during parsing: Unknown directive 'kubernetai'", "kubernetai", null)]
    public void Unknown_directive_in_every_form(string line, string directive, int? corefileLine)
    {
        var r = CoreDnsLogParser.ParseLine(line, 1);
        Assert.Equal(CoreDnsLogKind.UnknownDirective, r.Kind);
        Assert.Equal(("directive", directive, corefileLine), (r.Cause, r.Directive, r.CorefileLine));
    }

    [Theory]
    // coredns/coredns pull request 2816 (2019, CoreDNS 1.5): a reload with a broken Corefile, caddy's restart message.
    [InlineData("[ERROR] Restart failed: Corefile:5 - Error during parsing: Unknown directive 'jfkdjk'", true)]
    [InlineData("[ERROR] SIGUSR1: starting with listener file descriptors: Corefile:5 - Error during parsing: Unknown directive 'jfkdjk'", true)]
    // plugin/reload/reload.go (1.0.6 on): log.Errorf("Corefile changed but reload failed: %s", err), with that error.
    [InlineData("[ERROR] plugin/reload: Corefile changed but reload failed: /etc/coredns/Corefile:5 - Error during parsing: Unknown directive 'jfkdjk'", true)]
    [InlineData("/etc/coredns/Corefile:5 - Error during parsing: Unknown directive 'jfkdjk'", false)]
    public void Unknown_directive_at_start_up_or_on_reload(string line, bool onReload)
    {
        var r = CoreDnsLogParser.ParseLine(line, 1);
        Assert.Equal((CoreDnsLogKind.UnknownDirective, "jfkdjk", 5, onReload), (r.Kind, r.Directive, r.CorefileLine, r.OnReload));
    }

    [Theory]
    // traefik/mesh issue 685: kubernetes `upstream`, removed in CoreDNS 1.7.0.
    [InlineData("plugin/kubernetes: /etc/coredns/Corefile:25 - Error during parsing: unknown property 'upstream'", "kubernetes", "upstream", 25)]
    // coredns/coredns issue 4362 names the message; the prefix and file are how CoreDNS prints a plugin's setup error
    // (plugin.Error wraps caddy's "FILE:LINE - Error during parsing: MSG"; plugin/forward/setup.go "unknown property '%s'").
    [InlineData("plugin/forward: /etc/coredns/Corefile:11 - Error during parsing: unknown property 'max_concurrent'", "forward", "max_concurrent", 11)]
    [InlineData("Error during parsing: unknown property 'max_concurrent'", null, "max_concurrent", null)]
    public void Unknown_property(string line, string? plugin, string property, int? corefileLine)
    {
        var r = CoreDnsLogParser.ParseLine(line, 1);
        Assert.Equal(CoreDnsLogKind.UnknownDirective, r.Kind);
        Assert.Equal(("property", plugin, property, corefileLine), (r.Cause, r.Plugin, r.Property, r.CorefileLine));
    }

    [Theory]
    [InlineData("""[INFO] plugin/ready: Still waiting on: "erratic" """)]
    [InlineData("[WARNING] No files matching import glob pattern: /etc/coredns/custom/*.server")]
    [InlineData("[INFO] plugin/kubernetes: Trace[1427131847]: \"Reflector ListAndWatch\" name:pkg/mod/k8s.io/client-go@v0.24.4 (02-Jan-2023 10:00:00.000) (total time: 30001ms)")]
    [InlineData("[ERROR] plugin/errors: 2 api.example.com. A: plugin/forward: no next plugin found")]
    [InlineData("CoreDNS-1.2.6")]
    public void Lines_that_look_alike_but_say_nothing_wrong_of_these_kinds(string line)
    {
        var r = CoreDnsLogParser.ParseLine(line.TrimEnd(), 1);
        Assert.DoesNotContain(r.Kind, new[] { CoreDnsLogKind.ApiserverUnreachable, CoreDnsLogKind.ForwardLoop, CoreDnsLogKind.UnknownDirective });
        Assert.Null(r.Endpoint);
    }

    [Fact]
    public void The_loop_plugins_probe_in_a_query_log_is_a_query_not_a_loop()
    {
        var r = CoreDnsLogParser.ParseLine("""[INFO] 127.0.0.1:55953 - 4547 "HINFO IN 4547991504243258144.3688648895315093531. udp 57 false 512" NXDOMAIN qr,rd,ra 57 0.000115s""", 1);
        Assert.Equal(CoreDnsLogKind.Query, r.Kind);
    }

    [Fact]
    public void Parse_streams_with_line_numbers_and_skips_blank_lines()
    {
        var text = ".:53\n\n[INFO] plugin/reload: Running configuration SHA512 = x\nCoreDNS-1.9.3\n";
        var records = CoreDnsLogParser.Parse(new StringReader(text)).ToList();
        Assert.Equal([1, 3, 4], records.Select(r => r.LineNumber));
    }
}
