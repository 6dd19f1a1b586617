using System.Globalization;
using System.Text;
using DnsExpert.Contract;
using DnsExpert.Facts;
using DnsExpert.Readers.Building;
using DnsExpert.Readers.Parsing;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace DnsExpert.Readers.Tests;

/// <summary>The Prometheus text exposition reader, and CoreDNS's three metric generations read as one.</summary>
public sealed class PrometheusTextTests
{
    private static string Fixture(string name) =>
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "fixtures", "metrics", name));

    [Fact]
    public void Samples_labels_escapes_special_values_and_timestamps_are_read()
    {
        var exposition = PrometheusText.Parse("""
            # HELP http_requests_total The total number of HTTP requests.
            # TYPE http_requests_total counter
            http_requests_total{method="post",code="200"} 1027 1395066363000
            http_requests_total{method="post",code="400"}    3 1395066363000

            # A plain comment
            msdos_file_access_time_seconds{path="C:\\DIR\\FILE.TXT",error="Cannot find file:\n\"FILE.TXT\""} 1.458255915e9
            metric_without_timestamp_and_labels 12.47
            something_weird{problem="division by zero"} +Inf -3982045
            nan_value NaN
            minus -Inf
            trailing{a="1",} 2
            # TYPE rpc_duration_seconds histogram
            rpc_duration_seconds_bucket{le="+Inf"} 144320
            rpc_duration_seconds_sum 53423
            """);

        Assert.Equal(0, exposition.BadLines);
        Assert.Equal("counter", exposition.Types["http_requests_total"]);
        Assert.Equal("histogram", exposition.Types["rpc_duration_seconds"]);
        var first = exposition.Samples[0];
        Assert.Equal(("http_requests_total", "post", "200", 1027.0, 1395066363000L), (first.Name, first.Label("method"), first.Label("code"), first.Value, first.TimestampMs!.Value));
        var dos = exposition.Of("msdos_file_access_time_seconds").Single();
        Assert.Equal(@"C:\DIR\FILE.TXT", dos.Label("path"));
        Assert.Equal("Cannot find file:\n\"FILE.TXT\"", dos.Label("error"));
        Assert.Equal(1.458255915e9, dos.Value);
        Assert.Equal(double.PositiveInfinity, exposition.Of("something_weird").Single().Value);
        Assert.Equal(-3982045L, exposition.Of("something_weird").Single().TimestampMs);
        Assert.True(double.IsNaN(exposition.Of("nan_value").Single().Value));
        Assert.Equal(double.NegativeInfinity, exposition.Of("minus").Single().Value);
        Assert.Equal("1", exposition.Of("trailing").Single().Label("a"));
        Assert.Equal("+Inf", exposition.Of("rpc_duration_seconds_bucket").Single().Label("le"));
    }

    [Theory]
    [InlineData("name{a=\"unterminated} 1")]
    [InlineData("name{a=1} 1")]
    [InlineData("name{=\"x\"} 1")]
    [InlineData("name 1 notatimestamp")]
    [InlineData("name Infinity")]
    [InlineData("name $1")]
    [InlineData("name")]
    [InlineData("9name 1")]
    [InlineData("name{a=\"x\"}1")]
    public void A_malformed_line_is_counted_not_read_and_never_throws(string line)
    {
        var exposition = PrometheusText.Parse("ok 1\n" + line + "\nok 2\n");
        Assert.Equal(2, exposition.Samples.Count);
        Assert.Equal((1, 2), (exposition.BadLines, exposition.FirstBadLine!.Value));
    }

    [Theory]
    [InlineData("# HELP coredns_panics_total A metrics that counts the number of panics.\n", true)]
    [InlineData("coredns_panics_total 3\ncoredns_reload_failed_total 0\n", true)]
    [InlineData("Error from server (Forbidden): pods \"coredns-a\" is forbidden: User cannot get resource \"pods/proxy\"\n", false)]
    [InlineData("", false)]
    public void A_scrape_is_recognised_also_when_filtered_to_its_samples(string text, bool exposition) =>
        Assert.Equal(exposition, PrometheusText.LooksLikeExposition(text));

    [Fact]
    public void The_sample_cap_bounds_a_hostile_paste()
    {
        var text = new StringBuilder();
        for (var i = 0; i < PrometheusText.MaxSamples + 10; i++)
        {
            text.Append("x{i=\"").Append(i.ToString(CultureInfo.InvariantCulture)).Append("\"} 1\n");
        }

        var exposition = PrometheusText.Parse(text.ToString());
        Assert.Equal(PrometheusText.MaxSamples, exposition.Samples.Count);
        Assert.True(exposition.Truncated);
    }

    [Fact]
    public void A_line_past_the_cap_is_bad_and_costs_nothing_more()
    {
        var exposition = PrometheusText.Parse("x{a=\"" + new string('a', PrometheusText.MaxLineLength) + "\"} 1\ny 1");
        Assert.Equal((1, 1), (exposition.BadLines, exposition.Samples.Count));
    }

    /// <summary>Text made of the exposition's characters and pieces, cut and joined at random.</summary>
    private static Arbitrary<string> Expositionish() =>
        Gen.Elements("coredns_panics_total", "{", "}", "\"", "\\", "=", ",", " ", "\t", "\n", "\r", "#", " TYPE ", " HELP ", "le", "+Inf", "-Inf", "NaN",
                "1e9", "0", "-1", ".", "_bucket", "rcode", "SERVFAIL", "é", "\\n", "\\\"", "9153", "process_start_time_seconds", "1.7e9")
            .ArrayOf()
            .Select(parts => string.Concat(parts))
            .ToArbitrary();

    [Property(MaxTest = 500)]
    public Property Any_text_is_read_without_throwing_and_every_sample_is_well_formed() =>
        Prop.ForAll(Expositionish(), text =>
        {
            var exposition = PrometheusText.Parse(text);
            var scrape = CoreDnsScrape.Read(exposition);
            return exposition.Samples.All(s => s.Name.Length > 0 && !s.Name.Contains(' ', StringComparison.Ordinal) && s.Labels.Count <= PrometheusText.MaxLabels)
                && exposition.Samples.Count + exposition.BadLines <= text.Split('\n').Length
                && (scrape is null || (scrape.Panics ?? 0) >= 0);
        });

    /// <summary>Samples printed as the format writes them (escaped label values) are read back as they were.</summary>
    [Property(MaxTest = 300)]
    public Property Written_samples_are_read_back(NonEmptyString labelValue, int value) =>
        Prop.ForAll(Arb.From(Gen.Constant(labelValue.Get)), v =>
        {
            var escaped = v.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
            var exposition = PrometheusText.Parse($"# TYPE m counter\nm{{l=\"{escaped}\"}} {value.ToString(CultureInfo.InvariantCulture)}\n");
            var sample = exposition.Samples.SingleOrDefault();
            return v.Contains('\r', StringComparison.Ordinal) || (sample is not null && sample.Label("l") == v && sample.Value == value);
        });

    [Fact]
    public void Before_1_7_the_old_names_are_read()
    {
        var scrape = CoreDnsScrape.Read(PrometheusText.Parse(Fixture("coredns-1.6.7-panic.txt")))!;
        Assert.Equal(("1.6.7", 184022L, 1L, 118L), (scrape.Version, scrape.Requests!.Value, scrape.Panics!.Value, scrape.ResponsesWith("SERVFAIL")!.Value));
        Assert.Equal(0, scrape.HealthcheckFailures!["10.0.0.2:53"]);
        Assert.Null(scrape.ReloadFailures);
        Assert.Null(scrape.MaxConcurrentRejects);
        Assert.Equal(new DateTimeOffset(2024, 11, 21, 3, 46, 40, TimeSpan.Zero), scrape.ProcessStart);
    }

    [Fact]
    public void Refused_reloads_are_read_under_each_generation_s_name_and_their_rise_between_two_scrapes()
    {
        CoreDnsScrape Scrape(string name) => CoreDnsScrape.Read(PrometheusText.Parse(Fixture(name)))!;

        // 1.5.1 to 1.6.9: coredns_reload_failed_count_total; 1.7.0 on: coredns_reload_failed_total.
        Assert.Equal(2L, Scrape("coredns-1.6.7-reload-failed-scrape2.txt").ReloadFailures);
        Assert.Equal(1L, Scrape("coredns-1.6.7-reload-failed-scrape2.txt").Since(Scrape("coredns-1.6.7-reload-failed-scrape1.txt"))!.ReloadFailures);
        Assert.Equal(2L, Scrape("coredns-1.11.1-reload-failed-scrape2.txt").Since(Scrape("coredns-1.11.1-reload-failed-scrape1.txt"))!.ReloadFailures);
        // An old refusal that does not rise is no refusal between the scrapes.
        Assert.Equal(0L, Scrape("coredns-1.11.1-old-reload-failure-scrape2.txt").Since(Scrape("coredns-1.11.1-reload-failed-scrape1.txt"))!.ReloadFailures);
    }

    [Fact]
    public void Cache_hits_of_every_type_and_misses_are_read_and_a_scrape_without_the_cache_plugin_has_none()
    {
        CoreDnsScrape Scrape(string name) => CoreDnsScrape.Read(PrometheusText.Parse(Fixture(name)))!;

        var first = Scrape("coredns-1.11.1-cache-collapse-scrape1.txt");
        Assert.Equal((58700L, 37420L), (first.CacheHits!.Value, first.CacheMisses!.Value));
        var rise = Scrape("coredns-1.11.1-cache-collapse-scrape2.txt").Since(first)!;
        Assert.Equal((124L, 3996L), (rise.CacheHits!.Value, rise.CacheMisses!.Value));
        Assert.Null(Scrape("coredns-1.11.1-panics-scrape1.txt").CacheHits);
        Assert.Null(Scrape("coredns-1.11.1-panics-scrape1.txt").CacheMisses);
    }

    [Fact]
    public void In_1_7_0_the_per_type_family_of_the_same_name_is_not_counted_twice()
    {
        var scrape = CoreDnsScrape.Read(PrometheusText.Parse(Fixture("coredns-1.7.0-two-request-families.txt")))!;
        Assert.Equal(1234L, scrape.Requests);
        Assert.Equal((1234L, 212L, 12L), (scrape.AllResponses!.Value, scrape.ResponsesWith("SERVFAIL")!.Value, scrape.ResponsesWith("REFUSED")!.Value));
        Assert.Equal(7, scrape.HealthcheckFailures!["10.0.0.2:53"]);
        Assert.Equal(1L, scrape.ReloadFailures);
        Assert.Null(scrape.ProcessStart);
    }

    [Fact]
    public void From_1_11_the_proxy_names_are_read_and_a_missing_series_is_not_available()
    {
        var clean = CoreDnsScrape.Read(PrometheusText.Parse(Fixture("coredns-1.11.1-panics-scrape1.txt")))!;
        Assert.Null(clean.HealthcheckFailures);
        Assert.Equal(0L, clean.ResponsesWith("REFUSED"));
        var later = CoreDnsScrape.Read(PrometheusText.Parse(Fixture("coredns-1.11.1-panics-scrape2.txt")))!;
        Assert.Equal(3, later.HealthcheckFailures!["10.0.0.2:53"]);
        Assert.Equal(0L, later.MaxConcurrentRejects);
    }

    [Theory]
    [InlineData(0.5, 0.1)]     // the rank is the first bucket's whole count: its bound
    [InlineData(0.7, 0.15)]    // halfway through the second bucket's 40
    [InlineData(0.95, 0.2)]    // past the last finite bound: that bound, as histogram_quantile answers
    public void The_request_duration_quantile_reads_the_buckets_as_histogram_quantile(double q, double seconds)
    {
        var exposition = PrometheusText.Parse("""
            # TYPE coredns_dns_request_duration_seconds histogram
            coredns_dns_request_duration_seconds_bucket{server="dns://:53",type="A",zone=".",le="0.1"} 30
            coredns_dns_request_duration_seconds_bucket{server="dns://:53",type="A",zone=".",le="0.2"} 50
            coredns_dns_request_duration_seconds_bucket{server="dns://:53",type="A",zone=".",le="+Inf"} 60
            coredns_dns_request_duration_seconds_bucket{server="dns://:53",type="AAAA",zone=".",le="0.1"} 20
            coredns_dns_request_duration_seconds_bucket{server="dns://:53",type="AAAA",zone=".",le="0.2"} 40
            coredns_dns_request_duration_seconds_bucket{server="dns://:53",type="AAAA",zone=".",le="+Inf"} 40
            """);
        var scrape = CoreDnsScrape.Read(exposition)!;
        Assert.Equal(seconds, scrape.DurationQuantile(q)!.Value, 6);
        Assert.Null((scrape with { DurationBuckets = null }).DurationQuantile(q));
    }

    [Fact]
    public void Two_scrapes_of_one_process_give_the_rise_and_a_restart_gives_none()
    {
        var first = CoreDnsScrape.Read(PrometheusText.Parse(Fixture("coredns-1.11.1-panics-scrape1.txt")))!;
        var second = CoreDnsScrape.Read(PrometheusText.Parse(Fixture("coredns-1.11.1-panics-scrape2.txt")))!;
        var rise = second.Since(first)!;
        Assert.Equal((3L, 3757L, 603L), (rise.Panics!.Value, rise.Requests!.Value, rise.ResponsesWith("SERVFAIL")!.Value));
        Assert.Equal(3, rise.HealthcheckFailures!["10.0.0.2:53"]);
        Assert.Null(first.Since(second));
        Assert.Null((second with { ProcessStart = second.ProcessStart!.Value.AddHours(1) }).Since(first));
    }

    [Fact]
    public void NodeLocal_set_up_errors_are_read_by_type()
    {
        var scrape = CoreDnsScrape.Read(PrometheusText.Parse(Fixture("node-local-dns-1.22.28-iptables-lock-scrape1.txt")))!;
        Assert.Equal(14, scrape.SetupErrors!["iptables_lock"]);
        Assert.Equal(0, scrape.SetupErrors["interface_add"]);
        Assert.Null(scrape.Panics);
    }

    [Theory]
    [InlineData("kubectl get --raw /api/v1/namespaces/kube-system/pods/coredns-5d78c9869d-abcde:9153/proxy/metrics", "kube-system", "coredns-5d78c9869d-abcde", null, 9153)]
    [InlineData("kubectl get --raw /api/v1/namespaces/kube-system/pods/http:node-local-dns-x7k2p:9353/proxy/metrics", "kube-system", "node-local-dns-x7k2p", null, 9353)]
    [InlineData("kubectl get --raw '/api/v1/namespaces/kube-system/pods/coredns-a/proxy/metrics'", "kube-system", "coredns-a", null, null)]
    [InlineData("curl -s http://10.244.0.5:9153/metrics", null, null, "10.244.0.5", 9153)]
    [InlineData("curl 10.244.0.5:9153/metrics", null, null, "10.244.0.5", 9153)]
    [InlineData("curl -s localhost:9153/metrics", null, null, "localhost", 9153)]
    public void The_scraped_pod_or_address_is_taken_from_the_command(string command, string? ns, string? pod, string? host, int? port)
    {
        var endpoint = MetricsEndpoint.Of(command.Split(' '))!;
        Assert.Equal((ns, pod, host, port), (endpoint.Namespace, endpoint.Pod, endpoint.Host, endpoint.Port));
    }

    [Fact]
    public void A_pasted_scrape_becomes_the_pods_metrics_facts_and_a_pod_ip_finds_its_pod()
    {
        const string Pod = """
            {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "coredns-5d78c9869d-fghij", "namespace": "kube-system", "labels": {"k8s-app": "kube-dns"}},
             "spec": {"containers": [{"name": "coredns", "image": "registry.k8s.io/coredns/coredns:v1.11.1"}]}, "status": {"phase": "Running", "podIP": "10.244.1.7"}}
            """;
        var request = new DiagnosisRequest
        {
            Snapshot = new Snapshot
            {
                Objects = [System.Text.Json.JsonDocument.Parse(Pod).RootElement],
                Outputs =
                [
                    new CommandOutput { Command = "kubectl get --raw /api/v1/namespaces/kube-system/pods/coredns-5d78c9869d-abcde:9153/proxy/metrics", Text = Fixture("coredns-1.11.1-panics-scrape1.txt") },
                    new CommandOutput { Command = "kubectl get --raw /api/v1/namespaces/kube-system/pods/coredns-5d78c9869d-abcde:9153/proxy/metrics", Text = Fixture("coredns-1.11.1-panics-scrape2.txt") },
                    new CommandOutput { Command = "curl -s http://10.244.1.7:9153/metrics", From = "kube-system/netshoot", Text = Fixture("coredns-1.6.7-panic.txt") },
                    new CommandOutput { Command = "kubectl get --raw /api/v1/namespaces/kube-system/pods/node-local-dns-x7k2p:9353/proxy/metrics", Text = Fixture("node-local-dns-1.22.28-iptables-lock-scrape1.txt") },
                ],
            },
        };

        var (expanded, notes) = PastedOutputs.Expand(request);
        Assert.Equal(
            ["read as the metrics of pod kube-system/coredns-5d78c9869d-abcde", "read as the metrics of pod kube-system/coredns-5d78c9869d-abcde", "read as the metrics of the pod at 10.244.1.7", "read as the metrics of pod kube-system/node-local-dns-x7k2p"],
            notes.Select(n => n.Detail));
        var facts = SnapshotFactBuilder.Build(expanded).Facts;

        var rising = facts.OfType<CoreDnsMetrics>().Single(m => m.Pod == "coredns-5d78c9869d-abcde");
        Assert.Equal((true, 3L, "between two scrapes of the same process"), (rising.BetweenScrapes, rising.Panics!.Value, rising.Window));
        var old = facts.OfType<CoreDnsMetrics>().Single(m => m.Pod == "coredns-5d78c9869d-fghij");
        Assert.Equal((false, 1L, "since the process started at 2024-11-21 03:46 UTC", 0.1), (old.BetweenScrapes, old.Panics!.Value, old.Window, old.ServfailPercent!.Value));
        Assert.Null(old.ReloadFailures);
        Assert.Equal(3, facts.OfType<CoreDnsUpstreamHealthchecks>().Single(h => h.Pod == "coredns-5d78c9869d-abcde").Failures);
        var setup = facts.OfType<NodeLocalSetupErrors>().Where(e => e.Count > 0).Single();
        Assert.Equal(("node-local-dns-x7k2p", "iptables_lock", 14L), (setup.Pod, setup.ErrorType, setup.Count));
        Assert.DoesNotContain(facts.OfType<CoreDnsMetrics>(), m => m.Pod.StartsWith("node-local", StringComparison.Ordinal));
    }

    /// <summary>
    /// <c>curl localhost:9353/metrics</c> on a node is NodeLocal DNSCache's pod there, found by its DaemonSet whatever the
    /// layout calls it: kubespray's <c>nodelocaldns</c>, not only <c>node-local-dns</c>.
    /// </summary>
    [Fact]
    public void A_node_scrape_of_nodelocal_is_the_pod_of_its_daemonset_in_the_kubespray_layout()
    {
        const string DaemonSet = """
            {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "nodelocaldns", "namespace": "kube-system", "labels": {"k8s-app": "kube-dns"}},
             "spec": {"selector": {"matchLabels": {"k8s-app": "nodelocaldns"}}, "template": {"metadata": {"labels": {"k8s-app": "nodelocaldns"}},
               "spec": {"hostNetwork": true, "containers": [{"name": "node-cache", "image": "registry.k8s.io/dns/k8s-dns-node-cache:1.22.28",
                 "args": ["-localip", "169.254.25.10", "-conf", "/etc/coredns/Corefile", "-upstreamsvc", "coredns"]}]}}}}
            """;
        const string Pod = """
            {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "nodelocaldns-q8x2v", "namespace": "kube-system", "labels": {"k8s-app": "nodelocaldns"}},
             "spec": {"nodeName": "node-3", "hostNetwork": true, "containers": [{"name": "node-cache", "image": "registry.k8s.io/dns/k8s-dns-node-cache:1.22.28"}]},
             "status": {"phase": "Running", "podIP": "192.168.0.13"}}
            """;
        var request = new DiagnosisRequest
        {
            Snapshot = new Snapshot
            {
                Objects = [System.Text.Json.JsonDocument.Parse(DaemonSet).RootElement, System.Text.Json.JsonDocument.Parse(Pod).RootElement],
                Outputs = [new CommandOutput { Command = "curl -s localhost:9353/metrics", From = "node/node-3", Text = Fixture("node-local-dns-1.22.28-iptables-lock-scrape1.txt") }],
            },
        };

        var (expanded, _) = PastedOutputs.Expand(request);
        var setup = SnapshotFactBuilder.Build(expanded).Facts.OfType<NodeLocalSetupErrors>().Where(e => e.Count > 0).Single();

        Assert.Equal(("nodelocaldns-q8x2v", "node-3", "Pod kube-system/nodelocaldns-q8x2v metrics"), (setup.Pod, setup.Node, setup.Source));
    }
}
