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

    /// <summary>
    /// The bytes are cast to text: SQLite reads a blob cast to text as text in the database's encoding, UTF-8, so the row
    /// holds the same text, typed text, as a bound string would (which SQLite's binding would encode to these bytes again).
    /// </summary>
    protected override string Utf8TextSql(string parameter) => $"CAST({parameter} AS TEXT)";

    protected override void BindUtf8Text(DbParameter parameter, byte[] utf8)
    {
        parameter.DbType = System.Data.DbType.Binary;
        parameter.Value = utf8;
    }

    /// <summary>Completed rows waiting for a writer, in arrival order; guarded by itself.</summary>
    private readonly List<PendingRow> _pending = [];

    /// <summary>The transactions the group writer began (for tests: a batch is one). Changed only in the write turn.</summary>
    internal int Transactions { get; private set; }

    /// <summary>The group writer's connection and statements, kept between batches; used only in the write turn.</summary>
    private CompletedInsert? _writer;

    /// <summary>Whether a writer is draining <see cref="_pending"/> (guarded by <see cref="_pending"/>).</summary>
    private bool _draining;

    /// <summary>
    /// Group commit. The row joins the queue; when no writer is draining it, this caller starts one. The writer takes the
    /// turn and writes every row queued by then in one transaction (one commit: the pages the rows share, the tables'
    /// and indexes' own, are written once), completes their callers, and goes on while rows keep coming. The returned
    /// task completes only after the commit that holds the row, so a read after it sees the row. A batch that fails is
    /// written again row by row, so one bad row fails only its caller. A queued row is written: cancelling stops only
    /// the wait before it is queued.
    /// </summary>
    protected override Task WriteCompletedAsync(CompletedRow row, CancellationToken cancellationToken)
    {
        var pending = new PendingRow(row);
        bool start;
        lock (_pending)
        {
            _pending.Add(pending);
            start = !_draining;
            _draining = true;
        }

        if (start)
        {
            _ = DrainAsync();
        }

        return pending.Written.Task;
    }

    /// <summary>Writes the queue batch by batch, each in a turn of its own (other writes go in between), until it is empty.</summary>
    private async Task DrainAsync()
    {
        for (var first = true; ; first = false)
        {
            if (!first)
            {
                lock (_pending)
                {
                    if (_pending.Count == 0)
                    {
                        _draining = false;
                        return;
                    }
                }

                // SQLite's calls complete synchronously: the caller that started the writer has its row written now, and
                // the rows that queued meanwhile are written on the thread pool, not in that caller's request. (With
                // nothing queued, the writer stops without that hop.)
                await Task.Yield();
            }

            try
            {
                await _writeTurn.WaitAsync();
            }
            catch (ObjectDisposedException ex)
            {
                // The store was disposed with rows queued: they are not written.
                lock (_pending)
                {
                    foreach (var pending in _pending)
                    {
                        pending.Written.TrySetException(ex);
                    }

                    _pending.Clear();
                    _draining = false;
                }

                return;
            }

            try
            {
                PendingRow[] batch;
                lock (_pending)
                {
                    if (_pending.Count == 0)
                    {
                        _draining = false;
                        return;
                    }

                    batch = [.. _pending];
                    _pending.Clear();
                }

                await WriteBatchAsync(batch);
            }
            finally
            {
                _writeTurn.Release();
            }
        }
    }

    /// <summary>The batch in one transaction; when that fails, each row in its own. Completes every row's caller; never throws.</summary>
    private async Task WriteBatchAsync(PendingRow[] batch)
    {
        var failed = await TryInsertAsync([.. batch.Select(p => p.Row)]);
        if (failed is null || batch.Length == 1)
        {
            foreach (var pending in batch)
            {
                _ = failed is null ? pending.Written.TrySetResult() : pending.Written.TrySetException(failed);
            }

            return;
        }

        // One row may be bad (an id written already): each row alone, so that only its caller fails.
        foreach (var pending in batch)
        {
            _ = await TryInsertAsync([pending.Row]) is { } error ? pending.Written.TrySetException(error) : pending.Written.TrySetResult();
        }
    }

    /// <summary>
    /// The rows in one transaction on the group writer's connection, kept open between batches with its statements
    /// prepared; null when they were committed. A failure closes the connection (it may be what failed): the next batch
    /// opens another.
    /// </summary>
    private async Task<Exception?> TryInsertAsync(IReadOnlyList<CompletedRow> rows)
    {
        try
        {
            _writer ??= new CompletedInsert(this, await OpenAsync(CancellationToken.None));
            Transactions++;
            await _writer.RunAsync(rows, CancellationToken.None);
            return null;
        }
        catch (Exception ex)
        {
            await CloseWriterAsync();
            return ex;
        }
    }

    private async Task CloseWriterAsync()
    {
        if (_writer is { } writer)
        {
            _writer = null;
            await writer.DisposeAsync();
            await writer.Connection.DisposeAsync();
        }
    }

    /// <summary>A queued row and its caller's wait (continued off the writer's thread).</summary>
    private sealed class PendingRow(CompletedRow row)
    {
        public CompletedRow Row { get; } = row;

        public TaskCompletionSource Written { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    public void Dispose()
    {
        _writer?.Connection.Dispose();
        _writeTurn.Dispose();
    }

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
