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
}
