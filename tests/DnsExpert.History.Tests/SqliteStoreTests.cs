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
