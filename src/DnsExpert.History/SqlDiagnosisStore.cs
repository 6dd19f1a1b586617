using System.Data;
using System.Data.Common;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Dapper;
using DnsExpert.Contract;
using DnsExpert.Readers.Classification;

namespace DnsExpert.History;

/// <summary>
/// The history in a relational database through Dapper: one <c>diagnoses</c> row per diagnosis (summary columns for
/// listing, the request and the response as JSON) and one <c>diagnosis_findings</c> row per fired rule (for
/// <c>ruleId</c> filters). Times are Unix milliseconds, so both dialects compare them the same way.
/// </summary>
public abstract class SqlDiagnosisStore(JsonSerializerOptions json, HistoryOptions options) : IDiagnosisStore
{
    static SqlDiagnosisStore() => DefaultTypeMap.MatchNamesWithUnderscores = true;

    public abstract string Kind { get; }

    /// <summary>The 64-bit integer column type (times are Unix milliseconds).</summary>
    protected abstract string BigIntType { get; }

    protected abstract string DoubleType { get; }

    private string Schema => $"""
        CREATE TABLE IF NOT EXISTS diagnoses (
          id TEXT PRIMARY KEY,
          status TEXT NOT NULL,
          created_at {BigIntType} NOT NULL,
          completed_at {BigIntType},
          namespace TEXT,
          pod TEXT,
          domain TEXT,
          top_rule_id TEXT,
          top_severity TEXT,
          rule_ids TEXT NOT NULL DEFAULT '',
          duration_ms {DoubleType},
          error TEXT,
          classification_json TEXT,
          request_json TEXT NOT NULL,
          response_json TEXT,
          previous_id TEXT
        );
        CREATE INDEX IF NOT EXISTS ix_diagnoses_created ON diagnoses (created_at DESC, id DESC);
        CREATE INDEX IF NOT EXISTS ix_diagnoses_target ON diagnoses (namespace, pod, created_at DESC);
        CREATE INDEX IF NOT EXISTS ix_diagnoses_running ON diagnoses (status) WHERE status = 'running';
        CREATE TABLE IF NOT EXISTS diagnosis_findings (
          diagnosis_id TEXT NOT NULL,
          rule_id TEXT NOT NULL,
          severity TEXT NOT NULL,
          PRIMARY KEY (diagnosis_id, rule_id)
        );
        CREATE INDEX IF NOT EXISTS ix_findings_rule ON diagnosis_findings (rule_id, diagnosis_id);
        CREATE TABLE IF NOT EXISTS diagnosis_callbacks (
          diagnosis_id TEXT PRIMARY KEY,
          state TEXT NOT NULL,
          attempts INTEGER NOT NULL DEFAULT 0,
          last_error TEXT,
          updated_at {BigIntType} NOT NULL
        );
        CREATE INDEX IF NOT EXISTS ix_callbacks_pending ON diagnosis_callbacks (updated_at) WHERE state = 'pending';
        CREATE TABLE IF NOT EXISTS diagnosis_issues (
          diagnosis_id TEXT NOT NULL,
          tracker TEXT NOT NULL,
          issue_key TEXT,
          url TEXT,
          created_at {BigIntType} NOT NULL,
          PRIMARY KEY (diagnosis_id, tracker)
        );
        CREATE TABLE IF NOT EXISTS alert_groups (
          group_hash TEXT PRIMARY KEY,
          diagnosis_id TEXT NOT NULL,
          last_seen {BigIntType} NOT NULL
        );
        CREATE TABLE IF NOT EXISTS seen_once (
          scope TEXT NOT NULL,
          item TEXT NOT NULL,
          keep_until {BigIntType} NOT NULL,
          PRIMARY KEY (scope, item)
        );
        """;

    /// <summary>Counts the columns named <c>@Column</c> of table <c>diagnoses</c> (to add the ones a database made by an older version lacks).</summary>
    protected abstract string CountColumnSql { get; }

    /// <summary>Columns added after the first schema, with their type: added to an existing database at start-up.</summary>
    private static readonly (string Name, string Type)[] AddedColumns = [("previous_id", "TEXT"), ("created_by", "TEXT")];

    protected abstract Task<DbConnection> OpenAsync(CancellationToken cancellationToken);

    /// <summary>
    /// A connection to write with, held until the returned lease is disposed. The default opens one like any other;
    /// a database with one writer at a time hands writers out one by one (<see cref="SqliteDiagnosisStore"/>).
    /// </summary>
    protected virtual async Task<WriteLease> OpenForWriteAsync(CancellationToken cancellationToken) => new(await OpenAsync(cancellationToken), null);

    /// <summary>A connection to write with and, when writers take turns, the turn it holds: both given back on dispose.</summary>
    protected sealed class WriteLease(DbConnection connection, SemaphoreSlim? turn) : IAsyncDisposable
    {
        public DbConnection Connection { get; } = connection;

        public async ValueTask DisposeAsync()
        {
            try
            {
                await Connection.DisposeAsync();
            }
            finally
            {
                turn?.Release();
            }
        }
    }

    /// <summary>Runs before the schema is created, in its transaction (PostgreSQL takes a lock so replicas do not race).</summary>
    protected virtual Task LockSchemaAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken) => Task.CompletedTask;

    protected virtual Task AfterInitializeAsync(DbConnection connection, CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using (var transaction = await connection.BeginTransactionAsync(cancellationToken))
        {
            await LockSchemaAsync(connection, transaction, cancellationToken);
            await connection.ExecuteAsync(new CommandDefinition(Schema, transaction: transaction, cancellationToken: cancellationToken));
            foreach (var (name, type) in AddedColumns)
            {
                var count = await connection.ExecuteScalarAsync<long>(new CommandDefinition(CountColumnSql, new { Column = name }, transaction, cancellationToken: cancellationToken));
                if (count == 0)
                {
                    await connection.ExecuteAsync(new CommandDefinition($"ALTER TABLE diagnoses ADD COLUMN {name} {type}", transaction: transaction, cancellationToken: cancellationToken));
                }
            }

            await connection.ExecuteAsync(new CommandDefinition(
                "CREATE INDEX IF NOT EXISTS ix_diagnoses_previous ON diagnoses (previous_id) WHERE previous_id IS NOT NULL",
                transaction: transaction, cancellationToken: cancellationToken));
            await transaction.CommitAsync(cancellationToken);
        }

        await AfterInitializeAsync(connection, cancellationToken);
    }

    public async Task PingAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await connection.ExecuteScalarAsync<int>(new CommandDefinition("SELECT 1", cancellationToken: cancellationToken));
    }

    public async Task BeginAsync(DiagnosisStart start, CancellationToken cancellationToken)
    {
        await using var write = await OpenForWriteAsync(cancellationToken);
        var connection = write.Connection;
        await InsertRunningAsync(connection, transaction: null, start, cancellationToken);
    }

    public Task AddCompletedAsync(DiagnosisStart start, DiagnosisResponse response, CancellationToken cancellationToken)
    {
        // The row is written once, completed: an insert of a running row and its update would write its request twice.
        // Its columns are computed here, on the caller's thread, whoever writes it.
        cancellationToken.ThrowIfCancellationRequested();
        return WriteCompletedAsync(CompletedRow.Of(start, response, json), cancellationToken);
    }

    /// <summary>Writes one completed row in a transaction of its own; a store whose writers take turns may write it with others (<see cref="SqliteDiagnosisStore"/>).</summary>
    protected virtual async Task WriteCompletedAsync(CompletedRow row, CancellationToken cancellationToken)
    {
        await using var write = await OpenForWriteAsync(cancellationToken);
        await InsertCompletedAsync(write.Connection, [row], cancellationToken);
    }

    /// <summary>Inserts <paramref name="rows"/> with their findings in one transaction, committed before this returns.</summary>
    protected async Task InsertCompletedAsync(DbConnection connection, IReadOnlyList<CompletedRow> rows, CancellationToken cancellationToken)
    {
        await using var insert = new CompletedInsert(this, connection);
        await insert.RunAsync(rows, cancellationToken);
    }

    /// <summary>
    /// The statements that insert completed rows on one connection: made once, their parameters bound again for each
    /// row (SQLite prepares a command once and keeps it while it lives). The two documents are bound as the UTF-8 they
    /// were serialised to (<see cref="BindUtf8Text"/>).
    /// </summary>
    protected sealed class CompletedInsert : IAsyncDisposable
    {
        /// <summary>The insert's parameters with their columns' values; the documents (<see cref="Documents"/>) are bound apart.</summary>
        private static readonly (string Name, DbType Type, Func<CompletedRow, object?> Value)[] Columns =
        [
            ("Id", DbType.String, r => r.Started.Id),
            ("CreatedAt", DbType.Int64, r => r.Started.CreatedAt),
            ("Namespace", DbType.String, r => r.Started.Namespace),
            ("Pod", DbType.String, r => r.Started.Pod),
            ("Domain", DbType.String, r => r.Started.Domain),
            ("Classification", DbType.String, r => r.Started.Classification),
            ("PreviousId", DbType.String, r => r.Started.PreviousId),
            ("CreatedBy", DbType.String, r => r.Started.CreatedBy),
            ("CompletedAt", DbType.Int64, r => r.Ended.CompletedAt),
            ("DurationMs", DbType.Double, r => r.Ended.DurationMs),
            ("TopRuleId", DbType.String, r => r.Ended.TopRuleId),
            ("TopSeverity", DbType.String, r => r.Ended.TopSeverity),
            ("RuleIds", DbType.String, r => r.Ended.RuleIds),
        ];

        /// <summary>The two documents, serialised to UTF-8 (<see cref="BindUtf8Text"/>).</summary>
        private static readonly (string Name, Func<CompletedRow, byte[]> Value)[] Documents = [("Request", r => r.Started.Request), ("Response", r => r.Ended.Response)];

        private readonly SqlDiagnosisStore _store;
        private readonly DbCommand _insert;
        private readonly DbCommand _finding;
        private readonly DbParameter[] _columns;
        private readonly DbParameter[] _documents;
        private readonly DbParameter _findingId, _ruleId, _severity;

        public CompletedInsert(SqlDiagnosisStore store, DbConnection connection)
        {
            (_store, Connection) = (store, connection);
            _insert = connection.CreateCommand();
            _insert.CommandText = $"""
                INSERT INTO diagnoses (id, status, created_at, namespace, pod, domain, classification_json, request_json, previous_id, created_by,
                  completed_at, duration_ms, top_rule_id, top_severity, rule_ids, response_json)
                VALUES (@Id, 'completed', @CreatedAt, @Namespace, @Pod, @Domain, @Classification, {store.Utf8TextSql("@Request")}, @PreviousId, @CreatedBy,
                  @CompletedAt, @DurationMs, @TopRuleId, @TopSeverity, @RuleIds, {store.Utf8TextSql("@Response")})
                """;
            _columns = [.. Columns.Select(c => Parameter(_insert, c.Name, c.Type))];
            _documents = [.. Documents.Select(d => Parameter(_insert, d.Name, DbType.String))];

            _finding = connection.CreateCommand();
            _finding.CommandText = InsertFindingSql;
            _findingId = Parameter(_finding, "Id", DbType.String);
            _ruleId = Parameter(_finding, "RuleId", DbType.String);
            _severity = Parameter(_finding, "Severity", DbType.String);
        }

        public DbConnection Connection { get; }

        /// <summary>Inserts <paramref name="rows"/> with their findings in one transaction, committed before this returns.</summary>
        public async Task RunAsync(IReadOnlyList<CompletedRow> rows, CancellationToken cancellationToken)
        {
            await using var transaction = await Connection.BeginTransactionAsync(cancellationToken);
            (_insert.Transaction, _finding.Transaction) = (transaction, transaction);
            foreach (var row in rows)
            {
                for (var i = 0; i < Columns.Length; i++)
                {
                    _columns[i].Value = Columns[i].Value(row) ?? DBNull.Value;
                }

                for (var i = 0; i < Documents.Length; i++)
                {
                    _store.BindUtf8Text(_documents[i], Documents[i].Value(row));
                }

                await _insert.ExecuteNonQueryAsync(cancellationToken);

                _findingId.Value = row.Started.Id;
                foreach (var finding in row.Response.Findings.DistinctBy(f => f.RuleId))
                {
                    _ruleId.Value = finding.RuleId;
                    _severity.Value = SeverityName(finding.Severity);
                    await _finding.ExecuteNonQueryAsync(cancellationToken);
                }
            }

            await transaction.CommitAsync(cancellationToken);
        }

        public async ValueTask DisposeAsync()
        {
            await _insert.DisposeAsync();
            await _finding.DisposeAsync();
        }
    }

    /// <summary>One row of a diagnosis's findings index: written by a completed insert and by a running record's completion alike.</summary>
    private const string InsertFindingSql = "INSERT INTO diagnosis_findings (diagnosis_id, rule_id, severity) VALUES (@Id, @RuleId, @Severity)";

    private static DbParameter Parameter(DbCommand command, string name, DbType type)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.DbType = type;
        command.Parameters.Add(parameter);
        return parameter;
    }

    /// <summary>The SQL of a text column's value bound by <see cref="BindUtf8Text"/> (SQLite casts the bytes it gets to text).</summary>
    protected virtual string Utf8TextSql(string parameter) => parameter;

    /// <summary>
    /// Binds a text column's value given as UTF-8 (a document serialised straight to UTF-8). The default binds it as a
    /// string; SQLite takes the bytes as they are (<see cref="SqliteDiagnosisStore"/>).
    /// </summary>
    protected virtual void BindUtf8Text(DbParameter parameter, byte[] utf8) => parameter.Value = Encoding.UTF8.GetString(utf8);

    /// <summary>A completed diagnosis's row, its columns computed: what <see cref="AddCompletedAsync"/> writes.</summary>
    protected sealed class CompletedRow
    {
        private CompletedRow(StartColumns started, EndColumns ended, DiagnosisResponse response) => (Started, Ended, Response) = (started, ended, response);

        internal StartColumns Started { get; }

        internal EndColumns Ended { get; }

        internal DiagnosisResponse Response { get; }

        internal static CompletedRow Of(DiagnosisStart start, DiagnosisResponse response, JsonSerializerOptions json) =>
            new(StartColumns.Of(start, json), EndColumns.Of(response, json), response);
    }

    public async Task<bool> CompleteAsync(DiagnosisResponse response, CancellationToken cancellationToken)
    {
        await using var write = await OpenForWriteAsync(cancellationToken);
        var connection = write.Connection;
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (!await CompleteAsync(connection, transaction, response, cancellationToken))
        {
            await transaction.RollbackAsync(cancellationToken);
            return false;
        }

        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>The columns a record has from its start: who asked what, the request as stored.</summary>
    internal sealed record StartColumns(
        string Id, long CreatedAt, string? Namespace, string? Pod, string? Domain, string Classification, byte[] Request, string? PreviousId, string? CreatedBy)
    {
        public static StartColumns Of(DiagnosisStart start, JsonSerializerOptions json)
        {
            var request = start.Request;
            return new StartColumns(
                start.Id,
                start.CreatedAt.ToUnixTimeMilliseconds(),
                request.Target is null ? null : request.Target.Namespace ?? "default",
                request.Target?.Pod,
                request.Domain,
                JsonSerializer.Serialize(SymptomClassifier.Classify(request.Symptom?.ErrorMessage), json),
                StoredRequest.SerializeToUtf8Bytes(request, json),
                start.PreviousId,
                start.CreatedBy);
        }
    }

    /// <summary>The columns a record gets when it completes: its findings' summary and the answer.</summary>
    internal sealed record EndColumns(string Id, long CompletedAt, double? DurationMs, string? TopRuleId, string? TopSeverity, string RuleIds, byte[] Response)
    {
        public static EndColumns Of(DiagnosisResponse response, JsonSerializerOptions json)
        {
            var top = response.Findings.Count > 0 ? response.Findings[0] : null;
            return new EndColumns(
                response.Id,
                (response.CompletedAt ?? DateTimeOffset.UtcNow).ToUnixTimeMilliseconds(),
                response.DurationMs,
                top?.RuleId,
                top is null ? null : SeverityName(top.Severity),
                string.Join(',', response.Findings.Select(f => f.RuleId)),
                JsonSerializer.SerializeToUtf8Bytes(response, json));
        }
    }

    private Task<int> InsertRunningAsync(DbConnection connection, DbTransaction? transaction, DiagnosisStart start, CancellationToken cancellationToken)
    {
        var started = StartColumns.Of(start, json);
        return connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO diagnoses (id, status, created_at, namespace, pod, domain, rule_ids, classification_json, request_json, previous_id, created_by)
            VALUES (@Id, 'running', @CreatedAt, @Namespace, @Pod, @Domain, '', @Classification, @Request, @PreviousId, @CreatedBy)
            """,
            new
            {
                started.Id, started.CreatedAt, started.Namespace, started.Pod, started.Domain, started.Classification, Request = Encoding.UTF8.GetString(started.Request),
                started.PreviousId, started.CreatedBy,
            },
            transaction, cancellationToken: cancellationToken));
    }

    /// <summary>Marks a running record completed with its findings, in <paramref name="transaction"/>; false when it was not running.</summary>
    private async Task<bool> CompleteAsync(DbConnection connection, DbTransaction transaction, DiagnosisResponse response, CancellationToken cancellationToken)
    {
        var updated = await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE diagnoses SET status = 'completed', completed_at = @CompletedAt, duration_ms = @DurationMs, top_rule_id = @TopRuleId,
              top_severity = @TopSeverity, rule_ids = @RuleIds, response_json = @Response
            WHERE id = @Id AND status = 'running'
            """,
            EndColumns.Of(response, json) is var ended
                ? new { ended.Id, ended.CompletedAt, ended.DurationMs, ended.TopRuleId, ended.TopSeverity, ended.RuleIds, Response = Encoding.UTF8.GetString(ended.Response) }
                : null,
            transaction, cancellationToken: cancellationToken));
        if (updated == 0)
        {
            return false;
        }

        await InsertFindingsAsync(connection, transaction, response, cancellationToken);
        return true;
    }

    private static async Task InsertFindingsAsync(DbConnection connection, DbTransaction transaction, DiagnosisResponse response, CancellationToken cancellationToken)
    {
        foreach (var finding in response.Findings.DistinctBy(f => f.RuleId))
        {
            await connection.ExecuteAsync(new CommandDefinition(
                InsertFindingSql,
                new { response.Id, finding.RuleId, Severity = SeverityName(finding.Severity) }, transaction, cancellationToken: cancellationToken));
        }
    }

    public async Task<bool> FailAsync(string id, string error, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var write = await OpenForWriteAsync(cancellationToken);
        var connection = write.Connection;
        return await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE diagnoses SET status = 'failed', completed_at = @At, error = @Error WHERE id = @Id AND status = 'running'",
            new { Id = id, At = at.ToUnixTimeMilliseconds(), Error = Truncate(error, 2000) }, cancellationToken: cancellationToken)) > 0;
    }

    public async Task<DiagnosisResponse?> GetAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            $"SELECT {RowColumns}, classification_json, response_json, previous_id FROM diagnoses d WHERE d.id = @Id", new { Id = id }, cancellationToken: cancellationToken));
        if (row is null)
        {
            return null;
        }

        var callback = await connection.QuerySingleOrDefaultAsync<CallbackRow>(new CommandDefinition(
            "SELECT state, attempts, last_error, updated_at FROM diagnosis_callbacks WHERE diagnosis_id = @Id", new { Id = id }, cancellationToken: cancellationToken));
        var delivery = callback is null
            ? null
            : new CallbackDelivery(
                callback.State switch { "delivered" => CallbackState.Delivered, "failed" => CallbackState.Failed, _ => CallbackState.Pending },
                FromMs(callback.UpdatedAt), (int)callback.Attempts, callback.LastError);
        var issues = (await connection.QueryAsync<IssueRow>(new CommandDefinition(
                "SELECT tracker, issue_key, url, created_at FROM diagnosis_issues WHERE diagnosis_id = @Id AND issue_key IS NOT NULL ORDER BY created_at, tracker",
                new { Id = id }, cancellationToken: cancellationToken)))
            .Select(i => new TrackerIssue(i.Tracker, i.IssueKey!, i.Url ?? "", FromMs(i.CreatedAt)))
            .ToList() is { Count: > 0 } created ? created : null;
        if (row.Status == "completed" && row.ResponseJson is not null)
        {
            var stored = JsonSerializer.Deserialize<DiagnosisResponse>(row.ResponseJson, json)!;
            return stored with { Status = DiagnosisStatus.Completed, Callback = delivery, PreviousId = row.PreviousId, Issues = issues };
        }

        return new DiagnosisResponse
        {
            Callback = delivery,
            Issues = issues,
            PreviousId = row.PreviousId,
            Id = row.Id,
            Status = ParseStatus(row.Status),
            CreatedAt = FromMs(row.CreatedAt),
            CompletedAt = row.CompletedAt is { } c ? FromMs(c) : null,
            Target = Target(row),
            Domain = row.Domain,
            Error = row.Error,
            Classification = row.ClassificationJson is null
                ? SymptomClassifier.Classify(null)
                : JsonSerializer.Deserialize<ClassificationResult>(row.ClassificationJson, json)!,
            Findings = [],
            Collection = [],
        };
    }

    public async Task SetCallbackAsync(string id, CallbackDelivery delivery, CancellationToken cancellationToken)
    {
        await using var write = await OpenForWriteAsync(cancellationToken);
        var connection = write.Connection;
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO diagnosis_callbacks (diagnosis_id, state, attempts, last_error, updated_at) VALUES (@Id, @State, @Attempts, @LastError, @UpdatedAt)
            ON CONFLICT (diagnosis_id) DO UPDATE SET state = excluded.state, attempts = excluded.attempts, last_error = excluded.last_error,
              updated_at = excluded.updated_at
            """,
            new
            {
                Id = id,
                State = delivery.State switch { CallbackState.Delivered => "delivered", CallbackState.Failed => "failed", _ => "pending" },
                delivery.Attempts,
                LastError = delivery.LastError is null ? null : Truncate(delivery.LastError, 2000),
                UpdatedAt = delivery.UpdatedAt.ToUnixTimeMilliseconds(),
            },
            cancellationToken: cancellationToken));
    }

    public async Task<bool> ReserveIssueAsync(string id, string tracker, DateTimeOffset now, DateTimeOffset staleBefore, CancellationToken cancellationToken)
    {
        await using var write = await OpenForWriteAsync(cancellationToken);
        var connection = write.Connection;
        return await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO diagnosis_issues (diagnosis_id, tracker, created_at) VALUES (@Id, @Tracker, @Now)
            ON CONFLICT (diagnosis_id, tracker) DO UPDATE SET created_at = excluded.created_at
            WHERE diagnosis_issues.issue_key IS NULL AND diagnosis_issues.created_at < @Stale
            """,
            new { Id = id, Tracker = tracker, Now = now.ToUnixTimeMilliseconds(), Stale = staleBefore.ToUnixTimeMilliseconds() },
            cancellationToken: cancellationToken)) > 0;
    }

    public async Task<bool> ClaimOnceAsync(string scope, string item, DateTimeOffset now, DateTimeOffset keepUntil, CancellationToken cancellationToken)
    {
        await using var write = await OpenForWriteAsync(cancellationToken);
        var connection = write.Connection;

        // One statement: of two replicas claiming the same item at once, the database lets exactly one insert it. A
        // claim past its time (the sweep had not run yet) is taken again.
        return await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO seen_once (scope, item, keep_until) VALUES (@Scope, @Item, @KeepUntil)
            ON CONFLICT (scope, item) DO UPDATE SET keep_until = excluded.keep_until
            WHERE seen_once.keep_until <= @Now
            """,
            new { Scope = scope, Item = item, KeepUntil = keepUntil.ToUnixTimeMilliseconds(), Now = now.ToUnixTimeMilliseconds() },
            cancellationToken: cancellationToken)) > 0;
    }

    public async Task<AlertGroupState?> GetAlertGroupAsync(string groupHash, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<AlertGroupRow>(new CommandDefinition(
            "SELECT diagnosis_id, last_seen FROM alert_groups WHERE group_hash = @Hash", new { Hash = groupHash }, cancellationToken: cancellationToken));
        return row is null ? null : new AlertGroupState(row.DiagnosisId.Length == 0 ? null : row.DiagnosisId, FromMs(row.LastSeen));
    }

    public async Task<bool> ReplaceAlertGroupAsync(string groupHash, AlertGroupState? expected, AlertGroupState? next, CancellationToken cancellationToken)
    {
        // A reserved group (its diagnosis starting) has an empty id, so that every comparison is a plain equality.
        var args = new
        {
            Hash = groupHash,
            OldId = expected?.DiagnosisId ?? "",
            OldSeen = expected?.LastSeen.ToUnixTimeMilliseconds() ?? 0,
            NewId = next?.DiagnosisId ?? "",
            NewSeen = next?.LastSeen.ToUnixTimeMilliseconds() ?? 0,
        };
        var sql = (expected, next) switch
        {
            (null, null) => null,
            (null, _) => "INSERT INTO alert_groups (group_hash, diagnosis_id, last_seen) VALUES (@Hash, @NewId, @NewSeen) ON CONFLICT (group_hash) DO NOTHING",
            (_, null) => "DELETE FROM alert_groups WHERE group_hash = @Hash AND diagnosis_id = @OldId AND last_seen = @OldSeen",
            _ => "UPDATE alert_groups SET diagnosis_id = @NewId, last_seen = @NewSeen WHERE group_hash = @Hash AND diagnosis_id = @OldId AND last_seen = @OldSeen",
        };
        if (sql is null)
        {
            return true;
        }

        await using var write = await OpenForWriteAsync(cancellationToken);
        var connection = write.Connection;
        return await connection.ExecuteAsync(new CommandDefinition(sql, args, cancellationToken: cancellationToken)) > 0;
    }

    public async Task SetIssueAsync(string id, TrackerIssue issue, CancellationToken cancellationToken)
    {
        await using var write = await OpenForWriteAsync(cancellationToken);
        var connection = write.Connection;
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE diagnosis_issues SET issue_key = @Key, url = @Url, created_at = @CreatedAt WHERE diagnosis_id = @Id AND tracker = @Tracker",
            new { Id = id, issue.Tracker, Key = Truncate(issue.Key, 255), Url = Truncate(issue.Url, 2048), CreatedAt = issue.CreatedAt.ToUnixTimeMilliseconds() },
            cancellationToken: cancellationToken));
    }

    public async Task ReleaseIssueAsync(string id, string tracker, CancellationToken cancellationToken)
    {
        await using var write = await OpenForWriteAsync(cancellationToken);
        var connection = write.Connection;
        await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM diagnosis_issues WHERE diagnosis_id = @Id AND tracker = @Tracker AND issue_key IS NULL",
            new { Id = id, Tracker = tracker }, cancellationToken: cancellationToken));
    }

    public async Task<DiagnosisAccess?> GetAccessAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<AccessRow>(new CommandDefinition(
            "SELECT namespace, created_by FROM diagnoses WHERE id = @Id", new { Id = id }, cancellationToken: cancellationToken));
        return row is null ? null : new DiagnosisAccess(row.Namespace, row.CreatedBy);
    }

    public async Task<string?> GetNextIdAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await connection.QueryFirstOrDefaultAsync<string?>(new CommandDefinition(
            "SELECT id FROM diagnoses WHERE previous_id = @Id ORDER BY created_at DESC, id DESC LIMIT 1", new { Id = id }, cancellationToken: cancellationToken));
    }

    public async Task<string?> GetRequestJsonAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<string?>(new CommandDefinition(
            "SELECT request_json FROM diagnoses WHERE id = @Id", new { Id = id }, cancellationToken: cancellationToken));
    }

    public async Task<long?> GetRequestSizeAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<long?>(new CommandDefinition(
            "SELECT length(request_json) FROM diagnoses WHERE id = @Id", new { Id = id }, cancellationToken: cancellationToken));
    }

    public async Task<DiagnosisPage> ListAsync(DiagnosisQuery query, CancellationToken cancellationToken)
    {
        var where = new List<string>();
        var parameters = new DynamicParameters();
        if (query.Namespace is not null)
        {
            where.Add("d.namespace = @Namespace");
            parameters.Add("Namespace", query.Namespace);
        }

        if (query.InNamespaces is { } scope)
        {
            // A scope of no namespace sees nothing; never an empty IN list, which not every database accepts.
            var names = scope.Distinct(StringComparer.Ordinal).ToList();
            where.Add(names.Count == 0 ? "1 = 0" : "d.namespace IN (" + string.Join(", ", names.Select((_, i) => $"@Scope{i}")) + ")");
            for (var i = 0; i < names.Count; i++)
            {
                parameters.Add($"Scope{i}", names[i]);
            }
        }

        if (query.Pod is not null)
        {
            where.Add("d.pod = @Pod");
            parameters.Add("Pod", query.Pod);
        }

        if (query.RuleId is not null)
        {
            where.Add("EXISTS (SELECT 1 FROM diagnosis_findings f WHERE f.diagnosis_id = d.id AND f.rule_id = @RuleId)");
            parameters.Add("RuleId", query.RuleId);
        }

        if (query.Since is { } since)
        {
            where.Add("d.created_at >= @Since");
            parameters.Add("Since", since.ToUnixTimeMilliseconds());
        }

        if (query.After is { } after)
        {
            where.Add("(d.created_at < @AfterAt OR (d.created_at = @AfterAt AND d.id < @AfterId))");
            parameters.Add("AfterAt", after.CreatedAtMs);
            parameters.Add("AfterId", after.Id);
        }

        var limit = Math.Clamp(query.Limit, 1, 500);
        parameters.Add("Take", limit + 1);
        var sql = $"""
            SELECT {RowColumns} FROM diagnoses d
            {(where.Count > 0 ? "WHERE " + string.Join(" AND ", where) : "")}
            ORDER BY d.created_at DESC, d.id DESC
            LIMIT @Take
            """;

        await using var connection = await OpenAsync(cancellationToken);
        var rows = (await connection.QueryAsync<Row>(new CommandDefinition(sql, parameters, cancellationToken: cancellationToken))).ToList();
        var page = rows.Take(limit).ToList();
        return new DiagnosisPage
        {
            Items = page.Select(Summary).ToList(),
            NextCursor = rows.Count > limit ? new DiagnosisCursor(page[^1].CreatedAt, page[^1].Id).Encode() : null,
        };
    }

    public async Task<SweepResult> SweepAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var write = await OpenForWriteAsync(cancellationToken);
        var connection = write.Connection;
        var abandoned = await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE diagnoses SET status = 'failed', completed_at = @Now, error = @Error WHERE status = 'running' AND created_at < @Deadline",
            new
            {
                Now = now.ToUnixTimeMilliseconds(),
                Deadline = (now - options.RunningDeadline).ToUnixTimeMilliseconds(),
                Error = $"abandoned: no result {options.RunningDeadline.TotalMinutes.ToString("0.#", CultureInfo.InvariantCulture)} min after it was requested "
                    + "(the replica that had it stopped, or it waited that long in a full queue)",
            },
            cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE diagnosis_callbacks SET state = 'failed', updated_at = @Now, last_error = @Error WHERE state = 'pending' AND updated_at < @Deadline",
            new
            {
                Now = now.ToUnixTimeMilliseconds(),
                Deadline = (now - options.RunningDeadline).ToUnixTimeMilliseconds(),
                Error = $"abandoned: still pending {options.RunningDeadline.TotalMinutes.ToString("0.#", CultureInfo.InvariantCulture)} min after its last attempt "
                    + "(the replica delivering it stopped)",
            },
            cancellationToken: cancellationToken));

        await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM seen_once WHERE keep_until <= @Now", new { Now = now.ToUnixTimeMilliseconds() }, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM alert_groups WHERE last_seen < @ByAge", new { ByAge = (now - options.MaxAge).ToUnixTimeMilliseconds() }, cancellationToken: cancellationToken));

        // The oldest record to keep by count; everything older (or as old, with a smaller id) goes.
        var cut = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            $"SELECT {RowColumns} FROM diagnoses d ORDER BY d.created_at DESC, d.id DESC LIMIT 1 OFFSET @Max",
            new { Max = options.MaxCount - 1 }, cancellationToken: cancellationToken));
        var byAge = (now - options.MaxAge).ToUnixTimeMilliseconds();
        var condition = "created_at < @ByAge" + (cut is null ? "" : " OR created_at < @CutAt OR (created_at = @CutAt AND id < @CutId)");
        var args = new { ByAge = byAge, CutAt = cut?.CreatedAt ?? 0, CutId = cut?.Id ?? "" };

        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            $"DELETE FROM diagnosis_findings WHERE diagnosis_id IN (SELECT id FROM diagnoses WHERE {condition})", args, transaction, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(
            $"DELETE FROM diagnosis_callbacks WHERE diagnosis_id IN (SELECT id FROM diagnoses WHERE {condition})", args, transaction, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(
            $"DELETE FROM diagnosis_issues WHERE diagnosis_id IN (SELECT id FROM diagnoses WHERE {condition})", args, transaction, cancellationToken: cancellationToken));
        var deleted = await connection.ExecuteAsync(new CommandDefinition($"DELETE FROM diagnoses WHERE {condition}", args, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return new SweepResult(deleted, abandoned);
    }

    /// <summary>
    /// Marks every running record and pending callback failed: for a store with one writer, at start-up nothing can still
    /// be running or delivering.
    /// </summary>
    protected static async Task<int> AbandonAllRunningAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE diagnosis_callbacks SET state = 'failed', updated_at = @Now, last_error = @Error WHERE state = 'pending'",
            new { Now = now, Error = "abandoned: the service restarted before delivering it" }, cancellationToken: cancellationToken));
        return await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE diagnoses SET status = 'failed', completed_at = @Now, error = @Error WHERE status = 'running'",
            new { Now = now, Error = "abandoned: the service restarted during the diagnosis or while it was queued" },
            cancellationToken: cancellationToken));
    }

    private const string RowColumns = "d.id, d.status, d.created_at, d.completed_at, d.namespace, d.pod, d.domain, d.top_rule_id, d.top_severity, d.rule_ids, d.duration_ms, d.error";

    private static DiagnosisSummary Summary(Row row) => new()
    {
        Id = row.Id,
        Status = ParseStatus(row.Status),
        CreatedAt = FromMs(row.CreatedAt),
        CompletedAt = row.CompletedAt is { } c ? FromMs(c) : null,
        Target = Target(row),
        Domain = row.Domain,
        TopRuleId = row.TopRuleId,
        TopSeverity = row.TopSeverity switch { "critical" => Severity.Critical, "warning" => Severity.Warning, "info" => Severity.Info, _ => null },
        RuleIds = string.IsNullOrEmpty(row.RuleIds) ? [] : row.RuleIds.Split(','),
        DurationMs = row.DurationMs,
        Error = row.Error,
    };

    private static TargetRef? Target(Row row) => row.Namespace is null && row.Pod is null ? null : new TargetRef { Namespace = row.Namespace, Pod = row.Pod };

    private static DiagnosisStatus ParseStatus(string status) => status switch
    {
        "running" => DiagnosisStatus.Running,
        "completed" => DiagnosisStatus.Completed,
        _ => DiagnosisStatus.Failed,
    };

    private static string SeverityName(Severity severity) => severity switch
    {
        Severity.Critical => "critical",
        Severity.Warning => "warning",
        _ => "info",
    };

    private static DateTimeOffset FromMs(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    private static string Truncate(string text, int max) => text.Length <= max ? text : text[..max];

    /// <summary>A <c>diagnoses</c> row (Dapper maps snake_case columns onto these).</summary>
    private sealed class CallbackRow
    {
        public string State { get; set; } = "";
        public long Attempts { get; set; }
        public string? LastError { get; set; }
        public long UpdatedAt { get; set; }
    }

    /// <summary>A <c>diagnosis_issues</c> row.</summary>
    private sealed class IssueRow
    {
        public string Tracker { get; set; } = "";
        public string? IssueKey { get; set; }
        public string? Url { get; set; }
        public long CreatedAt { get; set; }
    }

    private sealed class AccessRow
    {
        public string? Namespace { get; set; }
        public string? CreatedBy { get; set; }
    }

    private sealed class Row
    {
        public string Id { get; set; } = "";
        public string Status { get; set; } = "";
        public long CreatedAt { get; set; }
        public long? CompletedAt { get; set; }
        public string? Namespace { get; set; }
        public string? Pod { get; set; }
        public string? Domain { get; set; }
        public string? TopRuleId { get; set; }
        public string? TopSeverity { get; set; }
        public string? RuleIds { get; set; }
        public double? DurationMs { get; set; }
        public string? Error { get; set; }
        public string? ClassificationJson { get; set; }
        public string? ResponseJson { get; set; }
        public string? PreviousId { get; set; }
    }

    /// <summary>An <c>alert_groups</c> row.</summary>
    private sealed class AlertGroupRow
    {
        public string DiagnosisId { get; set; } = "";
        public long LastSeen { get; set; }
    }
}
