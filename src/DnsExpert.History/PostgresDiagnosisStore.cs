using System.Data.Common;
using System.Text.Json;
using Dapper;
using Npgsql;

namespace DnsExpert.History;

/// <summary>The shared store for several replicas behind one Service: PostgreSQL through Npgsql's pooled data source.</summary>
public sealed class PostgresDiagnosisStore : SqlDiagnosisStore, IAsyncDisposable, IDisposable
{
    /// <summary>Any fixed number: replicas starting together take this advisory lock before creating the schema.</summary>
    private const long SchemaLock = 0x646e_7365_7870;

    private readonly NpgsqlDataSource _source;

    public PostgresDiagnosisStore(HistoryOptions options, JsonSerializerOptions json)
        : base(json, options)
    {
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            throw new ArgumentException($"{HistoryOptions.Section}:ConnectionString is required for PostgreSQL", nameof(options));
        }

        _source = NpgsqlDataSource.Create(options.ConnectionString);
    }

    public override string Kind => "postgres";

    protected override string BigIntType => "BIGINT";

    protected override string DoubleType => "DOUBLE PRECISION";

    protected override string CountColumnSql =>
        "SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'diagnoses' AND column_name = @Column";

    protected override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken) => await _source.OpenConnectionAsync(cancellationToken);

    protected override Task LockSchemaAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_xact_lock(@Lock)", new { Lock = SchemaLock }, transaction, cancellationToken: cancellationToken));

    public ValueTask DisposeAsync() => _source.DisposeAsync();

    public void Dispose() => _source.Dispose();
}
