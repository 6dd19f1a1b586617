namespace DnsExpert.History.Tests;

/// <summary>The shared store against a real PostgreSQL server started for these tests; a database per test.</summary>
public sealed class PostgresStoreTests(PostgresServer server) : StoreContract, IClassFixture<PostgresServer>
{
    protected override async Task<IDiagnosisStore> CreateAsync(HistoryOptions? options = null)
    {
        options ??= new HistoryOptions();
        options.Provider = HistoryProvider.Postgres;
        options.ConnectionString ??= await server.CreateDatabaseAsync();
        var store = new PostgresDiagnosisStore(options, Json);
        await store.InitializeAsync(CancellationToken.None);
        return store;
    }

    protected override async Task ExecuteAsync(HistoryOptions options, string sql)
    {
        await using var connection = new Npgsql.NpgsqlConnection(options.ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    [Fact]
    public async Task Replicas_starting_together_create_the_schema_once_without_errors()
    {
        var options = new HistoryOptions { Provider = HistoryProvider.Postgres, ConnectionString = await server.CreateDatabaseAsync() };
        var replicas = Enumerable.Range(0, 4).Select(_ => new PostgresDiagnosisStore(options, Json)).ToList();

        await Task.WhenAll(replicas.Select(r => r.InitializeAsync(CancellationToken.None)));

        await replicas[0].BeginAsync(new DiagnosisStart("0190000000007000800000000001", T0, Request()), CancellationToken.None);
        Assert.NotNull(await replicas[3].GetAsync("0190000000007000800000000001", CancellationToken.None));
        foreach (var replica in replicas)
        {
            await replica.DisposeAsync();
        }
    }

    [Fact]
    public async Task An_unreachable_server_fails_the_ping()
    {
        await using var store = new PostgresDiagnosisStore(
            new HistoryOptions { Provider = HistoryProvider.Postgres, ConnectionString = "Host=127.0.0.1;Port=1;Username=x;Timeout=2" }, Json);
        await Assert.ThrowsAnyAsync<Exception>(() => store.PingAsync(CancellationToken.None));
    }
}
