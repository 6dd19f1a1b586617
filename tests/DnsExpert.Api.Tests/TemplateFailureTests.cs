using System.Net;
using System.Text;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace DnsExpert.Api.Tests;

/// <summary>A rule template that throws at run time fails only that finding's text, never the diagnosis.</summary>
public sealed class TemplateFailureTests : IAsyncLifetime
{
    private readonly string _rules = ApiFactory.TempRules();
    private WebApplicationFactory<Program> _factory = null!;

    // Loads (nothing in it grows without bound), but every hole below throws once a forward line matches.
    private const string FailingRule = """
        id: test-template-fails
        title: a rule whose templates fail at run time
        severity: warning
        description: arithmetic that divides by zero and a substring past the end
        when:
          - fact: CorefilePlugin
            as: plugin
            where: Name == "forward"
        finding:
          cause: "forward on line {{ plugin.Line / (plugin.Line - plugin.Line) }} of the Corefile"
          evidence:
            - source: "{{ plugin.Source }}"
              detail: "{{ plugin.Text.Substring(100000) }}"
          remediation:
            - summary: "look at line {{ plugin.Line }}"
              command: "dig {{ plugin.Arguments.Count / (plugin.Line - plugin.Line) }}"
        """;

    public Task InitializeAsync()
    {
        File.WriteAllText(Path.Combine(_rules, "test-template-fails.yaml"), FailingRule);
        _factory = new ApiFactory().WithWebHostBuilder(b => b.UseSetting("DnsExpert:RulesDirectory", _rules));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _factory.DisposeAsync();
        Directory.Delete(_rules, recursive: true);
    }

    [Fact]
    public async Task A_failing_template_is_a_note_on_its_finding_and_the_diagnosis_answers()
    {
        var client = _factory.CreateClient();
        var body = await File.ReadAllTextAsync(Path.Combine(ApiFactory.RepoRoot, "src", "DnsExpert.Api", "Samples", "sick-cluster.json"));

        var response = await client.PostAsync("/api/v1/diagnoses", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var diagnosis = await response.Json();
        var finding = diagnosis.GetProperty("findings").EnumerateArray().Single(f => f.GetProperty("ruleId").GetString() == "test-template-fails");
        Assert.Equal("forward on line [template failed] of the Corefile", finding.GetProperty("cause").GetString());
        var notes = finding.GetProperty("evidence").EnumerateArray().Where(e => e.GetProperty("source").GetString() == "DnsExpert")
            .Select(e => e.GetProperty("detail").GetString()!).ToList();
        Assert.Contains(notes, n => n.Contains("plugin.Line / (plugin.Line - plugin.Line)", StringComparison.Ordinal) && n.Contains("DivideByZeroException", StringComparison.Ordinal));
        Assert.Contains(notes, n => n.Contains("plugin.Text.Substring(100000)", StringComparison.Ordinal));
        var remediation = finding.GetProperty("remediation")[0];
        Assert.Equal("dig <plugin-arguments>", remediation.GetProperty("command").GetString());
        var rules = diagnosis.GetProperty("collection").EnumerateArray().Single(c => c.GetProperty("source").GetString() == "rules");
        Assert.Equal("partial", rules.GetProperty("status").GetString());
        Assert.Contains("rule test-template-fails: the rule's template", rules.GetProperty("detail").GetString(), StringComparison.Ordinal);

        var markdown = await client.GetStringAsync($"/api/v1/diagnoses/{diagnosis.GetProperty("id").GetString()}?format=markdown");
        Assert.Contains("forward on line [template failed] of the Corefile", markdown, StringComparison.Ordinal);
    }
}
