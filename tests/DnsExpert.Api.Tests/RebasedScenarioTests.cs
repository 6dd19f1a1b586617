using System.Text;
using System.Text.Json;

namespace DnsExpert.Api.Tests;

/// <summary>
/// A scenario carried onto another distribution's objects (<c>tests/fixtures/distributions/SOURCES.md</c>, "Scenarios
/// rebased": its <c>origin</c> starts with the scenario of the same folder it was carried from) keeps that scenario's
/// incident lines, so the engine must come to the same verdict on it: the same rules, each with the same severity. Only
/// what the distribution decides may differ (where a Corefile change lasts, the names of nodes and addresses), which
/// the rule ids and severities do not show; a rebase that changed what the scenario proves shows here. A finding of
/// the original that cannot occur on the other distribution is the one difference allowed, named per scenario with
/// its reason (<see cref="CannotOccur"/>): the original must show it, the rebased must not, and nothing else may differ.
/// </summary>
public sealed class RebasedScenarioTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private static readonly string ScenarioRoot = Path.Combine(ApiFactory.RepoRoot, "tests", "scenarios");
    private readonly HttpClient _client = factory.CreateClient();

    /// <summary>Each rebased scenario (<c>rule/file</c>) and the one it was carried from (<c>rule/file</c>).</summary>
    public static TheoryData<string, string> Rebased()
    {
        var data = new TheoryData<string, string>();
        foreach (var expect in Directory.EnumerateFiles(ScenarioRoot, "*.expect.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var origin = JsonDocument.Parse(File.ReadAllText(expect)).RootElement.TryGetProperty("origin", out var o) ? o.GetString() ?? "" : "";
            var end = origin.IndexOf(".json", StringComparison.Ordinal);
            if (!origin.Contains("\"Scenarios rebased\"", StringComparison.Ordinal) || end <= 0 || origin[..end].Contains(' ', StringComparison.Ordinal))
            {
                continue;
            }

            var folder = Path.GetDirectoryName(expect)!;
            var source = Path.Combine(folder, origin[..(end + ".json".Length)]);
            if (File.Exists(source))
            {
                data.Add(Path.GetRelativePath(ScenarioRoot, expect)[..^".expect.json".Length] + ".json", Path.GetRelativePath(ScenarioRoot, source));
            }
        }

        return data;
    }

    /// <summary>
    /// Per rebased scenario (<c>rule/file</c>), the rule ids of the original's findings that cannot occur on the
    /// distribution it was carried to, each with why.
    /// </summary>
    internal static readonly IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> CannotOccur =
        new Dictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.Ordinal)
        {
            ["cloud-resolver-packet-limit/fires-openshift-on-aws-vpc-resolver-timeouts-with-linklocal-rising.json"] =
                new Dictionary<string, string>(StringComparer.Ordinal)
                {
                    ["coredns-load-unbalanced"] = "OpenShift's DNS is the DaemonSet dns-default, one pod per node: the EKS original's two CoreDNS pods on one node (coredns/coredns#4662) cannot be",
                    ["coredns-query-log-disabled"] = "the DNS Operator renders every Corefile with `log . { class error }` (class denial error, class all at higher logLevel): openshift/cluster-dns-operator pkg/operator/controller/controller_dns_configmap.go, commit 061cf58f; a Corefile without the log plugin cannot be",
                },
        };

    [Theory]
    [MemberData(nameof(Rebased))]
    public async Task A_rebased_scenario_comes_to_the_verdict_of_the_one_it_was_carried_from(string rebased, string source)
    {
        var allowed = CannotOccur.GetValueOrDefault(rebased) ?? new Dictionary<string, string>();
        Assert.Equal(Expected(await Verdict(source), allowed), await Verdict(rebased));
    }

    /// <summary>The original's verdict without the findings that cannot occur on the rebased scenario's distribution; each of them must be in it.</summary>
    internal static List<string> Expected(List<string> original, IReadOnlyDictionary<string, string> cannotOccur)
    {
        foreach (var rule in cannotOccur.Keys)
        {
            Assert.True(original.Any(f => f.StartsWith(rule + " ", StringComparison.Ordinal)),
                $"{rule} is listed as unable to occur on the rebased scenario, but the original does not show it either: remove it from CannotOccur");
        }

        return original.Where(f => !cannotOccur.ContainsKey(f[..f.IndexOf(' ', StringComparison.Ordinal)])).ToList();
    }

    [Fact]
    public void Each_allowed_difference_names_a_rebased_scenario_and_says_why()
    {
        var rebased = Rebased().Select(row => (string)row[0]).ToHashSet(StringComparer.Ordinal);
        foreach (var (scenario, rules) in CannotOccur)
        {
            Assert.Contains(scenario, rebased);
            Assert.All(rules, r => Assert.False(string.IsNullOrWhiteSpace(r.Value), $"{scenario}: {r.Key} needs its reason"));
        }
    }

    /// <summary>Only the listed rule may be missing, and only from the rebased scenario: another difference still fails.</summary>
    [Fact]
    public void An_allowed_difference_allows_nothing_else()
    {
        var allowed = new Dictionary<string, string>(StringComparer.Ordinal) { ["coredns-load-unbalanced"] = "one pod per node" };
        List<string> original = ["cloud-resolver-packet-limit critical", "coredns-load-unbalanced warning", "coredns-upstream-unreachable critical"];

        Assert.Equal(["cloud-resolver-packet-limit critical", "coredns-upstream-unreachable critical"], Expected(original, allowed));
        // Another rule missing, a severity changed, or the allowed rule still shown in the rebased: not equal.
        Assert.NotEqual(Expected(original, allowed), ["cloud-resolver-packet-limit critical"]);
        Assert.NotEqual(Expected(original, allowed), ["cloud-resolver-packet-limit critical", "coredns-upstream-unreachable warning"]);
        Assert.NotEqual(Expected(original, allowed), original);
        // An allowed rule the original does not show is a stale entry.
        Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => Expected(["cloud-resolver-packet-limit critical"], allowed));
    }

    private async Task<List<string>> Verdict(string scenario)
    {
        var body = await File.ReadAllTextAsync(Path.Combine(ScenarioRoot, scenario));
        var response = await _client.PostAsync("/api/v1/diagnoses", new StringContent(body, Encoding.UTF8, "application/json"));
        var json = await response.Json();
        Assert.True(response.IsSuccessStatusCode, json.ToString());
        return json.GetProperty("findings").EnumerateArray()
            .Select(f => $"{f.GetProperty("ruleId").GetString()} {f.GetProperty("severity").GetString()}").Order(StringComparer.Ordinal).ToList();
    }
}
