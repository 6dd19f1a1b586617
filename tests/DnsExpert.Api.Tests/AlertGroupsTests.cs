using System.Text.Json;
using DnsExpert.Api.Alerts;
using DnsExpert.History;
using Microsoft.Extensions.Options;

namespace DnsExpert.Api.Tests;

/// <summary>What a repeat notification of a firing group answers: the group's diagnosis, unless that diagnosis failed.</summary>
public sealed class AlertGroupsTests
{
    [Fact]
    public async Task A_repeat_returns_the_groups_diagnosis_and_starts_a_new_one_only_when_that_one_failed()
    {
        using var groups = new AlertGroups(TimeProvider.System, Options.Create(new AlertOptions()));
        var started = 0;
        Task<string?> Start() => Task.FromResult<string?>($"d{++started}");
        var failedIds = new HashSet<string>();
        Task<bool> Failed(string id) => Task.FromResult(failedIds.Contains(id));

        var first = await groups.DiagnoseOnceAsync("bot", "{}:{alertname=\"CoreDNSDown\"}", Start, CancellationToken.None, Failed);
        var repeat = await groups.DiagnoseOnceAsync("bot", "{}:{alertname=\"CoreDNSDown\"}", Start, CancellationToken.None, Failed);
        failedIds.Add("d1");
        var afterFailure = await groups.DiagnoseOnceAsync("bot", "{}:{alertname=\"CoreDNSDown\"}", Start, CancellationToken.None, Failed);
        var repeatOfNew = await groups.DiagnoseOnceAsync("bot", "{}:{alertname=\"CoreDNSDown\"}", Start, CancellationToken.None, Failed);

        Assert.Equal([("d1", false), ("d1", true), ("d2", false), ("d2", true)], new[] { first, repeat, afterFailure, repeatOfNew }.Select(r => (r.Id, r.Repeat)));
    }

    [Fact]
    public async Task Replicas_sharing_the_history_start_one_diagnosis_per_group_and_a_resolve_on_one_ends_it_for_all()
    {
        var history = new SharedHistory(await StoreAsync());
        using var first = new AlertGroups(TimeProvider.System, Options.Create(new AlertOptions()), history);
        using var second = new AlertGroups(TimeProvider.System, Options.Create(new AlertOptions()), history);
        const string Key = "{}:{alertname=\"CoreDNSDown\"}";
        var started = 0;

        // Both receive the group's first notification at once; the first start takes a while.
        var release = new TaskCompletionSource();
        async Task<string?> Slow()
        {
            var id = $"d{Interlocked.Increment(ref started)}";
            await release.Task;
            return id;
        }

        var one = first.DiagnoseOnceAsync("bot", Key, Slow, CancellationToken.None);
        var other = second.DiagnoseOnceAsync("bot", Key, Slow, CancellationToken.None);
        await Task.Delay(TimeSpan.FromMilliseconds(100));
        release.SetResult();
        var answers = await Task.WhenAll(one, other);
        Assert.Equal(1, started);
        Assert.Equal(["d1", "d1"], answers.Select(a => a.Id));
        Assert.Single(answers, a => !a.Repeat);

        // A repeat to either replica is the same diagnosis; another caller's group of the same key is its own.
        Assert.Equal(("d1", true), await second.DiagnoseOnceAsync("bot", Key, Slow, CancellationToken.None));
        Assert.Equal(("d2", false), await second.DiagnoseOnceAsync("other-bot", Key, Slow, CancellationToken.None));

        // Resolved on one replica: the next firing notification on the other starts a new diagnosis.
        Assert.Equal("d1", await first.ResolveAsync("bot", Key, CancellationToken.None));
        Assert.Equal(("d3", false), await second.DiagnoseOnceAsync("bot", Key, Slow, CancellationToken.None));

        // A start that fails leaves nothing reserved: the next notification starts again.
        Assert.Equal((null, false), await first.DiagnoseOnceAsync("bot", "failing", () => Task.FromResult<string?>(null), CancellationToken.None));
        Assert.Equal(("d4", false), await second.DiagnoseOnceAsync("bot", "failing", Slow, CancellationToken.None));
    }

    private static async Task<IDiagnosisStore> StoreAsync()
    {
        var store = new SqliteDiagnosisStore(
            new HistoryOptions { ConnectionString = Path.Combine(Directory.CreateTempSubdirectory("dnsexpert-alert-groups-").FullName, "history.db") },
            new JsonSerializerOptions(JsonSerializerDefaults.Web));
        await store.InitializeAsync(CancellationToken.None);
        return store;
    }

    private sealed class SharedHistory(IDiagnosisStore store) : IDiagnosisHistory
    {
        public IDiagnosisStore? Store => store;

        public string? Error => null;
    }
}
