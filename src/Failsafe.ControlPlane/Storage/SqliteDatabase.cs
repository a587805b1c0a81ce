using Microsoft.Data.Sqlite;

namespace Failsafe.ControlPlane.Storage;

/// <summary>The default engine: one SQLite file in WAL mode, writers serialised by BEGIN IMMEDIATE.</summary>
internal sealed class SqliteDatabase : IDatabase
{
    private const int BusyTimeoutMs = 10_000;
    private readonly string _connectionString;
    private readonly TimeProvider _time;
    private readonly IReadOnlyList<string> _migrations;
    private readonly SemaphoreSlim _writeGate = new(1, 1);

    public SqliteDatabase(string path, TimeProvider time, IReadOnlyList<string>? migrations = null)
    {
        Location = path;
        _time = time;
        _migrations = migrations ?? SqliteMigrations.All;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = BusyTimeoutMs / 1000,
        }.ToString();
    }

    public string Location { get; }

    public int KnownSchemaVersion => _migrations.Count;

    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using (var connection = await OpenAsync(cancellationToken).ConfigureAwait(false))
        {
            await using var wal = connection.CreateCommand();
            wal.CommandText = "PRAGMA journal_mode=WAL;";
            await wal.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await SchemaMigrator.MigrateAsync(
            this,
            _migrations,
            "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)",
            _time,
            cancellationToken).ConfigureAwait(false);
    }

    public async Task<T> ReadAsync<T>(Func<DbSession, Task<T>> work, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = connection.BeginTransaction(deferred: true);
        var result = await work(new DbSession(connection, transaction, cancellationToken)).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return result;
    }

    public async Task<T> WriteAsync<T>(Func<DbSession, Task<T>> work, CancellationToken cancellationToken)
    {
        // Writers of this process queue here, without holding a thread, rather than in SQLite's busy handler, which blocks a
        // thread and sleeps up to 100 ms between tries: under a few hundred writes a second those sleeps, not the writes, made
        // the latency (bench/Failsafe.Bench.Load). Another process on the same file still meets the busy timeout.
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);

            // BEGIN IMMEDIATE: take the write lock up front, so read-then-write decisions cannot race.
            await using var transaction = connection.BeginTransaction(deferred: false);
            var result = await work(new DbSession(connection, transaction, cancellationToken)).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return result;
        }
        finally
        {
            _writeGate.Release();
        }
    }

    public bool IsUniqueViolation(Exception exception) =>
        exception is SqliteException { SqliteErrorCode: 19 } sqlite
        && sqlite.SqliteExtendedErrorCode is 1555 or 2067; // SQLITE_CONSTRAINT_PRIMARYKEY, SQLITE_CONSTRAINT_UNIQUE

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var pragma = connection.CreateCommand();
        pragma.CommandText = $"PRAGMA busy_timeout={BusyTimeoutMs}; PRAGMA foreign_keys=ON;";
        await pragma.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return connection;
    }
}
