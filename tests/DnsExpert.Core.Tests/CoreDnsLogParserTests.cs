using DnsExpert.Core.Parsing;

namespace DnsExpert.Core.Tests;

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

    [Fact]
    public void Parse_streams_with_line_numbers_and_skips_blank_lines()
    {
        var text = ".:53\n\n[INFO] plugin/reload: Running configuration SHA512 = x\nCoreDNS-1.9.3\n";
        var records = CoreDnsLogParser.Parse(new StringReader(text)).ToList();
        Assert.Equal([1, 3, 4], records.Select(r => r.LineNumber));
    }
}
