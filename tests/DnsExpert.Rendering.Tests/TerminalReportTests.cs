namespace DnsExpert.Rendering.Tests;

public sealed class TerminalReportTests
{
    [Fact]
    public void Cluster_text_cannot_inject_terminal_escapes()
    {
        var text = TerminalReport.Colorize("- _CoreDNS log_: [ERROR] \u001b]0;owned\u0007 \u001b[2J done\n");

        Assert.DoesNotContain("\u001b]", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\u001b[2J", text, StringComparison.Ordinal);
        Assert.Contains("^[]0;owned^G ^[[2J done", text, StringComparison.Ordinal);
    }

    [Theory]
    // Evidence of tests/scenarios/headless-tolerate-unready-annotation and the pcap note of every near-miss, as the
    // Markdown report writes them: the terminal printed the entities.
    [InlineData("CoreDNS v1.11.3 (&gt;= 1.8.4), Kubernetes v1.28.3 (&gt;= 1.20)", "CoreDNS v1.11.3 (>= 1.8.4), Kubernetes v1.28.3 (>= 1.20)")]
    [InlineData("kubectl cp &lt;debug-pod&gt;:/host/tmp/client_dns.pcap0 ./client_dns.pcap0", "kubectl cp <debug-pod>:/host/tmp/client_dns.pcap0 ./client_dns.pcap0")]
    [InlineData("a &amp;lt; b", "a &lt; b")]
    [InlineData("see \\[x\\](http://evil) and C:\\\\dir \\| cell", "see [x](http://evil) and C:\\dir | cell")]
    [InlineData("name `a&amp;b\\]` stays", "name `a&amp;b\\]` stays")]
    [InlineData("``a ` b`` then &gt;", "``a ` b`` then >")]
    [InlineData("unmatched ` run &gt; and `` two", "unmatched ` run > and `` two")]
    [InlineData("escaped \\` tick &gt; `span`", "escaped ` tick > `span`")]
    [InlineData("&#27;[2J &quot;", "&#27;[2J &quot;")]
    public void Markdown_escapes_read_as_the_characters_they_stand_for(string markdown, string shown)
    {
        Assert.Equal(shown, TerminalReport.Unescape(markdown));
    }

    [Fact]
    public void The_report_of_a_version_comparison_shows_the_comparison_not_its_entities()
    {
        var text = TerminalReport.Colorize(MarkdownReport.Render(DnsExpert.Testing.HostileCorpus.Response("answer for kafka-headless.mq.svc.cluster.local about 517 bytes > 512 <b>")));

        Assert.Contains("517 bytes > 512 <b>", text, StringComparison.Ordinal);
        Assert.DoesNotContain("&gt;", text, StringComparison.Ordinal);
        Assert.DoesNotContain("&lt;", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Backtick_runs_of_many_lengths_without_closers_stay_literal()
    {
        var line = string.Concat(Enumerable.Range(1, 400).Select(n => new string('`', n) + "x"));

        Assert.Equal(line, TerminalReport.Unescape(line + "&amp;")[..^1]);
    }
}
