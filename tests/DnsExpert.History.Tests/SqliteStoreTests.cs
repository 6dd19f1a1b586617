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
