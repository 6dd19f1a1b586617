using System.Net.Sockets;
using System.Text;

namespace DnsExpert.Api.Tests;

/// <summary>
/// What only a raw socket can send, against the built service on Kestrel: framing that HttpClient never writes. A bad
/// frame is the caller's 400, never a 500 or a server-error log entry.
/// </summary>
public sealed class RawHttpTests
{
    [Theory]
    [InlineData("ffffffffffffffffff1")]
    [InlineData("fffffffffffffffff")]
    [InlineData("zz")]
    public async Task A_chunk_size_that_is_no_size_is_a_400_problem_without_an_error_log(string chunkSize)
    {
        await using var service = await ServiceProcess.StartAsync(
            new Dictionary<string, string>
            {
                ["DnsExpert:RulesDirectory"] = Path.Combine(ApiFactory.RepoRoot, "rules"),
                ["DnsExpert:History:Provider"] = "none",
            },
            new Dictionary<string, string>());
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(service.Address.Host, service.Address.Port);
        var stream = tcp.GetStream();
        var request = "POST /api/v1/diagnoses HTTP/1.1\r\n"
            + $"Host: {service.Address.Authority}\r\n"
            + "Content-Type: application/json\r\n"
            + "Transfer-Encoding: chunked\r\n"
            + "Connection: close\r\n\r\n"
            + $"{chunkSize}\r\n{{\"domain\":\"x\"}}\r\n0\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));

        using var reader = new StreamReader(stream, Encoding.UTF8);
        var response = await reader.ReadToEndAsync();

        Assert.True(response.StartsWith("HTTP/1.1 400 ", StringComparison.Ordinal), response + "\n" + service.Output);
        Assert.Contains("application/problem+json", response, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("fail:", service.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("crit:", service.Output, StringComparison.Ordinal);
    }
}
