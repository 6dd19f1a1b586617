using System.Text;
using System.Text.Json;
using DnsExpert.Contract;
using DnsExpert.Diagnosis.Composition;
using DnsExpert.Engine.RuleBases;
using DnsExpert.Engine.Sessions;
using DnsExpert.Testing;

namespace DnsExpert.Diagnosis.Tests;

/// <summary>
/// The same input gives the same diagnosis at any load: every scenario of the repository is diagnosed on an idle
/// machine and again with every core saturated, and the findings (rule, severity, evidence), the hypotheses' states
/// and the collection notes must be equal. A parser whose result hung on a match timeout failed this under load.
/// </summary>
public sealed class DeterminismUnderLoadTests
{
    private static readonly JsonSerializerOptions WebJson = new(JsonSerializerDefaults.Web);
    private static readonly IDiagnosisService Service = new DnsExpertComposition(new CompositionInputs(RepoPaths.Rules)).Diagnoses;

    private static async Task<string> DiagnoseAllAsync(IReadOnlyList<(string Name, string Json)> scenarios)
    {
        var result = new StringBuilder();
        foreach (var (name, json) in scenarios)
        {
            var request = JsonSerializer.Deserialize<DiagnosisRequest>(json, WebJson)!;
            if (request.Snapshot is null)
            {
                continue;
            }

            var response = await Service.DiagnoseAsync(request, "0", CancellationToken.None);
            result.Append(name).Append('\n');
            foreach (var finding in response.Findings)
            {
                result.Append(finding.RuleId).Append(' ').Append(finding.Severity).Append(' ')
                    .AppendJoin(" | ", finding.Evidence.Select(e => e.Detail)).Append('\n');
            }

            result.AppendJoin(' ', response.Hypotheses?.Select(h => $"{h.RuleId}={h.Status}") ?? []).Append('\n');
            result.AppendJoin('\n', response.Collection.Select(c => $"{c.Source} {c.Status} {c.Detail}")).Append('\n');
        }

        return result.ToString();
    }

    [Fact]
    public async Task Every_scenario_diagnoses_the_same_with_every_core_saturated()
    {
        var scenarios = Directory.EnumerateFiles(Path.Combine(RepoPaths.Root, "tests", "scenarios"), "*.json", SearchOption.AllDirectories)
            .Order(StringComparer.Ordinal)
            .Select(path => (Path.GetRelativePath(RepoPaths.Root, path), File.ReadAllText(path)))
            .ToList();
        var idle = await DiagnoseAllAsync(scenarios);

        using (new CpuSaturation())
        {
            Assert.Equal(idle, await DiagnoseAllAsync(scenarios));
        }
    }
}
