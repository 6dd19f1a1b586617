using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace DnsExpert.Api.Tests;

/// <summary>Rule files changed under a running service: a good change is picked up, a broken one keeps the last good base.</summary>
public sealed class RuleReloadTests : IAsyncLifetime
{
    private readonly string _rules = ApiFactory.TempRules();
    private WebApplicationFactory<Program> _factory = null!;
    private HttpClient _client = null!;

    public Task InitializeAsync()
    {
        _factory = new ApiFactory().WithWebHostBuilder(b => b
            .UseSetting("DnsExpert:RulesDirectory", _rules)
            .UseSetting("DnsExpert:RuleReload:Interval", "00:00:00.100"));
        _client = _factory.CreateClient();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _factory.DisposeAsync();
        Directory.Delete(_rules, recursive: true);
    }

    private async Task<JsonElement> Until(string path, Func<JsonElement, bool> condition)
    {
        JsonElement json = default;
        for (var i = 0; i < 100; i++)
        {
            json = await (await _client.GetAsync(path)).Json();
            if (condition(json))
            {
                return json;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"{path} never satisfied the condition; last: {json}");
    }

    [Fact]
    public async Task A_changed_rule_file_is_picked_up_and_a_broken_one_keeps_the_last_good_base()
    {
        var count = (await (await _client.GetAsync("/api/v1/rules")).Json()).GetArrayLength();
        var file = Path.Combine(_rules, "coredns-autopath-enabled.yaml");
        var text = await File.ReadAllTextAsync(file);
        var title = text.Split('\n').First(l => l.StartsWith("title:", StringComparison.Ordinal));
        await File.WriteAllTextAsync(file, text.Replace(title, "title: CoreDNS autopath is on (edited while running)", StringComparison.Ordinal));

        await Until("/api/v1/rules/coredns-autopath-enabled", j => j.GetProperty("title").GetString() == "CoreDNS autopath is on (edited while running)");
        var ready = await Until("/readyz", j => j.GetProperty("ruleBase").GetProperty("version").GetInt32() == 2);
        Assert.Equal(JsonValueKind.Null, ready.GetProperty("ruleBase").GetProperty("lastReloadError").ValueKind);

        await File.WriteAllTextAsync(Path.Combine(_rules, "zz-broken.yaml"), "id: zz-broken\nseverity: catastrophic\n");
        ready = await Until("/readyz", j => j.GetProperty("ruleBase").GetProperty("lastReloadError").ValueKind == JsonValueKind.String);
        Assert.Contains("zz-broken.yaml:", ready.GetProperty("ruleBase").GetProperty("lastReloadError").GetString(), StringComparison.Ordinal);
        Assert.Equal("ready", ready.GetProperty("status").GetString());
        Assert.Equal(2, ready.GetProperty("ruleBase").GetProperty("version").GetInt32());

        // The last good base still serves diagnoses.
        Assert.Equal(count, (await (await _client.GetAsync("/api/v1/rules")).Json()).GetArrayLength());
        var diagnosis = await (await _client.PostAsync("/api/v1/samples/autopath-wrong-answers/diagnose", null)).Json();
        Assert.Contains(diagnosis.GetProperty("findings").EnumerateArray(), f => f.GetProperty("title").GetString() == "CoreDNS autopath is on (edited while running)");

        File.Delete(Path.Combine(_rules, "zz-broken.yaml"));
        await Until("/readyz", j => j.GetProperty("ruleBase").GetProperty("version").GetInt32() == 3
            && j.GetProperty("ruleBase").GetProperty("lastReloadError").ValueKind == JsonValueKind.Null);
        Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync("/api/v1/rules/coredns-autopath-enabled")).StatusCode);
    }
}
