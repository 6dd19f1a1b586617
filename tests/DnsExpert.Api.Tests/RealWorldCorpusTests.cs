using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DnsExpert.Api.Tests;

/// <summary>
/// <c>tests/realworld</c>: CoreDNS log lines as published (CoreDNS sources, issue threads), one file per case and
/// version. Each is the log of a Running CoreDNS pod of its image: a 200, the findings its header expects with
/// evidence from that log, no other finding citing it, and no critical finding the header does not expect.
/// </summary>
public sealed class RealWorldCorpusTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private static readonly string CorpusRoot = Path.Combine(ApiFactory.RepoRoot, "tests", "realworld");
    private const string Pod = "coredns-7db6d8ff4d-x5v9q";
    private readonly HttpClient _client = factory.CreateClient();

    public static TheoryData<string> Logs() => new(
        Directory.EnumerateFiles(CorpusRoot, "*.log", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(CorpusRoot, f)).Order(StringComparer.Ordinal));

    [Theory]
    [MemberData(nameof(Logs))]
    public async Task Real_coredns_log_gives_the_findings_its_evidence_supports(string file)
    {
        var (header, log) = Read(File.ReadAllLines(Path.Combine(CorpusRoot, file)));
        Assert.True(header.ContainsKey("source") && header.ContainsKey("image") && header.ContainsKey("expect"), $"{file}: header needs source, image and expect");
        var expected = header["expect"].Split([',', ' '], StringSplitOptions.RemoveEmptyEntries);

        var response = await _client.PostAsync("/api/v1/diagnoses", new StringContent(Request(header["image"], log).ToJsonString(), Encoding.UTF8, "application/json"));
        var json = await response.Json();
        Assert.Equal(200, (int)response.StatusCode);

        var findings = json.GetProperty("findings").EnumerateArray().ToList();
        var fired = findings.Select(f => $"{f.GetProperty("ruleId").GetString()} ({f.GetProperty("severity").GetString()})").ToList();
        foreach (var id in expected)
        {
            var finding = findings.SingleOrDefault(f => f.GetProperty("ruleId").GetString() == id);
            Assert.True(finding.ValueKind == JsonValueKind.Object, $"{file}: {id} did not fire; fired [{string.Join(", ", fired)}]");
            Assert.Contains(finding.GetProperty("evidence").EnumerateArray(), e => e.GetProperty("source").GetString() == $"Pod kube-system/{Pod} log");
            if (header.TryGetValue("cause", out var cause))
            {
                Assert.Contains(cause, finding.GetProperty("cause").GetString(), StringComparison.Ordinal);
            }
        }

        // No critical finding the lines do not prove, and no finding of any severity that cites them unexpected.
        var unsupported = findings.Where(f => !expected.Contains(f.GetProperty("ruleId").GetString())
            && (f.GetProperty("severity").GetString() == "critical"
                || f.GetProperty("evidence").EnumerateArray().Any(e => e.GetProperty("source").GetString() == $"Pod kube-system/{Pod} log")));
        Assert.True(!unsupported.Any(), $"{file}: findings its evidence does not support: [{string.Join(", ", fired)}]");
    }

    private static (Dictionary<string, string> Header, string Log) Read(string[] lines)
    {
        var header = new Dictionary<string, string>(StringComparer.Ordinal);
        var body = new List<string>();
        foreach (var line in lines)
        {
            if (body.Count == 0 && line.StartsWith("# ", StringComparison.Ordinal) && line.IndexOf(':', StringComparison.Ordinal) is var colon and > 2)
            {
                header[line[2..colon]] = line[(colon + 1)..].Trim();
            }
            else
            {
                body.Add(line);
            }
        }

        return (header, string.Join('\n', body));
    }

    /// <summary>The smallest snapshot around a CoreDNS log: its pod (Running, Ready, of that image) and the kube-dns Service.</summary>
    private static JsonObject Request(string image, string log) => new()
    {
        ["snapshot"] = new JsonObject
        {
            ["objects"] = new JsonArray(
                new JsonObject
                {
                    ["apiVersion"] = "v1",
                    ["kind"] = "Pod",
                    ["metadata"] = new JsonObject { ["name"] = Pod, ["namespace"] = "kube-system", ["labels"] = new JsonObject { ["k8s-app"] = "kube-dns" } },
                    ["spec"] = new JsonObject { ["nodeName"] = "node-1", ["containers"] = new JsonArray(new JsonObject { ["name"] = "coredns", ["image"] = image }) },
                    ["status"] = new JsonObject
                    {
                        ["phase"] = "Running",
                        ["podIP"] = "10.244.0.5",
                        ["conditions"] = new JsonArray(new JsonObject { ["type"] = "Ready", ["status"] = "True" }),
                        ["containerStatuses"] = new JsonArray(new JsonObject
                        {
                            ["name"] = "coredns", ["image"] = image, ["ready"] = true, ["restartCount"] = 0, ["imageID"] = "", ["containerID"] = "",
                            ["state"] = new JsonObject { ["running"] = new JsonObject { ["startedAt"] = "2024-05-13T08:00:00Z" } },
                        }),
                    },
                },
                new JsonObject
                {
                    ["apiVersion"] = "v1",
                    ["kind"] = "Service",
                    ["metadata"] = new JsonObject { ["name"] = "kube-dns", ["namespace"] = "kube-system" },
                    ["spec"] = new JsonObject { ["clusterIP"] = "10.96.0.10", ["selector"] = new JsonObject { ["k8s-app"] = "kube-dns" } },
                }),
            ["logs"] = new JsonArray(new JsonObject { ["namespace"] = "kube-system", ["pod"] = Pod, ["container"] = "coredns", ["text"] = log }),
        },
    };
}
