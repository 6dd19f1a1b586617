using DnsExpert.Api.Alerts;
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
}
