using System.Text.Json;

namespace DnsExpert.Cli.Tests;

/// <summary><c>dnsexpert classify</c>: what a client's error message means, as POST /api/v1/classify answers it.</summary>
public sealed class ClassifyCliTests
{
    private static async Task<(int Exit, string Out, string Err)> Run(string stdin, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await DnsExpertCli.RunAsync(args, new StringReader(stdin), output, error);
        return (exit, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task A_go_timeout_is_the_server_unreachable_with_the_name_and_server_it_names()
    {
        var (exit, stdout, stderr) = await Run("", "classify", "dial tcp: lookup orders.shop.svc.cluster.local on 10.96.0.10:53: read udp 10.244.1.5:38161->10.96.0.10:53: i/o timeout");

        Assert.True(exit == DnsExpertCli.ExitCodes.Ok, stderr);
        using var json = JsonDocument.Parse(stdout);
        Assert.Equal("server-unreachable", json.RootElement.GetProperty("class").GetString());
        Assert.Equal("orders.shop.svc.cluster.local", json.RootElement.GetProperty("name").GetString());
    }

    [Fact]
    public async Task Text_output_shows_message_parts_without_their_control_characters_and_stdin_works()
    {
        var (exit, stdout, _) = await Run("dial tcp: lookup api.\u001b[31mexample.com on 10.96.0.10:53: no such host", "classify", "-", "-o", "text");

        Assert.Equal(DnsExpertCli.ExitCodes.Ok, exit);
        Assert.True(stdout.StartsWith("class: name-not-found", StringComparison.Ordinal), stdout);
        Assert.DoesNotContain("\u001b", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_empty_message_is_refused()
    {
        var (exit, _, stderr) = await Run("   ", "classify", "-");

        Assert.Equal(DnsExpertCli.ExitCodes.BadInput, exit);
        Assert.Contains("give the client's error message", stderr, StringComparison.Ordinal);
    }
}
