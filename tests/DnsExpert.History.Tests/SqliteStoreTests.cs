namespace DnsExpert.History.Tests;

/// <summary>The embedded store in a temp file.</summary>
public sealed class SqliteStoreTests : StoreContract, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("dnsexpert-sqlite-").FullName;

    protected override async Task<IDiagnosisStore> CreateAsync(HistoryOptions? options = null)
    {
        options ??= new HistoryOptions();
        options.ConnectionString ??= Path.Combine(_dir, "sub", "history.db");
        var store = new SqliteDiagnosisStore(options, Json);
        await store.InitializeAsync(CancellationToken.None);
        return store;
    }

    [Fact]
    public async Task A_file_path_is_enough_and_its_directory_is_created()
    {
        var store = (SqliteDiagnosisStore)await CreateAsync();
        Assert.True(File.Exists(store.Path));
        await store.PingAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Writers_take_turns_and_a_failed_write_gives_its_turn_back()
    {
        // A turn a write kept would hold every later write: they would wait until this token gives up.
        using var stuck = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var store = await CreateAsync();
        await store.AddCompletedAsync(new DiagnosisStart(Id(1), T0, Request()), Response(Id(1), T0, "udp53-blocked"), stuck.Token);
        await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() =>
            store.AddCompletedAsync(new DiagnosisStart(Id(1), T0, Request()), Response(Id(1), T0, "other"), stuck.Token));

        await Task.WhenAll(Enumerable.Range(2, 32).Select(i => Task.Run(() => i % 2 == 0
            ? store.AddCompletedAsync(new DiagnosisStart(Id(i), T0.AddSeconds(i), Request()), Response(Id(i), T0.AddSeconds(i), "udp53-blocked"), stuck.Token)
            : store.BeginAsync(new DiagnosisStart(Id(i), T0.AddSeconds(i), Request()), stuck.Token))));

        var all = await store.ListAsync(new DiagnosisQuery { Limit = 100 }, CancellationToken.None);
        Assert.Equal(33, all.Items.Count);
        Assert.Equal(17, all.Items.Count(i => i.Status == Contract.DiagnosisStatus.Completed));
    }

    [Fact]
    public async Task Completed_rows_that_queue_meanwhile_are_written_in_one_commit_and_a_bad_row_fails_only_its_caller()
    {
        var store = (SqliteDiagnosisStore)await CreateAsync();
        await store.AddCompletedAsync(new DiagnosisStart(Id(1), T0, Request()), Response(Id(1), T0, "udp53-blocked"), CancellationToken.None);

        // Another connection holds SQLite's write lock: the store's writer waits in the busy handler (SQLite's calls are
        // synchronous, so on the thread of the call that started it) while the other rows queue behind it.
        async Task<IReadOnlyList<Task>> WhileLockedAsync(IReadOnlyList<int> ids)
        {
            await using var other = new Microsoft.Data.Sqlite.SqliteConnection(new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder { DataSource = store.Path }.ToString());
            await other.OpenAsync();
            await using var command = other.CreateCommand();
            command.CommandText = "BEGIN IMMEDIATE";
            await command.ExecuteNonQueryAsync();
            var calls = ids.Select(i => Task.Factory.StartNew(
                () => store.AddCompletedAsync(
                    new DiagnosisStart(Id(i), T0.AddSeconds(i), Request()), Response(Id(i), T0.AddSeconds(i), $"rule-{i}"), CancellationToken.None),
                CancellationToken.None, TaskCreationOptions.None, TaskScheduler.Default)).ToList();

            // Every call but the writer's returns once its row is queued; the writer's is stuck until the lock goes.
            var returned = new List<Task<Task>>(calls);
            while (calls.Count(c => c.IsCompleted) < ids.Count - 1)
            {
                await Task.WhenAny(returned);
                returned.RemoveAll(c => c.IsCompleted);
            }

            Assert.Equal(1, calls.Count(c => !c.IsCompleted));
            Assert.All(calls.Where(c => c.IsCompleted), c => Assert.False(c.Result.IsCompleted));
            command.CommandText = "COMMIT";
            await command.ExecuteNonQueryAsync();
            return [.. calls.Select(c => c.Unwrap())];
        }

        var before = store.Transactions;
        var written = await WhileLockedAsync([.. Enumerable.Range(2, 11)]);
        await Task.WhenAll(written);
        Assert.InRange(store.Transactions - before, 1, 2);
        var all = await store.ListAsync(new DiagnosisQuery { Limit = 100 }, CancellationToken.None);
        Assert.Equal(12, all.Items.Count);
        Assert.Equal("rule-7", (await store.GetAsync(Id(7), CancellationToken.None))!.Findings.Single().RuleId);

        // Id 1 is written already: its caller fails, the rows queued with it are written.
        var mixed = await WhileLockedAsync([13, 14, 1, 15]);
        await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => mixed[2]);
        await Task.WhenAll(mixed[0], mixed[1], mixed[3]);
        foreach (var i in new[] { 13, 14, 15 })
        {
            Assert.Equal($"rule-{i}", (await store.GetAsync(Id(i), CancellationToken.None))!.Findings.Single().RuleId);
        }

        Assert.Equal("udp53-blocked", (await store.GetAsync(Id(1), CancellationToken.None))!.Findings.Single().RuleId);
    }

    [Fact]
    public async Task The_documents_bound_as_utf8_are_stored_as_the_same_text_a_bound_string_would_be()
    {
        var store = (SqliteDiagnosisStore)await CreateAsync();
        var request = new Contract.DiagnosisRequest { Domain = "\u00fcn\u00ef-\U0001F600.example", Snapshot = Request().Snapshot };
        var response = Response(Id(1), T0, "udp53-blocked") with { Domain = "\U0001F600\u2028</script>" };
        await store.AddCompletedAsync(new DiagnosisStart(Id(1), T0, request), response, CancellationToken.None);

        // The same documents bound as strings, as the store wrote them before.
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection(new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder { DataSource = store.Path }.ToString());
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "CREATE TEMP TABLE strings (request_json TEXT, response_json TEXT); INSERT INTO strings VALUES (@Request, @Response)";
        command.Parameters.AddWithValue("@Request", StoredRequest.Serialize(request, Json));
        command.Parameters.AddWithValue("@Response", System.Text.Json.JsonSerializer.Serialize(response, Json));
        await command.ExecuteNonQueryAsync();
        command.CommandText = """
            SELECT typeof(d.request_json), typeof(d.response_json), d.request_json = s.request_json, d.response_json = s.response_json,
              length(d.request_json) = length(s.request_json), json_valid(d.request_json), json_valid(d.response_json)
            FROM diagnoses d, strings s WHERE d.id = @Id
            """;
        command.Parameters.AddWithValue("@Id", Id(1));
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal(("text", "text"), (reader.GetString(0), reader.GetString(1)));
        Assert.Equal([1L, 1L, 1L, 1L, 1L], Enumerable.Range(2, 5).Select(reader.GetInt64));

        Assert.Equal(StoredRequest.Serialize(request, Json), await store.GetRequestJsonAsync(Id(1), CancellationToken.None));
        Assert.Equal(response.Domain, (await store.GetAsync(Id(1), CancellationToken.None))!.Domain);
    }

    [Fact]
    public async Task A_restart_marks_diagnoses_left_running_as_failed()
    {
        var first = await CreateAsync();
        await first.BeginAsync(new DiagnosisStart("0190000000007000800000000001", T0, Request()), CancellationToken.None);

        // A new process opens the same file: nothing of the old one can still be running.
        var second = await CreateAsync();
        var record = (await second.GetAsync("0190000000007000800000000001", CancellationToken.None))!;
        Assert.Equal(Contract.DiagnosisStatus.Failed, record.Status);
        Assert.Contains("restarted", record.Error, StringComparison.Ordinal);
    }

    protected override async Task ExecuteAsync(HistoryOptions options, string sql)
    {
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection(new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder { DataSource = options.ConnectionString }.ToString());
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }
}
