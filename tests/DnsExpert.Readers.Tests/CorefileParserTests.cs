using DnsExpert.Readers.Parsing;

namespace DnsExpert.Readers.Tests;

public sealed class CorefileParserTests
{
    /// <summary>kubeadm's default Corefile (CoreDNS 1.10/1.11).</summary>
    public const string Kubeadm = """
        .:53 {
            errors
            health {
               lameduck 5s
            }
            ready
            kubernetes cluster.local in-addr.arpa ip6.arpa {
               pods insecure
               fallthrough in-addr.arpa ip6.arpa
               ttl 30
            }
            prometheus :9153
            forward . /etc/resolv.conf {
               max_concurrent 1000
            }
            cache 30
            loop
            reload
            loadbalance
        }
        """;

    /// <summary>An Alibaba Cloud ACK managed Corefile with autopath, log and prefer_udp.</summary>
    public const string Ack = """
        .:53 {
            errors
            log
            health {
               lameduck 15s
            }
            ready
            kubeapi
            k8s_event {
              level info error warning
            }
            kubernetes cluster.local in-addr.arpa ip6.arpa {
              pods verified
              ttl 30
              fallthrough in-addr.arpa ip6.arpa
            }
            autopath @kubernetes
            prometheus :9153
            forward . /etc/resolv.conf {
              prefer_udp
            }
            cache 30
            loop
            reload
            loadbalance
        }
        """;

    [Fact]
    public void Kubeadm_default_has_one_root_server_with_its_plugins_and_lines()
    {
        var corefile = CorefileParser.Parse(Kubeadm);

        Assert.Empty(corefile.Diagnostics);
        var server = Assert.Single(corefile.Servers);
        Assert.Equal([new CorefileZone("dns", ".", 53)], server.Zones);
        Assert.Equal(["errors", "health", "ready", "kubernetes", "prometheus", "forward", "cache", "loop", "reload", "loadbalance"], server.Directives.Select(d => d.Name));
        var kubernetes = server.Directives.Single(d => d.Name == "kubernetes");
        Assert.Equal(7, kubernetes.Line);
        Assert.Equal(["cluster.local", "in-addr.arpa", "ip6.arpa"], kubernetes.Arguments);
        Assert.Equal(["pods insecure", "fallthrough in-addr.arpa ip6.arpa", "ttl 30"], kubernetes.Block.Select(b => b.Text));
        Assert.Equal("forward . /etc/resolv.conf", server.Directives.Single(d => d.Name == "forward").Text);
    }

    [Fact]
    public void Autopath_line_is_parsed_with_its_line_number_and_forward_block_keeps_prefer_udp()
    {
        var server = Assert.Single(CorefileParser.Parse(Ack).Servers);
        var autopath = server.Directives.Single(d => d.Name == "autopath");
        Assert.Equal(17, autopath.Line);
        Assert.Equal("autopath @kubernetes", autopath.Text);
        Assert.Equal(["prefer_udp"], server.Directives.Single(d => d.Name == "forward").Block.Select(b => b.Name));
    }

    [Fact]
    public void Commented_out_plugin_is_not_a_directive()
    {
        var server = Assert.Single(CorefileParser.Parse(Ack.Replace("autopath @kubernetes", "# autopath @kubernetes", StringComparison.Ordinal)).Servers);
        Assert.DoesNotContain(server.Directives, d => d.Name == "autopath");
    }

    [Fact]
    public void Several_server_blocks_keys_schemes_and_ports()
    {
        const string text = """
            cluster.local:53 in-addr.arpa, ip6.arpa {
                kubernetes
            }
            example.org {
                forward . 10.0.0.10:5353 # trailing comment
            }
            tls://.:853 {
                forward . "8.8.8.8"
            }
            dns://.:1053 {
                whoami
            }
            """;
        var corefile = CorefileParser.Parse(text);

        Assert.Empty(corefile.Diagnostics);
        Assert.Equal(4, corefile.Servers.Count);
        Assert.Equal(["cluster.local.", "in-addr.arpa.", "ip6.arpa."], corefile.Servers[0].Zones.Select(z => z.Name));
        Assert.Equal(new CorefileZone("dns", "example.org.", 53), corefile.Servers[1].Zones[0]);
        Assert.Equal(["forward", ".", "10.0.0.10:5353"], [corefile.Servers[1].Directives[0].Name, .. corefile.Servers[1].Directives[0].Arguments]);
        Assert.Equal(new CorefileZone("tls", ".", 853), corefile.Servers[2].Zones[0]);
        Assert.Equal("8.8.8.8", corefile.Servers[2].Directives[0].Arguments[1]);
        Assert.Equal(new CorefileZone("dns", ".", 1053), corefile.Servers[3].Zones[0]);
    }

    [Fact]
    public void Snippets_imports_and_env_placeholders_do_not_break_parsing()
    {
        const string text = """
            (common) {
                errors
                cache 30
            }
            import /etc/coredns/custom/*.server
            .:{$DNS_PORT} {
                import common
                forward . {$UPSTREAM}
            }
            """;
        var corefile = CorefileParser.Parse(text);
        var server = Assert.Single(corefile.Servers);
        Assert.Equal(["errors", "cache", "forward"], server.Directives.Select(d => d.Name));
        Assert.Equal([2, 3, 8], server.Directives.Select(d => d.Line));
        Assert.Equal("{$UPSTREAM}", server.Directives[2].Arguments[1]);
    }

    [Fact]
    public void Snippets_expand_where_they_are_imported_wherever_they_are_defined_and_files_stay_imports()
    {
        const string text = """
            .:53 {
                import logging
                import /etc/coredns/custom/*.override
                forward . /etc/resolv.conf { import upstream-options }
            }
            (logging) {
                errors
                log
            }
            (upstream-options) {
                max_concurrent 1000
            }
            (loop) {
                import loop
            }
            example.org:53 {
                import loop
            }
            """;

        var corefile = CorefileParser.Parse(text);

        Assert.Equal(["errors", "log", "import", "forward"], corefile.Servers[0].Directives.Select(d => d.Name));
        Assert.Equal(["/etc/coredns/custom/*.override"], corefile.Servers[0].Directives[2].Arguments);
        Assert.Equal("max_concurrent 1000", corefile.Servers[0].Directives[3].Block.Single().Text);
        Assert.Empty(corefile.Servers[1].Directives);
        Assert.Contains(corefile.Diagnostics, d => d.Message.Contains("imports itself", StringComparison.Ordinal));
    }

    [Fact]
    public void Imports_of_known_files_are_read_in_place_with_their_file_and_unknown_ones_stay_imports()
    {
        // AKS: the coredns-custom ConfigMap, mounted at /etc/coredns/custom, supplies *.override lines and *.server blocks.
        const string text = """
            .:53 {
                errors
                forward . /etc/resolv.conf
                import custom/*.override
                import other/*.conf
            }
            import custom/*.server
            """;
        var files = new Dictionary<string, string>
        {
            ["custom/*.override"] = "log\nrewrite name substring old.example new.example\n",
            ["custom/*.server"] = "corp.example:53 {\n    errors\n    forward . 10.0.0.2\n}\n",
        };

        var corefile = CorefileParser.Parse(text, pattern => files.TryGetValue(pattern, out var t) ? [(pattern.Replace("*", "x", StringComparison.Ordinal), t)] : []);

        Assert.Equal(["errors", "forward", "log", "rewrite", "import"], corefile.Servers[0].Directives.Select(d => d.Name));
        Assert.Equal((1, "custom/x.override"), (corefile.Servers[0].Directives[2].Line, corefile.Servers[0].Directives[2].File));
        Assert.Null(corefile.Servers[0].Directives[1].File);
        Assert.Equal(["other/*.conf"], corefile.Servers[0].Directives[4].Arguments);
        var corp = corefile.Servers[1];
        Assert.Equal(("corp.example.", "custom/x.server", 3), (corp.Zones[0].Name, corp.File, corp.Directives[1].Line));
        Assert.Empty(corefile.Diagnostics);
    }

    [Fact]
    public void Unclosed_block_is_a_diagnostic_and_keeps_what_parsed()
    {
        var corefile = CorefileParser.Parse(".:53 {\n    errors\n    log\n");
        Assert.Single(corefile.Servers);
        Assert.Equal(["errors", "log"], corefile.Servers[0].Directives.Select(d => d.Name));
        Assert.Contains(corefile.Diagnostics, d => d.Line == 1 && d.Message.Contains("never closed", StringComparison.Ordinal));
    }

    [Fact]
    public void Windows_line_endings_and_one_line_blocks()
    {
        var corefile = CorefileParser.Parse(".:53 {\r\n    health { lameduck 5s }\r\n    log\r\n}\r\n");
        Assert.Empty(corefile.Diagnostics);
        var server = Assert.Single(corefile.Servers);
        Assert.Equal(["health", "log"], server.Directives.Select(d => d.Name));
        Assert.Equal("lameduck 5s", server.Directives[0].Block.Single().Text);
        Assert.Equal(3, server.Directives[1].Line);
    }

    [Fact]
    public void Own_zones_are_those_coredns_answers_from_its_own_data_never_forwards_nor_what_falls_through()
    {
        // kubeadm's Corefile: the reverse zones fall through to forward; k3s's NodeHosts falls through everything; a
        // file zone in its own block (plugin/file/README.md's example) answers every name of it, NXDOMAIN included.
        var corefile = CorefileParser.Parse(Kubeadm.Replace("    prometheus :9153", "    hosts /etc/coredns/NodeHosts {\n      fallthrough\n    }\n    prometheus :9153", StringComparison.Ordinal)
            + "\nexample.org {\n    file db.example.org\n}\n");

        var own = corefile.Servers.Select(s => CorefileCoverage.Own(s).Select(z => $"{z.Zone} {z.Plugin}")).ToList();

        Assert.Equal([["cluster.local. kubernetes"], ["example.org. file"]], own);
    }
}
