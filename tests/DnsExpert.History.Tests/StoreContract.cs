using System.Text.Json;
using DnsExpert.Contract;

namespace DnsExpert.History.Tests;

/// <summary>What every store must do, run against SQLite in a temp file and against a real PostgreSQL server.</summary>
public abstract class StoreContract
{
    protected static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    protected static readonly DateTimeOffset T0 = new(2026, 11, 25, 9, 0, 0, TimeSpan.Zero);

    protected abstract Task<IDiagnosisStore> CreateAsync(HistoryOptions? options = null);

    protected static DiagnosisRequest Request(string ns = "default", string pod = "web-0", string domain = "www.example.com") => new()
    {
        Target = new TargetRef { Namespace = ns, Pod = pod },
        Domain = domain,
        Symptom = new Symptom { ErrorMessage = "curl: (6) Could not resolve host: www.example.com" },
        Snapshot = new Snapshot
        {
            Objects =
            [
                JsonDocument.Parse("""{"apiVersion":"v1","kind":"Secret","metadata":{"name":"db","namespace":"default"},"data":{"password":"aHVudGVyMg=="}}""").RootElement,
                JsonDocument.Parse("""{"apiVersion":"v1","kind":"List","items":[{"apiVersion":"v1","kind":"Secret","metadata":{"name":"tls"},"stringData":{"key":"PRIVATE"}}]}""").RootElement,
            ],
        },
    };

    protected static DiagnosisResponse Response(string id, DateTimeOffset createdAt, params string[] ruleIds) => new()
    {
        Id = id,
        CreatedAt = createdAt,
        CompletedAt = createdAt.AddSeconds(2),
        DurationMs = 2000,
        Target = new TargetRef { Namespace = "default", Pod = "web-0" },
        Domain = "www.example.com",
        Classification = new ClassificationResult { Class = SymptomClass.NameNotFound, Explanation = "x" },
        Findings = ruleIds.Select(r => new Finding
        {
            RuleId = r, Severity = Severity.Critical, Title = r, Cause = "because", Evidence = [new Evidence("pod/default/web-0", "dnsPolicy=Default")],
            Remediation = [new Remediation { Summary = "fix", Command = "kubectl get pod" }],
        }).ToList(),
        Collection = [new CollectionEntry("snapshot", CollectionStatus.Ok)],
    };

    protected static string Id(int n) => $"01900000000070008000{n:D12}";

    [Fact]
    public async Task A_diagnosis_is_running_then_completed_with_its_findings()
    {
        var store = await CreateAsync();
        await store.BeginAsync(new DiagnosisStart(Id(1), T0, Request()), CancellationToken.None);

        var running = await store.GetAsync(Id(1), CancellationToken.None);
        Assert.NotNull(running);
        Assert.Equal(DiagnosisStatus.Running, running.Status);
        Assert.Equal(SymptomClass.Ambiguous, running.Classification.Class); // curl (6) cannot tell NXDOMAIN from an unreachable server
        Assert.Equal(("default", "web-0", "www.example.com"), (running.Target!.Namespace, running.Target.Pod, running.Domain));
        Assert.Equal(T0, running.CreatedAt);
        Assert.Empty(running.Findings);

        Assert.True(await store.CompleteAsync(Response(Id(1), T0, "udp53-blocked", "coredns-pod-unhealthy"), CancellationToken.None));
        var done = (await store.GetAsync(Id(1), CancellationToken.None))!;
        Assert.Equal(DiagnosisStatus.Completed, done.Status);
        Assert.Equal(["udp53-blocked", "coredns-pod-unhealthy"], done.Findings.Select(f => f.RuleId));
        Assert.Equal("kubectl get pod", done.Findings[0].Remediation[0].Command);
        Assert.Equal(2000, done.DurationMs);

        // Completed once: a second completion or a late failure changes nothing.
        Assert.False(await store.CompleteAsync(Response(Id(1), T0, "other"), CancellationToken.None));
        Assert.False(await store.FailAsync(Id(1), "late", T0, CancellationToken.None));
        Assert.Equal(2, (await store.GetAsync(Id(1), CancellationToken.None))!.Findings.Count);
        Assert.Null(await store.GetAsync(Id(99), CancellationToken.None));
    }

    [Fact]
    public async Task A_synchronous_diagnosis_is_written_once_as_begin_then_complete_would_leave_it()
    {
        var store = await CreateAsync();
        await store.BeginAsync(new DiagnosisStart(Id(10), T0, Request()), CancellationToken.None);
        Assert.True(await store.CompleteAsync(Response(Id(10), T0, "udp53-blocked", "coredns-pod-unhealthy"), CancellationToken.None));
        await store.AddCompletedAsync(
            new DiagnosisStart(Id(11), T0.AddMinutes(1), Request(), PreviousId: Id(10), CreatedBy: "key:team-shop"),
            Response(Id(11), T0.AddMinutes(1), "udp53-blocked", "coredns-pod-unhealthy"), CancellationToken.None);

        var twice = (await store.GetAsync(Id(10), CancellationToken.None))!;
        var once = (await store.GetAsync(Id(11), CancellationToken.None))!;
        Assert.Equal(DiagnosisStatus.Completed, once.Status);
        Assert.Equal(twice.Findings.Select(f => f.RuleId), once.Findings.Select(f => f.RuleId));
        Assert.Equal((twice.DurationMs, twice.Classification.Class), (once.DurationMs, once.Classification.Class));
        Assert.Equal(Id(10), once.PreviousId);
        Assert.Equal(Id(11), await store.GetNextIdAsync(Id(10), CancellationToken.None));
        Assert.Equal(new DiagnosisAccess("default", "key:team-shop"), await store.GetAccessAsync(Id(11), CancellationToken.None));
        Assert.Equal(await store.GetRequestJsonAsync(Id(10), CancellationToken.None), await store.GetRequestJsonAsync(Id(11), CancellationToken.None));
        var byRule = await store.ListAsync(new DiagnosisQuery { RuleId = "coredns-pod-unhealthy" }, CancellationToken.None);
        Assert.Equal([Id(11), Id(10)], byRule.Items.Select(i => i.Id));

        // Completed once: it cannot be completed or failed again, and its id cannot be written twice.
        Assert.False(await store.CompleteAsync(Response(Id(11), T0, "other"), CancellationToken.None));
        Assert.False(await store.FailAsync(Id(11), "late", T0, CancellationToken.None));
        await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() =>
            store.AddCompletedAsync(new DiagnosisStart(Id(11), T0, Request()), Response(Id(11), T0, "other"), CancellationToken.None));
        Assert.Equal(2, (await store.GetAsync(Id(11), CancellationToken.None))!.Findings.Count);
    }

    [Fact]
    public async Task Each_diagnosis_keeps_who_created_it_and_a_scope_lists_only_its_namespaces()
    {
        var store = await CreateAsync();
        var at = DateTimeOffset.UtcNow;
        await store.BeginAsync(new DiagnosisStart("a1", at, Request("shop"), PreviousId: null, CreatedBy: "key:team-shop"), CancellationToken.None);
        await store.BeginAsync(new DiagnosisStart("a2", at.AddSeconds(1), Request("payments"), PreviousId: null, CreatedBy: "sub:jira"), CancellationToken.None);
        await store.BeginAsync(new DiagnosisStart("a3", at.AddSeconds(2), new DiagnosisRequest { Domain = "example.com" }), CancellationToken.None);

        Assert.Equal(new DiagnosisAccess("shop", "key:team-shop"), await store.GetAccessAsync("a1", CancellationToken.None));
        Assert.Equal(new DiagnosisAccess(null, null), await store.GetAccessAsync("a3", CancellationToken.None));
        Assert.Null(await store.GetAccessAsync("missing", CancellationToken.None));

        static IEnumerable<string> Ids(DiagnosisPage page) => page.Items.Select(i => i.Id);
        Assert.Equal(["a1"], Ids(await store.ListAsync(new DiagnosisQuery { InNamespaces = ["shop"] }, CancellationToken.None)));
        Assert.Equal(["a2", "a1"], Ids(await store.ListAsync(new DiagnosisQuery { InNamespaces = ["shop", "payments"] }, CancellationToken.None)));
        Assert.Empty(Ids(await store.ListAsync(new DiagnosisQuery { InNamespaces = [] }, CancellationToken.None)));
        Assert.Equal(["a3", "a2", "a1"], Ids(await store.ListAsync(new DiagnosisQuery(), CancellationToken.None)));
    }

    [Fact]
    public async Task A_failed_diagnosis_keeps_its_error()
    {
        var store = await CreateAsync();
        await store.BeginAsync(new DiagnosisStart(Id(2), T0, Request()), CancellationToken.None);
        Assert.True(await store.FailAsync(Id(2), "live collection failed: 401 Unauthorized", T0.AddSeconds(1), CancellationToken.None));

        var failed = (await store.GetAsync(Id(2), CancellationToken.None))!;
        Assert.Equal((DiagnosisStatus.Failed, "live collection failed: 401 Unauthorized"), (failed.Status, failed.Error));
        Assert.False(await store.CompleteAsync(Response(Id(2), T0, "udp53-blocked"), CancellationToken.None));
    }

    [Fact]
    public async Task The_stored_request_keeps_secret_names_but_never_their_data()
    {
        var store = await CreateAsync();
        await store.BeginAsync(new DiagnosisStart(Id(3), T0, Request()), CancellationToken.None);

        var json = (await store.GetRequestJsonAsync(Id(3), CancellationToken.None))!;
        Assert.DoesNotContain("aHVudGVyMg==", json, StringComparison.Ordinal);
        Assert.DoesNotContain("PRIVATE", json, StringComparison.Ordinal);
        Assert.Contains("\"db\"", json, StringComparison.Ordinal);
        var replay = JsonSerializer.Deserialize<DiagnosisRequest>(json, Json)!;
        Assert.Equal("web-0", replay.Target!.Pod);
        Assert.Equal(2, replay.Snapshot!.Objects!.Count);
    }

    [Fact]
    public async Task The_stored_request_size_is_the_length_of_its_json_without_reading_it()
    {
        var store = await CreateAsync();
        await store.BeginAsync(new DiagnosisStart(Id(4), T0, Request()), CancellationToken.None);

        var json = (await store.GetRequestJsonAsync(Id(4), CancellationToken.None))!;
        Assert.Equal(json.Length, await store.GetRequestSizeAsync(Id(4), CancellationToken.None));
        Assert.Null(await store.GetRequestSizeAsync(Id(5), CancellationToken.None));
    }

    [Fact]
    public async Task The_list_filters_and_pages_newest_first()
    {
        var store = await CreateAsync();
        for (var i = 0; i < 25; i++)
        {
            var ns = i % 2 == 0 ? "shop" : "blog";
            await store.BeginAsync(new DiagnosisStart(Id(100 + i), T0.AddMinutes(i), Request(ns, $"web-{i % 3}")), CancellationToken.None);
            await store.CompleteAsync(Response(Id(100 + i), T0.AddMinutes(i), i % 5 == 0 ? ["udp53-blocked", "coredns-pod-unhealthy"] : ["coredns-pod-unhealthy"]), CancellationToken.None);
        }

        // Pages of 10: every item once, newest first, and the last page has no cursor.
        var seen = new List<DiagnosisSummary>();
        string? cursor = null;
        var pages = 0;
        do
        {
            DiagnosisCursor.TryDecode(cursor, out var after);
            var page = await store.ListAsync(new DiagnosisQuery { Limit = 10, After = after }, CancellationToken.None);
            seen.AddRange(page.Items);
            cursor = page.NextCursor;
            pages++;
        }
        while (cursor is not null);

        Assert.Equal(3, pages);
        Assert.Equal(Enumerable.Range(0, 25).Reverse().Select(i => Id(100 + i)), seen.Select(s => s.Id));
        Assert.Equal("udp53-blocked", seen[^1].TopRuleId);
        Assert.Equal(Severity.Critical, seen[^1].TopSeverity);

        var shop = await store.ListAsync(new DiagnosisQuery { Namespace = "shop", Limit = 100 }, CancellationToken.None);
        Assert.Equal(13, shop.Items.Count);
        Assert.All(shop.Items, s => Assert.Equal("shop", s.Target!.Namespace));

        var pod = await store.ListAsync(new DiagnosisQuery { Namespace = "shop", Pod = "web-0", Limit = 100 }, CancellationToken.None);
        Assert.Equal([24, 18, 12, 6, 0], pod.Items.Select(s => int.Parse(s.Id[^3..], System.Globalization.CultureInfo.InvariantCulture) - 100));

        var rule = await store.ListAsync(new DiagnosisQuery { RuleId = "udp53-blocked", Limit = 100 }, CancellationToken.None);
        Assert.Equal([20, 15, 10, 5, 0], rule.Items.Select(s => int.Parse(s.Id[^3..], System.Globalization.CultureInfo.InvariantCulture) - 100));
        Assert.All(rule.Items, s => Assert.Contains("udp53-blocked", s.RuleIds));

        var since = await store.ListAsync(new DiagnosisQuery { Since = T0.AddMinutes(20), Limit = 100 }, CancellationToken.None);
        Assert.Equal(5, since.Items.Count);
        Assert.Null(since.NextCursor);
    }

    [Fact]
    public async Task Retention_deletes_by_age_and_by_count_and_abandons_stale_running_records()
    {
        var store = await CreateAsync(new HistoryOptions { MaxAge = TimeSpan.FromDays(7), MaxCount = 5, RunningDeadline = TimeSpan.FromMinutes(5) });
        var now = T0.AddDays(30);
        await store.BeginAsync(new DiagnosisStart(Id(200), now.AddDays(-8), Request()), CancellationToken.None);            // too old
        await store.CompleteAsync(Response(Id(200), now.AddDays(-8), "udp53-blocked"), CancellationToken.None);
        for (var i = 1; i <= 6; i++)
        {
            await store.BeginAsync(new DiagnosisStart(Id(200 + i), now.AddHours(-i), Request()), CancellationToken.None);
            await store.CompleteAsync(Response(Id(200 + i), now.AddHours(-i), "udp53-blocked"), CancellationToken.None);
        }

        await store.BeginAsync(new DiagnosisStart(Id(300), now.AddMinutes(-10), Request()), CancellationToken.None);        // lost with its process
        await store.BeginAsync(new DiagnosisStart(Id(301), now.AddMinutes(-1), Request()), CancellationToken.None);         // still working

        var result = await store.SweepAsync(now, CancellationToken.None);

        Assert.Equal(1, result.Abandoned);
        Assert.Equal(4, result.Deleted);                                                                // 9 records, keep 5: the 4 oldest
        var left = await store.ListAsync(new DiagnosisQuery { Limit = 100 }, CancellationToken.None);
        Assert.Equal([Id(301), Id(300), Id(201), Id(202), Id(203)], left.Items.Select(s => s.Id));
        Assert.Equal(DiagnosisStatus.Failed, left.Items[1].Status);
        Assert.Contains("abandoned", left.Items[1].Error, StringComparison.Ordinal);
        Assert.Equal(DiagnosisStatus.Running, left.Items[0].Status);
        var byRule = await store.ListAsync(new DiagnosisQuery { RuleId = "udp53-blocked", Since = now.AddDays(-9), Limit = 100 }, CancellationToken.None);
        Assert.DoesNotContain(byRule.Items, s => s.Id == Id(200) || s.Id == Id(206));
    }

    [Fact]
    public async Task A_callback_delivery_is_kept_beside_its_diagnosis_and_a_stale_pending_one_is_abandoned()
    {
        var store = await CreateAsync(new HistoryOptions { RunningDeadline = TimeSpan.FromMinutes(5) });
        var now = T0.AddDays(1);
        foreach (var n in new[] { 400, 401 })
        {
            await store.BeginAsync(new DiagnosisStart(Id(n), now.AddMinutes(-20), Request()), CancellationToken.None);
            await store.CompleteAsync(Response(Id(n), now.AddMinutes(-20), "udp53-blocked"), CancellationToken.None);
        }

        Assert.Null((await store.GetAsync(Id(400), CancellationToken.None))!.Callback);
        await store.SetCallbackAsync(Id(400), new CallbackDelivery(CallbackState.Pending, now.AddMinutes(-19)), CancellationToken.None);
        await store.SetCallbackAsync(Id(401), new CallbackDelivery(CallbackState.Pending, now.AddMinutes(-19)), CancellationToken.None);
        await store.SetCallbackAsync(Id(401), new CallbackDelivery(CallbackState.Failed, now.AddMinutes(-18), 4, "HTTP 503"), CancellationToken.None);

        var failed = (await store.GetAsync(Id(401), CancellationToken.None))!;
        Assert.Equal(new CallbackDelivery(CallbackState.Failed, now.AddMinutes(-18), 4, "HTTP 503"), failed.Callback);
        Assert.Equal(DiagnosisStatus.Completed, failed.Status);
        Assert.Equal(["udp53-blocked"], failed.Findings.Select(f => f.RuleId));

        await store.SweepAsync(now, CancellationToken.None);

        var abandoned = (await store.GetAsync(Id(400), CancellationToken.None))!.Callback!;
        Assert.Equal(CallbackState.Failed, abandoned.State);
        Assert.Contains("stopped", abandoned.LastError, StringComparison.Ordinal);
        Assert.Equal("HTTP 503", (await store.GetAsync(Id(401), CancellationToken.None))!.Callback!.LastError);
    }

    [Fact]
    public async Task An_alert_groups_state_changes_only_from_the_state_read_and_racing_reservations_get_one_true()
    {
        var store = await CreateAsync();
        var now = T0.AddDays(1);
        Assert.Null(await store.GetAlertGroupAsync("g1", CancellationToken.None));

        var reserved = new AlertGroupState(null, now);
        Assert.True(await store.ReplaceAlertGroupAsync("g1", null, reserved, CancellationToken.None));
        Assert.False(await store.ReplaceAlertGroupAsync("g1", null, new AlertGroupState(null, now.AddSeconds(1)), CancellationToken.None)); // it has one now
        Assert.Equal(reserved, await store.GetAlertGroupAsync("g1", CancellationToken.None));

        var started = new AlertGroupState("d1", now.AddSeconds(1));
        Assert.True(await store.ReplaceAlertGroupAsync("g1", reserved, started, CancellationToken.None));
        Assert.False(await store.ReplaceAlertGroupAsync("g1", reserved, new AlertGroupState("d2", now.AddSeconds(2)), CancellationToken.None)); // read before the start ended
        Assert.Equal(started, await store.GetAlertGroupAsync("g1", CancellationToken.None));

        var seen = started with { LastSeen = now.AddMinutes(5) };
        Assert.True(await store.ReplaceAlertGroupAsync("g1", started, seen, CancellationToken.None));
        Assert.False(await store.ReplaceAlertGroupAsync("g1", started, null, CancellationToken.None)); // stale: not forgotten
        Assert.True(await store.ReplaceAlertGroupAsync("g1", seen, null, CancellationToken.None));
        Assert.Null(await store.GetAlertGroupAsync("g1", CancellationToken.None));

        // Replicas reserving one group at once: exactly one wins.
        var reservations = await Task.WhenAll(Enumerable.Range(0, 16).Select(i =>
            Task.Run(() => store.ReplaceAlertGroupAsync("raced", null, new AlertGroupState(null, now.AddMilliseconds(i)), CancellationToken.None))));
        Assert.Single(reservations, r => r);

        // Retention forgets groups not seen within the history's age.
        await store.SweepAsync(now.AddYears(5), CancellationToken.None);
        Assert.Null(await store.GetAlertGroupAsync("raced", CancellationToken.None));
    }

    [Fact]
    public async Task An_item_is_claimed_once_per_scope_until_its_time_and_racing_claims_get_one_true()
    {
        var store = await CreateAsync();
        var now = T0.AddDays(1);
        Assert.True(await store.ClaimOnceAsync("teams-message", "a", now, now.AddMinutes(5), CancellationToken.None));
        Assert.False(await store.ClaimOnceAsync("teams-message", "a", now.AddMinutes(1), now.AddMinutes(6), CancellationToken.None));
        Assert.True(await store.ClaimOnceAsync("other-scope", "a", now, now.AddMinutes(5), CancellationToken.None));

        // Past its time, before any sweep: claimed again, and held again from then.
        Assert.True(await store.ClaimOnceAsync("teams-message", "a", now.AddMinutes(5), now.AddMinutes(10), CancellationToken.None));
        Assert.False(await store.ClaimOnceAsync("teams-message", "a", now.AddMinutes(9), now.AddMinutes(14), CancellationToken.None));

        // The sweep forgets what is past its time and keeps what is not.
        Assert.True(await store.ClaimOnceAsync("teams-message", "b", now, now.AddHours(1), CancellationToken.None));
        await store.SweepAsync(now.AddMinutes(30), CancellationToken.None);
        Assert.True(await store.ClaimOnceAsync("teams-message", "a", now.AddMinutes(30), now.AddMinutes(35), CancellationToken.None));
        Assert.False(await store.ClaimOnceAsync("teams-message", "b", now.AddMinutes(30), now.AddMinutes(35), CancellationToken.None));

        // Many claims of one item at once (as replicas would): exactly one wins.
        var claims = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ =>
            Task.Run(() => store.ClaimOnceAsync("teams-message", "raced", now, now.AddMinutes(5), CancellationToken.None))));
        Assert.Single(claims, c => c);
    }

    [Fact]
    public async Task An_issue_is_created_once_per_tracker_and_a_failed_or_stale_reservation_can_be_taken_again()
    {
        var store = await CreateAsync();
        var now = T0.AddDays(1);
        await store.AddCompletedAsync(new DiagnosisStart(Id(500), now, Request()), Response(Id(500), now, "udp53-blocked"), CancellationToken.None);
        Assert.Null((await store.GetAsync(Id(500), CancellationToken.None))!.Issues);

        // Two callers: the first reserves, the second is refused while the first works.
        Assert.True(await store.ReserveIssueAsync(Id(500), "jira", now, now.AddMinutes(-5), CancellationToken.None));
        Assert.False(await store.ReserveIssueAsync(Id(500), "jira", now.AddSeconds(1), now.AddMinutes(-5), CancellationToken.None));
        Assert.Null((await store.GetAsync(Id(500), CancellationToken.None))!.Issues); // a reservation is not an issue

        // Jira refused: released, and tried again.
        await store.ReleaseIssueAsync(Id(500), "jira", CancellationToken.None);
        Assert.True(await store.ReserveIssueAsync(Id(500), "jira", now.AddMinutes(1), now.AddMinutes(-4), CancellationToken.None));

        // A reservation older than the stale time (its replica stopped mid-call) is taken over.
        Assert.True(await store.ReserveIssueAsync(Id(500), "jira", now.AddMinutes(10), now.AddMinutes(5), CancellationToken.None));

        var issue = new TrackerIssue("jira", "DNS-7", "https://example.atlassian.net/browse/DNS-7", now.AddMinutes(10));
        await store.SetIssueAsync(Id(500), issue, CancellationToken.None);
        await store.ReleaseIssueAsync(Id(500), "jira", CancellationToken.None); // a created issue stays
        Assert.False(await store.ReserveIssueAsync(Id(500), "jira", now.AddDays(30), now.AddDays(29), CancellationToken.None));
        var read = (await store.GetAsync(Id(500), CancellationToken.None))!;
        Assert.Equal([issue], read.Issues!);
        Assert.Equal(["udp53-blocked"], read.Findings.Select(f => f.RuleId));

        // Another tracker is independent; retention removes the issues with their diagnosis.
        Assert.True(await store.ReserveIssueAsync(Id(500), "other", now, now.AddMinutes(-5), CancellationToken.None));
        await store.SweepAsync(now.AddYears(5), CancellationToken.None);
        Assert.Null(await store.GetAsync(Id(500), CancellationToken.None));
        await store.AddCompletedAsync(new DiagnosisStart(Id(500), now.AddYears(5), Request()), Response(Id(500), now.AddYears(5)), CancellationToken.None);
        Assert.Null((await store.GetAsync(Id(500), CancellationToken.None))!.Issues);
    }

    /// <summary>Runs <paramref name="sql"/> directly on the database of <paramref name="options"/> (to make it look like an older version's).</summary>
    protected abstract Task ExecuteAsync(HistoryOptions options, string sql);

    [Fact]
    public async Task A_refinement_keeps_its_link_to_the_earlier_diagnosis_both_ways()
    {
        var store = await CreateAsync();
        await store.BeginAsync(new DiagnosisStart(Id(501), T0, Request()), CancellationToken.None);
        Assert.True(await store.CompleteAsync(Response(Id(501), T0), CancellationToken.None));
        await store.BeginAsync(new DiagnosisStart(Id(502), T0.AddMinutes(1), Request(), Id(501)), CancellationToken.None);

        Assert.Equal(Id(501), (await store.GetAsync(Id(502), CancellationToken.None))!.PreviousId);
        Assert.Equal(Id(502), await store.GetNextIdAsync(Id(501), CancellationToken.None));

        Assert.True(await store.CompleteAsync(Response(Id(502), T0.AddMinutes(1), "app-to-kube-dns-unreachable"), CancellationToken.None));
        var refined = (await store.GetAsync(Id(502), CancellationToken.None))!;
        Assert.Equal((DiagnosisStatus.Completed, Id(501)), (refined.Status, refined.PreviousId));
        Assert.Null((await store.GetAsync(Id(501), CancellationToken.None))!.PreviousId);
        Assert.Null(await store.GetNextIdAsync(Id(502), CancellationToken.None));

        // A second refinement of the same diagnosis: next is the newest.
        await store.BeginAsync(new DiagnosisStart(Id(503), T0.AddMinutes(2), Request(), Id(501)), CancellationToken.None);
        Assert.Equal(Id(503), await store.GetNextIdAsync(Id(501), CancellationToken.None));
    }

    [Fact]
    public async Task A_database_of_an_older_version_gains_the_chain_column_at_start_up_and_keeps_its_records()
    {
        var options = new HistoryOptions();
        var old = await CreateAsync(options);
        await old.BeginAsync(new DiagnosisStart(Id(601), T0, Request()), CancellationToken.None);
        Assert.True(await old.CompleteAsync(Response(Id(601), T0, "udp53-blocked"), CancellationToken.None));
        await ExecuteAsync(options, "DROP INDEX ix_diagnoses_previous; ALTER TABLE diagnoses DROP COLUMN previous_id;");

        var store = await CreateAsync(options);
        Assert.Equal(["udp53-blocked"], (await store.GetAsync(Id(601), CancellationToken.None))!.Findings.Select(f => f.RuleId));
        await store.BeginAsync(new DiagnosisStart(Id(602), T0.AddMinutes(1), Request(), Id(601)), CancellationToken.None);
        Assert.Equal(Id(602), await store.GetNextIdAsync(Id(601), CancellationToken.None));
        Assert.Equal(Id(601), (await store.GetAsync(Id(602), CancellationToken.None))!.PreviousId);

        // Starting again over a database that has the column changes nothing.
        var again = await CreateAsync(options);
        Assert.Equal(Id(602), await again.GetNextIdAsync(Id(601), CancellationToken.None));
    }
}
