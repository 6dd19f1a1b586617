using DnsExpert.Testing;

namespace DnsExpert.Cli.Tests;

/// <summary><c>dnsexpert agent</c>: the node agent's web app composed by the CLI.</summary>
public sealed class AgentCommandTests
{
    private static readonly string NodeRoot = Path.Combine(RepoPaths.Root, "tests", "fixtures", "node-root");
    private const string Token = "agent-token-for-tests";

    [Fact]
    public async Task The_agent_command_will_not_start_without_a_token_or_with_a_bad_range()
    {
        var dir = Directory.CreateTempSubdirectory("dnsexpert-agent-cli-").FullName;
        try
        {
            var empty = Path.Combine(dir, "empty");
            await File.WriteAllTextAsync(empty, "\n");
            var token = Path.Combine(dir, "token");
            await File.WriteAllTextAsync(token, Token);
            using var output = new StringWriter();
            using var missing = new StringWriter();
            using var blank = new StringWriter();
            using var badRange = new StringWriter();

            Assert.NotEqual(0, await DnsExpertCli.RunAsync(["agent", "--root", NodeRoot], output, missing));
            Assert.Contains("--token-file", missing.ToString(), StringComparison.Ordinal);
            Assert.Equal(DnsExpertCli.ExitCodes.BadInput, await DnsExpertCli.RunAsync(["agent", "--root", NodeRoot, "--token-file", empty], output, blank));
            Assert.Contains("no token", blank.ToString(), StringComparison.Ordinal);
            Assert.Equal(DnsExpertCli.ExitCodes.BadInput, await DnsExpertCli.RunAsync(["agent", "--root", NodeRoot, "--token-file", token, "--allow-cidr", "everything"], output, badRange));
            Assert.Contains("'everything'", badRange.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
