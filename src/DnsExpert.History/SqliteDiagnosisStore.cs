using System.Data.Common;
using System.Text.Json;
using Dapper;
using Microsoft.Data.Sqlite;

namespace DnsExpert.History;

/// <summary>
/// The embedded default: one SQLite file in WAL mode, no set-up. One writer process (a single replica); at start-up,
/// records left running by a previous process are marked failed.
/// </summary>
public sealed class SqliteDiagnosisStore : SqlDiagnosisStore, IDisposable
{
    private readonly string _connectionString;
    private readonly SemaphoreSlim _writeTurn = new(1, 1);

    public SqliteDiagnosisStore(HistoryOptions options, JsonSerializerOptions json)
        : base(json, options)
    {
        _connectionString = ConnectionString(options.ConnectionString);
        Path = new SqliteConnectionStringBuilder(_connectionString).DataSource;
    }

    /// <summary>The database file.</summary>
    public string Path { get; }

    public override string Kind => "sqlite";

    public static string DefaultPath => System.IO.Path.Combine(
        Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify), "dnsexpert", "history.db");

    protected override string BigIntType => "INTEGER";

    protected override string DoubleType => "REAL";

    protected override string CountColumnSql => "SELECT COUNT(*) FROM pragma_table_info('diagnoses') WHERE name = @Column";

    protected override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("PRAGMA busy_timeout = 5000; PRAGMA synchronous = NORMAL;", cancellationToken: cancellationToken));
        return connection;
    }

    /// <summary>
    /// Writes take turns. SQLite lets one connection write at a time: concurrent writers would wait on its lock (sleeping
    /// and retrying in its busy handler), and each would start with a page cache the other's commit made stale, reading
    /// the pages again. Readers do not take a turn (WAL: they never wait for the writer).
    /// </summary>
    protected override async Task<WriteLease> OpenForWriteAsync(CancellationToken cancellationToken)
    {
        await _writeTurn.WaitAsync(cancellationToken);
        try
        {
            return new WriteLease(await OpenAsync(cancellationToken), _writeTurn);
        }
        catch
        {
            _writeTurn.Release();
            throw;
        }
    }

    public void Dispose() => _writeTurn.Dispose();

    protected override async Task AfterInitializeAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        await connection.ExecuteAsync(new CommandDefinition("PRAGMA journal_mode = WAL;", cancellationToken: cancellationToken));
        await AbandonAllRunningAsync(connection, cancellationToken);
    }

    private static string ConnectionString(string? configured)
    {
        var builder = string.IsNullOrWhiteSpace(configured) || !configured.Contains('=', StringComparison.Ordinal)
            ? new SqliteConnectionStringBuilder { DataSource = string.IsNullOrWhiteSpace(configured) ? DefaultPath : configured }
            : new SqliteConnectionStringBuilder(configured);
        builder.Mode = SqliteOpenMode.ReadWriteCreate;
        builder.Pooling = true;
        var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(builder.DataSource));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        return builder.ToString();
    }
}
